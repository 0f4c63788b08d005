/**
 * The shared security suite. It walks every route the auth hook guards (app.auth.routes, filled
 * as routes register, so a new route is picked up on its own) and checks for each: no key,
 * a wrong key, a malformed key and a revoked key get 401; another tenant's key gets 404 for the
 * other tenant's objects (and sees none of them in lists); a key without the route's scope gets
 * 403; a key over its rate limit gets 429 with Retry-After. A route without an entry in FIXTURES
 * fails the suite, so nobody can add a route and skip these checks.
 */

import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeyScope } from '../../src/store/index.ts';
import { createWorld, ENV_KEY, problem, seedConversation, type World } from './helpers.ts';

/** Tenant A's objects, created once; routes that destroy something create a fresh one per call. */
interface Seed {
  channelId: string;
  contactId: string;
  productId: string;
  decisionId: string;
  orderId: string;
  keyId: string;
  failedEventId: string;
  /** Strings only tenant A's data contains: another tenant's responses must never include them. */
  secrets: string[];
}

interface RouteRequest {
  url: string;
  payload?: unknown;
}

/**
 * What the other tenant's key gets: `not_found` (the object is A's), `excludes` (a list that
 * shows none of A's objects), `own` (acts on the caller's own tenant; A is not involved),
 * `forbidden` (operator-only route).
 */
type OtherTenant = 'not_found' | 'excludes' | 'own' | 'forbidden';

interface Fixture {
  request(w: World, s: Seed): Promise<RouteRequest>;
  otherTenant: OtherTenant;
  /** The route is the platform operator's: the valid request is made with SELLIFY_API_KEY. */
  operatorOnly?: true;
}

const messageBody = (s: Seed) => ({
  channelId: s.channelId,
  contactId: s.contactId,
  direction: 'out',
  text: 'Merci !',
});

async function freshProduct(w: World): Promise<string> {
  const res = await w.call('POST', '/api/v1/products', w.a.admin, {
    name: 'Jetable',
    price: 100,
    currency: 'XOF',
  });
  return res.json().id;
}

async function freshChannel(w: World): Promise<string> {
  const res = await w.call('POST', '/api/v1/channels', w.a.admin, { name: 'Jetable', transport: 'sandbox' });
  return res.json().id;
}

