/**
 * Request rate limits on top of src/ratelimit (an exact sliding window: never more than the limit
 * in any trailing minute). Two ways in:
 *
 * - `keyFor(req)`, run on every request before the body is read: limits that need no
 *   authentication (per IP on webhooks, for example). Returning null leaves the request alone.
 * - `enforceRateLimit(req, reply, key, limitPerMinute)`, called by the auth hook once it knows the
 *   API key, for the per-key limit (default 100/min, per-key override).
 *
 * Failed authentications are counted per IP (`recordAuthFailure`) and checked before each
 * authentication (`checkAuthFailures`): past 20 in a minute that address gets 429
 * `auth_rate_limited` even with a valid key, which caps key guessing at 20 tries a minute.
 *
 * Limited responses carry `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (seconds)
 * and `RateLimit-Policy` (IETF draft-ietf-httpapi-ratelimit-headers-07); a 429 adds `Retry-After`
 * (whole seconds, at least 1). `/health` is never limited.
 *
 * When the limiter itself fails (Redis down), requests are let through and the failure is logged:
 * a rate limiter protects the service and must not become the reason it is down.
 */

import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { RateDecision, RateLimiter } from '../../ratelimit/types.ts';
import { ApiError } from '../errors.ts';

export const RATE_WINDOW_MS = 60_000;
export const DEFAULT_AUTH_FAILURES_PER_MINUTE = 20;
export const DEFAULT_EXEMPT_PATHS: readonly string[] = ['/health'];

export interface RateLimitKey {
  /** Namespaced by the caller: `ip:203.0.113.7`, `key:key_…`. */
  key: string;
  /** Requests admitted per minute. */
  limit: number;
}

export interface RateLimitPluginOptions {
  limiter: RateLimiter;
  /** The limit for a request before authentication, or null for none. Default: none. */
  keyFor?: (req: FastifyRequest) => RateLimitKey | null | Promise<RateLimitKey | null>;
  /** Counts failed authentications per IP. Default: `limiter`. */
  authFailureLimiter?: RateLimiter;
  /** Failed authentications allowed per IP per minute before 429. Default 20. */
  authFailuresPerMinute?: number;
  /** Paths (and everything below them) never limited. Default `['/health']`. */
  exemptPaths?: readonly string[];
}

/** One budget a request counts against, with what to call it in the refusal. */
export interface RateBucket extends RateLimitKey {
  /** Completes "More than N requests in a minute …": `for this API key`. */
  label?: string;
}

export interface RateLimitState {
  readonly limiter: RateLimiter;
  /** Counts one request against `key`; sets the RateLimit headers; throws ApiError('rate_limited') when over. */
  enforce(
    req: FastifyRequest,
    reply: FastifyReply,
    key: string,
    limitPerMinute: number,
  ): Promise<RateDecision | null>;
  /**
   * Counts one request against each bucket in order and stops at the first that refuses (429 with
   * its headers; the buckets after it are not counted). When all admit, the RateLimit headers are
   * those of the bucket with the fewest requests left, the one a client must pace itself by.
   */
  enforceAll(req: FastifyRequest, reply: FastifyReply, buckets: readonly RateBucket[]): Promise<void>;
  /** Counts one failed authentication from `ip`. */
  recordAuthFailure(ip: string): Promise<void>;
  /** Throws ApiError('auth_rate_limited') with Retry-After when `ip` failed too often in the last minute. */
  checkAuthFailures(ip: string): Promise<void>;
  isExempt(req: FastifyRequest): boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    rateLimit: RateLimitState;
  }
}

/** Whole seconds for a header, rounded up so a client that waits that long is admitted. */
function seconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

export function rateLimitHeaders(d: RateDecision): Record<string, string> {
  return {
    'ratelimit-limit': String(d.limit),
    'ratelimit-remaining': String(d.remaining),
    'ratelimit-reset': String(seconds(d.resetMs)),
    'ratelimit-policy': `${d.limit};w=${RATE_WINDOW_MS / 1000}`,
  };
}

/**
 * Counts this request against `key` (limit per minute) and sets the RateLimit headers; throws
 * ApiError('rate_limited') with Retry-After when the key is over its limit. Returns null when the
 * request is not limited (exempt path, or the limiter failed and the request was let through).
 */
export function enforceRateLimit(
  req: FastifyRequest,
  reply: FastifyReply,
  key: string,
  limitPerMinute: number,
): Promise<RateDecision | null> {
  return stateOf(req).enforce(req, reply, key, limitPerMinute);
}

