/**
 * The language model in integrated mode, through the webhook pipeline and the send worker, with a
 * local OpenAI-compatible server: an off-script question answered with the model's help, a price
 * question answered with the catalogue price while the model proposes another, and the model's
 * requests and answers stored with the decision.
 *
 * The webhook never waits for the model: a message the model would help with is stored and
 * acknowledged, then decided by the `decide` job (src/pipeline/assist.ts). Over the real webhook
 * route, the fake model holds its answer until the test has seen the 200; the reply still carries
 * the model's reading, and a redelivered webhook or a re-run job answers once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLlmClient } from '../../src/llm/client.ts';
import { decideWithModel, type PipelineDeps, processEvents, startWorkers } from '../../src/pipeline/index.ts';
import { type Queue, startQueue } from '../../src/queue/index.ts';
import { STRUCTURED_INFO_KEYS } from '../../src/store/repos/playbook.ts';
import { createSandboxClient, createSandboxHub } from '../../src/whatsapp/index.ts';
import { createWorld, type World } from '../http/helpers.ts';
import { type FakeLlm, startFakeLlm } from '../sim/llm.ts';
import { openPipeline, type PipelineHarness } from '../support/pipeline.ts';
import { waitFor } from '../support/queue.ts';

const T0 = Date.parse('2026-11-23T10:00:00Z');
let now = T0;
let h: PipelineHarness;
let fake: FakeLlm;

const llmOf = (fakeLlm: FakeLlm) => ({
  client: createLlmClient({
    apiKey: fakeLlm.apiKey,
    baseUrl: fakeLlm.baseUrl,
    model: 'fake-1',
    timeoutMs: 3_000,
    dailyBudget: 100,
    maxRetries: 0,
  }),
  timeoutMs: 3_000,
});

beforeAll(async () => {
  fake = await startFakeLlm();
  h = await openPipeline({ nowMs: () => now, llm: llmOf(fake) });
});

afterAll(async () => {
  await h?.close();
  await fake?.close();
});

beforeEach(() => {
  fake.requests.length = 0;
});

const PRODUCTS = [
  { name: 'Sac noir', price: 15000, currency: 'XOF', stock: 4 },
  { name: 'Robe wax', price: 12000, currency: 'XOF', stock: 2 },
];

/** A shop with the model switched on (or off). */
function shop(llm: { classify?: boolean; rephrase?: boolean } | null) {
  return h.shop({
    products: PRODUCTS,
    ...(llm !== null ? { playbook: { [STRUCTURED_INFO_KEYS.llm]: llm } as never } : {}),
  });
}

/**
 * The `decide` jobs the tests run by hand, oldest message first, a second apart: every message of
 * the tenant still waiting for one.
 */
async function runDecideJobs(tenantId: string): Promise<number> {
  const pending = await h.store.tx(tenantId, async (r) => {
    const ids: string[] = [];
    for (const c of (await r.contacts.list({ limit: 50 })).items) {
      for (const m of (await r.messages.history(c.id, { limit: 50 })).items) {
        if (m.direction === 'in' && (await r.messages.decisionPending(m.id))) ids.push(m.id);
      }
    }
    return ids.reverse();
  });
  for (const id of pending) {
    now += 1_000;
    await decideWithModel(h.deps, tenantId, id);
  }
  return pending.length;
}

async function decisions(tenantId: string) {
  return h.store.tx(tenantId, async (r) => (await r.decisions.list({ limit: 50 })).items);
}

