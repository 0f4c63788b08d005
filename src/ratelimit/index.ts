/** Rate limiting for the HTTP API: one exact sliding-window contract, in memory or shared through Redis. */

import { createMemoryLimiter } from './memory.ts';
import { createRedisLimiter } from './redis.ts';
import type { RateLimiter } from './types.ts';

export { createMemoryLimiter, DEFAULT_MAX_KEYS, type MemoryLimiter } from './memory.ts';
export { createRedisLimiter, type RedisLimiterOptions, SLIDING_WINDOW_LUA } from './redis.ts';
export type { RateDecision, RateLimiter } from './types.ts';

/** Redis when a URL is given (counters shared by every instance), else in-process memory. */
export function createLimiter(options: { redisUrl?: string }): RateLimiter {
  return options.redisUrl ? createRedisLimiter(options.redisUrl) : createMemoryLimiter();
}
