/**
 * What every endpoint shares: validation (unknown fields, bad JSON, body size, media type),
 * pagination limits, problem+json for every 4xx, request ids, security headers, CORS, the
 * OpenAPI document and /docs.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, ENV_KEY, problem, type World } from './helpers.ts';

let w: World;

beforeAll(async () => {
  w = await createWorld();
});

afterAll(async () => {
  await w.close();
});

describe('request validation', () => {
  const cases: {
    name: string;
    method: 'POST' | 'PATCH' | 'GET' | 'PUT';
    url: string;
    payload?: unknown;
    field: string;
  }[] = [
    {
      name: 'refuses an unknown top-level field and names it',
      method: 'POST',
      url: '/api/v1/products',
      payload: { name: 'Sac', price: 1, currency: 'XOF', colour: 'noir' },
      field: 'body.colour',
    },
    {
      name: 'refuses an unknown nested field of a decision context and names its path',
      method: 'POST',
      url: '/api/v1/decision',
      payload: { channel: { id: 'c', createdAt: '2026-01-01T00:00:00Z', colour: 'x' } },
      field: 'body.channel.colour',
    },
    {
      name: 'names a missing required field',
      method: 'POST',
      url: '/api/v1/channels',
      payload: { name: 'Main' },
      field: 'body.transport',
    },
    {
      name: 'refuses a string where a number is expected (bodies are never coerced)',
      method: 'POST',
      url: '/api/v1/products',
      payload: { name: 'Sac', price: '15000', currency: 'XOF' },
      field: 'body.price',
    },
    {
      name: 'refuses an unknown query parameter',
      method: 'GET',
      url: '/api/v1/products?sort=name',
      field: 'query.sort',
    },
    {
      name: 'refuses an id with the wrong prefix',
      method: 'GET',
      url: '/api/v1/products/chn_abc',
      field: 'params.id',
    },
    {
      name: 'refuses an unknown time zone',
      method: 'POST',
      url: '/api/v1/channels',
      payload: { name: 'Main', transport: 'cloud', timezone: 'Africa/Atlantis' },
      field: 'body.timezone',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const res = await w.call(c.method, c.url, w.a.admin, c.payload);
      expect(res.statusCode).toBe(400);
      const body = problem(res);
      expect(body.code).toBe('validation_failed');
      expect(body.errors?.map((e) => e.field)).toContain(c.field);
    });
  }

  it('answers invalid_json to a body that is not JSON', async () => {
    const res = await w.app.inject({
      method: 'POST',
      url: '/api/v1/products',
      headers: { 'x-api-key': w.a.admin, 'content-type': 'application/json' },
      payload: '{"name": "Sac",',
    });
    expect(res.statusCode).toBe(400);
    expect(problem(res).code).toBe('invalid_json');
  });

  it('answers body_too_large to a body over 256 KiB', async () => {
    const res = await w.call('POST', '/api/v1/validate', w.a.admin, { text: 'a'.repeat(300 * 1024) });
    expect(res.statusCode).toBe(413);
    expect(problem(res).code).toBe('body_too_large');
  });

  it('accepts a decision context with a large catalogue under 256 KiB', async () => {
    const catalog = Array.from({ length: 1500 }, (_, i) => ({
      id: `prd_${i}`,
      name: `Produit numéro ${i}`,
      aliases: [`article ${i}`],
      price: 1000 + i,
      currency: 'XOF',
    }));
    const payload = {
      now: '2026-11-27T10:15:00Z',
      channel: { id: 'chn_x', createdAt: '2026-10-01T08:00:00Z' },
      contact: { id: 'ctc_x', phone: '+2250701020304' },
      message: { id: 'm1', text: 'Prix du produit numéro 7 ?' },
      catalog,
    };
    expect(JSON.stringify(payload).length).toBeGreaterThan(100 * 1024);
    const res = await w.call('POST', '/api/v1/decision', w.a.admin, payload);
    expect(res.statusCode, res.body).toBe(200);
  });

  it('answers unsupported_media_type to a form body', async () => {
    const res = await w.app.inject({
      method: 'POST',
      url: '/api/v1/products',
      headers: { 'x-api-key': w.a.admin, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=Sac',
    });
    expect(res.statusCode).toBe(415);
    expect(problem(res).code).toBe('unsupported_media_type');
  });
});

describe('pagination', () => {
  beforeAll(async () => {
    for (let i = 0; i < 55; i++) {
      await w.store.tx(w.b.id, (r) =>
        r.products.create({ name: `P${String(i).padStart(2, '0')}`, price: i, currency: 'XOF' }),
      );
      await w.store.tx(w.b.id, (r) => r.decisions.insert({ action: 'skip', reasons: [] }));
    }
  });

  for (const url of ['/api/v1/products', '/api/v1/decisions']) {
    it(`${url}: returns 50 items by default, then the rest, each once`, async () => {
      const first = await w.call('GET', url, w.b.read);
      expect(first.json().items).toHaveLength(50);
      expect(first.json().nextCursor).toEqual(expect.any(String));
      const second = await w.call('GET', `${url}?cursor=${first.json().nextCursor}`, w.b.read);
      expect(second.json().items).toHaveLength(5);
      expect(second.json().nextCursor).toBeNull();
      const ids = [...first.json().items, ...second.json().items].map((i: { id: string }) => i.id);
      expect(new Set(ids).size).toBe(55);
    });

    it(`${url}: accepts limit=200 and refuses limit=201 naming query.limit`, async () => {
      expect((await w.call('GET', `${url}?limit=200`, w.b.read)).json().items).toHaveLength(55);
      const res = await w.call('GET', `${url}?limit=201`, w.b.read);
      expect(res.statusCode).toBe(400);
      expect(problem(res).errors?.[0]?.field).toBe('query.limit');
      expect((await w.call('GET', `${url}?limit=0`, w.b.read)).statusCode).toBe(400);
    });

    it(`${url}: refuses a cursor it did not issue`, async () => {
      const res = await w.call('GET', `${url}?cursor=bm90LWEtY3Vyc29y`, w.b.read);
      expect(res.statusCode).toBe(400);
      expect(problem(res).errors?.[0]?.field).toBe('query.cursor');
    });
  }
});

describe('every 4xx is problem+json with a code and the request id', () => {
  const cases: {
    name: string;
    run: () => Promise<import('fastify').LightMyRequestResponse>;
    code: string;
  }[] = [
    {
      name: 'unknown path',
      run: () => w.call('GET', '/api/v1/nothing-here', w.a.admin),
      code: 'route_not_found',
    },
    {
      name: 'wrong method',
      run: () => w.call('PUT', '/api/v1/products', w.a.admin, {}),
      code: 'method_not_allowed',
    },
    { name: 'no key', run: () => w.call('GET', '/api/v1/products', null), code: 'unauthorized' },
    {
      name: 'missing scope',
      run: () => w.call('POST', '/api/v1/keys', w.a.write, { name: 'x', scopes: ['read'] }),
      code: 'forbidden',
    },
    {
      name: 'unknown object',
      run: () => w.call('GET', '/api/v1/products/prd_doesnotexist', w.a.read),
      code: 'not_found',
    },
    {
      name: 'bad body',
      run: () => w.call('POST', '/api/v1/products', w.a.write, {}),
      code: 'validation_failed',
    },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.code}`, async () => {
      const res = await c.run();
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      const body = problem(res);
      expect(body.code).toBe(c.code);
      expect(body.requestId).toBe(res.headers['x-request-id']);
    });
  }

  it('puts a request id on successful responses too', async () => {
    const res = await w.call('GET', '/api/v1/products', w.a.read);
    expect(res.headers['x-request-id']).toMatch(/^req_[0-9A-Za-z]{24}$/);
  });
});

describe('response headers', () => {
  it('sends no-store and the security headers under /api', async () => {
    const res = await w.call('GET', '/api/v1/products', w.a.read);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('sends no CORS headers when no origin is configured', async () => {
    const res = await w.app.inject({
      method: 'GET',
      url: '/api/v1/products',
      headers: { 'x-api-key': w.a.read, origin: 'https://shop.example' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers a preflight from a configured origin', async () => {
    const cors = await createWorld({}, { corsOrigins: ['https://shop.example'] });
    try {
      const res = await cors.app.inject({
        method: 'OPTIONS',
        url: '/api/v1/products',
        headers: {
          origin: 'https://shop.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'x-api-key,idempotency-key',
        },
      });
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('https://shop.example');
      expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain('idempotency-key');
      const other = await cors.app.inject({
        method: 'OPTIONS',
        url: '/api/v1/products',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await cors.close();
    }
  });
});

describe('OpenAPI and docs', () => {
  interface Operation {
    responses?: Record<string, unknown>;
    security?: unknown[];
    parameters?: { name: string; in: string }[];
    requestBody?: { content?: Record<string, { schema?: unknown }> };
  }
  let doc: {
    openapi: string;
    info: { title: string; version: string };
    paths: Record<string, Record<string, Operation>>;
  };

  beforeAll(async () => {
    doc = (await w.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  });

  it('is an OpenAPI 3.1 document with title and version', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toEqual(expect.objectContaining({ title: 'Sellify', version: '0.0.0-test' }));
  });

  it('lists every authenticated route and the operational ones', () => {
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      ),
    );
    const expected = [
      ...w.app.auth.routes.map((r) => `${r.method} ${r.url}`),
      'GET /health',
      'GET /ready',
      'GET /metrics',
    ];
    expect(expected.filter((r) => !documented.has(r))).toEqual([]);
  });

  it('gives every operation a success response, and /api operations the API-key security', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const codes = Object.keys(op.responses ?? {});
        expect(
          codes.some((c) => c.startsWith('2')),
          `${method} ${path}`,
        ).toBe(true);
        if (path.startsWith('/api/'))
          expect(op.security, `${method} ${path}`).toEqual([{ ApiKey: [] }, { Bearer: [] }]);
        for (const p of op.parameters ?? []) expect(['path', 'query', 'header']).toContain(p.in);
      }
    }
  });

  it('describes request bodies with their schema and refuses unknown fields in them', () => {
    const body = doc.paths['/api/v1/products']?.post?.requestBody?.content?.['application/json']?.schema as {
      additionalProperties?: boolean;
      required?: string[];
    };
    expect(body.additionalProperties).toBe(false);
    expect(body.required).toEqual(expect.arrayContaining(['name', 'price', 'currency']));
  });

  it('serves the Swagger UI as HTML at /docs', async () => {
    const res = await w.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body.toLowerCase()).toContain('swagger');
  });
});

describe('SELLIFY_API_KEY', () => {
  it('is an admin key of the default tenant that may create tenants', async () => {
    const res = await w.call('POST', '/api/v1/tenants', ENV_KEY, { name: 'Boutique C' });
    expect(res.statusCode).toBe(201);
    expect(res.json().id).toMatch(/^ten_/);
  });
});