describe('the language model in the webhook pipeline', () => {
  it('answers an off-script question with the model reading it, and keeps the exchange with the decision', async () => {
    const { tenantId, channelId, productIds } = await shop({ classify: true });
    const robe = productIds[1]!;
    fake.respond = () => ({
      content: JSON.stringify({ intent: 'price', language: 'fr', products: [{ id: robe, quantity: null }] }),
    });
    await processEvents(h.deps, { tenantId, channelId }, [
      h.message('+2250701010101', 'la tenue africaine en tissu pagne là, ça fait combien déjà', {
        prefix: 'sbx_llm',
      }),
    ]);
    // Stored and acknowledged, not decided: the model has not been asked yet.
    expect(fake.requests).toHaveLength(0);
    expect(await decisions(tenantId)).toHaveLength(0);
    expect(await runDecideJobs(tenantId)).toBe(1);
    await h.flushSends(tenantId);
    expect(fake.requests).toHaveLength(1);
    expect(h.texts(channelId).at(-1)).toContain('12 000 FCFA');
    const [decision] = await decisions(tenantId);
    expect(decision!.reasons.map((r) => r.code)).toContain('llm.classified');
    expect(
      (decision!.verdicts as { assist?: { classification?: { content?: string } } }).assist?.classification
        ?.content,
    ).toContain(robe);
  });

  it('sends the catalogue price when the model rewrites it with another', async () => {
    const { tenantId, channelId } = await shop({ rephrase: true });
    fake.respond = (req) => {
      const user = req.body.messages?.[1]?.content ?? '';
      const composed = user.slice(user.indexOf('Reply to rewrite: ') + 'Reply to rewrite: '.length);
      return { content: JSON.stringify({ text: composed.replace(/15\s?000/, '9 000') }) };
    };
    await processEvents(h.deps, { tenantId, channelId }, [
      h.message('+2250702020202', "C'est combien le sac noir ?", { prefix: 'sbx_llm' }),
    ]);
    await runDecideJobs(tenantId);
    await h.flushSends(tenantId);
    expect(fake.requests).toHaveLength(1);
    const text = h.texts(channelId).at(-1) ?? '';
    expect(text).toContain('15 000 FCFA');
    expect(text).not.toContain('9 000');
    expect((await decisions(tenantId))[0]!.reasons.map((r) => r.code)).toContain('llm.rejected_price');
  });

  it('asks nothing for a seller who did not switch it on, and decides in the webhook as without a key', async () => {
    const { tenantId, target } = await shop(null);
    await processEvents(h.deps, target, [
      h.message('+2250703030303', 'mmm la chose de la dernière fois', { prefix: 'sbx_llm' }),
    ]);
    expect(fake.requests).toHaveLength(0);
    expect(await decisions(tenantId)).toHaveLength(1);
    expect(await runDecideJobs(tenantId)).toBe(0);
  });

  it('decides a message once: redelivered, its job run again, or run twice at once', async () => {
    const on = await shop({ classify: true, rephrase: true });
    fake.respond = () => ({ content: '{"intent":"unknown","language":"fr","products":[]}' });
    const again = h.message('+2250704040404', 'mmm la chose de la dernière fois', {
      providerId: 'sbx_llm_once',
    });
    await processEvents(h.deps, on.target, [again]);
    expect(await processEvents(h.deps, on.target, [again])).toMatchObject({ duplicates: 1 });
    const messageId = await h.store.tx(
      on.tenantId,
      async (r) => (await r.messages.getByProviderId(on.channelId, 'sbx_llm_once'))!.id,
    );
    // Two workers at once (an expired attempt still running beside its retry), then a re-run.
    await Promise.all([
      decideWithModel(h.deps, on.tenantId, messageId),
      decideWithModel(h.deps, on.tenantId, messageId),
    ]);
    await decideWithModel(h.deps, on.tenantId, messageId);
    expect(await decisions(on.tenantId)).toHaveLength(1);
    expect(await h.flushSends(on.tenantId)).toBe(1);
    expect(h.texts(on.channelId)).toHaveLength(1);
  });

  it('keeps a contact replies in order: a message after a pending one waits for it', async () => {
    const on = await shop({ classify: true });
    fake.respond = () => ({ content: '{"intent":"unknown","language":"fr","products":[]}' });
    const phone = '+2250705050505';
    await processEvents(h.deps, on.target, [h.message(phone, 'mmm le truc là', { prefix: 'sbx_llm' })]);
    // A second later (messages of one instant have no order runDecideJobs could rely on). The engine
    // is sure of this one, but the first is still waiting for the model.
    now += 1_000;
    await processEvents(h.deps, on.target, [
      h.message(phone, "C'est combien le sac noir ?", { prefix: 'sbx_llm' }),
    ]);
    expect(await decisions(on.tenantId)).toHaveLength(0);
    expect(await runDecideJobs(on.tenantId)).toBe(2);
    expect(await h.flushSends(on.tenantId)).toBe(2);
    const sent = h.texts(on.channelId);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toContain('15 000 FCFA');
  });
});

