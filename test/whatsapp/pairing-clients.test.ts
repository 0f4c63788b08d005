/**
 * The production pairing clients (src/whatsapp/evolution/pairing.ts, waha/pairing.ts) against the
 * simulated gateways: create or reuse the instance/session with Sellify's webhook, QR codes (raw
 * and PNG), `count: 0` answers, pairing codes, the phone's scan, the QR limit (Evolution `refused`,
 * WAHA FAILED after 6 codes), restart and logout; and the pairing facts read from the webhooks the
 * gateways sent on the way.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  applyPairingUpdate,
  createPairingClient,
  initialPairing,
  type PairingClient,
  type PairingRecord,
  pairingUpdatesOf,
} from '../../src/whatsapp/index.ts';
import { type Simulator, startSimulator } from '../sim/index.ts';
import { type Receiver, startReceiver } from '../sim/receiver.ts';

const START_MS = Date.UTC(2026, 10, 27, 9, 0, 0);
const SECRET = 'evolution-secret-0123456789';
const HMAC = 'waha-hmac-key-0123456789';

let sim: Simulator;
let receiver: Receiver;

async function boot(options: Parameters<typeof startSimulator>[0] = {}): Promise<void> {
  sim = await startSimulator({ seed: 'pairing', clock: { startMs: START_MS }, ...options });
}

beforeEach(async () => {
  receiver = await startReceiver();
});

afterEach(async () => {
  await sim?.close();
  await receiver.close();
});

function evolution(instance = 'loja1', apiKey?: string): PairingClient {
  return createPairingClient(
    {
      transport: 'evolution',
      credentials: {
        baseUrl: sim.evolution.baseUrl,
        instance,
        apiKey: apiKey ?? sim.evolution.apiKey,
        webhookSecret: SECRET,
      },
    },
    { timeoutMs: 2_000, egress: { allowPrivate: true } },
  );
}

function waha(session = 'loja1'): PairingClient {
  return createPairingClient(
    {
      transport: 'waha',
      credentials: { baseUrl: sim.waha.baseUrl, session, apiKey: sim.waha.apiKey, hmacKey: HMAC },
    },
    { timeoutMs: 2_000, egress: { allowPrivate: true } },
  );
}

const evolutionHook = () => ({
  url: `${receiver.url}/webhooks/evolution/chn_1`,
  headers: { 'X-Sellify-Token': SECRET },
});
const wahaHook = () => ({ url: `${receiver.url}/webhooks/waha/chn_2`, headers: {}, hmacKey: HMAC });

/** Every pairing fact of the webhooks the gateway sent, folded as the tracker folds them. */
function track(transport: 'evolution' | 'waha'): { record: PairingRecord; changes: string[] } {
  let record = initialPairing(0);
  const changes: string[] = [];
  for (const body of sim.recorder.webhookJson(transport)) {
    for (const update of pairingUpdatesOf(transport, body, START_MS)) {
      const change = applyPairingUpdate(record, update);
      record = change.next;
      if (change.changed !== null) changes.push(`${change.changed}:${record.state}`);
    }
  }
  return { record, changes };
}

