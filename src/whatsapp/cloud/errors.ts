/**
 * Graph API errors to TransportErrors, by `error.code` as Meta asks (its current error reference
 * no longer ties codes to HTTP statuses). The HTTP status is only the fallback for a body without
 * a code (a proxy's 502 page, an empty 500). The same codes arrive asynchronously in failed
 * statuses; classify those with `classifyCloudError({ body: statusEvent.error })`.
 */
import type { HealthEventType } from '../../domain/types.ts';
import { classifyHttpStatus, describeBody, parseRetryAfter } from '../shared/http.ts';
import { isObject, num, obj, str } from '../shared/json.ts';
import type { ErrorClass, TransportError } from '../types.ts';

const SECOND_MS = 1000;
const HOUR_MS = 3_600_000;

/** Meta's advice for 131056: retry after 4^x seconds, x = 0, 1, 2… (capped at 4^5 s ≈ 17 min). */
export function cloudPairLimitBackoffMs(attempt = 0): number {
  const x = Math.min(5, Math.max(0, Math.floor(attempt)));
  return 4 ** x * SECOND_MS;
}

interface Rule {
  class: ErrorClass;
  healthEvent?: HealthEventType;
  /** Fixed wait for `defer`; 131056 computes its own. */
  retryAfterMs?: number;
}

/** Codes with a known meaning; anything else falls back on the HTTP status. */
export const CLOUD_ERROR_RULES: Readonly<Record<number, Rule>> = {
  // Customer service window closed: only a template may go.
  131047: { class: 'window' },
  // Throttling. 130429: the number's throughput (80 mps) — the next second frees it.
  130429: { class: 'defer', healthEvent: 'throughput_limit', retryAfterMs: SECOND_MS },
  131056: { class: 'defer', healthEvent: 'pair_limit' },
  // App and WABA call limits are counted per hour.
  4: { class: 'defer', retryAfterMs: 60 * SECOND_MS },
  80007: { class: 'defer', retryAfterMs: 60 * SECOND_MS },
  133016: { class: 'defer', retryAfterMs: HOUR_MS },
  // Per-user marketing limit: Meta asks for at least 24 h before resending.
  131049: { class: 'defer', retryAfterMs: 24 * HOUR_MS },
  // Not on WhatsApp, terms not accepted, outdated client.
  131026: { class: 'unreachable' },
  // The number is at risk or blocked: stop the channel, tell the health engine.
  131048: { class: 'account', healthEvent: 'spam_limit' },
  368: { class: 'account', healthEvent: 'account_restricted' },
  131031: { class: 'account', healthEvent: 'account_restricted' },
  130497: { class: 'account', healthEvent: 'account_restricted' },
  // Token expired or invalid: this message cannot go, and nothing else will until it is replaced.
  190: { class: 'permanent', healthEvent: 'forbidden' },
  0: { class: 'permanent', healthEvent: 'forbidden' },
  3: { class: 'permanent', healthEvent: 'forbidden' },
  10: { class: 'permanent', healthEvent: 'forbidden' },
  // Transient on Meta's side (131057: maintenance during a throughput upgrade, ≤ 1 min).
  131000: { class: 'retry' },
  131016: { class: 'retry' },
  2: { class: 'retry' },
  131057: { class: 'retry', retryAfterMs: 10 * SECOND_MS },
  // Payload problems: retrying the same request gives the same answer.
  100: { class: 'permanent' },
  131008: { class: 'permanent' },
  131009: { class: 'permanent' },
  131021: { class: 'permanent' },
  131050: { class: 'permanent' },
  131051: { class: 'permanent' },
  131052: { class: 'permanent' },
  131053: { class: 'permanent' },
  130403: { class: 'permanent' },
  130472: { class: 'permanent' },
  132000: { class: 'permanent' },
  132001: { class: 'permanent' },
  132012: { class: 'permanent' },
  132015: { class: 'permanent' },
  132016: { class: 'permanent' },
};

export interface CloudErrorInput {
  httpStatus?: number;
  /** The Graph envelope `{ error: {...} }`, the error object itself, or a status `errors[]` element. */
  body?: unknown;
  headers?: Headers;
  /** Earlier attempts of this send, for the 131056 backoff. */
  attempt?: number;
}

export function classifyCloudError(input: CloudErrorInput): TransportError {
  const { httpStatus, body } = input;
  const error = obj(body, 'error') ?? (isObject(body) ? body : undefined);
  const code = num(error, 'code');
  const details = str(obj(error, 'error_data'), 'details') ?? str(error, 'detail');
  const title = str(error, 'message') ?? str(error, 'title');
  const message =
    [title, details].filter(Boolean).join(': ') ||
    (typeof body === 'string' && body !== '' ? describeBody(body) : `HTTP ${httpStatus ?? '?'}`);
  const status = httpStatus === undefined ? {} : { httpStatus };

  if (code === undefined) {
    if (httpStatus === undefined) return { class: 'permanent', code: 'unknown', message };
    return { ...classifyHttpStatus(httpStatus, message, input.headers), message };
  }

  const rule: Rule | undefined =
    CLOUD_ERROR_RULES[code] ??
    (code >= 200 && code <= 299 ? { class: 'permanent', healthEvent: 'forbidden' } : undefined);
  if (!rule) {
    // An unlisted code: the HTTP status says whether Meta considers it transient.
    const fallback =
      httpStatus === undefined ? undefined : classifyHttpStatus(httpStatus, message, input.headers);
    return { class: fallback?.class ?? 'permanent', code: String(code), ...status, message };
  }
  let retryAfterMs = rule.retryAfterMs;
  if (code === 131056) retryAfterMs = cloudPairLimitBackoffMs(input.attempt);
  const headerWait = parseRetryAfter(input.headers?.get('retry-after') ?? undefined);
  if (rule.class === 'defer' && headerWait !== undefined)
    retryAfterMs = Math.max(retryAfterMs ?? 0, headerWait);
  return {
    class: rule.class,
    code: String(code),
    ...status,
    message,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(rule.healthEvent ? { healthEvent: rule.healthEvent } : {}),
  };
}
