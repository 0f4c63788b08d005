/**
 * Prometheus metrics. Each app gets its own prom-client Registry (never the global one), so two
 * apps in one process (tests) never collide on metric names. The composition root creates one set
 * per process and gives it to the app (`app.metrics`) and to the pipelines, so a scrape shows the
 * API's requests and the worker's sends together. Decisions are counted by `recordDecision`
 * wherever they are taken: the advisor route, webhooks and follow-ups.
 */

import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { QueueStat } from '../../queue/index.ts';

export interface AppMetrics {
  readonly registry: Registry;
  /** Labels: method, route (the route template, `unmatched` for 404s, so ids never become labels), status_code. */
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  /**
   * `sellify_decisions_total{mode,action}`: decisions taken, by mode (`advisor`: POST /decision;
   * `webhook`: an inbound message; `followup`: a follow-up job) and action (reply, send, defer, …).
   */
  readonly decisions: Counter<'mode' | 'action'>;
  /** `sellify_engine_refusals_total{reason}`: refusals by reason code (`quota.daily_cap`). */
  readonly engineRefusals: Counter<'reason'>;
  /** `sellify_webhook_events_failed_total{transport}`: webhook events whose processing threw and that were parked. */
  readonly webhookEventsFailed: Counter<'transport'>;
  /** `sellify_sends_total{outcome}`: send attempts by outcome (`sent`, a transport error class, `worker_error`). */
  readonly sends: Counter<'outcome'>;
  /**
   * `sellify_webhook_batches_total{outcome}`: ingestion batches (src/pipeline/batch.ts), `committed`
   * or `fell_back` (the batch failed and its webhooks were processed one by one).
   */
  readonly webhookBatches: Counter<'outcome'>;
  /** `sellify_webhook_batch_events`: events per ingestion batch. */
  readonly webhookBatchEvents: Histogram;
  /**
   * Where `sellify_queue_jobs{queue,state}` and `sellify_dead_letters{queue}` are read from at each
   * scrape (one query). Unset: those gauges are absent.
   */
  setQueueStats(read: () => Promise<QueueStat[]>): void;
  /** The text exposition format for a scrape. */
  renderMetrics(): Promise<string>;
  /** The Content-Type to serve renderMetrics() with. */
  readonly contentType: string;
}

export interface MetricsOptions {
  /** Also collect Node process metrics (CPU, memory, event loop lag, GC). Default true. */
  collectDefaultMetrics?: boolean;
}

export interface MetricsPluginOptions extends MetricsOptions {
  /** The process's metric set (shared with the worker). Default: a fresh one. */
  metrics?: AppMetrics;
}

export type DecisionMode = 'advisor' | 'webhook' | 'followup';

/** The parts of a decision the metrics read. */
interface CountedDecision {
  action: string;
  verdicts: object;
}

/** Refusals by reason code: the reasons of every engine verdict that said no. */
export function refusalReasons(decision: CountedDecision): string[] {
  const codes: string[] = [];
  for (const verdict of Object.values(decision.verdicts) as {
    allowed?: unknown;
    reasons?: { code: string }[];
  }[]) {
    if (verdict?.allowed !== false) continue;
    for (const r of verdict.reasons ?? []) if (!r.code.endsWith('.ok')) codes.push(r.code);
  }
  return codes;
}

/** Counts one decision and its engines' refusals. */
export function recordDecision(metrics: AppMetrics, mode: DecisionMode, decision: CountedDecision): void {
  metrics.decisions.inc({ mode, action: decision.action });
  for (const reason of refusalReasons(decision)) metrics.engineRefusals.inc({ reason });
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
    help: 'Decisions taken, by mode (advisor, webhook, followup) and action.',
    labelNames: ['mode', 'action'] as const,
    registers: [registry],
  });
  const sends = new Counter({
    name: 'sellify_sends_total',
    help: 'Send attempts by outcome: sent, a transport error class (retry, defer, account, window, unreachable, permanent) or worker_error.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  let readQueueStats: (() => Promise<QueueStat[]>) | undefined;
  // One query per scrape serves both gauges: the first collect() starts it, the second reuses it.
  let pending: Promise<QueueStat[]> | undefined;
  const queueStats = (): Promise<QueueStat[]> => {
    if (readQueueStats === undefined) return Promise.resolve([]);
    pending ??= readQueueStats().finally(() => {
      setImmediate(() => {
        pending = undefined;
      });
    });
    return pending;
  };
  new Gauge({
    name: 'sellify_queue_jobs',
    help: 'Jobs waiting (created, retry) and running (active), by queue.',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const stat of await queueStats())
        if (stat.state !== 'dead') this.set({ queue: stat.queue, state: stat.state }, stat.count);
    },
  });
  new Gauge({
    name: 'sellify_dead_letters',
    help: 'Jobs that failed their last attempt and wait in a dead-letter queue (list and replay: sellify dead-letters).',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const stat of await queueStats())
        if (stat.state === 'dead') this.set({ queue: stat.queue }, stat.count);
    },
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
  const webhookBatches = new Counter({
    name: 'sellify_webhook_batches_total',
    help: 'Webhook ingestion batches, committed together or fallen back to one transaction per event.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const webhookBatchEvents = new Histogram({
    name: 'sellify_webhook_batch_events',
    help: 'Events per webhook ingestion batch (one shared transaction).',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [registry],
  });
  return {
    registry,
    httpRequestDuration,
    decisions,
    engineRefusals,
    webhookEventsFailed,
    sends,
    webhookBatches,
    webhookBatchEvents,
    setQueueStats(read) {
      readQueueStats = read;
    },
    renderMetrics: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

const metricsImpl: FastifyPluginAsync<MetricsPluginOptions> = async (app, options) => {
  const metrics = options.metrics ?? createMetrics(options);
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
