/**
 * WAHA webhooks: `X-Webhook-Hmac` (HMAC-SHA512 of the raw body, hex) when a key is configured,
 * and the envelope `{ id, timestamp, event, session, me, payload, … }` with whatsapp-web.js style
 * messages ('false_<chat>@c.us_<id>' ids).
 */
import type { HealthEventType } from '../../domain/types.ts';
import { jidKind, senderFromJid } from '../shared/ids.ts';
import { arr, bool, compact, isObject, type JsonObject, num, obj, secondsToMs, str } from '../shared/json.ts';
import { headerValue, hmacHex, safeEqual, TOKEN_HEADER } from '../shared/secrets.ts';
import { vcardName, vcardPhones } from '../shared/vcard.ts';
import {
  type DeliveryStatus,
  type InboundEvent,
  type InboundMessageEvent,
  type InboundMessageType,
  type ParseOptions,
  type VerifyResult,
  WebhookPayloadError,
  type WebhookRequest,
} from '../types.ts';

export const WAHA_HMAC_HEADER = 'x-webhook-hmac';

/**
 * With `hmacKey`: `X-Webhook-Hmac` must be the lowercase hex HMAC-SHA512 of the raw body (and
 * `X-Webhook-Hmac-Algorithm`, when sent, 'sha512'). Without it, for WAHA builds that cannot sign:
 * `X-Sellify-Token` must equal `webhookSecret`. With neither secret, nothing is accepted.
 */
export function verifyWahaWebhook(
  req: WebhookRequest,
  secrets: { hmacKey?: string | undefined; webhookSecret?: string | undefined },
): VerifyResult {
  if (secrets.hmacKey) {
    const signature = headerValue(req.headers, WAHA_HMAC_HEADER);
    if (signature === undefined) return { ok: false, reason: 'missing_signature' };
    const algorithm = headerValue(req.headers, 'x-webhook-hmac-algorithm');
    if (algorithm !== undefined && algorithm.toLowerCase() !== 'sha512')
      return { ok: false, reason: 'bad_signature' };
    const expected = hmacHex('sha512', secrets.hmacKey, req.rawBody);
    return safeEqual(signature.trim(), expected) ? { ok: true } : { ok: false, reason: 'bad_signature' };
  }
  if (secrets.webhookSecret) {
    const token = headerValue(req.headers, TOKEN_HEADER);
    if (token === undefined) return { ok: false, reason: 'missing_signature' };
    return safeEqual(token, secrets.webhookSecret) ? { ok: true } : { ok: false, reason: 'bad_signature' };
  }
  return { ok: false, reason: 'missing_secret' };
}

/** WAHA serializes ids as strings; some engines send `{ _serialized }` objects. */
function idOf(value: unknown, key: string): string | undefined {
  if (!isObject(value)) return undefined;
  const v = value[key];
  if (typeof v === 'string') return v === '' ? undefined : v;
  return str(v, '_serialized');
}

export function parseWahaWebhook(json: unknown, options: ParseOptions = {}): InboundEvent[] {
  if (!isObject(json)) throw new WebhookPayloadError('WAHA webhook body is not a JSON object');
  const event = str(json, 'event');
  if (event === undefined) throw new WebhookPayloadError('WAHA webhook has no `event`');
  const account = str(json, 'session');
  const atMs = num(json, 'timestamp') ?? options.receivedAtMs ?? Date.now();
  const payload = obj(json, 'payload');
  if (!payload) return [{ kind: 'ignored', reason: 'malformed_item', detail: `${event} without payload` }];

  switch (event) {
    case 'message':
      return [parseMessage(payload, account, atMs)];
    case 'message.any':
      // Our own API sends come back here (source 'api'): ignore them. Messages typed on the
      // seller's phone (source 'app') are kept with fromMe, for human takeover. Incoming ones
      // duplicate the `message` event; the pipeline dedupes on the id.
      if (bool(payload, 'fromMe') === true && str(payload, 'source') !== 'app') {
        return [{ kind: 'ignored', reason: 'own_api_message' }];
      }
      return [parseMessage(payload, account, atMs)];
    case 'message.reaction':
      return [parseMessage(payload, account, atMs, 'reaction')];
    case 'message.ack':
      return [parseAck(payload, account, atMs)];
    case 'session.status': {
      const health = sessionEvent(payload, account, atMs);
      if (health.kind !== 'health') return [health];
      // The envelope id (evt_…, WAHA 2025+) names this event; older builds only give its timestamp.
      const envelopeId = str(json, 'id');
      const timestamp = num(json, 'timestamp');
      const eventId =
        envelopeId !== undefined
          ? `waha:${envelopeId}`
          : timestamp !== undefined
            ? `waha:${account ?? ''}:${str(payload, 'status') ?? ''}:${timestamp}`
            : undefined;
      return [eventId === undefined ? health : { ...health, eventId }];
    }
    default:
      return [{ kind: 'ignored', reason: 'unknown_event', detail: event }];
  }
}

