/**
 * The rate limiter contract. Guarantee: in ANY trailing window of `windowMs` (the half-open
 * interval (t - windowMs, t] for every t), at most `limit` hits of a key are admitted, and a hit is
 * admitted whenever fewer than `limit` were admitted in the window ending at that hit. This is a
 * sliding window log: exact, not the ~2× burst a fixed window or GCRA allows at a boundary.
 */

export interface RateDecision {
  /** True when this hit was admitted (for `peek`: when a hit now would be admitted). */
  allowed: boolean;
  limit: number;
  /** Hits still admissible in the current window after this one. */
  remaining: number;
  /** Milliseconds until the window frees one slot (0 when the window is empty). */
  resetMs: number;
  /** Milliseconds until a hit would be admitted; 0 when allowed. */
  retryAfterMs: number;
}

export interface RateLimiter {
  /**
   * Counts one hit of `key` if the window has room. `nowMs` overrides the clock, for tests; in
   * production leave it out (the Redis limiter then uses the Redis server's clock, shared by all
   * instances). Throws RangeError for a limit below 1 or a window below 1 ms.
   */
  hit(key: string, limit: number, windowMs: number, nowMs?: number): Promise<RateDecision>;
  /**
   * The decision a hit would get, without counting one. Failed authentications are counted with
   * `hit` and checked with `peek`, because asking "is this address blocked?" must not itself count.
   */
  peek(key: string, limit: number, windowMs: number, nowMs?: number): Promise<RateDecision>;
  close(): Promise<void>;
}

export function assertLimits(limit: number, windowMs: number, nowMs?: number): void {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`rate limit must be an integer >= 1, got ${limit}`);
  if (!Number.isInteger(windowMs) || windowMs < 1) {
    throw new RangeError(`rate limit windowMs must be an integer >= 1, got ${windowMs}`);
  }
  if (nowMs !== undefined && !Number.isFinite(nowMs))
    throw new RangeError(`nowMs must be finite, got ${nowMs}`);
}

/**
 * Builds the decision from the window's state after the hit. `count` is the number of admitted
 * hits now in the window; `pivotMs` is the timestamp whose expiry frees the next slot: the oldest
 * entry when there is room, else the entry at index count - limit (the oldest, unless the limit
 * was lowered since those hits were admitted).
 */
export function decision(
  allowed: boolean,
  limit: number,
  count: number,
  pivotMs: number | undefined,
  windowMs: number,
  nowMs: number,
): RateDecision {
  const resetMs = pivotMs === undefined ? 0 : Math.max(0, pivotMs + windowMs - nowMs);
  return {
    allowed,
    limit,
    remaining: Math.max(0, limit - count),
    resetMs,
    // A refused hit fits again once the pivot entry expires (at least 1 ms, so a refusal never says 0).
    retryAfterMs: allowed ? 0 : Math.max(1, resetMs),
  };
}
