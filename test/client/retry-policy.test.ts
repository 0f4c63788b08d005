/** The pure retry rules of the client: which statuses, how long a Retry-After is, the backoff. */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  parseRetryAfter,
} from '../../client/src/index.ts';

const NOW_MS = Date.parse('2026-11-27T10:15:00Z');

describe('isRetryableStatus', () => {
  const cases: { name: string; status: number; code?: string; want: boolean }[] = [
    { name: 'retries 429 rate_limited', status: 429, code: 'rate_limited', want: true },
    { name: 'retries 500', status: 500, want: true },
    { name: 'retries 502 from a proxy', status: 502, want: true },
    { name: 'retries 503 unavailable', status: 503, code: 'unavailable', want: true },
    { name: 'retries 504', status: 504, want: true },
    { name: 'does not retry 501, which will not change', status: 501, want: false },
    { name: 'retries 409 idempotency_in_flight', status: 409, code: 'idempotency_in_flight', want: true },
    { name: 'does not retry 409 conflict', status: 409, code: 'conflict', want: false },
    { name: 'does not retry 400', status: 400, code: 'validation_failed', want: false },
    { name: 'does not retry 401', status: 401, code: 'unauthorized', want: false },
    { name: 'does not retry 404', status: 404, code: 'not_found', want: false },
    {
      name: 'does not retry 422 idempotency_mismatch',
      status: 422,
      code: 'idempotency_mismatch',
      want: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(isRetryableStatus(c.status, c.code)).toBe(c.want);
    });
  }
});

describe('parseRetryAfter', () => {
  const cases: { name: string; value: string | null; want: number | undefined }[] = [
    { name: 'reads delay-seconds', value: '3', want: 3000 },
    { name: 'reads fractional seconds', value: '1.5', want: 1500 },
    { name: 'reads 0 as retry now', value: '0', want: 0 },
    { name: 'trims spaces', value: ' 7 ', want: 7000 },
    { name: 'reads an HTTP date relative to now', value: 'Fri, 27 Nov 2026 10:15:05 GMT', want: 5000 },
    { name: 'reads a past HTTP date as 0', value: 'Fri, 27 Nov 2026 10:14:00 GMT', want: 0 },
    { name: 'ignores a missing header', value: null, want: undefined },
    { name: 'ignores an empty header', value: '', want: undefined },
    { name: 'ignores a negative number', value: '-3', want: undefined },
    { name: 'ignores garbage', value: 'soon', want: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(parseRetryAfter(c.value, NOW_MS)).toBe(c.want);
    });
  }
});

describe('backoffDelayMs', () => {
  const policy = { baseDelayMs: 500, maxDelayMs: 8000 };
  const cases: { name: string; retry: number; random: number; want: number }[] = [
    { name: 'waits half the base with the lowest draw', retry: 0, random: 0, want: 250 },
    { name: 'waits the whole base with the highest draw', retry: 0, random: 1, want: 500 },
    { name: 'doubles the cap on the second retry', retry: 1, random: 0, want: 500 },
    { name: 'doubles again on the third retry', retry: 2, random: 1, want: 2000 },
    { name: 'never exceeds maxDelayMs', retry: 10, random: 1, want: 8000 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(backoffDelayMs(c.retry, policy, c.random)).toBe(c.want);
    });
  }

  it('stays within [cap/2, cap] and never waits zero, for any retry and draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (retry, random) => {
          const capMs = Math.min(
            DEFAULT_RETRY_POLICY.maxDelayMs,
            DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** retry,
          );
          const delayMs = backoffDelayMs(retry, DEFAULT_RETRY_POLICY, random);
          return delayMs >= Math.floor(capMs / 2) && delayMs <= capMs && delayMs > 0;
        },
      ),
    );
  });
});
