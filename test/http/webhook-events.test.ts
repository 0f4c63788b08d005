/**
 * Issues 11.15 and 11.19, over the real webhook routes and inbound pipeline:
 * - a replayed health event (a captured, validly signed WAHA `session.status FAILED`, an Evolution
 *   `connection.update`, a Cloud quality update) counts once and cannot pause a channel;
 * - an event that cannot be processed (a sender id that is not a phone number) is parked sealed,
 *   counted and logged, its webhook is acknowledged, the other events of the batch commit exactly
 *   once, a redelivery adds neither a reply nor a second record, and the operator can replay it.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PipelineDeps, processEvents } from '../../src/pipeline/index.ts';
import { type Queue, startQueue } from '../../src/queue/index.ts';
import type { Store } from '../../src/store/index.ts';
import { createWorld, type World } from './helpers.ts';

const WAHA_HMAC = 'waha-hmac-key-0123456789';
const EVO_SECRET = 'evo-webhook-secret-0123456789';
const APP_SECRET = 'cloud-app-secret-0123456789';
const PHONE_NUMBER_ID = '106540352242977';

let w: World;
let queue: Queue;
/** Makes the next N pipeline transactions throw a TypeError (a bug that a later fix removes). */
let breakNextTx = 0;
const warnings: object[] = [];
let waha = '';
let evolution = '';
/** A second Evolution channel for the health tests, so the poison tests' channel stays healthy. */
let evolutionHealth = '';

function breakable(store: Store): Store {
  return {
    ...store,
    tx(tenantId, fn) {
      if (breakNextTx > 0) {
        breakNextTx--;
        return Promise.reject(new TypeError('simulated bug'));
      }
      return store.tx(tenantId, fn);
    },
  };
}

beforeAll(async () => {
  let pipeline: PipelineDeps | undefined;
  w = await createWorld(
    { webhooks: { processEvents: (target, events) => processEvents(pipeline!, target, events) } },
    { allowPrivateGateways: true },
  );
  queue = await startQueue(w.db, { onError: () => {} });
  pipeline = {
    store: breakable(w.store),
    queue,
    nowMs: () => w.clock.nowMs,
    clientFor: () => {
      throw new Error('no sends here');
    },
    sleep: async () => {},
    pacingScale: 0,
    log: { info: () => {}, warn: (obj) => void warnings.push(obj), error: () => {} },
  };
  waha = (
    await w.call('POST', '/api/v1/channels', w.a.write, {
      name: 'WAHA',
      transport: 'waha',
      baseUrl: 'http://127.0.0.1:9',
      session: 'default',
      apiKey: 'k',
      hmacKey: WAHA_HMAC,
    })
  ).json().id;
  evolution = (
    await w.call('POST', '/api/v1/channels', w.a.write, {
      name: 'Evolution',
      transport: 'evolution',
      baseUrl: 'http://127.0.0.1:9',
      instance: 'loja',
      apiKey: 'k',
      webhookSecret: EVO_SECRET,
    })
  ).json().id;
  evolutionHealth = (
    await w.call('POST', '/api/v1/channels', w.a.write, {
      name: 'Evolution 2',
      transport: 'evolution',
      baseUrl: 'http://127.0.0.1:9',
      instance: 'loja2',
      apiKey: 'k',
      webhookSecret: EVO_SECRET,
    })
  ).json().id;
  const cloud = await w.call('POST', '/api/v1/channels', w.a.write, {
    name: 'Cloud',
    transport: 'cloud',
    phoneNumberId: PHONE_NUMBER_ID,
    accessToken: 'EAAG',
    appSecret: APP_SECRET,
    verifyToken: 'verify-token-0123456789',
  });
  expect(cloud.statusCode).toBe(201);
});

afterAll(async () => {
  await queue.stop({ graceful: false });
  await w.close();
});

function postWaha(body: string) {
  return w.app.inject({
    method: 'POST',
    url: `/webhooks/waha/${waha}`,
    headers: {
      'content-type': 'application/json',
      'x-webhook-hmac': createHmac('sha512', WAHA_HMAC).update(body).digest('hex'),
    },
    payload: body,
  });
}

function postEvolution(body: string, channelId = evolution) {
  return w.app.inject({
    method: 'POST',
    url: `/webhooks/evolution/${channelId}`,
    headers: { 'content-type': 'application/json', 'x-sellify-token': EVO_SECRET },
    payload: body,
  });
}

function postCloud(body: string) {
  return w.app.inject({
    method: 'POST',
    url: '/webhooks/whatsapp',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}`,
    },
    payload: body,
  });
}

async function healthEvents(channelId: string): Promise<number> {
  const events = await w.store.tx(w.a.id, (r) => r.healthEvents.recent(channelId));
  return events.length;
}

async function paused(channelId: string): Promise<boolean> {
  return (await w.call('GET', `/api/v1/channels/${channelId}`, w.a.read)).json().paused;
}

async function outbound(): Promise<number> {
  const { rows } = await w.db.ownerTx((t) =>
    t.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages WHERE tenant_id = $1 AND direction = 'out'`,
      [w.a.id],
    ),
  );
  return rows[0]?.n ?? 0;
}

