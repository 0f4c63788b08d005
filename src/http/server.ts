/**
 * The composition root: from a Config to a running process. Opens the database, loads the
 * encryption keys, makes sure the default tenant and an admin key exist, then starts a list of
 * services (the HTTP API, the worker, housekeeping) and stops them in reverse order on SIGTERM
 * or SIGINT: the API stops accepting connections and drains the requests in flight, then the
 * database closes. A later worker (outbound sends, follow-ups) is one more entry in that list.
 */

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { type Config, DEFAULT_TENANT_ID, DEFAULT_TENANT_NAME } from '../config.ts';
import { DEV_KEY_FILE, ENCRYPTION_KEY_VAR, loadKeys } from '../crypto/keys.ts';
import {
  type Fanout,
  type PipelineDeps,
  processEvents,
  sleepMs,
  startFanout,
  startWorkers,
} from '../pipeline/index.ts';
import { type Queue, startQueue } from '../queue/index.ts';
import { createLimiter } from '../ratelimit/index.ts';
import {
  backfillVerifyTokenHashes,
  checkStoredKeys,
  createStore,
  ensureDataDir,
  ensureTenant,
  findChannelByRouteKey,
  generateApiKey,
  newId,
  openDb,
  purgeExpiredIdempotencyKeys,
  type Store,
  sealLegacyReasons,
  secureDataDir,
} from '../store/index.ts';
import { createTransportClient, sandboxHub } from '../whatsapp/index.ts';
import { guardedFetchFor } from '../whatsapp/shared/egress.ts';
import { buildApp } from './app.ts';
import { ensureDashboardSignIn } from './dashboard-setup.ts';
import { OPENAPI_URL } from './plugins/openapi.ts';
import type { Api } from './routes/v1/common.ts';
import { channelTransport } from './routes/webhooks.ts';

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
  /** Lines for the operator (URL, docs, admin key). Default console.log. */
  print?: (line: string) => void;
  /** Warnings that must be seen. Default console.error. */
  warn?: (text: string) => void;
  /** Stop gracefully on SIGTERM and SIGINT. Default true. */
  handleSignals?: boolean;
  /**
   * The background services of the worker role (outbound sends, follow-ups), built once the store
   * exists. Default none: the worker only says it has no jobs yet.
   */
  workerServices?: (deps: { config: Config; store: Store }) => Service[];
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

export const ADMIN_KEY_FILE = 'admin.key';
/** `{"channelId": "chn_…", "webhookSecret": "whs_…"}` of the development sandbox channel, for `sellify chat`. */
export const SANDBOX_SECRET_FILE = 'sandbox.secret';
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

function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') ? `./${rel}` : path;
}

function loud(warn: (text: string) => void, text: string): void {
  const bar = '!'.repeat(78);
  warn(`${bar}\n${text}\n${bar}`);
}

/**
 * Makes sure the operator can authenticate, and says how. SELLIFY_API_KEY wins; else an admin key
 * of the default tenant is created at first start, printed once and (embedded database, not
 * production) written to `<dataDir>/admin.key` with mode 0600. Production never prints a key.
 */
export async function ensureAdminKey(
  config: Config,
  store: Store,
  print: (line: string) => void,
  warn: (text: string) => void,
): Promise<string> {
  if (config.apiKey !== undefined) return 'Admin key: the value of SELLIFY_API_KEY (send it as X-API-Key).';
  const file = join(config.dataDir, ADMIN_KEY_FILE);
  const keys = await store.tx(DEFAULT_TENANT_ID, (r) => r.apiKeys.list());
  if (keys.some((k) => k.revokedAtMs === null && k.scopes.includes('admin'))) {
    if (!config.production && existsSync(file)) return `Admin key: cat ${shownPath(file)}`;
    return 'Admin key: the one printed at first start (lost? run "sellify keys create --name admin --scopes admin" or set SELLIFY_API_KEY).';
  }
  if (config.production) {
    loud(
      warn,
      'No admin API key: NODE_ENV=production and SELLIFY_API_KEY is not set, so no key was created.\n' +
        "Set SELLIFY_API_KEY to 'sk_' + 32 random characters and restart, e.g.:\n" +
        `  SELLIFY_API_KEY=$(node -e "console.log('sk_' + require('crypto').randomBytes(24).toString('base64url'))")`,
    );
    return 'Admin key: none; set SELLIFY_API_KEY and restart.';
  }
  const generated = generateApiKey();
  await store.tx(DEFAULT_TENANT_ID, (r) =>
    r.apiKeys.create({
      name: 'admin (created at first start)',
      keyHash: generated.keyHash,
      prefix: generated.prefix,
      scopes: ['admin'],
    }),
  );
  print('');
  print(`  Admin API key (shown once, keep it): ${generated.secret}`);
  if (config.databaseUrl === undefined) {
    writeFileSync(file, `${generated.secret}\n`, { mode: 0o600 });
    if (process.platform !== 'win32') chmodSync(file, 0o600);
    print(`  Also saved to ${shownPath(file)} (mode 0600).`);
    print('');
    return `Admin key: cat ${shownPath(file)}`;
  }
  print('');
  return 'Admin key: printed above at first start.';
}