describe('the webhook acknowledgement and a slow model', () => {
  let w: World;
  let queue: Queue;
  let slow: FakeLlm;
  let deps: PipelineDeps;
  const hub = createSandboxHub({ now: () => w.clock.nowMs });

  beforeAll(async () => {
    slow = await startFakeLlm();
    w = await createWorld({
      webhooks: { processEvents: (target, events) => processEvents(deps, target, events) },
    });
    queue = await startQueue(w.db, { onError: () => {} });
    deps = {
      store: w.store,
      queue,
      nowMs: () => w.clock.nowMs,
      clientFor: (channel) => createSandboxClient({ channelId: channel.id }, { hub, sleep: async () => {} }),
      sleep: async () => {},
      pacingScale: 0,
      log: { info: () => {}, warn: () => {}, error: () => {} },
      llm: llmOf(slow),
    };
    await startWorkers(deps);
  });

  afterAll(async () => {
    await queue?.stop({ graceful: false });
    await w?.app.close();
    await w?.store.close();
    await slow?.close();
  });

  it('answers the webhook before the model answers, then replies with the model reading, once', async () => {
    const created = await w.call('POST', '/api/v1/channels', w.a.write, {
      name: 'Sandbox',
      transport: 'sandbox',
    });
    const { id: channelId, webhookSecret } = created.json() as { id: string; webhookSecret: string };
    const robe = await w.store.tx(w.a.id, async (r) => {
      await r.products.create(PRODUCTS[0]!);
      const p = await r.products.create(PRODUCTS[1]!);
      await r.playbook.put({ info: { [STRUCTURED_INFO_KEYS.llm]: { classify: true } } as never });
      return p.id;
    });
    // The model holds its answer until the test has seen the acknowledgement.
    let release: () => void = () => {};
    const acked = new Promise<void>((resolve) => {
      release = resolve;
    });
    slow.respond = async () => {
      await acked;
      return {
        content: JSON.stringify({
          intent: 'price',
          language: 'fr',
          products: [{ id: robe, quantity: null }],
        }),
      };
    };
    const post = () =>
      w.app.inject({
        method: 'POST',
        url: `/webhooks/sandbox/${channelId}`,
        headers: { 'content-type': 'application/json', 'x-sellify-token': webhookSecret },
        payload: {
          from: '+2250706060606',
          text: 'la tenue africaine en pagne là, ça fait combien',
          id: 'sbx_slow_1',
        },
      });
    const res = await post();
    expect(res.statusCode, res.body).toBe(200);
    // Acknowledged: stored, no decision, no reply; the model is (or will be) asked by the job.
    const atAck = await w.store.tx(w.a.id, async (r) => ({
      message: await r.messages.getByProviderId(channelId, 'sbx_slow_1'),
      decisions: (await r.decisions.list({ limit: 10 })).items.length,
    }));
    expect(atAck.message?.body).toContain('tenue africaine');
    expect(atAck.decisions).toBe(0);
    expect(hub.inbox(channelId).sent).toEqual([]);
    await waitFor('the model to be asked', () => (slow.requests.length > 0 ? true : undefined));
    release();

    const texts = () => hub.inbox(channelId).sent.flatMap((s) => (s.kind === 'text' ? [s.text] : []));
    const reply = await waitFor('the reply', () => (texts().length > 0 ? texts() : undefined));
    expect(reply[0]).toContain('12 000 FCFA');

    // Meta redelivers the webhook (say, our 200 was lost): acknowledged again, nothing new.
    expect((await post()).statusCode).toBe(200);
    const messageId = atAck.message!.id;
    await decideWithModel(deps, w.a.id, messageId);
    // (The follow-up check the reply scheduled runs too, the world's clock being in the past: it has
    // no inbound message.)
    const after = await w.store.tx(w.a.id, async (r) =>
      (await r.decisions.list({ limit: 10 })).items.filter((d) => d.messageId === messageId),
    );
    expect(after).toHaveLength(1);
    expect(after[0]!.reasons.map((r) => r.code)).toContain('llm.classified');
    expect(slow.requests).toHaveLength(1);
    expect(texts()).toHaveLength(1);
  });
});
