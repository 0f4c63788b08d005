/**
 * A small app for the plugin tests: every platform plugin, registered in the order app.ts should
 * use, plus a few dummy routes with TypeBox schemas. Not used in production.
 */

import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { type FastifyInstance, type FastifyRequest, fastify } from 'fastify';
import { createMemoryLimiter } from '../../ratelimit/memory.ts';
import type { RateLimiter } from '../../ratelimit/types.ts';
import { ApiError, problemResponses } from '../errors.ts';
import { errorsPlugin, frameworkErrors } from './errors.ts';
import { metricsPlugin } from './metrics.ts';
import { openapiPlugin } from './openapi.ts';
import { enforceRateLimit, type RateLimitKey, rateLimitPlugin } from './rate-limit.ts';
import { genReqId, requestIdPlugin } from './request-id.ts';
import { securityPlugin } from './security.ts';

export interface TestAppOptions {
  corsOrigins?: string[];
  limiter?: RateLimiter;
  authFailureLimiter?: RateLimiter;
  keyFor?: (req: FastifyRequest) => RateLimitKey | null;
  metricsAuthorize?: (req: FastifyRequest) => boolean;
  bodyLimit?: number;
  /** Receives the JSON log lines (info and above); default no logging. */
  logStream?: { write(line: string): void };
}

export async function buildTestApp(options: TestAppOptions = {}): Promise<FastifyInstance> {
  const app = fastify({
    logger: options.logStream ? { level: 'info', stream: options.logStream } : false,
    genReqId,
    frameworkErrors,
    bodyLimit: options.bodyLimit ?? 1024,
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(errorsPlugin);
  await app.register(requestIdPlugin);
  await app.register(securityPlugin, options.corsOrigins ? { corsOrigins: options.corsOrigins } : {});
  await app.register(rateLimitPlugin, {
    limiter: options.limiter ?? createMemoryLimiter(),
    ...(options.authFailureLimiter ? { authFailureLimiter: options.authFailureLimiter } : {}),
    ...(options.keyFor ? { keyFor: options.keyFor } : {}),
  });
  await app.register(
    metricsPlugin,
    options.metricsAuthorize
      ? { collectDefaultMetrics: false, route: { authorize: options.metricsAuthorize } }
      : { collectDefaultMetrics: false },
  );
  await app.register(openapiPlugin, { version: '9.9.9-test' });

  app.get('/health', { schema: { response: { 200: Type.Object({ ok: Type.Boolean() }) } } }, async () => ({
    ok: true,
  }));

  const ChannelBody = Type.Object({
    name: Type.String({ minLength: 1 }),
    channel: Type.Object({ createdAt: Type.String({ format: 'date-time' }) }),
    note: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    items: Type.Optional(Type.Array(Type.Object({ sku: Type.String({ minLength: 1 }) }))),
  });
  app.post(
    '/api/v1/channels',
    {
      schema: {
        tags: ['channels'],
        body: ChannelBody,
        response: {
          201: Type.Object({ id: Type.String() }),
          ...problemResponses('validation_failed', 'conflict'),
        },
      },
    },
    async (req, reply) => {
      if (req.body.name === 'taken') throw new ApiError('conflict', 'A channel with this name exists.');
      return reply.code(201).send({ id: 'chn_test' });
    },
  );

  const IdParams = Type.Object({ id: Type.String({ pattern: '^chn_[0-9A-Za-z]+$' }) });
  app.get('/api/v1/channels/:id', { schema: { params: IdParams } }, async (req) => {
    if (req.params.id !== 'chn_known') throw new ApiError('not_found', 'No such channel.');
    return { id: req.params.id };
  });
  app.delete('/api/v1/channels/:id', { schema: { params: IdParams } }, async (_req, reply) =>
    reply.code(204).send(),
  );

  app.get(
    '/api/v1/items',
    { schema: { querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 100 }) }) } },
    async (req) => ({ limit: req.query.limit }),
  );

  app.get('/api/v1/boom', async () => {
    throw new Error('connection to postgres://admin:hunter2@db failed');
  });
  app.get('/api/v1/handler-syntax-error', async () => JSON.parse('{not json'));
  app.get('/api/v1/unavailable', async () => {
    throw new ApiError('unavailable');
  });
  app.get('/api/v1/teapot', async () => {
    throw Object.assign(new Error('I am a teapot with a secret'), { statusCode: 418 });
  });

  app.get('/api/v1/limited', async (req, reply) => {
    await enforceRateLimit(req, reply, 'key:test', 2);
    return { ok: true };
  });

  // A custom parser that throws SyntaxError, as a webhook's raw-body parser might.
  app.addContentTypeParser('application/vnd.sellify.raw+json', { parseAs: 'string' }, (_req, body, done) => {
    done(null, JSON.parse(String(body)));
  });
  app.post('/webhooks/raw', async (req) => ({ received: typeof req.body }));

  await app.ready();
  return app;
}