const NOISE_TYPES = new Set([
  'e2e_notification',
  'notification_template',
  'gp2',
  'protocol',
  'revoked',
  'ciphertext',
  'call_log',
  'broadcast_notification',
]);

function mediaType(mimeType: string | undefined, rawType: string | undefined): InboundMessageType {
  if (rawType === 'sticker') return 'sticker';
  if (rawType === 'ptt' || rawType === 'audio') return 'audio';
  if (rawType === 'image' || rawType === 'video' || rawType === 'document') return rawType;
  if (mimeType?.startsWith('image/')) return mimeType === 'image/webp' ? 'sticker' : 'image';
  if (mimeType?.startsWith('video/')) return 'video';
  if (mimeType?.startsWith('audio/')) return 'audio';
  return 'document';
}

function parseMessage(
  payload: JsonObject,
  account: string | undefined,
  atMs: number,
  forced?: 'reaction',
): InboundEvent {
  const id = idOf(payload, 'id');
  const fromMe = bool(payload, 'fromMe') === true;
  // The chat is the customer: `from` on incoming messages, `to` on the seller's own.
  const chat = fromMe ? str(payload, 'to') : str(payload, 'from');
  if (id === undefined || chat === undefined) {
    return { kind: 'ignored', reason: 'malformed_item', detail: 'message without id/from' };
  }
  const kind = jidKind(chat);
  if (kind === 'group') return { kind: 'ignored', reason: 'group_chat', detail: chat };
  if (kind === 'broadcast' || kind === 'newsletter' || chat === 'status@broadcast') {
    return { kind: 'ignored', reason: 'broadcast_chat', detail: chat };
  }
  const data = obj(payload, '_data');
  const rawType = str(data, 'type');
  if (rawType !== undefined && NOISE_TYPES.has(rawType)) {
    return { kind: 'ignored', reason: 'protocol_message', detail: rawType };
  }
  const name = fromMe ? undefined : (str(data, 'notifyName') ?? str(data, 'pushName'));
  const event: InboundMessageEvent = {
    kind: 'message',
    providerId: id,
    ...(account ? { account } : {}),
    from: compact({ ...senderFromJid(chat), name }),
    timestampMs: secondsToMs(payload.timestamp) ?? atMs,
    type: 'unknown',
    ...(rawType ? { rawType } : {}),
    ...(fromMe ? { fromMe: true } : {}),
  };
  const body = str(payload, 'body');
  const replyTo = idOf(obj(payload, 'replyTo'), 'id');
  if (replyTo) event.replyToProviderId = replyTo;

  const reaction = obj(payload, 'reaction');
  const location = obj(payload, 'location');
  const vCards = arr(payload, 'vCards').filter((v): v is string => typeof v === 'string');
  if (forced === 'reaction' || reaction) {
    event.type = 'reaction';
    const emoji = str(reaction, 'text');
    event.reaction = compact({ targetProviderId: str(reaction, 'messageId'), emoji });
    if (emoji !== undefined) event.text = emoji;
  } else if (location) {
    event.type = 'location';
    const latitude = num(location, 'latitude');
    const longitude = num(location, 'longitude');
    if (latitude !== undefined && longitude !== undefined) {
      event.location = compact({
        latitude,
        longitude,
        name: str(location, 'name') ?? str(location, 'description'),
        address: str(location, 'address'),
        url: str(location, 'url'),
      });
      if (event.location.name) event.text = event.location.name;
    }
  } else if (vCards.length > 0) {
    event.type = 'contacts';
    event.contacts = vCards.map((vcard) =>
      compact({ name: vcardName(vcard), phones: vcardPhones(vcard), vcard }),
    );
  } else if (bool(payload, 'hasMedia') === true) {
    const media = obj(payload, 'media');
    const mimeType = str(media, 'mimetype');
    event.type = mediaType(mimeType, rawType);
    event.media = compact({
      id,
      url: str(media, 'url'),
      mimeType,
      filename: str(media, 'filename'),
      caption: body,
      voice: rawType === 'ptt' ? true : undefined,
    });
    if (body !== undefined) event.text = body;
  } else if (rawType === 'buttons_response' || rawType === 'template_button_reply') {
    event.type = rawType === 'buttons_response' ? 'interactive' : 'button';
    event.choice = compact({
      kind: rawType === 'buttons_response' ? ('button_reply' as const) : ('template_button' as const),
      id: str(data, 'selectedButtonId') ?? str(data, 'selectedId'),
      title: body,
    });
    if (body !== undefined) event.text = body;
  } else if (rawType === 'list_response') {
    event.type = 'interactive';
    event.choice = compact({
      kind: 'list_reply' as const,
      id: str(obj(obj(data, 'listResponse'), 'singleSelectReply'), 'selectedRowId'),
      title: body,
    });
    if (body !== undefined) event.text = body;
  } else if (body !== undefined) {
    event.type = 'text';
    event.text = body;
    if (rawType === 'chat') delete event.rawType;
  }
  return event;
}