const FIXTURES: Record<string, Fixture> = {
  'POST /api/v1/decision': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({
      url: '/api/v1/decision',
      payload: { contactId: s.contactId, message: { id: 'wamid.sec', text: "C'est combien ?" } },
    }),
  },
  'POST /api/v1/validate': {
    otherTenant: 'own',
    request: async () => ({
      url: '/api/v1/validate',
      payload: { text: 'Bonjour, merci pour votre message.' },
    }),
  },
  'POST /api/v1/messages': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({ url: '/api/v1/messages', payload: messageBody(s) }),
  },
  'POST /api/v1/channels': {
    otherTenant: 'own',
    request: async () => ({ url: '/api/v1/channels', payload: { name: 'Second', transport: 'waha' } }),
  },
  'GET /api/v1/channels': { otherTenant: 'excludes', request: async () => ({ url: '/api/v1/channels' }) },
  'GET /api/v1/channels/:id': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({ url: `/api/v1/channels/${s.channelId}` }),
  },
  'PATCH /api/v1/channels/:id': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({ url: `/api/v1/channels/${s.channelId}`, payload: { name: 'Renamed' } }),
  },
  'DELETE /api/v1/channels/:id': {
    otherTenant: 'not_found',
    request: async (w) => ({ url: `/api/v1/channels/${await freshChannel(w)}` }),
  },
  'GET /api/v1/contacts': { otherTenant: 'excludes', request: async () => ({ url: '/api/v1/contacts' }) },
  'GET /api/v1/contacts/:id': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({ url: `/api/v1/contacts/${s.contactId}` }),
  },
  'PATCH /api/v1/contacts/:id': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({ url: `/api/v1/contacts/${s.contactId}`, payload: { optedIn: true } }),
  },
  'GET /api/v1/contacts/:id/messages': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({ url: `/api/v1/contacts/${s.contactId}/messages` }),
  },
  'POST /api/v1/products': {
    otherTenant: 'own',
    request: async () => ({
      url: '/api/v1/products',
      payload: { name: 'Robe wax', price: 12000, currency: 'XOF' },
    }),
  },
  'GET /api/v1/products': { otherTenant: 'excludes', request: async () => ({ url: '/api/v1/products' }) },
  'GET /api/v1/products/:id': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({ url: `/api/v1/products/${s.productId}` }),
  },
  'PATCH /api/v1/products/:id': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({ url: `/api/v1/products/${s.productId}`, payload: { stock: 3 } }),
  },
  'DELETE /api/v1/products/:id': {
    otherTenant: 'not_found',
    request: async (w) => ({ url: `/api/v1/products/${await freshProduct(w)}` }),
  },
  'GET /api/v1/playbook': { otherTenant: 'own', request: async () => ({ url: '/api/v1/playbook' }) },
  'PUT /api/v1/playbook': {
    otherTenant: 'own',
    request: async () => ({ url: '/api/v1/playbook', payload: { sellerName: 'Une autre boutique' } }),
  },
  'GET /api/v1/decisions': { otherTenant: 'excludes', request: async () => ({ url: '/api/v1/decisions' }) },
  'GET /api/v1/decisions/:id': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({ url: `/api/v1/decisions/${s.decisionId}` }),
  },
  'GET /api/v1/orders': { otherTenant: 'excludes', request: async () => ({ url: '/api/v1/orders' }) },
  'POST /api/v1/orders': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({
      url: '/api/v1/orders',
      payload: {
        channelId: s.channelId,
        contactId: s.contactId,
        items: [{ productId: s.productId, quantity: 1 }],
        status: 'pending',
      },
    }),
  },
  // CSV is no JSON page: the other tenant gets its own (empty) export, without A's orders.
  'GET /api/v1/orders.csv': { otherTenant: 'own', request: async () => ({ url: '/api/v1/orders.csv' }) },
  'PATCH /api/v1/orders/:id': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({
      url: `/api/v1/orders/${s.orderId}`,
      payload: { fulfilmentStatus: 'ready' },
    }),
  },
  'POST /api/v1/orders/:id/payments': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({
      url: `/api/v1/orders/${s.orderId}/payments`,
      payload: { amount: 100, method: 'wave' },
    }),
  },
  // Every tenant reads its own numbers; the other tenant's answer must hold none of A's.
  'GET /api/v1/stats': { otherTenant: 'own', request: async () => ({ url: '/api/v1/stats' }) },
  'GET /api/v1/experiments': { otherTenant: 'own', request: async () => ({ url: '/api/v1/experiments' }) },
  'GET /api/v1/orders/:id': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({ url: `/api/v1/orders/${s.orderId}` }),
  },
  'POST /api/v1/keys': {
    otherTenant: 'not_found',
    request: async (w) => ({
      url: '/api/v1/keys',
      payload: { name: 'bot', scopes: ['read'], tenantId: w.a.id },
    }),
  },
  'GET /api/v1/keys': { otherTenant: 'excludes', request: async () => ({ url: '/api/v1/keys' }) },
  'DELETE /api/v1/keys/:id': {
    otherTenant: 'not_found',
    request: async (w) => ({ url: `/api/v1/keys/${(await w.key(w.a.id, ['read'])).id}` }),
  },
  'GET /api/v1/failed-events': {
    otherTenant: 'excludes',
    request: async () => ({ url: '/api/v1/failed-events' }),
  },
  'GET /api/v1/failed-events/:id': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({ url: `/api/v1/failed-events/${s.failedEventId}` }),
  },
  'POST /api/v1/failed-events/:id/replay': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({ url: `/api/v1/failed-events/${s.failedEventId}/replay` }),
  },
  'POST /api/v1/tenants': {
    otherTenant: 'forbidden',
    operatorOnly: true,
    request: async () => ({ url: '/api/v1/tenants', payload: { name: 'Nouvelle boutique' } }),
  },
};

/** The key tenant A's routes need, and one just below it. */
const BELOW: Record<ApiKeyScope, ApiKeyScope[]> = { admin: ['write'], write: ['read'], read: [] };

let w: World;
let seed: Seed;
let addressCounter = 0;
/** A new client address per request that must fail authentication, so the per-IP failure budget never interferes. */
function nextAddress(): string {
  addressCounter += 1;
  return `10.${(addressCounter >> 16) & 255}.${(addressCounter >> 8) & 255}.${addressCounter & 255}`;
}

