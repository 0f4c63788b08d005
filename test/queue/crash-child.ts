/**
 * Child process for the crash-recovery test (crash.test.ts): opens the database, optionally
 * enqueues one outbound job, works the outbound queue with a handler that reports the job to the
 * parent and then hangs, so the parent can SIGKILL it mid-handler. Configured by environment:
 * CRASH_SCHEMA, CRASH_DATA_DIR (PGlite) or CRASH_DATABASE_URL (Postgres), CRASH_ENQUEUE=1.
 */

import { startQueue } from '../../src/queue/queue.ts';
import { openDb } from '../../src/store/db.ts';
import { FAST_QUEUE_OPTIONS } from '../support/queue.ts';

export interface CrashChildMessage {
  type: 'ready' | 'active';
  jobId?: string;
  attempt?: number;
}

function report(message: CrashChildMessage): void {
  if (!process.send) throw new Error('crash-child must be started with an IPC channel (fork)');
  process.send(message);
}

const schema = process.env.CRASH_SCHEMA;
const databaseUrl = process.env.CRASH_DATABASE_URL;
const dataDir = process.env.CRASH_DATA_DIR;
if (!schema || !(databaseUrl || dataDir)) throw new Error('CRASH_SCHEMA and a database are required');

const db = await openDb(databaseUrl ? { databaseUrl, dataDir: '' } : { dataDir: dataDir! });
const queue = await startQueue(db, {
  ...FAST_QUEUE_OPTIONS,
  schema,
  ...(databaseUrl ? { databaseUrl } : {}),
});
if (process.env.CRASH_ENQUEUE === '1') {
  await queue.enqueue({
    name: 'outbound',
    data: { tenantId: 'ten_crash', step: 'crash' },
    groupKey: 'chn_crash',
    retryDelayS: 0,
    retryBackoff: false,
  });
}
await queue.work('outbound', async (job) => {
  report({ type: 'active', jobId: job.id, attempt: job.attempt });
  // Hang until killed: the parent SIGKILLs this process while the job is active.
  await new Promise(() => {});
});
report({ type: 'ready' });
