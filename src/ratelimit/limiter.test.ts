import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createLimiter } from './index.ts';
import { createMemoryLimiter } from './memory.ts';
import { createRedisLimiter } from './redis.ts';
import type { RateDecision, RateLimiter } from './types.ts';

const REDIS_URL = process.env.REDIS_URL;

/** Each suite gives two limiters sharing state (for memory, the same instance twice). */
interface Suite {
  name: string;
  make: () => [RateLimiter, RateLimiter];
}

const opened: RateLimiter[] = [];
function track<T extends RateLimiter>(limiter: T): T {
  opened.push(limiter);
  return limiter;
}
afterAll(async () => {
  await Promise.all(opened.map((l) => l.close()));
});

const suites: Suite[] = [
  {
    name: 'memory',
    make: () => {
      const l = track(createMemoryLimiter());
      return [l, l];
    },
  },
];
if (REDIS_URL !== undefined) {
  suites.push({
    name: 'redis (two connections sharing keys)',
    make: () => [
      track(createRedisLimiter(REDIS_URL, { prefix: 'test:rl:' })),
      track(createRedisLimiter(REDIS_URL, { prefix: 'test:rl:' })),
    ],
  });
}

type Step = { atMs: number; limit?: number; peek?: boolean; want: Partial<RateDecision> };
interface Case {
  name: string;
  limit: number;
  windowMs: number;
  steps: Step[];
}

const T0 = 1_700_000_000_000;
const cases: Case[] = [
  {
    name: 'admits exactly `limit` hits at one instant, then refuses',
    limit: 3,
    windowMs: 1000,
    steps: [
      { atMs: T0, want: { allowed: true, remaining: 2, resetMs: 1000 } },
      { atMs: T0, want: { allowed: true, remaining: 1 } },
      { atMs: T0, want: { allowed: true, remaining: 0 } },
      { atMs: T0, want: { allowed: false, remaining: 0, retryAfterMs: 1000, resetMs: 1000 } },
    ],
  },
  {
    name: 'refuses until the oldest hit leaves the window and admits exactly when it does',
    limit: 2,
    windowMs: 1000,
    steps: [
      { atMs: T0, want: { allowed: true } },
      { atMs: T0 + 400, want: { allowed: true, remaining: 0, resetMs: 600 } },
      { atMs: T0 + 999, want: { allowed: false, retryAfterMs: 1 } },
      { atMs: T0 + 1000, want: { allowed: true, remaining: 0, resetMs: 400 } },
      { atMs: T0 + 1001, want: { allowed: false, retryAfterMs: 399 } },
      { atMs: T0 + 1400, want: { allowed: true } },
    ],
  },
  {
    name: 'refuses the boundary burst a fixed window would admit (never 2× the limit)',
    limit: 3,
    windowMs: 1000,
    steps: [
      { atMs: T0 + 999, want: { allowed: true } },
      { atMs: T0 + 999, want: { allowed: true } },
      { atMs: T0 + 999, want: { allowed: true } },
      { atMs: T0 + 1000, want: { allowed: false, retryAfterMs: 999 } },
      { atMs: T0 + 1001, want: { allowed: false, retryAfterMs: 998 } },
      { atMs: T0 + 1999, want: { allowed: true, remaining: 2 } },
    ],
  },
  {
    name: 'waits for enough hits to expire when the limit was lowered',
    limit: 4,
    windowMs: 1000,
    steps: [
      { atMs: T0, want: { allowed: true } },
      { atMs: T0 + 100, want: { allowed: true } },
      { atMs: T0 + 200, want: { allowed: true } },
      { atMs: T0 + 300, want: { allowed: true } },
      // 4 hits in the window, new limit 2: the 3rd oldest (T0 + 200) must expire first.
      { atMs: T0 + 500, limit: 2, want: { allowed: false, remaining: 0, retryAfterMs: 700 } },
      { atMs: T0 + 1199, limit: 2, want: { allowed: false, retryAfterMs: 1 } },
      { atMs: T0 + 1200, limit: 2, want: { allowed: true, remaining: 0 } },
    ],
  },
  {
    name: 'peek reports the next decision without counting a hit',
    limit: 1,
    windowMs: 1000,
    steps: [
      { atMs: T0, peek: true, want: { allowed: true, remaining: 1, resetMs: 0, retryAfterMs: 0 } },
      { atMs: T0, peek: true, want: { allowed: true, remaining: 1 } },
      { atMs: T0 + 10, want: { allowed: true, remaining: 0 } },
      { atMs: T0 + 20, peek: true, want: { allowed: false, remaining: 0, retryAfterMs: 990 } },
      { atMs: T0 + 1010, peek: true, want: { allowed: true, remaining: 1 } },
    ],
  },
  {
    name: 'counts a hit stamped before the newest one at the newest (a clock going back admits nothing extra)',
    limit: 2,
    windowMs: 1000,
    steps: [
      { atMs: T0 + 5000, want: { allowed: true } },
      { atMs: T0, want: { allowed: true, remaining: 0, resetMs: 1000 } },
      { atMs: T0 + 10, want: { allowed: false, retryAfterMs: 1000 } },
      { atMs: T0 + 6000, want: { allowed: true } },
    ],
  },
];

