/**
 * The language model in integrated mode, through the webhook pipeline and the send worker, with a
 * local OpenAI-compatible server: an off-script question answered with the model's help, a price
 * question answered with the catalogue price while the model proposes another, and the model's
 * requests and answers stored with the decision.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLlmClient } from '../../src/llm/client.ts';
import {
  handleOutbound,
  type OutboundJobData,
  type PipelineDeps,
  processEvents,
} from '../../src/pipeline/index.ts';
import type { Job } from '../../src/queue/index.ts';
import { startQueue } from '../../src/queue/index.ts';
import { createStore, type Store } from '../../src/store/index.ts';
import { STRUCTURED_INFO_KEYS } from '../../src/store/repos/playbook.ts';
import {
  createSandboxClient,
  createSandboxHub,
  type InboundEvent,
  type SandboxHub,
} from '../../src/whatsapp/index.ts';
import { type FakeLlm, startFakeLlm } from '../sim/llm.ts';
import { freshTenant, testBackends, testKeyring } from '../support/store.ts';

const T0 = Date.parse('2026-11-23T10:00:00Z');
let store: Store;
let hub: SandboxHub;
let deps: PipelineDeps;
let fake: FakeLlm;
let stopQueue: () => Promise<void>;
const backend = testBackends().at(-1)!;

beforeAll(async () => {
  fake = await startFakeLlm();
  const db = await backend.open();
  store = createStore(db, testKeyring());
  const queue = await startQueue(db);
  stopQueue = () => queue.stop({ graceful: false });
  hub = createSandboxHub({ now: () => T0 });
  deps = {
    store,
    queue,
    nowMs: () => T0,
    clientFor: (channel) => createSandboxClient({ channelId: channel.id }, { hub, sleep: async () => {} }),
    sleep: async () => {},
    pacingScale: 0,
    log: { info: () => {}, warn: () => {}, error: () => {} },
    llm: {
      client: createLlmClient({
        apiKey: fake.apiKey,
        baseUrl: fake.baseUrl,
        model: 'fake-1',
        timeoutMs: 3_000,
        dailyBudget: 100,
        maxRetries: 0,
      }),
      timeoutMs: 3_000,
    },
  };
});

afterAll(async () => {
  await stopQueue?.();
  await store?.close();
  await fake?.close();
});

beforeEach(() => {
  fake.requests.length = 0;
});

/** A shop with the model switched on (or off). */
async function shop(llm: { classify?: boolean; rephrase?: boolean } | null) {
  const tenantId = await freshTenant(store.db);
  const channel = await store.tx(tenantId, async (r) => {
    await r.products.create({ name: 'Sac noir', price: 15000, currency: 'XOF', stock: 4 });
    await r.products.create({ name: 'Robe wax', price: 12000, currency: 'XOF', stock: 2 });
    if (llm !== null) await r.playbook.put({ info: { [STRUCTURED_INFO_KEYS.llm]: llm } as never });
    return r.channels.create({ name: 'Sandbox', transport: 'sandbox' });
  });
  return { tenantId, channelId: channel.id };
}

let seq = 0;
function message(from: string, text: string): InboundEvent {
  seq += 1;
  return {
    kind: 'message',
    providerId: `sbx_llm_${seq}`,
    from: { phone: from },
    timestampMs: T0,
    type: 'text',
    text,
  };
}

async function flushSends(tenantId: string): Promise<void> {
  const queued = await store.tx(tenantId, async (r) => {
    const contacts = await r.contacts.list({ limit: 50 });
    const all = [];
    for (const c of contacts.items) {
      const page = await r.messages.history(c.id, { limit: 50 });
      all.push(...page.items.filter((m) => m.direction === 'out' && m.status === 'queued'));
    }
    return all;
  });
  for (const m of queued) {
    const data: OutboundJobData = { tenantId, messageId: m.id, typingAtMs: T0, typingMs: 0 };
    const job: Job = {
      id: `job_llm_${seq++}`,
      name: 'outbound',
      data: { ...data },
      groupKey: null,
      attempt: 1,
      retryLimit: 5,
      signal: new AbortController().signal,
    };
    await handleOutbound(deps, job);
  }
}

const sent = (channelId: string) =>
  hub
    .inbox(channelId)
    .sent.filter((s) => s.kind === 'text')
    .map((s) => (s.kind === 'text' ? s.text : ''));

async function lastDecision(tenantId: string) {
  return store.tx(tenantId, async (r) => (await r.decisions.list({ limit: 1 })).items[0]!);
}

describe('the language model in the webhook pipeline', () => {
  it('answers an off-script question with the model reading it, and keeps the exchange with the decision', async () => {
    const { tenantId, channelId } = await shop({ classify: true });
    const robe = await store.tx(
      tenantId,
      async (r) => (await r.products.list()).find((p) => p.name === 'Robe wax')!,
    );
    fake.respond = () => ({
      content: JSON.stringify({
        intent: 'price',
        language: 'fr',
        products: [{ id: robe.id, quantity: null }],
      }),
    });
    await processEvents(deps, { tenantId, channelId }, [
      message('+2250701010101', 'la tenue africaine en tissu pagne là, ça fait combien déjà'),
    ]);
    await flushSends(tenantId);
    expect(fake.requests).toHaveLength(1);
    expect(sent(channelId).at(-1)).toContain('12 000 FCFA');
    const decision = await lastDecision(tenantId);
    expect(decision.reasons.map((r) => r.code)).toContain('llm.classified');
    expect(
      (decision.verdicts as { assist?: { classification?: { content?: string } } }).assist?.classification
        ?.content,
    ).toContain(robe.id);
  });

  it('sends the catalogue price when the model rewrites it with another', async () => {
    const { tenantId, channelId } = await shop({ rephrase: true });
    fake.respond = (req) => {
      const user = req.body.messages?.[1]?.content ?? '';
      const composed = user.slice(user.indexOf('Reply to rewrite: ') + 'Reply to rewrite: '.length);
      return { content: JSON.stringify({ text: composed.replace(/15\s?000/, '9 000') }) };
    };
    await processEvents(deps, { tenantId, channelId }, [
      message('+2250702020202', "C'est combien le sac noir ?"),
    ]);
    await flushSends(tenantId);
    expect(fake.requests).toHaveLength(1);
    const text = sent(channelId).at(-1) ?? '';
    expect(text).toContain('15 000 FCFA');
    expect(text).not.toContain('9 000');
    expect((await lastDecision(tenantId)).reasons.map((r) => r.code)).toContain('llm.rejected_price');
  });

  it('asks nothing for a seller who did not switch it on, nor for a redelivered message', async () => {
    const { tenantId, channelId } = await shop(null);
    const event = message('+2250703030303', 'mmm la chose de la dernière fois');
    await processEvents(deps, { tenantId, channelId }, [event]);
    expect(fake.requests).toHaveLength(0);

    const on = await shop({ classify: true, rephrase: true });
    fake.respond = () => ({ content: '{"intent":"unknown","language":"fr","products":[]}' });
    const again = message('+2250704040404', 'mmm la chose de la dernière fois');
    await processEvents(deps, on, [again]);
    const asked = fake.requests.length;
    expect(asked).toBeGreaterThan(0);
    await processEvents(deps, on, [again]);
    expect(fake.requests).toHaveLength(asked);
  });
});
