/**
 * The production Evolution and WAHA clients against the simulator.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEvolutionClient } from '../../src/whatsapp/evolution/index.ts';
import type { ActionResult, ClientOptions, TransportClient } from '../../src/whatsapp/types.ts';
import { createWahaClient } from '../../src/whatsapp/waha/index.ts';
import { type Simulator, startSimulator } from '../sim/index.ts';

const START_MS = Date.UTC(2026, 10, 27, 9, 0, 0);
const USER = '+2250701020304';

let sim: Simulator;

beforeEach(async () => {
  sim = await startSimulator({ seed: 'gateways', clock: { startMs: START_MS } });
});

afterEach(async () => {
  await sim.close();
});

function evolution(
  overrides: { apiKey?: string; instance?: string } = {},
  options: ClientOptions = {},
): TransportClient {
  return createEvolutionClient(
    {
      baseUrl: sim.evolution.baseUrl,
      instance: overrides.instance ?? 'sellify',
      apiKey: overrides.apiKey ?? sim.evolution.apiKey,
      webhookSecret: 'unused-here',
    },
    // The simulator listens on 127.0.0.1: a private gateway, as SELLIFY_ALLOW_PRIVATE_GATEWAYS allows.
    { timeoutMs: 2_000, egress: { allowPrivate: true }, ...options },
  );
}

function waha(
  overrides: { apiKey?: string; session?: string } = {},
  options: ClientOptions = {},
): TransportClient {
  return createWahaClient(
    {
      baseUrl: sim.waha.baseUrl,
      session: overrides.session ?? 'default',
      apiKey: overrides.apiKey ?? sim.waha.apiKey,
    },
    // The simulator listens on 127.0.0.1: a private gateway, as SELLIFY_ALLOW_PRIVATE_GATEWAYS allows.
    { timeoutMs: 2_000, egress: { allowPrivate: true }, ...options },
  );
}

describe('evolution client', () => {
  it('sends text to the bare digits with the apikey header and returns key.id', async () => {
    const result = await evolution().sendText({
      to: USER,
      text: 'Oui, en stock !',
      replyToProviderId: '3EB0QUOTED',
    });
    expect(result).toMatchObject({ ok: true, waId: '2250701020304' });
    expect(result.ok && result.providerId).toMatch(/^3EB0[0-9A-F]{16}$/);
    const [call] = sim.recorder.callsTo('/message/sendText/sellify', 'evolution');
    expect(call?.headers.apikey).toBe(sim.evolution.apiKey);
    expect(call?.status).toBe(201);
    expect(call?.json).toEqual({
      number: '2250701020304',
      text: 'Oui, en stock !',
      linkPreview: false,
      quoted: { key: { id: '3EB0QUOTED', remoteJid: '2250701020304@s.whatsapp.net', fromMe: false } },
    });
  });

  it("accepts the instance's own token as apikey", async () => {
    expect(
      (await evolution({ apiKey: sim.evolution.defaultInstance.token }).sendText({ to: USER, text: 'x' })).ok,
    ).toBe(true);
  });

  it('a number not on WhatsApp (400 exists:false) is unreachable', async () => {
    sim.markNotOnWhatsApp(USER);
    expect(await evolution().sendText({ to: USER, text: 'x' })).toMatchObject({
      ok: false,
      error: { class: 'unreachable', code: 'not_on_whatsapp', httpStatus: 400 },
    });
  });

  it('a wrong apikey (401) is an account error with forbidden', async () => {
    expect(await evolution({ apiKey: 'wrong' }).sendText({ to: USER, text: 'x' })).toMatchObject({
      ok: false,
      error: { class: 'account', code: 'unauthorized', httpStatus: 401, healthEvent: 'forbidden' },
    });
    expect(sim.recorder.calls.at(-1)?.response).toEqual({
      status: 401,
      error: 'Unauthorized',
      response: { message: 'Unauthorized' },
    });
  });

  it('an unknown instance answers 404 before checking the key', async () => {
    expect(
      await evolution({ instance: 'ghost', apiKey: 'wrong' }).sendText({ to: USER, text: 'x' }),
    ).toMatchObject({
      ok: false,
      error: { class: 'account', code: 'instance_not_found', httpStatus: 404 },
    });
  });

  it('a logged-out instance (Connection Closed) is an account error reported as logged_out', async () => {
    await sim.evolution.setConnection('close', 401);
    expect(await evolution().sendText({ to: USER, text: 'x' })).toMatchObject({
      ok: false,
      error: { class: 'account', code: 'connection_closed', healthEvent: 'logged_out' },
    });
  });

  it('typing sends composing with the delay and returns only after the gateway waited it out', async () => {
    let done: ActionResult | undefined;
    const pending = evolution()
      .typing(USER, 3_000)
      .then((r) => {
        done = r;
        return r;
      });
    const call = await sim.recorder.waitForCall((c) => c.path === '/chat/sendPresence/sellify');
    expect(call.json).toEqual({ number: '2250701020304', presence: 'composing', delay: 3_000 });
    await sim.clock.advance(2_999);
    expect(done).toBeUndefined();
    await sim.clock.advance(1);
    expect(await pending).toEqual({ ok: true });
  });

  it('marks a message read by key', async () => {
    expect(await evolution().markRead('3EB0IN', USER)).toEqual({ ok: true });
    expect(sim.recorder.callsTo('/chat/markMessageAsRead').at(-1)?.json).toEqual({
      readMessages: [{ remoteJid: '2250701020304@s.whatsapp.net', fromMe: false, id: '3EB0IN' }],
    });
  });

  it('has no templates: sendTemplate is permanent without a call', async () => {
    expect(await evolution().sendTemplate({ to: USER, name: 't', language: 'fr' })).toMatchObject({
      ok: false,
      error: { class: 'permanent', code: 'template_unsupported' },
    });
    expect(sim.recorder.calls).toHaveLength(0);
  });

  it('an injected 500 is retried and a reset connection too', async () => {
    sim.faults.add({
      transport: 'evolution',
      kind: 'status',
      status: 500,
      body: { status: 500, error: 'Internal Server Error', response: { message: ['boom'] } },
    });
    expect(await evolution().sendText({ to: USER, text: 'x' })).toMatchObject({
      ok: false,
      error: { class: 'retry', code: 'http_500' },
    });
    sim.faults.add({ transport: 'evolution', kind: 'reset' });
    expect(await evolution().sendText({ to: USER, text: 'x' })).toMatchObject({
      ok: false,
      error: { class: 'retry', code: 'econnreset' },
    });
  });

  it('a 463 reach-out lock passed through by the gateway refuses new contacts only', async () => {
    sim.faults.add({
      transport: 'evolution',
      kind: 'status',
      status: 400,
      body: {
        status: 400,
        error: 'Bad Request',
        response: { message: ['Error: server returned error 463'] },
      },
    });
    expect(await evolution().sendText({ to: USER, text: 'x' })).toMatchObject({
      ok: false,
      error: { class: 'account', healthEvent: 'reachout_timelock', newContactsOnly: true },
    });
  });
});

describe('waha client', () => {
  it('sends text to digits@c.us with X-Api-Key and returns the serialized id', async () => {
    const result = await waha().sendText({
      to: USER,
      text: 'Livraison demain.',
      replyToProviderId: 'false_2250701020304@c.us_3EB0IN',
    });
    expect(result).toMatchObject({ ok: true, waId: '2250701020304' });
    expect(result.ok && result.providerId).toMatch(/^true_2250701020304@c\.us_3EB0[0-9A-F]{16}$/);
    const [call] = sim.recorder.callsTo('/api/sendText', 'waha');
    expect(call?.headers['x-api-key']).toBe(sim.waha.apiKey);
    expect(call?.status).toBe(201);
    expect(call?.json).toEqual({
      session: 'default',
      chatId: '2250701020304@c.us',
      text: 'Livraison demain.',
      linkPreview: false,
      reply_to: 'false_2250701020304@c.us_3EB0IN',
    });
  });

  // Issue 11.20: older NOWEB builds answer Baileys' `{key: {id}, status: "PENDING"}`; the message
  // went out, so it must be stored under the id WAHA's webhooks (message.ack) will use.
  for (const shape of ['wamessage', 'webjs', 'noweb-legacy'] as const) {
    it(`reads the id of a ${shape} sendText answer in the form the webhooks use`, async () => {
      sim.waha.sendTextShape = shape;
      const result = await waha().sendText({ to: USER, text: 'Bonjour' });
      const sent = sim.waha.sent.at(-1);
      expect(sent?.providerId).toMatch(/^true_2250701020304@c\.us_3EB0[0-9A-F]{16}$/);
      expect(result).toEqual({ ok: true, providerId: sent?.providerId, waId: '2250701020304' });
    });
  }

  it('still refuses an answer without a usable id (it cannot be tracked)', async () => {
    for (const body of [{}, { id: 'x'.repeat(300) }, { id: 'bad id with spaces' }, { key: {} }, 'ok']) {
      const fake = (async () =>
        new Response(JSON.stringify(body), { status: 201 })) as unknown as typeof fetch;
      expect(await waha({}, { fetch: fake }).sendText({ to: USER, text: 'x' })).toMatchObject({
        ok: false,
        error: { class: 'permanent', code: 'invalid_response' },
      });
    }
  });

  it('a wrong key gets 401 {message, statusCode}: an account error with forbidden', async () => {
    expect(await waha({ apiKey: 'nope' }).sendText({ to: USER, text: 'x' })).toMatchObject({
      ok: false,
      error: { class: 'account', code: 'unauthorized', httpStatus: 401, healthEvent: 'forbidden' },
    });
    expect(sim.recorder.calls.at(-1)?.response).toEqual({ message: 'Unauthorized', statusCode: 401 });
  });

  it('a session waiting for a QR scan (422) is logged_out', async () => {
    await sim.waha.logout();
    expect(await waha().sendText({ to: USER, text: 'x' })).toMatchObject({
      ok: false,
      error: { class: 'account', code: 'logged_out', httpStatus: 422, healthEvent: 'logged_out' },
    });
  });

  it('an unknown session is an account error', async () => {
    expect(await waha({ session: 'ghost' }).sendText({ to: USER, text: 'x' })).toMatchObject({
      ok: false,
      error: { class: 'account', code: 'session_not_found' },
    });
  });

  it('typing starts, waits the duration, then stops', async () => {
    const sleeps: number[] = [];
    expect(await waha({}, { sleep: async (ms) => void sleeps.push(ms) }).typing(USER, 2_500)).toEqual({
      ok: true,
    });
    expect(sleeps).toEqual([2_500]);
    expect(sim.waha.typing.map((t) => `${t.action} ${t.chatId}`)).toEqual([
      'start 2250701020304@c.us',
      'stop 2250701020304@c.us',
    ]);
    expect(sim.recorder.callsTo('/api/startTyping')[0]?.status).toBe(201);
  });

  it('marks messages seen with their ids', async () => {
    expect(await waha().markRead('false_2250701020304@c.us_3EB0IN', USER)).toEqual({ ok: true });
    expect(sim.recorder.callsTo('/api/sendSeen')[0]?.json).toEqual({
      session: 'default',
      chatId: '2250701020304@c.us',
      messageIds: ['false_2250701020304@c.us_3EB0IN'],
    });
  });

  it('a hung request times out and is retried', async () => {
    sim.faults.add({ transport: 'waha', path: '/api/sendText', kind: 'hang' });
    expect(await waha({}, { timeoutMs: 150 }).sendText({ to: USER, text: 'x' })).toMatchObject({
      ok: false,
      error: { class: 'retry', code: 'timeout' },
    });
  });

  it('a 500 carrying server error 463 is a reach-out lock, not a retry', async () => {
    sim.faults.add({
      transport: 'waha',
      kind: 'status',
      status: 500,
      body: { statusCode: 500, exception: { message: '2 UNKNOWN: server returned error 463', code: 2 } },
    });
    expect(await waha().sendText({ to: USER, text: 'x' })).toMatchObject({
      ok: false,
      error: { class: 'account', code: 'reachout_timelock', newContactsOnly: true },
    });
  });
});
