import { describe, expect, it } from 'vitest';
import { classifyHttpStatus, classifyNetworkError, joinUrl, parseRetryAfter } from './http.ts';

function fetchFailed(code: string): Error {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
}

describe('classifyNetworkError', () => {
  const cases = [
    { name: 'ECONNRESET under undici is econnreset', err: fetchFailed('ECONNRESET'), want: 'econnreset' },
    {
      name: "undici's 'other side closed' is econnreset",
      err: fetchFailed('UND_ERR_SOCKET'),
      want: 'econnreset',
    },
    { name: 'ECONNREFUSED is econnrefused', err: fetchFailed('ECONNREFUSED'), want: 'econnrefused' },
    { name: 'ENOTFOUND is dns', err: fetchFailed('ENOTFOUND'), want: 'dns' },
    {
      name: 'a TimeoutError is timeout',
      err: new DOMException('timed out', 'TimeoutError'),
      want: 'timeout',
    },
    { name: 'anything else is network', err: new Error('weird'), want: 'network' },
  ];
  it.each(cases)('$name, and retried', ({ err, want }) => {
    expect(classifyNetworkError(err)).toMatchObject({ class: 'retry', code: want });
  });

  it('names an abort by the caller aborted, not timeout', () => {
    const controller = new AbortController();
    controller.abort();
    expect(
      classifyNetworkError(new DOMException('aborted', 'AbortError'), undefined, controller.signal),
    ).toMatchObject({
      code: 'aborted',
    });
  });
});

describe('classifyHttpStatus', () => {
  it.each([
    [500, 'retry'],
    [503, 'retry'],
    [408, 'retry'],
    [429, 'defer'],
    [400, 'permanent'],
    [404, 'permanent'],
  ] as const)('HTTP %i is %s', (status, want) => {
    expect(classifyHttpStatus(status, 'x').class).toBe(want);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, ignores garbage', () => {
    expect(parseRetryAfter('2')).toBe(2_000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 09:00:30 GMT', Date.UTC(2026, 10, 27, 9, 0, 0))).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('joinUrl', () => {
  it('joins without doubling or losing the slash', () => {
    expect(joinUrl('http://x/', '/a/b')).toBe('http://x/a/b');
    expect(joinUrl('http://x/cloud', 'v25.0/1/messages')).toBe('http://x/cloud/v25.0/1/messages');
  });
});