async function send(
  route: { method: string; url: string },
  key: string | null,
  extra: Record<string, string> = {},
) {
  const r = await FIXTURES[`${route.method} ${route.url}`]!.request(w, seed);
  const headers: Record<string, string> = { ...extra };
  if (key !== null) headers['x-api-key'] = key;
  return w.app.inject({
    method: route.method as 'GET',
    url: r.url,
    headers,
    remoteAddress: nextAddress(),
    ...(r.payload !== undefined ? { payload: r.payload as object } : {}),
  });
}

function expectProblem(res: LightMyRequestResponse, status: number, code: string): void {
  expect({ status: res.statusCode, code: problem(res).code }).toEqual({ status, code });
  expect(res.headers['x-request-id']).toMatch(/^req_/);
}

beforeAll(async () => {
  // A pipeline that takes every event, so the replay route has something to run.
  w = await createWorld({
    webhooks: {
      processEvents: async () => ({
        messages: 1,
        duplicates: 0,
        statuses: 0,
        health: 0,
        ignored: 0,
        failed: 0,
        failedEventIds: [],
      }),
    },
  });
  const conversation = await seedConversation(w, w.a.admin);
  const product = await w.call('POST', '/api/v1/products', w.a.admin, {
    name: 'Sac noir secret',
    price: 15000,
    currency: 'XOF',
  });
  const decision = await w.call('POST', '/api/v1/decision', w.a.admin, {
    contactId: conversation.contactId,
    message: { id: 'wamid.seed', text: "C'est combien le sac noir ?" },
  });
  const order = await w.store.tx(w.a.id, (r) =>
    r.orders.create({
      channelId: conversation.channelId,
      contactId: conversation.contactId,
      items: [{ productId: product.json().id, name: 'Sac noir', quantity: 1, unitPrice: 15000 }],
      currency: 'XOF',
    }),
  );
  const key = await w.key(w.a.id, ['read']);
  const failed = await w.store.tx(w.a.id, (r) =>
    r.failedEvents.record({
      channelId: conversation.channelId,
      transport: 'waha',
      eventKind: 'message',
      eventKey: 'message:false_123456@c.us_SECRETID',
      errorCode: 'invalid_phone',
      payload: {
        event: { kind: 'message', providerId: 'false_123456@c.us_SECRETID', text: 'Texte secret' },
        error: { name: 'PhoneError', message: 'not a phone number' },
      },
      atMs: Date.now(),
    }),
  );
  await w.call('PUT', '/api/v1/playbook', w.a.admin, { sellerName: 'Boutique A (secret name)' });
  seed = {
    ...conversation,
    productId: product.json().id,
    decisionId: decision.json().id,
    orderId: order.id,
    keyId: key.id,
    failedEventId: failed.id,
    secrets: [],
  };
  seed.secrets = [
    conversation.channelId,
    conversation.contactId,
    conversation.messageId,
    seed.productId,
    seed.decisionId,
    seed.orderId,
    seed.keyId,
    seed.failedEventId,
    'SECRETID',
    'Texte secret',
    'Sac noir secret',
    'Boutique A (secret name)',
    '2250701020304',
  ];
});

afterAll(async () => {
  await w.close();
});

describe('the security suite covers every authenticated route', () => {
  it('has a fixture for every route the auth hook guards, and none for routes that do not exist', () => {
    const guarded = w.app.auth.routes.map((r) => `${r.method} ${r.url}`);
    expect(guarded.length).toBeGreaterThan(20);
    expect(guarded.filter((r) => !(r in FIXTURES))).toEqual([]);
    expect(Object.keys(FIXTURES).filter((r) => !guarded.includes(r))).toEqual([]);
  });

  it('guards every /api route of the OpenAPI document', async () => {
    const doc = (await w.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/'))
      .flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      );
    const guarded = new Set(w.app.auth.routes.map((r) => `${r.method} ${r.url}`));
    expect(documented.filter((r) => !guarded.has(r))).toEqual([]);
  });
});