/**
 * WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN
 * set together describe a first Cloud API channel: it is created in the default tenant at start if
 * no channel serves that number yet, so a deployment can be configured from the environment alone.
 * Returns the banner line, if any.
 */
export async function ensureEnvCloudChannel(config: Config, store: Store): Promise<string | undefined> {
  const { phoneNumberId, accessToken, appSecret, verifyToken } = config.whatsapp;
  const given = [phoneNumberId, accessToken, appSecret, verifyToken].filter((v) => v !== undefined).length;
  if (given === 0) return undefined;
  if (given < 4 || !phoneNumberId || !accessToken || !appSecret || !verifyToken) {
    return 'Cloud API channel from the environment: not created (set all of WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN).';
  }
  const routeKey = `cloud:${phoneNumberId}`;
  const existing = await findChannelByRouteKey(store.db, routeKey);
  if (existing) return `Cloud API channel for number id ${phoneNumberId}: ${existing.channelId}`;
  const channel = await store.tx(DEFAULT_TENANT_ID, (r) =>
    r.channels.create({
      name: 'WhatsApp Cloud API',
      transport: 'cloud',
      routeKey,
      credentials: { phoneNumberId, accessToken, appSecret, verifyToken },
    }),
  );
  return `Cloud API channel created from the environment: ${channel.id} (webhook: /webhooks/whatsapp)`;
}

/**
 * Development only (and not with SELLIFY_SANDBOX=false): when the default tenant has no channel at
 * all, creates a sandbox channel named "Sandbox", so `sellify chat` can talk to the bot right after
 * the first `npm start`. The API shows a sandbox webhook secret only once, so the server keeps this
 * one in `<dataDir>/sandbox.secret` (mode 0600) for `sellify chat` on the same machine. Returns the
 * banner line naming the first sandbox channel, if the tenant has one.
 */
export async function ensureSandboxChannel(config: Config, store: Store): Promise<string | undefined> {
  if (config.production || !config.sandbox) return undefined;
  const channels = await store.tx(DEFAULT_TENANT_ID, (r) => r.channels.list());
  let sandbox = channels.find((c) => c.transport === 'sandbox');
  if (channels.length === 0) {
    const id = newId('chn');
    const webhookSecret = `whs_${randomBytes(24).toString('base64url')}`;
    sandbox = await store.tx(DEFAULT_TENANT_ID, (r) =>
      r.channels.create({
        id,
        name: 'Sandbox',
        transport: 'sandbox',
        credentials: { webhookSecret },
        routeKey: `sandbox:${id}`,
      }),
    );
    const file = join(config.dataDir, SANDBOX_SECRET_FILE);
    ensureDataDir(config.dataDir);
    writeFileSync(file, `${JSON.stringify({ channelId: id, webhookSecret })}\n`, { mode: 0o600 });
    if (process.platform !== 'win32') chmodSync(file, 0o600);
  }
  return sandbox === undefined
    ? undefined
    : `Sandbox channel: ${sandbox.id} (talk to your bot as a customer: npx sellify chat)`;
}

