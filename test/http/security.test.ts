/**
 * The shared security suite. It walks every route the auth hook guards (app.auth.routes, filled
 * as routes register, so a new route is picked up on its own) and checks for each: no key,
 * a wrong key, a malformed key and a revoked key get 401; another tenant's key gets 404 for the
 * other tenant's objects (and sees none of them in lists); a key without the route's scope gets
 * 403; a key over its rate limit gets 429 with Retry-After. The same routes called with a
 * dashboard session (issue 16): an owner's session with its CSRF token works (except operator
 * routes), a write without the CSRF token gets 403 csrf_failed, and a role below the route's
 * scope gets 403. A route without an entry in FIXTURES
 * fails the suite, so nobody can add a route and skip these checks.
 */

import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/crypto/password.ts';
import { type Queue, startQueue } from '../../src/queue/index.ts';
import type { ApiKeyScope, UserRole } from '../../src/store/index.ts';
import { type Simulator, startSimulator } from '../sim/index.ts';
import { insertDeadLetter, lateBoundQueue } from '../support/queue.ts';
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
  endpointId: string;
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

/** A webhook endpoint of tenant A with one dead delivery of a seeded event (replay and delete consume one). */
async function freshDeadDelivery(w: World): Promise<{ endpointId: string; id: string }> {
  return w.store.tx(w.a.id, async (r) => {
    const endpoint = await r.webhooksOut.createEndpoint({
      url: 'https://hooks.example/secret-endpoint',
      secret: 'whsec_secret',
      eventTypes: [],
    });
    const event = await r.events.append({
      type: 'handoff.requested',
      data: { reason: 'secret' },
      atMs: Date.now(),
    });
    const delivery = await r.webhooksOut.createDelivery({
      endpointId: endpoint.id,
      eventId: event.id,
      eventSeq: event.seq,
      eventType: event.type,
    });
    await r.webhooksOut.recordAttempt(delivery!.id, {
      status: 'dead',
      statusCode: 500,
      error: 'HTTP 500',
      atMs: Date.now(),
    });
    return { endpointId: endpoint.id, id: delivery!.id };
  });
}

/** A dead-lettered follow-up of tenant A's seeded contact (a replay consumes one). */
function freshDeadLetter(w: World, s: Seed): Promise<string> {
  return insertDeadLetter(w.db, 'followup', { tenantId: w.a.id, contactId: s.contactId });
}

async function freshChannel(w: World): Promise<string> {
  const res = await w.call('POST', '/api/v1/channels', w.a.admin, { name: 'Jetable', transport: 'sandbox' });
  return res.json().id;
}

/** A simulated Evolution gateway for the pairing routes (issue 15.6). */
let gateway: Simulator | undefined;
let pairingInstances = 0;

/** A fresh Evolution channel of tenant A on the simulator; `started`: its QR pairing is under way. */
async function pairingChannel(w: World, started = false): Promise<string> {
  pairingInstances += 1;
  const res = await w.call('POST', '/api/v1/channels', w.a.admin, {
    name: `Pairing ${pairingInstances}`,
    transport: 'evolution',
    baseUrl: gateway!.evolution.baseUrl,
    instance: `security-${pairingInstances}`,
    apiKey: gateway!.evolution.apiKey,
    webhookSecret: 'security-suite-secret-0123',
  });
  const id = res.json().id as string;
  if (started) await w.call('POST', `/api/v1/channels/${id}/pairing`, w.a.admin, {});
  return id;
}

