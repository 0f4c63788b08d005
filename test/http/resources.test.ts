/** Channels, contacts, products, playbook, API keys and tenants. */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG_LIMITS } from '../../src/engines/catalog.ts';
import { createTenant } from '../../src/store/index.ts';
import { createWorld, ENV_KEY, NOW_ISO, problem, seedConversation, type World } from './helpers.ts';

let w: World;

beforeAll(async () => {
  w = await createWorld();
});

afterAll(async () => {
  await w.close();
});

describe('channels', () => {
  it('creates a channel with write-only credentials', async () => {
    const res = await w.call('POST', '/api/v1/channels', w.a.write, {
      name: 'Boutique Cocody',
      transport: 'cloud',
      timezone: 'Africa/Douala',
      preset: 'conservative',
      credentials: { accessToken: 'EAAG-secret-token', phoneNumberId: '1234' },
      appSecret: 'app-secret-0123456789',
      verifyToken: 'verify-me-0123456789',
      settings: { language: 'fr' },
    });
    expect(res.statusCode).toBe(201);
    const channel = res.json();
    expect(channel).toEqual(
      expect.objectContaining({
        transport: 'cloud',
        timezone: 'Africa/Douala',
        preset: 'conservative',
        hasCredentials: true,
        settings: { language: 'fr' },
      }),
    );
    expect(res.body).not.toContain('EAAG-secret-token');
    const got = await w.call('GET', `/api/v1/channels/${channel.id}`, w.a.read);
    expect(got.body).not.toContain('EAAG-secret-token');
    const list = await w.call('GET', '/api/v1/channels', w.a.read);
    expect(list.body).not.toContain('EAAG-secret-token');
    expect(await w.store.tx(w.a.id, (r) => r.channels.getCredentials(channel.id))).toEqual({
      accessToken: 'EAAG-secret-token',
      phoneNumberId: '1234',
      appSecret: 'app-secret-0123456789',
      verifyToken: 'verify-me-0123456789',
    });
    expect(channel.routeKey).toBe('cloud:1234');
  });

  it('names every credential a transport still needs', async () => {
    const res = await w.call('POST', '/api/v1/channels', w.a.write, {
      name: 'Sans secret',
      transport: 'cloud',
      phoneNumberId: '4321',
      accessToken: 'EAAG-x',
    });
    expect(res.statusCode).toBe(400);
    expect(problem(res).errors?.map((e) => e.field)).toEqual(['body.appSecret', 'body.verifyToken']);
    expect((await w.call('GET', '/api/v1/channels', w.a.read)).body).not.toContain('Sans secret');
  });

  it('routes a gateway channel by its own id and generates a sandbox secret shown once', async () => {
    const evo = await w.call('POST', '/api/v1/channels', w.a.write, {
      name: 'Evolution',
      transport: 'evolution',
      baseUrl: 'https://evolution.example',
      instance: 'loja',
      apiKey: 'k',
      webhookSecret: 'evo-secret-0123456789',
    });
    expect(evo.json()).toMatchObject({
      routeKey: `evolution:${evo.json().id}`,
      webhookPath: `/webhooks/evolution/${evo.json().id}`,
    });
    const sandbox = await w.call('POST', '/api/v1/channels', w.a.write, {
      name: 'Bac à sable',
      transport: 'sandbox',
    });
    expect(sandbox.json().webhookSecret).toMatch(/^whs_/);
    const again = await w.call('GET', `/api/v1/channels/${sandbox.json().id}`, w.a.read);
    expect(again.json().webhookSecret).toBeUndefined();
  });

  it('refuses a transport it does not know', async () => {
    const res = await w.call('POST', '/api/v1/channels', w.a.write, { name: 'x', transport: 'telegram' });
    expect(problem(res).errors?.[0]?.field).toBe('body.transport');
  });

  it('shows health computed from recent health events', async () => {
    const created = (
      await w.call('POST', '/api/v1/channels', w.a.write, { name: 'Santé', transport: 'waha' })
    ).json();
    const healthy = (await w.call('GET', `/api/v1/channels/${created.id}`, w.a.read)).json();
    expect(healthy.health).toEqual(expect.objectContaining({ score: 0, paused: false, allowed: true }));
    await w.store.tx(w.a.id, (r) =>
      r.healthEvents.add({ channelId: created.id, type: 'logged_out', atMs: Date.parse(NOW_ISO) - 60_000 }),
    );
    const res = await w.call('GET', `/api/v1/channels/${created.id}`, w.a.read);
    expect(res.json().health).toEqual(expect.objectContaining({ paused: true, allowed: false }));
    expect(res.json().health.reasons.map((r: { code: string }) => r.code)).toContain('health.logged_out');
  });

  it('patches fields, removes credentials with null, and keeps the transport', async () => {
    const created = (
      await w.call('POST', '/api/v1/channels', w.a.write, {
        name: 'Avant',
        transport: 'evolution',
        credentials: {
          apiKey: 'k',
          baseUrl: 'https://evolution.example',
          instance: 'loja',
          webhookSecret: 's-0123456789abcdef',
        },
      })
    ).json();
    const res = await w.call('PATCH', `/api/v1/channels/${created.id}`, w.a.write, {
      name: 'Après',
      credentials: null,
      paused: true,
    });
    expect(res.json()).toEqual(
      expect.objectContaining({ name: 'Après', hasCredentials: false, paused: true, transport: 'evolution' }),
    );
    const refused = await w.call('PATCH', `/api/v1/channels/${created.id}`, w.a.write, {
      transport: 'cloud',
    });
    expect(problem(refused).errors?.[0]?.field).toBe('body.transport');
    const empty = await w.call('PATCH', `/api/v1/channels/${created.id}`, w.a.write, {});
    expect(empty.statusCode).toBe(400);
  });

  it("answers 409 number_unavailable when another tenant's channel already serves that Cloud phone number id", async () => {
    const first = await w.call('POST', '/api/v1/channels', w.a.write, {
      name: 'A',
      transport: 'cloud',
      phoneNumberId: '555',
      accessToken: 'token-a',
      appSecret: 'secret-a-0123456789',
      verifyToken: 'verify-a-0123456789',
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      routeKey: 'cloud:555',
      webhookPath: '/webhooks/whatsapp',
      hasCredentials: true,
    });
    expect(JSON.stringify(first.json())).not.toContain('token-a');
    const second = await w.call('POST', '/api/v1/channels', w.b.write, {
      name: 'B',
      transport: 'cloud',
      phoneNumberId: '555',
      accessToken: 'token-b',
      appSecret: 'secret-b-0123456789',
      verifyToken: 'verify-b-0123456789',
    });
    expect(second.statusCode).toBe(409);
    expect(problem(second).code).toBe('number_unavailable');
  });

  it('deletes a channel with its contacts', async () => {
    const { channelId, contactId } = await seedConversation(w, w.a.admin);
    expect((await w.call('DELETE', `/api/v1/channels/${channelId}`, w.a.write)).statusCode).toBe(204);
    expect((await w.call('GET', `/api/v1/channels/${channelId}`, w.a.read)).statusCode).toBe(404);
    expect((await w.call('GET', `/api/v1/contacts/${contactId}`, w.a.read)).statusCode).toBe(404);
    expect((await w.call('DELETE', `/api/v1/channels/${channelId}`, w.a.write)).statusCode).toBe(404);
  });
});

