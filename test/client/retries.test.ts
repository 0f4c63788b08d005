/**
 * The client's transport against a scripted HTTP server: which answers are retried, how long it
 * waits (recorded by an injected sleep, so no test waits for real), that one logical call keeps
 * one Idempotency-Key across its retries, timeouts and cancellation.
 */

import { afterEach, describe, expect, it } from 'vitest';
import {
  SellifyClient,
  type SellifyClientOptions,
  SellifyError,
  SellifyNetworkError,
  SellifyTimeoutError,
} from '../../client/src/index.ts';
import { sleep as realSleep } from '../../client/src/transport.ts';
import { type Answer, PRODUCT, problemAnswer, type Scripted, scriptedServer } from './scripted.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const servers: Scripted[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(answer: (n: number) => Answer, options: Partial<SellifyClientOptions> = {}) {
  const server = await scriptedServer(answer);
  servers.push(server);
  const delays: number[] = [];
  const client = new SellifyClient({
    baseUrl: server.url,
    apiKey: 'sk_test',
    random: () => 0.5,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...options,
  });
  return { server, client, delays };
}

const created: Answer = { status: 201, body: PRODUCT };
const newProduct = { name: 'Sac noir', price: 15000, currency: 'XOF' };

describe('retries', () => {
  it('retries 503 twice then returns the 201, sending the same Idempotency-Key on every attempt', async () => {
    const { server, client, delays } = await setup((n) =>
      n < 2 ? problemAnswer(503, 'unavailable') : created,
    );
    const product = await client.products.create(newProduct);
    expect(product).toEqual(PRODUCT);
    expect(server.received).toHaveLength(3);
    const keys = server.received.map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toMatch(UUID);
    expect(new Set(keys)).toEqual(new Set([keys[0]]));
    expect(server.received.map((r) => JSON.parse(r.body))).toEqual([newProduct, newProduct, newProduct]);
    // Equal jitter with random() = 0.5: half of the cap plus a quarter; the cap doubles (500, 1000).
    expect(delays).toEqual([375, 750]);
  });

  it('waits exactly the Retry-After seconds of a 429 before retrying', async () => {
    const { server, client, delays } = await setup((n) =>
      n === 0 ? problemAnswer(429, 'rate_limited', { headers: { 'retry-after': '3' } }) : created,
    );
    await client.products.create(newProduct);
    expect(delays).toEqual([3000]);
    expect(server.received[1]?.headers['idempotency-key']).toBe(
      server.received[0]?.headers['idempotency-key'],
    );
  });

  it('reads a Retry-After given as an HTTP date against the injected clock', async () => {
    const nowMs = Date.parse('2026-11-27T10:15:00Z');
    const { client, delays } = await setup(
      (n) =>
        n === 0
          ? problemAnswer(503, 'unavailable', { headers: { 'retry-after': 'Fri, 27 Nov 2026 10:15:05 GMT' } })
          : { status: 200, body: { items: [], nextCursor: null } },
      { now: () => nowMs },
    );
    await client.products.list();
    expect(delays).toEqual([5000]);
  });

  it('gives two logical calls two different Idempotency-Keys', async () => {
    const { server, client } = await setup(() => created);
    await client.products.create(newProduct);
    await client.products.create(newProduct);
    const [a, b] = server.received.map((r) => r.headers['idempotency-key']);
    expect(a).toMatch(UUID);
    expect(b).toMatch(UUID);
    expect(a).not.toBe(b);
  });

  it('sends a caller-chosen idempotencyKey unchanged on every attempt', async () => {
    const { server, client } = await setup((n) => (n === 0 ? problemAnswer(500, 'internal_error') : created));
    await client.products.create(newProduct, { idempotencyKey: 'order-42-reply' });
    expect(server.received.map((r) => r.headers['idempotency-key'])).toEqual([
      'order-42-reply',
      'order-42-reply',
    ]);
  });

  it('sends no Idempotency-Key on reads and on validateText, which change nothing', async () => {
    const verdict = { allowed: true, score: 0, problems: [], suggestions: [], reasons: [] };
    const { server, client } = await setup((n) =>
      n === 0 ? { status: 200, body: PRODUCT } : { status: 200, body: verdict },
    );
    await client.products.get('prd_1');
    await client.validateText({ text: 'Bonjour' });
    expect(server.received.map((r) => r.headers['idempotency-key'])).toEqual([undefined, undefined]);
  });

  it('retries 409 idempotency_in_flight: the first attempt of the same call is still running', async () => {
    const { server, client } = await setup((n) =>
      n === 0 ? problemAnswer(409, 'idempotency_in_flight') : created,
    );
    await client.products.create(newProduct);
    expect(server.received).toHaveLength(2);
  });

  const notRetried: { name: string; answer: Answer; code: string; status: number }[] = [
    {
      name: '501 (not implemented stays so)',
      answer: problemAnswer(501, 'internal_error'),
      code: 'internal_error',
      status: 501,
    },
    {
      name: '400 validation_failed',
      answer: problemAnswer(400, 'validation_failed'),
      code: 'validation_failed',
      status: 400,
    },
    {
      name: '401 unauthorized',
      answer: problemAnswer(401, 'unauthorized'),
      code: 'unauthorized',
      status: 401,
    },
    { name: '404 not_found', answer: problemAnswer(404, 'not_found'), code: 'not_found', status: 404 },
    { name: '409 conflict', answer: problemAnswer(409, 'conflict'), code: 'conflict', status: 409 },
    {
      name: '422 idempotency_mismatch',
      answer: problemAnswer(422, 'idempotency_mismatch'),
      code: 'idempotency_mismatch',
      status: 422,
    },
  ];
  for (const c of notRetried) {
    it(`does not retry ${c.name}: one attempt, then a SellifyError with the code`, async () => {
      const { server, client, delays } = await setup(() => c.answer);
      const err = await client.products.create(newProduct).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SellifyError);
      expect(err).toMatchObject({ status: c.status, code: c.code, requestId: 'req_scripted' });
      expect(server.received).toHaveLength(1);
      expect(delays).toEqual([]);
    });
  }

  it('stops after maxRetries and throws the last answer as a SellifyError', async () => {
    const { server, client, delays } = await setup(() => problemAnswer(503, 'unavailable'), {
      maxRetries: 2,
    });
    const err = await client.products.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SellifyError);
    expect(err).toMatchObject({ status: 503, code: 'unavailable', detail: 'detail of unavailable' });
    expect(server.received).toHaveLength(3);
    expect(delays).toHaveLength(2);
  });

  it('makes one attempt when maxRetries is 0 for this call', async () => {
    const { server, client } = await setup(() => problemAnswer(503, 'unavailable'));
    await expect(client.products.list(undefined, { maxRetries: 0 })).rejects.toBeInstanceOf(SellifyError);
    expect(server.received).toHaveLength(1);
  });

  it('throws at once, with retryAfterMs, when Retry-After is longer than maxRetryAfterMs', async () => {
    const { server, client, delays } = await setup(() =>
      problemAnswer(429, 'rate_limited', { headers: { 'retry-after': '120' } }),
    );
    const err = await client.products.list().catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429, code: 'rate_limited', retryAfterMs: 120_000 });
    expect(server.received).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('caps the computed backoff at maxDelayMs', async () => {
    const { client, delays } = await setup(() => problemAnswer(503, 'unavailable'), {
      maxRetries: 5,
      baseDelayMs: 1000,
      maxDelayMs: 4000,
      random: () => 0.999,
    });
    await expect(client.products.list()).rejects.toBeInstanceOf(SellifyError);
    expect(Math.max(...delays)).toBeLessThanOrEqual(4000);
    expect(delays).toHaveLength(5);
  });

  it('reports each retry to onRetry with its number, delay and cause', async () => {
    const events: { retry: number; delayMs: number; status: number | undefined }[] = [];
    const { client } = await setup((n) => (n < 2 ? problemAnswer(502, 'unavailable') : created), {
      onRetry: (e) =>
        events.push({ retry: e.retry, delayMs: e.delayMs, status: (e.error as SellifyError).status }),
    });
    await client.products.create(newProduct);
    expect(events).toEqual([
      { retry: 1, delayMs: 375, status: 502 },
      { retry: 2, delayMs: 750, status: 502 },
    ]);
  });
});