for (const suite of suites) {
  describe(`rate limiter: ${suite.name}`, () => {
    for (const c of cases) {
      it(c.name, async () => {
        const [a, b] = suite.make();
        const key = `case:${randomUUID()}`;
        for (const [i, step] of c.steps.entries()) {
          const limiter = i % 2 === 0 ? a : b;
          const limit = step.limit ?? c.limit;
          const got = step.peek
            ? await limiter.peek(key, limit, c.windowMs, step.atMs)
            : await limiter.hit(key, limit, c.windowMs, step.atMs);
          expect({ step: i, ...got }).toMatchObject({ step: i, ...step.want });
        }
      });
    }

    it('keeps keys independent', async () => {
      const [a] = suite.make();
      const k1 = `k1:${randomUUID()}`;
      const k2 = `k2:${randomUUID()}`;
      expect((await a.hit(k1, 1, 1000, T0)).allowed).toBe(true);
      expect((await a.hit(k1, 1, 1000, T0)).allowed).toBe(false);
      expect((await a.hit(k2, 1, 1000, T0)).allowed).toBe(true);
    });

    it('throws RangeError for a limit below 1 or a window below 1 ms (broken invariants)', async () => {
      const [a] = suite.make();
      await expect(a.hit('x', 0, 1000, T0)).rejects.toThrow(RangeError);
      await expect(a.hit('x', 1.5, 1000, T0)).rejects.toThrow(RangeError);
      await expect(a.hit('x', 1, 0, T0)).rejects.toThrow(RangeError);
      await expect(a.hit('x', 1, 1000, Number.NaN)).rejects.toThrow(RangeError);
    });

    it('property: never more than `limit` admitted in any trailing window, and never refuses while there is room', async () => {
      const [a, b] = suite.make();
      const arrivals = fc.record({
        limit: fc.integer({ min: 1, max: 6 }),
        windowMs: fc.integer({ min: 1, max: 500 }),
        // Many zero gaps: bursts in one millisecond are where a naive limiter miscounts.
        gapsMs: fc.array(
          fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 700 })),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        onB: fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
      });
      await fc.assert(
        fc.asyncProperty(arrivals, async ({ limit, windowMs, gapsMs, onB }) => {
          const key = `prop:${randomUUID()}`;
          const admitted: number[] = [];
          let t = T0;
          for (const [i, gap] of gapsMs.entries()) {
            t += gap;
            const limiter = onB[i] ? b : a;
            const got = await limiter.hit(key, limit, windowMs, t);
            // Reference: the admitted hits in (t - windowMs, t] before this one.
            const inWindow = admitted.filter((x) => x > t - windowMs);
            if (inWindow.length < limit) {
              expect(got).toMatchObject({
                allowed: true,
                remaining: limit - inWindow.length - 1,
                retryAfterMs: 0,
              });
              expect(got.resetMs).toBe((inWindow[0] ?? t) + windowMs - t);
              admitted.push(t);
            } else {
              const pivot = inWindow[inWindow.length - limit] ?? Number.NaN;
              expect(got).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: pivot + windowMs - t });
            }
          }
          // Safety, checked directly: the busiest trailing window ends at an admitted hit.
          for (const end of admitted) {
            expect(admitted.filter((x) => x > end - windowMs && x <= end).length).toBeLessThanOrEqual(limit);
          }
        }),
        { numRuns: suite.name === 'memory' ? 400 : 120 },
      );
    });

    it('Retry-After is exact: refused 1 ms before it elapses, admitted when it has', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 2, max: 10_000 }),
          fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 12 }),
          async (limit, windowMs, gapsMs) => {
            const [a, b] = suite.make();
            const key = `retry:${randomUUID()}`;
            let t = T0;
            for (const gap of gapsMs) {
              t += gap;
              await a.hit(key, limit, windowMs, t);
            }
            // Fill the window, then check the refusal's promise.
            let got = await a.hit(key, limit, windowMs, t);
            while (got.allowed) got = await a.hit(key, limit, windowMs, t);
            const retryAtMs = t + got.retryAfterMs;
            expect(got.retryAfterMs).toBeGreaterThanOrEqual(1);
            expect(got.retryAfterMs).toBeLessThanOrEqual(windowMs);
            expect((await b.peek(key, limit, windowMs, retryAtMs - 1)).allowed).toBe(false);
            expect((await b.hit(key, limit, windowMs, retryAtMs)).allowed).toBe(true);
          },
        ),
        { numRuns: suite.name === 'memory' ? 200 : 60 },
      );
    });
  });
}

