/**
 * The real app (`buildApp` from src/http/app.ts, the one production runs) for the platform plugins'
 * tests: PGlite in memory, the default tenant, SELLIFY_API_KEY set. What the plugins must do to
 * real routes is tested on real routes; the failures no request can cause (a database that fails
 * with credentials in its message, a library error with an unlisted status) come from a store
 * whose transactions can be made to throw, as a failing database makes them throw in production.
 */

import { loadConfig } from '../../src/config.ts';
import { createKeyring, generateKey } from '../../src/crypto/keyring.ts';
import { type AppConfig, type AppDeps, buildApp } from '../../src/http/app.ts';
import type { Api } from '../../src/http/routes/v1/common.ts';
import { createLogger } from '../../src/log.ts';
import { createMemoryLimiter } from '../../src/ratelimit/memory.ts';
import { createStore, ensureTenant, openDb, type Store } from '../../src/store/index.ts';

/** SELLIFY_API_KEY of the app: an admin key of the default tenant. */
export const TEST_API_KEY = 'sk_plugin_tests_0123456789abcdefghij';

export interface RealAppOptions {
  config?: Partial<AppConfig>;
  limiter?: AppDeps['limiter'];
  authFailureLimiter?: AppDeps['authFailureLimiter'];
  /** Receives the JSON log lines (info and above); default no logging. */
  logStream?: { write(line: string): void };
  /** Mounts the webhook routes with this event handler. Default: not mounted. */
  webhooks?: AppDeps['webhooks'];
}

export interface RealApp {
  app: Api;
  /** Headers that authenticate as the default tenant's admin. */
  auth: { 'x-api-key': string };
  /** From now on every store transaction throws `err`; `undefined` heals the store. */
  failTransactions(err: unknown): void;
  close(): Promise<void>;
}

/**
 * Time-out for a `beforeAll` that opens the shared database: migrating PGlite takes a few seconds
 * alone and a minute or more on a machine shared by many test processes.
 */
export const OPEN_TIMEOUT_MS = 180_000;

let shared: Promise<Store> | undefined;

/**
 * One database per test file: opening and migrating PGlite is the slow part, apps are cheap. A file
 * that builds apps inside its tests calls this in `beforeAll` (hook time-out), not in the first test.
 */
export function sharedStore(): Promise<Store> {
  shared ??= (async () => {
    const db = await openDb({ dataDir: '', memory: true });
    await ensureTenant(db, { id: 'ten_default', name: 'Default' });
    return createStore(db, createKeyring(generateKey()));
  })();
  return shared;
}

export async function buildRealApp(options: RealAppOptions = {}): Promise<RealApp> {
  const store = await sharedStore();
  let failure: { err: unknown } | undefined;
  const failing: Store = {
    db: store.db,
    keyring: store.keyring,
    tx(tenantId, fn) {
      if (failure !== undefined) return Promise.reject(failure.err);
      return store.tx(tenantId, fn);
    },
    onEventsCommitted: (listener) => store.onEventsCommitted(listener),
    // The database outlives the app: the next test of the file reuses it.
    close: async () => {},
  };
  const app = await buildApp({
    config: {
      ...loadConfig({}),
      apiKey: TEST_API_KEY,
      rateLimitPerMinute: 100_000,
      tenantRateLimitPerMinute: 100_000,
      ...options.config,
    },
    store: failing,
    limiter: options.limiter ?? createMemoryLimiter(),
    collectDefaultMetrics: false,
    version: '9.9.9-test',
    ...(options.logStream !== undefined
      ? { logger: createLogger({ level: 'info', stream: options.logStream }) }
      : {}),
    ...(options.authFailureLimiter !== undefined ? { authFailureLimiter: options.authFailureLimiter } : {}),
    ...(options.webhooks !== undefined ? { webhooks: options.webhooks } : {}),
  });
  return {
    app,
    auth: { 'x-api-key': TEST_API_KEY },
    failTransactions(err) {
      failure = err === undefined ? undefined : { err };
    },
    close: () => app.close(),
  };
}