const FIXTURES: Record<string, Fixture> = {
  'POST /api/v1/channels/:id/pairing': {
    otherTenant: 'not_found',
    request: async (w) => ({ url: `/api/v1/channels/${await pairingChannel(w)}/pairing`, payload: {} }),
  },
  'GET /api/v1/channels/:id/pairing': {
    otherTenant: 'not_found',
    request: async (w) => ({ url: `/api/v1/channels/${await pairingChannel(w)}/pairing` }),
  },
  'GET /api/v1/channels/:id/pairing/qr': {
    otherTenant: 'not_found',
    request: async (w) => ({ url: `/api/v1/channels/${await pairingChannel(w, true)}/pairing/qr` }),
  },
  'POST /api/v1/channels/:id/pairing/code': {
    otherTenant: 'not_found',
    request: async (w) => ({
      url: `/api/v1/channels/${await pairingChannel(w, true)}/pairing/code`,
      payload: { phoneNumber: '+2250700000000' },
    }),
  },
  'POST /api/v1/channels/:id/pairing/restart': {
    otherTenant: 'not_found',
    request: async (w) => ({ url: `/api/v1/channels/${await pairingChannel(w, true)}/pairing/restart` }),
  },
  'POST /api/v1/channels/:id/pairing/logout': {
    otherTenant: 'not_found',
    request: async (w) => ({ url: `/api/v1/channels/${await pairingChannel(w, true)}/pairing/logout` }),
  },
  'GET /api/v1/users': { otherTenant: 'excludes', request: async () => ({ url: '/api/v1/users' }) },
  'POST /api/v1/users/invites': {
    otherTenant: 'own',
    request: async () => ({ url: '/api/v1/users/invites', payload: { role: 'agent' } }),
  },
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
  'GET /api/v1/dead-letters': {
    otherTenant: 'excludes',
    request: async () => ({ url: '/api/v1/dead-letters' }),
  },
  'POST /api/v1/dead-letters/:id/replay': {
    otherTenant: 'not_found',
    request: async (w, s) => ({ url: `/api/v1/dead-letters/${await freshDeadLetter(w, s)}/replay` }),
  },
  'GET /api/v1/conversations': {
    otherTenant: 'excludes',
    request: async () => ({ url: '/api/v1/conversations?filter=all' }),
  },
  'GET /api/v1/conversations/:id/messages': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({ url: `/api/v1/conversations/${s.contactId}/messages` }),
  },
  'POST /api/v1/conversations/:id/takeover': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({
      url: `/api/v1/conversations/${s.contactId}/takeover`,
      payload: { owner: 'Awa' },
    }),
  },
  'POST /api/v1/conversations/:id/handback': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({ url: `/api/v1/conversations/${s.contactId}/handback` }),
  },
  'POST /api/v1/conversations/:id/messages': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({
      url: `/api/v1/conversations/${s.contactId}/messages`,
      payload: { text: 'Bonjour, ici Awa.' },
    }),
  },
  'GET /api/v1/events': { otherTenant: 'excludes', request: async () => ({ url: '/api/v1/events' }) },
  // A text/event-stream, not a JSON page: the other tenant's stream is its own (checked for A's secrets).
  'GET /api/v1/events/stream': {
    otherTenant: 'own',
    request: async () => ({ url: '/api/v1/events/stream?after=0&follow=false' }),
  },
  'POST /api/v1/webhook-endpoints': {
    otherTenant: 'own',
    request: async () => ({
      url: '/api/v1/webhook-endpoints',
      payload: { url: 'https://hooks.example/sellify', events: ['handoff.requested'] },
    }),
  },
  'GET /api/v1/webhook-endpoints': {
    otherTenant: 'excludes',
    request: async () => ({ url: '/api/v1/webhook-endpoints' }),
  },
  'GET /api/v1/webhook-endpoints/:id': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({ url: `/api/v1/webhook-endpoints/${s.endpointId}` }),
  },
  'PATCH /api/v1/webhook-endpoints/:id': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({
      url: `/api/v1/webhook-endpoints/${s.endpointId}`,
      payload: { enabled: true },
    }),
  },
  'DELETE /api/v1/webhook-endpoints/:id': {
    otherTenant: 'not_found',
    request: async (w) => ({ url: `/api/v1/webhook-endpoints/${(await freshDeadDelivery(w)).endpointId}` }),
  },
  'GET /api/v1/webhook-endpoints/:id/deliveries': {
    otherTenant: 'not_found',
    request: async (_w, s) => ({ url: `/api/v1/webhook-endpoints/${s.endpointId}/deliveries?status=dead` }),
  },
  'POST /api/v1/webhook-deliveries/:id/replay': {
    otherTenant: 'not_found',
    request: async (w) => ({ url: `/api/v1/webhook-deliveries/${(await freshDeadDelivery(w)).id}/replay` }),
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
let queue: Queue | undefined;
const lateQueue = lateBoundQueue({ enqueueIn: async () => 'job_test' });
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

/** Dashboard sessions of tenant A (issue 16): the cookie acts like a key with the role's scope. */
interface Session {
  cookie: string;
  csrf: string;
}
const sessions = {} as Record<'owner' | 'agent' | 'viewer', Session>;

function sessionHeaders(s: Session): Record<string, string> {
  return { cookie: s.cookie, 'x-csrf-token': s.csrf };
}

async function signedIn(role: UserRole): Promise<Session> {
  const email = `${role}.${Date.now()}@security.example`;
  const password = 'security suite password';
  const passwordHash = await hashPassword(password);
  await w.store.tx(w.a.id, (r) => r.users.create({ email, role, passwordHash }));
  const res = await w.app.inject({ method: 'POST', url: '/api/session', payload: { email, password } });
  expect(res.statusCode, res.body).toBe(200);
  return { cookie: String(res.headers['set-cookie']).split(';')[0]!, csrf: res.json().csrfToken };
}

beforeAll(async () => {
  // The pairing routes call a gateway: the simulator on 127.0.0.1 (a private gateway is allowed
  // here), its webhooks aimed at a closed port (nothing listens for them in this suite).
  gateway = await startSimulator({ seed: 'security', evolution: { pairing: { autoScanMs: null } } });
  // A pipeline that takes every event, so the replay route has something to run.
  w = await createWorld(
    {
      // Routes that send or deliver enqueue a job; the queue itself is not under test here. The
      // dead-letter routes read and replay real dead letters, on a queue bound once the world exists.
      queue: lateQueue.queue,
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
    },
    { allowPrivateGateways: true, publicUrl: 'http://127.0.0.1:9' },
  );
  queue = await startQueue(w.db, { onError: () => {} });
  lateQueue.bind(queue);
  for (const role of ['owner', 'agent', 'viewer'] as const) sessions[role] = await signedIn(role);
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
    endpointId: (await freshDeadDelivery(w)).endpointId,
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
    seed.endpointId,
    'secret-endpoint',
    'SECRETID',
    'Texte secret',
    'Sac noir secret',
    'Boutique A (secret name)',
    '2250701020304',
  ];
});

afterAll(async () => {
  await queue?.stop({ graceful: false });
  await w.close();
  await gateway?.close();
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

  it("works with an owner's dashboard session and its CSRF token (operator routes: 403)", async () => {
    const res = await send(route, null, sessionHeaders(sessions.owner));
    if (FIXTURES[name]!.operatorOnly) expectProblem(res, 403, 'forbidden');
    else {
      expect(res.statusCode, res.body).toBeGreaterThanOrEqual(200);
      expect(res.statusCode, res.body).toBeLessThan(300);
    }
  });

  it('answers 403 csrf_failed to a state-changing request made with the session but no CSRF token', async () => {
    if (method === 'GET') return;
    expectProblem(await send(route, null, { cookie: sessions.owner.cookie }), 403, 'csrf_failed');
  });

  it('answers 403 to a session whose role lacks the scope the route needs', async () => {
    const needed = w.app.auth.routes.find((r) => r.method === method && r.url === url)?.scope ?? 'admin';
    if (needed === 'read') return;
    const below = needed === 'admin' ? sessions.agent : sessions.viewer;
    expectProblem(await send(route, null, sessionHeaders(below)), 403, 'forbidden');
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