function ok<T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.error)}`);
  return result.value;
}

describe('evolution pairing', () => {
  it('creates a missing instance with Sellify webhook, then reuses it and sets the webhook again', async () => {
    await boot({ evolution: { pairing: { autoScanMs: null } } });
    const client = evolution();
    expect(ok(await client.prepare(evolutionHook()))).toEqual({ created: true });
    const instance = sim.evolution.instances.get('loja1')!;
    expect(instance.webhook).toMatchObject({
      enabled: true,
      url: `${receiver.url}/webhooks/evolution/chn_1`,
      byEvents: false,
      headers: { 'X-Sellify-Token': SECRET },
      events: ['QRCODE_UPDATED', 'CONNECTION_UPDATE', 'MESSAGES_UPSERT', 'MESSAGES_UPDATE', 'SEND_MESSAGE'],
    });
    sim.evolution.setWebhook('loja1', { url: 'http://elsewhere.invalid/hook' });
    expect(ok(await client.prepare(evolutionHook()))).toEqual({ created: false });
    expect(instance.webhook.url).toBe(`${receiver.url}/webhooks/evolution/chn_1`);
    const paths = sim.recorder.calls
      .filter((c) => c.transport === 'evolution')
      .map((c) => `${c.method} ${c.path}`);
    expect(paths).toEqual([
      'GET /instance/connectionState/loja1',
      'POST /instance/create',
      'GET /instance/connectionState/loja1',
      'POST /webhook/set/loja1',
    ]);
  });

  it('shows a QR (raw and PNG) until the phone scans it, then reports connected', async () => {
    await boot({
      evolution: { pairing: { autoScanMs: null } },
      webhookTargets: { evolution: `${receiver.url}/evolution` },
    });
    const client = evolution();
    ok(await client.prepare(evolutionHook()));
    const started = ok(await client.start({}));
    expect(started).toMatchObject({
      state: 'qr',
      qr: {
        raw: expect.stringMatching(/^2@/),
        pngDataUrl: expect.stringMatching(/^data:image\/png;base64,/),
      },
      gatewayQrCount: 1,
    });
    expect(started.pairingCode).toBeUndefined();
    // The current QR, asked again, is the same code and starts nothing new.
    expect(ok(await client.qr()).qr?.raw).toBe(started.qr?.raw);
    expect(ok(await client.status())).toEqual({ state: 'connecting' });
    await sim.evolution.scan('loja1');
    expect(ok(await client.status())).toEqual({ state: 'connected' });
    // Connected: no QR to show.
    expect(ok(await client.qr())).toEqual({ state: 'connected' });
    await sim.settle();
    expect(track('evolution')).toEqual({
      record: expect.objectContaining({ state: 'connected', qrCount: 1, reason: null }),
      changes: ['state:qr', 'state:connected'],
    });
  });

  it('answers count: 0 before the first QR exists, and the QR arrives later', async () => {
    await boot({ evolution: { pairing: { autoScanMs: null, firstQrDelayMs: 1_000 } } });
    const client = evolution();
    ok(await client.prepare(evolutionHook()));
    expect(ok(await client.start({}))).toEqual({ state: 'connecting', gatewayQrCount: 0 });
    expect(ok(await client.qr())).toEqual({ state: 'connecting', gatewayQrCount: 0 });
    await sim.clock.advance(1_000);
    expect(ok(await client.qr())).toMatchObject({ state: 'qr', gatewayQrCount: 1 });
  });

  it('gives an 8-character pairing code as XXXX-XXXX when a number is given', async () => {
    await boot({ evolution: { pairing: { autoScanMs: null } } });
    const client = evolution();
    ok(await client.prepare(evolutionHook()));
    const started = ok(await client.start({ phone: '+225 07 00 00 00 00' }));
    expect(started.pairingCode).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    const call = sim.recorder.calls
      .filter((c) => c.transport === 'evolution')
      .find((c) => c.path === '/instance/connect/loja1');
    expect(call?.query).toEqual({ number: '2250700000000' });
    // Asked again: the same code, the pairing is the same.
    expect(ok(await client.requestCode('2250700000000')).pairingCode).toBe(started.pairingCode);
  });

  it('fails with qr_limit when nobody scans before the QR limit, and a restart starts over', async () => {
    await boot({
      evolution: { pairing: { autoScanMs: null, qrLimit: 3, qrRefreshMs: 1_000 } },
      webhookTargets: { evolution: `${receiver.url}/evolution` },
    });
    const client = evolution();
    ok(await client.prepare(evolutionHook()));
    ok(await client.start({}));
    await sim.clock.advance(3_000);
    await sim.settle();
    const { record, changes } = track('evolution');
    expect(record).toMatchObject({ state: 'failed', reason: 'qr_limit', qrCount: 3 });
    expect(changes).toEqual(['state:qr', 'qr:qr', 'qr:qr', 'state:failed']);
    expect(sim.recorder.webhookJson('evolution', 'connection.update')).toContainEqual(
      expect.objectContaining({ data: expect.objectContaining({ state: 'refused' }) }),
    );
    // Polled afterwards, Evolution says `close`.
    expect(ok(await client.status())).toEqual({ state: 'disconnected' });
    expect(ok(await client.qr())).toEqual({ state: 'disconnected' });
    // Evolution refuses to restart a closed instance: the client connects again instead.
    expect(ok(await client.restart())).toMatchObject({ state: 'qr', gatewayQrCount: 1 });
    const restarts = sim.recorder.calls.filter((c) => c.path === '/instance/restart/loja1');
    expect(restarts).toEqual([]);
  });

  it('logs out a connected instance, and logging out a closed one is already done', async () => {
    await boot();
    const client = evolution('sellify');
    expect(ok(await client.status())).toEqual({ state: 'connected' });
    expect(ok(await client.logout())).toEqual({ state: 'disconnected', reason: 'logged_out' });
    expect(ok(await client.status())).toEqual({ state: 'disconnected' });
    expect(ok(await client.logout())).toEqual({ state: 'disconnected', reason: 'logged_out' });
  });

  it('classifies a refused API key as an account error, without throwing', async () => {
    await boot();
    const result = await evolution('sellify', 'wrong-key').status();
    expect(result).toMatchObject({ ok: false, error: { class: 'account', code: 'unauthorized' } });
  });
});

describe('waha pairing', () => {
  it('creates a missing session with the HMAC webhook, then keeps other webhooks when reusing it', async () => {
    await boot();
    const client = waha();
    expect(ok(await client.prepare(wahaHook()))).toEqual({ created: true });
    const session = sim.waha.sessions.get('loja1')!;
    expect(session.status).toBe('STOPPED');
    expect(session.webhooks).toEqual([
      {
        url: `${receiver.url}/webhooks/waha/chn_2`,
        events: ['message', 'message.any', 'message.ack', 'session.status'],
        hmacKey: HMAC,
        customHeaders: {},
      },
    ]);
    session.webhooks.push({ url: 'http://other.invalid/hook', events: ['message'], customHeaders: {} });
    expect(ok(await client.prepare(wahaHook()))).toEqual({ created: false });
    expect(session.webhooks.map((w) => w.url)).toEqual([
      'http://other.invalid/hook',
      `${receiver.url}/webhooks/waha/chn_2`,
    ]);
    // WAHA's SessionUpdateRequest holds only `config`.
    const put = sim.recorder.calls.find((c) => c.method === 'PUT');
    expect(Object.keys(put?.json as object)).toEqual(['config']);
  });

  it('goes STARTING → SCAN_QR_CODE → WORKING: the QR (raw and PNG), a pairing code, then connected', async () => {
    await boot();
    const client = waha();
    ok(await client.prepare({ ...wahaHook(), url: `${receiver.url}/waha` }));
    // STARTING: WAHA answers 422 on the QR route, which reads as "connecting".
    expect(ok(await client.start({}))).toEqual({ state: 'connecting' });
    expect(ok(await client.qr())).toEqual({ state: 'connecting' });
    await sim.clock.advance(1_000);
    const shown = ok(await client.qr());
    expect(shown).toEqual({
      state: 'qr',
      qr: {
        raw: expect.stringMatching(/^2@/),
        pngDataUrl: expect.stringMatching(/^data:image\/png;base64,/),
      },
    });
    expect(ok(await client.requestCode('+2250700000000'))).toEqual({
      state: 'qr',
      pairingCode: expect.stringMatching(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/),
    });
    const codeCall = sim.recorder.calls
      .filter((c) => c.transport === 'waha')
      .find((c) => c.path.endsWith('/auth/request-code'));
    expect(codeCall?.json).toEqual({ phoneNumber: '2250700000000' });
    await sim.waha.scan('loja1');
    expect(ok(await client.status())).toEqual({ state: 'connected', account: '2250700000009' });
    await sim.settle();
    expect(track('waha')).toEqual({
      record: expect.objectContaining({ state: 'connected', qrCount: 1 }),
      changes: ['state:connecting', 'state:qr', 'state:connected'],
    });
  });

  it('answers start with the QR and the pairing code at once when the session already shows one', async () => {
    await boot();
    const client = waha();
    ok(await client.prepare(wahaHook()));
    ok(await client.start({}));
    await sim.clock.advance(1_000);
    const again = ok(await client.start({ phone: '2250700000000' }));
    expect(again).toMatchObject({
      state: 'qr',
      qr: { raw: expect.any(String) },
      pairingCode: expect.any(String),
    });
  });

  it('refreshes the QR (60 s, then every 20 s) and FAILS after 6 codes; restart starts over', async () => {
    await boot();
    const client = waha();
    ok(await client.prepare({ ...wahaHook(), url: `${receiver.url}/waha` }));
    ok(await client.start({}));
    await sim.clock.advance(1_000);
    const first = ok(await client.qr()).qr?.raw;
    await sim.clock.advance(60_000);
    const second = ok(await client.qr()).qr?.raw;
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    await sim.clock.advance(4 * 20_000);
    expect(sim.waha.sessions.get('loja1')?.qr?.count).toBe(6);
    await sim.clock.advance(20_000);
    expect(ok(await client.status())).toEqual({ state: 'failed', reason: 'session_failed' });
    expect(ok(await client.qr())).toEqual({ state: 'failed', reason: 'session_failed' });
    await sim.settle();
    const { record, changes } = track('waha');
    expect(record).toMatchObject({ state: 'failed', reason: 'session_failed', qrCount: 6 });
    expect(changes).toEqual([
      'state:connecting',
      'state:qr',
      'qr:qr',
      'qr:qr',
      'qr:qr',
      'qr:qr',
      'qr:qr',
      'state:failed',
    ]);
    expect(ok(await client.restart())).toEqual({ state: 'connecting' });
    await sim.clock.advance(1_000);
    expect(ok(await client.status())).toEqual({ state: 'qr' });
  });

  it('logs out and stops the session', async () => {
    await boot();
    const client = waha('default');
    expect(ok(await client.status())).toMatchObject({ state: 'connected' });
    expect(ok(await client.logout())).toEqual({ state: 'disconnected', reason: 'logged_out' });
    expect(ok(await client.status())).toEqual({ state: 'disconnected', reason: 'stopped' });
    // A start now needs a new QR: the device is no longer linked.
    ok(await client.start({}));
    await sim.clock.advance(1_000);
    expect(ok(await client.status())).toEqual({ state: 'qr' });
  });
});
