import type { InjectOptions } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildRealApp, OPEN_TIMEOUT_MS, type RealApp } from '../../../test/support/app.ts';
import { ConflictError } from '../../store/index.ts';
import { ApiError, ERROR_CATALOGUE, type ErrorCode, PROBLEM_TYPE_BASE, problemBody } from '../errors.ts';
import { classifyError } from './errors.ts';
import { RouteTable } from './route-table.ts';

describe('ApiError', () => {
  it('takes status and title from the catalogue and defaults the detail to the description', () => {
    const e = new ApiError('forbidden');
    expect(e).toMatchObject({
      code: 'forbidden',
      status: 403,
      statusCode: 403,
      detail: ERROR_CATALOGUE.forbidden.description,
    });
    expect(e.headers).toEqual({});
    expect(e.errors).toBeUndefined();
  });

  it('keeps a given detail, field errors and headers', () => {
    const e = new ApiError('rate_limited', 'slow down', {
      errors: [{ field: 'body.x', message: 'bad' }],
      headers: { 'retry-after': '3' },
    });
    expect(e).toMatchObject({
      detail: 'slow down',
      errors: [{ field: 'body.x', message: 'bad' }],
      headers: { 'retry-after': '3' },
    });
  });
});

describe('problemBody', () => {
  it('builds the problem+json shape with the type URL, status and request id', () => {
    expect(problemBody('conflict', 'req_1', 'dup')).toEqual({
      type: `${PROBLEM_TYPE_BASE}conflict`,
      title: 'Conflict',
      status: 409,
      code: 'conflict',
      detail: 'dup',
      requestId: 'req_1',
    });
  });

  it('omits `errors` when there are none', () => {
    expect(problemBody('validation_failed', 'req_1', 'x', [])).not.toHaveProperty('errors');
  });
});

describe('classifyError', () => {
  const validation = Object.assign(new Error('body/x must be string'), {
    validation: [
      { keyword: 'type', instancePath: '/a/0/b~1c', schemaPath: '#', params: {}, message: 'must be string' },
    ],
    validationContext: 'body',
  });
  const cases: { name: string; error: unknown; beforeBodyParsed?: boolean; want: ErrorCode }[] = [
    { name: 'an ApiError keeps its code', error: new ApiError('channel_paused'), want: 'channel_paused' },
    { name: 'a schema violation is validation_failed', error: validation, want: 'validation_failed' },
    {
      name: 'an unknown media type is unsupported_media_type',
      error: { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 },
      want: 'unsupported_media_type',
    },
    {
      name: 'an oversized body is body_too_large',
      error: { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 },
      want: 'body_too_large',
    },
    {
      name: 'an empty JSON body is invalid_json',
      error: { code: 'FST_ERR_CTP_EMPTY_JSON_BODY', statusCode: 400 },
      want: 'invalid_json',
    },
    {
      name: 'a JSON syntax error from the default parser is invalid_json',
      error: { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 },
      want: 'invalid_json',
    },
    {
      name: 'a SyntaxError before the body parsed is invalid_json',
      error: new SyntaxError('x'),
      beforeBodyParsed: true,
      want: 'invalid_json',
    },
    {
      name: 'a SyntaxError from a handler is internal_error (our bug, not the caller’s)',
      error: new SyntaxError('x'),
      want: 'internal_error',
    },
    { name: 'a library 404 maps by status', error: { statusCode: 404 }, want: 'not_found' },
    { name: 'an unlisted 4xx is bad_request', error: { statusCode: 418 }, want: 'bad_request' },
    { name: 'a 429 from elsewhere is rate_limited', error: { statusCode: 429 }, want: 'rate_limited' },
    { name: 'a 503 is unavailable', error: { statusCode: 503 }, want: 'unavailable' },
    { name: 'a 502 is internal_error', error: { statusCode: 502 }, want: 'internal_error' },
    { name: 'a plain Error is internal_error', error: new Error('boom'), want: 'internal_error' },
    { name: 'a thrown string is internal_error', error: 'boom', want: 'internal_error' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(classifyError(c.error, c.beforeBodyParsed).code).toBe(c.want);
    });
  }

  it('names fields as <part>.<path> with array indices and JSON-pointer escapes decoded', () => {
    expect(classifyError(validation).errors).toEqual([{ field: 'body.a[0].b/c', message: 'must be string' }]);
  });

  it('names the missing property of a `required` error', () => {
    const e = {
      validation: [
        {
          keyword: 'required',
          instancePath: '/channel',
          schemaPath: '#',
          params: { missingProperty: 'createdAt' },
        },
      ],
      validationContext: 'body',
    };
    expect(classifyError(e).errors).toEqual([{ field: 'body.channel.createdAt', message: 'is required' }]);
  });
});

