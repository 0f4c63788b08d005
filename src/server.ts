/**
 * The composition root: from a Config to a running process. Opens the database, loads the
 * encryption keys, runs the start-up steps (src/bootstrap.ts), then starts a list of services (the
 * HTTP API, the worker, housekeeping) and stops them in reverse order on SIGTERM or SIGINT: the
 * API stops accepting connections and drains the requests in flight, the queue drains the jobs in
 * flight, then the database closes.
 */

import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type BootstrapOutput, bootstrap, loud, shownPath } from './bootstrap.ts';
import type { Config } from './config.ts';
import { DEV_KEY_FILE, ENCRYPTION_KEY_VAR, loadKeys } from './crypto/keys.ts';
import { DAY_MS } from './domain/time.ts';
import { buildApp } from './http/app.ts';
import { ensureDashboardSignIn } from './http/dashboard-setup.ts';
import { createMetrics, recordDecision } from './http/plugins/metrics.ts';
import { OPENAPI_URL } from './http/plugins/openapi.ts';
import type { Api } from './http/routes/v1/common.ts';
import { createWorkerProbe } from './http/worker-probe.ts';
import { createLlmClient, type LlmBudget } from './llm/client.ts';
import { createLlmMetrics } from './llm/metrics.ts';
import { createLogger } from './log.ts';
import {
  createInboundBatcher,
  createWebhookUptime,
  type Fanout,
  type PipelineDeps,
  sleepMs,
  startFanout,
  startWorkers,
} from './pipeline/index.ts';
import { type Queue, startQueue } from './queue/index.ts';
import { createLimiter, type RateLimiter } from './ratelimit/index.ts';
import {
  checkStoredKeys,
  createStore,
  openDb,
  purgeExpiredIdempotencyKeys,
  purgeOldEvents,
  type Store,
  sealLegacyReasons,
  secureDataDir,
} from './store/index.ts';
import { channelTransport, createTransportClient, sandboxHub } from './whatsapp/index.ts';
import { guardedFetchFor } from './whatsapp/shared/egress.ts';

export type Role = 'api' | 'worker' | 'both';
export const ROLES: readonly Role[] = ['api', 'worker', 'both'];

/** Something the process runs: started in list order, stopped in reverse. */
export interface Service {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** api: HTTP only; worker: background jobs only; both (default): one process for everything. */
  role?: Role;
}

export interface RunningServer {
  /** Base URL of the API (roles api and both). */
  url?: string;
  app?: Api;
  store: Store;
  /** Stops every service in reverse order; safe to call twice. */
  stop(reason?: string): Promise<void>;
  /** Resolves once everything is stopped. */
  closed: Promise<void>;
}

const IDEMPOTENCY_PURGE_EVERY_MS = 60 * 60_000;
/**
 * Kept back from the shutdown budget (SELLIFY_SHUTDOWN_TIMEOUT_MS) for what follows the queue's
 * drain: failing the jobs still running so they are retried, stopping pg-boss, closing the
 * database. Without it a paced send (gap and typing can exceed 10 s) held the drain until the
 * process timer fired: exit 1 with jobs left active (test/reliability/shutdown.test.ts).
 */
const SHUTDOWN_RESERVE_MS = 2_000;
/** While the API drains, keep-alive sockets that become idle are closed this often. */
const IDLE_SOCKET_SWEEP_MS = 50;