const ACKS: Record<string, DeliveryStatus | null> = {
  '-1': 'failed',
  '0': null,
  '1': 'sent',
  '2': 'delivered',
  '3': 'read',
  '4': 'played',
  ERROR: 'failed',
  PENDING: null,
  SERVER: 'sent',
  DEVICE: 'delivered',
  READ: 'read',
  PLAYED: 'played',
};

function parseAck(payload: JsonObject, account: string | undefined, atMs: number): InboundEvent {
  const id = idOf(payload, 'id');
  const raw = num(payload, 'ack') !== undefined ? String(num(payload, 'ack')) : str(payload, 'ackName');
  if (id === undefined || raw === undefined) {
    return { kind: 'ignored', reason: 'malformed_item', detail: 'message.ack without id/ack' };
  }
  if (bool(payload, 'fromMe') === false) return { kind: 'ignored', reason: 'inbound_receipt', detail: raw };
  const to = str(payload, 'to');
  if (to !== undefined && jidKind(to) === 'group') return { kind: 'ignored', reason: 'group_chat' };
  const status = ACKS[raw.toUpperCase()];
  if (status === undefined) return { kind: 'ignored', reason: 'unknown_status', detail: raw };
  if (status === null) return { kind: 'ignored', reason: 'pending_status', detail: raw };
  return compact({
    kind: 'status' as const,
    providerId: id,
    account,
    status,
    timestampMs: atMs,
    recipient: to === undefined ? undefined : (senderFromJid(to).phone ?? to),
  });
}

function sessionEvent(payload: JsonObject, account: string | undefined, atMs: number): InboundEvent {
  const status = str(payload, 'status');
  const base = { kind: 'health' as const, timestampMs: atMs, ...(account ? { account } : {}) };
  const detail = `session ${status ?? '?'}`;
  const health = (event: HealthEventType): InboundEvent => ({ ...base, event, detail });
  switch (status) {
    case 'WORKING':
      return health('connected');
    case 'FAILED':
    case 'STOPPED':
      return health('disconnected');
    case 'SCAN_QR_CODE': {
      // A QR code after WORKING means WhatsApp dropped the pairing. During a first pairing the
      // QR is re-emitted at every refresh and means nothing yet. Without the history (older
      // WAHA), assume the worse: the number cannot send until it is WORKING again either way.
      const history = arr(payload, 'statuses').map((s) => str(s, 'status'));
      const wasWorking = history.includes('WORKING');
      if (history.length > 0 && !wasWorking)
        return { kind: 'ignored', reason: 'connection_progress', detail };
      return health('logged_out');
    }
    default:
      return { kind: 'ignored', reason: 'connection_progress', detail };
  }
}