describe('contacts', () => {
  it('lists contacts, filtered by channel', async () => {
    const one = await seedConversation(w, w.a.admin);
    await seedConversation(w, w.a.admin);
    const res = await w.call('GET', `/api/v1/contacts?channelId=${one.channelId}`, w.a.read);
    expect(res.json().items.map((c: { id: string }) => c.id)).toEqual([one.contactId]);
  });

  it('records an opt-out by hand with its time, and clears it', async () => {
    const { contactId } = await seedConversation(w, w.a.admin);
    const out = await w.call('PATCH', `/api/v1/contacts/${contactId}`, w.a.write, {
      optedOut: true,
      stage: 'lost',
    });
    expect(out.json()).toEqual(
      expect.objectContaining({ optedOut: true, stage: 'lost', optedOutAt: expect.any(String) }),
    );
    const back = await w.call('PATCH', `/api/v1/contacts/${contactId}`, w.a.write, { optedOut: false });
    expect(back.json()).toEqual(expect.objectContaining({ optedOut: false, optedOutAt: null }));
  });

  it('refuses a stage that does not exist', async () => {
    const { contactId } = await seedConversation(w, w.a.admin);
    const res = await w.call('PATCH', `/api/v1/contacts/${contactId}`, w.a.write, { stage: 'vip' });
    expect(problem(res).errors?.[0]?.field).toBe('body.stage');
  });
});

