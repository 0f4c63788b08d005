import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig defaults', () => {
  it('runs on the embedded database in ./data on 127.0.0.1:3000 with 100 requests a minute', () => {
    const c = loadConfig({});
    expect(c).toEqual(
      expect.objectContaining({
        production: false,
        port: 3000,
        host: '127.0.0.1',
        dataDir: resolve('./data'),
        corsOrigins: [],
        logLevel: 'info',
        rateLimitPerMinute: 100,
        tenantRateLimitPerMinute: 1000,
        maxKeysPerTenant: 25,
        trustProxy: false,
        shutdownTimeoutMs: 10_000,
        apiBodyLimitBytes: 262_144,
        idempotencyTtlMs: 604_800_000,
      }),
    );
    expect(c.databaseUrl).toBeUndefined();
    expect(c.apiKey).toBeUndefined();
    expect(c.whatsapp.graphUrl).toBe('https://graph.facebook.com');
    expect(c.publicUrl).toBeUndefined();
  });

  it('reads the public URL gateways reach Sellify at (the webhook URL set when pairing by QR)', () => {
    expect(loadConfig({ SELLIFY_PUBLIC_URL: 'https://sellify.example' }).publicUrl).toBe(
      'https://sellify.example',
    );
  });

  it('reads a trusted-proxy hop count, private gateways and webhook limits', () => {
    const c = loadConfig({
      SELLIFY_TRUST_PROXY: '2',
      SELLIFY_ALLOW_PRIVATE_GATEWAYS: 'true',
      SELLIFY_WEBHOOK_RATE_LIMIT: '12000',
      SELLIFY_WEBHOOK_VERIFY_RATE_LIMIT: '10',
    });
    expect(c).toEqual(
      expect.objectContaining({
        trustProxy: 2,
        allowPrivateGateways: true,
        webhookRateLimitPerMinute: 12_000,
        webhookVerifyRateLimitPerMinute: 10,
      }),
    );
    expect(loadConfig({})).toEqual(
      expect.objectContaining({
        allowPrivateGateways: false,
        webhookRateLimitPerMinute: 6000,
        webhookVerifyRateLimitPerMinute: 30,
      }),
    );
  });

  it('binds every interface in production', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).host).toBe('0.0.0.0');
  });

  it('allows sandbox channels in development, and in production only with SELLIFY_SANDBOX=true', () => {
    expect(loadConfig({}).sandbox).toBe(true);
    expect(loadConfig({ SELLIFY_SANDBOX: 'false' }).sandbox).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production' }).sandbox).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', SELLIFY_SANDBOX: 'TRUE' }).sandbox).toBe(true);
    expect(() => loadConfig({ SELLIFY_SANDBOX: 'yes' })).toThrow(
      new ConfigError('SELLIFY_SANDBOX must be true or false, got "yes"'),
    );
  });

  it('reads blank variables as unset', () => {
    expect(loadConfig({ SELLIFY_API_KEY: '', DATABASE_URL: '  ', PORT: '' }).port).toBe(3000);
  });

  it('takes the values it is given', () => {
    const c = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u:p@db:5432/sellify',
      SELLIFY_API_KEY: 'sk_Qm3vT8xKp2LwZr9NcY4hJd7s',
      REDIS_URL: 'redis://cache:6379',
      SELLIFY_CORS_ORIGINS: 'https://shop.example, https://admin.example',
      SELLIFY_RATE_LIMIT: '250',
      SELLIFY_TRUST_PROXY: 'loopback, 10.0.0.0/8',
      LOG_LEVEL: 'WARN',
      WHATSAPP_ACCESS_TOKEN: 'token',
    });
    expect(c).toEqual(
      expect.objectContaining({
        port: 8080,
        host: '0.0.0.0',
        databaseUrl: 'postgres://u:p@db:5432/sellify',
        redisUrl: 'redis://cache:6379',
        corsOrigins: ['https://shop.example', 'https://admin.example'],
        rateLimitPerMinute: 250,
        tenantRateLimitPerMinute: 2500,
        trustProxy: ['loopback', '10.0.0.0/8'],
        logLevel: 'warn',
      }),
    );
    expect(c.whatsapp.accessToken).toBe('token');
  });
});

