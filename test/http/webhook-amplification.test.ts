/**
 * Issue 11.3: an anonymous caller must not make the server work per entry of an unsigned body,
 * nor decrypt every channel on each verify-token guess; every webhook route has a per-IP budget.
 * Costs are counted in database transactions (never timed).
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessEventsFn } from '../../src/pipeline/index.ts';
import type { Db } from '../../src/store/index.ts';
import { createWorld, problem, type World } from './helpers.ts';

const APP_SECRET = 'cloud-app-secret-0123456789';
const VERIFY_TOKEN = 'verify-token-0123456789-abcdef';
const PHONE_NUMBER_ID = '106540352242922';

let w: World;
let processed = 0;
const processEvents: ProcessEventsFn = async (_target, events) => {
  processed += events.length;
  return {
    messages: events.length,
    duplicates: 0,
    statuses: 0,
    health: 0,
    ignored: 0,
    failed: 0,
    failedEventIds: [],
  };
};

/** Counts the database transactions the app opens (tenant and app role). */
function countTransactions(db: Db): { tenant: number; app: number; reset(): void } {
  const counts = {
    tenant: 0,
    app: 0,
    reset() {
      counts.tenant = 0;
      counts.app = 0;
    },
  };
  const tenantTx = db.tenantTx.bind(db);
  const appTx = db.appTx.bind(db);
  Object.assign(db, {
    tenantTx: (tenantId: string, fn: Parameters<Db['tenantTx']>[1]) => {
      counts.tenant++;
      return tenantTx(tenantId, fn);
    },
    appTx: (fn: Parameters<Db['appTx']>[0]) => {
      counts.app++;
      return appTx(fn);
    },
  });
  return counts;
}

let tx: ReturnType<typeof countTransactions>;

beforeAll(async () => {
  w = await createWorld(
    { webhooks: { processEvents: (...args) => processEvents(...args) } },
    { webhookRateLimitPerMinute: 1_000_000, webhookVerifyRateLimitPerMinute: 1_000_000 },
  );
  const res = await w.call('POST', '/api/v1/channels', w.a.write, {
    name: 'Cloud',
    transport: 'cloud',
    phoneNumberId: PHONE_NUMBER_ID,
    accessToken: 'EAAG-token',
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
  });
  expect(res.statusCode).toBe(201);
  tx = countTransactions(w.db);
});

afterAll(async () => {
  await w.close();
});

function change(phoneNumberId: string, i: number) {
  return {
    field: 'messages',
    value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '2250700000001', phone_number_id: phoneNumberId },
      contacts: [{ profile: { name: 'A' }, wa_id: '2250701020304' }],
      messages: [
        {
          from: '2250701020304',
          id: `wamid.${i}`,
          timestamp: '1764250000',
          type: 'text',
          text: { body: 'Bonjour' },
        },
      ],
    },
  };
}

function cloudBody(ids: string[]): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: 'waba', changes: ids.map((id, i) => change(id, i)) }],
  });
}

function post(body: string, headers: Record<string, string> = {}, remoteAddress = '198.51.100.10') {
  return w.app.inject({
    method: 'POST',
    url: '/webhooks/whatsapp',
    headers: { 'content-type': 'application/json', ...headers },
    payload: body,
    remoteAddress,
  });
}

