/**
 * Dead-lettered jobs are visible and replayable (issue 12.11): a send job that failed its last
 * attempt waits in `outbound-dead` with its message marked failed; replaying it puts the job back
 * in the outbound queue in its channel's group and the message back to queued, once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listDeadLetters,
  type PipelineDeps,
  processEvents,
  replayDeadLetter,
  WORKER_ERROR_CODE,
} from '../../src/pipeline/index.ts';
import { type JobData, startQueue } from '../../src/queue/index.ts';
import { createStore, type Message, openDb, type Store } from '../../src/store/index.ts';
import { insertDeadLetter } from '../support/queue.ts';
import { freshTenant, testKeyring } from '../support/store.ts';

const NOW = Date.parse('2026-11-23T10:00:00Z');

let store: Store;
let deps: PipelineDeps;

beforeAll(async () => {
  const db = await openDb({ memory: true, dataDir: '' });
  store = createStore(db, testKeyring());
  // No worker runs: jobs stay where the test puts them.
  const queue = await startQueue(db);
  deps = {
    store,
    queue,
    nowMs: () => NOW,
    clientFor: () => {
      throw new Error('no sends here');
    },
    sleep: async () => {},
    pacingScale: 0,
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
});

afterAll(async () => {
  await deps?.queue.stop({ graceful: false });
  await store?.close();
});

/** A customer asks, the reply is stored queued with its send job; returns the reply. */
async function reply(tenantId: string, channelId: string): Promise<Message> {
  await processEvents(deps, { tenantId, channelId }, [
    {
      kind: 'message',
      providerId: `in_${tenantId}`,
      from: { phone: '+22507010203' },
      timestampMs: NOW,
      type: 'text',
      text: "c'est combien le sac noir ?",
    },
  ]);
  return store.tx(tenantId, async (r) => {
    const contact = (await r.contacts.list({ limit: 5 })).items[0]!;
    return (await r.messages.history(contact.id, { limit: 5 })).items.find((m) => m.direction === 'out')!;
  });
}

/** A send job's dead letter, as pg-boss leaves it after the last attempt. */
function deadLetter(data: JobData): Promise<string> {
  return insertDeadLetter(store.db, 'outbound', data);
}

describe('dead letters', () => {
  it('lists a failed send and replays it once: job back in its channel group, message queued again', async () => {
    const tenantId = await freshTenant(store.db);
    const other = await freshTenant(store.db, 'Autre boutique');
    const channel = await store.tx(tenantId, async (r) => {
      await r.products.create({ name: 'Sac noir', price: 15000, currency: 'XOF', stock: 4 });
      return r.channels.create({ name: 'Sandbox', transport: 'sandbox' });
    });
    const message = await reply(tenantId, channel.id);
    await store.tx(tenantId, (r) =>
      r.messages.setStatus({ id: message.id }, 'failed', { errorCode: WORKER_ERROR_CODE }),
    );
    const id = await deadLetter({ tenantId, messageId: message.id, typingAtMs: NOW, typingMs: 0 });

    expect(await listDeadLetters(deps, { tenantId })).toEqual({
      items: [
        expect.objectContaining({
          id,
          queue: 'outbound',
          tenantId,
          refs: { messageId: message.id },
          error: 'Error: send job failed',
        }),
      ],
      nextCursor: null,
    });
    expect(await listDeadLetters(deps, { tenantId: other })).toEqual({ items: [], nextCursor: null });
    expect(await deps.queue.stats()).toContainEqual({ queue: 'outbound', state: 'dead', count: 1 });

    // Another tenant's view does not see it.
    expect(await replayDeadLetter(deps, id, other)).toEqual({ replayed: false, reason: 'not_found' });

    const outcome = await replayDeadLetter(deps, id, tenantId);
    expect(outcome.replayed).toBe(true);
    const jobId = outcome.replayed ? outcome.jobId : null;
    const { rows } = await store.db.exec(
      'SELECT name, state, singleton_key, data FROM pgboss.job WHERE id::text = $1',
      [jobId],
    );
    expect(rows[0]).toMatchObject({
      name: 'outbound',
      state: 'created',
      singleton_key: `g:${channel.id}`,
      data: { tenantId, messageId: message.id },
    });
    const after = await store.tx(tenantId, (r) => r.messages.get(message.id));
    expect(after).toMatchObject({ status: 'queued', errorCode: null });
    expect(await deps.queue.deadLetter(id)).toBeNull();
    expect(await replayDeadLetter(deps, id, tenantId)).toEqual({ replayed: false, reason: 'not_found' });
  });

  it('does not bring back a message that reached WhatsApp', async () => {
    const tenantId = await freshTenant(store.db);
    const channel = await store.tx(tenantId, async (r) => {
      await r.products.create({ name: 'Sac noir', price: 15000, currency: 'XOF', stock: 4 });
      return r.channels.create({ name: 'Sandbox', transport: 'sandbox' });
    });
    const message = await reply(tenantId, channel.id);
    await store.tx(tenantId, async (r) => {
      await r.messages.markSent(message.id, `wamid.${tenantId}`, NOW);
      await r.messages.setStatus({ id: message.id }, 'failed', { errorCode: '131026' });
    });
    const id = await deadLetter({ tenantId, messageId: message.id });
    expect(await replayDeadLetter(deps, id, tenantId)).toMatchObject({
      replayed: false,
      reason: 'already_sent',
    });
    expect((await store.tx(tenantId, (r) => r.messages.get(message.id)))?.status).toBe('failed');
    // Nothing was enqueued and the dead letter stays listed.
    expect(await deps.queue.deadLetter(id)).not.toBeNull();
  });

  it('enqueues one job when two replays of one dead letter race', async () => {
    const tenantId = await freshTenant(store.db);
    const id = await insertDeadLetter(store.db, 'followup', { tenantId, contactId: 'ctc_race' });
    const [a, b] = await Promise.all([replayDeadLetter(deps, id, tenantId), replayDeadLetter(deps, id)]);
    const jobIds = [a, b].map((o) => (o.replayed ? o.jobId : o.reason));
    const { rows } = await store.db.exec(
      `SELECT id::text FROM pgboss.job WHERE name = 'followup' AND data->>'contactId' = 'ctc_race'`,
    );
    expect(rows).toHaveLength(1);
    // Each call either replayed (naming that one job) or found the dead letter already gone.
    for (const jobId of jobIds) expect([rows[0]?.id, 'not_found']).toContain(jobId);
    expect(jobIds).toContain(rows[0]?.id);
  });
});
