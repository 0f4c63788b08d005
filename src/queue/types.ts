/**
 * The job queue the pipelines talk to. pg-boss underneath (same database as the store), but the
 * pipelines only see this interface: jobs carry ids, never personal data, and a handler that throws
 * is retried with backoff until its last attempt lands it in a dead-letter queue.
 */

import type { Queryable } from '../store/types.ts';

export const QUEUE_NAMES = [
  'outbound',
  'followup',
  'inbound',
  'maintenance',
  // The human loop (issue 15): outgoing webhook deliveries, notifications to the seller's own
  // number, and the bot's return after a person's quiet period.
  'webhook',
  'notify',
  'handback',
] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export type JobValue = string | number | boolean;

/** Ids only (tenantId, decisionId, messageId, channelId, contactId, step…): the guard refuses the rest. */
export interface JobData {
  tenantId: string;
  [key: string]: JobValue;
}

export interface JobSpec {
  name: QueueName;
  data: JobData;
  /**
   * Deduplication key: a second job with the same key in the same queue is not created (enqueue
   * returns null) while the first is still in the job table (pending, active, or finished and not
   * yet archived: 12 h after completion by default).
   */
  singletonKey?: string;
  /** Absolute epoch milliseconds before which the job does not start. Default: now. */
  startAfterMs?: number;
  /** Retries after the first attempt (so attempts = retryLimit + 1). Default: per queue. */
  retryLimit?: number;
  /** Base delay between attempts in seconds (doubled per attempt with jitter when retryBackoff). */
  retryDelayS?: number;
  retryBackoff?: boolean;
  /**
   * Jobs sharing a group key (a channel id) never run concurrently, across every worker process,
   * and start in order of (startAfter, enqueue order).
   */
  groupKey?: string;
}

export interface Job {
  id: string;
  name: QueueName;
  data: JobData;
  groupKey: string | null;
  /** 1 for the first run, 2 for the first retry… */
  attempt: number;
  /** Retries allowed after the first attempt. */
  retryLimit: number;
  /**
   * Aborted when the job outlives its expiry (expireInSeconds) or when `stop` gives up waiting.
   * After that the queue has already failed the job (it will be retried), so the handler should
   * stop touching the outside world.
   */
  signal: AbortSignal;
}

export type JobHandler = (job: Job) => Promise<void>;

export interface WorkOptions {
  /** Jobs of this queue run at once in this process. Default 1. */
  concurrency?: number;
}

export interface DeadLetter {
  /** Id of the dead-letter copy (not of the original job). */
  id: string;
  queue: QueueName;
  data: JobData;
  /** The original job's id, when the failure came from a handler of this process's queue. */
  originalJobId: string | null;
  /** Last error, with digit runs masked and length capped (it may have quoted a customer). */
  error: string | null;
  failedAtMs: number;
}

export interface DeadLetterOptions {
  /** Default 100, at most 1000. */
  limit?: number;
  /** Only this tenant's dead letters (for the API). */
  tenantId?: string;
  /** `nextCursor` of the previous page (InvalidCursorError when it is not one). */
  cursor?: string;
}

/** One page of dead letters, newest first. */
export interface DeadLetterPage {
  items: DeadLetter[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Jobs of one queue in one state, or the dead letters of one queue (`state: 'dead'`). */
export interface QueueStat {
  queue: QueueName;
  state: 'created' | 'retry' | 'active' | 'dead';
  count: number;
}

export interface StopOptions {
  /** Wait for active handlers (up to timeoutMs) before releasing them. Default true. */
  graceful?: boolean;
  /** Default 30 000 ms. */
  timeoutMs?: number;
}

export interface Queue {
  /** pg-boss schema in use (`pgboss` unless configured). */
  readonly schema: string;
  /**
   * Enqueue inside an open transaction (same commit as the stored message and decision): a
   * rollback drops the job. Works in `db.tenantTx` (the app role is granted INSERT on the job table).
   * Returns the job id, or null when `singletonKey` matched an existing job.
   */
  enqueueIn(tx: Queryable, job: JobSpec): Promise<string | null>;
  /**
   * enqueueIn for many jobs in one statement (a batch of webhooks, src/pipeline/batch.ts), in the
   * given order. Returns how many were new (the others matched an existing singletonKey).
   */
  enqueueManyIn(tx: Queryable, jobs: readonly JobSpec[]): Promise<number>;
  /**
   * Enqueue on its own (owner connection). Never call it inside a store transaction on PGlite: the
   * single connection is held by that transaction and this call would wait for it forever; use
   * enqueueIn there.
   */
  enqueue(job: JobSpec): Promise<string | null>;
  /** Starts this process's workers for a queue; handler errors → retries with backoff → dead letter. */
  work(name: QueueName, handler: JobHandler, options?: WorkOptions): Promise<void>;
  deadLetters(options?: DeadLetterOptions): Promise<DeadLetterPage>;
  /** One dead letter by its id, or null. */
  deadLetter(id: string): Promise<DeadLetter | null>;
  /**
   * Puts a dead letter's job back in its queue (fresh attempts, `groupKey` as the original had:
   * dead-letter copies do not keep it) and removes the dead letter. Returns the new job's id, or
   * null when no such dead letter exists. The job's id derives from the dead letter's, so two
   * replays of one dead letter (concurrent, or a retry after a crash between the enqueue and the
   * removal) enqueue one job, and both return its id.
   */
  replayDeadLetter(id: string, options?: { groupKey?: string }): Promise<string | null>;
  /** Jobs waiting (`created`, `retry`) and running (`active`) per queue, and dead letters kept per queue. */
  stats(): Promise<QueueStat[]>;
  /** Stops fetching, drains active jobs (graceful), releases the rest for retry, stops pg-boss. */
  stop(options?: StopOptions): Promise<void>;
}

export interface QueueOptions {
  /** pg-boss schema. Default `pgboss`. Tests use a fresh one per run. */
  schema?: string;
  /**
   * Postgres only: pg-boss gets its own small pool on this URL (native pg-boss). Without it pg-boss
   * runs through `db` (an executeSql adapter over Db.exec), which is how it runs on PGlite.
   */
  databaseUrl?: string;
  /** Size of pg-boss's own pool (with databaseUrl). Default 4. */
  poolSize?: number;
  /** How often an idle queue looks for due jobs, in ms. Default 1000. */
  pollingIntervalMs?: number;
  /**
   * How long a job may stay active before it is failed and retried (a crashed worker's job comes
   * back after this plus at most one maintenance interval). Default 60 s.
   */
  expireInSeconds?: number;
  /** How often pg-boss expires, archives and purges jobs (shared between processes). Default 30 s. */
  maintenanceIntervalSeconds?: number;
  /** Errors with no caller to throw to (polling, pg-boss maintenance). Default: message on stderr. */
  onError?: (err: Error) => void;
}