describe.each(Object.keys(FIXTURES))('%s', (name) => {
  const [method = '', url = ''] = name.split(' ');
  const route = { method, url };

  it('works with an admin key of the tenant (the fixture is a valid request)', async () => {
    const res = await send(route, FIXTURES[name]!.operatorOnly ? ENV_KEY : w.a.admin);
    expect(res.statusCode, res.body).toBeGreaterThanOrEqual(200);
    expect(res.statusCode, res.body).toBeLessThan(300);
  });

  it('answers 401 without a key', async () => {
    expectProblem(await send(route, null), 401, 'unauthorized');
  });

  it('answers 401 to a well-formed key nobody issued', async () => {
    expectProblem(await send(route, `sk_${'x'.repeat(32)}`), 401, 'unauthorized');
  });

  it('answers 401 to a malformed key, in either header', async () => {
    expectProblem(await send(route, 'not-a-key'), 401, 'unauthorized');
    expectProblem(await send(route, null, { authorization: 'Bearer sk_short' }), 401, 'unauthorized');
  });

  it('answers 401 to a revoked key', async () => {
    const k = await w.key(w.a.id, ['admin']);
    await w.store.tx(w.a.id, (r) => r.apiKeys.revoke(k.id));
    expectProblem(await send(route, k.secret), 401, 'unauthorized');
  });

  it("gives another tenant's key none of this tenant's objects", async () => {
    const fixture = FIXTURES[name]!;
    const res = await send(route, w.b.admin);
    if (fixture.otherTenant === 'not_found') expectProblem(res, 404, 'not_found');
    else if (fixture.otherTenant === 'forbidden') expectProblem(res, 403, 'forbidden');
    else {
      expect(res.statusCode, res.body).toBeGreaterThanOrEqual(200);
      expect(res.statusCode, res.body).toBeLessThan(300);
      if (fixture.otherTenant === 'excludes') expect(Array.isArray(res.json().items)).toBe(true);
    }
    for (const secret of seed.secrets) expect(res.body).not.toContain(secret);
  });

  it('answers 403 to a key without the scope the route needs', async () => {
    const needed = w.app.auth.routes.find((r) => r.method === method && r.url === url)?.scope ?? 'admin';
    const k = await w.key(w.a.id, BELOW[needed]);
    const res = await send(route, k.secret);
    expectProblem(res, 403, 'forbidden');
  });

  it('answers 429 with Retry-After once the key is over its limit', async () => {
    const k = await w.key(w.a.id, ['admin'], 1);
    await send(route, k.secret);
    const res = await send(route, k.secret);
    expectProblem(res, 429, 'rate_limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(res.headers['ratelimit-limit']).toBe('1');
    expect(res.headers['ratelimit-remaining']).toBe('0');
  });
});

describe('failed authentication per client address', () => {
  it('answers 429 auth_rate_limited after 20 failures from one address, even with a valid key', async () => {
    const remoteAddress = '192.0.2.77';
    for (let i = 0; i < 20; i++) {
      const res = await w.app.inject({
        method: 'GET',
        url: '/api/v1/products',
        headers: { 'x-api-key': `sk_${'y'.repeat(30)}` },
        remoteAddress,
      });
      expect(res.statusCode).toBe(401);
    }
    const blocked = await w.app.inject({
      method: 'GET',
      url: '/api/v1/products',
      headers: { 'x-api-key': w.a.admin },
      remoteAddress,
    });
    expectProblem(blocked, 429, 'auth_rate_limited');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const elsewhere = await w.app.inject({
      method: 'GET',
      url: '/api/v1/products',
      headers: { 'x-api-key': w.a.admin },
      remoteAddress: '192.0.2.78',
    });
    expect(elsewhere.statusCode).toBe(200);
  });
});

describe('ways to present a key', () => {
  it('accepts the key as a Bearer token', async () => {
    const res = await w.app.inject({
      method: 'GET',
      url: '/api/v1/products',
      headers: { authorization: `Bearer ${w.a.read}` },
    });
    expect(res.statusCode).toBe(200);
  });

  it('refuses two different keys in X-API-Key and Authorization', async () => {
    const res = await w.app.inject({
      method: 'GET',
      url: '/api/v1/products',
      headers: { 'x-api-key': w.a.read, authorization: `Bearer ${w.b.read}` },
      remoteAddress: nextAddress(),
    });
    expectProblem(res, 401, 'unauthorized');
  });

  it('accepts SELLIFY_API_KEY as an admin key of the default tenant', async () => {
    const res = await w.app.inject({ method: 'GET', url: '/api/v1/keys', headers: { 'x-api-key': ENV_KEY } });
    expect(res.statusCode).toBe(200);
  });

  it('never authenticates or limits /health', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await w.app.inject({ method: 'GET', url: '/health', remoteAddress: '192.0.2.77' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['ratelimit-limit']).toBeUndefined();
    }
  });
});
