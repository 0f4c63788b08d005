/**
 * Prometheus metrics. Each app gets its own prom-client Registry (never the global one), so two
 * apps in one process (tests, or API + worker) never collide on metric names. Exposed as
 * `app.metrics`; the decision route calls `app.metrics.decisions.inc({ action })` and
 * `app.metrics.engineRefusals.inc({ reason })`.
 */

import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface AppMetrics {
  readonly registry: Registry;
  /** Labels: method, route (the route template, `unmatched` for 404s, so ids never become labels), status_code. */
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  /** `sellify_decisions_total{action}`: decisions returned, by action (reply, send, defer, skip, handoff, block). */
  readonly decisions: Counter<'action'>;
  /** `sellify_engine_refusals_total{reason}`: refusals by reason code (`quota.daily_cap`). */
  readonly engineRefusals: Counter<'reason'>;
  /** `sellify_webhook_events_failed_total{transport}`: webhook events whose processing threw and that were parked. */
  readonly webhookEventsFailed: Counter<'transport'>;
  /** The text exposition format for a scrape. */
  renderMetrics(): Promise<string>;
  /** The Content-Type to serve renderMetrics() with. */
  readonly contentType: string;
}

export interface MetricsOptions {
  /** Also collect Node process metrics (CPU, memory, event loop lag, GC). Default true. */
  collectDefaultMetrics?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: AppMetrics;
  }
}

/** Seconds; spans a fast decision (a few ms) to a slow database call. */
export const HTTP_DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The metric set on a fresh registry; usable without Fastify (a worker process). */
export function createMetrics(options: MetricsOptions = {}): AppMetrics {
  const registry = new Registry();
  if (options.collectDefaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: HTTP_DURATION_BUCKETS_S,
    registers: [registry],
  });
  const decisions = new Counter({
    name: 'sellify_decisions_total',
    help: 'Decisions returned, by action.',
    labelNames: ['action'] as const,
    registers: [registry],
  });
  const engineRefusals = new Counter({
    name: 'sellify_engine_refusals_total',
    help: 'Engine refusals, by reason code.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const webhookEventsFailed = new Counter({
    name: 'sellify_webhook_events_failed_total',
    help: 'Webhook events whose processing failed and that were parked for replay, by transport.',
    labelNames: ['transport'] as const,
    registers: [registry],
  });
  return {
    registry,
    httpRequestDuration,
    decisions,
    engineRefusals,
    webhookEventsFailed,
    renderMetrics: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

const metricsImpl: FastifyPluginAsync<MetricsOptions> = async (app, options) => {
  const metrics = createMetrics(options);
  app.decorate('metrics', metrics);

  app.addHook('onResponse', async (req, reply) => {
    const route = req.is404 ? 'unmatched' : (req.routeOptions.url ?? 'unmatched');
    metrics.httpRequestDuration.observe(
      { method: req.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
};

export const metricsPlugin = fp(metricsImpl, { name: 'sellify-metrics', fastify: '5.x' });
