import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebhookPayloadError } from '../types.ts';
import { parseWahaWebhook, verifyWahaWebhook } from './webhook.ts';

const KEY = 'waha-hmac-key';
const CHAT = '2250701020304@c.us';
const ME = '2250700000003@c.us';

function wahaEnvelope(event: string, payload: unknown): Record<string, unknown> {
  return {
    id: 'evt_01jz8v3q9m7k2c4x6b8n0p2r4t',
    timestamp: 1_764_250_000_123,
    event,
    session: 'default',
    metadata: { tenant: 'loja1' },
    me: { id: ME, pushName: 'Loja X', lid: '123456789012345@lid' },
    payload,
    engine: 'NOWEB',
    environment: { version: '2026.7.1', engine: 'NOWEB', tier: 'PLUS', browser: null },
  };
}

function message(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `false_${CHAT}_3EB0A1B2C3D4E5F6A7B8`,
    timestamp: 1764250000,
    from: CHAT,
    fromMe: false,
    source: 'app',
    to: ME,
    participant: null,
    body: 'Bonjour, vous livrez à Cocody ?',
    hasMedia: false,
    media: null,
    ack: 1,
    ackName: 'SERVER',
    replyTo: null,
    vCards: [],
    _data: { notifyName: 'Awa', type: 'chat' },
    ...extra,
  };
}

const ack = (ackValue: number, extra: Record<string, unknown> = {}) =>
  wahaEnvelope('message.ack', {
    id: `true_${CHAT}_3EB0OURS`,
    from: ME,
    to: CHAT,
    participant: null,
    fromMe: true,
    ack: ackValue,
    ...extra,
  });

const session = (status: string, history?: string[]) =>
  wahaEnvelope('session.status', {
    name: 'default',
    status,
    ...(history
      ? { statuses: history.map((s, i) => ({ status: s, timestamp: 1_764_250_000_000 + i })) }
      : {}),
  });

describe('verifyWahaWebhook', () => {
  const body = Buffer.from(JSON.stringify(wahaEnvelope('message', message())));
  const good = createHmac('sha512', KEY).update(body).digest('hex');
  const cases: {
    name: string;
    headers: Record<string, string>;
    secrets: { hmacKey?: string; webhookSecret?: string };
    want: unknown;
  }[] = [
    {
      name: 'accepts the HMAC-SHA512 hex of the raw body',
      headers: { 'x-webhook-hmac': good, 'x-webhook-hmac-algorithm': 'sha512' },
      secrets: { hmacKey: KEY },
      want: { ok: true },
    },
    {
      name: 'rejects an HMAC made with another key',
      headers: { 'x-webhook-hmac': createHmac('sha512', 'x').update(body).digest('hex') },
      secrets: { hmacKey: KEY },
      want: { ok: false, reason: 'bad_signature' },
    },
    {
      name: 'rejects a SHA-256 HMAC even when the algorithm header says so',
      headers: {
        'x-webhook-hmac': createHmac('sha256', KEY).update(body).digest('hex'),
        'x-webhook-hmac-algorithm': 'sha256',
      },
      secrets: { hmacKey: KEY },
      want: { ok: false, reason: 'bad_signature' },
    },
    {
      name: 'requires the HMAC header when a key is set (a token does not replace it)',
      headers: { 'x-sellify-token': 's' },
      secrets: { hmacKey: KEY, webhookSecret: 's' },
      want: { ok: false, reason: 'missing_signature' },
    },
    {
      name: 'without a key, accepts the X-Sellify-Token secret',
      headers: { 'x-sellify-token': 's' },
      secrets: { webhookSecret: 's' },
      want: { ok: true },
    },
    {
      name: 'without a key, rejects a wrong token',
      headers: { 'x-sellify-token': 't' },
      secrets: { webhookSecret: 's' },
      want: { ok: false, reason: 'bad_signature' },
    },
    {
      name: 'without a key, a missing token is missing_signature',
      headers: {},
      secrets: { webhookSecret: 's' },
      want: { ok: false, reason: 'missing_signature' },
    },
    {
      name: 'with neither secret nothing is accepted',
      headers: { 'x-webhook-hmac': good },
      secrets: {},
      want: { ok: false, reason: 'missing_secret' },
    },
  ];
  it.each(cases)('$name', ({ headers, secrets, want }) => {
    expect(verifyWahaWebhook({ rawBody: body, headers }, secrets)).toEqual(want);
  });
});

