/**
 * The configuration, read from the environment once at start-up and checked before anything else
 * runs. A bad value stops the process with one line naming the variable and what it accepts, so
 * a typo in a deployment fails at boot instead of at the first request. Nothing else in src/
 * reads process.env for settings; the composition root (src/http/server.ts) passes this object on.
 */

import { resolve } from 'node:path';

export const DEFAULT_TENANT_ID = 'ten_default';
export const DEFAULT_TENANT_NAME = 'Default';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** An `sk_` key with at least 22 random characters (≥ 128 bits), as `generateApiKey` makes (32). */
export const API_KEY_PATTERN = /^sk_[A-Za-z0-9_-]{22,200}$/;

export interface WhatsAppDefaults {
  /** WHATSAPP_ACCESS_TOKEN: Cloud API token for a first channel. Default unset. */
  accessToken?: string;
  /** WHATSAPP_PHONE_NUMBER_ID: Cloud API phone number id. Default unset. */
  phoneNumberId?: string;
  /** WHATSAPP_APP_SECRET: verifies X-Hub-Signature-256 on Cloud API webhooks. Default unset. */
  appSecret?: string;
  /** WHATSAPP_VERIFY_TOKEN: answers Meta's webhook verification challenge. Default unset. */
  verifyToken?: string;
  /** WHATSAPP_GRAPH_URL: Graph API base URL (the simulator in tests). Default https://graph.facebook.com. */
  graphUrl: string;
}

export interface Config {
  /** NODE_ENV === 'production': no generated keys, keys never printed. Default false. */
  production: boolean;
  /** PORT: TCP port to listen on; 0 picks a free one. Default 3000. */
  port: number;
  /** HOST: address to bind. Default 0.0.0.0 in production (containers), 127.0.0.1 otherwise. */
  host: string;
  /** DATABASE_URL: `postgres://…`; unset means the embedded PGlite in dataDir. */
  databaseUrl?: string;
  /** SELLIFY_DATA_DIR: PGlite files, the development encryption key and admin key. Default ./data (absolute here). */
  dataDir: string;
  /** SELLIFY_API_KEY: admin key of the default tenant (`sk_…`, ≥ 22 random characters). Default unset. */
  apiKey?: string;
  /** SELLIFY_ENCRYPTION_KEY: 32 bytes in base64; required in production. Default unset (dev key file). */
  encryptionKey?: string;
  /** SELLIFY_ENCRYPTION_OLD_KEYS: comma-separated older keys that still decrypt. Default unset. */
  encryptionOldKeys?: string;
  /** REDIS_URL: shares rate-limit counters between instances. Default unset (in-process counters). */
  redisUrl?: string;
  /** SELLIFY_CORS_ORIGINS: comma-separated browser origins (`https://shop.example`) or `*`. Default none. */
  corsOrigins: string[];
  /** LOG_LEVEL: pino level. Default info. */
  logLevel: LogLevel;
  /** SELLIFY_RATE_LIMIT: requests per minute per API key unless the key overrides it. Default 100. */
  rateLimitPerMinute: number;
  /** SELLIFY_METRICS_TOKEN: Bearer token for GET /metrics besides an API key with `read`. Default unset. */
  metricsToken?: string;
  /**
   * SELLIFY_TRUST_PROXY: take client IPs (per-IP limits) from X-Forwarded-For: `true` trusts any
   * proxy, or a comma-separated list of proxy addresses/CIDRs (`loopback`, `10.0.0.0/8`). Default false.
   */
  trustProxy: boolean | string[];
  /** SELLIFY_SHUTDOWN_TIMEOUT_MS: longest wait for in-flight requests on SIGTERM before exiting anyway. Default 10000. */
  shutdownTimeoutMs: number;
  /**
   * SELLIFY_PACING_SCALE: multiplier of the human-like waits before a send (read delay, gap,
   * typing), in [0, 1]. Default 1. Only tests and demos lower it; quotas and windows are not scaled.
   */
  pacingScale: number;
  /**
   * SELLIFY_SANDBOX: sandbox channels (a pretend WhatsApp number, its sends kept in memory) may be
   * created, and the first start creates one. Default true, false in production: there the
   * operator enables them (a demo server) with SELLIFY_SANDBOX=true.
   */
  sandbox: boolean;
  /** Largest request body under /api, in bytes (decision contexts carry catalogues). Fixed: 256 KiB. */
  apiBodyLimitBytes: number;
  /** How long an Idempotency-Key is remembered, in milliseconds. Fixed: 7 days. */
  idempotencyTtlMs: number;
  /** Per-transport defaults for a first channel. */
  whatsapp: WhatsAppDefaults;
}

