/**
 * pg-boss on the store's database. On PGlite pg-boss runs through an executeSql adapter over
 * Db.exec (the one connection, serialized by PGlite's mutex); on Postgres it gets its own small
 * pool when given the URL (native pg-boss), or the same adapter otherwise.
 *
 * pg-boss creates its schema, the queues (each with a dead-letter queue), retries with backoff and
 * jitter, dead-letters, and the maintenance that fails jobs whose worker died (expiry). Sellify
 * inserts and fetches jobs with its own two statements (see sql.ts): the insert can join the
 * caller's transaction as the app role and keeps enqueue order; the fetch runs at most one job per
 * group (a channel) across every process, in order. Workers are a small loop per queue here rather
 * than pg-boss's `work`, because pg-boss 10 cannot fetch "one per group, head of the group first".
 */

import { createHash, randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import { decodeCursor, encodeCursor, InvalidCursorError, isUniqueViolation } from '../store/repos/common.ts';
import type { Db, Queryable } from '../store/types.ts';
import { assertJobSpec, redactError } from './guard.ts';
import {
  completeJobSql,
  deadLetterName,
  deadLetterSql,
  deadLettersSql,
  deleteDeadLetterSql,
  failJobSql,
  fetchJobsSql,
  insertJobSql,
  insertJobsSql,
  PGBOSS_SCHEMA_VERSION,
  queueStatsSql,
  setupSql,
} from './sql.ts';
import {
  type DeadLetter,
  type DeadLetterOptions,
  type DeadLetterPage,
  type Job,
  type JobData,
  type JobHandler,
  type JobSpec,
  QUEUE_NAMES,
  type Queue,
  type QueueName,
  type QueueOptions,
  type QueueStat,
  type StopOptions,
  type WorkOptions,
} from './types.ts';

export const DEFAULT_POLLING_INTERVAL_MS = 1000;
export const DEFAULT_EXPIRE_IN_SECONDS = 60;
export const DEFAULT_MAINTENANCE_INTERVAL_SECONDS = 30;
export const DEFAULT_STOP_TIMEOUT_MS = 30_000;

interface RetryPolicy {
  retryLimit: number;
  retryDelayS: number;
  retryBackoff: boolean;
}

/**
 * Per-queue retry defaults (a job may override them). With backoff, the wait before retry n is
 * uniform in [d·2^(n-1), d·2^n] (pg-boss 10 adds that jitter itself), so outbound retries after
 * 5–10 s, 10–20 s, 20–40 s, 40–80 s and 80–160 s, then dead-letters.
 */
export const QUEUE_RETRY_DEFAULTS: Readonly<Record<QueueName, RetryPolicy>> = {
  outbound: { retryLimit: 5, retryDelayS: 5, retryBackoff: true },
  inbound: { retryLimit: 5, retryDelayS: 2, retryBackoff: true },
  followup: { retryLimit: 3, retryDelayS: 30, retryBackoff: true },
  maintenance: { retryLimit: 2, retryDelayS: 60, retryBackoff: true },
  // 8 retries from 10 s with backoff: the last one about 40 min to 1.4 h after the first attempt.
  webhook: { retryLimit: 8, retryDelayS: 10, retryBackoff: true },
  notify: { retryLimit: 5, retryDelayS: 5, retryBackoff: true },
  handback: { retryLimit: 3, retryDelayS: 30, retryBackoff: true },
};

// pg-boss wraps its multi-statement maintenance and migration scripts in BEGIN … COMMIT.
const TX_BLOCK = /^\s*BEGIN\s*;([\s\S]*?)\bCOMMIT\s*;?\s*$/i;

interface SqlRunner {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * pg-boss's database through Db. Its BEGIN … COMMIT scripts run inside db.ownerTx instead of as
 * raw text: on PGlite a raw script that fails midway would leave the single shared connection in
 * an aborted transaction for whoever queries next; ownerTx rolls back properly.
 */
export function pgBossAdapter(db: Db): SqlRunner {
  return {
    async executeSql(text, values) {
      if (values === undefined) {
        const block = TX_BLOCK.exec(text);
        if (block) {
          const inner = block[1]!;
          return { rows: (await db.ownerTx((tx) => tx.query(inner))).rows };
        }
        return { rows: (await db.exec(text)).rows };
      }
      return { rows: (await db.exec(text, values)).rows };
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Deterministic job id for a deduplication key: same queue and key → same id → insert conflicts. */
export function jobIdForKey(queue: QueueName, singletonKey: string): string {
  const h = createHash('sha256').update(`${queue}\n${singletonKey}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x80; // version 8 (custom)
  h[8] = (h[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

// Jobs are ordered by start_after (microseconds) and the database clock has only millisecond
// resolution on PGlite, so jobs enqueued in the same millisecond (or with the same startAfterMs)
// get increasing microsecond offsets: they start in the order this process enqueued them.
let lastStartMs = Number.NaN;
let lastStartSeq = 0;
function startAfterText(startMs: number): string {
  const ms = Math.floor(startMs);
  lastStartSeq = ms === lastStartMs ? Math.min(lastStartSeq + 1, 999) : 0;
  lastStartMs = ms;
  return new Date(ms).toISOString().replace('Z', `${String(lastStartSeq).padStart(3, '0')}Z`);
}

function toError(err: unknown): Error {
  if (err instanceof Error) return err;
  const message = (err as { message?: unknown } | null)?.message;
  return new Error(typeof message === 'string' ? message : String(err));
}

interface FetchedRow {
  id: string;
  data: JobData;
  singletonKey: string | null;
  retryCount: number;
  retryLimit: number;
  expireInSeconds: number;
  startedOn: string;
}

interface Running {
  job: Job;
  startedOn: string;
  controller: AbortController;
  /** Set once the queue has failed the attempt itself (expiry, stop): the handler's outcome is ignored. */
  released: boolean;
}

interface Ctx {
  readonly pollingIntervalMs: number;
  stopping: boolean;
  fetch(name: QueueName, limit: number): Promise<FetchedRow[]>;
  complete(name: QueueName, id: string, startedOn: string): Promise<void>;
  fail(name: QueueName, id: string, startedOn: string, err: unknown): Promise<void>;
  onError(err: Error): void;
}

/** One polling loop per queue and process; it starts jobs while fewer than `concurrency` run. */
class Dispatcher {
  readonly running = new Map<string, Running>();
  loopDone: Promise<void> = Promise.resolve();
  #wakeFlag = false;
  #wake: (() => void) | null = null;
  #idleWaiters: (() => void)[] = [];

  constructor(
    readonly name: QueueName,
    private readonly handler: JobHandler,
    private readonly concurrency: number,
    private readonly ctx: Ctx,
  ) {}

  start(): void {
    this.loopDone = this.#loop();
  }

  wakeUp(): void {
    this.#wakeFlag = true;
    this.#wake?.();
  }

  /** Resolves when no handler of this queue is running. */
  idle(): Promise<void> {
    if (this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async #loop(): Promise<void> {
    while (!this.ctx.stopping) {
      this.#wakeFlag = false;
      const free = this.concurrency - this.running.size;
      let fetched = 0;
      let raced = false;
      if (free > 0) {
        try {
          const rows = await this.ctx.fetch(this.name, free);
          fetched = rows.length;
          for (const row of rows) this.#run(row);
        } catch (err) {
          // Two processes activated the same group at once: the unique index refused the second.
          if (isUniqueViolation(err)) raced = true;
          else this.ctx.onError(toError(err));
        }
      }
      if (this.ctx.stopping) break;
      if (free > 0 && fetched === free) continue;
      await this.#sleep(raced ? Math.min(50, this.ctx.pollingIntervalMs) : this.ctx.pollingIntervalMs);
    }
  }

  #sleep(ms: number): Promise<void> {
    if (this.#wakeFlag || this.ctx.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.#wake = finish;
    });
  }

  #run(row: FetchedRow): void {
    const controller = new AbortController();
    const job: Job = {
      id: row.id,
      name: this.name,
      data: row.data,
      groupKey: row.singletonKey?.startsWith('g:') ? row.singletonKey.slice(2) : null,
      attempt: Number(row.retryCount) + 1,
      retryLimit: Number(row.retryLimit),
      signal: controller.signal,
    };
    const running: Running = { job, startedOn: row.startedOn, controller, released: false };
    this.running.set(job.id, running);
    // The job must not outlive its expiry: maintenance would fail it and another worker could
    // start it (or the next job of its group) while this handler still runs. Fail it now and
    // tell the handler through the signal.
    const expiry = setTimeout(
      () => {
        void this.release(running, new Error(`handler exceeded expireInSeconds (${row.expireInSeconds} s)`));
      },
      Math.max(1, Number(row.expireInSeconds)) * 1000,
    );
    void (async () => {
      let failure: { err: unknown } | null = null;
      try {
        await this.handler(job);
      } catch (err) {
        failure = { err };
      }
      try {
        // A failed complete (database down) is left to expiry: the job runs again, at least once.
        if (running.released) return;
        if (failure === null) await this.ctx.complete(this.name, job.id, running.startedOn);
        else await this.ctx.fail(this.name, job.id, running.startedOn, failure.err);
      } catch (err) {
        this.ctx.onError(toError(err));
      } finally {
        clearTimeout(expiry);
        this.running.delete(job.id);
        if (this.running.size === 0) for (const w of this.#idleWaiters.splice(0)) w();
        // A slot is free and the group's next job may now be due.
        this.wakeUp();
      }
    })();
  }

  /** Fails the attempt on the handler's behalf (it will be retried) and aborts its signal. */
  async release(running: Running, reason: Error): Promise<void> {
    if (running.released) return;
    running.released = true;
    running.controller.abort(reason);
    try {
      await this.ctx.fail(this.name, running.job.id, running.startedOn, reason);
    } catch (err) {
      this.ctx.onError(toError(err));
    }
  }
}

class PgBossQueue implements Queue {
  readonly #dispatchers = new Map<QueueName, Dispatcher>();
  #stopPromise: Promise<void> | null = null;
  readonly #ctx: Ctx;
  readonly #sql: {
    insert: string;
    insertMany: string;
    fetch: string;
    complete: string;
    fail: string;
    deadLetters: string;
    deadLetter: string;
    deleteDeadLetter: string;
    stats: string;
  };

  constructor(
    readonly schema: string,
    private readonly boss: PgBoss,
    private readonly runner: SqlRunner,
    pollingIntervalMs: number,
    private readonly onError: (err: Error) => void,
  ) {
    this.#sql = {
      insert: insertJobSql(schema),
      insertMany: insertJobsSql(schema),
      fetch: fetchJobsSql(schema),
      complete: completeJobSql(schema),
      fail: failJobSql(schema),
      deadLetters: deadLettersSql(schema),
      stats: queueStatsSql(schema),
      deadLetter: deadLetterSql(schema),
      deleteDeadLetter: deleteDeadLetterSql(schema),
    };
    const sql = this.#sql;
    this.#ctx = {
      pollingIntervalMs,
      stopping: false,
      fetch: async (name, limit) =>
        (await runner.executeSql(sql.fetch, [name, limit])).rows as unknown as FetchedRow[],
      complete: async (name, id, startedOn) => {
        await runner.executeSql(sql.complete, [name, id, startedOn]);
      },
      fail: async (name, id, startedOn, err) => {
        await runner.executeSql(sql.fail, [name, [id], { message: redactError(err), jobId: id }, startedOn]);
      },
      onError,
    };
  }

  #values(spec: JobSpec): unknown[] {
    assertJobSpec(spec);
    const id = spec.singletonKey === undefined ? randomUUID() : jobIdForKey(spec.name, spec.singletonKey);
    return [
      id,
      spec.name,
      spec.data,
      startAfterText(spec.startAfterMs ?? Date.now()),
      spec.groupKey === undefined ? `j:${id}` : `g:${spec.groupKey}`,
      spec.retryLimit ?? null,
      spec.retryDelayS ?? null,
      spec.retryBackoff ?? null,
    ];
  }

  async enqueueIn(tx: Queryable, spec: JobSpec): Promise<string | null> {
    const values = this.#values(spec);
    const { rows } = await tx.query<{ id: string }>(this.#sql.insert, values);
    return rows[0]?.id ?? null;
  }

  async enqueueManyIn(tx: Queryable, specs: readonly JobSpec[]): Promise<number> {
    // Within the statement a repeated singleton key would conflict with itself; the first one wins,
    // as it would have one statement at a time.
    const seen = new Set<string>();
    const columns: unknown[][] = [[], [], [], [], [], [], [], []];
    for (const spec of specs) {
      const values = this.#values(spec);
      if (seen.has(values[0] as string)) continue;
      seen.add(values[0] as string);
      values[2] = JSON.stringify(values[2]);
      for (const [i, v] of values.entries()) columns[i]!.push(v);
    }
    if (seen.size === 0) return 0;
    const { rows } = await tx.query<{ id: string }>(this.#sql.insertMany, columns);
    return rows.length;
  }

  async enqueue(spec: JobSpec): Promise<string | null> {
    const values = this.#values(spec);
    if (this.#stopPromise) throw new Error('queue is stopped');
    const { rows } = await this.runner.executeSql(this.#sql.insert, values);
    const id = (rows[0]?.id as string | undefined) ?? null;
    if (id !== null && (spec.startAfterMs === undefined || spec.startAfterMs <= Date.now())) {
      this.#dispatchers.get(spec.name)?.wakeUp();
    }
    return id;
  }

  async work(name: QueueName, handler: JobHandler, options: WorkOptions = {}): Promise<void> {
    if (!(QUEUE_NAMES as readonly string[]).includes(name)) throw new TypeError(`unknown queue ${name}`);
    if (this.#stopPromise) throw new Error('queue is stopped');
    if (this.#dispatchers.has(name)) throw new Error(`workers for queue ${name} are already running`);
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new TypeError('concurrency must be an integer ≥ 1');
    }
    const dispatcher = new Dispatcher(name, handler, concurrency, this.#ctx);
    this.#dispatchers.set(name, dispatcher);
    dispatcher.start();
  }

  async deadLetters(options: DeadLetterOptions = {}): Promise<DeadLetterPage> {
    const limit = Math.min(Math.max(1, Math.floor(options.limit ?? 100)), 1000);
    const after = options.cursor === undefined ? null : decodeCursor(options.cursor);
    // The cursor's id goes into a uuid cast: anything else is a bad cursor, not a database error.
    if (after !== null && !UUID.test(after.id)) throw new InvalidCursorError();
    const { rows } = await this.runner.executeSql(this.#sql.deadLetters, [
      QUEUE_NAMES.map(deadLetterName),
      options.tenantId ?? null,
      limit + 1,
      after?.at ?? null,
      after?.id ?? null,
    ]);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toDeadLetter),
      nextCursor:
        rows.length > limit && last !== undefined
          ? encodeCursor(String(last.cursorAt), String(last.id))
          : null,
    };
  }

  async deadLetter(id: string): Promise<DeadLetter | null> {
    const { rows } = await this.runner.executeSql(this.#sql.deadLetter, [
      id,
      QUEUE_NAMES.map(deadLetterName),
    ]);
    const row = rows[0];
    return row === undefined ? null : toDeadLetter(row);
  }

  async replayDeadLetter(id: string, options: { groupKey?: string } = {}): Promise<string | null> {
    const dead = await this.deadLetter(id);
    if (dead === null) return null;
    const singletonKey = `replay:${dead.id}`;
    // Null when a replay of this dead letter already enqueued the job: it is the same job.
    await this.enqueue({
      name: dead.queue,
      data: dead.data,
      singletonKey,
      ...(options.groupKey !== undefined ? { groupKey: options.groupKey } : {}),
    });
    await this.runner.executeSql(this.#sql.deleteDeadLetter, [id, QUEUE_NAMES.map(deadLetterName)]);
    return jobIdForKey(dead.queue, singletonKey);
  }

  async stats(): Promise<QueueStat[]> {
    const names = [...QUEUE_NAMES, ...QUEUE_NAMES.map(deadLetterName)];
    const { rows } = await this.runner.executeSql(this.#sql.stats, [names]);
    const out: QueueStat[] = [];
    for (const row of rows) {
      const name = String(row.name);
      const count = Number(row.count);
      const queue = QUEUE_NAMES.find((q) => q === name);
      if (queue !== undefined) {
        out.push({ queue, state: row.state as 'created' | 'retry' | 'active', count });
        continue;
      }
      const dead = QUEUE_NAMES.find((q) => deadLetterName(q) === name);
      // A dead letter is never worked: every one kept counts, whatever pg-boss calls its state.
      if (dead !== undefined) {
        const prior = out.find((s) => s.queue === dead && s.state === 'dead');
        if (prior) prior.count += count;
        else out.push({ queue: dead, state: 'dead', count });
      }
    }
    return out;
  }

  stop(options: StopOptions = {}): Promise<void> {
    this.#stopPromise ??= this.#stop(options);
    return this.#stopPromise;
  }

  async #stop({ graceful = true, timeoutMs = DEFAULT_STOP_TIMEOUT_MS }: StopOptions): Promise<void> {
    this.#ctx.stopping = true;
    const dispatchers = [...this.#dispatchers.values()];
    for (const d of dispatchers) d.wakeUp();
    // A fetch in flight finishes first; the jobs it returns are started and drained like the rest.
    await Promise.all(dispatchers.map((d) => d.loopDone));
    if (graceful) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([Promise.all(dispatchers.map((d) => d.idle())), timeout]);
      clearTimeout(timer);
    }
    // Whatever still runs is failed now (so it is retried, not left active until it expires).
    const reason = new Error('queue stopped while the job was active');
    await Promise.all(
      dispatchers.flatMap((d) => [...d.running.values()].map((running) => d.release(running, reason))),
    );
    try {
      await this.boss.stop({ graceful: false, close: true, wait: true });
    } catch (err) {
      this.onError(toError(err));
    }
  }
}

/**
 * Starts pg-boss on the store's database (creating or migrating its schema), makes sure every
 * queue and its dead-letter queue exist with Sellify's settings, and grants the app role what
 * enqueueIn needs. Workers start with `queue.work(...)`.
 */
export async function startQueue(db: Db, options: QueueOptions = {}): Promise<Queue> {
  const schema = options.schema ?? 'pgboss';
  // The schema name is written into SQL text (it cannot be a parameter), so only plain names pass.
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new RangeError(`invalid queue schema name "${schema}"`);
  const pollingIntervalMs = options.pollingIntervalMs ?? DEFAULT_POLLING_INTERVAL_MS;
  const expireInSeconds = options.expireInSeconds ?? DEFAULT_EXPIRE_IN_SECONDS;
  const maintenanceIntervalSeconds =
    options.maintenanceIntervalSeconds ?? DEFAULT_MAINTENANCE_INTERVAL_SECONDS;
  const onError = options.onError ?? ((err: Error) => console.error(`[sellify queue] ${err.message}`));
  if (!(pollingIntervalMs >= 10)) throw new RangeError('pollingIntervalMs must be ≥ 10');
  if (!(Number.isInteger(expireInSeconds) && expireInSeconds >= 1)) {
    throw new RangeError('expireInSeconds must be an integer ≥ 1');
  }
  if (!(Number.isInteger(maintenanceIntervalSeconds) && maintenanceIntervalSeconds >= 1)) {
    throw new RangeError('maintenanceIntervalSeconds must be an integer ≥ 1');
  }
  const native = db.kind === 'postgres' && options.databaseUrl !== undefined;
  const adapter = pgBossAdapter(db);

  const boss = new PgBoss({
    ...(native
      ? {
          connectionString: options.databaseUrl,
          max: options.poolSize ?? 4,
          application_name: 'sellify-queue',
        }
      : { db: adapter as PgBoss.Db }),
    schema,
    migrate: true,
    // Cron schedules are not used: follow-ups are jobs with a start time.
    schedule: false,
    supervise: true,
    maintenanceIntervalSeconds,
  });
  boss.on('error', (err) => onError(toError(err)));
  await boss.start();
  try {
    const version = Number(await boss.schemaVersion());
    if (version !== PGBOSS_SCHEMA_VERSION) {
      throw new Error(
        `pg-boss schema ${schema} is at version ${version}; src/queue/sql.ts is written for ${PGBOSS_SCHEMA_VERSION}`,
      );
    }
    for (const name of QUEUE_NAMES) {
      const dead = deadLetterName(name);
      await boss.createQueue(dead, { name: dead, policy: 'standard' });
      const retry = QUEUE_RETRY_DEFAULTS[name];
      // `singleton` gives the one-active-job-per-group unique index the fetch relies on.
      const settings: PgBoss.Queue = {
        name,
        policy: 'singleton',
        deadLetter: dead,
        retryLimit: retry.retryLimit,
        retryDelay: retry.retryDelayS,
        retryBackoff: retry.retryBackoff,
        expireInSeconds,
      };
      await boss.createQueue(name, settings);
      // createQueue leaves an existing queue alone; bring its settings up to date.
      await boss.updateQueue(name, settings);
    }
    await db.ownerTx((tx) => tx.query(setupSql(schema)));
    if (db.kind === 'pglite') {
      // The data-directory lock guarantees this is the only process on this database, so a job
      // still 'active' belonged to a process that died: retry it now instead of after its expiry.
      await db.ownerTx((tx) =>
        tx.query(`UPDATE ${schema}.job SET state = 'retry', start_after = now() WHERE state = 'active'`),
      );
    }
  } catch (err) {
    await boss.stop({ graceful: false, close: true }).catch(() => {});
    throw err;
  }
  const runner: SqlRunner = native ? (boss.getDb() as SqlRunner) : adapter;
  return new PgBossQueue(schema, boss, runner, pollingIntervalMs, onError);
}

/** A dead-letter row as the API shows it: the last error masked, the original job named. */
function toDeadLetter(row: Record<string, unknown>): DeadLetter {
  const output = (row.output ?? null) as {
    message?: unknown;
    jobId?: unknown;
    value?: { message?: unknown };
  } | null;
  const message = output?.message ?? output?.value?.message;
  const queue = QUEUE_NAMES.find((q) => deadLetterName(q) === row.name);
  if (queue === undefined) throw new Error(`unexpected dead-letter queue ${String(row.name)}`);
  return {
    id: String(row.id),
    queue,
    data: row.data as JobData,
    originalJobId: typeof output?.jobId === 'string' ? output.jobId : null,
    error: typeof message === 'string' ? message : null,
    failedAtMs: new Date(row.createdOn as string | Date).getTime(),
  };
}