const cases: { name: string; payload: unknown; want: unknown[] }[] = [
  {
    name: 'incoming text: full serialized id, phone from @c.us, notifyName',
    payload: wahaEnvelope('message', message()),
    want: [
      {
        kind: 'message',
        providerId: `false_${CHAT}_3EB0A1B2C3D4E5F6A7B8`,
        account: 'default',
        from: { phone: '+2250701020304', waId: '2250701020304', name: 'Awa' },
        timestampMs: 1_764_250_000_000,
        type: 'text',
        text: 'Bonjour, vous livrez à Cocody ?',
      },
    ],
  },
  {
    name: 'a reply carries the quoted id',
    payload: wahaEnvelope(
      'message',
      message({ replyTo: { id: `true_${CHAT}_3EB0OURS`, body: 'x', hasMedia: false } }),
    ),
    want: [{ kind: 'message', replyToProviderId: `true_${CHAT}_3EB0OURS` }],
  },
  {
    name: 'image with caption (the caption is the body)',
    payload: wahaEnvelope(
      'message',
      message({
        body: 'ce modèle',
        hasMedia: true,
        media: { url: 'http://waha/files/x.jpg', mimetype: 'image/jpeg' },
        _data: { type: 'image' },
      }),
    ),
    want: [
      {
        kind: 'message',
        type: 'image',
        text: 'ce modèle',
        media: { url: 'http://waha/files/x.jpg', mimeType: 'image/jpeg', caption: 'ce modèle' },
      },
    ],
  },
  {
    name: 'voice note (ptt) with media not downloaded',
    payload: wahaEnvelope(
      'message',
      message({ body: '', hasMedia: true, media: null, _data: { type: 'ptt' } }),
    ),
    want: [{ kind: 'message', type: 'audio', media: { voice: true } }],
  },
  {
    name: 'document by mime type',
    payload: wahaEnvelope(
      'message',
      message({
        body: '',
        hasMedia: true,
        media: { mimetype: 'application/pdf', filename: 'bon.pdf' },
        _data: {},
      }),
    ),
    want: [{ kind: 'message', type: 'document', media: { filename: 'bon.pdf' } }],
  },
  {
    name: 'location',
    payload: wahaEnvelope(
      'message',
      message({ body: '', location: { latitude: '5.33', longitude: '-4.02', description: 'Boutique' } }),
    ),
    want: [
      {
        kind: 'message',
        type: 'location',
        text: 'Boutique',
        location: { latitude: 5.33, longitude: -4.02, name: 'Boutique' },
      },
    ],
  },
  {
    name: 'contact card from vCards',
    payload: wahaEnvelope(
      'message',
      message({
        body: '',
        vCards: [
          'BEGIN:VCARD\nVERSION:3.0\nFN:Moussa\nTEL;type=CELL;waid=221771234567:+221 77 123 45 67\nEND:VCARD',
        ],
      }),
    ),
    want: [
      {
        kind: 'message',
        type: 'contacts',
        contacts: [{ name: 'Moussa', phones: [{ waId: '221771234567', phone: '+221 77 123 45 67' }] }],
      },
    ],
  },
  {
    name: 'a LID sender keeps the LID (map it with /api/{session}/lids)',
    payload: wahaEnvelope('message', message({ from: '123456789012345@lid' })),
    want: [{ kind: 'message', from: { lid: '123456789012345@lid', name: 'Awa' } }],
  },
  {
    name: 'group messages are ignored',
    payload: wahaEnvelope('message', message({ from: '120363012345678901@g.us', participant: CHAT })),
    want: [{ kind: 'ignored', reason: 'group_chat' }],
  },
  {
    name: 'notification types are ignored',
    payload: wahaEnvelope('message', message({ body: '', _data: { type: 'e2e_notification' } })),
    want: [{ kind: 'ignored', reason: 'protocol_message' }],
  },
  {
    name: 'message.any: our own API send is ignored',
    payload: wahaEnvelope(
      'message.any',
      message({ id: `true_${CHAT}_X`, fromMe: true, source: 'api', from: ME, to: CHAT }),
    ),
    want: [{ kind: 'ignored', reason: 'own_api_message' }],
  },
  {
    name: 'message.any: a message typed on the seller phone is kept with fromMe, addressed to the customer',
    payload: wahaEnvelope(
      'message.any',
      message({ id: `true_${CHAT}_Y`, fromMe: true, source: 'app', from: ME, to: CHAT, body: 'je prends' }),
    ),
    want: [{ kind: 'message', fromMe: true, text: 'je prends', from: { phone: '+2250701020304' } }],
  },
  {
    name: 'message.any: an incoming message is parsed like message (deduped later on its id)',
    payload: wahaEnvelope('message.any', message()),
    want: [{ kind: 'message', providerId: `false_${CHAT}_3EB0A1B2C3D4E5F6A7B8` }],
  },
  {
    name: 'message.reaction',
    payload: wahaEnvelope(
      'message.reaction',
      message({ body: '', reaction: { text: '🙏', messageId: `true_${CHAT}_3EB0OURS` } }),
    ),
    want: [
      {
        kind: 'message',
        type: 'reaction',
        text: '🙏',
        reaction: { targetProviderId: `true_${CHAT}_3EB0OURS`, emoji: '🙏' },
      },
    ],
  },
  {
    name: 'ack 1 → sent (envelope ms time)',
    payload: ack(1),
    want: [
      {
        kind: 'status',
        providerId: `true_${CHAT}_3EB0OURS`,
        status: 'sent',
        timestampMs: 1_764_250_000_123,
        recipient: '+2250701020304',
      },
    ],
  },
  { name: 'ack 2 → delivered', payload: ack(2), want: [{ kind: 'status', status: 'delivered' }] },
  { name: 'ack 3 → read', payload: ack(3), want: [{ kind: 'status', status: 'read' }] },
  { name: 'ack 4 → played', payload: ack(4), want: [{ kind: 'status', status: 'played' }] },
  { name: 'ack -1 → failed', payload: ack(-1), want: [{ kind: 'status', status: 'failed' }] },
  {
    name: 'ack 0 (pending) is ignored',
    payload: ack(0),
    want: [{ kind: 'ignored', reason: 'pending_status' }],
  },
  {
    name: 'ackName alone is enough',
    payload: ack(Number.NaN, { ack: undefined, ackName: 'READ' }),
    want: [{ kind: 'status', status: 'read' }],
  },
  {
    name: 'acks of incoming messages are ignored',
    payload: ack(3, { fromMe: false }),
    want: [{ kind: 'ignored', reason: 'inbound_receipt' }],
  },
  {
    name: 'session WORKING → connected',
    payload: session('WORKING'),
    want: [{ kind: 'health', event: 'connected', account: 'default' }],
  },
  {
    name: 'session FAILED → disconnected',
    payload: session('FAILED'),
    want: [{ kind: 'health', event: 'disconnected' }],
  },
  {
    name: 'session STOPPED → disconnected',
    payload: session('STOPPED'),
    want: [{ kind: 'health', event: 'disconnected' }],
  },
  {
    name: 'SCAN_QR_CODE after WORKING → logged_out',
    payload: session('SCAN_QR_CODE', ['STARTING', 'WORKING', 'SCAN_QR_CODE']),
    want: [{ kind: 'health', event: 'logged_out' }],
  },
  {
    name: 'SCAN_QR_CODE during a first pairing is progress, ignored',
    payload: session('SCAN_QR_CODE', ['STOPPED', 'STARTING', 'SCAN_QR_CODE']),
    want: [{ kind: 'ignored', reason: 'connection_progress' }],
  },
  {
    name: 'SCAN_QR_CODE without history (older WAHA) is taken as logged_out',
    payload: session('SCAN_QR_CODE'),
    want: [{ kind: 'health', event: 'logged_out' }],
  },
  {
    name: 'STARTING is progress',
    payload: session('STARTING'),
    want: [{ kind: 'ignored', reason: 'connection_progress' }],
  },
  {
    name: 'unknown events are ignored',
    payload: wahaEnvelope('presence.update', {}),
    want: [{ kind: 'ignored', reason: 'unknown_event', detail: 'presence.update' }],
  },
  {
    name: 'an event without payload is a malformed item',
    payload: { event: 'message', session: 'default' },
    want: [{ kind: 'ignored', reason: 'malformed_item' }],
  },
];

describe('parseWahaWebhook', () => {
  it.each(cases)('$name', ({ payload, want }) => {
    const events = parseWahaWebhook(payload);
    expect(events).toHaveLength(want.length);
    expect(events).toMatchObject(want);
  });

  it.each([
    { name: 'a string', payload: 'x' },
    { name: 'an array', payload: [] },
    { name: 'an object without event', payload: { session: 'default', payload: {} } },
  ])('throws WebhookPayloadError for $name', ({ payload }) => {
    expect(() => parseWahaWebhook(payload)).toThrow(WebhookPayloadError);
  });
});