function baseUrl(app: Api, host: string): string {
  const address = app.server.address() as AddressInfo | null;
  const port = address?.port ?? 0;
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const role = options.role ?? 'both';
  // The banner (URL, docs, where the admin key is) goes to stdout; every log record to stderr.
  const print = (line: string) => console.log(line);
  const logger = createLogger({ level: config.logLevel });
  const log = logger.child({ component: 'server' });
  const warn = (text: string) => log.warn(text);
  const out: BootstrapOutput = { print, warn };

  // Installed first, so SIGTERM during start-up (a deploy rolling back) still ends in a clean stop.
  let startupDone = false;
  let pendingSignal: NodeJS.Signals | undefined;
  let signals = 0;
  let stopRef: ((reason?: string) => Promise<void>) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!startupDone || stopRef === undefined) {
      pendingSignal = signal;
      return;
    }
    signals += 1;
    if (signals > 1) {
      warn(`${signal} again: exiting without waiting.`);
      process.exit(1);
    }
    const timer = setTimeout(() => {
      warn(`Shutdown took longer than ${config.shutdownTimeoutMs} ms: exiting.`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    void stopRef(signal).then(() => clearTimeout(timer));
  };
  const removeHandlers = () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  let store: Store;
  try {
    // Before the key file is read: a development key or admin.key left readable is tightened first.
    const { warning } = secureDataDir(config.dataDir);
    let dataDirWarned = warning !== undefined;
    if (warning !== undefined) warn(warning);
    const keys = loadKeys({
      encryptionKey: config.encryptionKey,
      oldKeys: config.encryptionOldKeys,
      dataDir: config.dataDir,
      production: config.production,
    });
    for (const warning of keys.warnings) loud(warn, warning);
    const opened = await openDb({
      dataDir: config.dataDir,
      // One line about the data directory, not one per check.
      warn: (line) => {
        if (!dataDirWarned) warn(line);
        dataDirWarned = true;
      },
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    });
    store = createStore(opened, keys.keyring);
    // A wrong key must stop the start, not surface later as a 500 on every read of personal data.
    const keySource = config.encryptionKey?.trim()
      ? ENCRYPTION_KEY_VAR
      : `the development key file ${shownPath(join(config.dataDir, DEV_KEY_FILE))}`;
    await checkStoredKeys(opened, keys.keyring, keySource).catch(async (err: unknown) => {
      await opened.close();
      throw err;
    });
  } catch (err) {
    removeHandlers();
    throw err;
  }
  const db = store.db;
  const services: Service[] = [];
  const started: Service[] = [];
  let app: Api | undefined;
  let url: string | undefined;

  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let stopping: Promise<void> | undefined;
  let stopStartedAtMs = 0;
  const stop = (reason?: string): Promise<void> => {
    stopping ??= (async () => {
      stopStartedAtMs = Date.now();
      if (reason !== undefined) log.info({ reason }, 'stopping: draining requests and jobs in flight');
      for (const service of [...started].reverse()) {
        try {
          await service.stop();
        } catch (err) {
          log.error({ service: service.name, err }, 'did not stop cleanly');
        }
      }
      if (reason !== undefined) log.info({ reason, durationMs: Date.now() - stopStartedAtMs }, 'stopped');
      resolveClosed();
    })();
    return stopping;
  };
  stopRef = stop;
  void closed.then(removeHandlers);

  try {
    const banner = await bootstrap(config, store, out);
    // A first owner account for the dashboard (issue 16): a one-time sign-in link in development.
    const dashboardHint =
      role === 'worker' ? undefined : await ensureDashboardSignIn(config, store, Date.now());

    services.push({ name: 'database', start: async () => {}, stop: () => store.close() });

    let purgeTimer: NodeJS.Timeout | undefined;
    const purge = async () => {
      try {
        await purgeExpiredIdempotencyKeys(db);
      } catch (err) {
        log.warn({ err }, 'idempotency key purge failed');
      }
      if (config.eventRetentionDays === 0) return;
      try {
        const deleted = await purgeOldEvents(db, {
          beforeMs: Date.now() - config.eventRetentionDays * DAY_MS,
        });
        if (deleted > 0)
          log.info({ deleted, retentionDays: config.eventRetentionDays }, 'old events deleted');
      } catch (err) {
        log.warn({ err }, 'event log purge failed');
      }
    };
    services.push({
      name: 'idempotency and event purge',
      async start() {
        await purge();
        purgeTimer = setInterval(() => void purge(), IDEMPOTENCY_PURGE_EVERY_MS);
        purgeTimer.unref();
      },
      async stop() {
        clearInterval(purgeTimer);
      },
    });

    // Decisions stored before migration 0006 keep their reason details (which can quote the
    // customer) in clear until sealed; done in the background, resumable, safe on several instances.
    const sealing = new AbortController();
    let sealed: Promise<void> | undefined;
    services.push({
      name: 'legacy reason sealing',
      async start() {
        sealed = sealLegacyReasons(store, { signal: sealing.signal }).then(
          (n) => {
            if (n > 0)
              log.info({ decisions: n }, 'sealed the reasons of decisions stored by an older version');
          },
          (err: unknown) => {
            if (!sealing.signal.aborted) log.warn({ err }, 'sealing the reasons of older decisions failed');
          },
        );
      },
      async stop() {
        sealing.abort();
        await sealed;
      },
    });

    const queueLog = logger.child({ component: 'queue' });
    // The queue is needed by both roles: webhooks enqueue sends in their transaction, workers run them.
    const queue: Queue = await startQueue(db, {
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
      onError: (err) => queueLog.error({ err }, 'queue error'),
    });
    services.push({
      name: 'queue',
      start: async () => {},
      // Whatever the API's drain left of the budget, minus the reserve: jobs still running then
      // are failed and retried later rather than cut off by the process timer.
      stop: () =>
        queue.stop({
          graceful: true,
          timeoutMs: Math.max(
            0,
            config.shutdownTimeoutMs - SHUTDOWN_RESERVE_MS - (Date.now() - stopStartedAtMs),
          ),
        }),
    });
    // One metric set per process: the API serves it, the pipelines and the queue feed it.
    const metrics = createMetrics();
    metrics.setQueueStats(() => queue.stats());
    // Counters shared by every instance through Redis when REDIS_URL is set (else this process's):
    // the API's rate limits and the language model's daily budget. Closed after everything else.
    const limiter = createLimiter(config.redisUrl !== undefined ? { redisUrl: config.redisUrl } : {});
    services.push({ name: 'counters', start: async () => {}, stop: () => limiter.close() });
    // The optional language model: one client (one budget, one circuit) for the API and the pipelines.
    const llmMetrics = config.llm !== undefined ? createLlmMetrics(metrics.registry) : undefined;
    const llm =
      config.llm !== undefined
        ? {
            client: createLlmClient(config.llm, { metrics: llmMetrics, budget: limiterBudget(limiter) }),
            metrics: llmMetrics,
            timeoutMs: config.llm.timeoutMs,
          }
        : undefined;
    const cloudDefaults = { graphUrl: config.whatsapp.graphUrl };
    const webhooksUp = createWebhookUptime(Date.now());
    const pipeline: PipelineDeps = {
      store,
      queue,
      nowMs: Date.now,
      clientFor: (channel, credentials) =>
        createTransportClient(
          channelTransport(channel.transport, channel.id, credentials ?? {}, cloudDefaults),
          {
            sandboxHub,
            // Gateway base URLs are checked again at every connection (DNS may have changed).
            egress: { allowPrivate: config.allowPrivateGateways },
          },
        ),
      sleep: sleepMs,
      pacingScale: config.pacingScale,
      webhooksUp,
      log: logger.child({ component: 'pipeline' }),
      ...(llm !== undefined ? { llm } : {}),
      metrics: {
        send: (outcome) => metrics.sends.inc({ outcome }),
        decision: (mode, decision) => recordDecision(metrics, mode, decision),
      },
    };

    if (role === 'api' || role === 'both') {
      const api = await buildApp({
        secureCookies: config.production,
        config,
        store,
        limiter,
        logger,
        metrics,
        queue,
        pacingScale: config.pacingScale,
        ...(llm !== undefined ? { llm } : {}),
        webhooks: {
          // Concurrent webhooks of a tenant share one transaction (src/pipeline/batch.ts).
          processEvents: createInboundBatcher(pipeline, {
            onBatch: (batch) => {
              metrics.webhookBatches.inc({ outcome: batch.fellBack ? 'fell_back' : 'committed' });
              metrics.webhookBatchEvents.observe(batch.events);
            },
          }),
          onMissedAck: (atMs) => webhooksUp.downUntil(atMs),
          cloudDefaults,
        },
      });
      app = api;
      services.push({
        name: 'http',
        async start() {
          await api.listen({ port: config.port, host: config.host });
          // From here status webhooks can reach us: the downtime an in-doubt send waits for ends now.
          webhooksUp.downUntil(Date.now());
          url = baseUrl(api, config.host);
        },
        async stop() {
          // close() stops accepting, answers 503 to new requests on open sockets and waits for those in
          // flight. It closes idle keep-alive sockets once; a socket whose request finishes later would
          // stay open until its keep-alive timeout (5 s) and hold the shutdown, so those are swept too.
          const sweep = setInterval(() => api.server.closeIdleConnections(), IDLE_SOCKET_SWEEP_MS);
          try {
            await api.close();
          } finally {
            clearInterval(sweep);
          }
        },
      });
    }

    let fanout: Fanout | undefined;
    if (role === 'worker' || role === 'both') {
      services.push({
        name: 'worker',
        async start() {
          // The worker's lines (one per send, one per failed job) say component "worker".
          await startWorkers({ ...pipeline, log: logger.child({ component: 'worker' }) });
          // Events to integrators' webhooks and the seller's WhatsApp (the human loop, issue 15).
          fanout = await startFanout({
            ...pipeline,
            // Integrators' URLs go through the same SSRF guard as gateway base URLs.
            webhookFetch: guardedFetchFor({ allowPrivate: config.allowPrivateGateways }),
            ...(config.dashboardUrl !== undefined ? { dashboardUrl: config.dashboardUrl } : {}),
          });
          print('worker: sending replies and follow-ups (one message at a time per channel)');
        },
        // The queue service (stopped next) drains the jobs in flight.
        async stop() {
          await fanout?.stop();
        },
      });
      if (role === 'worker') {
        // No API in this process: a small server on PORT answers the health probe (the image's
        // HEALTHCHECK) and, with SELLIFY_METRICS_TOKEN, serves this worker's metrics.
        const probe = createWorkerProbe({ metrics, metricsToken: config.metricsToken });
        services.push({
          name: 'worker probe',
          async start() {
            url = await probe.listen(config.port, config.host);
          },
          stop: () => probe.close(),
        });
      }
    }

    for (const service of services) {
      await service.start();
      started.push(service);
    }

    if (role === 'worker') {
      print(`Sellify worker running (role ${role}; health probe: ${url}/health)`);
    } else if (url !== undefined) {
      print(
        `Sellify listening on ${url} (role ${role}, ${db.kind === 'pglite' ? `embedded database in ${shownPath(config.dataDir)}` : 'PostgreSQL'})`,
      );
      print(`API docs: ${url}/docs  (OpenAPI: ${url}${OPENAPI_URL})`);
    }
    // The admin-key hint stays the banner's last line (scripts and tests wait for it).
    const adminLine = banner.at(-1);
    for (const line of banner.slice(0, -1)) print(line);
    if (dashboardHint !== undefined && url !== undefined) print(dashboardHint(url));
    if (adminLine !== undefined) print(adminLine);
  } catch (err) {
    await stop();
    if (!started.some((s) => s.name === 'database')) await store.close().catch(() => {});
    throw err;
  }

  // A signal that arrived while starting is acted on now that there is something to stop.
  startupDone = true;
  if (pendingSignal !== undefined) onSignal(pendingSignal);

  const running: RunningServer = { store, stop, closed };
  if (app !== undefined) running.app = app;
  if (url !== undefined) running.url = url;
  return running;
}

/** The language model's daily budget counted by the rate limiter: one key per tenant and UTC day. */
export function limiterBudget(limiter: RateLimiter): LlmBudget {
  return {
    async take(tenantId, day, limit) {
      return (await limiter.hit(`llm-budget:${tenantId}:${day}`, limit, DAY_MS)).allowed;
    },
  };
}
