/**
 * End to end through WhatsApp: the real `sellify serve` process on the embedded database, the
 * simulator speaking the Cloud API, Evolution and WAHA, and only the base URLs pointing at it.
 * Human pacing is compressed (SELLIFY_PACING_SCALE) so a test takes seconds, not minutes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../sim/index.ts';
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
const PRICE_QUESTION = "Bonjour, c'est combien le sac noir ?";

afterAll(cleanup);

function textSends(sim: Simulator, transport: 'cloud' | 'evolution' | 'waha'): ApiCallRecord[] {
  const path =
    transport === 'cloud' ? '/messages' : transport === 'evolution' ? '/message/sendText' : '/api/sendText';
  return sim.recorder.callsTo(path, transport).filter((c) => {
    const body = c.json as Record<string, unknown> | undefined;
    return transport === 'cloud' ? body?.type === 'text' : typeof body?.text === 'string';
  });
}

function sentText(call: ApiCallRecord | undefined): string {
  const body = call?.json as { text?: string | { body?: string } } | undefined;
  return typeof body?.text === 'string' ? body.text : (body?.text?.body ?? '');
}

async function setup(env: Record<string, string> = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const sim = await startSimulator({
    seed: `e2e-${port}`,
    clock: { mode: 'real' },
    webhookTargets: { cloud: `${base}/webhooks/whatsapp` },
  });
  const dataDir = tempDir();
  const serverEnv = {
    PORT: String(port),
    SELLIFY_DATA_DIR: dataDir,
    SELLIFY_API_KEY: API_KEY,
    WHATSAPP_GRAPH_URL: sim.cloud.graphUrl,
    SELLIFY_PACING_SCALE: '0.02',
    ...env,
  };
  const server = await serve(serverEnv);
  const product = await json(`${server.url}/api/v1/products`, API_KEY, 'POST', {
    name: 'Sac noir',
    price: 15000,
    currency: 'XOF',
    stock: 4,
  });
  expect(product.status).toBe(201);
  return { sim, server, serverEnv, base };
}

describe('Cloud API end to end', () => {
  let sim: Simulator;
  let server: Server;

  beforeAll(async () => {
    ({ sim, server } = await setup());
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
  });

  afterAll(async () => {
    if (server) await stop(server);
    await sim?.close();
  });

  it("answers Meta's verification handshake only with the right verify token", async () => {
    const n = sim.cloud.defaultNumber;
    const ok = await fetch(
      `${server.url}/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${n.verifyToken}`,
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await fetch(
      `${server.url}/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope`,
    );
    expect(wrong.status).toBe(403);
  });

  it('answers a signed price question with exactly one text naming the price, after read, typing and a human delay', async () => {
    const { delivery } = await sim.cloud.inbound({ from: CUSTOMER, name: 'Aminata', text: PRICE_QUESTION });
    expect(delivery?.status).toBe(200);
    const reply = await eventually(() => textSends(sim, 'cloud')[0], 15_000, 'the reply');
    expect(sentText(reply)).toContain('15 000 FCFA');
    expect((reply.json as { to: string }).to).toBe(CUSTOMER);
    // Read receipt with typing indicator before the text.
    const typing = sim.recorder
      .callsTo('/messages', 'cloud')
      .find((c) => (c.json as Record<string, unknown>).typing_indicator);
    expect(typing?.seq).toBeLessThan(reply.seq);
    // The decision paced it like a person (unscaled figures; the test compresses them ×0.02).
    const decisions = await json(`${server.url}/api/v1/decisions`, API_KEY);
    const decision = decisions.body.items?.find((d) => d.action === 'reply');
    expect(Number(decision?.delayMs)).toBeGreaterThanOrEqual(2500);
    expect(Number(decision?.typingMs)).toBeGreaterThanOrEqual(600);
    await sleep(1500);
    expect(textSends(sim, 'cloud')).toHaveLength(1);
  });

  it('stays at one reply when the same webhook is redelivered three times', async () => {
    const original = sim.recorder.webhooksOf('cloud', 'messages')[0];
    expect(original).toBeDefined();
    for (let i = 0; i < 3; i++) {
      const res = await fetch(original!.url, {
        method: 'POST',
        headers: original!.headers,
        body: new Uint8Array(original!.body),
      });
      expect(res.status).toBe(200);
    }
    await sleep(2000);
    expect(textSends(sim, 'cloud')).toHaveLength(1);
  });

  it('refuses a badly signed webhook with 401 and stores nothing', async () => {
    const before = await json(`${server.url}/api/v1/contacts`, API_KEY);
    const { delivery } = await sim.cloud.inbound({
      from: '+221771234567',
      text: 'Bonjour',
      signature: 'bad',
    });
    expect(delivery?.status).toBe(401);
    const missing = await sim.cloud.inbound({ from: '+221771234567', text: 'Bonjour', signature: 'missing' });
    expect(missing.delivery?.status).toBe(401);
    const after = await json(`${server.url}/api/v1/contacts`, API_KEY);
    expect(after.body.items?.length).toBe(before.body.items?.length);
  });

  it('confirms STOP once, marks the contact opted out, and sends nothing more', async () => {
    await sim.cloud.inbound({ from: CUSTOMER, text: 'STOP' });
    const confirmation = await eventually(() => textSends(sim, 'cloud')[1], 15_000, 'the STOP confirmation');
    expect(sentText(confirmation)).toContain('START');
    await sim.cloud.inbound({ from: CUSTOMER, text: 'stop !!' });
    await sleep(2000);
    expect(textSends(sim, 'cloud')).toHaveLength(2);
    const contacts = await json(`${server.url}/api/v1/contacts`, API_KEY);
    expect(contacts.body.items?.[0]).toMatchObject({ optedOut: true, stage: 'opted_out' });
  });

  it('moves a message to read and never back when a late "delivered" arrives', async () => {
    const history = async () => {
      const contacts = await json(`${server.url}/api/v1/contacts`, API_KEY);
      const id = contacts.body.items?.[0]?.id;
      return (await json(`${server.url}/api/v1/contacts/${id}/messages`, API_KEY)).body.items ?? [];
    };
    const read = await eventually(
      async () => (await history()).find((m) => m.direction === 'out' && m.status === 'read'),
      15_000,
      'a read status',
    );
    const late = await sim.cloud.emitStatus(String(read.providerId), 'delivered');
    expect(late?.status).toBe(200);
    const after = (await history()).find((m) => m.id === read.id);
    expect(after?.status).toBe('read');
  });

  it('answers a username user who writes without a phone number by BSUID, exactly once', async () => {
    const before = textSends(sim, 'cloud').length;
    const bsuid = 'CI.1502576394655843';
    const { delivery } = await sim.cloud.inbound({
      from: '+2250799999999',
      bsuid,
      username: 'awa.k',
      name: 'Awa',
      text: PRICE_QUESTION,
    });
    expect(delivery?.status).toBe(200);
    expect(delivery?.body.toString('utf8')).not.toContain('"wa_id"');
    const reply = await eventually(() => textSends(sim, 'cloud')[before], 15_000, 'the reply by BSUID');
    expect(sentText(reply)).toContain('15 000 FCFA');
    expect(reply.json).toMatchObject({ recipient: bsuid });
    expect((reply.json as { to?: string }).to).toBeUndefined();
    expect(reply.status).toBe(200);
    const contacts = await json(`${server.url}/api/v1/contacts`, API_KEY);
    expect(contacts.body.items?.find((c) => c.bsuid === bsuid)).toMatchObject({
      phone: null,
      name: 'Awa',
      country: 'CI',
      timezone: 'Africa/Abidjan',
    });
    await sleep(1500);
    expect(textSends(sim, 'cloud')).toHaveLength(before + 1);
  });
});

describe('crash after acknowledging a webhook', () => {
  it('sends the reply exactly once after a SIGKILL between the 200 and the send', {
    timeout: 120_000,
  }, async () => {
    const { sim, server, serverEnv } = await setup({ SELLIFY_PACING_SCALE: '1' });
    try {
      const n = sim.cloud.defaultNumber;
      await json(`${server.url}/api/v1/channels`, API_KEY, 'POST', {
        name: 'Boutique',
        transport: 'cloud',
        phoneNumberId: n.phoneNumberId,
        accessToken: n.accessToken,
        appSecret: n.appSecret,
        verifyToken: n.verifyToken,
      });
      const { delivery } = await sim.cloud.inbound({ from: CUSTOMER, text: PRICE_QUESTION });
      expect(delivery?.status).toBe(200);
      // Paced like a person, the reply is seconds away: kill the process now.
      server.child.kill('SIGKILL');
      await server.exit;
      expect(textSends(sim, 'cloud')).toHaveLength(0);

      const again = await serve({ ...serverEnv, SELLIFY_PACING_SCALE: '0.02' });
      try {
        const reply = await eventually(
          () => textSends(sim, 'cloud')[0],
          45_000,
          'the reply after restart',
        ).catch((err: Error) => {
          throw new Error(
            `${err.message}\nserver stderr:\n${again.stderr()}\ncalls: ${JSON.stringify(sim.recorder.calls.map((c) => [c.path, c.json]))}`,
          );
        });
        expect(sentText(reply)).toContain('15 000 FCFA');
        await sleep(2000);
        expect(textSends(sim, 'cloud')).toHaveLength(1);
      } finally {
        await stop(again);
      }
    } finally {
      await sim.close();
    }
  });
});

describe.each(['evolution', 'waha'] as const)('%s gateway end to end', (transport) => {
  let sim: Simulator;
  let server: Server;
  const secret = `${transport}-channel-secret`;

  beforeAll(async () => {
    let base: string;
    ({ sim, server, base } = await setup());
    const credentials =
      transport === 'evolution'
        ? {
            baseUrl: sim.evolution.baseUrl,
            instance: 'sellify',
            apiKey: 'sim-evolution-key',
            webhookSecret: secret,
          }
        : { baseUrl: sim.waha.baseUrl, session: 'default', apiKey: 'sim-waha-key', hmacKey: secret };
    const channel = await json(`${server.url}/api/v1/channels`, API_KEY, 'POST', {
      name: 'Passerelle',
      transport,
      ...credentials,
    });
    expect(channel.status).toBe(201);
    const url = `${base}${String(channel.body.webhookPath)}`;
    if (transport === 'evolution') {
      sim.evolution.setWebhook('sellify', {
        enabled: true,
        url,
        headers: { 'X-Sellify-Token': secret },
        events: [],
      });
    } else {
      sim.waha.defaultSession.webhooks = [
        { url, events: ['message', 'message.ack', 'session.status'], hmacKey: secret, customHeaders: {} },
      ];
    }
  });

  afterAll(async () => {
    if (server) await stop(server);
    await sim?.close();
  });

  const inbound = (text: string) =>
    transport === 'evolution'
      ? sim.evolution.inbound({ from: CUSTOMER, text })
      : sim.waha.inbound({ from: CUSTOMER, text });

  it('answers a price question exactly once, even when the webhook is redelivered', async () => {
    await inbound(PRICE_QUESTION);
    const reply = await eventually(() => textSends(sim, transport)[0], 20_000, 'the reply');
    expect(sentText(reply)).toContain('15 000 FCFA');
    const original = sim.recorder.webhooksOf(transport).find((w) => w.status === 200);
    expect(original).toBeDefined();
    for (let i = 0; i < 3; i++) {
      const res = await fetch(original!.url, {
        method: 'POST',
        headers: original!.headers,
        body: new Uint8Array(original!.body),
      });
      expect(res.status).toBe(200);
    }
    await sleep(2000);
    expect(textSends(sim, transport)).toHaveLength(1);
  });

  it('refuses a webhook without the channel secret with 401', async () => {
    const original = sim.recorder.webhooksOf(transport).find((w) => w.status === 200);
    const headers = Object.fromEntries(
      Object.entries(original!.headers).filter(
        ([k]) => !['x-sellify-token', 'x-webhook-hmac'].includes(k.toLowerCase()),
      ),
    );
    const res = await fetch(original!.url, { method: 'POST', headers, body: new Uint8Array(original!.body) });
    expect(res.status).toBe(401);
    expect((await res.json()).code).toBe('invalid_signature');
  });

  it('confirms STOP once and then stays silent', async () => {
    await inbound('STOP');
    const confirmation = await eventually(
      () => textSends(sim, transport)[1],
      20_000,
      'the STOP confirmation',
    );
    expect(sentText(confirmation)).toContain('START');
    await inbound('stop');
    await sleep(2000);
    expect(textSends(sim, transport)).toHaveLength(2);
  });
});

describe('a Cloud API channel configured from the environment', () => {
  it('is created at first start from the WHATSAPP_* variables and answers signed webhooks', async () => {
    const port = await freePort();
    const sim = await startSimulator({
      seed: `env-${port}`,
      clock: { mode: 'real' },
      webhookTargets: { cloud: `http://127.0.0.1:${port}/webhooks/whatsapp` },
    });
    const n = sim.cloud.defaultNumber;
    const server = await serve({
      PORT: String(port),
      SELLIFY_DATA_DIR: tempDir(),
      SELLIFY_API_KEY: API_KEY,
      SELLIFY_PACING_SCALE: '0.02',
      WHATSAPP_GRAPH_URL: sim.cloud.graphUrl,
      WHATSAPP_PHONE_NUMBER_ID: n.phoneNumberId,
      WHATSAPP_ACCESS_TOKEN: n.accessToken,
      WHATSAPP_APP_SECRET: n.appSecret,
      WHATSAPP_VERIFY_TOKEN: n.verifyToken,
    });
    try {
      expect(server.stdout()).toContain('Cloud API channel created from the environment');
      await json(`${server.url}/api/v1/products`, API_KEY, 'POST', {
        name: 'Sac noir',
        price: 15000,
        currency: 'XOF',
      });
      await sim.cloud.inbound({ from: CUSTOMER, text: PRICE_QUESTION });
      const reply = await eventually(() => textSends(sim, 'cloud')[0], 15_000, 'the reply');
      expect(sentText(reply)).toContain('15 000 FCFA');
    } finally {
      await stop(server);
      await sim.close();
    }
  });
});
