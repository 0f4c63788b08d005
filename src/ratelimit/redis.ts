/**
 * Sliding window log shared through Redis, so every API instance counts against the same window.
 * Per key, a sorted set of admitted hits (score = millisecond timestamp); each decision is ONE Lua
 * script, which Redis runs atomically, so two instances racing on a key can never both take the
 * last slot.
 *
 * Clock: by default the script reads the Redis server's TIME, so all instances share one clock and
 * their own clock skew cannot let extra hits through or refuse early. Callers may pass `nowMs` (tests
 * drive time this way); several instances passing their own clocks would make the window only as
 * exact as their clocks agree. Either way a timestamp older than the newest entry is counted at the
 * newest, so the log stays sorted and the guarantee holds on the limiter's own timeline.
 */

import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { assertLimits, decision, type RateDecision, type RateLimiter } from './types.ts';

export interface RedisLimiterOptions {
  /** Prepended to every key. Default `sellify:rl:`. */
  prefix?: string;
  /**
   * How long a decision may wait for Redis before failing, in ms. Default 500. The HTTP plugin lets
   * the request through when the limiter fails, so a Redis outage slows nothing down for long.
   */
  commandTimeoutMs?: number;
  /** Told about connection errors (they also fail the decisions that hit them). Default: ignored. */
  onError?: (err: Error) => void;
}

/**
 * KEYS[1] the key's sorted set. ARGV: limit, windowMs, nowMs ('' = Redis TIME), a unique member
 * for this hit, consume ('1' counts the hit, '0' only looks), and the key's TTL in ms.
 * Returns {allowed (0/1), count in window, pivot score or -1, now}.
 */
export const SLIDING_WINDOW_LUA = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local now
if ARGV[3] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
else
  now = tonumber(ARGV[3])
end
local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
if newest[2] then
  local n = tonumber(newest[2])
  if n > now then now = n end
end
redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%.0f', now - window))
local count = redis.call('ZCARD', key)
local allowed = 0
if count < limit then
  allowed = 1
  if ARGV[5] == '1' then
    redis.call('ZADD', key, string.format('%.0f', now), ARGV[4])
    count = count + 1
    redis.call('PEXPIRE', key, ARGV[6])
  end
end
local pivot = 0
if allowed == 0 then pivot = count - limit end
local edge = redis.call('ZRANGE', key, pivot, pivot, 'WITHSCORES')
local edgeScore = -1
if edge[2] then edgeScore = tonumber(edge[2]) end
return {allowed, count, edgeScore, now}
`;

const SCRIPT_SHA = createHash('sha1').update(SLIDING_WINDOW_LUA).digest('hex');

/**
 * With Redis's clock the key lives exactly one window after its newest hit. With a caller's clock
 * the TTL still runs on Redis's clock, which need not advance with the caller's, so the key is kept
 * for at least a minute to outlive the caller's notion of the window.
 */
const CALLER_CLOCK_MIN_TTL_MS = 60_000;

export function createRedisLimiter(redisUrl: string, options?: RedisLimiterOptions): RateLimiter {
  const prefix = options?.prefix ?? 'sellify:rl:';
  const redis = new Redis(redisUrl, {
    // Fail fast rather than queue a decision for seconds behind a reconnect.
    maxRetriesPerRequest: 1,
    commandTimeout: options?.commandTimeoutMs ?? 500,
    enableAutoPipelining: true,
  });
  // Connection errors also fail each command; without a listener ioredis would print them to stderr.
  redis.on('error', (err: Error) => options?.onError?.(err));
  // Members must be unique per hit: two hits in the same millisecond are two entries.
  const instance = randomBytes(6).toString('hex');
  let seq = 0;

  async function run(args: (string | number)[], key: string): Promise<unknown> {
    try {
      return await redis.evalsha(SCRIPT_SHA, 1, key, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return await redis.eval(SLIDING_WINDOW_LUA, 1, key, ...args);
    }
  }

  async function evaluate(
    key: string,
    limit: number,
    windowMs: number,
    nowMs: number | undefined,
    consume: boolean,
  ): Promise<RateDecision> {
    assertLimits(limit, windowMs, nowMs);
    const now = nowMs === undefined ? '' : String(Math.floor(nowMs));
    const ttlMs = nowMs === undefined ? windowMs : Math.max(windowMs, CALLER_CLOCK_MIN_TTL_MS);
    const member = `${instance}:${(seq++).toString(36)}`;
    const reply = await run([limit, windowMs, now, member, consume ? '1' : '0', ttlMs], prefix + key);
    if (!Array.isArray(reply) || reply.length !== 4 || !reply.every((v) => typeof v === 'number')) {
      throw new Error(`unexpected reply from the rate limit script: ${JSON.stringify(reply)}`);
    }
    const [allowed, count, pivot, scriptNowMs] = reply as [number, number, number, number];
    return decision(allowed === 1, limit, count, pivot < 0 ? undefined : pivot, windowMs, scriptNowMs);
  }

  return {
    hit: (key, limit, windowMs, nowMs) => evaluate(key, limit, windowMs, nowMs, true),
    peek: (key, limit, windowMs, nowMs) => evaluate(key, limit, windowMs, nowMs, false),
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
