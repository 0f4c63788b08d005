import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRealApp, OPEN_TIMEOUT_MS, type RealApp } from '../../../test/support/app.ts';
import type { Api } from '../routes/v1/common.ts';
import { packageVersion } from './openapi.ts';

interface Doc {
  openapi: string;
  info: { title: string; version: string };
  components: { securitySchemes: Record<string, unknown> };
  paths: Record<
    string,
    Record<
      string,
      {
        security?: unknown;
        requestBody?: { content: Record<string, { schema: unknown }> };
        responses: Record<string, { content?: Record<string, unknown> }>;
      }
    >
  >;
}

describe('openapiPlugin', () => {
  let real: RealApp;
  let app: Api;
  let doc: Doc;
  beforeAll(async () => {
    real = await buildRealApp();
    app = real.app;
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  }, OPEN_TIMEOUT_MS);
  afterAll(() => real.close());

  it('serves an OpenAPI 3.1 document titled Sellify with the configured version', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Sellify', version: '9.9.9-test' });
  });

  it('declares the X-API-Key header and bearer security schemes', () => {
    expect(doc.components.securitySchemes).toEqual({
      ApiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
      Bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
  });

  it('marks /api operations as needing a key and leaves /health public', () => {
    expect(doc.paths['/api/v1/products']?.post?.security).toEqual([{ ApiKey: [] }, { Bearer: [] }]);
    expect(doc.paths['/api/v1/products/{id}']?.get?.security).toEqual([{ ApiKey: [] }, { Bearer: [] }]);
    expect(doc.paths['/health']?.get?.security ?? []).toEqual([]);
  });

  it('renders TypeBox schemas as JSON Schema, nullable as a 3.1 null type', () => {
    const body = doc.paths['/api/v1/products']?.post?.requestBody?.content['application/json']?.schema;
    expect(body).toMatchObject({
      type: 'object',
      required: ['name', 'price', 'currency'],
      properties: {
        currency: { type: 'string', pattern: '^[A-Za-z]{3}$' },
        stock: { anyOf: [{ type: 'integer' }, { type: 'null' }] },
      },
    });
  });

  it('documents problem responses as application/problem+json', () => {
    const responses = doc.paths['/api/v1/products']?.post?.responses ?? {};
    expect(Object.keys(responses['400']?.content ?? {})).toEqual(['application/problem+json']);
    const problems = Object.entries(responses).filter(([status]) => Number(status) >= 400);
    expect(problems.length).toBeGreaterThan(1);
    for (const [status, response] of problems)
      expect(Object.keys(response.content ?? {}), status).toEqual(['application/problem+json']);
  });

  it('hides its own plumbing routes from the document', () => {
    expect(Object.keys(doc.paths)).not.toContain('/openapi.json');
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/docs'))).toBe(false);
  });

  it('serves the Swagger UI at /docs with its assets', async () => {
    const page = await app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('swagger-ui-bundle.js');
    expect((await app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' })).statusCode).toBe(
      200,
    );
    expect((await app.inject({ method: 'GET', url: '/docs/json' })).json().openapi).toBe('3.1.0');
  });

  it('reads the default version from package.json', () => {
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
