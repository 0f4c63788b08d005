import { describe, expect, it } from 'vitest';
import { classifyCloudError, cloudPairLimitBackoffMs } from './errors.ts';

function graph(code: number, details = 'details'): unknown {
  return {
    error: {
      message: `(#${code}) title`,
      type: 'OAuthException',
      code,
      error_data: { messaging_product: 'whatsapp', details },
      fbtrace_id: 'x',
    },
  };
}

const cases: {
  name: string;
  httpStatus?: number;
  body: unknown;
  attempt?: number;
  want: Record<string, unknown>;
}[] = [
  {
    name: '131047 outside the window is a window error',
    httpStatus: 400,
    body: graph(131047),
    want: { class: 'window', code: '131047' },
  },
  {
    name: '130429 throughput is deferred one second, with a throughput_limit health event',
    httpStatus: 400,
    body: graph(130429),
    want: { class: 'defer', code: '130429', retryAfterMs: 1000, healthEvent: 'throughput_limit' },
  },
  {
    name: '131056 pair limit on the first attempt waits 4^0 s',
    httpStatus: 400,
    body: graph(131056),
    want: { class: 'defer', code: '131056', retryAfterMs: 1000, healthEvent: 'pair_limit' },
  },
  {
    name: '131056 pair limit on the third attempt waits 4^2 s',
    httpStatus: 400,
    body: graph(131056),
    attempt: 2,
    want: { class: 'defer', retryAfterMs: 16_000 },
  },
  {
    name: '4 (app call limit) is deferred',
    httpStatus: 400,
    body: graph(4),
    want: { class: 'defer', code: '4', retryAfterMs: 60_000 },
  },
  {
    name: '80007 (WABA rate limit) is deferred',
    httpStatus: 400,
    body: graph(80007),
    want: { class: 'defer', code: '80007' },
  },
  {
    name: '131026 undeliverable is unreachable',
    httpStatus: 400,
    body: graph(131026),
    want: { class: 'unreachable', code: '131026' },
  },
  {
    name: '131048 spam limit is an account error with spam_limit',
    httpStatus: 400,
    body: graph(131048),
    want: { class: 'account', healthEvent: 'spam_limit' },
  },
  ...[368, 131031, 130497].map((code) => ({
    name: `${code} is an account restriction`,
    httpStatus: 403,
    body: graph(code),
    want: { class: 'account', code: String(code), healthEvent: 'account_restricted' },
  })),
  {
    name: '190 bad token is permanent with a forbidden health event',
    httpStatus: 401,
    body: { error: { message: 'Invalid OAuth access token', type: 'OAuthException', code: 190 } },
    want: { class: 'permanent', code: '190', healthEvent: 'forbidden', httpStatus: 401 },
  },
  {
    name: '0 (auth exception) is permanent and forbidden',
    httpStatus: 401,
    body: graph(0),
    want: { class: 'permanent', healthEvent: 'forbidden' },
  },
  {
    name: '200–299 permission codes are permanent and forbidden',
    httpStatus: 403,
    body: graph(230),
    want: { class: 'permanent', healthEvent: 'forbidden' },
  },
  ...[131000, 131016, 2, 131057].map((code) => ({
    name: `${code} is transient: retry`,
    httpStatus: 500,
    body: graph(code),
    want: { class: 'retry', code: String(code) },
  })),
  ...[100, 131008, 131009, 131051, 132000, 132001].map((code) => ({
    name: `${code} is a payload problem: permanent`,
    httpStatus: 400,
    body: graph(code),
    want: { class: 'permanent', code: String(code) },
  })),
  {
    name: 'the code decides, not the HTTP status (131047 under a 500 is still window)',
    httpStatus: 500,
    body: graph(131047),
    want: { class: 'window' },
  },
  {
    name: 'an unlisted code under a 4xx is permanent',
    httpStatus: 400,
    body: graph(139999),
    want: { class: 'permanent', code: '139999' },
  },
  {
    name: 'an unlisted code under a 5xx is retried',
    httpStatus: 503,
    body: graph(139999),
    want: { class: 'retry', code: '139999' },
  },
  {
    name: 'a 503 HTML page without a code is retried',
    httpStatus: 503,
    body: '<html>down</html>',
    want: { class: 'retry', code: 'http_503' },
  },
  {
    name: 'a 502 without a body is retried',
    httpStatus: 502,
    body: '',
    want: { class: 'retry', code: 'http_502' },
  },
  {
    name: 'a 429 without a code is deferred',
    httpStatus: 429,
    body: {},
    want: { class: 'defer', code: 'http_429' },
  },
  {
    name: 'a 404 without a code is permanent',
    httpStatus: 404,
    body: {},
    want: { class: 'permanent', code: 'http_404' },
  },
  {
    name: 'an async status error object (no envelope, no HTTP status) is classified by its code',
    body: { code: 131026, title: 'Message undeliverable', error_data: { details: 'Message Undeliverable.' } },
    want: { class: 'unreachable', code: '131026', message: 'Message undeliverable: Message Undeliverable.' },
  },
  {
    name: 'a normalized status error ({ code, title, detail }) is classified too',
    body: { code: 131049, title: 'healthy ecosystem', detail: 'not delivered' },
    want: { class: 'defer', code: '131049', retryAfterMs: 86_400_000 },
  },
];

describe('classifyCloudError', () => {
  it.each(cases)('$name', ({ httpStatus, body, attempt, want }) => {
    expect(
      classifyCloudError({
        body,
        ...(httpStatus === undefined ? {} : { httpStatus }),
        ...(attempt === undefined ? {} : { attempt }),
      }),
    ).toMatchObject(want);
  });

  it('keeps the Graph message and details in the message', () => {
    expect(classifyCloudError({ httpStatus: 400, body: graph(131047, 'more than 24 hours') }).message).toBe(
      '(#131047) title: more than 24 hours',
    );
  });

  it('a Retry-After header lengthens a defer', () => {
    const headers = new Headers({ 'retry-after': '30' });
    expect(classifyCloudError({ httpStatus: 400, body: graph(130429), headers })).toMatchObject({
      retryAfterMs: 30_000,
    });
  });
});

describe('cloudPairLimitBackoffMs', () => {
  it.each([
    [0, 1_000],
    [1, 4_000],
    [3, 64_000],
    [9, 1_024_000],
  ])('attempt %i waits %i ms (4^x s, capped at 4^5)', (attempt, want) => {
    expect(cloudPairLimitBackoffMs(attempt)).toBe(want);
  });
});
