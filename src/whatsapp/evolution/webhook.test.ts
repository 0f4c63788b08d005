import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CUSTOMER,
  connection,
  evolutionEnvelope,
  INSTANCE,
  receipt,
  upsert,
} from '../../../test/whatsapp/fixtures/evolution.ts';
import { WebhookPayloadError } from '../types.ts';
import { parseEvolutionWebhook, verifyEvolutionWebhook } from './webhook.ts';

const SECRET = 'chan-secret-42';
const NOW_MS = 1_764_250_000_000;

function jwt(secret: string, claims: Record<string, unknown>, alg = 'HS256'): string {
  const enc = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const unsigned = `${enc({ alg, typ: 'JWT' })}.${enc(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

describe('verifyEvolutionWebhook', () => {
  const body = Buffer.from(JSON.stringify(connection('open', 200)));
  const iat = Math.floor(NOW_MS / 1000);
  const cases: { name: string; headers: Record<string, string>; secret?: string; want: unknown }[] = [
    {
      name: 'accepts X-Sellify-Token equal to the channel secret',
      headers: { 'x-sellify-token': SECRET },
      want: { ok: true },
    },
    {
      name: 'rejects a wrong X-Sellify-Token even when a valid Bearer is also present',
      headers: { 'x-sellify-token': 'nope', authorization: `Bearer ${SECRET}` },
      want: { ok: false, reason: 'bad_signature' },
    },
    {
      name: 'accepts Authorization: Bearer <secret>',
      headers: { authorization: `Bearer ${SECRET}` },
      want: { ok: true },
    },
    {
      name: "accepts Evolution's jwt_key Bearer JWT signed with the secret",
      headers: {
        authorization: `Bearer ${jwt(SECRET, { app: 'evolution', action: 'webhook', iat, exp: iat + 600 })}`,
      },
      want: { ok: true },
    },
    {
      name: 'rejects an expired JWT',
      headers: {
        authorization: `Bearer ${jwt(SECRET, { app: 'evolution', iat: iat - 1200, exp: iat - 600 })}`,
      },
      want: { ok: false, reason: 'bad_signature' },
    },
    {
      name: 'rejects a JWT signed with another secret',
      headers: { authorization: `Bearer ${jwt('other', { exp: iat + 600 })}` },
      want: { ok: false, reason: 'bad_signature' },
    },
    {
      name: 'rejects a JWT whose header does not say HS256',
      headers: { authorization: `Bearer ${jwt(SECRET, { exp: iat + 600 }, 'none')}` },
      want: { ok: false, reason: 'bad_signature' },
    },
    {
      name: 'rejects a wrong Bearer',
      headers: { authorization: 'Bearer guess' },
      want: { ok: false, reason: 'bad_signature' },
    },
    {
      name: 'does not accept the apikey body field or an apikey header',
      headers: { apikey: SECRET },
      want: { ok: false, reason: 'missing_signature' },
    },
    {
      name: 'reports no credentials as missing_signature',
      headers: {},
      want: { ok: false, reason: 'missing_signature' },
    },
    {
      name: 'refuses everything when the channel has no secret',
      headers: { 'x-sellify-token': '' },
      secret: '',
      want: { ok: false, reason: 'missing_secret' },
    },
  ];
  it.each(cases)('$name', ({ headers, secret, want }) => {
    expect(
      verifyEvolutionWebhook(
        { rawBody: body, headers },
        { webhookSecret: secret ?? SECRET },
        { nowMs: NOW_MS },
      ),
    ).toEqual(want);
  });

  it('does not accept the body apikey even when it equals the secret', () => {
    const withKey = Buffer.from(JSON.stringify({ ...connection('open'), apikey: SECRET }));
    expect(verifyEvolutionWebhook({ rawBody: withKey, headers: {} }, { webhookSecret: SECRET })).toEqual({
      ok: false,
      reason: 'missing_signature',
    });
  });
});

const AT = { receivedAtMs: NOW_MS };

const cases: { name: string; payload: unknown; want: unknown[] }[] = [
  {
    name: 'conversation text (v2.2+): phone from the JID, pushName, seconds to ms',
    payload: upsert({ conversation: 'Bonjour, c’est combien le sac noir ?' }, 'conversation'),
    want: [
      {
        kind: 'message',
        providerId: '3EB0A1B2C3D4E5F6A7B8',
        account: INSTANCE,
        from: { phone: `+${CUSTOMER}`, waId: CUSTOMER, name: 'Awa Koné' },
        timestampMs: 1_764_250_000_000,
        type: 'text',
        text: 'Bonjour, c’est combien le sac noir ?',
      },
    ],
  },
  {
    name: 'legacy extendedTextMessage (v2.0/2.1) with a quoted reply in its contextInfo',
    payload: upsert(
      {
        extendedTextMessage: {
          text: 'Oui celui-là',
          contextInfo: { stanzaId: '3EB0QUOTED', isForwarded: true },
        },
      },
      'extendedTextMessage',
    ),
    want: [
      {
        kind: 'message',
        type: 'text',
        text: 'Oui celui-là',
        replyToProviderId: '3EB0QUOTED',
        forwarded: true,
      },
    ],
  },
  {
    name: 'the MESSAGES_UPSERT spelling is the same event',
    payload: { ...upsert({ conversation: 'salut' }, 'conversation'), event: 'MESSAGES_UPSERT' },
    want: [{ kind: 'message', text: 'salut' }],
  },
  {
    name: 'LID chat: the phone comes from remoteJidAlt, the LID is kept',
    payload: upsert({ conversation: 'hello' }, 'conversation', {
      remoteJid: '123456789012345@lid',
      remoteJidAlt: `${CUSTOMER}@s.whatsapp.net`,
      addressingMode: 'lid',
    }),
    want: [
      {
        kind: 'message',
        from: { phone: `+${CUSTOMER}`, waId: CUSTOMER, lid: '123456789012345@lid', name: 'Awa Koné' },
      },
    ],
  },
  {
    name: 'LID chat without remoteJidAlt: only the LID is known',
    payload: upsert({ conversation: 'hello' }, 'conversation', {
      remoteJid: '123456789012345@lid',
      addressingMode: 'lid',
    }),
    want: [{ kind: 'message', from: { lid: '123456789012345@lid', name: 'Awa Koné' } }],
  },
  {
    name: 'a message typed on the seller phone is kept with fromMe (and no customer name)',
    payload: {
      ...upsert({ conversation: 'je prends le relais' }, 'conversation', { fromMe: true }),
      pushName: 'Você',
    },
    want: [
      {
        kind: 'message',
        fromMe: true,
        text: 'je prends le relais',
        from: { phone: `+${CUSTOMER}`, waId: CUSTOMER },
      },
    ],
  },
  {
    name: 'group chats are ignored',
    payload: upsert({ conversation: 'hi all' }, 'conversation', { remoteJid: '120363012345678901@g.us' }),
    want: [{ kind: 'ignored', reason: 'group_chat' }],
  },
  {
    name: 'status@broadcast is ignored',
    payload: upsert({ conversation: 'story' }, 'conversation', { remoteJid: 'status@broadcast' }),
    want: [{ kind: 'ignored', reason: 'broadcast_chat' }],
  },
  {
    name: 'image with caption',
    payload: upsert(
      {
        imageMessage: {
          url: 'https://mmg/x',
          mimetype: 'image/jpeg',
          caption: 'ce modèle',
          fileSha256: 'sha=',
          fileLength: '1234',
        },
      },
      'imageMessage',
    ),
    want: [
      {
        kind: 'message',
        type: 'image',
        rawType: 'imageMessage',
        text: 'ce modèle',
        media: {
          url: 'https://mmg/x',
          mimeType: 'image/jpeg',
          caption: 'ce modèle',
          sha256: 'sha=',
          sizeBytes: 1234,
        },
      },
    ],
  },
  {
    name: 'voice note (audioMessage ptt)',
    payload: upsert({ audioMessage: { mimetype: 'audio/ogg; codecs=opus', ptt: true } }, 'audioMessage'),
    want: [{ kind: 'message', type: 'audio', media: { voice: true } }],
  },
  {
    name: 'document with file name; S3 mediaUrl preferred',
    payload: upsert(
      {
        documentMessage: { mimetype: 'application/pdf', fileName: 'bon.pdf', url: 'https://mmg/enc' },
        mediaUrl: 'https://s3/bon.pdf',
      },
      'documentMessage',
    ),
    want: [{ kind: 'message', type: 'document', media: { filename: 'bon.pdf', url: 'https://s3/bon.pdf' } }],
  },
  {
    name: 'video and sticker',
    payload: evolutionEnvelope('messages.upsert', [
      upsert({ videoMessage: { mimetype: 'video/mp4' } }, 'videoMessage').data as object,
      upsert({ stickerMessage: { mimetype: 'image/webp', isAnimated: true } }, 'stickerMessage', { id: 'S2' })
        .data as object,
    ]),
    want: [
      { kind: 'message', type: 'video' },
      { kind: 'message', type: 'sticker', media: { animated: true } },
    ],
  },
  {
    name: 'location',
    payload: upsert(
      { locationMessage: { degreesLatitude: 5.33, degreesLongitude: -4.02, name: 'Boutique' } },
      'locationMessage',
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
    name: 'contact card: phones read from the vCard',
    payload: upsert(
      {
        contactMessage: {
          displayName: 'Moussa',
          vcard:
            'BEGIN:VCARD\nVERSION:3.0\nFN:Moussa\nTEL;type=CELL;waid=221771234567:+221 77 123 45 67\nEND:VCARD',
        },
      },
      'contactMessage',
    ),
    want: [
      {
        kind: 'message',
        type: 'contacts',
        contacts: [{ name: 'Moussa', phones: [{ phone: '+221 77 123 45 67', waId: '221771234567' }] }],
      },
    ],
  },
  {
    name: 'reaction with an emoji',
    payload: upsert({ reactionMessage: { key: { id: '3EB0OURS' }, text: '👍' } }, 'reactionMessage'),
    want: [
      {
        kind: 'message',
        type: 'reaction',
        text: '👍',
        reaction: { targetProviderId: '3EB0OURS', emoji: '👍' },
      },
    ],
  },
  {
    name: 'reaction removed (empty text)',
    payload: upsert({ reactionMessage: { key: { id: '3EB0OURS' }, text: '' } }, 'reactionMessage'),
    want: [{ kind: 'message', type: 'reaction', reaction: { targetProviderId: '3EB0OURS' } }],
  },
  {
    name: 'reply button, list row and template button taps',
    payload: evolutionEnvelope('messages.upsert', [
      upsert(
        { buttonsResponseMessage: { selectedButtonId: 'buy', selectedDisplayText: 'Acheter' } },
        'buttonsResponseMessage',
      ).data,
      upsert(
        { listResponseMessage: { title: 'Taille 42', singleSelectReply: { selectedRowId: 'size_42' } } },
        'listResponseMessage',
      ).data,
      upsert(
        { templateButtonReplyMessage: { selectedId: 'CART_1', selectedDisplayText: 'Oui' } },
        'templateButtonReplyMessage',
      ).data,
    ]),
    want: [
      {
        kind: 'message',
        type: 'interactive',
        text: 'Acheter',
        choice: { kind: 'button_reply', id: 'buy', title: 'Acheter' },
      },
      {
        kind: 'message',
        type: 'interactive',
        text: 'Taille 42',
        choice: { kind: 'list_reply', id: 'size_42' },
      },
      { kind: 'message', type: 'button', text: 'Oui', choice: { kind: 'template_button', id: 'CART_1' } },
    ],
  },
  {
    name: 'an unknown Baileys content is kept as unknown with its raw type',
    payload: upsert({ pollCreationMessage: { name: 'poll' } }, 'pollCreationMessage'),
    want: [{ kind: 'message', type: 'unknown', rawType: 'pollCreationMessage' }],
  },
  {
    name: 'protocol messages are ignored',
    payload: upsert({ protocolMessage: { type: 0 } }, 'protocolMessage'),
    want: [{ kind: 'ignored', reason: 'protocol_message' }],
  },
  {
    name: 'receipts: SERVER_ACK → sent, DELIVERY_ACK → delivered, READ → read, PLAYED → played, ERROR → failed',
    payload: evolutionEnvelope(
      'messages.update',
      ['SERVER_ACK', 'DELIVERY_ACK', 'READ', 'PLAYED', 'ERROR'].map((status) => receipt(status).data),
    ),
    want: [
      {
        kind: 'status',
        providerId: '3EB0F00DBA11C0FFEE00',
        status: 'sent',
        recipient: `+${CUSTOMER}`,
        timestampMs: NOW_MS,
      },
      { kind: 'status', status: 'delivered' },
      { kind: 'status', status: 'read' },
      { kind: 'status', status: 'played' },
      { kind: 'status', status: 'failed' },
    ],
  },
  {
    name: 'numeric receipt codes of older builds (2 → sent, 4 → read)',
    payload: evolutionEnvelope('MESSAGES_UPDATE', [receipt(2).data, receipt(4).data]),
    want: [
      { kind: 'status', status: 'sent' },
      { kind: 'status', status: 'read' },
    ],
  },
  {
    name: 'PENDING receipts, receipts of inbound messages and unknown statuses are ignored',
    payload: evolutionEnvelope('messages.update', [
      receipt('PENDING').data,
      receipt('READ', { fromMe: false }).data,
      receipt('WEIRD').data,
    ]),
    want: [
      { kind: 'ignored', reason: 'pending_status' },
      { kind: 'ignored', reason: 'inbound_receipt' },
      { kind: 'ignored', reason: 'unknown_status' },
    ],
  },
  {
    name: 'send.message (our own API send) is ignored',
    payload: evolutionEnvelope('send.message', { key: { id: 'x', fromMe: true }, status: 'PENDING' }),
    want: [{ kind: 'ignored', reason: 'own_api_message' }],
  },
  {
    name: 'connection open → connected',
    payload: connection('open', 200),
    want: [{ kind: 'health', event: 'connected', account: INSTANCE }],
  },
  {
    name: 'connection close 401 → logged_out',
    payload: connection('close', 401),
    want: [{ kind: 'health', event: 'logged_out' }],
  },
  {
    name: 'connection refused (QR limit) → logged_out',
    payload: connection('refused'),
    want: [{ kind: 'health', event: 'logged_out' }],
  },
  {
    name: 'connection close 403 → account_restricted',
    payload: connection('close', 403),
    want: [{ kind: 'health', event: 'account_restricted' }],
  },
  {
    name: 'connection close 428 → disconnected',
    payload: connection('close', 428),
    want: [{ kind: 'health', event: 'disconnected' }],
  },
  {
    name: 'connection connecting is progress, ignored',
    payload: connection('connecting'),
    want: [{ kind: 'ignored', reason: 'connection_progress' }],
  },
  {
    name: 'CONNECTION_UPDATE spelling works',
    payload: { ...connection('close', 401), event: 'CONNECTION_UPDATE' },
    want: [{ kind: 'health', event: 'logged_out' }],
  },
  {
    name: 'logout.instance → logged_out',
    payload: evolutionEnvelope('logout.instance', {}),
    want: [{ kind: 'health', event: 'logged_out' }],
  },
  {
    name: 'unknown events are ignored with their name',
    payload: evolutionEnvelope('chats.upsert', []),
    want: [{ kind: 'ignored', reason: 'unknown_event', detail: 'chats.upsert' }],
  },
  {
    name: 'an upsert without a key is a malformed item, not an exception',
    payload: evolutionEnvelope('messages.upsert', { message: {} }),
    want: [{ kind: 'ignored', reason: 'malformed_item' }],
  },
];

describe('parseEvolutionWebhook', () => {
  it.each(cases)('$name', ({ payload, want }) => {
    const events = parseEvolutionWebhook(payload, AT);
    expect(events).toHaveLength(want.length);
    expect(events).toMatchObject(want);
  });

  it.each([
    { name: 'a JSON array', payload: [] },
    { name: 'null', payload: null },
    { name: 'an object without event', payload: { instance: 'x', data: {} } },
  ])('throws WebhookPayloadError for $name', ({ payload }) => {
    expect(() => parseEvolutionWebhook(payload)).toThrow(WebhookPayloadError);
  });
});