describe('RouteTable', () => {
  const table = new RouteTable();
  table.add(['GET', 'HEAD'], '/api/v1/channels/:id');
  table.add('DELETE', '/api/v1/channels/:id');
  table.add('POST', '/api/v1/channels');
  table.add('GET', '/files/*');
  table.add('GET', '/range/:from-:to');
  const cases: { path: string; want: string[] }[] = [
    { path: '/api/v1/channels/chn_1', want: ['DELETE', 'GET', 'HEAD'] },
    { path: '/api/v1/channels/chn_1?x=1', want: ['DELETE', 'GET', 'HEAD'] },
    { path: '/api/v1/channels', want: ['POST'] },
    { path: '/api/v1/channels/', want: [] },
    { path: '/api/v1/channels/a/b', want: [] },
    { path: '/files/a/b/c', want: ['GET'] },
    { path: '/range/1-2', want: ['GET'] },
    { path: '/nope', want: [] },
  ];
  for (const c of cases) {
    it(`lists ${JSON.stringify(c.want)} for ${c.path}`, () => {
      expect(table.methodsFor(c.path)).toEqual(c.want);
    });
  }
});

describe('errorsPlugin through inject (the real app)', () => {
  const logLines: string[] = [];
  let real: RealApp;
  beforeAll(async () => {
    real = await buildRealApp({
      config: { apiBodyLimitBytes: 1024 },
      logStream: { write: (line) => logLines.push(line) },
    });
  }, OPEN_TIMEOUT_MS);
  afterAll(() => real.close());
  afterEach(() => real.failTransactions(undefined));

  const json = { 'content-type': 'application/json' };
  const validBody = { name: 'Sac noir', price: 15_000, currency: 'XOF' };
  const cases: {
    name: string;
    request: InjectOptions;
    /** What the database throws while the request runs (a failure no request can cause). */
    storeThrows?: unknown;
    want: { code: ErrorCode; fields?: string[]; headers?: Record<string, string> };
  }[] = [
    {
      name: 'a missing field is validation_failed naming body.price',
      request: { method: 'POST', url: '/api/v1/products', payload: { name: 'x', currency: 'XOF' } },
      want: { code: 'validation_failed', fields: ['body.price'] },
    },
    {
      name: 'a wrongly formatted field is validation_failed naming it',
      request: { method: 'POST', url: '/api/v1/products', payload: { ...validBody, currency: 'francs' } },
      want: { code: 'validation_failed', fields: ['body.currency'] },
    },
    {
      name: 'a bad nested array element is named with its path and index',
      request: {
        method: 'POST',
        url: '/api/v1/products',
        payload: { ...validBody, variants: { size: ['39', ''] } },
      },
      want: { code: 'validation_failed', fields: ['body.variants.size[1]'] },
    },
    {
      name: 'a query parameter out of range is validation_failed naming query.limit',
      request: { method: 'GET', url: '/api/v1/products?limit=0' },
      want: { code: 'validation_failed', fields: ['query.limit'] },
    },
    {
      name: 'a path parameter of the wrong shape is validation_failed naming params.id',
      request: { method: 'GET', url: '/api/v1/products/nope' },
      want: { code: 'validation_failed', fields: ['params.id'] },
    },
    {
      name: 'malformed JSON is invalid_json',
      request: { method: 'POST', url: '/api/v1/products', payload: '{"name": ', headers: json },
      want: { code: 'invalid_json' },
    },
    {
      name: 'an empty JSON body is invalid_json',
      request: { method: 'POST', url: '/api/v1/products', payload: '', headers: json },
      want: { code: 'invalid_json' },
    },
    {
      name: 'a prototype-poisoning body is invalid_json',
      request: { method: 'POST', url: '/api/v1/products', payload: '{"__proto__": {"x": 1}}', headers: json },
      want: { code: 'invalid_json' },
    },
    {
      name: 'an XML body is unsupported_media_type',
      request: {
        method: 'POST',
        url: '/api/v1/products',
        payload: '<x/>',
        headers: { 'content-type': 'application/xml' },
      },
      want: { code: 'unsupported_media_type' },
    },
    {
      name: 'a body over the limit is body_too_large',
      request: {
        method: 'POST',
        url: '/api/v1/products',
        payload: JSON.stringify({ name: 'x'.repeat(2000) }),
        headers: json,
      },
      want: { code: 'body_too_large' },
    },
    {
      name: 'an unknown path is route_not_found',
      request: { method: 'GET', url: '/api/v1/nothing-here' },
      want: { code: 'route_not_found' },
    },
    {
      name: 'a known path with the wrong method is method_not_allowed with an Allow header',
      request: { method: 'POST', url: '/api/v1/products/prd_known' },
      want: { code: 'method_not_allowed', headers: { allow: 'DELETE, GET, HEAD, PATCH' } },
    },
    {
      name: 'an ApiError thrown by a route keeps its code',
      request: { method: 'GET', url: '/api/v1/products/prd_unknown' },
      want: { code: 'not_found' },
    },
    {
      name: "the store's conflict keeps its code",
      request: { method: 'POST', url: '/api/v1/products', payload: validBody },
      storeThrows: new ConflictError('a product with this name exists'),
      want: { code: 'conflict' },
    },
    {
      name: 'an ApiError unavailable is a 503',
      request: { method: 'POST', url: '/api/v1/failed-events/fev_unknown/replay' },
      want: { code: 'unavailable' },
    },
    {
      name: 'an unexpected error is internal_error',
      request: { method: 'GET', url: '/api/v1/products' },
      storeThrows: new Error('connection to postgres://admin:hunter2@db failed'),
      want: { code: 'internal_error' },
    },
    {
      name: 'a SyntaxError thrown while handling is internal_error',
      request: { method: 'GET', url: '/api/v1/products' },
      storeThrows: new SyntaxError('Unexpected token n in JSON'),
      want: { code: 'internal_error' },
    },
    {
      name: 'a URL that does not decode is bad_request (framework error)',
      request: { method: 'GET', url: '/api/v1/products/%E0%A4%A' },
      want: { code: 'bad_request' },
    },
    {
      name: 'an over-long path parameter is uri_too_long (framework error)',
      request: { method: 'GET', url: `/api/v1/products/prd_${'a'.repeat(150)}` },
      want: { code: 'uri_too_long' },
    },
  ];

  const send = (c: (typeof cases)[number]) => {
    real.failTransactions(c.storeThrows);
    return real.app.inject({ ...c.request, headers: { ...real.auth, ...c.request.headers } });
  };

  for (const c of cases) {
    it(`${c.name} (${ERROR_CATALOGUE[c.want.code].status})`, async () => {
      const res = await send(c);
      const body = res.json();
      const requestId = res.headers['x-request-id'];
      expect(res.statusCode).toBe(ERROR_CATALOGUE[c.want.code].status);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(requestId).toMatch(/^req_[0-9A-Za-z]{24}$/);
      expect(body).toMatchObject({
        type: `https://sellify.dev/errors/${c.want.code}`,
        title: ERROR_CATALOGUE[c.want.code].title,
        status: ERROR_CATALOGUE[c.want.code].status,
        code: c.want.code,
        requestId,
      });
      expect(typeof body.detail).toBe('string');
      if (c.want.fields) expect(body.errors.map((e: { field: string }) => e.field)).toEqual(c.want.fields);
      else expect(body).not.toHaveProperty('errors');
      for (const [k, v] of Object.entries(c.want.headers ?? {})) expect(res.headers[k]).toBe(v);
    });
  }

  it('never answers 5xx to any of the client mistakes above', async () => {
    const client = cases.filter(
      (c) => ERROR_CATALOGUE[c.want.code].status < 500 && c.storeThrows === undefined,
    );
    for (const c of client) expect((await send(c)).statusCode).toBeLessThan(500);
  });

  it('never sends the message or stack of an unexpected error, but logs both with the request id', async () => {
    logLines.length = 0;
    real.failTransactions(new Error('connection to postgres://admin:hunter2@db failed'));
    const res = await real.app.inject({ method: 'GET', url: '/api/v1/products', headers: real.auth });
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('postgres');
    expect(Object.keys(res.json()).sort()).toEqual([
      'code',
      'detail',
      'requestId',
      'status',
      'title',
      'type',
    ]);
    const logged = logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request failed');
    expect(logged).toMatchObject({
      requestId: res.headers['x-request-id'],
      code: 'internal_error',
      level: 50,
    });
    expect(logged.err.message).toContain('hunter2');
    expect(logged.err.stack).toContain('Error');
  });

  it('does not echo the message of a library error with an unlisted 4xx status', async () => {
    real.failTransactions(Object.assign(new Error('I am a teapot with a secret'), { statusCode: 418 }));
    const res = await real.app.inject({ method: 'GET', url: '/api/v1/products', headers: real.auth });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('bad_request');
    expect(res.body).not.toContain('secret');
  });

  it('lets a valid request through untouched', async () => {
    const res = await real.app.inject({
      method: 'POST',
      url: '/api/v1/products',
      payload: validBody,
      headers: real.auth,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name: 'Sac noir', price: 15_000 });
  });
});
