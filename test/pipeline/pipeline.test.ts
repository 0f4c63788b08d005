/**
 * The pipelines in process, with a clock the test moves: inbound events through processEvents,
 * then the job handlers called at chosen instants, and the sandbox transport recording what went
 * out. Follow-up ladders are hours long, so they are tested here rather than over a real clock.
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
import { createStore, openDb, type Store } from '../../src/store/index.ts';
import {
  createSandboxClient,
  createSandboxHub,
  type InboundEvent,
  type SandboxHub,
} from '../../src/whatsapp/index.ts';
import { freshTenant, testKeyring } from '../support/store.ts';

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-23T10:00:00Z'); // a Monday, 10:00 in Abidjan

let store: Store;
let hub: SandboxHub;
let now = T0;
let deps: PipelineDeps;
let stopQueue: () => Promise<void>;

beforeAll(async () => {
  const db = await openDb({ memory: true, dataDir: '' });
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

async function shop() {
  const tenantId = await freshTenant(store.db);
  const channel = await store.tx(tenantId, async (r) => {
    await r.products.create({ name: 'Sac noir', price: 15000, currency: 'XOF', stock: 4 });
    return r.channels.create({ name: 'Sandbox', transport: 'sandbox' });
  });
  return { tenantId, channelId: channel.id };
}

let seq = 0;
function message(from: string, text: string): InboundEvent {
  seq += 1;
  return {
    kind: 'message',
    providerId: `sbx_${seq}`,
    from: { phone: from },
    timestampMs: now,
    type: 'text',
    text,
  };
}

/** Runs every queued outbound message of the tenant through the send handler, oldest first. */
async function flushSends(tenantId: string): Promise<number> {
  const queued = await store.tx(tenantId, async (r) => {
    const contacts = await r.contacts.list({ limit: 200 });
    const all = [];
    for (const c of contacts.items) {
      const page = await r.messages.history(c.id, { limit: 200 });
      all.push(...page.items.filter((m) => m.direction === 'out' && m.status === 'queued'));
    }
    return all.sort((a, b) => a.createdAtMs - b.createdAtMs);
  });
  for (const m of queued) {
    const data: OutboundJobData = { tenantId, messageId: m.id, typingAtMs: now, typingMs: 0 };
    await handleOutbound(deps, job(data));
  }
  return queued.length;
}

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

const texts = (channelId: string) =>
  hub
    .inbox(channelId)
    .sent.filter((s) => s.kind === 'text')
    .map((s) => (s.kind === 'text' ? s.text : ''));

async function contactOf(tenantId: string) {
  return store.tx(tenantId, async (r) => (await r.contacts.list({ limit: 1 })).items[0]!);
}

