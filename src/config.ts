/**
 * The configuration, read from the environment once at start-up and checked before anything else
 * runs. A bad value stops the process with one line naming the variable and what it accepts, so
 * a typo in a deployment fails at boot instead of at the first request. Nothing else in src/
 * reads process.env for settings; the composition root (src/server.ts) passes this object on.
 */

import { resolve } from 'node:path';

export const DEFAULT_TENANT_ID = 'ten_default';
export const DEFAULT_TENANT_NAME = 'Default';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** An `sk_` key with at least 22 random characters (≥ 128 bits), as `generateApiKey` makes (32). */
export const API_KEY_PATTERN = /^sk_[A-Za-z0-9_-]{22,200}$/;

/** Randomness SELLIFY_API_KEY must have, by the estimate of apiKeyStrength. */
export const MIN_API_KEY_BITS = 128;
/** Fewer distinct characters than this is a pattern someone typed (`sk_aaaa…`), not a random key. */
export const MIN_API_KEY_DISTINCT_CHARS = 10;

/**
 * An upper estimate of the randomness of a key's part after `sk_`: its length times log2 of the
 * character classes it draws from (a 22-character hex string is 88 bits, not the 132 its length
 * suggests in base64), and how many distinct characters it has. A random key passes easily (32
 * base64url characters: about 190 bits, about 25 distinct); a typed or hex-short one does not.
 */
export function apiKeyStrength(key: string): { bits: number; distinct: number } {
  const random = key.startsWith('sk_') ? key.slice(3) : key;
  let alphabet = 0;
  if (/[a-z]/.test(random)) alphabet += 26;
  if (/[A-Z]/.test(random)) alphabet += 26;
  if (/[0-9]/.test(random)) alphabet += 10;
  if (/[-_]/.test(random)) alphabet += 2;
  const bits = alphabet < 2 ? 0 : Math.floor(random.length * Math.log2(alphabet));
  return { bits, distinct: new Set(random).size };
}

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