/** A configuration value the operator must fix; the message is one line and names the variable. */
export class ConfigError extends Error {
  readonly code = 'config';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** An unset or blank variable reads as undefined: `FOO=` in a .env file means "not set". */
function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

function url(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    // The value may hold a password: say what is wrong, never echo it.
    throw new ConfigError(`${name} is not a valid URL (expected ${protocols.join(' or ')}//…)`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.join(' or ')}//, got ${parsed.protocol}//…`);
  }
  return raw;
}

function origins(env: Env): string[] {
  const raw = text(env, 'SELLIFY_CORS_ORIGINS');
  if (raw === undefined) return [];
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const origin of list) {
    if (origin === '*') continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || parsed.origin !== origin) {
      throw new ConfigError(
        `SELLIFY_CORS_ORIGINS: "${origin}" is not an origin like https://shop.example (no path, no trailing slash)`,
      );
    }
  }
  return list;
}

function trustProxy(env: Env): boolean | string[] {
  const raw = text(env, 'SELLIFY_TRUST_PROXY');
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const entry of list) {
    if (!/^(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)$/.test(entry)) {
      throw new ConfigError(
        `SELLIFY_TRUST_PROXY must be true, false or proxy addresses/CIDRs (loopback, 10.0.0.0/8), got "${entry}"`,
      );
    }
  }
  return list;
}

/** `true` or `false`, or the default when unset. */
function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

/** A number in [0, 1] (e.g. 0.01), or the default when unset. */
function fraction(env: Env, name: string, fallback: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw) || !(value >= 0 && value <= 1)) {
    throw new ConfigError(`${name} must be a number from 0 to 1, got "${raw}"`);
  }
  return value;
}

/**
 * Parses the environment (default `process.env`) into a Config, or throws ConfigError with one
 * line naming the variable. Pure apart from resolving the data directory against the working
 * directory, so tests pass a plain object.
 */
export function loadConfig(env: Env = process.env): Config {
  const production = text(env, 'NODE_ENV') === 'production';

  const apiKey = text(env, 'SELLIFY_API_KEY');
  if (apiKey !== undefined && !API_KEY_PATTERN.test(apiKey)) {
    throw new ConfigError(
      'SELLIFY_API_KEY must be "sk_" followed by at least 22 random letters, digits, "-" or "_"; make one with: ' +
        `node -e "console.log('sk_' + require('crypto').randomBytes(24).toString('base64url'))"`,
    );
  }

  const logLevel = (text(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  const config: Config = {
    production,
    port: integer(env, 'PORT', 3000, 0, 65_535),
    host: text(env, 'HOST') ?? (production ? '0.0.0.0' : '127.0.0.1'),
    dataDir: resolve(text(env, 'SELLIFY_DATA_DIR') ?? './data'),
    corsOrigins: origins(env),
    logLevel: logLevel as LogLevel,
    rateLimitPerMinute: integer(env, 'SELLIFY_RATE_LIMIT', 100, 1, 1_000_000_000),
    trustProxy: trustProxy(env),
    shutdownTimeoutMs: integer(env, 'SELLIFY_SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
    pacingScale: fraction(env, 'SELLIFY_PACING_SCALE', 1),
    sandbox: flag(env, 'SELLIFY_SANDBOX', !production),
    apiBodyLimitBytes: 256 * 1024,
    idempotencyTtlMs: 7 * 24 * 60 * 60_000,
    whatsapp: {
      graphUrl: url(env, 'WHATSAPP_GRAPH_URL', ['https:', 'http:']) ?? 'https://graph.facebook.com',
    },
  };
  const optional: [keyof Config, string | undefined][] = [
    ['databaseUrl', url(env, 'DATABASE_URL', ['postgres:', 'postgresql:'])],
    ['apiKey', apiKey],
    ['encryptionKey', text(env, 'SELLIFY_ENCRYPTION_KEY')],
    ['encryptionOldKeys', text(env, 'SELLIFY_ENCRYPTION_OLD_KEYS')],
    ['redisUrl', url(env, 'REDIS_URL', ['redis:', 'rediss:'])],
    ['metricsToken', text(env, 'SELLIFY_METRICS_TOKEN')],
  ];
  for (const [key, value] of optional) {
    if (value !== undefined) Object.assign(config, { [key]: value });
  }
  const whatsapp: [keyof WhatsAppDefaults, string][] = [
    ['accessToken', 'WHATSAPP_ACCESS_TOKEN'],
    ['phoneNumberId', 'WHATSAPP_PHONE_NUMBER_ID'],
    ['appSecret', 'WHATSAPP_APP_SECRET'],
    ['verifyToken', 'WHATSAPP_VERIFY_TOKEN'],
  ];
  for (const [key, name] of whatsapp) {
    const value = text(env, name);
    if (value !== undefined) config.whatsapp[key] = value;
  }
  if (config.metricsToken !== undefined && config.metricsToken.length < 16) {
    throw new ConfigError('SELLIFY_METRICS_TOKEN must be at least 16 characters long');
  }
  return config;
}