const sign = (body: string, secret = APP_SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('unsigned Cloud bodies buy no per-entry work', () => {
  it('refuses 1,001 changes naming 1,001 numbers with a 400 before any database work', async () => {
    tx.reset();
    const ids = Array.from({ length: 1001 }, (_, i) => String(900_000_000 + i));
    const res = await post(cloudBody(ids));
    expect(res.statusCode).toBe(400);
    expect(problem(res).code).toBe('payload_invalid');
    expect({ tenant: tx.tenant, app: tx.app }).toEqual({ tenant: 0, app: 0 });
  });

  it('refuses more distinct numbers than MAX_CLOUD_NUMBERS_PER_WEBHOOK before any database work', async () => {
    tx.reset();
    const ids = Array.from({ length: 40 }, (_, i) => String(800_000_000 + i));
    const res = await post(cloudBody([...ids, PHONE_NUMBER_ID]), { 'x-hub-signature-256': 'sha256=00' });
    expect(res.statusCode).toBe(400);
    expect({ tenant: tx.tenant, app: tx.app }).toEqual({ tenant: 0, app: 0 });
  });

  it('routes all numbers of a body in one query and checks the signature before decrypting another channel', async () => {
    tx.reset();
    const ids = Array.from({ length: 15 }, (_, i) => String(700_000_000 + i));
    const res = await post(cloudBody([...ids, PHONE_NUMBER_ID]), {
      'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
    });
    expect(res.statusCode).toBe(401);
    expect(tx.app).toBeLessThanOrEqual(1);
    expect(tx.tenant).toBeLessThanOrEqual(1);
    expect(processed).toBe(0);
  });

  it('decrypts a busy channel once, not on every webhook (cached secrets)', async () => {
    const body = cloudBody([PHONE_NUMBER_ID]);
    expect((await post(body, { 'x-hub-signature-256': sign(body) })).statusCode).toBe(200);
    tx.reset();
    for (let i = 0; i < 5; i++) {
      const res = await post(body, { 'x-hub-signature-256': `sha256=${'1'.repeat(64)}` });
      expect(res.statusCode).toBe(401);
    }
    expect({ tenant: tx.tenant, app: tx.app }).toEqual({ tenant: 0, app: 0 });
  });

  it('forgets cached secrets when the channel changes (a rotated app secret works at once)', async () => {
    const list = await w.call('GET', '/api/v1/channels', w.a.read);
    const id = list.json().items.find((c: { transport: string }) => c.transport === 'cloud').id;
    const rotated = 'rotated-app-secret-0123456789';
    const patched = await w.call('PATCH', `/api/v1/channels/${id}`, w.a.write, {
      phoneNumberId: PHONE_NUMBER_ID,
      accessToken: 'EAAG-token',
      appSecret: rotated,
      verifyToken: VERIFY_TOKEN,
    });
    expect(patched.statusCode).toBe(200);
    const body = cloudBody([PHONE_NUMBER_ID]);
    expect((await post(body, { 'x-hub-signature-256': sign(body, rotated) })).statusCode).toBe(200);
    expect((await post(body, { 'x-hub-signature-256': sign(body) })).statusCode).toBe(401);
    await w.call('PATCH', `/api/v1/channels/${id}`, w.a.write, {
      phoneNumberId: PHONE_NUMBER_ID,
      accessToken: 'EAAG-token',
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
    });
  });
});

describe("Meta's verify handshake", () => {
  const handshake = (token: string, remoteAddress = '198.51.100.20') =>
    w.app.inject({
      method: 'GET',
      url: `/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${encodeURIComponent(token)}`,
      remoteAddress,
    });

  it('finds the token by its hash: no channel is decrypted, one query', async () => {
    tx.reset();
    const res = await handshake(VERIFY_TOKEN);
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('1158201444');
    expect({ tenant: tx.tenant, app: tx.app }).toEqual({ tenant: 0, app: 1 });
    tx.reset();
    const wrong = await handshake('not-the-token-0123456789');
    expect(wrong.statusCode).toBe(403);
    expect({ tenant: tx.tenant, app: tx.app }).toEqual({ tenant: 0, app: 1 });
  });

  it('still answers for a channel created after 1,000 others', async () => {
    // 1,000 older Cloud channels (no credentials), then one whose token Meta checks.
    await w.db.ownerTx((t) =>
      t.query(
        `INSERT INTO channels (id, tenant_id, name, transport, route_key, created_at)
         SELECT 'chn_bulk' || i, $1, 'bulk', 'cloud', 'cloud:5' || i, now() - interval '1 day'
         FROM generate_series(1, 1000) AS i`,
        [w.b.id],
      ),
    );
    const token = 'late-channel-token-0123456789';
    const res = await w.call('POST', '/api/v1/channels', w.b.write, {
      name: 'Late',
      transport: 'cloud',
      phoneNumberId: '4242424242',
      accessToken: 'EAAG-late',
      appSecret: 'late-app-secret-0123456789',
      verifyToken: token,
    });
    expect(res.statusCode).toBe(201);
    expect((await handshake(token)).body).toBe('1158201444');
  });
});

describe('per-IP limits on every webhook route', () => {
  let limited: World;
  beforeAll(async () => {
    limited = await createWorld(
      { webhooks: { processEvents: (...args) => processEvents(...args) } },
      { webhookRateLimitPerMinute: 3, webhookVerifyRateLimitPerMinute: 2 },
    );
  });
  afterAll(async () => {
    await limited.close();
  });

  it('answers 429 with Retry-After past the POST budget of one address, others unaffected', async () => {
    const hit = (remoteAddress: string, url = '/webhooks/whatsapp') =>
      limited.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json' },
        payload: '{}',
        remoteAddress,
      });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await hit('203.0.113.50')).statusCode);
    expect(statuses.every((s) => s !== 429)).toBe(true);
    const over = await hit('203.0.113.50', '/webhooks/evolution/chn_unknown');
    expect(over.statusCode).toBe(429);
    expect(problem(over).code).toBe('rate_limited');
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await hit('203.0.113.51')).statusCode).not.toBe(429);
  });

  it('limits verify-token guesses per address', async () => {
    const guess = () =>
      limited.app.inject({
        method: 'GET',
        url: '/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1&hub.verify_token=guess-0123456789',
        remoteAddress: '203.0.113.60',
      });
    expect((await guess()).statusCode).toBe(403);
    expect((await guess()).statusCode).toBe(403);
    const third = await guess();
    expect(third.statusCode).toBe(429);
    expect(problem(third).code).toBe('rate_limited');
  });
});
