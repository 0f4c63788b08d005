import { describe, expect, it } from 'vitest';
import { classifyWahaError } from './errors.ts';

const notWorking = (status: string) => ({
  error: 'Session status is not as expected. Try again later or restart the session',
  session: 'default',
  status,
  expected: ['WORKING'],
});

const cases: { name: string; httpStatus: number; body: unknown; want: Record<string, unknown> }[] = [
  {
    name: 'a 401 (key refused) is an account error with forbidden',
    httpStatus: 401,
    body: { message: 'Unauthorized', statusCode: 401 },
    want: { class: 'account', code: 'unauthorized', healthEvent: 'forbidden', httpStatus: 401 },
  },
  {
    name: '422 with the session in SCAN_QR_CODE is logged_out',
    httpStatus: 422,
    body: notWorking('SCAN_QR_CODE'),
    want: { class: 'account', code: 'logged_out', healthEvent: 'logged_out' },
  },
  {
    name: '422 with the session STARTING is retried shortly',
    httpStatus: 422,
    body: notWorking('STARTING'),
    want: { class: 'retry', code: 'session_starting', retryAfterMs: 5_000 },
  },
  {
    name: '422 with the session FAILED is an account error (disconnected)',
    httpStatus: 422,
    body: notWorking('FAILED'),
    want: { class: 'account', code: 'session_stopped', healthEvent: 'disconnected' },
  },
  {
    name: 'an unknown session (404) is an account error',
    httpStatus: 404,
    body: { message: "We didn't find a session with name 'x'.", statusCode: 404 },
    want: { class: 'account', code: 'session_not_found' },
  },
  {
    name: 'a 500 carrying server error 463 is a reach-out lock, not a retry',
    httpStatus: 500,
    body: { statusCode: 500, exception: { message: '2 UNKNOWN: server returned error 463', code: 2 } },
    want: {
      class: 'account',
      code: 'reachout_timelock',
      newContactsOnly: true,
      healthEvent: 'reachout_timelock',
    },
  },
  {
    name: 'another 500 is retried',
    httpStatus: 500,
    body: { statusCode: 500, exception: { message: 'boom' } },
    want: { class: 'retry' },
  },
  {
    name: 'a 400 validation error is permanent with its message',
    httpStatus: 400,
    body: { message: ['text should not be empty'], error: 'Bad Request', statusCode: 400 },
    want: { class: 'permanent', code: 'http_400', message: 'text should not be empty' },
  },
];

describe('classifyWahaError', () => {
  it.each(cases)('$name', ({ httpStatus, body, want }) => {
    expect(classifyWahaError({ httpStatus, body })).toMatchObject(want);
  });
});