describe('transport failures', () => {
  it('retries a dropped connection with the same Idempotency-Key and returns the later answer', async () => {
    const { server, client } = await setup((n) => (n === 0 ? 'drop' : created));
    await client.products.create(newProduct);
    expect(server.received).toHaveLength(2);
    expect(server.received[1]?.headers['idempotency-key']).toBe(
      server.received[0]?.headers['idempotency-key'],
    );
  });

  it('throws SellifyNetworkError (not a timeout) when the connection keeps dropping', async () => {
    const { server, client } = await setup(() => 'drop', { maxRetries: 1 });
    const err = await client.products.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SellifyNetworkError);
    expect(err).not.toBeInstanceOf(SellifyTimeoutError);
    expect(server.received).toHaveLength(2);
  });

  it('throws SellifyNetworkError when nothing listens at the address', async () => {
    const { server } = await setup(() => created);
    await server.close();
    const client = new SellifyClient({ baseUrl: server.url, maxRetries: 0 });
    const err = await client.products.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SellifyNetworkError);
    expect((err as Error).message).toContain('ECONNREFUSED');
  });

  it('throws SellifyTimeoutError when the server never answers within timeoutMs', async () => {
    const { server, client } = await setup(() => 'hang', { timeoutMs: 100, maxRetries: 0 });
    const err = await client.products.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SellifyTimeoutError);
    expect(err).toBeInstanceOf(SellifyNetworkError);
    expect(err).toMatchObject({ timeoutMs: 100, method: 'GET' });
    expect(server.received).toHaveLength(1);
  });

  it('retries a timed-out POST with the same Idempotency-Key, then gets the answer', async () => {
    const { server, client } = await setup((n) => (n === 0 ? 'hang' : created), { timeoutMs: 100 });
    expect(await client.products.create(newProduct)).toEqual(PRODUCT);
    expect(server.received).toHaveLength(2);
    expect(server.received[1]?.headers['idempotency-key']).toBe(
      server.received[0]?.headers['idempotency-key'],
    );
  });

  it("rejects with the caller's AbortError, without retrying, when the caller aborts", async () => {
    const controller = new AbortController();
    const { server, client } = await setup(() => {
      controller.abort();
      return 'hang';
    });
    const err = await client.products.list(undefined, { signal: controller.signal }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AbortError' });
    expect(err).not.toBeInstanceOf(SellifyNetworkError);
    expect(server.received).toHaveLength(1);
  });

  it('stops waiting between attempts when the caller aborts during the backoff', async () => {
    const controller = new AbortController();
    const { server, client } = await setup(() => problemAnswer(503, 'unavailable'), {
      sleep: (ms, signal) => {
        controller.abort();
        return realSleep(ms, signal);
      },
    });
    const err = await client.products.list(undefined, { signal: controller.signal }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AbortError' });
    expect(server.received).toHaveLength(1);
  });

  it('turns an answer that is not problem+json into SellifyError http_error with the X-Request-Id header', async () => {
    const { client } = await setup(() => ({
      status: 400,
      headers: { 'content-type': 'text/html', 'x-request-id': 'req_proxy' },
      body: '<html>Bad gateway</html>',
    }));
    const err = await client.products.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SellifyError);
    expect(err).toMatchObject({ status: 400, code: 'http_error', requestId: 'req_proxy', errors: [] });
    expect((err as SellifyError).detail).toContain('Bad gateway');
  });
});

