/**
 * SellifyClient against the real API: the app of test/http/helpers.ts (buildApp over PGlite in
 * memory, a fixed clock) listening on 127.0.0.1 on a free port, driven over real HTTP. Tenant A's
 * keys act as a seller; ENV_KEY is the platform operator's admin key.
 */

import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FetchLike,
  type ProductCreate,
  SellifyClient,
  type SellifyClientOptions,
  SellifyError,
} from '../../client/src/index.ts';
import { createWorld, ENV_KEY, type World } from '../http/helpers.ts';

let w: World;
let baseUrl: string;

beforeAll(async () => {
  w = await createWorld();
  await w.app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(w.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await w?.close();
});

function client(apiKey: string, options: Partial<SellifyClientOptions> = {}): SellifyClient {
  // No waiting between retries in tests; the retry logic itself is covered in retries.test.ts.
  return new SellifyClient({ baseUrl, apiKey, sleep: async () => {}, ...options });
}

async function error(p: Promise<unknown>): Promise<SellifyError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof SellifyError)) throw new Error(`expected a SellifyError, got ${String(err)}`);
  return err;
}

describe('advisor mode', () => {
  it('makeDecision answers "Bonjour, c\'est combien le sac noir ?" with the stored price', async () => {
    const c = client(w.a.write);
    await c.products.create({
      name: 'Sac noir',
      aliases: ['sac a main noir'],
      price: 15000,
      currency: 'XOF',
      stock: 4,
    });
    const channel = await c.channels.create({ name: 'Boutique', transport: 'sandbox' });
    const decision = await c.makeDecision({
      channelId: channel.id,
      contact: { id: 'ctc_sdk', phone: '+2250701020304', name: 'Aminata' },
      message: { id: 'wamid.sdk1', text: "Bonjour, c'est combien le sac noir ?" },
    });
    expect(decision.id).toMatch(/^dec_/);
    expect(decision.action).toBe('reply');
    expect(decision.intent).toBe('price');
    expect(decision.text).toContain('15 000');
    expect(decision.delayMs).toBeGreaterThanOrEqual(decision.typingMs);
    expect(decision.reasons.map((r) => r.code)).toContain('decide.reply');

    const stored = await c.decisions.get(decision.id);
    expect(stored).toMatchObject({ id: decision.id, action: 'reply', channelId: channel.id });
    const listed = await c.decisions.list({ channelId: channel.id });
    expect(listed.items.map((d) => d.id)).toContain(decision.id);
  });

  it('validateText scores a spammy text and names its problems', async () => {
    const c = client(w.a.read);
    const spam = await c.validateText({ text: 'PROMO!!! Cliquez bit.ly/promo' });
    expect(spam.score).toBeGreaterThan(0);
    expect(spam.problems.map((p) => p.code)).toContain('content.shortener');
    const clean = await c.validateText({
      text: 'Bonjour, le sac noir est à 15 000 FCFA.',
      identicalLastHour: 0,
    });
    expect(clean).toMatchObject({ allowed: true, score: 0, problems: [] });
    const repeated = await c.validateText({ text: 'Bonjour', identicalLastHour: 3 });
    expect(repeated.allowed).toBe(false);
  });

  it('recordMessage answers 201 (created) and then 200 (not created) for the same providerId', async () => {
    const c = client(w.a.write);
    const channel = await c.channels.create({ name: 'Records', transport: 'sandbox' });
    const inbound = {
      channelId: channel.id,
      contactPhone: '+2250701020399',
      contactName: 'Awa',
      direction: 'in' as const,
      text: "Bonjour, c'est combien le sac noir ?",
      providerId: 'wamid.sdk-record-1',
      receivedAt: '2026-11-27T10:14:58Z',
    };
    const first = await c.recordMessage(inbound);
    expect(first.created).toBe(true);
    expect(first.message).toMatchObject({ direction: 'in', providerId: 'wamid.sdk-record-1' });
    expect(first.contact).toMatchObject({ name: 'Awa', phone: '+2250701020399' });
    const again = await c.recordMessage(inbound);
    expect(again.created).toBe(false);
    expect(again.message.id).toBe(first.message.id);

    const reply = await c.recordMessage({
      channelId: channel.id,
      contactId: first.contact.id,
      direction: 'out',
      text: 'Sac noir : 15 000 FCFA',
      providerId: 'wamid.sdk-record-2',
      sentAt: '2026-11-27T10:15:13Z',
    });
    expect(reply.created).toBe(true);
    const history = await c.contacts.history(first.contact.id);
    expect(history.items.map((m) => m.providerId)).toEqual(['wamid.sdk-record-2', 'wamid.sdk-record-1']);
    const walked: string[] = [];
    for await (const m of c.contacts.historyAll(first.contact.id, { limit: 1 })) walked.push(m.id);
    expect(walked).toEqual(history.items.map((m) => m.id));
  });

  it('a POST whose answer was lost is retried with its Idempotency-Key and creates one product, not two', async () => {
    let calls = 0;
    // The first answer is thrown away after the server has handled the request, as when a
    // connection drops on the way back; the retry must get the stored answer, not run again.
    const losingFetch: FetchLike = async (input, init) => {
      const res = await fetch(input, init);
      calls++;
      if (calls === 1) {
        await res.arrayBuffer();
        throw new TypeError('fetch failed: connection reset');
      }
      return res;
    };
    const admin = client(w.b.admin);
    const before = (await admin.products.list({ limit: 200 })).items.length;
    const product = await client(w.b.write, { fetch: losingFetch }).products.create({
      name: 'Robe wax',
      price: 12000,
      currency: 'XOF',
    });
    expect(calls).toBe(2);
    const after = await admin.products.list({ limit: 200 });
    expect(after.items).toHaveLength(before + 1);
    expect(after.items.map((p) => p.id)).toContain(product.id);
  });
});

