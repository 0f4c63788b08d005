/**
 * When to retry and how long to wait: pure functions of the answer, the attempt number and a
 * random draw, so they are tested with tables and the transport stays a thin loop.
 */

export interface RetryPolicy {
  /** Retries after the first attempt; 0 disables retrying. Default 3. */
  maxRetries: number;
  /** Backoff before the first retry, in milliseconds, doubling each time. Default 500. */
  baseDelayMs: number;
  /** Upper bound of one computed backoff, in milliseconds. Default 8000. */
  maxDelayMs: number;
  /**
   * The longest Retry-After the client waits for, in milliseconds. A server asking for more
   * gets the error thrown at once (with `retryAfterMs`), so the caller decides. Default 60000.
   */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
};

/**
 * Whether an error answer may succeed if sent again: 429 (rate limited), every 5xx except 501
 * (not implemented will stay so), and 409 `idempotency_in_flight` (the first attempt of this very
 * call is still running on the server; once it ends, the retry replays its answer).
 */
export function isRetryableStatus(status: number, code?: string): boolean {
  if (status === 429) return true;
  if (status === 409) return code === 'idempotency_in_flight';
  return status >= 500 && status <= 599 && status !== 501;
}

/**
 * Milliseconds to wait from a Retry-After header: delay-seconds (`"2"`, also `"1.5"`) or an
 * HTTP date, relative to `nowMs`. A date in the past is 0; anything unreadable is undefined.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date names its day and month; without letters, Date.parse would read "-3" as a year.
  if (!/[a-z]/i.test(text)) return undefined;
  const atMs = Date.parse(text);
  if (Number.isNaN(atMs)) return undefined;
  return Math.max(0, atMs - nowMs);
}

/**
 * The wait before retry number `retry` (0 for the first retry): exponential, capped, with
 * "equal jitter" (half fixed, half random) so that many clients failing together spread their
 * retries out without ever retrying immediately. `random` is a draw in [0, 1).
 */
export function backoffDelayMs(
  retry: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: number,
): number {
  const capMs = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(capMs / 2 + (random * capMs) / 2);
}
