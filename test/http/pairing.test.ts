/**
 * Issue 15.6 proof (c), through the real app listening on a port and the simulated gateways: QR
 * pairing up to `connected` on Evolution and on WAHA (the gateway's webhooks, signed the way the
 * channel expects, move the tracked state; every change is an event in the tenant's log), the
 * refused path (Evolution `refused` after its QR limit) and the failed path (WAHA FAILED after 6
 * codes), a redelivered webhook changing nothing, and the refusals (sandbox channel, no
 * credentials, unreachable gateway).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PipelineDeps, processEvents } from '../../src/pipeline/index.ts';
import { type Queue, startQueue } from '../../src/queue/index.ts';
import { type Simulator, startSimulator } from '../sim/index.ts';
import { createWorld, problem, type World } from './helpers.ts';

const START_MS = Date.UTC(2026, 10, 27, 9, 0, 0);
const EVO_SECRET = 'evolution-secret-0123456789';
const WAHA_HMAC = 'waha-hmac-key-0123456789';

let w: World;
let queue: Queue;
let sim: Simulator;
let base: string;

beforeAll(async () => {
  let pipeline: PipelineDeps | undefined;
  w = await createWorld(
    { webhooks: { processEvents: (target, events) => processEvents(pipeline!, target, events) } },
    { allowPrivateGateways: true },
  );
  queue = await startQueue(w.db, { onError: () => {} });
  pipeline = {
    store: w.store,
    queue,
    nowMs: () => w.clock.nowMs,
    clientFor: () => {
      throw new Error('no sends here');
    },
    sleep: async () => {},
    pacingScale: 0,
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
  // The gateways post to the address the pairing was started from: the app must listen.
  base = await w.app.listen({ port: 0, host: '127.0.0.1' });
  sim = await startSimulator({
    seed: 'pairing-http',
    clock: { startMs: START_MS },
    evolution: { pairing: { autoScanMs: null } },
  });
});

afterAll(async () => {
  await sim?.close();
  await queue?.stop({ graceful: false });
  await w?.close();
});

/** A request over HTTP (not inject): the webhook URL Sellify sets is taken from it. */
async function api(
  method: string,
  path: string,
  body?: unknown,
  key = w.a.write,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function evolutionChannel(instance: string): Promise<string> {
  const res = await w.call('POST', '/api/v1/channels', w.a.admin, {
    name: `Evolution ${instance}`,
    transport: 'evolution',
    baseUrl: sim.evolution.baseUrl,
    instance,
    apiKey: sim.evolution.apiKey,
    webhookSecret: EVO_SECRET,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function wahaChannel(session: string): Promise<string> {
  const res = await w.call('POST', '/api/v1/channels', w.a.admin, {
    name: `WAHA ${session}`,
    transport: 'waha',
    baseUrl: sim.waha.baseUrl,
    session,
    apiKey: sim.waha.apiKey,
    hmacKey: WAHA_HMAC,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

/** The channel's events in the tenant log, oldest first, as `type:state`. */
async function eventsOf(channelId: string): Promise<string[]> {
  const all = await w.store.tx(w.a.id, (r) => r.events.listAfter(0, { limit: 1000 }));
  return all.filter((e) => e.channelId === channelId).map((e) => `${e.type}:${String(e.data.state)}`);
}

describe('Evolution: QR pairing through the real app', () => {
  it('creates the instance with the signed webhook, shows the QR, and is connected once the phone scans', async () => {
    const channelId = await evolutionChannel('boutique-qr');
    const started = await api('POST', `/api/v1/channels/${channelId}/pairing`, {});
    expect(started.status, JSON.stringify(started.json)).toBe(200);
    expect(started.json).toMatchObject({
      channelId,
      transport: 'evolution',
      state: 'qr',
      reason: null,
      qrCount: 1,
      qr: {
        raw: expect.stringMatching(/^2@/),
        pngDataUrl: expect.stringMatching(/^data:image\/png;base64,/),
      },
      pairingCode: null,
    });
    // Sellify's webhook, authenticated with the channel's secret, is on the instance.
    expect(sim.evolution.instances.get('boutique-qr')?.webhook).toMatchObject({
      url: `${base}/webhooks/evolution/${channelId}`,
      headers: { 'x-sellify-token': EVO_SECRET },
    });
    // The webhooks reached the app and were accepted (200), not refused as unsigned.
    await sim.settle();
    const mine = sim.recorder.webhooksOf('evolution').filter((x) => x.url.endsWith(channelId));
    expect(mine.map((x) => `${x.event}:${x.status}`)).toEqual([
      'qrcode.updated:200',
      'connection.update:200',
    ]);

    const qr = await api('GET', `/api/v1/channels/${channelId}/pairing/qr`);
    expect(qr.status).toBe(200);
    expect((qr.json.qr as { raw: string }).raw).toBe((started.json.qr as { raw: string }).raw);

    await sim.evolution.scan('boutique-qr');
    await sim.settle();
    const state = await api('GET', `/api/v1/channels/${channelId}/pairing`, undefined, w.a.read);
    expect(state.json).toMatchObject({ state: 'connected', reason: null, qrCount: 1 });
    expect(state.json.qr).toBeUndefined();
    expect(await eventsOf(channelId)).toEqual([
      'channel.pairing_started:connecting',
      'channel.pairing_qr:qr',
      'channel.connected:connected',
    ]);
    // The pipeline kept its health event from the same webhook.
    const health = await w.store.tx(w.a.id, (r) => r.healthEvents.recent(channelId));
    expect(health.map((h) => h.type)).toContain('connected');

    // Starting a connected number changes nothing (the webhook is set again, nothing else).
    const restart = await api('POST', `/api/v1/channels/${channelId}/pairing`, {});
    expect(restart.json).toMatchObject({ state: 'connected', qr: null, pairingCode: null });
    expect(await eventsOf(channelId)).toHaveLength(3);

    const none = await api('GET', `/api/v1/channels/${channelId}/pairing/qr`);
    expect({ status: none.status, code: none.json.code }).toEqual({ status: 409, code: 'pairing_not_ready' });

    const out = await api('POST', `/api/v1/channels/${channelId}/pairing/logout`);
    expect(out.json).toMatchObject({ state: 'disconnected', reason: 'logged_out' });
    expect((await eventsOf(channelId)).at(-1)).toBe('channel.disconnected:disconnected');
  });

  it('gives a pairing code for a phone number', async () => {
    const channelId = await evolutionChannel('boutique-code');
    const started = await api('POST', `/api/v1/channels/${channelId}/pairing`, {
      phoneNumber: '+225 07 00 00 00 01',
    });
    expect(started.json.pairingCode).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    const again = await api('POST', `/api/v1/channels/${channelId}/pairing/code`, {
      phoneNumber: '+2250700000001',
    });
    expect(again.json).toMatchObject({ state: 'qr', pairingCode: started.json.pairingCode });
    const bad = await api('POST', `/api/v1/channels/${channelId}/pairing/code`, { phoneNumber: '12345' });
    expect(bad.json.code).toBe('validation_failed');
  });

  it('never keeps a QR or a pairing code for idempotent replays', async () => {
    const channelId = await evolutionChannel('boutique-idem');
    const send = () =>
      w.call(
        'POST',
        `/api/v1/channels/${channelId}/pairing`,
        w.a.write,
        { phoneNumber: '+2250700000003' },
        { 'idempotency-key': 'pairing-once' },
      );
    const first = await send();
    expect(first.statusCode, first.body).toBe(200);
    const { raw } = first.json().qr as { raw: string };
    expect(first.json().pairingCode).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    const replay = await send();
    expect({ status: replay.statusCode, code: problem(replay).code }).toEqual({
      status: 409,
      code: 'idempotency_secret_withheld',
    });
    // The 409 is the plugin's proof: it removed `qr` and `pairingCode` before storing the answer.
    expect(problem(replay).detail).not.toContain(raw);
  });

  it('is failed with qr_limit when nobody scans (refused), and a new start shows a QR again', async () => {
    const channelId = await evolutionChannel('boutique-refused');
    sim.evolution.pairingOptions.qrLimit = 2;
    sim.evolution.pairingOptions.qrRefreshMs = 1_000;
    try {
      expect((await api('POST', `/api/v1/channels/${channelId}/pairing`, {})).json.state).toBe('qr');
      await sim.clock.advance(2_000);
      await sim.settle();
    } finally {
      sim.evolution.pairingOptions.qrLimit = 30;
      sim.evolution.pairingOptions.qrRefreshMs = 40_000;
    }
    const state = await api('GET', `/api/v1/channels/${channelId}/pairing`);
    expect(state.json).toMatchObject({ state: 'failed', reason: 'qr_limit', qrCount: 2 });
    // A poll reads `close` from Evolution: the tracked reason stays.
    const polled = await api('GET', `/api/v1/channels/${channelId}/pairing?refresh=true`);
    expect(polled.json).toMatchObject({ state: 'failed', reason: 'qr_limit' });
    const qr = await api('GET', `/api/v1/channels/${channelId}/pairing/qr`);
    expect(qr.json.code).toBe('pairing_not_ready');
    expect(await eventsOf(channelId)).toEqual([
      'channel.pairing_started:connecting',
      'channel.pairing_qr:qr',
      'channel.pairing_qr:qr',
      'channel.pairing_failed:failed',
    ]);
    // Try again: Evolution will not restart a closed instance, so Sellify connects it anew.
    const again = await api('POST', `/api/v1/channels/${channelId}/pairing/restart`);
    expect(again.json).toMatchObject({
      state: 'qr',
      reason: null,
      qrCount: 1,
      qr: { raw: expect.any(String) },
    });
    expect((await eventsOf(channelId)).slice(-2)).toEqual([
      'channel.pairing_started:connecting',
      'channel.pairing_qr:qr',
    ]);
  });

  it('changes nothing when a pairing webhook is delivered again', async () => {
    const channelId = await evolutionChannel('boutique-replay');
    await api('POST', `/api/v1/channels/${channelId}/pairing`, {});
    await sim.settle();
    const before = await eventsOf(channelId);
    const qrHook = sim.recorder
      .webhooksOf('evolution', 'qrcode.updated')
      .find((x) => x.url.endsWith(channelId));
    expect(qrHook).toBeDefined();
    const replay = await fetch(qrHook!.url, {
      method: 'POST',
      headers: qrHook!.headers,
      body: new Uint8Array(qrHook!.body),
    });
    expect(replay.status).toBe(200);
    expect(await eventsOf(channelId)).toEqual(before);
    expect((await api('GET', `/api/v1/channels/${channelId}/pairing`)).json.qrCount).toBe(1);
  });
});

describe('WAHA: QR pairing through the real app', () => {
  it('creates the session with the HMAC webhook, STARTING → SCAN_QR_CODE → WORKING', async () => {
    const channelId = await wahaChannel('boutique-waha');
    const started = await api('POST', `/api/v1/channels/${channelId}/pairing`, {});
    expect(started.json).toMatchObject({ state: 'connecting', qr: null, qrCount: 0 });
    expect(sim.waha.sessions.get('boutique-waha')?.webhooks).toEqual([
      expect.objectContaining({ url: `${base}/webhooks/waha/${channelId}`, hmacKey: WAHA_HMAC }),
    ]);
    // Still STARTING: WAHA's 422 is "no QR yet".
    const early = await api('GET', `/api/v1/channels/${channelId}/pairing/qr`);
    expect({ status: early.status, code: early.json.code }).toEqual({
      status: 409,
      code: 'pairing_not_ready',
    });

    await sim.clock.advance(1_000);
    await sim.settle();
    expect((await api('GET', `/api/v1/channels/${channelId}/pairing`)).json).toMatchObject({
      state: 'qr',
      qrCount: 1,
    });
    const qr = await api('GET', `/api/v1/channels/${channelId}/pairing/qr`);
    expect(qr.json.qr).toEqual({
      raw: expect.stringMatching(/^2@/),
      pngDataUrl: expect.stringMatching(/^data:image\/png;base64,/),
    });
    const code = await api('POST', `/api/v1/channels/${channelId}/pairing/code`, {
      phoneNumber: '2250700000002',
    });
    expect(code.json.pairingCode).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);

    await sim.waha.scan('boutique-waha');
    await sim.settle();
    expect((await api('GET', `/api/v1/channels/${channelId}/pairing?refresh=true`)).json).toMatchObject({
      state: 'connected',
      qrCount: 1,
    });
    expect(await eventsOf(channelId)).toEqual([
      'channel.pairing_started:connecting',
      'channel.pairing_qr:qr',
      'channel.connected:connected',
    ]);
  });

  it('is failed after 6 QR codes nobody scanned, and restart shows new ones', async () => {
    const channelId = await wahaChannel('boutique-failed');
    await api('POST', `/api/v1/channels/${channelId}/pairing`, {});
    await sim.clock.advance(1_000 + 60_000 + 5 * 20_000);
    await sim.settle();
    expect((await api('GET', `/api/v1/channels/${channelId}/pairing`)).json).toMatchObject({
      state: 'failed',
      reason: 'session_failed',
      qrCount: 6,
    });
    const events = await eventsOf(channelId);
    expect(events.filter((e) => e === 'channel.pairing_qr:qr')).toHaveLength(6);
    expect(events.at(-1)).toBe('channel.pairing_failed:failed');

    const restarted = await api('POST', `/api/v1/channels/${channelId}/pairing/restart`);
    expect(restarted.json).toMatchObject({ state: 'connecting', reason: null, qrCount: 0 });
    await sim.clock.advance(1_000);
    await sim.settle();
    expect((await api('GET', `/api/v1/channels/${channelId}/pairing`)).json).toMatchObject({
      state: 'qr',
      qrCount: 1,
    });
  });
});

describe('refusals', () => {
  it('refuses channels that do not pair by QR, and says when the gateway fails', async () => {
    const sandbox = await w.call('POST', '/api/v1/channels', w.a.admin, {
      name: 'Sandbox',
      transport: 'sandbox',
    });
    const res = await w.call('POST', `/api/v1/channels/${sandbox.json().id}/pairing`, w.a.write, {});
    expect({ status: res.statusCode, code: problem(res).code }).toEqual({
      status: 422,
      code: 'pairing_unsupported',
    });

    const bare = await w.call('POST', '/api/v1/channels', w.a.admin, {
      name: 'Bare',
      transport: 'evolution',
    });
    const noCreds = await w.call('GET', `/api/v1/channels/${bare.json().id}/pairing`, w.a.read);
    expect(problem(noCreds).code).toBe('pairing_unsupported');

    const down = await w.call('POST', '/api/v1/channels', w.a.admin, {
      name: 'Down',
      transport: 'evolution',
      baseUrl: 'http://127.0.0.1:9',
      instance: 'x',
      apiKey: 'k',
      webhookSecret: EVO_SECRET,
    });
    const failed = await w.call('POST', `/api/v1/channels/${down.json().id}/pairing`, w.a.write, {});
    expect({ status: failed.statusCode, code: problem(failed).code }).toEqual({
      status: 502,
      code: 'gateway_error',
    });
    expect(problem(failed).detail).toMatch(/econnrefused/);
    // Nothing was recorded for a pairing that never reached the gateway.
    expect(await eventsOf(down.json().id)).toEqual([]);

    const wrongKey = await w.call('POST', '/api/v1/channels', w.a.admin, {
      name: 'Wrong key',
      transport: 'waha',
      baseUrl: sim.waha.baseUrl,
      session: 'default',
      apiKey: 'not-the-key',
      hmacKey: WAHA_HMAC,
    });
    const refused = await w.call(
      'GET',
      `/api/v1/channels/${wrongKey.json().id}/pairing?refresh=true`,
      w.a.read,
    );
    expect(problem(refused)).toMatchObject({
      code: 'gateway_error',
      detail: expect.stringMatching(/API key/),
    });
  });
});
