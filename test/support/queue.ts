/**
 * Helpers for queue tests: the backends (PGlite always; Postgres with TEST_DATABASE_URL, once with
 * pg-boss's own pool as in production and once through the Db adapter), a fresh pg-boss schema per test (dropped after, so
 * parallel test processes never share or truncate queue tables) and fast intervals.
 */

import { randomBytes } from 'node:crypto';
import type { JobData, Queue, QueueName, QueueOptions } from '../../src/queue/types.ts';
import { openDb } from '../../src/store/db.ts';
import type { Db, DbKind } from '../../src/store/types.ts';

export interface QueueTestBackend {
  name: DbKind;
  /** Test title: the backend and how pg-boss reaches it. */
  label: string;
  open(): Promise<Db>;
  /** What startQueue needs on this backend (the URL for native pg-boss on Postgres). */
  queueOptions: QueueOptions;
}

export function queueTestBackends(): QueueTestBackend[] {
  const list: QueueTestBackend[] = [
    {
      name: 'pglite',
      label: 'pglite (executeSql adapter)',
      open: () => openDb({ dataDir: '', memory: true }),
      queueOptions: {},
    },
  ];
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const open = () => openDb({ databaseUrl: url, dataDir: '', maxConnections: 4 });
    list.push(
      {
        name: 'postgres',
        label: 'postgres (native pg-boss pool)',
        open,
        queueOptions: { databaseUrl: url, poolSize: 3 },
      },
      { name: 'postgres', label: 'postgres (executeSql adapter)', open, queueOptions: {} },
    );
  }
  return list;
}

/** Intervals short enough for tests; production keeps the defaults. */
export const FAST_QUEUE_OPTIONS: QueueOptions = {
  pollingIntervalMs: 50,
  maintenanceIntervalSeconds: 1,
  expireInSeconds: 2,
};

export function freshQueueSchema(): string {
  return `pgboss_t_${randomBytes(5).toString('hex')}`;
}

export async function dropQueueSchema(db: Db, schema: string): Promise<void> {
  if (!/^pgboss_t_[0-9a-f]{10}$/.test(schema)) throw new Error(`refusing to drop schema ${schema}`);
  await db.ownerTx((tx) => tx.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
}

/** Polls `check` until it returns a value other than undefined; throws after timeoutMs. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface JobRow {
  id: string;
  name: string;
  state: string;
  retryCount: number;
  data: Record<string, unknown>;
}

/** A job as stored (owner connection), or undefined when there is none. */
export async function jobRow(db: Db, schema: string, id: string): Promise<JobRow | undefined> {
  const { rows } = await db.exec(
    `SELECT id, name, state::text AS state, retry_count AS "retryCount", data FROM ${schema}.job WHERE id = $1::uuid`,
    [id],
  );
  return rows[0] as JobRow | undefined;
}

/**
 * A Queue whose calls go to the one `bind` gives later: the app needs its queue when it is built,
 * the queue needs the test world's database, which is created with the app. `overrides` replace
 * single methods (a suite that must not enqueue real jobs stubs `enqueueIn`).
 */
export function lateBoundQueue(overrides: Partial<Queue> = {}): { queue: Queue; bind(queue: Queue): void } {
  let bound: Queue | undefined;
  const queue = new Proxy(overrides as Queue, {
    get(target, prop) {
      if (prop in target) return target[prop as keyof Queue];
      if (bound === undefined) throw new Error('lateBoundQueue: used before bind()');
      const value = bound[prop as keyof Queue];
      return typeof value === 'function' ? value.bind(bound) : value;
    },
  });
  return {
    queue,
    bind(q) {
      bound = q;
    },
  };
}

/** What pg-boss does when a job fails its last attempt: a copy of its data in `<queue>-dead`. Returns its id. */
let deadLettersWritten = 0;

export async function insertDeadLetter(
  db: Db,
  queue: QueueName,
  data: JobData,
  error = 'Error: send job failed',
  schema = 'pgboss',
): Promise<string> {
  const { rows } = await db.exec(
    // Letters written one after the other get increasing times, a millisecond apart at least: the
    // embedded database's clock can give two quick inserts the same instant, and the order of ties
    // (by random id) would then be a coin toss.
    `INSERT INTO ${schema}.job (id, name, data, output, created_on)
     VALUES (gen_random_uuid(), $1, $2, $3, clock_timestamp() + $4::int * interval '1 millisecond')
     RETURNING id::text`,
    [`${queue}-dead`, JSON.stringify(data), JSON.stringify({ message: error }), ++deadLettersWritten],
  );
  return String(rows[0]?.id);
}
