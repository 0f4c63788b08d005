/**
 * The few statements Sellify runs against pg-boss's tables itself. pg-boss creates and migrates
 * the schema, creates the queues, retries, dead-letters and maintains jobs; Sellify inserts jobs
 * (so the insert can join the caller's transaction as the app role and keep enqueue order) and
 * fetches them (so a group — a channel — has at most one active job and runs in order). Both are
 * written against pg-boss schema version 24 (pg-boss 10.x); `startQueue` refuses any other.
 */

import { createRequire } from 'node:module';
import { APP_ROLE } from '../store/types.ts';

export const PGBOSS_SCHEMA_VERSION = 24;

/** Dead-letter queue of each queue. */
export function deadLetterName(queue: string): string {
  return `${queue}-dead`;
}

/**
 * Insert one job. Parameters: $1 id, $2 queue, $3 data, $4 start_after, $5 singleton_key (the
 * group), $6 retry_limit, $7 retry_delay, $8 retry_backoff (NULL → the queue's setting).
 * The primary key (name, id) is the deduplication: a deterministic id from singletonKey conflicts
 * and RETURNING yields no row. Expiry, retention, dead letter and policy come from the queue row,
 * as pg-boss's own insert does.
 */
export function insertJobSql(schema: string): string {
  // created_on is the insert's own instant, not the transaction's start (now()): jobs enqueued
  // one after another in one transaction (a batch of webhooks) keep their order within a group.
  return `
    INSERT INTO ${schema}.job (
      id, name, data, start_after, singleton_key, expire_in, keep_until,
      retry_limit, retry_delay, retry_backoff, dead_letter, policy, created_on
    )
    SELECT
      $1::uuid, q.name, $3::jsonb, $4::timestamptz, $5::text,
      COALESCE(q.expire_seconds, 900) * interval '1 second',
      $4::timestamptz + COALESCE(q.retention_minutes, 20160) * interval '1 minute',
      COALESCE($6::int, q.retry_limit, 2),
      CASE WHEN COALESCE($8::bool, q.retry_backoff, false)
        THEN GREATEST(COALESCE($7::int, q.retry_delay, 1), 1)
        ELSE COALESCE($7::int, q.retry_delay, 0)
      END,
      COALESCE($8::bool, q.retry_backoff, false),
      q.dead_letter,
      q.policy,
      clock_timestamp()
    FROM ${schema}.queue q
    WHERE q.name = $2
    ON CONFLICT DO NOTHING
    RETURNING id`;
}

/**
 * insertJobSql for many jobs in one statement: each parameter is an array with one element per
 * job, in enqueue order ($3 the data as JSON text). Rows are numbered so created_on keeps that order.
 */
export function insertJobsSql(schema: string): string {
  return `
    INSERT INTO ${schema}.job (
      id, name, data, start_after, singleton_key, expire_in, keep_until,
      retry_limit, retry_delay, retry_backoff, dead_letter, policy, created_on
    )
    SELECT
      v.id, q.name, v.data::jsonb, v.start_after, v.singleton_key,
      COALESCE(q.expire_seconds, 900) * interval '1 second',
      v.start_after + COALESCE(q.retention_minutes, 20160) * interval '1 minute',
      COALESCE(v.retry_limit, q.retry_limit, 2),
      CASE WHEN COALESCE(v.retry_backoff, q.retry_backoff, false)
        THEN GREATEST(COALESCE(v.retry_delay, q.retry_delay, 1), 1)
        ELSE COALESCE(v.retry_delay, q.retry_delay, 0)
      END,
      COALESCE(v.retry_backoff, q.retry_backoff, false),
      q.dead_letter,
      q.policy,
      clock_timestamp() + v.n * interval '1 microsecond'
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::int[], $7::int[], $8::bool[])
      WITH ORDINALITY AS v(id, name, data, start_after, singleton_key, retry_limit, retry_delay, retry_backoff, n)
    JOIN ${schema}.queue q ON q.name = v.name
    ORDER BY v.n
    ON CONFLICT DO NOTHING
    RETURNING id`;
}

/**
 * Claim up to $2 due jobs of queue $1, at most one per group, each the head of its group.
 *
 * A job qualifies when no job of its group is active and no pending job of its group comes before
 * it in (start_after, created_on, id) order. `FOR UPDATE SKIP LOCKED` lets several fetchers run at
 * once; a fetcher that skips a locked head still sees it as pending in its snapshot, so it does
 * not take the second job of that group. Should two fetchers still race, the queue's `singleton`
 * policy makes pg-boss's unique index (one active job per name and singleton_key) refuse the
 * second activation (23505), and the fetch is simply tried again.
 *
 * The outer ORDER BY only decides which groups go first (the longest-due head first); it is on
 * start_after alone so pg-boss's (name, start_after) index yields candidates in order and the scan
 * stops after $2 heads (0.3 ms with 5000 pending and 45 000 finished jobs, against 15 ms when it
 * had to sort every pending job).
 *
 * retry_count is bumped on every start after the first, as pg-boss's own fetch does, so its
 * retry and dead-letter logic stays right.
 */
