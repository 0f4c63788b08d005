/**
 * Issue 13.7 with 13.2 through the pipelines and the send worker (sandbox transport, real store and
 * queue): a customer who sent STOP and later orders gets the whole dialogue, every answer with the
 * START reminder, is actually sent each answer by the worker (none cancelled as `opted_out`), gets
 * exactly one order with the stock taken, stays opted out, and receives no follow-up afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  handleFollowup,
  handleOutbound,
  type OutboundJobData,
  type PipelineDeps,
  processEvents,
} from '../../src/pipeline/index.ts';
import type { Job } from '../../src/queue/index.ts';
import { startQueue } from '../../src/queue/index.ts';
import { createStore, type Store } from '../../src/store/index.ts';
import {
  createSandboxClient,
  createSandboxHub,
  type InboundEvent,
  type SandboxHub,
} from '../../src/whatsapp/index.ts';
import { freshTenant, testBackends, testKeyring } from '../support/store.ts';

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-23T10:00:00Z'); // a Monday, 10:00 in Abidjan
const FACTS = {
  deliveryFacts: { zones: [{ id: 'yopougon', name: 'Yopougon', fee: 1000, delay: '24 h' }] },
  paymentFacts: { methods: ['orange_money', 'wave'] },
};

let store: Store;
let hub: SandboxHub;
let now = T0;
let deps: PipelineDeps;
let stopQueue: () => Promise<void>;
let seq = 0;

const backend = testBackends().at(-1)!;

beforeAll(async () => {
  const db = await backend.open();
  store = createStore(db, testKeyring());
  const queue = await startQueue(db);
  stopQueue = () => queue.stop({ graceful: false });
  hub = createSandboxHub({ now: () => now });
  deps = {
    store,
    queue,
    nowMs: () => now,
    clientFor: (channel) => createSandboxClient({ channelId: channel.id }, { hub, sleep: async () => {} }),
    sleep: async () => {},
    pacingScale: 0,
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
});

afterAll(async () => {
  await stopQueue?.();
  await store?.close();
});

function job(data: OutboundJobData): Job {
  return {
    id: `job_${seq++}`,
    name: 'outbound',
    data: { ...data },
    groupKey: null,
    attempt: 1,
    retryLimit: 5,
    signal: new AbortController().signal,
  };
}

/** Sends every queued outbound message of the tenant through the worker's handler, oldest first. */
async function flushSends(tenantId: string): Promise<void> {
  const queued = await store.tx(tenantId, async (r) => {
    const contacts = await r.contacts.list({ limit: 50 });
    const all = [];
    for (const c of contacts.items) {
      const page = await r.messages.history(c.id, { limit: 200 });
      all.push(...page.items.filter((m) => m.direction === 'out' && m.status === 'queued'));
    }
    return all.sort((a, b) => a.createdAtMs - b.createdAtMs);
  });
  for (const m of queued)
    await handleOutbound(deps, job({ tenantId, messageId: m.id, typingAtMs: now, typingMs: 0 }));
}

