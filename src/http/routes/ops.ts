/**
 * Operational endpoints outside /api: `/health` (the process answers: never authenticated, never
 * rate limited, no database call, for load balancers), `/ready` (the database answers: 503
 * `unavailable` otherwise, for orchestrators deciding where to send traffic) and `/metrics`
 * (Prometheus text).
 *
 * `/metrics` describes the whole platform (every tenant's traffic, decisions and refusals), so only
 * the platform operator reads it: `Authorization: Bearer <SELLIFY_METRICS_TOKEN>` (what a Prometheus
 * scrape job sends), or an admin key of the default tenant (SELLIFY_API_KEY included). Any other
 * tenant's key, whatever its scopes, gets 403. With no token configured only the operator's admin
 * keys get in, so the default exposes nothing to tenants or anonymous callers.
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Db } from '../../store/index.ts';
import { ApiError, problemResponses } from '../errors.ts';
import type { Authenticator } from '../plugins/auth.ts';
import { API_KEY_SECURITY } from '../plugins/openapi.ts';
import type { Api } from './v1/common.ts';

export interface OpsOptions {
  db: Db;
  authenticator: Authenticator;
  /** SELLIFY_METRICS_TOKEN: a scraper's Bearer token, so Prometheus needs no API key. Default: none. */
  metricsToken?: string;
}

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

export function opsRoutes(app: Api, options: OpsOptions): void {
  const tokenDigest = options.metricsToken === undefined ? undefined : sha256(options.metricsToken);

  /** The metrics token, compared digest to digest in constant time; else a platform-operator admin key. */
  async function authorizeMetrics(req: FastifyRequest): Promise<void> {
    const bearer = BEARER.exec(req.headers.authorization ?? '')?.[1];
    if (tokenDigest !== undefined && bearer !== undefined && timingSafeEqual(sha256(bearer), tokenDigest))
      return;
    const principal = await options.authenticator.authenticate(req);
    if (!principal.platformAdmin)
      throw new ApiError(
        'forbidden',
        'Metrics cover the whole platform: only the operator reads them (Bearer SELLIFY_METRICS_TOKEN, or an admin key of the default tenant).',
      );
  }

  app.get(
    '/health',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process answers',
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: the database answers',
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ready') }), ...problemResponses('unavailable') },
      },
    },
    async () => {
      let ok = false;
      try {
        ok = await options.db.ping();
      } catch {
        ok = false;
      }
      if (!ok) throw new ApiError('unavailable', 'The database does not answer.');
      return { status: 'ready' as const };
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics (text exposition format)',
        description:
          'HTTP durations by route, decisions by action, engine refusals by reason, process metrics, for the whole platform. Bearer SELLIFY_METRICS_TOKEN, or an admin key of the default tenant (the platform operator); any other key gets 403.',
        security: API_KEY_SECURITY,
        produces: ['text/plain'],
        response: {
          200: Type.String({ description: 'Prometheus text format 0.0.4' }),
          ...problemResponses('unauthorized', 'forbidden', 'auth_rate_limited'),
        },
      },
    },
    async (req, reply) => {
      await authorizeMetrics(req);
      const metrics = req.server.metrics;
      return reply.type(metrics.contentType).send(await metrics.renderMetrics());
    },
  );
}
