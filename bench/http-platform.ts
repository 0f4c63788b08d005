/**
 * The cost of the HTTP platform: the rate limiters per decision, and a request through every
 * platform plugin against a bare Fastify app, each next to a baseline measured in the same run.
 * Redis figures appear only when REDIS_URL is set.
 */
import { randomUUID } from 'node:crypto';
import { fastify } from 'fastify';
import { buildTestApp } from '../src/http/plugins/testApp.ts';
import { createMemoryLimiter } from '../src/ratelimit/memory.ts';
import { createRedisLimiter } from '../src/ratelimit/redis.ts';
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
  const full = await buildTestApp({ keyFor: () => ({ key: 'bench', limit: 1_000_000_000 }) });
  const bareRow = await measure('baseline: bare Fastify inject GET /health', 20_000, () =>
    bare.inject({ method: 'GET', url: '/health' }),
  );
  const apiRows = [
    bareRow,
    await measure('all platform plugins, GET /health (exempt from limits)', 20_000, () =>
      full.inject({ method: 'GET', url: '/health' }),
    ),
    await measure('all platform plugins, GET /api route (rate limited, 404 problem)', 20_000, () =>
      full.inject({ method: 'GET', url: '/api/v1/channels/chn_other' }),
    ),
  ];
  out.push(formatTable(apiRows, bareRow));
  await Promise.all([bare.close(), full.close()]);
  return out.join('\n\n');
}