describe('health events count once (11.15)', () => {
  it('a captured WAHA session.status FAILED replayed six times is one event and pauses nothing', async () => {
    const body = JSON.stringify({
      id: 'evt_01jz8v3q9m7k2c4x6b8n0p2r4t',
      timestamp: 1764250000123,
      event: 'session.status',
      session: 'default',
      payload: { name: 'default', status: 'FAILED' },
    });
    for (let i = 0; i < 6; i++) expect((await postWaha(body)).statusCode).toBe(200);
    expect(await healthEvents(waha)).toBe(1);
    expect(await paused(waha)).toBe(false);
  });

  it('distinct WAHA events still count (a real outage is not hidden)', async () => {
    const before = await healthEvents(waha);
    for (const id of ['evt_a1', 'evt_a2']) {
      const body = JSON.stringify({
        id,
        timestamp: 1764250001000,
        event: 'session.status',
        session: 'default',
        payload: { name: 'default', status: 'FAILED' },
      });
      await postWaha(body);
    }
    expect(await healthEvents(waha)).toBe(before + 2);
  });

  it('an Evolution connection.update replayed six times is one event (its date_time names it)', async () => {
    const body = JSON.stringify({
      event: 'connection.update',
      instance: 'loja2',
      data: { instance: 'loja2', state: 'close', statusReason: 428 },
      date_time: '2026-11-27T10:15:00.000Z',
    });
    for (let i = 0; i < 6; i++) expect((await postEvolution(body, evolutionHealth)).statusCode).toBe(200);
    expect(await healthEvents(evolutionHealth)).toBe(1);
    expect(await paused(evolutionHealth)).toBe(false);
  });

  it('a Cloud account_update replayed is one event', async () => {
    // Routed through the number's metadata (account events name no phone_number_id themselves).
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'waba-1',
          time: 1764250000,
          changes: [
            {
              field: 'account_update',
              value: {
                metadata: { phone_number_id: PHONE_NUMBER_ID, display_phone_number: '2250700000001' },
                event: 'ACCOUNT_VIOLATION',
              },
            },
          ],
        },
      ],
    });
    for (let i = 0; i < 4; i++) expect((await postCloud(body)).statusCode).toBe(200);
    const list = await w.call('GET', '/api/v1/channels', w.a.read);
    const cloud = list.json().items.find((c: { transport: string }) => c.transport === 'cloud').id;
    expect(await healthEvents(cloud)).toBe(1);
    expect(await paused(cloud)).toBe(false);
  });
});

function wahaMessage(from: string, id: string, text: string): string {
  return JSON.stringify({
    id: `evt_${id}`,
    timestamp: 1764250000000,
    event: 'message',
    session: 'default',
    payload: {
      id: `false_${from}_${id}`,
      timestamp: 1764250000,
      from,
      fromMe: false,
      body: text,
      hasMedia: false,
    },
  });
}

function evolutionBatch(items: { jid: string; id: string; text: string }[]): string {
  return JSON.stringify({
    event: 'messages.upsert',
    instance: 'loja',
    data: items.map((m) => ({
      key: { remoteJid: m.jid, fromMe: false, id: m.id },
      pushName: 'Client',
      message: { conversation: m.text },
      messageType: 'conversation',
      messageTimestamp: 1764250000,
    })),
  });
}

async function failedEvents(): Promise<
  { id: string; attempts: number; state: string; errorCode: string; transport: string }[]
> {
  return (await w.call('GET', '/api/v1/failed-events', w.a.admin)).json().items;
}

