import { fastify } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLimiter } from '../../ratelimit/memory.ts';
import type { RateDecision, RateLimiter } from '../../ratelimit/types.ts';
import { rateLimitHeaders, rateLimitPlugin } from './rate-limit.ts';
import { buildTestApp } from './testApp.ts';

/** A limiter that answers every hit with the same decision, to check the header arithmetic. */
function fixedLimiter(d: RateDecision): RateLimiter {
  return { hit: async () => d, peek: async () => d, close: async () => {} };
}

const failingLimiter: RateLimiter = {
  hit: async () => {
    throw new Error('ECONNREFUSED 127.0.0.1:6379');
  },
  peek: async () => {
    throw new Error('ECONNREFUSED 127.0.0.1:6379');
  },
  close: async () => {},
};

describe('rateLimitHeaders', () => {
  it('rounds the reset up to whole seconds and states the policy', () => {
    expect(
      rateLimitHeaders({ allowed: true, limit: 100, remaining: 7, resetMs: 1001, retryAfterMs: 0 }),
    ).toEqual({
      'ratelimit-limit': '100',
      'ratelimit-remaining': '7',
      'ratelimit-reset': '2',
      'ratelimit-policy': '100;w=60',
    });
  });
});

describe('Retry-After arithmetic', () => {
  const cases: { name: string; retryAfterMs: number; want: string }[] = [
    { name: 'rounds 1 ms up to 1 s', retryAfterMs: 1, want: '1' },
    { name: 'keeps exactly 1000 ms as 1 s', retryAfterMs: 1000, want: '1' },
    {
      name: 'rounds 1001 ms up to 2 s (a client waiting 1 s would be refused again)',
      retryAfterMs: 1001,
      want: '2',
    },
    { name: 'rounds 59 999 ms up to 60 s', retryAfterMs: 59_999, want: '60' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const app = await buildTestApp({
        limiter: fixedLimiter({
          allowed: false,
          limit: 2,
          remaining: 0,
          resetMs: c.retryAfterMs,
          retryAfterMs: c.retryAfterMs,
        }),
      });
      const res = await app.inject({ method: 'GET', url: '/api/v1/limited' });
      expect(res.statusCode).toBe(429);
      expect(res.json().code).toBe('rate_limited');
      expect(res.headers['retry-after']).toBe(c.want);
      expect(res.headers['ratelimit-remaining']).toBe('0');
      await app.close();
    });
  }
});

describe('rateLimitPlugin through inject', () => {
  let app: Awaited<ReturnType<typeof buildTestApp>>;
  beforeAll(async () => {
    app = await buildTestApp({
      limiter: createMemoryLimiter(),
      // Every request, /health included, is given a key: the plugin must still never limit /health.
      keyFor: (req) =>
        req.url.startsWith('/webhooks') || req.url.startsWith('/health')
          ? { key: `ip:${req.ip}`, limit: 3 }
          : null,
    });
  });
  afterAll(() => app.close());

  it('admits `limit` requests per key through enforceRateLimit, then answers 429 rate_limited with Retry-After', async () => {
    const first = await app.inject({ method: 'GET', url: '/api/v1/limited' });
    const second = await app.inject({ method: 'GET', url: '/api/v1/limited' });
    const third = await app.inject({ method: 'GET', url: '/api/v1/limited' });
    expect([first.statusCode, second.statusCode, third.statusCode]).toEqual([200, 200, 429]);
    expect(first.headers).toMatchObject({
      'ratelimit-limit': '2',
      'ratelimit-remaining': '1',
      'ratelimit-policy': '2;w=60',
    });
    expect(second.headers['ratelimit-remaining']).toBe('0');
    expect(third.json()).toMatchObject({ code: 'rate_limited', status: 429 });
    const retryAfterS = Number(third.headers['retry-after']);
    expect(Number.isInteger(retryAfterS)).toBe(true);
    expect(retryAfterS).toBeGreaterThanOrEqual(1);
    expect(retryAfterS).toBeLessThanOrEqual(60);
    expect(Number(third.headers['ratelimit-reset'])).toBeGreaterThanOrEqual(1);
  });

  it('limits per IP through keyFor before the body is read', async () => {
    const send = (ip: string) =>
      app.inject({
        method: 'POST',
        url: '/webhooks/raw',
        remoteAddress: ip,
        payload: '{"ok":true}',
        headers: { 'content-type': 'application/vnd.sellify.raw+json' },
      });
    const responses = [];
    for (let i = 0; i < 4; i++) responses.push(await send('203.0.113.7'));
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 429]);
    const refused = responses[3];
    expect(refused?.json()).toMatchObject({
      code: 'rate_limited',
      requestId: refused?.headers['x-request-id'],
    });
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Another address has its own window.
    expect((await send('203.0.113.8')).statusCode).toBe(200);
  });

  it('never limits /health, even when keyFor gives it a key', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await app.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['ratelimit-limit']).toBeUndefined();
    }
  });

  it('leaves routes keyFor returns null for unlimited and without RateLimit headers', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/channels/chn_known' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['ratelimit-limit']).toBeUndefined();
  });
});

