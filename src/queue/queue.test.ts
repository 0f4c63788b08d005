import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  dropQueueSchema,
  FAST_QUEUE_OPTIONS,
  freshQueueSchema,
  jobRow,
  queueTestBackends,
  waitFor,
} from '../../test/support/queue.ts';
import type { Db } from '../store/types.ts';
import { JobPayloadError } from './guard.ts';
import { jobIdForKey, startQueue } from './queue.ts';
import type { Job, Queue, QueueOptions } from './types.ts';

const TENANT = 'ten_4f8Qx2LmZ0aB7cD9eF1gH3jK';
const OTHER_TENANT = 'ten_Zz8Qx2LmZ0aB7cD9eF1gH3jK';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(queueTestBackends())('queue on $label', (backend) => {
  let db: Db;
  let schema: string;
  let started: Queue[] = [];

  beforeAll(async () => {
    db = await backend.open();
  });

  afterAll(async () => {
    await db.close();
  });

  afterEach(async () => {
    await Promise.all(started.map((q) => q.stop({ graceful: false })));
    started = [];
    await dropQueueSchema(db, schema);
  });

  async function start(options: QueueOptions = {}): Promise<Queue> {
    const queue = await startQueue(db, {
      ...backend.queueOptions,
      ...FAST_QUEUE_OPTIONS,
      schema,
      ...options,
    });
    started.push(queue);
    return queue;
  }

  const state = async (id: string) => (await jobRow(db, schema, id))?.state;
  const stateIs = (id: string, want: string) => async () => ((await state(id)) === want ? true : undefined);

  it('runs an enqueued job once with its data and marks it completed', async () => {
    schema = freshQueueSchema();
    const queue = await start();
    const seen: Job[] = [];
    await queue.work('inbound', async (job) => {
      seen.push(job);
    });
    const id = await queue.enqueue({ name: 'inbound', data: { tenantId: TENANT, step: 1, urgent: true } });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor('completion', stateIs(id!, 'completed'));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      id,
      name: 'inbound',
      data: { tenantId: TENANT, step: 1, urgent: true },
      attempt: 1,
      groupKey: null,
    });
  });

  it('drops the job when the enqueuing transaction rolls back', async () => {
    schema = freshQueueSchema();
    const queue = await start();
    let id: string | null = null;
    await expect(
      db.ownerTx(async (tx) => {
        id = await queue.enqueueIn(tx, { name: 'outbound', data: { tenantId: TENANT } });
        throw new Error('decision failed');
      }),
    ).rejects.toThrow('decision failed');
    expect(id).not.toBeNull();
    expect(await jobRow(db, schema, id!)).toBeUndefined();
  });

  it('enqueues inside a tenant transaction as the app role, and a rollback there leaves no job', async () => {
    schema = freshQueueSchema();
    const queue = await start();
    const kept = await db.tenantTx(TENANT, (tx) =>
      queue.enqueueIn(tx, { name: 'outbound', data: { tenantId: TENANT }, groupKey: 'chn_a' }),
    );
    expect(await state(kept!)).toBe('created');

    let dropped: string | null = null;
    await expect(
      db.tenantTx(TENANT, async (tx) => {
        dropped = await queue.enqueueIn(tx, { name: 'outbound', data: { tenantId: TENANT } });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(dropped).not.toBeNull();
    expect(await jobRow(db, schema, dropped!)).toBeUndefined();
  });

  it('enqueues many jobs in one statement in order, one per singletonKey, inside a tenant transaction', async () => {
    schema = freshQueueSchema();
    const queue = await start();
    const existing = await queue.enqueue({
      name: 'outbound',
      data: { tenantId: TENANT },
      singletonKey: 'send:old',
    });
    const atMs = Date.now() + 60_000;
    const added = await db.tenantTx(TENANT, (tx) =>
      queue.enqueueManyIn(tx, [
        {
          name: 'outbound',
          data: { tenantId: TENANT, n: 1 },
          groupKey: 'chn_a',
          singletonKey: 'send:1',
          startAfterMs: atMs,
        },
        {
          name: 'outbound',
          data: { tenantId: TENANT, n: 2 },
          groupKey: 'chn_a',
          singletonKey: 'send:2',
          startAfterMs: atMs,
        },
        {
          name: 'outbound',
          data: { tenantId: TENANT, n: 9 },
          groupKey: 'chn_a',
          singletonKey: 'send:1',
          startAfterMs: atMs,
        },
        { name: 'outbound', data: { tenantId: TENANT }, singletonKey: 'send:old' },
        { name: 'inbound', data: { tenantId: TENANT, n: 3 }, retryLimit: 7 },
      ]),
    );
    expect(existing).not.toBeNull();
    expect(added).toBe(3);
    const { rows } = await db.exec(
      `SELECT name, data, singleton_key, retry_limit FROM ${schema}.job WHERE id <> $1 ORDER BY created_on`,
      [existing],
    );
    expect(rows).toEqual([
      { name: 'outbound', data: { tenantId: TENANT, n: 1 }, singleton_key: 'g:chn_a', retry_limit: 5 },
      { name: 'outbound', data: { tenantId: TENANT, n: 2 }, singleton_key: 'g:chn_a', retry_limit: 5 },
      {
        name: 'inbound',
        data: { tenantId: TENANT, n: 3 },
        singleton_key: expect.stringMatching(/^j:/),
        retry_limit: 7,
      },
    ]);
    // A payload the guard refuses fails the whole statement before anything is written.
    await expect(
      db.tenantTx(TENANT, (tx) =>
        queue.enqueueManyIn(tx, [{ name: 'outbound', data: { tenantId: TENANT, to: '+22507010203' } }]),
      ),
    ).rejects.toThrow(JobPayloadError);
  });

  it('lets the app role insert jobs but not read their data, change or delete them', async () => {
    schema = freshQueueSchema();
    await start();
    for (const sql of [
      `SELECT data FROM ${schema}.job`,
      `UPDATE ${schema}.job SET state = 'completed'`,
      `DELETE FROM ${schema}.job`,
    ]) {
      await expect(db.tenantTx(TENANT, (tx) => tx.query(sql, []))).rejects.toThrow(/permission denied/);
    }
  });

  it('refuses a payload with a phone number before writing anything', async () => {
    schema = freshQueueSchema();
    const queue = await start();
    await expect(
      queue.enqueue({ name: 'outbound', data: { tenantId: TENANT, to: '+22507010203' } }),
    ).rejects.toThrow(JobPayloadError);
    const { rows } = await db.exec(`SELECT count(*)::int AS n FROM ${schema}.job`);
    expect(rows[0]).toEqual({ n: 0 });
  });

  it('creates one job for a singletonKey enqueued twice', async () => {
    schema = freshQueueSchema();
    const queue = await start();
    const spec = { name: 'followup' as const, data: { tenantId: TENANT }, singletonKey: 'ctc_x:1' };
    const first = await queue.enqueue(spec);
    const second = await queue.enqueue(spec);
    expect(first).toBe(jobIdForKey('followup', 'ctc_x:1'));
    expect(second).toBeNull();
    const other = await queue.enqueue({ ...spec, singletonKey: 'ctc_x:2' });
    expect(other).not.toBeNull();
  });

  it('never runs two jobs of one channel at once and keeps each channel in order (3 channels, concurrency 4, two workers)', async () => {
    schema = freshQueueSchema();
    // Two queue instances stand for two worker processes: the guarantee comes from the database.
    const a = await start();
    const b = await start();
    const channels = ['chn_a', 'chn_b', 'chn_c'];
    const perChannel = 8;
    const activeNow = new Map<string, number>();
    const order = new Map<string, number[]>();
    let overlaps = 0;
    let maxParallel = 0;
    let parallel = 0;
    const handler = async (job: Job) => {
      const channel = String(job.data.channelId);
      const n = (activeNow.get(channel) ?? 0) + 1;
      activeNow.set(channel, n);
      if (n > 1) overlaps++;
      parallel++;
      maxParallel = Math.max(maxParallel, parallel);
      order.set(channel, [...(order.get(channel) ?? []), Number(job.data.seq)]);
      await sleep(5 + ((Number(job.data.seq) * 7) % 20));
      parallel--;
      activeNow.set(channel, (activeNow.get(channel) ?? 1) - 1);
    };
    // All jobs are in the table before any worker starts, interleaved across channels.
    const ids: string[] = [];
    for (let seq = 0; seq < perChannel; seq++) {
      for (const channel of channels) {
        const id = await a.enqueue({
          name: 'outbound',
          data: { tenantId: TENANT, channelId: channel, seq },
          groupKey: channel,
        });
        ids.push(id!);
      }
    }
    await a.work('outbound', handler, { concurrency: 4 });
    await b.work('outbound', handler, { concurrency: 4 });
    await waitFor('all jobs completed', async () => {
      const { rows } = await db.exec(
        `SELECT count(*)::int AS n FROM ${schema}.job WHERE name = 'outbound' AND state = 'completed'`,
      );
      return rows[0]?.n === ids.length ? true : undefined;
    });
    expect(overlaps).toBe(0);
    const want = Array.from({ length: perChannel }, (_, i) => i);
    for (const channel of channels) expect(order.get(channel)).toEqual(want);
    // The channels did run side by side: serialization is per channel, not global.
    expect(maxParallel).toBeGreaterThan(1);
  });

  it("starts a channel's jobs in startAfter order, not enqueue order", async () => {
    schema = freshQueueSchema();
    const queue = await start();
    const seen: string[] = [];
    await queue.work(
      'outbound',
      async (job) => {
        seen.push(String(job.data.label));
      },
      { concurrency: 2 },
    );
    const later = await queue.enqueue({
      name: 'outbound',
      data: { tenantId: TENANT, label: 'later' },
      groupKey: 'chn_a',
      startAfterMs: Date.now() + 400,
    });
    await queue.enqueue({ name: 'outbound', data: { tenantId: TENANT, label: 'now' }, groupKey: 'chn_a' });
    await waitFor('the delayed job', stateIs(later!, 'completed'));
    expect(seen).toEqual(['now', 'later']);
  });

  it('retries a failing job, then moves it to the dead-letter queue with a redacted error', async () => {
    schema = freshQueueSchema();
    const queue = await start();
    const attempts: number[] = [];
    await queue.work('outbound', async (job) => {
      attempts.push(job.attempt);
      throw new Error('recipient +225 07 01 02 03 04 is not on WhatsApp');
    });
    const id = await queue.enqueue({
      name: 'outbound',
      data: { tenantId: TENANT, decisionId: 'dec_1' },
      retryLimit: 2,
      retryDelayS: 0,
      retryBackoff: false,
    });
    const dead = await waitFor('the dead letter', async () => {
      const list = (await queue.deadLetters()).items;
      return list.length > 0 ? list : undefined;
    });
    expect(attempts).toEqual([1, 2, 3]);
    expect(await state(id!)).toBe('failed');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      queue: 'outbound',
      data: { tenantId: TENANT, decisionId: 'dec_1' },
      originalJobId: id,
      error: 'Error: recipient [digits] is not on WhatsApp',
    });
    expect(await queue.deadLetters({ tenantId: OTHER_TENANT })).toEqual({ items: [], nextCursor: null });
    expect((await queue.deadLetters({ tenantId: TENANT })).items).toHaveLength(1);
    // What the metrics show: one dead letter of the outbound queue, nothing waiting.
    expect(await queue.stats()).toEqual([{ queue: 'outbound', state: 'dead', count: 1 }]);
  });

  it('counts jobs waiting per queue for the metrics', async () => {
    schema = freshQueueSchema();
    const queue = await start();
    const later = Date.now() + 3_600_000;
    await queue.enqueue({
      name: 'outbound',
      data: { tenantId: TENANT, decisionId: 'dec_a' },
      startAfterMs: later,
    });
    await queue.enqueue({
      name: 'outbound',
      data: { tenantId: TENANT, decisionId: 'dec_b' },
      startAfterMs: later,
    });
    await queue.enqueue({
      name: 'followup',
      data: { tenantId: TENANT, contactId: 'ctc_a' },
      startAfterMs: later,
    });
    const stats = await queue.stats();
    expect(stats).toEqual(
      expect.arrayContaining([
        { queue: 'outbound', state: 'created', count: 2 },
        { queue: 'followup', state: 'created', count: 1 },
      ]),
    );
    expect(stats).toHaveLength(2);
  });

  it('backs retries off exponentially with jitter (first wait uniform in [d, 2d])', async () => {
    schema = freshQueueSchema();
    const queue = await start();
    await queue.work(
      'followup',
      async () => {
        throw new Error('transient');
      },
      { concurrency: 4 },
    );
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const id = await queue.enqueue({
        name: 'followup',
        data: { tenantId: TENANT, i },
        retryDelayS: 100,
        retryBackoff: true,
      });
      ids.push(id!);
    }
    for (const id of ids) await waitFor('the first failure', stateIs(id, 'retry'));
    const { rows } = await db.exec(
      `SELECT EXTRACT(epoch FROM start_after - started_on)::float8 AS "waitS" FROM ${schema}.job WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const waits = rows.map((r) => Number(r.waitS));
    for (const w of waits) {
      expect(w).toBeGreaterThanOrEqual(100);
      expect(w).toBeLessThanOrEqual(201);
    }
    expect(new Set(waits.map((w) => Math.round(w))).size).toBeGreaterThan(1);
  });

  it('graceful stop waits for the active job to finish and leaves none active', async () => {
    schema = freshQueueSchema();
    const queue = await start();
    let began = false;
    let finished = false;
    await queue.work('outbound', async () => {
      began = true;
      await sleep(300);
      finished = true;
    });
    const id = await queue.enqueue({ name: 'outbound', data: { tenantId: TENANT } });
    await waitFor('the handler to start', () => (began ? true : undefined));
    await queue.stop({ graceful: true, timeoutMs: 10_000 });
    expect(finished).toBe(true);
    expect(await state(id!)).toBe('completed');
  });

  it('stop gives up after timeoutMs, aborts the handler and releases its job for a retry', async () => {
    schema = freshQueueSchema();
    const queue = await start({ expireInSeconds: 60 });
    let signal: AbortSignal | undefined;
    await queue.work('outbound', async (job) => {
      signal = job.signal;
      await new Promise((resolve) => job.signal.addEventListener('abort', resolve));
    });
    const id = await queue.enqueue({ name: 'outbound', data: { tenantId: TENANT }, retryDelayS: 0 });
    await waitFor('the handler to start', () => signal);
    await queue.stop({ graceful: true, timeoutMs: 200 });
    expect(signal?.aborted).toBe(true);
    expect(await state(id!)).toBe('retry');
  });

  it('fails and retries a job whose handler outlives expireInSeconds, aborting its signal', async () => {
    schema = freshQueueSchema();
    const queue = await start({ expireInSeconds: 1 });
    const attempts: { attempt: number; aborted: boolean }[] = [];
    await queue.work('inbound', async (job) => {
      if (job.attempt === 1) {
        await new Promise((resolve) => job.signal.addEventListener('abort', resolve));
      }
      attempts.push({ attempt: job.attempt, aborted: job.signal.aborted });
    });
    const id = await queue.enqueue({
      name: 'inbound',
      data: { tenantId: TENANT },
      retryDelayS: 0,
      retryBackoff: false,
    });
    await waitFor('the retry to complete', stateIs(id!, 'completed'));
    expect(attempts).toEqual([
      { attempt: 1, aborted: true },
      { attempt: 2, aborted: false },
    ]);
  });

  it('lets a handler open a tenant transaction and enqueue inside it without deadlocking', async () => {
    schema = freshQueueSchema();
    const queue = await start();
    const steps: number[] = [];
    await queue.work(
      'followup',
      async (job) => {
        const step = Number(job.data.step);
        steps.push(step);
        if (step < 3) {
          await db.tenantTx(TENANT, (tx) =>
            queue.enqueueIn(tx, { name: 'followup', data: { tenantId: TENANT, step: step + 1 } }),
          );
        }
      },
      { concurrency: 2 },
    );
    await queue.enqueue({ name: 'followup', data: { tenantId: TENANT, step: 1 } });
    await waitFor('three steps', () => (steps.length === 3 ? true : undefined));
    expect(steps).toEqual([1, 2, 3]);
  });

  it('refuses a second set of workers for the same queue', async () => {
    schema = freshQueueSchema();
    const queue = await start();
    await queue.work('outbound', async () => {});
    await expect(queue.work('outbound', async () => {})).rejects.toThrow(/already running/);
  });
});
