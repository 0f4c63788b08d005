import { describe, expect, it } from 'vitest';
import { classifyEvolutionError } from './errors.ts';

const err = (status: number, message: unknown, error = 'Bad Request') => ({
  status,
  error,
  response: { message },
});

const cases: { name: string; httpStatus: number; body: unknown; want: Record<string, unknown> }[] = [
  {
    name: 'a number not on WhatsApp (400 [{ exists: false }]) is unreachable',
    httpStatus: 400,
    body: err(400, [{ jid: '2250701020304@s.whatsapp.net', exists: false, number: '2250701020304' }]),
    want: { class: 'unreachable', code: 'not_on_whatsapp', message: '2250701020304 is not on WhatsApp' },
  },
  {
    name: 'Connection Closed is an account error reported as logged_out',
    httpStatus: 400,
    body: err(400, ['Error: Connection Closed']),
    want: { class: 'account', code: 'connection_closed', healthEvent: 'logged_out' },
  },
  {
    name: 'Connection Closed under a 500 too',
    httpStatus: 500,
    body: err(500, 'Connection Closed', 'Internal Server Error'),
    want: { class: 'account', code: 'connection_closed' },
  },
  {
    name: 'a 401 (key refused) is an account error with forbidden',
    httpStatus: 401,
    body: err(401, 'Unauthorized', 'Unauthorized'),
    want: { class: 'account', code: 'unauthorized', healthEvent: 'forbidden' },
  },
  {
    name: 'an unknown instance (404) is an account error: the instance must be recreated',
    httpStatus: 404,
    body: err(404, ['The "loja" instance does not exist'], 'Not Found'),
    want: { class: 'account', code: 'instance_not_found', healthEvent: 'logged_out' },
  },
  {
    name: 'an unknown route (404 Cannot POST) is permanent',
    httpStatus: 404,
    body: err(404, ['Cannot POST /message/sendTxt/loja'], 'Not Found'),
    want: { class: 'permanent', code: 'http_404' },
  },
  {
    name: 'a 463 reach-out lock refuses new contacts only',
    httpStatus: 500,
    body: err(500, ['Error: server returned error 463'], 'Internal Server Error'),
    want: {
      class: 'account',
      code: 'reachout_timelock',
      healthEvent: 'reachout_timelock',
      newContactsOnly: true,
    },
  },
  {
    name: 'a 500 is retried',
    httpStatus: 500,
    body: err(500, ['boom'], 'Internal Server Error'),
    want: { class: 'retry', code: 'http_500', message: 'boom' },
  },
  {
    name: 'a 502 from a proxy is retried',
    httpStatus: 502,
    body: '<html>Bad gateway</html>',
    want: { class: 'retry', code: 'http_502' },
  },
  {
    name: 'a 400 Text is required is permanent',
    httpStatus: 400,
    body: err(400, ['Text is required']),
    want: { class: 'permanent', message: 'Text is required' },
  },
  { name: 'a 429 is deferred', httpStatus: 429, body: {}, want: { class: 'defer', code: 'http_429' } },
];

describe('classifyEvolutionError', () => {
  it.each(cases)('$name', ({ httpStatus, body, want }) => {
    expect(classifyEvolutionError({ httpStatus, body })).toMatchObject(want);
  });
});