describe('products', () => {
  it('creates, reads, changes and deletes a product (prices in minor units)', async () => {
    const created = await w.call('POST', '/api/v1/products', w.a.write, {
      name: 'Baskets Nike',
      aliases: ['nike', 'basket'],
      price: 25000,
      currency: 'xof',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual(
      expect.objectContaining({
        id: expect.stringMatching(/^prd_/),
        price: 25000,
        currency: 'XOF',
        stock: null,
      }),
    );
    const id = created.json().id;
    expect((await w.call('GET', `/api/v1/products/${id}`, w.a.read)).json().aliases).toEqual([
      'nike',
      'basket',
    ]);
    const patched = await w.call('PATCH', `/api/v1/products/${id}`, w.a.write, { stock: 0, price: 24000 });
    expect(patched.json()).toEqual(expect.objectContaining({ stock: 0, price: 24000 }));
    expect((await w.call('DELETE', `/api/v1/products/${id}`, w.a.write)).statusCode).toBe(204);
    expect((await w.call('GET', `/api/v1/products/${id}`, w.a.read)).statusCode).toBe(404);
  });

  it('stores a category and variants, changes them, and clears the category with null', async () => {
    const created = await w.call('POST', '/api/v1/products', w.a.write, {
      name: 'Escarpins vernis',
      price: 14000,
      currency: 'XOF',
      category: 'chaussures',
      variants: { size: ['38', '39', '40'], colour: ['noir', 'nude'] },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toEqual(
      expect.objectContaining({
        category: 'chaussures',
        variants: { size: ['38', '39', '40'], colour: ['noir', 'nude'] },
      }),
    );
    const id = created.json().id;
    const patched = await w.call('PATCH', `/api/v1/products/${id}`, w.a.write, {
      category: null,
      variants: { size: ['39'] },
    });
    expect(patched.json()).toEqual(expect.objectContaining({ category: null, variants: { size: ['39'] } }));
    const plain = await w.call('POST', '/api/v1/products', w.a.write, {
      name: 'x',
      price: 1,
      currency: 'XOF',
    });
    expect(plain.json()).toEqual(expect.objectContaining({ category: null, variants: {} }));
  });

  it('gives the stored category and variants to the decision context', async () => {
    const { catalogPart } = await import('../../src/pipeline/context.ts');
    await w.call('POST', '/api/v1/products', w.b.write, {
      name: 'Sandales tressées',
      price: 8000,
      currency: 'XOF',
      category: 'chaussures',
      variants: { size: ['39', '40'] },
    });
    const catalog = await w.store.tx(w.b.id, (r) => catalogPart(r));
    expect(catalog.find((p) => p.name === 'Sandales tressées')).toEqual(
      expect.objectContaining({ category: 'chaussures', variants: { size: ['39', '40'] } }),
    );
  });

  const bad = [
    {
      name: 'refuses a variant name that is not a lower-case identifier',
      body: { name: 'x', price: 1, currency: 'XOF', variants: { Taille: ['M'] } },
      field: 'body.variants.Taille',
    },
    {
      name: 'refuses a variant without values',
      body: { name: 'x', price: 1, currency: 'XOF', variants: { size: [] } },
      field: 'body.variants.size',
    },
    {
      name: 'refuses a variant value listed twice',
      body: { name: 'x', price: 1, currency: 'XOF', variants: { colour: ['noir', 'noir'] } },
      field: 'body.variants.colour',
    },
    {
      name: 'refuses an empty category',
      body: { name: 'x', price: 1, currency: 'XOF', category: '' },
      field: 'body.category',
    },
    {
      name: 'refuses a fractional price',
      body: { name: 'x', price: 10.5, currency: 'XOF' },
      field: 'body.price',
    },
    {
      name: 'refuses a negative price',
      body: { name: 'x', price: -1, currency: 'XOF' },
      field: 'body.price',
    },
    {
      name: 'refuses a currency that is not 3 letters',
      body: { name: 'x', price: 1, currency: 'FCFA' },
      field: 'body.currency',
    },
    {
      name: 'refuses negative stock',
      body: { name: 'x', price: 1, currency: 'XOF', stock: -2 },
      field: 'body.stock',
    },
  ];
  for (const c of bad) {
    it(c.name, async () => {
      const res = await w.call('POST', '/api/v1/products', w.a.write, c.body);
      expect(problem(res).errors?.[0]?.field).toBe(c.field);
    });
  }

  // The intent engine indexes at most CATALOG_LIMITS of a catalogue: the API refuses to go past it.
  async function freshShop(): Promise<{ id: string; write: string }> {
    const id = (await createTenant(w.db, { name: `Limits ${Math.random()}` })).id;
    return { id, write: (await w.key(id, ['write'])).secret };
  }

  it(`refuses the product after ${CATALOG_LIMITS.products} with 422 and writes nothing`, async () => {
    const t = await freshShop();
    await w.db.ownerTx((tx) =>
      tx.query(
        `INSERT INTO products (id, tenant_id, name, aliases, price, currency)
         SELECT 'prd_limit' || g || '_' || $1, $1, 'Produit ' || g, '{}', 1000, 'XOF'
         FROM generate_series(1, ${CATALOG_LIMITS.products}) g`,
        [t.id],
      ),
    );
    const res = await w.call('POST', '/api/v1/products', t.write, {
      name: 'Un de trop',
      price: 1,
      currency: 'XOF',
    });
    expect(res.statusCode).toBe(422);
    expect(problem(res).code).toBe('unprocessable');
    expect((await w.store.tx(t.id, (r) => r.products.list())).length).toBe(CATALOG_LIMITS.products);
  });

  it(`refuses names and aliases past ${CATALOG_LIMITS.totalLabelChars} characters, and lets a catalogue shrink`, async () => {
    const t = await freshShop();
    const label = (c: string) => c.repeat(CATALOG_LIMITS.labelChars);
    const big = (i: number) => ({
      name: label(String.fromCharCode(97 + i)),
      aliases: Array(CATALOG_LIMITS.aliasesPerProduct).fill(label('z')),
      price: 1,
      currency: 'XOF',
    });
    const perProduct = CATALOG_LIMITS.labelChars * (1 + CATALOG_LIMITS.aliasesPerProduct);
    const fitting = Math.floor(CATALOG_LIMITS.totalLabelChars / perProduct);
    const ids: string[] = [];
    for (let i = 0; i < fitting; i++) {
      const res = await w.call('POST', '/api/v1/products', t.write, big(i));
      expect(res.statusCode).toBe(201);
      ids.push(res.json().id);
    }
    const over = await w.call('POST', '/api/v1/products', t.write, big(fitting));
    expect(over.statusCode).toBe(422);
    expect(problem(over).detail).toContain(String(CATALOG_LIMITS.totalLabelChars));
    // A smaller product still fits; it may grow into the room left, not past it.
    const small = await w.call('POST', '/api/v1/products', t.write, {
      name: 'Petit',
      price: 1,
      currency: 'XOF',
    });
    expect(small.statusCode).toBe(201);
    const room = CATALOG_LIMITS.totalLabelChars - fitting * perProduct - 'Petit'.length;
    const aliases = (n: number) => Array(n).fill(label('y'));
    const tooMany = Math.floor(room / CATALOG_LIMITS.labelChars) + 1;
    const past = await w.call('PATCH', `/api/v1/products/${small.json().id}`, t.write, {
      aliases: aliases(tooMany),
    });
    expect(past.statusCode).toBe(422);
    const within = await w.call('PATCH', `/api/v1/products/${small.json().id}`, t.write, {
      aliases: aliases(tooMany - 1),
    });
    expect(within.statusCode).toBe(200);
    const shrink = await w.call('PATCH', `/api/v1/products/${ids[2]}`, t.write, { aliases: ['court'] });
    expect(shrink.statusCode).toBe(200);
    const patchPrice = await w.call('PATCH', `/api/v1/products/${ids[3]}`, t.write, { price: 5 });
    expect(patchPrice.statusCode).toBe(200);
  });
});

describe('playbook', () => {
  it('returns the defaults until one is saved', async () => {
    const res = await w.call('GET', '/api/v1/playbook', w.b.read);
    expect(res.json()).toEqual(
      expect.objectContaining({
        templates: {},
        updatedAt: null,
        followupLadderMs: [900_000, 3_600_000, 86_400_000],
      }),
    );
  });

  it('saves templates, facts and the follow-up template, and PUT replaces the whole playbook', async () => {
    const put = await w.call('PUT', '/api/v1/playbook', w.a.write, {
      sellerName: 'Chez Awa',
      templates: { price: { fr: ['{Le|Notre} prix : {{price}}'], en: 'Price: {{price}}' } },
      info: { location: { fr: 'Cocody, Abidjan' } },
      followupTemplate: { name: 'relance_1', language: 'fr' },
      followupLadderMs: [3_600_000],
      awayMessage: 'Nous revenons vite.',
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toEqual(
      expect.objectContaining({
        sellerName: 'Chez Awa',
        followupTemplate: { name: 'relance_1', language: 'fr' },
        info: { location: { fr: 'Cocody, Abidjan' } },
        followupLadderMs: [3_600_000],
        updatedAt: expect.any(String),
      }),
    );
    const replaced = await w.call('PUT', '/api/v1/playbook', w.a.write, { sellerName: 'Chez Awa' });
    expect(replaced.json()).toEqual(
      expect.objectContaining({ templates: {}, followupTemplate: null, awayMessage: null }),
    );
  });

  it('keeps the structured selling facts (zones, payment methods, pick-up) and drops them on replace', async () => {
    const facts = {
      delivery: {
        zones: [{ id: 'yopougon', name: 'Yopougon', aliases: ['Yop'], fee: 1500, delay: '24 h' }],
        default: { fee: 2500 },
      },
      payment: { methods: ['orange_money', 'cash_on_delivery'], details: { orange_money: '07 07 07 07 07' } },
      pickup: { address: 'Marché de Cocody, allée 3', hours: '9 h – 18 h' },
    };
    const put = await w.call('PUT', '/api/v1/playbook', w.a.write, facts);
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toEqual(expect.objectContaining(facts));
    const get = await w.call('GET', '/api/v1/playbook', w.a.read);
    expect(get.json()).toEqual(expect.objectContaining(facts));
    const replaced = await w.call('PUT', '/api/v1/playbook', w.a.write, {});
    expect(replaced.json()).toEqual(expect.objectContaining({ delivery: null, payment: null, pickup: null }));
  });

  it('refuses an unknown payment method and an unknown zone field', async () => {
    for (const body of [
      { payment: { methods: ['bitcoin'] } },
      { delivery: { zones: [{ id: 'a', name: 'A', fee: 0, price: 3 }] } },
      { delivery: { zones: [{ id: 'a', name: 'A', fee: -1 }] } },
    ]) {
      const res = await w.call('PUT', '/api/v1/playbook', w.a.write, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect((await w.call('GET', '/api/v1/playbook', w.a.read)).json().payment).toBeNull();
  });

  it('refuses a template with an unbalanced brace, naming where it is', async () => {
    const res = await w.call('PUT', '/api/v1/playbook', w.a.write, {
      templates: { price: { fr: ['ok', 'Prix {bon|mauvais'] } },
    });
    expect(res.statusCode).toBe(400);
    expect(problem(res).errors?.[0]).toEqual({
      field: 'body.templates.price.fr[1]',
      message: expect.stringContaining('variation.unbalanced'),
    });
  });

  it('refuses a follow-up delay under a minute', async () => {
    const res = await w.call('PUT', '/api/v1/playbook', w.a.write, { followupLadderMs: [1000] });
    expect(problem(res).errors?.[0]?.field).toBe('body.followupLadderMs[0]');
  });
});

describe('API keys', () => {
  it('shows a new key once; it works at once and its secret is never listed', async () => {
    const created = await w.call('POST', '/api/v1/keys', w.a.admin, { name: 'bot', scopes: ['write'] });
    expect(created.statusCode).toBe(201);
    const { key, id, prefix } = created.json();
    expect(key).toMatch(/^sk_[0-9A-Za-z]{32}$/);
    expect(key.startsWith(prefix)).toBe(true);
    expect((await w.call('GET', '/api/v1/products', key)).statusCode).toBe(200);
    const list = await w.call('GET', '/api/v1/keys', w.a.admin);
    expect(list.json().items.map((k: { id: string }) => k.id)).toContain(id);
    expect(list.body).not.toContain(key);
  });

  it('refuses a revoked key from the next request on', async () => {
    const { key, id } = (
      await w.call('POST', '/api/v1/keys', w.a.admin, { name: 'tmp', scopes: ['read'] })
    ).json();
    expect((await w.call('GET', '/api/v1/products', key)).statusCode).toBe(200);
    const revoked = await w.call('DELETE', `/api/v1/keys/${id}`, w.a.admin);
    expect(revoked.json().revokedAt).toBe(NOW_ISO);
    expect((await w.call('GET', '/api/v1/products', key)).statusCode).toBe(401);
  });

  it("applies the key's own rate limit", async () => {
    const { key } = (
      await w.call('POST', '/api/v1/keys', w.a.admin, {
        name: 'slow',
        scopes: ['read'],
        rateLimitPerMinute: 2,
      })
    ).json();
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await w.call('GET', '/api/v1/products', key)).statusCode);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it("lets the platform operator create a tenant and that tenant's first admin key", async () => {
    const tenant = await w.call('POST', '/api/v1/tenants', ENV_KEY, { name: 'Boutique Awa' });
    expect(tenant.statusCode).toBe(201);
    const tenantId = tenant.json().id;
    const created = await w.call('POST', '/api/v1/keys', ENV_KEY, {
      name: 'owner',
      scopes: ['admin'],
      tenantId,
    });
    expect(created.json().tenantId).toBe(tenantId);
    const own = await w.call('GET', '/api/v1/keys', created.json().key);
    expect(own.json().items.map((k: { id: string }) => k.id)).toEqual([created.json().id]);
    const listed = await w.call('GET', `/api/v1/keys?tenantId=${tenantId}`, ENV_KEY);
    expect(listed.json().items).toHaveLength(1);
    const revoked = await w.call('DELETE', `/api/v1/keys/${created.json().id}?tenantId=${tenantId}`, ENV_KEY);
    expect(revoked.statusCode).toBe(200);
  });

  it("treats another tenant as not existing for a tenant's own admin key", async () => {
    const res = await w.call('POST', '/api/v1/keys', w.a.admin, {
      name: 'x',
      scopes: ['read'],
      tenantId: w.b.id,
    });
    expect(problem(res).code).toBe('not_found');
    const list = await w.call('GET', `/api/v1/keys?tenantId=${w.b.id}`, w.a.admin);
    expect(problem(list).code).toBe('not_found');
    const tenants = await w.call('POST', '/api/v1/tenants', w.a.admin, { name: 'x' });
    expect(problem(tenants).code).toBe('forbidden');
  });

  it('answers 404 when the operator names a tenant that does not exist', async () => {
    const res = await w.call('POST', '/api/v1/keys', ENV_KEY, {
      name: 'x',
      scopes: ['read'],
      tenantId: 'ten_nothere',
    });
    expect(problem(res).code).toBe('not_found');
  });

  it('refuses duplicate or unknown scopes', async () => {
    const dup = await w.call('POST', '/api/v1/keys', w.a.admin, { name: 'x', scopes: ['read', 'read'] });
    expect(dup.statusCode).toBe(400);
    const unknown = await w.call('POST', '/api/v1/keys', w.a.admin, { name: 'x', scopes: ['root'] });
    expect(problem(unknown).errors?.[0]?.field).toMatch(/^body\.scopes/);
  });
});
