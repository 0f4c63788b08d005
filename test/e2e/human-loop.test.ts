/**
 * The human loop end to end (issue 15, proofs a and b): the real `sellify serve` process, the
 * simulator speaking Evolution and the Cloud API, an SSE client and a webhook receiver over real HTTP.
 *
 * (a) Evolution: a customer asks a price, the seller answers from the phone before the bot's paced
 *     reply → the bot sends nothing and the conversation is `human`.
 * (b) Cloud: hand-off → `waiting`; the SSE client and the registered webhook receiver both get the
 *     event (signature verified), the seller's WhatsApp gets the notification; take over, reply
 *     through the API → exactly one message at the simulator; hand back → the bot answers the next
 *     question.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../sim/index.ts';
import { type Receiver, startReceiver } from '../sim/receiver.ts';
import type { ApiCallRecord } from '../sim/recorder.ts';
import {
  API_KEY,
  cleanup,
  eventually,
  freePort,
  json,
  type Server,
  serve,
  sleep,
  stop,
  tempDir,
} from './harness.ts';

const CUSTOMER = '+2250701020304';
const SELLER = '+2250709998877';
const PRICE_QUESTION = "Bonjour, c'est combien le sac noir ?";

afterAll(cleanup);

async function setup(env: Record<string, string>) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const sim = await startSimulator({
    seed: `human-loop-${port}`,
    clock: { mode: 'real' },
    webhookTargets: { cloud: `${base}/webhooks/whatsapp` },
  });
  const server = await serve({
    PORT: String(port),
    SELLIFY_DATA_DIR: tempDir(),
    SELLIFY_API_KEY: API_KEY,
    WHATSAPP_GRAPH_URL: sim.cloud.graphUrl,
    ...env,
  });
  const product = await json(`${server.url}/api/v1/products`, API_KEY, 'POST', {
    name: 'Sac noir',
    price: 15000,
    currency: 'XOF',
    stock: 4,
  });
  expect(product.status).toBe(201);
  return { sim, server, base };
}

function cloudTexts(sim: Simulator, to: string): string[] {
  return sim.recorder
    .callsTo('/messages', 'cloud')
    .map((c) => c.json as { type?: string; to?: string; text?: { body?: string } } | undefined)
    .filter((b) => b?.type === 'text' && b.to?.replace(/^\+/, '') === to.replace(/^\+/, ''))
    .map((b) => b?.text?.body ?? '');
}

function evolutionSends(sim: Simulator): ApiCallRecord[] {
  return sim.recorder.callsTo('/message/sendText', 'evolution');
}

async function conversationOf(server: Server): Promise<Record<string, unknown>> {
  const list = await json(`${server.url}/api/v1/conversations`, API_KEY);
  expect(list.status).toBe(200);
  return list.body.items?.[0] ?? {};
}

describe('Evolution: the seller answers from the phone before the bot', () => {
  let sim: Simulator;
  let server: Server;

  beforeAll(async () => {
    let base: string;
    // Half the real pacing: the bot's reply waits at least about 2 s, the phone's answer comes first.
    ({ sim, server, base } = await setup({ SELLIFY_PACING_SCALE: '0.5' }));
    const secret = 'evolution-channel-secret';
    const channel = await json(`${server.url}/api/v1/channels`, API_KEY, 'POST', {
      name: 'Passerelle',
      transport: 'evolution',
      baseUrl: sim.evolution.baseUrl,
      instance: 'sellify',
      apiKey: 'sim-evolution-key',
      webhookSecret: secret,
    });
    expect(channel.status).toBe(201);
    sim.evolution.setWebhook('sellify', {
      enabled: true,
      url: `${base}${String(channel.body.webhookPath)}`,
      headers: { 'X-Sellify-Token': secret },
      events: [],
    });
  });

  afterAll(async () => {
    if (server) await stop(server);
    await sim?.close();
  });

  it('sends nothing from the bot, keeps the seller text in the thread, and the conversation is human', async () => {
    await sim.evolution.inbound({ from: CUSTOMER, text: PRICE_QUESTION });
    await sim.evolution.inbound({
      from: CUSTOMER,
      text: 'Bonjour ! Il est à 15 000, je vous le garde ?',
      fromMe: true,
    });

    const conversation = await eventually(
      async () => {
        const c = await conversationOf(server);
        return c.ownership === 'human' ? c : undefined;
      },
      20_000,
      'the conversation to become human',
    );
    expect(conversation).toMatchObject({ ownership: 'human', owner: 'phone' });

    const thread = await json(
      `${server.url}/api/v1/conversations/${String(conversation.contactId)}/messages`,
      API_KEY,
    );
    const items = thread.body.items ?? [];
    expect(items.find((m) => m.sentBy === 'human')).toMatchObject({
      text: 'Bonjour ! Il est à 15 000, je vous le garde ?',
      status: 'sent',
    });
    expect(items.find((m) => m.sentBy === 'bot')).toMatchObject({
      status: 'failed',
      errorCode: 'cancelled_human',
    });
    // Longer than the bot's whole paced wait at this scale: its job ran and sent nothing.
    await sleep(7_000);
    expect(evolutionSends(sim)).toEqual([]);
  });
});

describe('Cloud: hand-off, notification, take over, reply, hand back', () => {
  let sim: Simulator;
  let server: Server;
  let receiver: Receiver;
  let secret: string;
  const sse: { raw: string; stop: () => void } = { raw: '', stop: () => {} };

  beforeAll(async () => {
    ({ sim, server } = await setup({
      SELLIFY_PACING_SCALE: '0.02',
      SELLIFY_DASHBOARD_URL: 'https://dash.example.test',
    }));
    const n = sim.cloud.defaultNumber;
    const channel = await json(`${server.url}/api/v1/channels`, API_KEY, 'POST', {
      name: 'Boutique',
      transport: 'cloud',
      phoneNumberId: n.phoneNumberId,
      accessToken: n.accessToken,
      appSecret: n.appSecret,
      verifyToken: n.verifyToken,
    });
    expect(channel.status).toBe(201);

    receiver = await startReceiver();
    const endpoint = await json(`${server.url}/api/v1/webhook-endpoints`, API_KEY, 'POST', {
      url: `${receiver.url}/sellify`,
      events: ['handoff.requested', 'conversation.taken_over', 'conversation.handed_back'],
    });
    expect(endpoint.status).toBe(201);
    secret = String(endpoint.body.secret);
    expect(secret).toMatch(/^whsec_/);

    const playbook = await json(`${server.url}/api/v1/playbook`, API_KEY, 'PUT', {
      notifications: { to: SELLER, events: ['handoff.requested'] },
    });
    expect(playbook.status).toBe(200);
    // The seller wrote to the shop number recently: the Cloud window to their number is open.
    sim.cloud.openWindow(SELLER);

    const controller = new AbortController();
    sse.stop = () => controller.abort();
    const res = await fetch(`${server.url}/api/v1/events/stream`, {
      headers: { 'x-api-key': API_KEY, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    void (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
          sse.raw += decoder.decode(chunk, { stream: true });
      } catch {
        // aborted at the end of the test
      }
    })();
  });

  afterAll(async () => {
    // The stream is still open: a graceful stop must end it rather than wait for it (stop fails after 10 s).
    if (server) await stop(server);
    sse.stop();
    await sim?.close();
    await receiver?.close();
  });

  it('hands off: waiting, the SSE client and the signed webhook get the event, the seller is notified', async () => {
    await sim.cloud.inbound({ from: CUSTOMER, text: 'je veux parler au responsable', name: 'Aya' });

    const conversation = await eventually(
      async () => {
        const c = await conversationOf(server);
        return c.ownership === 'waiting' ? c : undefined;
      },
      20_000,
      'the conversation to wait for a person',
    );
    const contactId = String(conversation.contactId);

    await eventually(() => sse.raw.includes('event: handoff.requested'), 15_000, 'the SSE event');
    const block = sse.raw.split('\n\n').find((b) => b.includes('event: handoff.requested')) ?? '';
    const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') as Record<string, unknown>;
    expect(data).toMatchObject({ type: 'handoff.requested', contactId });
    expect(block).toMatch(/^id: \d+$/m);

    const delivery = await eventually(() => receiver.requests[0], 15_000, 'the webhook delivery');
    const header = String(delivery.headers['sellify-signature'] ?? '');
    const t = /t=(\d+)/.exec(header)?.[1] ?? '';
    const v1 = /v1=([0-9a-f]{64})/.exec(header)?.[1] ?? '';
    const expected = createHmac('sha256', secret)
      .update(`${t}.${delivery.rawBody.toString('utf8')}`)
      .digest();
    expect(timingSafeEqual(Buffer.from(v1, 'hex'), expected)).toBe(true);
    expect(JSON.parse(delivery.rawBody.toString('utf8'))).toMatchObject({
      type: 'handoff.requested',
      contactId,
    });
    expect(delivery.headers['sellify-event-id']).toBe(data.id);

    const notes = await eventually(
      () => {
        const texts = cloudTexts(sim, SELLER);
        return texts.length > 0 ? texts : undefined;
      },
      15_000,
      'the WhatsApp notification to the seller',
    );
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('Aya');
    expect(notes[0]).toContain(`https://dash.example.test/conversations/${contactId}`);
  });

  it('takes over and replies through the API: exactly one message reaches the customer', async () => {
    const contactId = String((await conversationOf(server)).contactId);
    const before = cloudTexts(sim, CUSTOMER).length; // the bot's hand-off line
    const taken = await json(`${server.url}/api/v1/conversations/${contactId}/takeover`, API_KEY, 'POST', {
      owner: 'Awa',
    });
    expect(taken.status).toBe(200);
    expect(taken.body).toMatchObject({ ownership: 'human', owner: 'Awa' });

    const sent = await json(`${server.url}/api/v1/conversations/${contactId}/messages`, API_KEY, 'POST', {
      text: 'Bonjour Aya, Awa à votre service.',
    });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ kind: 'human', status: 'queued' });
    await eventually(
      () => cloudTexts(sim, CUSTOMER).length > before,
      15_000,
      'the human message at the simulator',
    );
    await sleep(2_000);
    expect(cloudTexts(sim, CUSTOMER).slice(before)).toEqual(['Bonjour Aya, Awa à votre service.']);
    const message = await eventually(
      async () => {
        const thread = await json(`${server.url}/api/v1/conversations/${contactId}/messages`, API_KEY);
        const m = thread.body.items?.find((i) => i.id === sent.body.id);
        return m && (m.ticks as number) >= 1 ? m : undefined;
      },
      15_000,
      'the sent status',
    );
    expect(message).toMatchObject({ sentBy: 'human' });

    // While a person owns it, a customer question gets no bot answer.
    await sim.cloud.inbound({ from: CUSTOMER, text: PRICE_QUESTION });
    await sleep(2_000);
    expect(cloudTexts(sim, CUSTOMER).slice(before)).toHaveLength(1);
  });

  it('hands back: the bot answers the next question', async () => {
    const contactId = String((await conversationOf(server)).contactId);
    const back = await json(`${server.url}/api/v1/conversations/${contactId}/handback`, API_KEY, 'POST');
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ ownership: 'bot' });
    const before = cloudTexts(sim, CUSTOMER).length;
    await sim.cloud.inbound({ from: CUSTOMER, text: "Et c'est combien le sac noir ?" });
    const answer = await eventually(
      () => cloudTexts(sim, CUSTOMER)[before],
      20_000,
      'the bot answer after the hand-back',
    );
    expect(answer).toContain('15 000 FCFA');
    await eventually(
      () => receiver.requests.some((r) => r.rawBody.toString('utf8').includes('conversation.handed_back')),
      15_000,
      'the hand-back webhook',
    );
    expect(sse.raw).toContain('event: conversation.taken_over');
  });
});
