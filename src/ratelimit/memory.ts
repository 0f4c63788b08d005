/**
 * In-process sliding window log. Per key, the timestamps of admitted hits in a sorted queue of at
 * most `limit` live entries; a hit is admitted when fewer than `limit` entries are younger than
 * `windowMs`. Memory is bounded: keys whose entries have all expired are swept as new hits arrive,
 * and beyond `maxKeys` the least recently used key is dropped (losing its history, which can only
 * let that key through early, so maxKeys should sit well above the number of active keys).
 */

import { assertLimits, decision, type RateDecision, type RateLimiter } from './types.ts';

export interface MemoryLimiter extends RateLimiter {
  /** Number of keys currently held (for tests and metrics). */
  readonly size: number;
}

export const DEFAULT_MAX_KEYS = 100_000;
/** Idle keys examined per hit; a small constant keeps each hit O(1) amortized. */
const SWEEP_PER_HIT = 2;

interface Log {
  /** Admitted timestamps, ascending; live entries are times[head..]. */
  times: number[];
  head: number;
  windowMs: number;
}

export function createMemoryLimiter(options?: { maxKeys?: number }): MemoryLimiter {
  const maxKeys = options?.maxKeys ?? DEFAULT_MAX_KEYS;
  if (!Number.isInteger(maxKeys) || maxKeys < 1)
    throw new RangeError(`maxKeys must be an integer >= 1, got ${maxKeys}`);
  // A Map iterates in insertion order; re-inserting a key on every hit makes that order LRU.
  const logs = new Map<string, Log>();

  function expire(log: Log, nowMs: number): void {
    const cutoff = nowMs - log.windowMs;
    while (log.head < log.times.length && (log.times[log.head] ?? 0) <= cutoff) log.head++;
    // Compact once the dead prefix dominates, so the array never grows past about twice the limit.
    if (log.head > 16 && log.head * 2 > log.times.length) {
      log.times = log.times.slice(log.head);
      log.head = 0;
    }
  }

  /** The clock never runs backwards within a key: a hit older than the newest entry counts at the newest. */
  function clamp(log: Log, nowMs: number): number {
    const newest = log.times[log.times.length - 1];
    return newest !== undefined && newest > nowMs ? newest : nowMs;
  }

  function sweep(nowMs: number): void {
    let examined = 0;
    for (const [key, log] of logs) {
      if (examined++ >= SWEEP_PER_HIT) break;
      const newest = log.times[log.times.length - 1];
      if (newest !== undefined && newest > nowMs - log.windowMs) break;
      logs.delete(key);
    }
    while (logs.size > maxKeys) {
      const oldest = logs.keys().next();
      if (oldest.done) break;
      logs.delete(oldest.value);
    }
  }

  function evaluate(
    key: string,
    limit: number,
    windowMs: number,
    nowMs: number,
    consume: boolean,
  ): RateDecision {
    assertLimits(limit, windowMs, nowMs);
    let log = logs.get(key);
    if (log === undefined) {
      if (!consume) return decision(true, limit, 0, undefined, windowMs, nowMs);
      log = { times: [], head: 0, windowMs };
    } else if (consume) {
      logs.delete(key);
    }
    log.windowMs = windowMs;
    const now = clamp(log, nowMs);
    expire(log, now);
    let count = log.times.length - log.head;
    const allowed = count < limit;
    if (allowed && consume) {
      log.times.push(now);
      count++;
    }
    if (consume) {
      logs.set(key, log);
      sweep(now);
    }
    const pivot = log.times[log.head + (allowed ? 0 : count - limit)];
    return decision(allowed, limit, count, pivot, windowMs, now);
  }

  return {
    get size() {
      return logs.size;
    },
    async hit(key, limit, windowMs, nowMs = Date.now()) {
      return evaluate(key, limit, windowMs, nowMs, true);
    },
    async peek(key, limit, windowMs, nowMs = Date.now()) {
      return evaluate(key, limit, windowMs, nowMs, false);
    },
    async close() {
      logs.clear();
    },
  };
}