describe('pipeline with a controlled clock', () => {
  it('follows up 15 minutes after our last message, then stops for good after STOP', async () => {
    now = T0;
    const { tenantId, channelId } = await shop();
    const target = { tenantId, channelId };
    await processEvents(deps, target, [message('+2250701020304', "c'est combien le sac noir ?")]);
    expect(await flushSends(tenantId)).toBe(1);
    expect(texts(channelId)[0]).toContain('15 000 FCFA');
    const contact = await contactOf(tenantId);

    now = T0 + 10 * MINUTE;
    await handleFollowup(deps, tenantId, contact.id);
    expect(await flushSends(tenantId)).toBe(0);

    now = T0 + 16 * MINUTE;
    await handleFollowup(deps, tenantId, contact.id);
    expect(await flushSends(tenantId)).toBe(1);
    expect(texts(channelId)).toHaveLength(2);
    expect((await contactOf(tenantId)).followupsSent).toBe(1);

    now = T0 + 30 * MINUTE;
    await processEvents(deps, target, [message('+2250701020304', 'STOP')]);
    expect(await flushSends(tenantId)).toBe(1);
    expect(texts(channelId).at(-1)).toContain('START');

    for (const later of [2 * 60, 26 * 60, 72 * 60]) {
      now = T0 + later * MINUTE;
      await handleFollowup(deps, tenantId, contact.id);
      expect(await flushSends(tenantId)).toBe(0);
    }
    expect(texts(channelId)).toHaveLength(3);
  });

  it('cancels the ladder when the customer writes again', async () => {
    now = T0;
    const { tenantId, channelId } = await shop();
    const target = { tenantId, channelId };
    await processEvents(deps, target, [message('+2250709090909', 'cb le sac noir')]);
    await flushSends(tenantId);
    const contact = await contactOf(tenantId);
    now = T0 + 5 * MINUTE;
    await processEvents(deps, target, [message('+2250709090909', 'ok merci')]);
    // The customer spoke last: no nudge is due from the first schedule.
    now = T0 + 16 * MINUTE;
    await handleFollowup(deps, tenantId, contact.id);
    expect((await contactOf(tenantId)).followupsSent).toBe(0);
    await flushSends(tenantId);
    const sent = texts(channelId);
    expect(sent.some((t) => /réfléchir|rappel/i.test(t))).toBe(false);
  });

  it('does not send a queued reply when a STOP arrived meanwhile, but confirms the STOP', async () => {
    now = T0;
    const { tenantId, channelId } = await shop();
    const target = { tenantId, channelId };
    await processEvents(deps, target, [message('+2250701111111', 'cb le sac noir')]);
    now = T0 + 2_000;
    await processEvents(deps, target, [message('+2250701111111', 'STOP')]);
    await flushSends(tenantId);
    const sent = texts(channelId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('START');
  });

  it('never sends a second copy when the worker died after the provider accepted the send', async () => {
    now = T0;
    const { tenantId, channelId } = await shop();
    const target = { tenantId, channelId };
    await processEvents(deps, target, [message('+2250702222222', 'cb le sac noir')]);
    // Simulate the crash: the attempt was marked and the provider accepted it, but the worker died
    // before storing the provider id; the provider's "sent" status carries our id back.
    const queued = await store.tx(tenantId, async (r) => {
      const contact = (await r.contacts.list({ limit: 1 })).items[0]!;
      const out = (await r.messages.history(contact.id)).items.find((m) => m.direction === 'out')!;
      await r.messages.beginSend(out.id, now);
      return out;
    });
    await processEvents(deps, target, [
      {
        kind: 'status',
        providerId: 'sbx_provider_1',
        status: 'sent',
        timestampMs: now,
        callbackData: queued.id,
      },
    ]);
    now = T0 + 30_000;
    await handleOutbound(deps, job({ tenantId, messageId: queued.id, typingAtMs: now, typingMs: 0 }));
    expect(texts(channelId)).toHaveLength(0);
    const stored = await store.tx(tenantId, (r) => r.messages.get(queued.id));
    expect(stored).toMatchObject({ status: 'sent', providerId: 'sbx_provider_1' });
  });

  it('leaves no attempt mark when the handler is stopped during the paced wait, so its retry need not wait for proof', async () => {
    now = T0;
    const { tenantId, channelId } = await shop();
    await processEvents(deps, { tenantId, channelId }, [message('+2250704444444', 'cb le sac noir')]);
    const out = await store.tx(tenantId, async (r) => {
      const contact = (await r.contacts.list({ limit: 1 })).items[0]!;
      return (await r.messages.history(contact.id)).items.find((m) => m.direction === 'out')!;
    });
    const stopping = new AbortController();
    const stoppedDeps: PipelineDeps = {
      ...deps,
      // SIGTERM arrives while the reply waits its human-like gap.
      sleep: async () => {
        stopping.abort();
        throw new Error('aborted during the paced wait');
      },
    };
    await expect(
      handleOutbound(stoppedDeps, {
        ...job({ tenantId, messageId: out.id, typingAtMs: now + 5_000, typingMs: 0 }),
        signal: stopping.signal,
      }),
    ).rejects.toThrow(/paced wait/);
    const stored = await store.tx(tenantId, (r) => r.messages.get(out.id));
    expect(stored).toMatchObject({ status: 'queued', sendStartedAtMs: null, attempts: 0 });
    expect(texts(channelId)).toHaveLength(0);
    expect(await flushSends(tenantId)).toBe(1);
    expect(texts(channelId)).toHaveLength(1);
  });

  it('keeps the message queued and retries when the transport fails transiently', async () => {
    now = T0;
    const { tenantId, channelId } = await shop();
    await processEvents(deps, { tenantId, channelId }, [message('+2250703333333', 'cb le sac noir')]);
    hub.inbox(channelId).failNext({ class: 'retry', code: 'http_503', message: 'unavailable' }, 1);
    await expect(flushSends(tenantId)).rejects.toThrow(/transient/);
    expect(await flushSends(tenantId)).toBe(1);
    expect(texts(channelId)).toHaveLength(1);
  });
});
