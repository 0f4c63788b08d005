/**
 * The shared rate limit under contention (skipped unless REDIS_URL is set): four API instances
 * (the real app, built in process, each with its own Redis connection) and 200 concurrent callers
 * per instance, all on ONE API key limited to L requests a minute. Every admitted request (2xx) is
 * recorded with the interval in which the limiter admitted it (from just before the request to
 * just after its answer); no 60-second window may hold more than L of them. The run lasts more than
 * a minute, so windows straddle the first minute's boundary, where a fixed-window counter lets
 * 2 × L through.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createKeyring, generateKey } from '../../src/crypto/keyring.ts';
import { createRng } from '../../src/engines/prng.ts';
import { buildApp } from '../../src/http/app.ts';
import type { Api } from '../../src/http/routes/v1/common.ts';
import { createRedisLimiter } from '../../src/ratelimit/index.ts';
import type { RateLimiter } from '../../src/ratelimit/types.ts';
import { createStore, ensureTenant, openDb, type Store } from '../../src/store/index.ts';
import { sleep } from '../e2e/harness.ts';
import { BASE_SEED, recordResult, sizeOf } from './lib/env.ts';
import { type Admission, maxCertainInWindow, maxPossibleInWindow } from './lib/windows.ts';

const REDIS_URL = process.env.REDIS_URL;
const INSTANCES = 4;
const CALLERS_PER_INSTANCE = 200;
const LIMIT_PER_MINUTE = 500;
const WINDOW_MS = 60_000;
const RUN_MS = sizeOf('RELIABILITY_RATELIMIT_SECONDS', { ci: 65, full: 300 }) * 1000;
const ENV_KEY = `sk_${randomBytes(24).toString('base64url')}`;

describe('window counting helpers', () => {
  it('counts an admission only when its whole interval fits in the window', () => {
    const at = (fromMs: number, toMs = fromMs) => ({ fromMs, toMs });
    expect(maxCertainInWindow([at(0), at(10), at(59_999)], 60_000)).toBe(3);
    expect(maxCertainInWindow([at(0), at(10), at(60_000)], 60_000)).toBe(2);
    expect(maxCertainInWindow([at(0, 5), at(59_990, 60_010)], 60_000)).toBe(1);
  });
});

describe.skipIf(!REDIS_URL)(
  `rate limit through Redis: ${INSTANCES} instances × ${CALLERS_PER_INSTANCE} callers on one key, limit ${LIMIT_PER_MINUTE}/min`,
  () => {
    let store: Store;
    const limiters: RateLimiter[] = [];
    const apps: Api[] = [];
    const prefix = `sellify:rel:${randomBytes(6).toString('hex')}:`;

    beforeAll(async () => {
      const db = await openDb({ dataDir: '', memory: true });
      await ensureTenant(db, { id: 'ten_default', name: 'Default' });
      store = createStore(db, createKeyring(generateKey()));
      const config = { ...loadConfig({}), apiKey: ENV_KEY, rateLimitPerMinute: LIMIT_PER_MINUTE };
      for (let i = 0; i < INSTANCES; i++) {
        // One Redis connection per instance, as separate processes would have; a prefix of its own
        // keeps this run apart from anything else using the same Redis.
        const limiter = createRedisLimiter(REDIS_URL!, { prefix });
        limiters.push(limiter);
        apps.push(
          await buildApp({ config, store, limiter, collectDefaultMetrics: false, version: '0.0.0-rel' }),
        );
      }
    });

    afterAll(async () => {
      for (const app of apps) await app.close();
      for (const limiter of limiters) await limiter.close();
      await store?.close();
    });

    it(`admits at most ${LIMIT_PER_MINUTE} requests in every trailing minute of a ${RUN_MS / 1000} s run`, {
      timeout: RUN_MS + 120_000,
    }, async () => {
      const admissions: Admission[] = [];
      const counts = { total: 0, admitted: 0, limited: 0, other: 0, limiterErrors: 0 };
      const statuses = new Map<number, number>();
      const endAt = Date.now() + RUN_MS;
      const callers: Promise<void>[] = [];
      for (const [instance, app] of apps.entries()) {
        for (let c = 0; c < CALLERS_PER_INSTANCE; c++) {
          const rng = createRng(BASE_SEED, 'ratelimit', instance, c);
          callers.push(
            (async () => {
              // Callers start spread over the first second, then pause 0.5–1.5 s between requests.
              await sleep(rng.int(0, 1000));
              while (Date.now() < endAt) {
                const fromMs = Date.now();
                const res = await app.inject({
                  method: 'POST',
                  url: '/api/v1/validate',
                  headers: { 'x-api-key': ENV_KEY, 'content-type': 'application/json' },
                  payload: { text: 'Bonjour, le sac noir est à 15 000 FCFA.' },
                });
                const toMs = Date.now();
                counts.total++;
                statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
                if (res.statusCode >= 200 && res.statusCode < 300) {
                  counts.admitted++;
                  admissions.push({ fromMs, toMs });
                  // A 2xx without RateLimit headers means the limiter failed and let it through.
                  if (res.headers['ratelimit-limit'] === undefined) counts.limiterErrors++;
                } else if (res.statusCode === 429) counts.limited++;
                else counts.other++;
                await sleep(rng.int(500, 1500));
              }
            })(),
          );
        }
      }
      await Promise.all(callers);

      const certain = maxCertainInWindow(admissions, WINDOW_MS);
      const possible = maxPossibleInWindow(admissions, WINDOW_MS);
      const widestMs = Math.max(...admissions.map((a) => a.toMs - a.fromMs));
      recordResult('ratelimit-redis', {
        instances: INSTANCES,
        callers: INSTANCES * CALLERS_PER_INSTANCE,
        limitPerMinute: LIMIT_PER_MINUTE,
        runSeconds: RUN_MS / 1000,
        ...counts,
        statuses: Object.fromEntries(statuses),
        maxAdmittedInAWindow: certain,
        maxPossiblyInAWindow: possible,
        widestAdmissionIntervalMs: widestMs,
      });
      expect(counts.other).toBe(0);
      expect(counts.limiterErrors).toBe(0);
      expect(counts.limited).toBeGreaterThan(0);
      expect(certain).toBeLessThanOrEqual(LIMIT_PER_MINUTE);
      // The limiter is exact, not merely safe: the first minute uses the whole budget.
      expect(possible).toBeGreaterThanOrEqual(LIMIT_PER_MINUTE);
      // More than one window's worth went through over the run, so windows were really tested.
      expect(counts.admitted).toBeGreaterThan(LIMIT_PER_MINUTE);
    });
  },
);
