/**
 * The cost of the HTTP platform: the rate limiters per decision, and a request through every
 * platform plugin of the real app (in-memory database) against a bare Fastify app, each next to a baseline measured in the same run.
 * Redis figures appear only when REDIS_URL is set.
 */
import { randomUUID } from 'node:crypto';
import { fastify } from 'fastify';
import { createMemoryLimiter } from '../src/ratelimit/memory.ts';
import { createRedisLimiter } from '../src/ratelimit/redis.ts';
import { buildRealApp } from '../test/support/app.ts';
import { formatTable, type Measurement, measure } from './lib.ts';

export async function run(): Promise<string> {
  const out: string[] = [];

  const keys = Array.from({ length: 1000 }, (_, i) => `key:${i}`);
  const map = new Map<string, number>();
  const mapBaseline = await measure('baseline: Map get+set of a counter', 200_000, (i) => {
    const k = keys[i % keys.length] ?? '';
    map.set(k, (map.get(k) ?? 0) + 1);
  });
  const memory = createMemoryLimiter();
  const rows: Measurement[] = [
    mapBaseline,
    await measure('memory limiter hit (1000 keys, limit 100/min)', 200_000, (i) =>
      memory.hit(keys[i % keys.length] ?? '', 100, 60_000),
    ),
  ];
  const redisUrl = process.env.REDIS_URL;
  if (redisUrl !== undefined) {
    const redis = createRedisLimiter(redisUrl, { prefix: `bench:${randomUUID()}:` });
    rows.push(
      await measure('redis limiter hit, sequential (one round trip each)', 5_000, (i) =>
        redis.hit(keys[i % keys.length] ?? '', 100, 60_000),
      ),
    );
    await redis.close();
  }
  out.push(formatTable(rows, mapBaseline));

  const bare = fastify({ logger: false });
  bare.get('/health', async () => ({ ok: true }));
  await bare.ready();
  const real = await buildRealApp({ config: { rateLimitPerMinute: 1_000_000_000 } });
  const full = real.app;
  const bareRow = await measure('baseline: bare Fastify inject GET /health', 20_000, () =>
    bare.inject({ method: 'GET', url: '/health' }),
  );
  const apiRows = [
    bareRow,
    await measure('all platform plugins, GET /health (exempt from limits)', 20_000, () =>
      full.inject({ method: 'GET', url: '/health' }),
    ),
    await measure(
      'all platform plugins, GET /api route (authenticated, rate limited, 404 problem)',
      20_000,
      () => full.inject({ method: 'GET', url: '/api/v1/products/prd_other', headers: real.auth }),
    ),
  ];
  out.push(formatTable(apiRows, bareRow));
  await Promise.all([bare.close(), real.close()]);
  return out.join('\n\n');
}