export interface LlmSettings {
  apiKey: string;
  baseUrl: string;
  model: string;
  timeoutMs: number;
  dailyBudget: number;
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
  /**
   * SELLIFY_TENANT_RATE_LIMIT: requests per minute for all keys of one tenant together, and the
   * most any single key of a tenant may be given. At least SELLIFY_RATE_LIMIT. Default 10 ×
   * SELLIFY_RATE_LIMIT (1000).
   */
  tenantRateLimitPerMinute: number;
  /** SELLIFY_MAX_KEYS_PER_TENANT: active (not revoked) API keys a tenant may hold. Default 25. */
  maxKeysPerTenant: number;
  /** SELLIFY_METRICS_TOKEN: Bearer token for GET /metrics besides an API key with `read`. Default unset. */
  metricsToken?: string;
  /**
   * SELLIFY_TRUST_PROXY: which proxies in front of Sellify may name the client in X-Forwarded-For
   * (per-IP limits: failed authentications, webhooks). A number of hops (`1` behind one load
   * balancer: the address it appends is the client) or a comma-separated list of proxy
   * addresses/CIDRs (`loopback`, `10.0.0.0/8`). `true` is refused: it would trust any
   * X-Forwarded-For, so a rotating header would escape every per-IP limit. Default false (the
   * socket's address).
   */
  trustProxy: false | number | string[];
  /**
   * SELLIFY_ALLOW_PRIVATE_GATEWAYS: Evolution/WAHA base URLs may point at loopback, private
   * (RFC 1918, fc00::/7) and CGNAT addresses, for self-hosted gateways next to Sellify. Metadata,
   * link-local and unspecified addresses stay refused. Default false.
   */
  allowPrivateGateways: boolean;
  /**
   * SELLIFY_WEBHOOK_RATE_LIMIT: webhook POSTs admitted per client IP per minute, on every
   * /webhooks route. Default 6000 (100 a second from one address: Meta spreads its deliveries over
   * many addresses; a self-hosted gateway sends from one).
   */
  webhookRateLimitPerMinute: number;
  /** SELLIFY_WEBHOOK_VERIFY_RATE_LIMIT: Meta verify handshakes (GET /webhooks/whatsapp) per client IP per minute. Default 30. */
  webhookVerifyRateLimitPerMinute: number;
  /** SELLIFY_SHUTDOWN_TIMEOUT_MS: longest wait for in-flight requests on SIGTERM before exiting anyway. Default 10000. */
  shutdownTimeoutMs: number;
  /**
   * SELLIFY_EVENT_RETENTION_DAYS: events (the log behind the live dashboard, outgoing webhooks and
   * notifications) older than this are deleted once every consumer passed them and no webhook
   * delivery of theirs is pending or dead. 0 keeps them forever. Default 30.
   */
  eventRetentionDays: number;
  /**
   * SELLIFY_PACING_SCALE: multiplier of the human-like waits before a send (read delay, gap,
   * typing), in [0, 1]. Default 1. Only tests and demos lower it; quotas and windows are not scaled.
   */
  pacingScale: number;
  /**
   * SELLIFY_DASHBOARD_URL: the seller dashboard's base URL; WhatsApp notifications to the seller
   * link to `<url>/conversations/<contactId>`. Default none (no link).
   */
  dashboardUrl?: string;
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
  /**
   * The optional language model (issue 18), set when OPENAI_API_KEY is: OPENAI_BASE_URL (any
   * OpenAI-compatible chat-completions server; default https://api.openai.com/v1),
   * SELLIFY_LLM_MODEL (default gpt-4o-mini), SELLIFY_LLM_TIMEOUT_MS (one attempt; default 4000),
   * SELLIFY_LLM_DAILY_BUDGET (calls per tenant per day; default 500). Each tenant still switches it
   * on in its playbook. Unset: no model is ever called and decisions are unchanged.
   */
  llm?: LlmSettings;
  /**
   * SELLIFY_PUBLIC_URL: the address gateways reach Sellify at (`https://sellify.example`), used for
   * the webhook URL set on an Evolution instance or WAHA session when a number is connected by QR.
   * Default unset: the scheme and host of the request that starts the pairing.
   */
  publicUrl?: string;
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

function optionalField<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
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

function trustProxy(env: Env): false | number | string[] {
  const raw = text(env, 'SELLIFY_TRUST_PROXY');
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') {
    throw new ConfigError(
      'SELLIFY_TRUST_PROXY=true would let any client choose its address with X-Forwarded-For; set the number of proxies in front of Sellify (1 behind one load balancer) or their addresses/CIDRs (10.0.0.0/8)',
    );
  }
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops < 1 || hops > 10)
      throw new ConfigError(`SELLIFY_TRUST_PROXY must be a number of proxies from 1 to 10, got "${raw}"`);
    return hops;
  }
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const entry of list) {
    if (!/^(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)$/.test(entry)) {
      throw new ConfigError(
        `SELLIFY_TRUST_PROXY must be false, a number of proxies (1) or proxy addresses/CIDRs (loopback, 10.0.0.0/8), got "${entry}"`,
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
  const makeKey = `node -e "console.log('sk_' + require('crypto').randomBytes(24).toString('base64url'))"`;
  if (apiKey !== undefined && !API_KEY_PATTERN.test(apiKey)) {
    throw new ConfigError(
      `SELLIFY_API_KEY must be "sk_" followed by at least 22 random letters, digits, "-" or "_"; make one with: ${makeKey}`,
    );
  }
  if (apiKey !== undefined) {
    // The key is never echoed: it may be the real one with a typo.
    const { bits, distinct } = apiKeyStrength(apiKey);
    if (bits < MIN_API_KEY_BITS || distinct < MIN_API_KEY_DISTINCT_CHARS) {
      throw new ConfigError(
        `SELLIFY_API_KEY is too easy to guess (about ${bits} bits of randomness and ${distinct} distinct characters; at least ${MIN_API_KEY_BITS} bits and ${MIN_API_KEY_DISTINCT_CHARS} distinct needed); make one with: ${makeKey}`,
      );
    }
  }

  const logLevel = (text(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  const rateLimitPerMinute = integer(env, 'SELLIFY_RATE_LIMIT', 100, 1, 1_000_000_000);
  const config: Config = {
    production,
    port: integer(env, 'PORT', 3000, 0, 65_535),
    host: text(env, 'HOST') ?? (production ? '0.0.0.0' : '127.0.0.1'),
    dataDir: resolve(text(env, 'SELLIFY_DATA_DIR') ?? './data'),
    corsOrigins: origins(env),
    logLevel: logLevel as LogLevel,
    rateLimitPerMinute,
    tenantRateLimitPerMinute: integer(
      env,
      'SELLIFY_TENANT_RATE_LIMIT',
      Math.min(10 * rateLimitPerMinute, 1_000_000_000),
      1,
      1_000_000_000,
    ),
    maxKeysPerTenant: integer(env, 'SELLIFY_MAX_KEYS_PER_TENANT', 25, 1, 10_000),
    trustProxy: trustProxy(env),
    allowPrivateGateways: flag(env, 'SELLIFY_ALLOW_PRIVATE_GATEWAYS', false),
    webhookRateLimitPerMinute: integer(env, 'SELLIFY_WEBHOOK_RATE_LIMIT', 6000, 1, 1_000_000_000),
    webhookVerifyRateLimitPerMinute: integer(env, 'SELLIFY_WEBHOOK_VERIFY_RATE_LIMIT', 30, 1, 1_000_000),
    shutdownTimeoutMs: integer(env, 'SELLIFY_SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
    eventRetentionDays: integer(env, 'SELLIFY_EVENT_RETENTION_DAYS', 30, 0, 36_500),
    pacingScale: fraction(env, 'SELLIFY_PACING_SCALE', 1),
    ...optionalField('dashboardUrl', url(env, 'SELLIFY_DASHBOARD_URL', ['https:', 'http:'])),
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
    ['publicUrl', url(env, 'SELLIFY_PUBLIC_URL', ['https:', 'http:'])],
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
  if (config.tenantRateLimitPerMinute < config.rateLimitPerMinute) {
    throw new ConfigError(
      `SELLIFY_TENANT_RATE_LIMIT (${config.tenantRateLimitPerMinute}) must be at least SELLIFY_RATE_LIMIT (${config.rateLimitPerMinute}): it bounds all keys of a tenant together`,
    );
  }
  if (config.metricsToken !== undefined && config.metricsToken.length < 16) {
    throw new ConfigError('SELLIFY_METRICS_TOKEN must be at least 16 characters long');
  }
  const llmKey = text(env, 'OPENAI_API_KEY');
  if (llmKey !== undefined) {
    config.llm = {
      apiKey: llmKey,
      baseUrl: url(env, 'OPENAI_BASE_URL', ['https:', 'http:']) ?? 'https://api.openai.com/v1',
      model: text(env, 'SELLIFY_LLM_MODEL') ?? 'gpt-4o-mini',
      timeoutMs: integer(env, 'SELLIFY_LLM_TIMEOUT_MS', 4000, 100, 60_000),
      dailyBudget: integer(env, 'SELLIFY_LLM_DAILY_BUDGET', 500, 0, 10_000_000),
    };
  }
  return config;
}
