import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startQueue } from '../../src/queue/queue.ts';
import type { Job } from '../../src/queue/types.ts';
import { openDb } from '../../src/store/db.ts';
import { dropQueueSchema, FAST_QUEUE_OPTIONS, freshQueueSchema, jobRow, waitFor } from '../support/queue.ts';
import { tempDir } from '../support/store.ts';
import type { CrashChildMessage } from './crash-child.ts';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

function startChild(env: Record<string, string>): ChildProcess {
  return fork(CHILD, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Waits for the child to report its job as active, then SIGKILLs it and waits for its exit. */
async function killWhenActive(child: ChildProcess): Promise<string> {
  const jobId = await new Promise<string>((resolve, reject) => {
    child.on('message', (m: CrashChildMessage) => {
      if (m.type === 'active' && m.jobId) resolve(m.jobId);
    });
    child.on('exit', (code) => reject(new Error(`worker child exited early with code ${code}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  return jobId;
}

describe('crash recovery', () => {
  it('retries the job of a worker killed mid-handler once it expires (PGlite data directory)', async () => {
    const dir = tempDir('sellify-queue-crash-');
    const schema = freshQueueSchema();
    try {
      const child = startChild({ CRASH_SCHEMA: schema, CRASH_DATA_DIR: dir.path, CRASH_ENQUEUE: '1' });
      const jobId = await killWhenActive(child);

      // The dead child's data-directory lock is taken over; its job is still marked active.
      const db = await openDb({ dataDir: dir.path });
      try {
        expect((await jobRow(db, schema, jobId))?.state).toBe('active');
        const queue = await startQueue(db, { ...FAST_QUEUE_OPTIONS, schema });
        const runs: Job[] = [];
        await queue.work('outbound', async (job) => {
          runs.push(job);
        });
        await waitFor('the job to complete', async () =>
          (await jobRow(db, schema, jobId))?.state === 'completed' ? true : undefined,
        );
        await queue.stop();
        expect(runs.map((j) => [j.id, j.attempt])).toEqual([[jobId, 2]]);
      } finally {
        await db.close();
      }
    } finally {
      dir.cleanup();
    }
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'retries the job of a worker process killed mid-handler once it expires (Postgres)',
    async () => {
      const url = process.env.TEST_DATABASE_URL!;
      const schema = freshQueueSchema();
      const db = await openDb({ databaseUrl: url, dataDir: '', maxConnections: 2 });
      try {
        const queue = await startQueue(db, { ...FAST_QUEUE_OPTIONS, schema, databaseUrl: url, poolSize: 2 });
        const id = await queue.enqueue({
          name: 'outbound',
          data: { tenantId: 'ten_crash', step: 'crash' },
          groupKey: 'chn_crash',
          retryDelayS: 0,
          retryBackoff: false,
        });
        const child = startChild({ CRASH_SCHEMA: schema, CRASH_DATABASE_URL: url });
        const jobId = await killWhenActive(child);
        expect(jobId).toBe(id);
        expect((await jobRow(db, schema, jobId))?.state).toBe('active');

        const runs: Job[] = [];
        await queue.work('outbound', async (job) => {
          runs.push(job);
        });
        await waitFor('the job to complete', async () =>
          (await jobRow(db, schema, jobId))?.state === 'completed' ? true : undefined,
        );
        await queue.stop();
        expect(runs.map((j) => [j.id, j.attempt])).toEqual([[jobId, 2]]);
      } finally {
        await dropQueueSchema(db, schema);
        await db.close();
      }
    },
  );
});
