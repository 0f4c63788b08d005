import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accountUpdate,
  envelope,
  inbound,
  PHONE_NUMBER_ID,
  QUALITY_UPDATE_EXAMPLE,
  qualityUpdate,
  STATUS_DELIVERED_EXAMPLE,
  STATUS_FAILED_EXAMPLE,
  statuses,
  TEXT_EXAMPLE,
  TEXT_EXAMPLE_RAW,
  USER,
  WABA_ID,
} from '../../../test/whatsapp/fixtures/cloud.ts';
import { parseJsonBody } from '../shared/json.ts';
import { type InboundEvent, WebhookPayloadError } from '../types.ts';
import {
  parseCloudWebhook,
  routeCloudWebhook,
  verifyCloudSubscription,
  verifyCloudWebhook,
} from './webhook.ts';

const SECRET = 'app-secret-123';

function sign(raw: Buffer | string, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

describe('verifyCloudWebhook', () => {
  const raw = Buffer.from(TEXT_EXAMPLE_RAW, 'utf8');
  const cases: {
    name: string;
    body: Buffer;
    headers: Record<string, string>;
    secret: string;
    want: ReturnType<typeof verifyCloudWebhook>;
  }[] = [
    {
      name: 'accepts the HMAC-SHA256 of the raw bytes keyed with the app secret',
      body: raw,
      headers: { 'x-hub-signature-256': sign(raw) },
      secret: SECRET,
      want: { ok: true },
    },
    {
      name: 'finds the header whatever its case',
      body: raw,
      headers: { 'X-Hub-Signature-256': sign(raw) },
      secret: SECRET,
      want: { ok: true },
    },
    {
      name: 'rejects a signature made with another secret',
      body: raw,
      headers: { 'x-hub-signature-256': sign(raw, 'other') },
      secret: SECRET,
      want: { ok: false, reason: 'bad_signature' },
    },
    {
      name: 'rejects a signature without the sha256= prefix',
      body: raw,
      headers: { 'x-hub-signature-256': sign(raw).slice('sha256='.length) },
      secret: SECRET,
      want: { ok: false, reason: 'bad_signature' },
    },
    {
      name: 'rejects a body re-serialized from the parsed JSON (\\u00ea became UTF-8 ê)',
      body: Buffer.from(JSON.stringify(JSON.parse(TEXT_EXAMPLE_RAW)), 'utf8'),
      headers: { 'x-hub-signature-256': sign(raw) },
      secret: SECRET,
      want: { ok: false, reason: 'bad_signature' },
    },
    {
      name: 'reports a missing header as missing_signature',
      body: raw,
      headers: { 'x-hub-signature': 'sha1=abc' },
      secret: SECRET,
      want: { ok: false, reason: 'missing_signature' },
    },
    {
      name: 'refuses everything when the channel has no app secret',
      body: raw,
      headers: { 'x-hub-signature-256': sign(raw, '') },
      secret: '',
      want: { ok: false, reason: 'missing_secret' },
    },
  ];
  it.each(cases)('$name', ({ body, headers, secret, want }) => {
    expect(verifyCloudWebhook({ rawBody: body, headers }, { appSecret: secret })).toEqual(want);
  });

  it('the escaped wire bytes and the re-serialized JSON really differ (the trap the test above guards)', () => {
    expect(TEXT_EXAMPLE_RAW).toContain('t\\u00eanis');
    expect(JSON.stringify(JSON.parse(TEXT_EXAMPLE_RAW))).toContain('tênis');
  });

  it('accepts exactly the correctly signed raw bytes (random bodies, single bit flips rejected)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.nat(),
        fc.boolean(),
        (bytes, secret, flipAt, flipSignature) => {
          const body = Buffer.from(bytes);
          const signature = sign(body, secret);
          const headers = { 'x-hub-signature-256': signature };
          if (!verifyCloudWebhook({ rawBody: body, headers }, { appSecret: secret }).ok) return false;
          if (flipSignature) {
            const sig = Buffer.from(signature, 'latin1');
            const bit = flipAt % (sig.length * 8);
            sig[bit >> 3]! ^= 1 << (bit & 7);
            const flipped = { 'x-hub-signature-256': sig.toString('latin1') };
            return !verifyCloudWebhook({ rawBody: body, headers: flipped }, { appSecret: secret }).ok;
          }
          const flippedBody = Buffer.from(body);
          const bit = flipAt % (flippedBody.length * 8);
          flippedBody[bit >> 3]! ^= 1 << (bit & 7);
          return !verifyCloudWebhook({ rawBody: flippedBody, headers }, { appSecret: secret }).ok;
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('verifyCloudSubscription', () => {
  const cases = [
    {
      name: 'returns the challenge for mode=subscribe and the right token',
      query: { 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': 'tok' },
      want: '1158201444',
    },
    {
      name: 'refuses a wrong token',
      query: { 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': 'tik' },
      want: null,
    },
    {
      name: 'refuses another mode',
      query: { 'hub.mode': 'unsubscribe', 'hub.challenge': '1', 'hub.verify_token': 'tok' },
      want: null,
    },
    {
      name: 'refuses a query without a challenge',
      query: { 'hub.mode': 'subscribe', 'hub.verify_token': 'tok' },
      want: null,
    },
  ];
  it.each(cases)('$name', ({ query, want }) => {
    expect(verifyCloudSubscription(query, 'tok')).toBe(want);
  });

  it('refuses everything when no verify token is configured', () => {
    expect(
      verifyCloudSubscription({ 'hub.mode': 'subscribe', 'hub.challenge': '1', 'hub.verify_token': '' }, ''),
    ).toBeNull();
  });
});

describe('routeCloudWebhook', () => {
  it('lists the phone number ids, WABA ids and display numbers of every entry and change', () => {
    const two = {
      object: 'whatsapp_business_account',
      entry: [
        ...(TEXT_EXAMPLE.entry as unknown[]),
        {
          id: 'waba-2',
          changes: [
            {
              field: 'messages',
              value: {
                metadata: { phone_number_id: 'pn-2', display_phone_number: '2250700000009' },
                statuses: [],
              },
            },
          ],
        },
      ],
    };
    expect(routeCloudWebhook(two)).toEqual({
      phoneNumberIds: ['106540352242922', 'pn-2'],
      wabaIds: ['102290129340398', 'waba-2'],
      displayPhoneNumbers: ['15550783881', '2250700000009'],
      changeCount: 2,
    });
  });

  it('routes account-level webhooks by WABA and display number (they carry no phone_number_id)', () => {
    expect(routeCloudWebhook(QUALITY_UPDATE_EXAMPLE)).toEqual({
      phoneNumberIds: [],
      wabaIds: [WABA_ID],
      displayPhoneNumbers: ['15550783881'],
      changeCount: 1,
    });
  });
});

const message = (m: Partial<Extract<InboundEvent, { kind: 'message' }>>) => ({ kind: 'message', ...m });

const parseCases: { name: string; payload: unknown; want: unknown[] }[] = [
  {
    name: 'text: body, sender phone in E.164, wa_id, name, seconds to ms',
    payload: TEXT_EXAMPLE,
    want: [
      {
        kind: 'message',
        providerId: 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFDNBQjc4QzkwMTIzNDU2Nzg5MEFCAA==',
        account: PHONE_NUMBER_ID,
        from: { phone: '+5511987654321', waId: '5511987654321', name: 'Ana Souza' },
        timestampMs: 1_764_250_000_000,
        type: 'text',
        text: 'Oi, ainda tem o tênis 42?',
      },
    ],
  },
  {
    name: 'image with caption: media id, mime type, sha256, caption as text',
    payload: inbound({
      id: 'wamid.img',
      type: 'image',
      image: { id: '1479537139650973', mime_type: 'image/jpeg', sha256: 'abc=', caption: 'Ce modèle ?' },
    }),
    want: [
      message({
        providerId: 'wamid.img',
        type: 'image',
        text: 'Ce modèle ?',
        media: { id: '1479537139650973', mimeType: 'image/jpeg', sha256: 'abc=', caption: 'Ce modèle ?' },
      }),
    ],
  },
  {
    name: 'audio voice note: voice flag, no text',
    payload: inbound({
      id: 'wamid.aud',
      type: 'audio',
      audio: { id: 'm-aud', mime_type: 'audio/ogg; codecs=opus', sha256: 's', voice: true },
    }),
    want: [
      message({
        type: 'audio',
        media: { id: 'm-aud', mimeType: 'audio/ogg; codecs=opus', sha256: 's', voice: true },
      }),
    ],
  },
  {
    name: 'video with caption',
    payload: inbound({
      id: 'wamid.vid',
      type: 'video',
      video: { id: 'm-vid', mime_type: 'video/mp4', sha256: 's', caption: 'regarde' },
    }),
    want: [
      message({
        type: 'video',
        text: 'regarde',
        media: { id: 'm-vid', mimeType: 'video/mp4', sha256: 's', caption: 'regarde' },
      }),
    ],
  },
  {
    name: 'document: filename and caption',
    payload: inbound({
      id: 'wamid.doc',
      type: 'document',
      document: {
        id: 'm-doc',
        mime_type: 'application/pdf',
        sha256: 's',
        filename: 'bon.pdf',
        caption: 'mon bon',
      },
    }),
    want: [
      message({
        type: 'document',
        text: 'mon bon',
        media: { id: 'm-doc', filename: 'bon.pdf', caption: 'mon bon' },
      }),
    ],
  },
  {
    name: 'sticker: animated flag',
    payload: inbound({
      id: 'wamid.stk',
      type: 'sticker',
      sticker: { id: 'm-stk', mime_type: 'image/webp', sha256: 's', animated: false },
    }),
    want: [
      message({
        type: 'sticker',
        media: { id: 'm-stk', mimeType: 'image/webp', sha256: 's', animated: false },
      }),
    ],
  },
  {
    name: 'location: coordinates, name and address (the name and address as text)',
    payload: inbound({
      id: 'wamid.loc',
      type: 'location',
      location: { latitude: 5.3364, longitude: -4.0267, name: 'Boutique', address: 'Plateau, Abidjan' },
    }),
    want: [
      message({
        type: 'location',
        text: 'Boutique, Plateau, Abidjan',
        location: { latitude: 5.3364, longitude: -4.0267, name: 'Boutique', address: 'Plateau, Abidjan' },
      }),
    ],
  },
  {
    name: 'contacts: formatted name and phones with wa_id',
    payload: inbound({
      id: 'wamid.ctc',
      type: 'contacts',
      contacts: [
        {
          name: { formatted_name: 'Moussa Diallo', first_name: 'Moussa' },
          phones: [{ phone: '+221 77 123 45 67', wa_id: '221771234567', type: 'CELL' }],
        },
      ],
    }),
    want: [
      message({
        type: 'contacts',
        contacts: [
          {
            name: 'Moussa Diallo',
            phones: [{ phone: '+221 77 123 45 67', waId: '221771234567', type: 'CELL' }],
          },
        ],
      }),
    ],
  },
  {
    name: 'interactive button_reply: the title is the text, context.id the message tapped',
    payload: inbound({
      context: { from: '15550783881', id: 'wamid.ours' },
      id: 'wamid.btn',
      type: 'interactive',
      interactive: { type: 'button_reply', button_reply: { id: 'buy-now', title: 'Comprar' } },
    }),
    want: [
      message({
        type: 'interactive',
        text: 'Comprar',
        replyToProviderId: 'wamid.ours',
        choice: { kind: 'button_reply', id: 'buy-now', title: 'Comprar' },
      }),
    ],
  },
  {
    name: 'interactive list_reply: id, title and description',
    payload: inbound({
      id: 'wamid.list',
      type: 'interactive',
      interactive: {
        type: 'list_reply',
        list_reply: { id: 'size_42', title: 'Tamanho 42', description: 'Pronta entrega' },
      },
    }),
    want: [
      message({
        type: 'interactive',
        text: 'Tamanho 42',
        choice: { kind: 'list_reply', id: 'size_42', title: 'Tamanho 42', description: 'Pronta entrega' },
      }),
    ],
  },
  {
    name: 'interactive nfm_reply (Flows): the response JSON is kept',
    payload: inbound({
      id: 'wamid.flow',
      type: 'interactive',
      interactive: {
        type: 'nfm_reply',
        nfm_reply: { name: 'flow', body: 'Sent', response_json: '{"size":"42"}' },
      },
    }),
    want: [
      message({
        type: 'interactive',
        choice: { kind: 'flow_reply', id: 'flow', title: 'Sent', responseJson: '{"size":"42"}' },
      }),
    ],
  },
  {
    name: 'template quick-reply button: payload as id, text as text',
    payload: inbound({
      context: { from: '15550783881', id: 'wamid.template' },
      id: 'wamid.tbtn',
      type: 'button',
      button: { payload: 'CART_123', text: 'Oui, je veux' },
    }),
    want: [
      message({
        type: 'button',
        text: 'Oui, je veux',
        replyToProviderId: 'wamid.template',
        choice: { kind: 'template_button', id: 'CART_123', title: 'Oui, je veux' },
      }),
    ],
  },
  {
    name: 'reaction with an emoji: the emoji is the text',
    payload: inbound({
      id: 'wamid.re',
      type: 'reaction',
      reaction: { message_id: 'wamid.ours', emoji: '❤️' },
    }),
    want: [
      message({ type: 'reaction', text: '❤️', reaction: { targetProviderId: 'wamid.ours', emoji: '❤️' } }),
    ],
  },
  {
    name: 'reaction removed: no emoji, no text',
    payload: inbound({ id: 'wamid.unre', type: 'reaction', reaction: { message_id: 'wamid.ours' } }),
    want: [message({ type: 'reaction', reaction: { targetProviderId: 'wamid.ours' } })],
  },
  {
    name: 'order: catalogue, note and items with prices',
    payload: inbound({
      id: 'wamid.ord',
      type: 'order',
      order: {
        catalog_id: 'cat-1',
        text: 'Livraison demain',
        product_items: [{ product_retailer_id: 'sac-noir', quantity: 2, item_price: 15000, currency: 'XOF' }],
      },
    }),
    want: [
      message({
        type: 'order',
        text: 'Livraison demain',
        order: {
          catalogId: 'cat-1',
          text: 'Livraison demain',
          items: [{ productRetailerId: 'sac-noir', quantity: 2, itemPrice: 15000, currency: 'XOF' }],
        },
      }),
    ],
  },
  {
    name: 'system user_changed_number: new wa_id',
    payload: inbound({
      id: 'wamid.sys',
      type: 'system',
      system: { body: 'User A changed from 1 to 2', type: 'user_changed_number', wa_id: '2250709999999' },
    }),
    want: [
      message({
        type: 'system',
        system: { type: 'user_changed_number', body: 'User A changed from 1 to 2', newWaId: '2250709999999' },
      }),
    ],
  },
  {
    name: 'request_welcome becomes a system message',
    payload: inbound({ id: 'wamid.welcome', type: 'request_welcome' }),
    want: [message({ type: 'system', rawType: 'request_welcome', system: { type: 'request_welcome' } })],
  },
  {
    name: 'unsupported with errors[]: the 131051 error is kept',
    payload: inbound({
      id: 'wamid.uns',
      type: 'unsupported',
      errors: [
        {
          code: 131051,
          title: 'Message type unknown',
          message: 'Message type unknown',
          error_data: { details: 'not supported' },
        },
      ],
    }),
    want: [
      message({
        type: 'unsupported',
        errors: [{ code: 131051, title: 'Message type unknown', detail: 'not supported' }],
      }),
    ],
  },
  {
    name: 'a message type Meta adds later is kept as unknown with its raw type',
    payload: inbound({ id: 'wamid.new', type: 'hologram', hologram: { id: 'x' } }),
    want: [message({ providerId: 'wamid.new', type: 'unknown', rawType: 'hologram' })],
  },
  {
    name: 'referral (click-to-WhatsApp ad) and forwarded flag',
    payload: inbound({
      id: 'wamid.ref',
      type: 'text',
      text: { body: 'Bonjour' },
      context: { forwarded: true },
      referral: {
        source_url: 'https://fb.me/x',
        source_id: 'ad-1',
        source_type: 'ad',
        headline: 'Sacs',
        body: 'Promo',
        media_type: 'image',
        image_url: 'https://x/y.jpg',
        ctwa_clid: 'clid',
        welcome_message: { text: 'Bienvenue' },
      },
    }),
    want: [
      message({
        forwarded: true,
        referral: {
          sourceUrl: 'https://fb.me/x',
          sourceId: 'ad-1',
          sourceType: 'ad',
          headline: 'Sacs',
          body: 'Promo',
          mediaType: 'image',
          ctwaClid: 'clid',
          welcomeText: 'Bienvenue',
        },
      }),
    ],
  },
  {
    name: 'product inquiry: referred_product in context',
    payload: inbound({
      id: 'wamid.prod',
      type: 'text',
      text: { body: 'Dispo ?' },
      context: {
        from: '15550783881',
        id: 'wamid.catalog',
        referred_product: { catalog_id: 'cat-1', product_retailer_id: 'sac-noir' },
      },
    }),
    want: [message({ referredProduct: { catalogId: 'cat-1', productRetailerId: 'sac-noir' } })],
  },
  {
    name: 'BSUID user with a phone: from_user_id and user_id kept beside the phone',
    payload: inbound(
      { id: 'wamid.bsuid', type: 'text', text: { body: 'Salut' }, from_user_id: 'CI.1502576394655843' },
      { profile: { name: 'Awa' }, wa_id: USER, user_id: 'CI.1502576394655843' },
    ),
    want: [message({ from: { phone: `+${USER}`, waId: USER, bsuid: 'CI.1502576394655843', name: 'Awa' } })],
  },
  {
    name: 'username user: no from, no wa_id — the BSUID and username identify them',
    payload: envelope([
      {
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: { phone_number_id: PHONE_NUMBER_ID },
          contacts: [{ profile: { name: 'Awa', username: 'awa.k' }, user_id: 'CI.99' }],
          messages: [
            {
              from_user_id: 'CI.99',
              id: 'wamid.user',
              timestamp: '1764250000',
              type: 'text',
              text: { body: 'Yo' },
            },
          ],
        },
      },
    ]),
    want: [
      {
        kind: 'message',
        providerId: 'wamid.user',
        from: { bsuid: 'CI.99', name: 'Awa', username: 'awa.k' },
        text: 'Yo',
      },
    ],
  },
  {
    name: 'status delivered with pricing (reference example)',
    payload: STATUS_DELIVERED_EXAMPLE,
    want: [
      {
        kind: 'status',
        providerId: 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjlBMUYyQjNDNEQ1RTZGN0E4OQA=',
        account: PHONE_NUMBER_ID,
        status: 'delivered',
        timestampMs: 1_764_250_205_000,
        recipient: '+5511987654321',
        pricing: { type: 'free_customer_service', category: 'service', model: 'PMP', billable: false },
      },
    ],
  },
  {
    name: 'status failed carries its first error (reference example)',
    payload: STATUS_FAILED_EXAMPLE,
    want: [
      {
        kind: 'status',
        status: 'failed',
        error: { code: 131026, title: 'Message undeliverable', detail: 'Message Undeliverable.' },
      },
    ],
  },
  {
    name: 'read and played statuses; an unknown status string is ignored',
    payload: statuses([
      { id: 'w1', status: 'read', timestamp: '1', recipient_id: USER },
      { id: 'w2', status: 'played', timestamp: '2', recipient_id: USER },
      { id: 'w3', status: 'deleted', timestamp: '3', recipient_id: USER },
    ]),
    want: [
      { kind: 'status', providerId: 'w1', status: 'read' },
      { kind: 'status', providerId: 'w2', status: 'played' },
      { kind: 'ignored', reason: 'unknown_status' },
    ],
  },
  {
    name: 'quality FLAGGED and DOWNGRADE are quality_low',
    payload: {
      ...qualityUpdate('FLAGGED'),
      entry: [
        ...(qualityUpdate('FLAGGED').entry as unknown[]),
        ...(qualityUpdate('DOWNGRADE').entry as unknown[]),
      ],
    },
    want: [
      { kind: 'health', event: 'quality_low', detail: 'FLAGGED TIER_2K', timestampMs: 1_764_250_000_000 },
      { kind: 'health', event: 'quality_low', detail: 'DOWNGRADE TIER_2K' },
    ],
  },
  {
    name: 'quality UPGRADE, UNFLAGGED and THROUGHPUT_UPGRADE are quality_ok',
    payload: {
      object: 'whatsapp_business_account',
      entry: [
        ...(qualityUpdate('UPGRADE').entry as unknown[]),
        ...(qualityUpdate('UNFLAGGED').entry as unknown[]),
        ...(QUALITY_UPDATE_EXAMPLE.entry as unknown[]),
      ],
    },
    want: [
      { kind: 'health', event: 'quality_ok' },
      { kind: 'health', event: 'quality_ok' },
      { kind: 'health', event: 'quality_ok', detail: 'THROUGHPUT_UPGRADE TIER_UNLIMITED' },
    ],
  },
  {
    name: 'quality ONBOARDING is informational',
    payload: qualityUpdate('ONBOARDING'),
    want: [{ kind: 'ignored', reason: 'informational' }],
  },
  {
    name: 'account_update ACCOUNT_RESTRICTION is account_restricted until the restriction expires',
    payload: accountUpdate({
      event: 'ACCOUNT_RESTRICTION',
      restriction_info: [{ restriction_type: 'RESTRICTED_BIZ_INITIATED_MESSAGING', expiration: 1764336400 }],
    }),
    want: [{ kind: 'health', event: 'account_restricted', untilMs: 1_764_336_400_000 }],
  },
  {
    name: 'account_update DISABLED_UPDATE with DISABLE is account_restricted; REINSTATE is connected',
    payload: {
      object: 'whatsapp_business_account',
      entry: [
        ...(accountUpdate({ event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: 'DISABLE' } })
          .entry as unknown[]),
        ...(accountUpdate({ event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: 'REINSTATE' } })
          .entry as unknown[]),
      ],
    },
    want: [
      { kind: 'health', event: 'account_restricted', detail: 'DISABLED_UPDATE DISABLE' },
      { kind: 'health', event: 'connected' },
    ],
  },
  {
    name: 'account_update VERIFIED_ACCOUNT is informational',
    payload: accountUpdate({ event: 'VERIFIED_ACCOUNT' }),
    want: [{ kind: 'ignored', reason: 'informational' }],
  },
  {
    name: 'unknown fields are ignored with their name',
    payload: envelope([
      { field: 'message_template_status_update', value: { event: 'APPROVED' } },
      { field: 'user_preferences', value: {} },
    ]),
    want: [
      { kind: 'ignored', reason: 'unknown_field', detail: 'message_template_status_update' },
      { kind: 'ignored', reason: 'unknown_field', detail: 'user_preferences' },
    ],
  },
  {
    name: 'out-of-band value.errors are reported as ignored provider_errors',
    payload: envelope([
      {
        field: 'messages',
        value: { metadata: {}, errors: [{ code: 131000, title: 'Something went wrong' }] },
      },
    ]),
    want: [{ kind: 'ignored', reason: 'provider_errors', detail: '131000 Something went wrong' }],
  },
  {
    name: 'batches: every entry, change and array element becomes an event, in order',
    payload: {
      object: 'whatsapp_business_account',
      entry: [
        ...(inbound({ id: 'wamid.a', type: 'text', text: { body: 'a' } }).entry as unknown[]),
        {
          id: WABA_ID,
          changes: [
            {
              field: 'messages',
              value: {
                metadata: { phone_number_id: 'pn-2' },
                contacts: [
                  { profile: { name: 'B' }, wa_id: '2250711111111' },
                  { profile: { name: 'C' }, wa_id: '2250722222222' },
                ],
                messages: [
                  { from: '2250722222222', id: 'wamid.c', timestamp: '5', type: 'text', text: { body: 'c' } },
                  { from: '2250711111111', id: 'wamid.b', timestamp: '4', type: 'text', text: { body: 'b' } },
                ],
              },
            },
            {
              field: 'messages',
              value: {
                metadata: { phone_number_id: 'pn-2' },
                statuses: [{ id: 'w', status: 'sent', timestamp: '6' }],
              },
            },
          ],
        },
      ],
    },
    want: [
      message({ providerId: 'wamid.a', text: 'a', account: PHONE_NUMBER_ID }),
      message({
        providerId: 'wamid.c',
        text: 'c',
        account: 'pn-2',
        from: { phone: '+2250722222222', waId: '2250722222222', name: 'C' },
      }),
      message({
        providerId: 'wamid.b',
        text: 'b',
        account: 'pn-2',
        from: { phone: '+2250711111111', waId: '2250711111111', name: 'B' },
      }),
      { kind: 'status', providerId: 'w', status: 'sent', account: 'pn-2' },
    ],
  },
  {
    name: 'malformed items inside a valid envelope are ignored, not thrown',
    payload: {
      object: 'whatsapp_business_account',
      entry: [
        'oops',
        {
          id: 'x',
          changes: [{ field: 'messages' }, { field: 'messages', value: { messages: [{ type: 'text' }] } }],
        },
      ],
    },
    want: [
      { kind: 'ignored', reason: 'malformed_item' },
      { kind: 'ignored', reason: 'malformed_item' },
      { kind: 'ignored', reason: 'malformed_item' },
    ],
  },
];

describe('parseCloudWebhook', () => {
  it.each(parseCases)('$name', ({ payload, want }) => {
    const events = parseCloudWebhook(payload);
    expect(events).toHaveLength(want.length);
    expect(events).toMatchObject(want);
  });

  it('parses a coexistence echo (smb_message_echoes) as a message from the customer chat with fromMe', () => {
    const payload = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'WABA1',
          changes: [
            {
              field: 'smb_message_echoes',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '2250700000001', phone_number_id: '106540352242922' },
                message_echoes: [
                  {
                    from: '2250700000001',
                    to: '2250701020304',
                    id: 'wamid.ECHO1',
                    timestamp: '1764238500',
                    type: 'text',
                    text: { body: 'Je vous le garde' },
                  },
                  { from: '2250700000001', id: 'wamid.NOTO', type: 'text', text: { body: 'x' } },
                ],
              },
            },
          ],
        },
      ],
    };
    expect(parseCloudWebhook(payload)).toMatchObject([
      {
        kind: 'message',
        providerId: 'wamid.ECHO1',
        account: '106540352242922',
        from: { phone: '+2250701020304' },
        timestampMs: 1_764_238_500_000,
        text: 'Je vous le garde',
        fromMe: true,
      },
      { kind: 'ignored', reason: 'malformed_item' },
    ]);
  });

  it('parses the escaped wire bytes to the same text as the original', () => {
    const [event] = parseCloudWebhook(parseJsonBody(Buffer.from(TEXT_EXAMPLE_RAW)));
    expect(event).toMatchObject({ kind: 'message', text: 'Oi, ainda tem o tênis 42?' });
  });

  const malformed = [
    { name: 'a JSON array', payload: [] },
    { name: 'a string', payload: 'hello' },
    { name: 'null', payload: null },
    { name: 'an object without entry', payload: { object: 'whatsapp_business_account' } },
    { name: 'an entry that is not an array', payload: { object: 'whatsapp_business_account', entry: {} } },
  ];
  it.each(malformed)('throws WebhookPayloadError for $name', ({ payload }) => {
    expect(() => parseCloudWebhook(payload)).toThrow(WebhookPayloadError);
    expect(() => routeCloudWebhook(payload)).toThrow(WebhookPayloadError);
  });

  it('parseJsonBody throws WebhookPayloadError for bytes that are not JSON', () => {
    expect(() => parseJsonBody(Buffer.from('{"entry": ['))).toThrow(WebhookPayloadError);
  });
});