describe('resources', () => {
  it('creates, reads, lists, updates and deletes a product; a deleted one is 404 not_found', async () => {
    const c = client(w.a.write);
    const created = await c.products.create({
      name: 'Baskets Nike',
      aliases: ['nike'],
      price: 25000,
      currency: 'xof',
    });
    expect(created).toMatchObject({ name: 'Baskets Nike', currency: 'XOF', stock: null });
    expect(await c.products.get(created.id)).toEqual(created);
    const updated = await c.products.update(created.id, { price: 22000, stock: 3 });
    expect(updated).toMatchObject({ id: created.id, price: 22000, stock: 3 });
    expect((await c.products.list({ limit: 200 })).items.map((p) => p.id)).toContain(created.id);
    await c.products.delete(created.id);
    const err = await error(c.products.get(created.id));
    expect(err).toMatchObject({ status: 404, code: 'not_found', title: 'Not found', errors: [] });
    expect(err.requestId).toMatch(/^req_/);
  });

  it('a 400 carries code validation_failed, the request id and one error per field', async () => {
    const c = client(w.a.write);
    const bad = { name: 'Sac', price: '15000', currency: 'XOF', color: 'noir' } as unknown as ProductCreate;
    const err = await error(c.products.create(bad));
    expect(err).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(err.requestId).toMatch(/^req_/);
    expect(err.errors.map((e) => e.field).sort()).toEqual(['body.color', 'body.price']);
    expect(err.message).toContain('validation_failed');
  });

  it('a request id the caller sends comes back in the error', async () => {
    const err = await error(client(w.a.read).products.get('prd_missing', { requestId: 'sdk-trace-1' }));
    expect(err.requestId).toBe('sdk-trace-1');
  });

  it('a bad API key is 401 unauthorized and is not retried', async () => {
    let attempts = 0;
    const counting: FetchLike = (input, init) => {
      attempts++;
      return fetch(input, init);
    };
    const err = await error(client('sk_notARealKey000000000000000', { fetch: counting }).products.list());
    expect(err).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(attempts).toBe(1);
  });

  it('a key without the scope is 403 forbidden', async () => {
    const err = await error(client(w.a.read).products.create({ name: 'X', price: 1, currency: 'XOF' }));
    expect(err).toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('walks every product page after page with for await', async () => {
    const admin = client(ENV_KEY);
    const tenant = await admin.tenants.create({ name: 'Pagination' });
    const owner = await admin.keys.create({ name: 'owner', scopes: ['admin'], tenantId: tenant.id });
    const c = client(owner.key);
    const names = ['Ananas', 'Banane', 'Cacao', 'Dattes', 'Épices'];
    for (const name of names) await c.products.create({ name, price: 100, currency: 'XOF' });
    const first = await c.products.list({ limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const walked: string[] = [];
    for await (const p of c.products.all({ limit: 2 })) walked.push(p.name);
    expect(walked).toEqual(names);
  });

  it('manages channels: create, get with health, update, list, delete', async () => {
    const c = client(w.a.write);
    const channel = await c.channels.create({
      name: 'Cocody',
      transport: 'sandbox',
      timezone: 'Africa/Abidjan',
    });
    const got = await c.channels.get(channel.id);
    expect(got.health).toMatchObject({ paused: false, allowed: true });
    expect((await c.channels.update(channel.id, { name: 'Cocody 2', paused: true })).name).toBe('Cocody 2');
    const ids: string[] = [];
    for await (const ch of c.channels.all()) ids.push(ch.id);
    expect(ids).toContain(channel.id);
    await c.channels.delete(channel.id);
    expect((await error(c.channels.get(channel.id))).code).toBe('not_found');
  });

  it('reads and changes contacts', async () => {
    const c = client(w.a.write);
    const channel = await c.channels.create({ name: 'Contacts', transport: 'sandbox' });
    const { contact } = await c.recordMessage({
      channelId: channel.id,
      contactPhone: '+2250701020311',
      direction: 'in',
      text: 'Bonjour',
      providerId: 'wamid.sdk-contact',
    });
    expect((await c.contacts.get(contact.id)).id).toBe(contact.id);
    const page = await c.contacts.list({ channelId: channel.id });
    expect(page.items.map((x) => x.id)).toEqual([contact.id]);
    const updated = await c.contacts.update(contact.id, { optedIn: true, name: 'Fatou' });
    expect(updated).toMatchObject({ optedIn: true, name: 'Fatou' });
    const all: string[] = [];
    for await (const x of c.contacts.all({ channelId: channel.id })) all.push(x.id);
    expect(all).toEqual([contact.id]);
  });

  it('reads and replaces the playbook', async () => {
    const c = client(w.a.write);
    const saved = await c.playbook.put({
      sellerName: 'Chez Awa',
      templates: { greeting: { fr: '{Bonjour|Bonsoir} {{name|}} !' } },
    });
    expect(saved.sellerName).toBe('Chez Awa');
    expect(saved.updatedAt).not.toBeNull();
    expect(await c.playbook.get()).toEqual(saved);
    const err = await error(c.playbook.put({ templates: { greeting: { fr: '{Bonjour|Bonsoir' } } }));
    expect(err.code).toBe('validation_failed');
  });

  it('lists and reads orders', async () => {
    const c = client(w.a.write);
    const channel = await c.channels.create({ name: 'Orders', transport: 'sandbox' });
    const { contact } = await c.recordMessage({
      channelId: channel.id,
      contactPhone: '+2250701020322',
      direction: 'in',
      text: 'Je prends le sac noir',
      providerId: 'wamid.sdk-order',
    });
    // Orders come from conversations in integrated mode; this one is stored directly.
    const order = await w.store.tx(w.a.id, (r) =>
      r.orders.create({
        channelId: channel.id,
        contactId: contact.id,
        currency: 'XOF',
        items: [{ productId: null, name: 'Sac noir', quantity: 2, unitPrice: 15000 }],
      }),
    );
    expect(await c.orders.get(order.id)).toMatchObject({ id: order.id, total: 30000, status: 'pending' });
    expect((await c.orders.list({ contactId: contact.id })).items.map((o) => o.id)).toEqual([order.id]);
    const all: string[] = [];
    for await (const o of c.orders.all({ contactId: contact.id })) all.push(o.id);
    expect(all).toEqual([order.id]);
  });

  it('creates, lists and revokes API keys; a revoked key is refused', async () => {
    const admin = client(w.a.admin);
    const created = await admin.keys.create({ name: 'bot', scopes: ['read'], rateLimitPerMinute: 300 });
    expect(created.key).toMatch(/^sk_/);
    const bot = client(created.key);
    await bot.products.list();
    const ids: string[] = [];
    for await (const k of admin.keys.all()) ids.push(k.id);
    expect(ids).toContain(created.id);
    const revoked = await admin.keys.revoke(created.id);
    expect(revoked.revokedAt).not.toBeNull();
    expect((await error(bot.products.list())).code).toBe('unauthorized');
  });

  it("creates tenants with the platform operator's key only", async () => {
    const tenant = await client(ENV_KEY).tenants.create({ name: 'Chez Awa' });
    expect(tenant.id).toMatch(/^ten_/);
    expect((await error(client(w.a.admin).tenants.create({ name: 'Nope' }))).code).toBe('forbidden');
  });

  it('reaches any operation by its key with request()', async () => {
    const c = client(w.a.read);
    const page = await c.request('GET /api/v1/products', { query: { limit: 1 } });
    expect(page.items.length).toBeLessThanOrEqual(1);
    const health = await c.request('GET /health', {});
    expect(health.status).toBe('ok');
  });
});