function baseUrl(app: Api, host: string): string {
  const address = app.server.address() as AddressInfo | null;
  const port = address?.port ?? 0;
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const role = options.role ?? 'both';
  const print = options.print ?? ((line: string) => console.log(line));
  const warn = options.warn ?? ((text: string) => console.error(text));

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
  const handleSignals = options.handleSignals ?? true;
  const removeHandlers = () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
  if (handleSignals) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

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
      if (reason !== undefined) print(`Stopping (${reason}): draining requests in flight…`);
      for (const service of [...started].reverse()) {
        try {
          await service.stop();
        } catch (err) {
          warn(`${service.name} did not stop cleanly: ${(err as Error).message}`);
        }
      }
      resolveClosed();
    })();
    return stopping;
  };
  stopRef = stop;
  void closed.then(removeHandlers);

  try {
    await ensureTenant(db, { id: DEFAULT_TENANT_ID, name: DEFAULT_TENANT_NAME });
    const adminHint = await ensureAdminKey(config, store, print, warn);
    const cloudHint = await ensureEnvCloudChannel(config, store);
    // Cloud channels stored before migration 0005 get the verify-token hash the handshake looks up.
    await backfillVerifyTokenHashes(db, (tenantId, channelId) =>
      store.tx(tenantId, (r) => r.channels.reindexVerifyToken(channelId)),
    );
    const sandboxHint = await ensureSandboxChannel(config, store);
    const dashboardHint =
      role === 'worker' ? undefined : await ensureDashboardSignIn(config, store, Date.now());

    services.push({ name: 'database', start: async () => {}, stop: () => store.close() });

    let purgeTimer: NodeJS.Timeout | undefined;
    const purge = async () => {
      try {
        await purgeExpiredIdempotencyKeys(db);
      } catch (err) {
        warn(`idempotency key purge failed: ${(err as Error).message}`);
      }
    };
    services.push({
      name: 'idempotency purge',
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
            if (n > 0) print(`Sealed the reasons of ${n} decisions stored by an older version.`);
          },
          (err: unknown) => {
            if (!sealing.signal.aborted)
              warn(`sealing the reasons of older decisions failed: ${(err as Error).message}`);
          },
        );
      },
      async stop() {
        sealing.abort();
        await sealed;
      },
    });

    // The queue is needed by both roles: webhooks enqueue sends in their transaction, workers run them.
    const queue: Queue = await startQueue(db, {
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
      onError: (err) => warn(`queue: ${err.message}`),
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
    const cloudDefaults = { graphUrl: config.whatsapp.graphUrl };
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
      webhooksUpSinceMs: Date.now(),
      log: {
        info: () => {},
        warn: (obj, msg) => warn(`${msg ?? 'warning'} ${JSON.stringify(obj)}`),
        error: (obj, msg) => warn(`${msg ?? 'error'} ${JSON.stringify(obj)}`),
      },
    };

    if (role === 'api' || role === 'both') {
      const limiter = createLimiter(config.redisUrl !== undefined ? { redisUrl: config.redisUrl } : {});
      const api = await buildApp({
        secureCookies: config.production,
        config,
        store,
        limiter,
        logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
        queue,
        pacingScale: config.pacingScale,
        webhooks: {
          processEvents: (target, events) => processEvents(pipeline, target, events),
          onMissedAck: (atMs) => {
            pipeline.webhooksUpSinceMs = Math.max(pipeline.webhooksUpSinceMs ?? 0, atMs);
          },
          cloudDefaults,
        },
      });
      app = api;
      services.push({
        name: 'http',
        async start() {
          await api.listen({ port: config.port, host: config.host });
          // From here status webhooks can reach us: the downtime an in-doubt send waits for ends now.
          pipeline.webhooksUpSinceMs = Date.now();
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
          await limiter.close();
        },
      });
    }

    let fanout: Fanout | undefined;
    if (role === 'worker' || role === 'both') {
      services.push({
        name: 'worker',
        async start() {
          await startWorkers(pipeline);
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
      services.push(...(options.workerServices?.({ config, store }) ?? []));
    }

    for (const service of services) {
      await service.start();
      started.push(service);
    }

    if (url !== undefined) {
      print(
        `Sellify listening on ${url} (role ${role}, ${db.kind === 'pglite' ? `embedded database in ${shownPath(config.dataDir)}` : 'PostgreSQL'})`,
      );
      print(`API docs: ${url}/docs  (OpenAPI: ${url}${OPENAPI_URL})`);
    } else {
      print(`Sellify worker running (role ${role})`);
    }
    // The admin-key hint stays the banner's last line (scripts and tests wait for it).
    if (cloudHint !== undefined) print(cloudHint);
    if (sandboxHint !== undefined) print(sandboxHint);
    if (dashboardHint !== undefined && url !== undefined) print(dashboardHint(url));
    print(adminHint);
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
