import { fastifyHelmet } from '@fastify/helmet';
import { fastify } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildRealApp, OPEN_TIMEOUT_MS, type RealApp } from '../../../test/support/app.ts';
import type { Api } from '../routes/v1/common.ts';
import { DOCS_CSP, HELMET_OPTIONS, helmetHeaders, securityPlugin } from './security.ts';

describe('securityPlugin without CORS origins', () => {
  let real: RealApp;
  let app: Api;
  beforeAll(async () => {
    real = await buildRealApp({ config: { corsOrigins: [] } });
    app = real.app;
  }, OPEN_TIMEOUT_MS);
  afterAll(() => real.close());
  afterEach(() => real.failTransactions(undefined));

  it('sends the API headers: deny-all CSP, no framing, nosniff, no referrer, HSTS', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.headers).toMatchObject({
      'content-security-policy':
        "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'",
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
    });
  });

  it('gives the Swagger UI its own CSP allowing same-origin scripts and styles', async () => {
    for (const url of ['/docs', '/docs/', '/docs/static/swagger-ui.css']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-security-policy'], url).toBe(DOCS_CSP);
    }
  });

  it('marks /api responses, errors included, Cache-Control: no-store', async () => {
    for (const url of ['/api/v1/products', '/api/v1/products/prd_other', '/api/v1/nope']) {
      const res = await app.inject({ method: 'GET', url, headers: real.auth });
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
    real.failTransactions(new Error('database down'));
    const failed = await app.inject({ method: 'GET', url: '/api/v1/products', headers: real.auth });
    expect(failed.statusCode).toBe(500);
    expect(failed.headers['cache-control']).toBe('no-store');
  });

  it('leaves caching of paths outside /api (such as /apidocs) alone', async () => {
    for (const url of ['/health', '/apidocs']) {
      expect((await app.inject({ method: 'GET', url })).headers['cache-control'], url).toBeUndefined();
    }
  });

  it('sends no CORS headers when no origin is configured', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/health',
      headers: { origin: 'https://evil.example' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('securityPlugin with CORS origins', () => {
  let real: RealApp;
  let app: Api;
  beforeAll(async () => {
    real = await buildRealApp({ config: { corsOrigins: ['https://shop.example', 'http://localhost:5173'] } });
    app = real.app;
  }, OPEN_TIMEOUT_MS);
  afterAll(() => real.close());

  it('allows a configured origin and exposes the request id and rate limit headers', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/health',
      headers: { origin: 'https://shop.example' },
    });
    expect(res.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect(String(res.headers['access-control-expose-headers'])).toContain('X-Request-Id');
    expect(String(res.headers['access-control-expose-headers'])).toContain('Retry-After');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('gives no allow-origin to an origin that is not configured', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/health',
      headers: { origin: 'https://evil.example' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers a preflight for an allowed origin with the API key header allowed', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/products',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-api-key,content-type',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(String(res.headers['access-control-allow-headers'])).toContain('X-API-Key');
  });

  it('still answers 404 (not 405) for an unknown path although CORS routes OPTIONS everywhere', async () => {
    expect((await app.inject({ method: 'GET', url: '/nowhere' })).statusCode).toBe(404);
  });
});

describe('securityPlugin options', () => {
  const bad = ['https://shop.example/', 'shop.example', 'https://shop.example/path', ''];
  for (const origin of bad) {
    it(`refuses to start with the CORS origin ${JSON.stringify(origin)}`, async () => {
      const app = fastify({ logger: false });
      await expect(app.register(securityPlugin, { corsOrigins: [origin] }).ready()).rejects.toThrow(
        /not an origin/,
      );
      await app.close();
    });
  }

  it('accepts `*` for any origin', async () => {
    const app = fastify({ logger: false });
    await app.register(securityPlugin, { corsOrigins: ['*'] });
    app.get('/x', async () => 'ok');
    const res = await app.inject({ method: 'GET', url: '/x', headers: { origin: 'https://any.example' } });
    expect(res.headers['access-control-allow-origin']).toBe('*');
    await app.close();
  });
});

describe('helmet headers computed once', () => {
  /** Response headers of a bare app, without the ones every response has anyway. */
  async function headersOf(register: (app: ReturnType<typeof fastify>) => Promise<void>) {
    const app = fastify();
    await register(app);
    app.get('/x', async () => ({ ok: true }));
    app.post('/x', async () => ({ ok: true }));
    try {
      const got: Record<string, unknown>[] = [];
      for (const method of ['GET', 'POST'] as const) {
        const res = await app.inject({ method, url: '/x', payload: method === 'POST' ? {} : undefined });
        const { date: _date, 'content-length': _length, ...rest } = res.headers;
        got.push(rest);
      }
      return got;
    } finally {
      await app.close();
    }
  }

  it('sends exactly the headers @fastify/helmet sends for the same options, on every request', async () => {
    const ours = await headersOf(async (app) => {
      await app.register(securityPlugin, { apiPrefix: '/api', docsPrefix: '/docs' });
    });
    const theirs = await headersOf(async (app) => {
      await app.register(fastifyHelmet, { global: true, ...HELMET_OPTIONS });
    });
    expect(ours).toEqual(theirs);
    expect(Object.keys(ours[0] ?? {})).toContain('content-security-policy');
  });

  it('refuses options whose headers would depend on the request', () => {
    expect(() =>
      helmetHeaders({
        contentSecurityPolicy: { directives: { scriptSrc: [(req) => String(req.headers.host)] } },
      }),
    ).toThrow(/per request/);
  });
});