/** Several budgets for one request (an API key's and its tenant's); see RateLimitState.enforceAll. */
export function enforceRateLimits(
  req: FastifyRequest,
  reply: FastifyReply,
  buckets: readonly RateBucket[],
): Promise<void> {
  return stateOf(req).enforceAll(req, reply, buckets);
}

function stateOf(req: FastifyRequest): RateLimitState {
  const state = (req.server as { rateLimit?: RateLimitState }).rateLimit;
  if (state === undefined) throw new Error('enforceRateLimit needs rateLimitPlugin to be registered');
  return state;
}

const rateLimitImpl: FastifyPluginAsync<RateLimitPluginOptions> = async (app, options) => {
  const { limiter, keyFor } = options;
  const authLimiter = options.authFailureLimiter ?? limiter;
  const authLimit = options.authFailuresPerMinute ?? DEFAULT_AUTH_FAILURES_PER_MINUTE;
  const exempt = options.exemptPaths ?? DEFAULT_EXEMPT_PATHS;
  if (!Number.isInteger(authLimit) || authLimit < 1) {
    throw new RangeError(`authFailuresPerMinute must be an integer >= 1, got ${authLimit}`);
  }

  function isExempt(req: FastifyRequest): boolean {
    const q = req.url.indexOf('?');
    const path = q === -1 ? req.url : req.url.slice(0, q);
    return exempt.some((p) => path === p || path.startsWith(`${p}/`));
  }

  /** One hit; null when the limiter failed and the request is let through. */
  async function hit(req: FastifyRequest, key: string, limitPerMinute: number): Promise<RateDecision | null> {
    try {
      return await limiter.hit(`req:${key}`, limitPerMinute, RATE_WINDOW_MS);
    } catch (err) {
      if (err instanceof RangeError) throw err;
      req.log.error({ err }, 'rate limiter failed; request let through');
      return null;
    }
  }

  function refuse(d: RateDecision, label: string | undefined): never {
    const headers = rateLimitHeaders(d);
    const retryAfterS = Math.max(1, seconds(d.retryAfterMs));
    throw new ApiError(
      'rate_limited',
      `More than ${d.limit} requests in a minute${label ? ` ${label}` : ''}; retry in ${retryAfterS} s.`,
      { headers: { ...headers, 'retry-after': String(retryAfterS) } },
    );
  }

  const state: RateLimitState = {
    limiter,
    isExempt,
    async enforce(req, reply, key, limitPerMinute) {
      if (isExempt(req)) return null;
      const d = await hit(req, key, limitPerMinute);
      if (d === null) return null;
      reply.headers(rateLimitHeaders(d));
      if (!d.allowed) refuse(d, undefined);
      return d;
    },
    async enforceAll(req, reply, buckets) {
      if (isExempt(req)) return;
      let tightest: RateDecision | undefined;
      for (const bucket of buckets) {
        const d = await hit(req, bucket.key, bucket.limit);
        if (d === null) continue;
        if (!d.allowed) {
          reply.headers(rateLimitHeaders(d));
          refuse(d, bucket.label);
        }
        if (tightest === undefined || d.remaining < tightest.remaining) tightest = d;
      }
      if (tightest !== undefined) reply.headers(rateLimitHeaders(tightest));
    },
    async recordAuthFailure(ip) {
      try {
        await authLimiter.hit(`authfail:${ip}`, authLimit, RATE_WINDOW_MS);
      } catch (err) {
        app.log.error({ err }, 'auth failure limiter failed; failure not counted');
      }
    },
    async checkAuthFailures(ip) {
      let d: RateDecision;
      try {
        d = await authLimiter.peek(`authfail:${ip}`, authLimit, RATE_WINDOW_MS);
      } catch (err) {
        app.log.error({ err }, 'auth failure limiter failed; request let through');
        return;
      }
      if (!d.allowed) {
        const retryAfterS = Math.max(1, seconds(d.retryAfterMs));
        throw new ApiError(
          'auth_rate_limited',
          `Too many failed authentications from this address; retry in ${retryAfterS} s.`,
          { headers: { 'retry-after': String(retryAfterS) } },
        );
      }
    },
  };
  app.decorate('rateLimit', state);

  if (keyFor !== undefined) {
    // onRequest: refuse before the body is read, so a flood costs us as little as possible.
    app.addHook('onRequest', async (req, reply) => {
      if (isExempt(req)) return;
      const target = await keyFor(req);
      if (target !== null) await state.enforce(req, reply, target.key, target.limit);
    });
  }
};

export const rateLimitPlugin = fp(rateLimitImpl, { name: 'sellify-rate-limit', fastify: '5.x' });