describe('loadConfig refuses bad values with one line naming the variable', () => {
  const cases: { name: string; env: Record<string, string>; message: RegExp }[] = [
    {
      name: 'a port that is not a number',
      env: { PORT: 'http' },
      message: /^PORT must be a whole number from 0 to 65535/,
    },
    { name: 'a port out of range', env: { PORT: '70000' }, message: /^PORT / },
    { name: 'a rate limit of zero', env: { SELLIFY_RATE_LIMIT: '0' }, message: /^SELLIFY_RATE_LIMIT / },
    {
      name: 'an API key without the sk_ prefix',
      env: { SELLIFY_API_KEY: 'secret' },
      message: /^SELLIFY_API_KEY must be "sk_"/,
    },
    {
      name: 'an API key too short to be random enough',
      env: { SELLIFY_API_KEY: 'sk_abc' },
      message: /^SELLIFY_API_KEY /,
    },
    {
      name: 'an API key of one repeated character',
      env: { SELLIFY_API_KEY: `sk_${'a'.repeat(32)}` },
      message: /^SELLIFY_API_KEY is too easy to guess \(about \d+ bits of randomness and 1 distinct/,
    },
    {
      name: 'an API key of 22 hex digits (88 bits, not 132)',
      env: { SELLIFY_API_KEY: 'sk_0123456789abcdef012345' },
      message: /^SELLIFY_API_KEY is too easy to guess \(about 113 bits/,
    },
    {
      name: 'an API key of digits only',
      env: { SELLIFY_API_KEY: `sk_${'0123456789'.repeat(3)}` },
      message: /^SELLIFY_API_KEY is too easy to guess/,
    },
    {
      name: 'a tenant budget below the per-key limit',
      env: { SELLIFY_RATE_LIMIT: '200', SELLIFY_TENANT_RATE_LIMIT: '150' },
      message: /^SELLIFY_TENANT_RATE_LIMIT \(150\) must be at least SELLIFY_RATE_LIMIT \(200\)/,
    },
    {
      name: 'no API key allowed per tenant',
      env: { SELLIFY_MAX_KEYS_PER_TENANT: '0' },
      message: /^SELLIFY_MAX_KEYS_PER_TENANT must be a whole number from 1/,
    },
    {
      name: 'a database URL of another kind',
      env: { DATABASE_URL: 'mysql://db/x' },
      message: /^DATABASE_URL must start with postgres:/,
    },
    { name: 'a Redis URL that is not one', env: { REDIS_URL: 'localhost:6379' }, message: /^REDIS_URL / },
    {
      name: 'a public URL that is not http(s)',
      env: { SELLIFY_PUBLIC_URL: 'ftp://sellify.example' },
      message: /^SELLIFY_PUBLIC_URL must start with https: or http:/,
    },
    {
      name: 'a CORS origin with a path',
      env: { SELLIFY_CORS_ORIGINS: 'https://shop.example/' },
      message: /^SELLIFY_CORS_ORIGINS/,
    },
    { name: 'an unknown log level', env: { LOG_LEVEL: 'loud' }, message: /^LOG_LEVEL must be one of/ },
    {
      name: 'a short metrics token',
      env: { SELLIFY_METRICS_TOKEN: 'short' },
      message: /^SELLIFY_METRICS_TOKEN/,
    },
    {
      name: 'a trust-proxy value it cannot read',
      env: { SELLIFY_TRUST_PROXY: 'yes please' },
      message: /^SELLIFY_TRUST_PROXY/,
    },
    {
      // Issue 11.14: `true` trusted any X-Forwarded-For, so a rotating header escaped per-IP limits.
      name: 'SELLIFY_TRUST_PROXY=true (it would trust any X-Forwarded-For)',
      env: { SELLIFY_TRUST_PROXY: 'true' },
      message: /^SELLIFY_TRUST_PROXY=true would let any client choose its address/,
    },
    { name: 'a hop count of 0', env: { SELLIFY_TRUST_PROXY: '0' }, message: /^SELLIFY_TRUST_PROXY/ },
    {
      name: 'an allow-private-gateways value that is not a boolean',
      env: { SELLIFY_ALLOW_PRIVATE_GATEWAYS: 'yes' },
      message: /^SELLIFY_ALLOW_PRIVATE_GATEWAYS must be true or false/,
    },
    {
      name: 'a webhook rate limit of 0',
      env: { SELLIFY_WEBHOOK_RATE_LIMIT: '0' },
      message: /^SELLIFY_WEBHOOK_RATE_LIMIT/,
    },
  ];
  for (const c of cases) {
    it(`refuses ${c.name}`, () => {
      let caught: unknown;
      try {
        loadConfig(c.env);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as Error).message).toMatch(c.message);
      expect((caught as Error).message).not.toContain('\n');
    });
  }

  it('accepts the keys its own command makes, and never echoes a refused key', () => {
    for (let i = 0; i < 200; i++) {
      const key = `sk_${randomBytes(24).toString('base64url')}`;
      expect(loadConfig({ SELLIFY_API_KEY: key }).apiKey).toBe(key);
    }
    const weak = 'sk_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaQ';
    expect(() => loadConfig({ SELLIFY_API_KEY: weak })).toThrow(ConfigError);
    try {
      loadConfig({ SELLIFY_API_KEY: weak });
    } catch (err) {
      expect((err as Error).message).not.toContain(weak.slice(3));
    }
  });

  it('never echoes a database URL, which may hold a password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://user:hunter2@[bad' })).toThrow(
      /^DATABASE_URL is not a valid URL/,
    );
    try {
      loadConfig({ DATABASE_URL: 'postgres://user:hunter2@[bad' });
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });
});

describe('language model settings', () => {
  it('stay unset without OPENAI_API_KEY, whatever else is set', () => {
    expect(
      loadConfig({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', SELLIFY_LLM_MODEL: 'llama3' }).llm,
    ).toBeUndefined();
  });

  it('read the key, the server, the model, the timeout and the budget', () => {
    expect(loadConfig({ OPENAI_API_KEY: 'sk-x' }).llm).toEqual({
      apiKey: 'sk-x',
      baseUrl: 'https://api.openai.com/v1',
      model: 'gpt-4o-mini',
      timeoutMs: 4000,
      dailyBudget: 500,
    });
    expect(
      loadConfig({
        OPENAI_API_KEY: 'ollama',
        OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
        SELLIFY_LLM_MODEL: 'llama3.1',
        SELLIFY_LLM_TIMEOUT_MS: '8000',
        SELLIFY_LLM_DAILY_BUDGET: '0',
      }).llm,
    ).toMatchObject({
      baseUrl: 'http://127.0.0.1:11434/v1',
      model: 'llama3.1',
      timeoutMs: 8000,
      dailyBudget: 0,
    });
  });

  it('refuse a server that is not http(s) and a timeout out of range, naming the variable', () => {
    expect(() => loadConfig({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'ftp://x' })).toThrow(/OPENAI_BASE_URL/);
    expect(() => loadConfig({ OPENAI_API_KEY: 'k', SELLIFY_LLM_TIMEOUT_MS: '5' })).toThrow(
      /SELLIFY_LLM_TIMEOUT_MS/,
    );
  });
});