describe('poison events are parked, not retried forever (11.19)', () => {
  it('acknowledges a WAHA message from 123456@c.us and parks it sealed', async () => {
    const before = (await failedEvents()).length;
    const res = await postWaha(wahaMessage('123456@c.us', 'POISON1', 'Texte du robot'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ received: 0, failed: 1 });
    const all = await failedEvents();
    expect(all.length).toBe(before + 1);
    const parked = all.filter((f) => f.transport === 'waha');
    expect(parked[0]).toMatchObject({ state: 'failed', attempts: 1, errorCode: 'invalid_phone' });
    // Sealed: neither the sender nor the text is in the row in clear.
    const { rows } = await w.db.ownerTx((t) =>
      t.query<Record<string, unknown>>('SELECT * FROM failed_events WHERE id = $1', [parked[0]?.id]),
    );
    expect(JSON.stringify(rows)).not.toContain('123456');
    expect(JSON.stringify(rows)).not.toContain('Texte du robot');
    // Counted, and logged without customer data.
    const metric = await w.app.metrics.webhookEventsFailed.get();
    expect(metric.values.find((v) => v.labels.transport === 'waha')?.value).toBeGreaterThanOrEqual(1);
    const logged = warnings.find((o) => JSON.stringify(o).includes(parked[0]?.id ?? '?'));
    expect(logged).toBeDefined();
    expect(JSON.stringify(logged)).not.toContain('123456');
  });

  it('commits the good events of an Evolution batch exactly once, even on redelivery', async () => {
    const before = (await failedEvents()).length;
    const repliesBefore = await outbound();
    const body = evolutionBatch([
      { jid: '2250701020311@s.whatsapp.net', id: 'EVOGOOD1', text: 'Bonjour' },
      { jid: '123456@s.whatsapp.net', id: 'EVOBAD1', text: 'robot' },
      { jid: '2250701020312@s.whatsapp.net', id: 'EVOGOOD2', text: 'Bonsoir' },
    ]);
    const first = await postEvolution(body);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ received: 2, failed: 1 });
    const replies = (await outbound()) - repliesBefore;
    expect(replies).toBe(2);
    const again = await postEvolution(body);
    expect(again.statusCode).toBe(200);
    expect(await outbound()).toBe(repliesBefore + replies);
    const parked = await failedEvents();
    expect(parked.length).toBe(before + 1);
    expect(parked.find((f) => f.transport === 'evolution')?.attempts).toBe(2);
  });

  it('does the same for a Cloud batch with wa_id "123456"', async () => {
    const before = (await failedEvents()).length;
    const repliesBefore = await outbound();
    const change = (waId: string, id: string) => ({
      field: 'messages',
      value: {
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: '2250700000001', phone_number_id: PHONE_NUMBER_ID },
        contacts: [{ profile: { name: 'X' }, wa_id: waId }],
        messages: [{ from: waId, id, timestamp: '1764250000', type: 'text', text: { body: 'Bonjour' } }],
      },
    });
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        { id: 'waba', changes: [change('123456', 'wamid.BAD'), change('2250701020313', 'wamid.GOOD')] },
      ],
    });
    expect((await postCloud(body)).json()).toEqual({ received: 1, failed: 1 });
    expect((await postCloud(body)).json()).toEqual({ received: 0, failed: 1 });
    expect((await outbound()) - repliesBefore).toBe(1);
    expect((await failedEvents()).length).toBe(before + 1);
  });

  it('lets the operator read and replay a parked event once the cause is fixed', async () => {
    const repliesBefore = await outbound();
    breakNextTx = 1; // a bug in this release...
    const res = await postWaha(wahaMessage('2250701020320@c.us', 'FIXME1', 'Bonjour'));
    expect(res.json()).toEqual({ received: 0, failed: 1 });
    const parked = (await failedEvents()).find((f) => f.errorCode === 'typeerror');
    const detail = await w.call('GET', `/api/v1/failed-events/${parked?.id}`, w.a.admin);
    expect(detail.json()).toMatchObject({
      errorCode: 'typeerror',
      error: { name: 'TypeError', message: 'simulated bug' },
      event: { kind: 'message', text: 'Bonjour' },
    });
    // ...fixed in the next one: the replay goes through and answers once.
    const replay = await w.call('POST', `/api/v1/failed-events/${parked?.id}/replay`, w.a.admin);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toMatchObject({ replayed: true, failedEvent: { state: 'replayed' } });
    expect((await outbound()) - repliesBefore).toBe(1);
    // A second replay is a duplicate: no second answer.
    await w.call('POST', `/api/v1/failed-events/${parked?.id}/replay`, w.a.admin);
    expect((await outbound()) - repliesBefore).toBe(1);
  });

  it('refuses a body on replay, however deep, with a 400 (found by the API fuzzer)', async () => {
    let deep = '1';
    for (let i = 0; i < 5000; i++) deep = `{"a":${deep}}`;
    const res = await w.app.inject({
      method: 'POST',
      url: '/api/v1/failed-events/fev_2Prx7p9y21z8/replay',
      headers: { 'x-api-key': w.a.admin, 'content-type': 'application/json', 'idempotency-key': 'k-deep' },
      payload: deep,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation_failed');
  });

  it('a replay that fails again counts an attempt on the same record', async () => {
    const [poison] = (await failedEvents()).filter(
      (f) => f.errorCode === 'invalid_phone' && f.state === 'failed',
    );
    const replay = await w.call('POST', `/api/v1/failed-events/${poison?.id}/replay`, w.a.admin);
    expect(replay.json()).toMatchObject({
      replayed: false,
      failedEvent: { id: poison?.id, state: 'failed', attempts: (poison?.attempts ?? 0) + 1 },
    });
  });

  it('still fails the webhook when the database itself fails (the transport redelivers)', async () => {
    const broken = {
      ...w.store,
      tx: () => Promise.reject(Object.assign(new Error('terminating connection'), { code: '57P01' })),
    };
    const outcome = processEvents(
      {
        store: broken,
        queue,
        nowMs: () => w.clock.nowMs,
        clientFor: () => {
          throw new Error('no');
        },
        sleep: async () => {},
        pacingScale: 0,
        log: { info: () => {}, warn: () => {}, error: () => {} },
      },
      { tenantId: w.a.id, channelId: waha },
      [
        {
          kind: 'message',
          providerId: 'x',
          from: { phone: '+2250701020304' },
          timestampMs: 0,
          type: 'text',
          text: 'a',
        },
      ],
    );
    await expect(outcome).rejects.toThrow('terminating connection');
  });
});