describe('requests', () => {
  it('refuses a base URL that is not http(s): a missing scheme is a programming error', () => {
    expect(() => new SellifyClient({ baseUrl: '127.0.0.1:3000' })).toThrow(TypeError);
  });

  it('sends the key as X-API-Key, query values and encoded path ids under the base URL path', async () => {
    const s = await scriptedServer(() => ({ status: 200, body: { items: [], nextCursor: null } }));
    servers.push(s);
    const c = new SellifyClient({
      baseUrl: `${s.url}/sellify/`,
      apiKey: 'sk_abc',
      headers: { 'x-tenant-hint': 'a' },
    });
    await c.contacts.list({ channelId: 'chn_1', limit: 2 }, { requestId: 'req_mine' });
    await c.contacts.history('ctc_1/../x', { cursor: 'abc' });
    expect(s.received.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /sellify/api/v1/contacts?channelId=chn_1&limit=2',
      'GET /sellify/api/v1/contacts/ctc_1%2F..%2Fx/messages?cursor=abc',
    ]);
    expect(s.received[0]?.headers).toMatchObject({
      'x-api-key': 'sk_abc',
      'x-request-id': 'req_mine',
      'x-tenant-hint': 'a',
    });
    expect(s.received[0]?.headers['content-type']).toBeUndefined();
  });

  it('walks every page of a list with for await, passing each nextCursor back', async () => {
    const pages = [
      { items: [{ ...PRODUCT, id: 'prd_1' }], nextCursor: 'c1' },
      { items: [{ ...PRODUCT, id: 'prd_2' }], nextCursor: 'c2' },
      { items: [{ ...PRODUCT, id: 'prd_3' }], nextCursor: null },
    ];
    const { server, client } = await setup((n) => ({ status: 200, body: pages[n] }));
    const ids: string[] = [];
    for await (const p of client.products.all({ limit: 1 })) ids.push(p.id);
    expect(ids).toEqual(['prd_1', 'prd_2', 'prd_3']);
    expect(server.received.map((r) => r.url)).toEqual([
      '/api/v1/products?limit=1',
      '/api/v1/products?limit=1&cursor=c1',
      '/api/v1/products?limit=1&cursor=c2',
    ]);
  });

  it('stops a pagination that would loop forever on a repeated cursor', async () => {
    const { client } = await setup(() => ({ status: 200, body: { items: [PRODUCT], nextCursor: 'same' } }));
    const walk = async () => {
      for await (const _ of client.products.all()) {
        // consume
      }
    };
    await expect(walk()).rejects.toThrow(/same cursor/);
  });
});