describe('memory limiter bounds', () => {
  it('holds at most maxKeys keys, dropping the least recently used', async () => {
    const limiter = track(createMemoryLimiter({ maxKeys: 3 }));
    for (let i = 0; i < 10; i++) await limiter.hit(`k${i}`, 5, 60_000, T0 + i);
    expect(limiter.size).toBe(3);
    // k9 was used last and still holds its hit.
    expect((await limiter.peek('k9', 1, 60_000, T0 + 10)).allowed).toBe(false);
  });

  it('sweeps idle keys as new hits arrive, so expired keys do not accumulate', async () => {
    const limiter = track(createMemoryLimiter());
    for (let i = 0; i < 100; i++) await limiter.hit(`idle${i}`, 1, 1000, T0);
    // Each later hit sweeps up to two idle keys.
    for (let i = 0; i < 60; i++) await limiter.hit('busy', 1000, 1000, T0 + 5000 + i);
    expect(limiter.size).toBe(1);
  });

  it('peek does not create keys', async () => {
    const limiter = track(createMemoryLimiter());
    await limiter.peek('ghost', 1, 1000, T0);
    expect(limiter.size).toBe(0);
  });

  it('rejects a maxKeys below 1', () => {
    expect(() => createMemoryLimiter({ maxKeys: 0 })).toThrow(RangeError);
  });
});

describe('createLimiter', () => {
  it('gives an in-memory limiter when no Redis URL is configured', async () => {
    const limiter = track(createLimiter({}));
    expect('size' in limiter).toBe(true);
  });
});

describe.skipIf(REDIS_URL === undefined)('redis limiter on the Redis clock', () => {
  it('admits exactly `limit` of many concurrent hits from two instances (the script is atomic)', async () => {
    const a = track(createRedisLimiter(REDIS_URL ?? '', { prefix: 'test:rl:' }));
    const b = track(createRedisLimiter(REDIS_URL ?? '', { prefix: 'test:rl:' }));
    const key = `race:${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a : b).hit(key, 10, 60_000)),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    for (const r of results.filter((x) => !x.allowed)) {
      expect(r.retryAfterMs).toBeGreaterThanOrEqual(1);
      expect(r.retryAfterMs).toBeLessThanOrEqual(60_000);
    }
  });

  it('expires the key one window after its newest hit', async () => {
    const a = track(createRedisLimiter(REDIS_URL ?? '', { prefix: 'test:rl:' }));
    const key = `ttl:${randomUUID()}`;
    await a.hit(key, 5, 30_000);
    const { Redis } = await import('ioredis');
    const probe = new Redis(REDIS_URL ?? '');
    try {
      const ttl = await probe.pttl(`test:rl:${key}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(30_000);
    } finally {
      probe.disconnect();
    }
  });

  it('fails the decision (does not hang) when Redis is unreachable', async () => {
    const dead = track(createRedisLimiter('redis://127.0.0.1:1', { commandTimeoutMs: 200 }));
    await expect(dead.hit('x', 1, 1000)).rejects.toThrow();
  });
});
