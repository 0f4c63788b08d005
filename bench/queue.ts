/**
 * Queue benchmark. Enqueue: one job per call, alone and inside an owner transaction, next to a
 * `SELECT 1` round trip. Drain: a backlog worked by `queue.work` (concurrency 4, no-op handler),
 * jobs grouped by 50 channels (one active per channel, in order) next to the same number of
 * ungrouped jobs, with 5000 finished jobs in the table as a day of history would leave.
 *
 * Backends: PGlite in memory, and Postgres when TEST_DATABASE_URL or DATABASE_URL is set (the
 * bench uses its own pg-boss schema and drops it). Run: `node --import tsx bench/queue.ts`.
 */

import { fileURLToPath } from 'node:url';
import { startQueue } from '../src/queue/queue.ts';
import type { Queue, QueueOptions } from '../src/queue/types.ts';
import { openDb } from '../src/store/db.ts';
import type { Db } from '../src/store/types.ts';
import { dropQueueSchema, freshQueueSchema } from '../test/support/queue.ts';
import { formatTable, type Measurement, measure } from './lib.ts';

const TENANT = 'ten_benchBenchBenchBenchBenc';
const CHANNELS = 50;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Enqueues `jobs` outbound jobs, then times how long `work` takes to run them all. */
async function drain(name: string, queue: Queue, jobs: number, grouped: boolean): Promise<Measurement> {
  for (let i = 0; i < jobs; i++) {
    await queue.enqueue({
      name: 'outbound',
      data: { tenantId: TENANT, seq: i },
      ...(grouped ? { groupKey: `chn_${i % CHANNELS}` } : {}),
    });
  }
  const starts: number[] = [];
  const t0 = process.hrtime.bigint();
  await new Promise<void>((resolve) => {
    void queue.work(
      'outbound',
      async () => {
        starts.push(Number(process.hrtime.bigint() - t0) / 1000);
        if (starts.length === jobs) resolve();
      },
      { concurrency: 4 },
    );
  });
  const totalUs = Number(process.hrtime.bigint() - t0) / 1000;
  const gaps = starts.slice(1).map((s, i) => s - starts[i]!);
  gaps.sort((a, b) => a - b);
  return {
    name,
    ops: jobs,
    opsPerSec: jobs / (totalUs / 1e6),
    p50Us: percentile(gaps, 50),
    p99Us: percentile(gaps, 99),
  };
}

async function withQueue<T>(
  db: Db,
  options: QueueOptions,
  fn: (queue: Queue, schema: string) => Promise<T>,
): Promise<T> {
  const schema = freshQueueSchema();
  const queue = await startQueue(db, { ...options, schema, pollingIntervalMs: 50 });
  try {
    await db.exec(
      `INSERT INTO ${schema}.job (name, data, state, singleton_key, started_on, completed_on, policy)
       SELECT 'outbound', jsonb_build_object('tenantId', '${TENANT}'), 'completed',
              'g:chn_' || (i % ${CHANNELS}), now(), now(), 'singleton'
       FROM generate_series(1, 5000) AS i`,
    );
    return await fn(queue, schema);
  } finally {
    await queue.stop({ graceful: false });
    await dropQueueSchema(db, schema);
  }
}

async function benchBackend(name: string, db: Db, options: QueueOptions, jobs: number): Promise<string> {
  try {
    const enqueue = await withQueue(db, options, async (queue) => {
      const baseline = await measure(`${name}: SELECT 1 round trip`, jobs, () => db.exec('SELECT 1', []));
      const alone = await measure(`${name}: enqueue`, jobs, (i) =>
        queue.enqueue({
          name: 'inbound',
          data: { tenantId: TENANT, seq: i },
          groupKey: `chn_${i % CHANNELS}`,
        }),
      );
      const inTx = await measure(`${name}: enqueueIn inside a transaction`, jobs, (i) =>
        db.ownerTx((tx) =>
          queue.enqueueIn(tx, { name: 'inbound', data: { tenantId: TENANT, seq: i }, groupKey: 'chn_x' }),
        ),
      );
      return formatTable([baseline, alone, inTx], baseline);
    });
    const ungrouped = await withQueue(db, options, (queue) =>
      drain(`${name}: drain ${jobs} ungrouped jobs (p = gap µs)`, queue, jobs, false),
    );
    const grouped = await withQueue(db, options, (queue) =>
      drain(`${name}: drain ${jobs} jobs over ${CHANNELS} channels`, queue, jobs, true),
    );
    return `${enqueue}\n\n${formatTable([ungrouped, grouped], ungrouped)}`;
  } finally {
    await db.close();
  }
}

export async function run(): Promise<string> {
  const sections = [await benchBackend('pglite', await openDb({ dataDir: '', memory: true }), {}, 1000)];
  const url = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (url) {
    const db = await openDb({ databaseUrl: url, dataDir: '' });
    sections.push(await benchBackend('postgres', db, { databaseUrl: url }, 1000));
  } else {
    sections.push('(postgres skipped: set TEST_DATABASE_URL or DATABASE_URL)');
  }
  return sections.join('\n\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await run());
