import { fastify } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRealApp, OPEN_TIMEOUT_MS, type RealApp, sharedStore } from '../../../test/support/app.ts';
import { createMemoryLimiter } from '../../ratelimit/memory.ts';
import type { RateDecision, RateLimiter } from '../../ratelimit/types.ts';
import { rateLimitHeaders, rateLimitPlugin } from './rate-limit.ts';

// Opens the shared in-memory database once, under the hook time-out.
beforeAll(async () => {
  await sharedStore();
}, OPEN_TIMEOUT_MS);

/** What the webhook routes get back when no event was processed. */
const NOTHING = {
  messages: 0,
  duplicates: 0,
  statuses: 0,
  health: 0,
  ignored: 0,
  failed: 0,
  failedEventIds: [],
};

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
      const { app, auth, close } = await buildRealApp({
        // Failed-authentication counting has its own limiter: the key is valid, only its budget is spent.
        authFailureLimiter: createMemoryLimiter(),
        limiter: fixedLimiter({
          allowed: false,
          limit: 2,
          remaining: 0,
          resetMs: c.retryAfterMs,
          retryAfterMs: c.retryAfterMs,
        }),
      });
      const res = await app.inject({ method: 'GET', url: '/api/v1/products', headers: auth });
      expect(res.statusCode).toBe(429);
      expect(res.json().code).toBe('rate_limited');
      expect(res.headers['retry-after']).toBe(c.want);
      expect(res.headers['ratelimit-remaining']).toBe('0');
      await close();
    });
  }
});

describe('rateLimitPlugin through inject (the real app)', () => {
  let real: RealApp;
  beforeAll(async () => {
    real = await buildRealApp({
      limiter: createMemoryLimiter(),
      config: { rateLimitPerMinute: 2, webhookRateLimitPerMinute: 3 },
      webhooks: { processEvents: async () => NOTHING },
    });
  }, OPEN_TIMEOUT_MS);
  afterAll(() => real.close());

  it('admits the per-key budget, then answers 429 rate_limited with Retry-After', async () => {
    const get = () => real.app.inject({ method: 'GET', url: '/api/v1/products', headers: real.auth });
    const first = await get();
    const second = await get();
    const third = await get();
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

  it('limits webhooks per client address before the body is read', async () => {
    const send = (ip: string) =>
      real.app.inject({
        method: 'POST',
        url: '/webhooks/whatsapp',
        remoteAddress: ip,
        payload: '{"object":"whatsapp_business_account","entry":[]}',
        headers: { 'content-type': 'application/json' },
      });
    const responses = [];
    for (let i = 0; i < 4; i++) responses.push(await send('203.0.113.7'));
    expect(responses.slice(0, 3).map((r) => r.statusCode)).not.toContain(429);
    const refused = responses[3];
    expect(refused?.statusCode).toBe(429);
    expect(refused?.json()).toMatchObject({
      code: 'rate_limited',
      requestId: refused?.headers['x-request-id'],
    });
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Another address has its own window.
    expect((await send('203.0.113.8')).statusCode).not.toBe(429);
  });

  it('never limits /health', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await real.app.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['ratelimit-limit']).toBeUndefined();
    }
  });
});

describe('failed authentication limit', () => {
  it('answers auth_rate_limited with Retry-After after 20 failures a minute from one IP, and not for others', async () => {
    const { app, close } = await buildRealApp();
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
    await close();
  });

  it('checking does not count as a failure', async () => {
    const { app, close } = await buildRealApp();
    for (let i = 0; i < 100; i++) await app.rateLimit.checkAuthFailures('198.51.100.3');
    await expect(app.rateLimit.checkAuthFailures('198.51.100.3')).resolves.toBeUndefined();
    await close();
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
    const { app, auth, close } = await buildRealApp({
      limiter: failingLimiter,
      config: { rateLimitPerMinute: 1 },
    });
    for (let i = 0; i < 3; i++) {
      expect((await app.inject({ method: 'GET', url: '/api/v1/products', headers: auth })).statusCode).toBe(
        200,
      );
    }
    await expect(app.rateLimit.checkAuthFailures('ip')).resolves.toBeUndefined();
    await expect(app.rateLimit.recordAuthFailure('ip')).resolves.toBeUndefined();
    await close();
  });

  it('still throws for a limit that is not a positive integer (a configuration bug)', async () => {
    const { app, close } = await buildRealApp({
      config: { webhookRateLimitPerMinute: 0 },
      webhooks: { processEvents: async () => NOTHING },
    });
    const res = await app.inject({ method: 'POST', url: '/webhooks/whatsapp', payload: {} });
    expect(res.statusCode).toBe(500);
    await close();
  });
});