export function fetchJobsSql(schema: string): string {
  return `
    WITH next AS (
      SELECT j.id
      FROM ${schema}.job j
      WHERE j.name = $1
        AND j.state < 'active'
        AND j.start_after <= now()
        AND NOT EXISTS (
          SELECT 1 FROM ${schema}.job a
          WHERE a.name = $1 AND a.state = 'active' AND a.singleton_key = j.singleton_key
        )
        AND NOT EXISTS (
          SELECT 1 FROM ${schema}.job p
          WHERE p.name = $1
            AND p.state < 'active'
            AND p.singleton_key = j.singleton_key
            AND (p.start_after, p.created_on, p.id) < (j.start_after, j.created_on, j.id)
        )
      ORDER BY j.start_after
      LIMIT $2
      FOR UPDATE OF j SKIP LOCKED
    )
    UPDATE ${schema}.job j SET
      state = 'active',
      started_on = now(),
      retry_count = CASE WHEN j.started_on IS NOT NULL THEN j.retry_count + 1 ELSE j.retry_count END
    FROM next
    WHERE j.name = $1 AND j.id = next.id
    RETURNING j.id, j.data, j.singleton_key AS "singletonKey", j.retry_count AS "retryCount",
      j.retry_limit AS "retryLimit", EXTRACT(epoch FROM j.expire_in)::int AS "expireInSeconds",
      j.started_on::text AS "startedOn"`;
}

/**
 * Complete one attempt: $1 queue, $2 id, $3 started_on of this attempt. The started_on guard
 * means a worker that overran its expiry (the job was failed and perhaps restarted elsewhere)
 * cannot complete somebody else's attempt.
 */
export function completeJobSql(schema: string): string {
  return `
    UPDATE ${schema}.job
    SET completed_on = now(), state = 'completed', output = NULL
    WHERE name = $1 AND id = $2::uuid AND state = 'active' AND started_on = $3::timestamptz`;
}

interface PgBossPlans {
  failJobsById(schema: string): string;
}

const PGBOSS_FAIL_WHERE = `state < 'completed'`;

/**
 * pg-boss's own fail statement (retry with backoff and jitter, or failed + dead-letter copy),
 * narrowed to one attempt: $1 queue, $2 ids (uuid[]), $3 output (jsonb), $4 started_on.
 * Taken from pg-boss rather than copied so retries and dead letters behave exactly as pg-boss
 * documents; the narrowing is checked so an upgrade that changes the statement fails loudly.
 */
export function failJobSql(schema: string): string {
  const require = createRequire(import.meta.url);
  const plans = require('pg-boss/src/plans.js') as PgBossPlans;
  const sql = plans.failJobsById(schema);
  const parts = sql.split(PGBOSS_FAIL_WHERE);
  if (parts.length !== 2) {
    throw new Error(
      'pg-boss failJobsById changed shape; review src/queue/sql.ts against the installed pg-boss',
    );
  }
  return parts.join(`state = 'active' AND started_on = $4::timestamptz`);
}

/** Dead letters, newest first: $1 dead-letter queue names, $2 tenant id or NULL, $3 limit. */
/**
 * Jobs waiting or running, by queue and state, and the dead letters kept (state `created` in a
 * `<queue>-dead` queue, which no worker takes): what the metrics show. $1 = every queue name of
 * interest, the dead-letter queues included.
 */
export function queueStatsSql(schema: string): string {
  return `
    SELECT name, state, count(*)::int AS count
    FROM ${schema}.job
    WHERE name = ANY($1::text[]) AND state IN ('created', 'retry', 'active')
    GROUP BY name, state`;
}

/** Removes one dead letter once replayed. $1 id, $2 the dead-letter queue names. */
export function deleteDeadLetterSql(schema: string): string {
  return `DELETE FROM ${schema}.job WHERE id = $1::uuid AND name = ANY($2::text[]) RETURNING id`;
}

/** One dead letter by id: $1 id, $2 the dead-letter queue names. */
export function deadLetterSql(schema: string): string {
  return `
    SELECT id, name, data, output, created_on AS "createdOn"
    FROM ${schema}.job
    WHERE id::text = $1 AND name = ANY($2::text[])`;
}

/**
 * Dead letters newest first, one page. Parameters: $1 dead-letter queue names, $2 tenant id or
 * NULL, $3 limit, $4 and $5 the (created_on, id) of the previous page's last row or NULL. The
 * cursor's time is rendered by Postgres at microsecond precision (a JS Date would round it to
 * milliseconds and skip or repeat rows).
 */
export function deadLettersSql(schema: string): string {
  return `
    SELECT id, name, data, output, created_on AS "createdOn",
      to_char(created_on AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "cursorAt"
    FROM ${schema}.job
    WHERE name = ANY($1::text[])
      AND ($2::text IS NULL OR data->>'tenantId' = $2::text)
      AND ($4::timestamptz IS NULL OR (created_on, id) < ($4::timestamptz, $5::uuid))
    ORDER BY created_on DESC, id DESC
    LIMIT $3`;
}

/**
 * Run once per start, as the owner, under an advisory lock (concurrent GRANTs on one object fail
 * with "tuple concurrently updated"). The app role may insert jobs and read back their id, and
 * read queue settings (the insert joins them); it cannot read job data, update or delete jobs.
 * The two partial indexes serve the fetch's group tests (is a job of this group active; does a
 * pending one come first) without scanning the finished jobs kept until archival.
 */
export function setupSql(schema: string): string {
  return `
    SELECT pg_advisory_xact_lock(hashtext('sellify.queue.setup.${schema}'));
    GRANT USAGE ON SCHEMA ${schema} TO ${APP_ROLE};
    GRANT SELECT ON ${schema}.queue TO ${APP_ROLE};
    GRANT INSERT ON ${schema}.job TO ${APP_ROLE};
    GRANT SELECT (id) ON ${schema}.job TO ${APP_ROLE};
    CREATE INDEX IF NOT EXISTS sellify_job_group_head
      ON ${schema}.job (name, singleton_key, start_after, created_on, id)
      WHERE state < 'active';
    CREATE INDEX IF NOT EXISTS sellify_job_group_active
      ON ${schema}.job (name, singleton_key)
      WHERE state = 'active';`;
}