describe('STOP, then an order', () => {
  it('takes the order, sends every answer with the START reminder, one order, no follow-up', async () => {
    now = T0;
    const tenantId = await freshTenant(store.db);
    const { channelId, productId } = await store.tx(tenantId, async (r) => {
      const product = await r.products.create({ name: 'Sac noir', price: 15000, currency: 'XOF', stock: 4 });
      await r.playbook.put({ info: FACTS as never });
      const channel = await r.channels.create({ name: 'Sandbox', transport: 'sandbox' });
      return { channelId: channel.id, productId: product.id };
    });
    const phone = '+2250706060606';
    const say = async (text: string, providerId = `sbx_stop_${++seq}`) => {
      now += MINUTE;
      const e: InboundEvent = {
        kind: 'message',
        providerId,
        from: { phone },
        timestampMs: now,
        type: 'text',
        text,
      };
      await processEvents(deps, { tenantId, channelId }, [e]);
      await flushSends(tenantId);
      return providerId;
    };

    await say('STOP');
    await say('Je veux 2 sacs noirs');
    await say("c'est quoi vos horaires ?");
    await say('Yopougon Selmer, je paie par Wave');
    const yes = await say('oui');
    await say('oui', yes); // the confirmation redelivered

    const sent = hub
      .inbox(channelId)
      .sent.filter((s) => s.kind === 'text')
      .map((s) => (s.kind === 'text' ? s.text : ''));
    // The STOP confirmation, then one answer per message (the redelivery made none).
    expect(sent).toHaveLength(5);
    expect(sent[0]).toMatch(/ne recevrez plus/);
    for (const text of sent.slice(1)) expect(text.match(/START/g)?.length, text).toBe(1);
    expect(sent[1]).toContain('2 × Sac noir');
    expect(sent[2]).toMatch(/horaires/);
    expect(sent[2]).toMatch(/encore votre quartier de livraison \(Yopougon\)/);
    expect(sent[3]).toContain('Total : 31 000 FCFA');
    expect(sent[4]).toMatch(/confirmée ✅ \(31 000 FCFA\)/);

    const state = await store.tx(tenantId, async (r) => {
      const contact = (await r.contacts.findByPhone(channelId, phone))!;
      return {
        contact,
        orders: await r.orders.list({ limit: 10 }),
        stock: (await r.products.get(productId))?.stock,
        outs: (await r.messages.history(contact.id, { limit: 50 })).items.filter(
          (m) => m.direction === 'out',
        ),
      };
    });
    expect(state.orders.items).toHaveLength(1);
    expect(state.orders.items[0]).toMatchObject({ total: 31000, deliveryFee: 1000, paymentMethod: 'wave' });
    expect(state.stock).toBe(2);
    expect(state.contact.optedOut).toBe(true);
    expect(state.outs.map((m) => m.errorCode)).not.toContain('cancelled_opted_out');

    // The follow-up ladder would nudge a subscribed customer; an opted-out one hears nothing more.
    for (const atMs of [now + 20 * MINUTE, now + 2 * 60 * MINUTE, now + 25 * 60 * MINUTE]) {
      now = atMs;
      await handleFollowup(deps, tenantId, state.contact.id);
      await flushSends(tenantId);
    }
    expect(hub.inbox(channelId).sent.filter((s) => s.kind === 'text')).toHaveLength(5);
  });

  it('keeps the START reminder when the stock went before the "oui"', async () => {
    now = T0;
    const tenantId = await freshTenant(store.db);
    const { channelId, productId } = await store.tx(tenantId, async (r) => {
      const product = await r.products.create({ name: 'Sac noir', price: 15000, currency: 'XOF', stock: 2 });
      await r.playbook.put({ info: FACTS as never });
      const channel = await r.channels.create({ name: 'Sandbox', transport: 'sandbox' });
      return { channelId: channel.id, productId: product.id };
    });
    const say = async (text: string) => {
      now += MINUTE;
      await processEvents(deps, { tenantId, channelId }, [
        {
          kind: 'message',
          providerId: `sbx_oos_${++seq}`,
          from: { phone: '+2250707070707' },
          timestampMs: now,
          type: 'text',
          text,
        },
      ]);
      await flushSends(tenantId);
    };
    await say('STOP');
    await say('2 sacs noirs livrés à Yopougon, je paie par Wave');
    await store.tx(tenantId, (r) => r.products.update(productId, { stock: 1 }));
    await say('oui');
    const sent = hub.inbox(channelId).sent.map((m) => (m.kind === 'text' ? m.text : ''));
    expect(sent.at(-1)).toMatch(/Sac noir vient de partir/);
    expect(sent.at(-1)?.match(/START/g)).toHaveLength(1);
    expect((await store.tx(tenantId, (r) => r.orders.list({ limit: 5 }))).items).toHaveLength(0);
  });
});
