/**
 * Dead-lettered jobs are visible and replayable (issue 12.11): a send job that failed its last
 * attempt waits in `outbound-dead` with its message marked failed; replaying it puts the job back
 * in the outbound queue in its channel's group and the message back to queued, once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PipelineDeps,
  processEvents,
  replayDeadLetter,
  WORKER_ERROR_CODE,
} from '../../src/pipeline/index.ts';
import { startQueue } from '../../src/queue/index.ts';
import { createStore, type Message, openDb, type Store } from '../../src/store/index.ts';
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

/** What pg-boss does when a job fails its last attempt: a copy of its data in `<queue>-dead`. */
async function deadLetter(data: Record<string, unknown>): Promise<string> {
  const { rows } = await store.db.exec(
    `INSERT INTO pgboss.job (id, name, data, output) VALUES (gen_random_uuid(), 'outbound-dead', $1, $2) RETURNING id::text`,
    [JSON.stringify(data), JSON.stringify({ message: 'Error: send job failed' })],
  );
  return String(rows[0]?.id);
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

    expect(await deps.queue.deadLetters({ tenantId })).toEqual([
      expect.objectContaining({ id, queue: 'outbound', error: 'Error: send job failed' }),
    ]);
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
    expect(await store.tx(tenantId, (r) => r.messages.requeueFailed(message.id))).toBe(false);
    expect((await store.tx(tenantId, (r) => r.messages.get(message.id)))?.status).toBe('failed');
  });
});
