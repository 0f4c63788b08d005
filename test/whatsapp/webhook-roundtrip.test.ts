/**
 * Webhooks the simulator sends, received over HTTP and run through the production verifiers and
 * parsers: the two sides agree on bytes, signatures and shapes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createCloudClient,
  parseCloudWebhook,
  routeCloudWebhook,
  verifyCloudWebhook,
} from '../../src/whatsapp/cloud/index.ts';
import {
  createEvolutionClient,
  parseEvolutionWebhook,
  verifyEvolutionWebhook,
} from '../../src/whatsapp/evolution/index.ts';
import { parseJsonBody } from '../../src/whatsapp/shared/json.ts';
import type { InboundEvent } from '../../src/whatsapp/types.ts';
import { createWahaClient, parseWahaWebhook, verifyWahaWebhook } from '../../src/whatsapp/waha/index.ts';
import type { CloudInboundInput } from '../sim/cloud.ts';
import { type Simulator, startSimulator } from '../sim/index.ts';
import { type Receiver, startReceiver } from '../sim/receiver.ts';

const START_MS = Date.UTC(2026, 10, 27, 9, 0, 0);
const USER = '+2250701020304';
const SECRET = 'evo-channel-secret';
const HMAC = 'waha-hmac-secret';

let sim: Simulator;
let receiver: Receiver;

beforeEach(async () => {
  receiver = await startReceiver();
  sim = await startSimulator({
    seed: 'roundtrip',
    clock: { startMs: START_MS },
    webhookTargets: {
      cloud: `${receiver.url}/cloud`,
      evolution: `${receiver.url}/evolution`,
      waha: `${receiver.url}/waha`,
    },
    evolution: { instances: [{ name: 'sellify', webhookHeaders: { 'X-Sellify-Token': SECRET } }] },
    waha: { hmacKey: HMAC, events: ['message', 'message.any', 'message.ack', 'session.status'] },
  });
});

afterEach(async () => {
  await sim.close();
  await receiver.close();
});

function received(prefix: string) {
  return receiver.requests.filter((r) => r.path.startsWith(prefix));
}

function cloudEvents(): InboundEvent[] {
  return received('/cloud').flatMap((r) => {
    expect(
      verifyCloudWebhook(
        { rawBody: r.rawBody, headers: receiver.headersOf(r) },
        { appSecret: sim.cloud.defaultNumber.appSecret },
      ),
    ).toEqual({
      ok: true,
    });
    return parseCloudWebhook(parseJsonBody(r.rawBody));
  });
}

describe('cloud webhooks', () => {
  const types: { input: Omit<CloudInboundInput, 'from'>; want: Record<string, unknown> }[] = [
    {
      input: { text: 'Bonjour, c’est combien ? 😀' },
      want: { type: 'text', text: 'Bonjour, c’est combien ? 😀' },
    },
    {
      input: { type: 'image', text: 'ce modèle' },
      want: { type: 'image', text: 'ce modèle', media: { mimeType: 'image/jpeg' } },
    },
    { input: { type: 'audio' }, want: { type: 'audio', media: { voice: true } } },
    { input: { type: 'video', text: 'vidéo' }, want: { type: 'video', text: 'vidéo' } },
    {
      input: { type: 'document', text: 'bon de commande' },
      want: { type: 'document', media: { filename: 'facture.pdf' } },
    },
    { input: { type: 'sticker' }, want: { type: 'sticker', media: { animated: false } } },
    {
      input: { type: 'location', text: 'Chez moi' },
      want: { type: 'location', location: { name: 'Chez moi' } },
    },
    { input: { type: 'contacts' }, want: { type: 'contacts', contacts: [{ name: 'Awa Koné' }] } },
    {
      input: { type: 'interactive', text: 'Acheter', context: { id: 'wamid.ours' } },
      want: {
        type: 'interactive',
        replyToProviderId: 'wamid.ours',
        choice: { kind: 'button_reply', id: 'buy-now' },
      },
    },
    {
      input: {
        type: 'interactive',
        payload: { interactive: { type: 'list_reply', list_reply: { id: 'size_42', title: 'Taille 42' } } },
      },
      want: { type: 'interactive', text: 'Taille 42', choice: { kind: 'list_reply', id: 'size_42' } },
    },
    {
      input: { type: 'button', text: 'Oui' },
      want: { type: 'button', choice: { kind: 'template_button', id: 'CART_123' } },
    },
    {
      input: { type: 'reaction', text: '❤️', context: { id: 'wamid.ours' } },
      want: { type: 'reaction', reaction: { targetProviderId: 'wamid.ours', emoji: '❤️' } },
    },
    {
      input: { type: 'reaction', text: null, context: { id: 'wamid.ours' } },
      want: { type: 'reaction', reaction: { targetProviderId: 'wamid.ours' } },
    },
    {
      input: { type: 'order', text: 'vite' },
      want: {
        type: 'order',
        order: { items: [{ productRetailerId: 'sac-noir', quantity: 2, currency: 'XOF' }] },
      },
    },
    { input: { type: 'system' }, want: { type: 'system', system: { type: 'user_changed_number' } } },
    { input: { type: 'unsupported' }, want: { type: 'unsupported', errors: [{ code: 131051 }] } },
    {
      input: { text: 'pub', referral: true },
      want: { type: 'text', referral: { sourceType: 'ad', ctwaClid: expect.any(String) } },
    },
    {
      input: { text: 'hi', bsuid: 'CI.1502576394655843' },
      want: { from: { phone: USER, bsuid: 'CI.1502576394655843' } },
    },
    {
      input: { text: 'hi', bsuid: 'CI.42', username: 'awa.k' },
      want: { from: { bsuid: 'CI.42', username: 'awa.k' } },
    },
  ];
  it.each(types)(
    'an inbound $input.type message verifies and parses ($want.type)',
    async ({ input, want }) => {
      const { id } = await sim.cloud.inbound({ from: USER, name: 'Aïcha', ...input });
      const events = cloudEvents();
      expect(events).toEqual([
        expect.objectContaining({ kind: 'message', providerId: id, timestampMs: START_MS }),
      ]);
      expect(events[0]).toMatchObject(want);
    },
  );

  it('a username user has no phone at all', async () => {
    await sim.cloud.inbound({ from: USER, text: 'hi', bsuid: 'CI.42', username: 'awa.k' });
    const [event] = cloudEvents();
    expect(event).toMatchObject({ kind: 'message', from: { bsuid: 'CI.42' } });
    expect(event).not.toHaveProperty('from.phone');
    expect(event).not.toHaveProperty('from.waId');
  });

  it('routes on the phone number id before verifying', async () => {
    await sim.cloud.inbound({ from: USER, text: 'x' });
    const [request] = received('/cloud');
    expect(routeCloudWebhook(parseJsonBody(request!.rawBody)).phoneNumberIds).toEqual([
      sim.cloud.defaultNumber.phoneNumberId,
    ]);
  });

  it('the status sequence of a send arrives signed and parses to sent → delivered → read', async () => {
    await sim.cloud.inbound({ from: USER, text: 'Bonjour' });
    const n = sim.cloud.defaultNumber;
    const client = createCloudClient({ ...n, graphUrl: sim.cloud.graphUrl });
    const sent = await client.sendText({ to: USER, text: 'Bonjour !' });
    await sim.clock.advance(5_000);
    const statuses = cloudEvents().filter((e) => e.kind === 'status');
    expect(statuses).toMatchObject([
      { status: 'sent', providerId: sent.ok ? sent.providerId : '', recipient: USER },
      { status: 'delivered', pricing: { type: 'free_customer_service', category: 'service' } },
      { status: 'read' },
    ]);
    expect(statuses.filter((s) => s.kind === 'status' && s.pricing)).toHaveLength(1);
  });

  it('echoes our message id (biz_opaque_callback_data) in every status, so a crashed sender can tell it went out', async () => {
    await sim.cloud.inbound({ from: USER, text: 'Bonjour' });
    const n = sim.cloud.defaultNumber;
    const client = createCloudClient({ ...n, graphUrl: sim.cloud.graphUrl });
    const sent = await client.sendText({ to: USER, text: 'Bonjour !', callbackData: 'msg_abc' });
    expect(sent.ok).toBe(true);
    expect(sim.recorder.callsTo('/messages').at(-1)?.json).toMatchObject({
      biz_opaque_callback_data: 'msg_abc',
    });
    await sim.clock.advance(5_000);
    const statuses = cloudEvents().filter((e) => e.kind === 'status');
    expect(statuses.length).toBeGreaterThan(0);
    for (const s of statuses) expect(s).toMatchObject({ callbackData: 'msg_abc' });
  });

  it('account webhooks parse to health events', async () => {
    await sim.cloud.qualityUpdate('FLAGGED');
    await sim.cloud.sendChange('account_update', { event: 'ACCOUNT_RESTRICTION', restriction_info: [] });
    expect(cloudEvents()).toMatchObject([
      { kind: 'health', event: 'quality_low' },
      { kind: 'health', event: 'account_restricted' },
    ]);
  });
});

describe('evolution webhooks', () => {
  function evolutionEvents(): InboundEvent[] {
    return received('/evolution').flatMap((r) => {
      expect(
        verifyEvolutionWebhook(
          { rawBody: r.rawBody, headers: receiver.headersOf(r) },
          { webhookSecret: SECRET },
          { nowMs: START_MS },
        ),
      ).toEqual({
        ok: true,
      });
      return parseEvolutionWebhook(parseJsonBody(r.rawBody), { receivedAtMs: START_MS });
    });
  }

  it('an inbound message carries the configured X-Sellify-Token and parses', async () => {
    const { id } = await sim.evolution.inbound({ from: USER, text: 'Vous êtes où ?', name: 'Awa' });
    expect(evolutionEvents()).toEqual([
      expect.objectContaining({
        kind: 'message',
        providerId: id,
        text: 'Vous êtes où ?',
        from: { phone: USER, waId: '2250701020304', name: 'Awa' },
      }),
    ]);
  });

  it('LID, legacy extendedTextMessage and fromMe variants parse', async () => {
    await sim.evolution.inbound({ from: USER, text: 'lid', lid: '123456789012345' });
    await sim.evolution.inbound({ from: USER, text: 'legacy', legacyExtendedText: true, quotedId: '3EB0Q' });
    await sim.evolution.inbound({ from: USER, text: 'moi', fromMe: true });
    await sim.evolution.inbound({ from: USER, text: 'groupe', group: '120363012345678901@g.us' });
    expect(evolutionEvents()).toMatchObject([
      { kind: 'message', text: 'lid', from: { phone: USER, lid: '123456789012345@lid' } },
      { kind: 'message', text: 'legacy', replyToProviderId: '3EB0Q' },
      { kind: 'message', text: 'moi', fromMe: true },
      { kind: 'ignored', reason: 'group_chat' },
    ]);
  });

  it("Evolution's jwt_key option (Bearer HS256 JWT) verifies", async () => {
    sim.evolution.setWebhook('sellify', { headers: { jwt_key: SECRET } });
    await sim.evolution.inbound({ from: USER, text: 'jwt' });
    const [request] = received('/evolution');
    expect(request?.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(evolutionEvents()).toMatchObject([{ kind: 'message', text: 'jwt' }]);
  });

  it('a send produces send.message then receipts sent → delivered → read', async () => {
    const client = createEvolutionClient(
      {
        baseUrl: sim.evolution.baseUrl,
        instance: 'sellify',
        apiKey: sim.evolution.apiKey,
        webhookSecret: SECRET,
      },
      { egress: { allowPrivate: true } },
    );
    const sent = await client.sendText({ to: USER, text: 'Oui' });
    await sim.clock.advance(5_000);
    const id = sent.ok ? sent.providerId : '';
    expect(evolutionEvents()).toMatchObject([
      { kind: 'ignored', reason: 'own_api_message' },
      { kind: 'status', providerId: id, status: 'sent', recipient: USER },
      { kind: 'status', providerId: id, status: 'delivered' },
      { kind: 'status', providerId: id, status: 'read' },
    ]);
  });

  it('connection updates become health events', async () => {
    await sim.evolution.setConnection('close', 428);
    await sim.evolution.setConnection('open');
    await sim.evolution.setConnection('close', 401);
    expect(evolutionEvents()).toMatchObject([
      { kind: 'health', event: 'disconnected' },
      { kind: 'health', event: 'connected' },
      { kind: 'health', event: 'logged_out' },
    ]);
  });
});

describe('waha webhooks', () => {
  function wahaEvents(): InboundEvent[] {
    return received('/waha').flatMap((r) => {
      expect(
        verifyWahaWebhook({ rawBody: r.rawBody, headers: receiver.headersOf(r) }, { hmacKey: HMAC }),
      ).toEqual({ ok: true });
      return parseWahaWebhook(parseJsonBody(r.rawBody));
    });
  }

  it('an inbound message comes as message and message.any, both signed, same id', async () => {
    const { id } = await sim.waha.inbound({ from: USER, text: 'Bonsoir', name: 'Awa' });
    expect(wahaEvents()).toEqual([
      expect.objectContaining({
        kind: 'message',
        providerId: id,
        text: 'Bonsoir',
        from: { phone: USER, waId: '2250701020304', name: 'Awa' },
      }),
      expect.objectContaining({ kind: 'message', providerId: id }),
    ]);
  });

  it('a send yields message.any (ignored) and acks sent → delivered → read', async () => {
    const client = createWahaClient(
      {
        baseUrl: sim.waha.baseUrl,
        session: 'default',
        apiKey: sim.waha.apiKey,
      },
      { egress: { allowPrivate: true } },
    );
    const sent = await client.sendText({ to: USER, text: 'Oui' });
    await sim.clock.advance(5_000);
    const id = sent.ok ? sent.providerId : '';
    expect(wahaEvents()).toMatchObject([
      { kind: 'ignored', reason: 'own_api_message' },
      { kind: 'status', providerId: id, status: 'sent', recipient: USER },
      { kind: 'status', providerId: id, status: 'delivered' },
      { kind: 'status', providerId: id, status: 'read' },
    ]);
  });

  it('pairing then a log-out: connected, then logged_out (QR after WORKING)', async () => {
    await sim.waha.setStatus('STOPPED');
    sim.waha.pair();
    await sim.clock.advance(3_000);
    await sim.waha.logout();
    expect(wahaEvents()).toMatchObject([
      { kind: 'health', event: 'disconnected' },
      { kind: 'ignored', reason: 'connection_progress' },
      { kind: 'ignored', reason: 'connection_progress' },
      { kind: 'ignored', reason: 'connection_progress' },
      { kind: 'health', event: 'connected' },
      { kind: 'health', event: 'logged_out' },
    ]);
  });
});