describe('failed authentication limit', () => {
  it('answers auth_rate_limited with Retry-After after 20 failures a minute from one IP, and not for others', async () => {
    const app = await buildTestApp();
    const ip = '198.51.100.1';
    for (let i = 0; i < 20; i++) {
      await app.rateLimit.checkAuthFailures(ip);
      await app.rateLimit.recordAuthFailure(ip);
    }
    const refused = await app.rateLimit.checkAuthFailures(ip).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ code: 'auth_rate_limited', status: 429 });
    expect(
      Number((refused as { headers: Record<string, string> }).headers['retry-after']),
    ).toBeGreaterThanOrEqual(1);
    await expect(app.rateLimit.checkAuthFailures('198.51.100.2')).resolves.toBeUndefined();
    await app.close();
  });

  it('checking does not count as a failure', async () => {
    const app = await buildTestApp();
    for (let i = 0; i < 100; i++) await app.rateLimit.checkAuthFailures('198.51.100.3');
    await expect(app.rateLimit.checkAuthFailures('198.51.100.3')).resolves.toBeUndefined();
    await app.close();
  });

  it('honours a custom failure budget and a separate limiter', async () => {
    const app = fastify({ logger: false });
    await app.register(rateLimitPlugin, {
      limiter: failingLimiter,
      authFailureLimiter: createMemoryLimiter(),
      authFailuresPerMinute: 2,
    });
    await app.ready();
    await app.rateLimit.recordAuthFailure('ip');
    await app.rateLimit.recordAuthFailure('ip');
    await expect(app.rateLimit.checkAuthFailures('ip')).rejects.toMatchObject({ code: 'auth_rate_limited' });
    await app.close();
  });
});

describe('when the limiter fails', () => {
  it('lets requests through (fail open) rather than turning a Redis outage into an API outage', async () => {
    const app = await buildTestApp({ limiter: failingLimiter, keyFor: () => ({ key: 'all', limit: 1 }) });
    for (let i = 0; i < 3; i++) {
      expect((await app.inject({ method: 'GET', url: '/api/v1/limited' })).statusCode).toBe(200);
    }
    await expect(app.rateLimit.checkAuthFailures('ip')).resolves.toBeUndefined();
    await expect(app.rateLimit.recordAuthFailure('ip')).resolves.toBeUndefined();
    await app.close();
  });

  it('still throws for a limit that is not a positive integer (a configuration bug)', async () => {
    const app = await buildTestApp({ keyFor: () => ({ key: 'k', limit: 0 }) });
    const res = await app.inject({ method: 'GET', url: '/api/v1/channels/chn_known' });
    expect(res.statusCode).toBe(500);
    await app.close();
  });
});
