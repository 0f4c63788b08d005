import type { IncomingMessage } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildRealApp, OPEN_TIMEOUT_MS, type RealApp } from '../../../test/support/app.ts';
import { genReqId, isValidInboundRequestId } from './request-id.ts';

const GENERATED = /^req_[0-9A-Za-z]{24}$/;

function rawRequest(headers: Record<string, string | string[]>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe('genReqId', () => {
  const cases: { name: string; header?: string | string[]; want: 'kept' | 'generated' }[] = [
    { name: 'generates req_ + 24 base62 characters when no header is sent', want: 'generated' },
    { name: 'keeps a valid inbound id', header: 'trace-123.abc_DEF', want: 'kept' },
    { name: 'keeps an inbound id of exactly 128 characters', header: 'a'.repeat(128), want: 'kept' },
    { name: 'replaces an inbound id of 129 characters', header: 'a'.repeat(129), want: 'generated' },
    { name: 'replaces an empty inbound id', header: '', want: 'generated' },
    { name: 'replaces an id with a space (log injection)', header: 'abc def', want: 'generated' },
    {
      name: 'replaces an id with a newline (header injection)',
      header: 'abc\r\nx-evil: 1',
      want: 'generated',
    },
    { name: 'replaces an id with non-ASCII characters', header: 'réq', want: 'generated' },
    { name: 'replaces a repeated header (array value)', header: ['a', 'b'], want: 'generated' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const id = genReqId(rawRequest(c.header === undefined ? {} : { 'x-request-id': c.header }));
      if (c.want === 'kept') expect(id).toBe(c.header);
      else expect(id).toMatch(GENERATED);
    });
  }

  it('generates a different id for each request', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => genReqId(rawRequest({}))));
    expect(ids.size).toBe(1000);
  });

  it('accepts only [A-Za-z0-9._-]{1,128}', () => {
    expect(isValidInboundRequestId('A-z.0_9')).toBe(true);
    expect(isValidInboundRequestId('a/b')).toBe(false);
    expect(isValidInboundRequestId(42)).toBe(false);
  });
});

describe('requestIdPlugin through inject', () => {
  let real: RealApp;
  beforeAll(async () => {
    real = await buildRealApp();
  }, OPEN_TIMEOUT_MS);
  afterAll(() => real.close());
  afterEach(() => real.failTransactions(undefined));

  const cases: { name: string; url: string; storeThrows?: Error; status: number }[] = [
    { name: 'a successful response', url: '/health', status: 200 },
    { name: 'a 404', url: '/nope', status: 404 },
    {
      name: 'an error response',
      url: '/api/v1/products',
      storeThrows: new Error('database down'),
      status: 500,
    },
    { name: 'a request refused before routing', url: '/api/v1/products/%E0%A4%A', status: 400 },
  ];
  for (const c of cases) {
    it(`sends X-Request-Id on ${c.name}, equal to the body's requestId for errors`, async () => {
      real.failTransactions(c.storeThrows);
      const res = await real.app.inject({ method: 'GET', url: c.url, headers: real.auth });
      expect(res.statusCode).toBe(c.status);
      expect(res.headers['x-request-id']).toMatch(GENERATED);
      if (c.status >= 400) expect(res.json().requestId).toBe(res.headers['x-request-id']);
    });
  }

  it('echoes a valid inbound X-Request-Id in the header and the error body', async () => {
    const res = await real.app.inject({
      method: 'GET',
      url: '/nope',
      headers: { 'x-request-id': 'edge-42' },
    });
    expect(res.headers['x-request-id']).toBe('edge-42');
    expect(res.json().requestId).toBe('edge-42');
  });

  it('replaces an invalid inbound X-Request-Id', async () => {
    const res = await real.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'x'.repeat(200) },
    });
    expect(res.headers['x-request-id']).toMatch(GENERATED);
  });
});
