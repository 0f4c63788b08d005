/**
 * The production Cloud API client against the simulator: only the base URL differs from production.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCloudClient } from '../../src/whatsapp/cloud/index.ts';
import type { ClientOptions, TransportClient } from '../../src/whatsapp/types.ts';
import { type Simulator, startSimulator } from '../sim/index.ts';

const START_MS = Date.UTC(2026, 10, 27, 9, 0, 0);
const USER = '+2250701020304';

let sim: Simulator;

function client(
  overrides: { accessToken?: string; phoneNumberId?: string } = {},
  options: ClientOptions = {},
): TransportClient {
  const n = sim.cloud.defaultNumber;
  return createCloudClient(
    {
      phoneNumberId: overrides.phoneNumberId ?? n.phoneNumberId,
      accessToken: overrides.accessToken ?? n.accessToken,
      appSecret: n.appSecret,
      verifyToken: n.verifyToken,
      graphUrl: sim.cloud.graphUrl,
    },
    { timeoutMs: 2_000, ...options },
  );
}

beforeEach(async () => {
  sim = await startSimulator({ seed: 'cloud-client', clock: { startMs: START_MS } });
});

afterEach(async () => {
  await sim.close();
});

describe('cloud client: sendText', () => {
  it('sends inside the window and returns the wamid and wa_id', async () => {
    sim.cloud.openWindow(USER);
    const result = await client().sendText({ to: USER, text: 'Le sac noir est à 15 000 F CFA.' });
    expect(result).toMatchObject({ ok: true, waId: '2250701020304' });
    expect(result.ok && result.providerId.startsWith('wamid.')).toBe(true);
    const [call] = sim.recorder.callsTo('/messages', 'cloud');
    expect(call?.path).toBe(`/v25.0/${sim.cloud.defaultNumber.phoneNumberId}/messages`);
    expect(call?.headers.authorization).toBe(`Bearer ${sim.cloud.defaultNumber.accessToken}`);
    expect(call?.json).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: USER,
      type: 'text',
      text: { preview_url: false, body: 'Le sac noir est à 15 000 F CFA.' },
    });
  });

  it('quotes the inbound message with context.message_id', async () => {
    const { id } = await sim.cloud.inbound({ from: USER, text: 'Prix ?' });
    const result = await client().sendText({ to: USER, text: '15 000 F', replyToProviderId: id });
    expect(result.ok).toBe(true);
    expect(sim.recorder.callsTo('/messages').at(-1)?.json).toMatchObject({ context: { message_id: id } });
  });

  it('adds the + to a bare digit number so Meta does not prepend the business country code', async () => {
    sim.cloud.openWindow(USER);
    const result = await client().sendText({ to: '2250701020304', text: 'ok' });
    expect(result).toMatchObject({ ok: true, waId: '2250701020304' });
  });

  it('is refused with 131047 (window) when the user never wrote', async () => {
    const result = await client().sendText({ to: USER, text: 'Bonjour !' });
    expect(result).toEqual({
      ok: false,
      error: expect.objectContaining({ class: 'window', code: '131047', httpStatus: 400 }),
    });
  });

  it('is refused with 131047 once 24 hours have passed since the last inbound message', async () => {
    await sim.cloud.inbound({ from: USER, text: 'Bonjour' });
    await sim.clock.advance(24 * 3_600_000 - 1);
    expect((await client().sendText({ to: USER, text: 'encore là' })).ok).toBe(true);
    await sim.clock.advance(1);
    expect(await client().sendText({ to: USER, text: 'trop tard' })).toMatchObject({
      ok: false,
      error: { class: 'window' },
    });
  });

  it('defers the 46th message of a burst to one user with 131056 and a pair_limit health event', async () => {
    sim.cloud.openWindow(USER);
    const c = client();
    for (let i = 0; i < 45; i++) expect((await c.sendText({ to: USER, text: `bulle ${i}` })).ok).toBe(true);
    const refused = await c.sendText({ to: USER, text: 'bulle 45', attempt: 1 });
    expect(refused).toMatchObject({
      ok: false,
      error: { class: 'defer', code: '131056', retryAfterMs: 4_000, healthEvent: 'pair_limit' },
    });
    // Other users are not affected, and one token comes back after 6 s.
    sim.cloud.openWindow('+2250709999999');
    expect((await c.sendText({ to: '+2250709999999', text: 'autre client' })).ok).toBe(true);
    await sim.clock.advance(6_000);
    expect((await c.sendText({ to: USER, text: 'bulle 45' })).ok).toBe(true);
  });

  it('defers with 130429 when the number exceeds its throughput', async () => {
    await sim.close();
    sim = await startSimulator({
      seed: 'tp',
      clock: { startMs: START_MS },
      cloud: { numbers: [{ throughputMps: 5 }] },
    });
    const c = client();
    const users = Array.from({ length: 6 }, (_, i) => `+22507010203${10 + i}`);
    for (const u of users) sim.cloud.openWindow(u);
    for (const u of users.slice(0, 5)) expect((await c.sendText({ to: u, text: 'promo' })).ok).toBe(true);
    expect(await c.sendText({ to: users[5]!, text: 'promo' })).toMatchObject({
      ok: false,
      error: { class: 'defer', code: '130429', retryAfterMs: 1_000, healthEvent: 'throughput_limit' },
    });
    await sim.clock.advance(1_000);
    expect((await c.sendText({ to: users[5]!, text: 'promo' })).ok).toBe(true);
  });

  it('a bad token gets 190: permanent, with a forbidden health event', async () => {
    sim.cloud.openWindow(USER);
    expect(await client({ accessToken: 'expired' }).sendText({ to: USER, text: 'x' })).toMatchObject({
      ok: false,
      error: { class: 'permanent', code: '190', httpStatus: 401, healthEvent: 'forbidden' },
    });
  });

  it('an unknown phone number id gets 100: permanent', async () => {
    expect(await client({ phoneNumberId: '999' }).sendText({ to: USER, text: 'x' })).toMatchObject({
      ok: false,
      error: { class: 'permanent', code: '100' },
    });
  });

  it('a text over 4096 characters gets 100: permanent', async () => {
    sim.cloud.openWindow(USER);
    expect(await client().sendText({ to: USER, text: 'é'.repeat(4097) })).toMatchObject({
      ok: false,
      error: { code: '100' },
    });
    expect((await client().sendText({ to: USER, text: 'é'.repeat(4096) })).ok).toBe(true);
  });

  it.each([
    { code: 131048, want: { class: 'account', healthEvent: 'spam_limit' } },
    { code: 368, want: { class: 'account', healthEvent: 'account_restricted', httpStatus: 403 } },
    { code: 131000, want: { class: 'retry', httpStatus: 500 } },
    { code: 131057, want: { class: 'retry' } },
    { code: 80007, want: { class: 'defer' } },
  ])('an injected $code is classified as $want.class', async ({ code, want }) => {
    sim.cloud.openWindow(USER);
    sim.cloud.failNext(code);
    expect(await client().sendText({ to: USER, text: 'x' })).toMatchObject({
      ok: false,
      error: { code: String(code), ...want },
    });
    expect((await client().sendText({ to: USER, text: 'x' })).ok).toBe(true);
  });
});

describe('cloud client: templates', () => {
  it('sends an approved template outside the window, with body parameters', async () => {
    const result = await client().sendTemplate({
      to: USER,
      name: 'relance_panier',
      language: 'fr',
      parameters: ['Awa'],
    });
    expect(result.ok).toBe(true);
    expect(sim.recorder.callsTo('/messages').at(-1)?.json).toMatchObject({
      type: 'template',
      template: {
        name: 'relance_panier',
        language: { code: 'fr' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Awa' }] }],
      },
    });
    expect(sim.recorder.callsTo('/messages').at(-1)?.response).toMatchObject({
      messages: [{ message_status: 'accepted' }],
    });
  });

  it('an unknown template or language gets 132001 and a parameter mismatch 132000: permanent', async () => {
    expect(await client().sendTemplate({ to: USER, name: 'relance_panier', language: 'en' })).toMatchObject({
      ok: false,
      error: { class: 'permanent', code: '132001' },
    });
    expect(await client().sendTemplate({ to: USER, name: 'relance_panier', language: 'fr' })).toMatchObject({
      ok: false,
      error: { class: 'permanent', code: '132000' },
    });
  });
});

describe('cloud client: read receipts and typing', () => {
  it('marks an inbound message read', async () => {
    const { id } = await sim.cloud.inbound({ from: USER, text: 'Bonjour' });
    expect(await client().markRead(id, USER)).toEqual({ ok: true });
    expect(sim.recorder.callsTo('/messages').at(-1)?.json).toEqual({
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: id,
    });
  });

  it('an unknown message id gets 131009: permanent', async () => {
    expect(await client().markRead('wamid.nope', USER)).toMatchObject({
      ok: false,
      error: { class: 'permanent', code: '131009' },
    });
  });

  it('shows typing with the read receipt and typing_indicator, cleared by the next message', async () => {
    const { id } = await sim.cloud.inbound({ from: USER, text: 'Bonjour' });
    const sleeps: number[] = [];
    const c = client({}, { sleep: async (ms) => void sleeps.push(ms) });
    expect(await c.typing(USER, 3_000, id)).toEqual({ ok: true });
    expect(sim.recorder.callsTo('/messages').at(-1)?.json).toEqual({
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: id,
      typing_indicator: { type: 'text' },
    });
    expect(sleeps).toEqual([3_000]);
    expect(sim.cloud.isTyping(USER)).toBe(true);
    await c.sendText({ to: USER, text: 'Bonjour !' });
    expect(sim.cloud.isTyping(USER)).toBe(false);
  });

  it('re-sends the 25 s indicator every 20 s for a longer typing duration', async () => {
    const { id } = await sim.cloud.inbound({ from: USER, text: 'Bonjour' });
    const sleeps: number[] = [];
    const c = client({}, { sleep: async (ms) => void sleeps.push(ms) });
    expect(await c.typing(USER, 50_000, id)).toEqual({ ok: true });
    expect(sim.recorder.callsTo('/messages').filter((call) => call.json !== undefined)).toHaveLength(3);
    expect(sleeps).toEqual([20_000, 20_000, 10_000]);
  });

  it('refuses typing without an inbound message id, without calling Meta', async () => {
    expect(await client().typing(USER, 1_000)).toMatchObject({
      ok: false,
      error: { class: 'permanent', code: 'missing_message_id' },
    });
    expect(sim.recorder.calls).toHaveLength(0);
  });
});

describe('cloud client: transport failures', () => {
  it('an injected 503 is retried', async () => {
    sim.cloud.openWindow(USER);
    sim.faults.add({
      transport: 'cloud',
      path: '/messages',
      kind: 'status',
      status: 503,
      body: '<html>Service Unavailable</html>',
    });
    expect(await client().sendText({ to: USER, text: 'x' })).toMatchObject({
      ok: false,
      error: { class: 'retry', code: 'http_503' },
    });
  });

  it('a hung request times out and is retried', async () => {
    sim.cloud.openWindow(USER);
    sim.faults.add({ transport: 'cloud', kind: 'hang' });
    expect(await client({}, { timeoutMs: 150 }).sendText({ to: USER, text: 'x' })).toMatchObject({
      ok: false,
      error: { class: 'retry', code: 'timeout' },
    });
    expect(sim.recorder.calls.at(-1)?.fault).toBe('hang');
  });

  it('a reset connection is retried', async () => {
    sim.cloud.openWindow(USER);
    sim.faults.add({ transport: 'cloud', kind: 'reset' });
    expect(await client().sendText({ to: USER, text: 'x' })).toMatchObject({
      ok: false,
      error: { class: 'retry', code: 'econnreset' },
    });
  });

  it('a refused connection is retried', async () => {
    const port = new URL(sim.url).port;
    await sim.close();
    const c = createCloudClient({
      phoneNumberId: '1',
      accessToken: 't',
      appSecret: 's',
      verifyToken: 'v',
      graphUrl: `http://127.0.0.1:${port}/cloud`,
    });
    expect(await c.sendText({ to: USER, text: 'x' })).toMatchObject({
      ok: false,
      error: { class: 'retry', code: 'econnrefused' },
    });
    sim = await startSimulator();
  });

  it('a slow answer inside the timeout still succeeds', async () => {
    sim.cloud.openWindow(USER);
    sim.faults.add({ transport: 'cloud', kind: 'slow', delayMs: 30 });
    expect((await client().sendText({ to: USER, text: 'x' })).ok).toBe(true);
  });

  it("the caller's abort signal ends the call as a retryable 'aborted'", async () => {
    sim.cloud.openWindow(USER);
    sim.faults.add({ transport: 'cloud', kind: 'hang' });
    const controller = new AbortController();
    const pending = client().sendText({ to: USER, text: 'x' }, controller.signal);
    await sim.recorder.waitForCall((c) => c.fault === 'hang');
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, error: { class: 'retry', code: 'aborted' } });
  });
});
