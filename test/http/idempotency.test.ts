import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, requestHash } from '../../src/http/plugins/idempotency.ts';
import { idempotencyRowId, idempotencyRowKey } from '../../src/store/repos/idempotency.ts';
import { createWorld, problem, seedConversation, type World } from './helpers.ts';

let w: World;
let n = 0;
const newKey = () => `idem-${Date.now()}-${++n}`;

beforeAll(async () => {
  w = await createWorld();
});

afterAll(async () => {
  await w.close();
});

async function productCount(tenantId: string): Promise<number> {
  return (await w.store.tx(tenantId, (r) => r.products.list())).length;
}

describe('canonicalJson', () => {
  it('sorts keys at every level so key order does not change the hash', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
    expect(requestHash('POST', '/x', { a: 1, b: 2 })).toBe(requestHash('POST', '/x', { b: 2, a: 1 }));
    expect(requestHash('POST', '/x', { a: 1 })).not.toBe(requestHash('POST', '/y', { a: 1 }));
  });
});

describe('Idempotency-Key', () => {
  it('replays the first response (status, body, Idempotent-Replayed) and creates one product', async () => {
    const key = newKey();
    const before = await productCount(w.a.id);
    const body = { name: 'Sac noir', price: 15000, currency: 'XOF' };
    const first = await w.call('POST', '/api/v1/products', w.a.write, body, { 'idempotency-key': key });
    const again = await w.call(
      'POST',
      '/api/v1/products',
      w.a.write,
      { currency: 'XOF', price: 15000, name: 'Sac noir' },
      { 'idempotency-key': key },
    );
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await productCount(w.a.id)).toBe(before + 1);
  });

  it('replays a decision without storing a second one', async () => {
    const { contactId } = await seedConversation(w, w.a.admin);
    const key = newKey();
    const body = { contactId, message: { id: 'wamid.idem', text: 'Bonjour' } };
    const first = await w.call('POST', '/api/v1/decision', w.a.write, body, { 'idempotency-key': key });
    const again = await w.call('POST', '/api/v1/decision', w.a.write, body, { 'idempotency-key': key });
    expect(again.json().id).toBe(first.json().id);
    const page = await w.call('GET', `/api/v1/decisions?contactId=${contactId}`, w.a.read);
    expect(page.json().items).toHaveLength(1);
  });

  it('answers 422 idempotency_mismatch to the same key with a different body', async () => {
    const key = newKey();
    await w.call(
      'POST',
      '/api/v1/products',
      w.a.write,
      { name: 'A', price: 1, currency: 'XOF' },
      { 'idempotency-key': key },
    );
    const res = await w.call(
      'POST',
      '/api/v1/products',
      w.a.write,
      { name: 'B', price: 1, currency: 'XOF' },
      { 'idempotency-key': key },
    );
    expect(res.statusCode).toBe(422);
    expect(problem(res).code).toBe('idempotency_mismatch');
  });

  it('answers 422 to the same key on another endpoint', async () => {
    const key = newKey();
    await w.call(
      'POST',
      '/api/v1/products',
      w.a.write,
      { name: 'A', price: 1, currency: 'XOF' },
      { 'idempotency-key': key },
    );
    const res = await w.call(
      'POST',
      '/api/v1/channels',
      w.a.write,
      { name: 'A', transport: 'sandbox' },
      { 'idempotency-key': key },
    );
    expect(problem(res).code).toBe('idempotency_mismatch');
  });

  it('answers 409 idempotency_in_flight while the first request with the key is running', async () => {
    const key = newKey();
    const body = { name: 'En cours', price: 1, currency: 'XOF' };
    const apiKey = await w.key(w.a.id, ['write']);
    // The first request has claimed the key and not finished: exactly the state its claim leaves.
    expect(
      await w.store.tx(w.a.id, (r) =>
        r.idempotency.begin({ apiKeyId: apiKey.id, key }, requestHash('POST', '/api/v1/products', body)),
      ),
    ).toBe('new');
    const res = await w.call('POST', '/api/v1/products', apiKey.secret, body, { 'idempotency-key': key });
    expect(res.statusCode).toBe(409);
    expect(problem(res).code).toBe('idempotency_in_flight');
  });

  it('releases the key when the request fails, so a retry runs again', async () => {
    const key = newKey();
    const body = {
      channelId: 'chn_doesnotexist',
      contactPhone: '+2250701020304',
      direction: 'in',
      text: 'x',
    };
    const apiKey = await w.key(w.a.id, ['write']);
    const first = await w.call('POST', '/api/v1/messages', apiKey.secret, body, { 'idempotency-key': key });
    expect(first.statusCode).toBe(404);
    const hash = requestHash('POST', '/api/v1/messages', body);
    expect(await w.store.tx(w.a.id, (r) => r.idempotency.begin({ apiKeyId: apiKey.id, key }, hash))).toBe(
      'new',
    );
  });

  it('keeps keys per tenant: the same key in two tenants is two requests', async () => {
    const key = newKey();
    const body = { name: 'Partagé', price: 1, currency: 'XOF' };
    const a = await w.call('POST', '/api/v1/products', w.a.write, body, { 'idempotency-key': key });
    const b = await w.call('POST', '/api/v1/products', w.b.write, body, { 'idempotency-key': key });
    expect(b.statusCode).toBe(201);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.json().id).not.toBe(a.json().id);
  });

  it("keeps keys per API key: a second key of the tenant replaying the first key's request runs its own", async () => {
    const key = newKey();
    const body = { name: 'Par clé', price: 1, currency: 'XOF' };
    const first = await w.call('POST', '/api/v1/products', w.a.write, body, { 'idempotency-key': key });
    const other = await w.call('POST', '/api/v1/products', w.a.admin, body, { 'idempotency-key': key });
    expect(other.statusCode).toBe(201);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(other.json().id).not.toBe(first.json().id);
    // The first key still gets its own response back.
    const again = await w.call('POST', '/api/v1/products', w.a.write, body, { 'idempotency-key': key });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
  });

  it("never hands a minted API key to a second admin key replaying the first one's POST /keys", async () => {
    const key = newKey();
    const body = { name: 'bot', scopes: ['read'] };
    const second = await w.key(w.a.id, ['admin']);
    const first = await w.call('POST', '/api/v1/keys', w.a.admin, body, { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    const secret = first.json().key as string;
    const replay = await w.call('POST', '/api/v1/keys', second.secret, body, { 'idempotency-key': key });
    expect(replay.body).not.toContain(secret);
    // The second admin ran its own request: a new key of its own, not the first one.
    expect(replay.statusCode).toBe(201);
    expect(replay.json().id).not.toBe(first.json().id);
  });

  it('never stores a minted API key: the same key replaying POST /keys gets 409 idempotency_secret_withheld', async () => {
    const key = newKey();
    const body = { name: 'bot', scopes: ['write'] };
    const admin = await w.key(w.a.id, ['admin']);
    const first = await w.call('POST', '/api/v1/keys', admin.secret, body, { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    const { id, key: secret } = first.json() as { id: string; key: string };
    const replay = await w.call('POST', '/api/v1/keys', admin.secret, body, { 'idempotency-key': key });
    expect(replay.statusCode).toBe(409);
    expect(problem(replay).code).toBe('idempotency_secret_withheld');
    expect(problem(replay).detail).toContain(id);
    expect(replay.body).not.toContain(secret);
    // Exactly one key was created, and the stored response (decrypted) holds its id, not its secret.
    const keys = (await w.call('GET', '/api/v1/keys', admin.secret)).json().items as { id: string }[];
    expect(keys.filter((k) => k.id === id)).toHaveLength(1);
    const { rows } = await w.db.ownerTx((tx) =>
      tx.query<{ response_enc: string; secret_withheld: boolean }>(
        'SELECT response_enc, secret_withheld FROM idempotency_keys WHERE tenant_id = $1 AND key = $2',
        [w.a.id, key],
      ),
    );
    expect(rows.map((r) => r.secret_withheld)).toEqual([true]);
    const stored = w.store.keyring.decrypt(rows[0]?.response_enc ?? '', {
      tenantId: w.a.id,
      table: 'idempotency_keys',
      column: 'response_enc',
      rowId: idempotencyRowId(idempotencyRowKey({ apiKeyId: admin.id, key })),
    });
    expect(stored).toContain(id);
    expect(stored).not.toContain(secret);
  });

  it('never stores a generated sandbox webhook secret for replays', async () => {
    const key = newKey();
    const body = { name: 'Bac à sable', transport: 'sandbox' };
    const first = await w.call('POST', '/api/v1/channels', w.a.write, body, { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    const secret = first.json().webhookSecret as string;
    expect(secret).toMatch(/^whs_/);
    const replay = await w.call('POST', '/api/v1/channels', w.a.write, body, { 'idempotency-key': key });
    expect(problem(replay).code).toBe('idempotency_secret_withheld');
    expect(replay.body).not.toContain(secret);
    expect(problem(replay).detail).toContain(first.json().id);
  });

  it('remembers a key for 7 days', async () => {
    const key = newKey();
    await w.call(
      'POST',
      '/api/v1/products',
      w.a.write,
      { name: 'TTL', price: 1, currency: 'XOF' },
      { 'idempotency-key': key },
    );
    const { rows } = await w.db.ownerTx((tx) =>
      tx.query<{ seconds: number }>(
        'SELECT extract(epoch FROM expires_at - created_at)::int AS seconds FROM idempotency_keys WHERE tenant_id = $1 AND key = $2',
        [w.a.id, key],
      ),
    );
    expect(rows[0]?.seconds).toBe(7 * 24 * 3600);
  });

  it('refuses a malformed key naming the header', async () => {
    const res = await w.call(
      'POST',
      '/api/v1/products',
      w.a.write,
      { name: 'x', price: 1, currency: 'XOF' },
      { 'idempotency-key': 'x'.repeat(256) },
    );
    expect(res.statusCode).toBe(400);
    expect(problem(res).errors?.[0]?.field).toBe('headers.idempotency-key');
  });

  it('ignores the header on POST /validate, which changes nothing', async () => {
    const key = newKey();
    const one = await w.call(
      'POST',
      '/api/v1/validate',
      w.a.read,
      { text: 'Bonjour' },
      { 'idempotency-key': key },
    );
    const two = await w.call(
      'POST',
      '/api/v1/validate',
      w.a.read,
      { text: 'Autre texte' },
      { 'idempotency-key': key },
    );
    expect([one.statusCode, two.statusCode]).toEqual([200, 200]);
    expect(two.headers['idempotent-replayed']).toBeUndefined();
  });

  it('replays a 200 as 200: a message recorded twice by providerId', async () => {
    const { channelId } = await seedConversation(w, w.a.admin);
    const body = {
      channelId,
      contactPhone: '+2250700000001',
      direction: 'in',
      text: 'Salut',
      providerId: 'wamid.replay',
    };
    await w.call('POST', '/api/v1/messages', w.a.write, body);
    const key = newKey();
    const first = await w.call('POST', '/api/v1/messages', w.a.write, body, { 'idempotency-key': key });
    const again = await w.call('POST', '/api/v1/messages', w.a.write, body, { 'idempotency-key': key });
    expect([first.statusCode, again.statusCode]).toEqual([200, 200]);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });
});
