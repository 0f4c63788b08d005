/** /health, /ready, /metrics, the default per-key limit, and counters shared through Redis. */

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisLimiter } from '../../src/ratelimit/redis.ts';
import type { Store } from '../../src/store/index.ts';
import { createWorld, ENV_KEY, problem, type World } from './helpers.ts';

const METRICS_TOKEN = 'metrics-token-0123456789';
let w: World;

beforeAll(async () => {
  w = await createWorld({}, { metricsToken: METRICS_TOKEN, rateLimitPerMinute: 3 });
});

afterAll(async () => {
  await w.close();
});

describe('/health and /ready', () => {
  it('answers /health without a key', async () => {
    const res = await w.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['x-request-id']).toMatch(/^req_/);
  });

  it('answers /ready 200 when the database answers', async () => {
    const res = await w.app.inject({ method: 'GET', url: '/ready' });
    expect(res.json()).toEqual({ status: 'ready' });
  });

  it('answers /ready 503 unavailable when the database does not', async () => {
    const down: Store = { ...w.store, db: { ...w.store.db, ping: async () => false } };
    const other = await createWorld({ store: down });
    try {
      const res = await other.app.inject({ method: 'GET', url: '/ready' });
      expect(res.statusCode).toBe(503);
      expect(problem(res).code).toBe('unavailable');
    } finally {
      await other.close();
    }
  });
});

describe('/metrics', () => {
  const cases: { name: string; headers: Record<string, string>; status: number }[] = [
    { name: 'refuses a scrape without credentials', headers: {}, status: 401 },
    {
      name: 'refuses a wrong metrics token',
      headers: { authorization: 'Bearer metrics-token-wrong!!!!' },
      status: 401,
    },
    { name: 'serves the metrics token', headers: { authorization: `Bearer ${METRICS_TOKEN}` }, status: 200 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const res = await w.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: c.headers,
        remoteAddress: `198.51.100.${c.status}`,
      });
      expect(res.statusCode).toBe(c.status);
    });
  }

  it("serves Prometheus text to the operator's admin key, with request durations by route template", async () => {
    const key = await w.key(w.a.id, ['read']);
    await w.call('GET', '/api/v1/products', key.secret);
    const operator = await w.key('ten_default', ['admin']);
    for (const secret of [ENV_KEY, operator.secret]) {
      const res = await w.app.inject({ method: 'GET', url: '/metrics', headers: { 'x-api-key': secret } });
      expect(res.statusCode).toBe(200);
    }
    const res = await w.app.inject({ method: 'GET', url: '/metrics', headers: { 'x-api-key': ENV_KEY } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain(
      'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/v1/products",status_code="200"}',
    );
    expect(res.body).toContain('# TYPE sellify_decisions_total counter');
    expect(res.body).toContain('# TYPE sellify_engine_refusals_total counter');
  });

  it('refuses a key without any scope', async () => {
    const key = await w.key(w.a.id, []);
    const res = await w.app.inject({ method: 'GET', url: '/metrics', headers: { 'x-api-key': key.secret } });
    expect(problem(res).code).toBe('forbidden');
  });

  it("refuses every tenant's key, admin included: metrics cover the whole platform", async () => {
    const keys = [w.a.read, w.a.write, w.a.admin, w.b.admin, (await w.key('ten_default', ['read'])).secret];
    for (const secret of keys) {
      const res = await w.app.inject({ method: 'GET', url: '/metrics', headers: { 'x-api-key': secret } });
      expect(res.statusCode).toBe(403);
      expect(problem(res).code).toBe('forbidden');
      expect(res.body).not.toContain('http_request_duration_seconds');
    }
  });

  it('without SELLIFY_METRICS_TOKEN, answers only the operator: no Bearer guess gets in', async () => {
    const bare = await createWorld();
    try {
      for (const headers of [
        {},
        { authorization: `Bearer ${METRICS_TOKEN}` },
        { authorization: 'Bearer ' },
      ]) {
        const res = await bare.app.inject({ method: 'GET', url: '/metrics', headers });
        expect(res.statusCode).toBe(401);
      }
      const tenant = await bare.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { 'x-api-key': bare.a.admin },
      });
      expect(tenant.statusCode).toBe(403);
      const operator = await bare.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { 'x-api-key': ENV_KEY },
      });
      expect(operator.statusCode).toBe(200);
    } finally {
      await bare.close();
    }
  });
});

describe('the default per-key limit (SELLIFY_RATE_LIMIT)', () => {
  it('admits the limit and refuses the next request with RateLimit headers', async () => {
    const key = await w.key(w.a.id, ['read']);
    const statuses: number[] = [];
    let last: Awaited<ReturnType<World['call']>> | undefined;
    for (let i = 0; i < 4; i++) {
      last = await w.call('GET', '/api/v1/products', key.secret);
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(last?.headers['ratelimit-policy']).toBe('3;w=60');
    expect(Number(last?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});

const REDIS_URL = process.env.REDIS_URL;

describe.skipIf(REDIS_URL === undefined)('two instances sharing Redis', () => {
  it('admit no more than the limit in total for one key', async () => {
    const prefix = `test:http:${randomUUID()}:`;
    const limiterA = createRedisLimiter(REDIS_URL ?? '', { prefix });
    const limiterB = createRedisLimiter(REDIS_URL ?? '', { prefix });
    const one = await createWorld({ limiter: limiterA }, { rateLimitPerMinute: 7 });
    const two = await createWorld({ limiter: limiterB }, { rateLimitPerMinute: 7 });
    try {
      // SELLIFY_API_KEY is the same key on both instances (its id is `env`), so both count one budget.
      const requests = Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? one : two).app.inject({
          method: 'GET',
          url: '/api/v1/products',
          headers: { 'x-api-key': ENV_KEY },
        }),
      );
      const statuses = (await Promise.all(requests)).map((r) => r.statusCode);
      expect(statuses.filter((s) => s === 200)).toHaveLength(7);
      expect(statuses.filter((s) => s === 429)).toHaveLength(13);
    } finally {
      await one.close();
      await two.close();
      await limiterA.close();
      await limiterB.close();
    }
  });
});
