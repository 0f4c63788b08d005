/**
 * A whole sale through the real `sellify serve` process (issue 13, Proof): on the Cloud API (the
 * simulator signs the webhooks and records the sends) and on the sandbox (`sellify chat`). Price →
 * order → address and payment in one message → summary with the right total → "oui" → exactly one
 * order in GET /api/v1/orders with the right lines, fee, total and customer, and the stock taken;
 * the confirmation delivered again changes nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../sim/index.ts';
import {
  API_KEY,
  cleanup,
  eventually,
  freePort,
  json,
  type Server,
  sellify,
  serve,
  sleep,
  stop,
  tempDir,
} from './harness.ts';

afterAll(cleanup);

const CUSTOMER = '+2250701020304';
const SALE = [
  "Bonjour, c'est combien le sac noir ?",
  'Je veux 2 sacs noirs',
  'Yopougon Selmer, près de la pharmacie. Je paie par Orange Money',
  'oui',
];
const PLAYBOOK = {
  delivery: {
    zones: [
      { id: 'yopougon', name: 'Yopougon', aliases: ['Yop'], fee: 1000, delay: '24 h' },
      { id: 'cocody', name: 'Cocody', aliases: ['Riviera'], fee: 1500, delay: '24 h' },
    ],
    default: { fee: 2500, delay: '48 h' },
  },
  payment: { methods: ['orange_money', 'wave', 'cash_on_delivery'] },
};

async function shop(server: Server): Promise<string> {
  const product = await json(`${server.url}/api/v1/products`, API_KEY, 'POST', {
    name: 'Sac noir',
    price: 15000,
    currency: 'XOF',
    stock: 4,
  });
  expect(product.status).toBe(201);
  const playbook = await json(`${server.url}/api/v1/playbook`, API_KEY, 'PUT', PLAYBOOK);
  expect(playbook.status, JSON.stringify(playbook.body)).toBe(200);
  return String(product.body.id);
}

/** The one order of the shop, checked against the sale above, and the stock left. */
async function expectOneOrder(server: Server, productId: string, contactId: string): Promise<void> {
  const orders = await json(`${server.url}/api/v1/orders`, API_KEY);
  expect(orders.status).toBe(200);
  expect(orders.body.items).toHaveLength(1);
  const order = orders.body.items![0]!;
  expect(order).toMatchObject({
    contactId,
    items: [{ productId, name: 'Sac noir', quantity: 2, unitPrice: 15000 }],
    total: 31000,
    currency: 'XOF',
    status: 'confirmed',
  });
  // The fee is what the total holds beyond the lines (the order view may also show it as a field).
  const lines = (order.items as { quantity: number; unitPrice: number }[]).reduce(
    (sum, l) => sum + l.quantity * l.unitPrice,
    0,
  );
  expect(Number(order.total) - lines).toBe(1000);
  if ('deliveryFee' in order) expect(order.deliveryFee).toBe(1000);
  const product = await json(`${server.url}/api/v1/products/${productId}`, API_KEY);
  expect(product.body.stock).toBe(2);
}

describe('a sale on the Cloud API (simulator)', () => {
  let sim: Simulator | undefined;
  let server: Server | undefined;

  afterAll(async () => {
    if (server) await stop(server);
    await sim?.close();
  });

  it('takes the order in chat and records exactly one order, even when the "oui" is delivered again', async () => {
    const port = await freePort();
    sim = await startSimulator({
      seed: `sale-${port}`,
      clock: { mode: 'real' },
      webhookTargets: { cloud: `http://127.0.0.1:${port}/webhooks/whatsapp` },
    });
    server = await serve({
      PORT: String(port),
      SELLIFY_DATA_DIR: tempDir(),
      SELLIFY_API_KEY: API_KEY,
      WHATSAPP_GRAPH_URL: sim.cloud.graphUrl,
      SELLIFY_PACING_SCALE: '0.02',
    });
    const productId = await shop(server);
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

    const sim_ = sim;
    const replies = () =>
      sim_.recorder
        .callsTo('/messages', 'cloud')
        .filter((c) => (c.json as { type?: string }).type === 'text')
        .map((c) => (c.json as { text: { body: string } }).text.body);
    for (const [i, text] of SALE.entries()) {
      const { delivery } = await sim.cloud.inbound({ from: CUSTOMER, name: 'Fatou', text });
      expect(delivery?.status).toBe(200);
      await eventually(() => replies().length > i, 20_000, `the answer to "${text}"`);
    }
    const said = replies();
    expect(said[0]).toContain('15 000 FCFA');
    expect(said[2]).toContain('Total : 31 000 FCFA');
    expect(said[2]).toContain('Livraison (Yopougon, 24 h) : 1 000 FCFA');
    expect(said[3]).toContain('confirmée');

    const contacts = await json(`${server.url}/api/v1/contacts`, API_KEY);
    const contact = contacts.body.items![0]!;
    expect(contact.stage).toBe('ordered');
    await expectOneOrder(server, productId, String(contact.id));

    // Meta delivers the "oui" again: 200, no second order, no second answer.
    const webhooks = sim.recorder.webhooksOf('cloud', 'messages');
    const last = webhooks[webhooks.length - 1]!;
    const again = await fetch(last.url, {
      method: 'POST',
      headers: last.headers,
      body: new Uint8Array(last.body),
    });
    expect(again.status).toBe(200);
    await sleep(1500);
    await expectOneOrder(server, productId, String(contact.id));
    expect(replies()).toHaveLength(SALE.length);
  }, 120_000);
});

describe('a sale on the sandbox (sellify chat)', () => {
  it('takes the order through `sellify chat` and records exactly one order, even when the "oui" is posted again', async () => {
    const dataDir = tempDir();
    const env = { SELLIFY_DATA_DIR: dataDir, SELLIFY_API_KEY: API_KEY, SELLIFY_PACING_SCALE: '0.02' };
    const server = await serve(env);
    try {
      const productId = await shop(server);
      const chat = await sellify(
        ['chat', '--url', server.url, '--phone', CUSTOMER, '--timeout', '30'],
        env,
        `${SALE.join('\n')}\n`,
        90_000,
      );
      expect(chat.code, chat.stderr).toBe(0);
      if (process.env.SALE_TRANSCRIPT) writeFileSync(process.env.SALE_TRANSCRIPT, chat.stdout);
      const bot = chat.stdout.split('\nbot: ').slice(1);
      expect(bot).toHaveLength(4);
      expect(bot[2]).toContain('Total : 31 000 FCFA');
      expect(bot[3]).toContain('confirmée');

      const contacts = await json(`${server.url}/api/v1/contacts`, API_KEY);
      const contactId = String(contacts.body.items![0]!.id);
      await expectOneOrder(server, productId, contactId);

      // The sandbox webhook posted again with the same message id.
      const messages = await json(`${server.url}/api/v1/contacts/${contactId}/messages?limit=50`, API_KEY);
      const yes = messages.body.items!.find((m) => m.direction === 'in' && m.text === 'oui')!;
      const { channelId, webhookSecret } = JSON.parse(
        readFileSync(join(dataDir, 'sandbox.secret'), 'utf8'),
      ) as {
        channelId: string;
        webhookSecret: string;
      };
      const res = await fetch(`${server.url}/webhooks/sandbox/${channelId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sellify-token': webhookSecret },
        body: JSON.stringify({ from: CUSTOMER, text: 'oui', id: yes.providerId }),
      });
      expect(res.status).toBe(200);
      await sleep(1000);
      await expectOneOrder(server, productId, contactId);
    } finally {
      await stop(server);
    }
  }, 150_000);
});
