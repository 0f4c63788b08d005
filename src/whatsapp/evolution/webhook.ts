/**
 * Evolution API v2 webhooks. Evolution signs nothing, so the instance webhook is configured to send
 * our per-channel secret (rule in src/whatsapp/README.md); the events are Baileys messages and
 * receipts in Evolution's envelope `{ event, instance, data, date_time, sender, … }`.
 */
import { createHmac } from 'node:crypto';
import { jidKind, senderFromJid } from '../shared/ids.ts';
import { arr, bool, compact, isObject, type JsonObject, num, obj, secondsToMs, str } from '../shared/json.ts';
import { bearerToken, headerValue, safeEqual, TOKEN_HEADER } from '../shared/secrets.ts';
import { vcardPhones } from '../shared/vcard.ts';
import {
  type DeliveryStatus,
  type InboundEvent,
  type InboundMessageEvent,
  type InboundMessageType,
  type InboundSender,
  type ParseOptions,
  type VerifyResult,
  WebhookPayloadError,
  type WebhookRequest,
} from '../types.ts';

/** Tolerance on the `exp` of Evolution's webhook JWT, for clock skew between the two servers. */
const JWT_SKEW_MS = 30_000;

/**
 * The rule: `X-Sellify-Token: <secret>` (set in the instance's webhook `headers`) is checked first
 * and, when present, decides alone. Otherwise `Authorization: Bearer <token>` where the token is the
 * secret itself or an unexpired HS256 JWT signed with it (Evolution's `jwt_key` option). The body's
 * `apikey` field is not accepted: it is Evolution's instance token, null unless exposed, and not a
 * secret we chose. Comparisons are constant-time.
 */
export function verifyEvolutionWebhook(
  req: WebhookRequest,
  secrets: { webhookSecret: string },
  options: { nowMs?: number } = {},
): VerifyResult {
  const secret = secrets.webhookSecret;
  if (!secret) return { ok: false, reason: 'missing_secret' };
  const token = headerValue(req.headers, TOKEN_HEADER);
  if (token !== undefined)
    return safeEqual(token, secret) ? { ok: true } : { ok: false, reason: 'bad_signature' };
  const bearer = bearerToken(req.headers);
  if (bearer === undefined) return { ok: false, reason: 'missing_signature' };
  if (safeEqual(bearer, secret)) return { ok: true };
  if (verifyJwtHs256(bearer, secret, options.nowMs ?? Date.now())) return { ok: true };
  return { ok: false, reason: 'bad_signature' };
}

function base64UrlJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** HS256 JWT with a valid signature and, when it has one, an `exp` not in the past. */
export function verifyJwtHs256(token: string, secret: string, nowMs: number): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  const [header, payload, signature] = parts as [string, string, string];
  if (str(base64UrlJson(header), 'alg') !== 'HS256') return false;
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  if (!safeEqual(signature, expected)) return false;
  const claims = base64UrlJson(payload);
  if (!isObject(claims)) return false;
  const exp = num(claims, 'exp');
  return exp === undefined || exp * 1000 + JWT_SKEW_MS > nowMs;
}

/** 'MESSAGES_UPSERT' (config spelling, some versions' payloads) and 'messages.upsert' are one event. */
export function normalizeEvolutionEvent(event: string): string {
  return event.trim().toLowerCase().replace(/_/g, '.');
}

/**
 * Events of one Evolution webhook (data may be one object or an array). Unknown events are
 * `ignored`; only a body that is not an Evolution envelope throws WebhookPayloadError.
 */
export function parseEvolutionWebhook(json: unknown, options: ParseOptions = {}): InboundEvent[] {
  if (!isObject(json)) throw new WebhookPayloadError('Evolution webhook body is not a JSON object');
  const rawEvent = str(json, 'event');
  if (rawEvent === undefined) throw new WebhookPayloadError('Evolution webhook has no `event`');
  const event = normalizeEvolutionEvent(rawEvent);
  const account = str(json, 'instance');
  const receivedAtMs = options.receivedAtMs ?? Date.now();
  const items = Array.isArray(json.data) ? json.data : [json.data];

  switch (event) {
    case 'messages.upsert':
      return items.map((data) => parseUpsert(data, account, receivedAtMs));
    case 'messages.update':
      return items.map((data) => parseReceipt(data, account, receivedAtMs));
    case 'send.message':
      // Our own API sends: the HTTP answer already gave us the id; receipts follow as messages.update.
      return [{ kind: 'ignored', reason: 'own_api_message' }];
    case 'connection.update': {
      // Evolution gives no event id; its `date_time` (local time, but the same string on a replay)
      // with the state names this delivery.
      const health = connectionEvent(obj(json, 'data'), account, receivedAtMs);
      const at = str(json, 'date_time');
      if (health.kind !== 'health' || at === undefined) return [health];
      const data = obj(json, 'data');
      return [
        {
          ...health,
          eventId: `evolution:${account ?? ''}:${at}:${str(data, 'state') ?? ''}:${num(data, 'statusReason') ?? ''}`,
        },
      ];
    }
    case 'logout.instance':
    case 'remove.instance': {
      const at = str(json, 'date_time');
      return [
        {
          kind: 'health',
          event: 'logged_out',
          detail: event,
          timestampMs: receivedAtMs,
          ...(account ? { account } : {}),
          ...(at !== undefined ? { eventId: `evolution:${account ?? ''}:${at}:${event}` } : {}),
        },
      ];
    }
    case 'qrcode.updated':
      return [{ kind: 'ignored', reason: 'connection_progress', detail: 'qrcode.updated' }];
    default:
      return [{ kind: 'ignored', reason: 'unknown_event', detail: event }];
  }
}

/** The customer of a chat: in LID chats (Baileys 7) the phone JID is in `remoteJidAlt`. */
function chatSender(key: JsonObject): Pick<InboundSender, 'phone' | 'waId' | 'lid'> {
  const jids = [str(key, 'remoteJid'), str(key, 'remoteJidAlt')].filter((j): j is string => j !== undefined);
  const userJid = jids.find((j) => jidKind(j) === 'user');
  const lid = jids.find((j) => jidKind(j) === 'lid');
  return compact({ ...(userJid ? senderFromJid(userJid) : {}), lid });
}

function parseUpsert(data: unknown, account: string | undefined, receivedAtMs: number): InboundEvent {
  const key = obj(data, 'key');
  const remoteJid = str(key, 'remoteJid');
  const id = str(key, 'id');
  if (!isObject(data) || !key || remoteJid === undefined || id === undefined) {
    return { kind: 'ignored', reason: 'malformed_item', detail: 'messages.upsert without key.id/remoteJid' };
  }
  const kind = jidKind(remoteJid);
  if (kind === 'group') return { kind: 'ignored', reason: 'group_chat', detail: remoteJid };
  if (kind === 'broadcast' || kind === 'newsletter' || kind === 'other') {
    return { kind: 'ignored', reason: 'broadcast_chat', detail: remoteJid };
  }
  const fromMe = bool(key, 'fromMe') === true;
  const message = obj(data, 'message');
  const messageType = str(data, 'messageType') ?? firstContentKey(message);
  if (messageType === 'protocolMessage' || messageType === 'senderKeyDistributionMessage') {
    return { kind: 'ignored', reason: 'protocol_message', detail: messageType };
  }
  const event: InboundMessageEvent = {
    kind: 'message',
    providerId: id,
    ...(account ? { account } : {}),
    from: compact({ ...chatSender(key), name: fromMe ? undefined : str(data, 'pushName') }),
    timestampMs: secondsToMs(data.messageTimestamp) ?? receivedAtMs,
    type: 'unknown',
    ...(fromMe ? { fromMe: true } : {}),
  };
  applyContent(event, message, messageType ?? 'unknown');
  const content = obj(message, messageType ?? '');
  const context = obj(data, 'contextInfo') ?? obj(content, 'contextInfo');
  const quoted = str(context, 'stanzaId');
  if (quoted) event.replyToProviderId = quoted;
  if (bool(context, 'isForwarded')) event.forwarded = true;
  return compact(event);
}

function firstContentKey(message: JsonObject | undefined): string | undefined {
  if (!message) return undefined;
  return Object.keys(message).find((k) => k !== 'messageContextInfo' && k !== 'base64' && k !== 'mediaUrl');
}

const MEDIA: Record<string, InboundMessageType> = {
  imageMessage: 'image',
  videoMessage: 'video',
  ptvMessage: 'video',
  audioMessage: 'audio',
  documentMessage: 'document',
  documentWithCaptionMessage: 'document',
  stickerMessage: 'sticker',
};

function applyContent(
  event: InboundMessageEvent,
  message: JsonObject | undefined,
  messageType: string,
): void {
  event.rawType = messageType;
  let content = obj(message, messageType);
  if (messageType === 'conversation' || messageType === 'extendedTextMessage') {
    event.type = 'text';
    // v2.2+ moves extendedTextMessage.text into conversation; older builds do not.
    const text = str(message, 'conversation') ?? str(obj(message, 'extendedTextMessage'), 'text');
    if (text !== undefined) event.text = text;
    delete event.rawType;
    return;
  }
  const mediaType = MEDIA[messageType];
  if (mediaType) {
    if (messageType === 'documentWithCaptionMessage')
      content = obj(obj(content, 'message'), 'documentMessage') ?? content;
    event.type = mediaType;
    event.media = compact({
      url: str(message, 'mediaUrl') ?? str(content, 'url'),
      mimeType: str(content, 'mimetype'),
      sha256: str(content, 'fileSha256'),
      caption: str(content, 'caption'),
      filename: str(content, 'fileName'),
      voice: bool(content, 'ptt'),
      animated: bool(content, 'isAnimated'),
      sizeBytes: num(content, 'fileLength'),
    });
    if (event.media.caption !== undefined) event.text = event.media.caption;
    return;
  }
  switch (messageType) {
    case 'locationMessage':
    case 'liveLocationMessage': {
      event.type = 'location';
      const latitude = num(content, 'degreesLatitude');
      const longitude = num(content, 'degreesLongitude');
      if (latitude !== undefined && longitude !== undefined) {
        event.location = compact({
          latitude,
          longitude,
          name: str(content, 'name'),
          address: str(content, 'address'),
          url: str(content, 'url'),
        });
        const label = [event.location.name, event.location.address].filter(Boolean).join(', ');
        if (label) event.text = label;
      }
      return;
    }
    case 'contactMessage':
    case 'contactsArrayMessage': {
      event.type = 'contacts';
      const cards = messageType === 'contactMessage' ? [content] : arr(content, 'contacts');
      event.contacts = cards.map((c) =>
        compact({
          name: str(c, 'displayName'),
          phones: vcardPhones(str(c, 'vcard')),
          vcard: str(c, 'vcard'),
        }),
      );
      return;
    }
    case 'reactionMessage': {
      event.type = 'reaction';
      // An empty text is Baileys' way of removing a reaction.
      const emoji = str(content, 'text');
      event.reaction = compact({ targetProviderId: str(obj(content, 'key'), 'id'), emoji });
      if (emoji !== undefined) event.text = emoji;
      return;
    }
    case 'buttonsResponseMessage':
      event.type = 'interactive';
      event.choice = compact({
        kind: 'button_reply' as const,
        id: str(content, 'selectedButtonId'),
        title: str(content, 'selectedDisplayText'),
      });
      break;
    case 'listResponseMessage':
      event.type = 'interactive';
      event.choice = compact({
        kind: 'list_reply' as const,
        id: str(obj(content, 'singleSelectReply'), 'selectedRowId'),
        title: str(content, 'title'),
        description: str(content, 'description'),
      });
      break;
    case 'templateButtonReplyMessage':
      event.type = 'button';
      event.choice = compact({
        kind: 'template_button' as const,
        id: str(content, 'selectedId'),
        title: str(content, 'selectedDisplayText'),
      });
      break;
    case 'interactiveResponseMessage': {
      event.type = 'interactive';
      const flow = obj(content, 'nativeFlowResponseMessage');
      event.choice = compact({
        kind: flow ? ('flow_reply' as const) : ('other' as const),
        id: str(flow, 'name'),
        title: str(obj(content, 'body'), 'text'),
        responseJson: str(flow, 'paramsJson'),
      });
      break;
    }
    default:
      event.type = 'unknown';
      return;
  }
  if (event.choice?.title !== undefined) event.text = event.choice.title;
}

/** Evolution's renderStatus names, and the numeric codes older builds send. */
const RECEIPTS: Record<string, DeliveryStatus | null> = {
  SERVER_ACK: 'sent',
  DELIVERY_ACK: 'delivered',
  READ: 'read',
  PLAYED: 'played',
  ERROR: 'failed',
  PENDING: null,
  DELETED: null,
  '0': 'failed',
  '1': null,
  '2': 'sent',
  '3': 'delivered',
  '4': 'read',
  '5': 'played',
};

function parseReceipt(data: unknown, account: string | undefined, receivedAtMs: number): InboundEvent {
  const key = obj(data, 'key');
  const id = str(data, 'keyId') ?? str(key, 'id');
  const remoteJid = str(data, 'remoteJid') ?? str(key, 'remoteJid');
  const fromMe = bool(data, 'fromMe') ?? bool(key, 'fromMe');
  const raw = str(data, 'status');
  if (id === undefined || raw === undefined) {
    return { kind: 'ignored', reason: 'malformed_item', detail: 'messages.update without keyId/status' };
  }
  if (remoteJid !== undefined && jidKind(remoteJid) === 'group')
    return { kind: 'ignored', reason: 'group_chat' };
  // Receipts of messages the customer sent us (our own read receipts echoed back).
  if (fromMe === false) return { kind: 'ignored', reason: 'inbound_receipt', detail: raw };
  const status = RECEIPTS[raw.toUpperCase()];
  if (status === undefined) return { kind: 'ignored', reason: 'unknown_status', detail: raw };
  if (status === null) return { kind: 'ignored', reason: 'pending_status', detail: raw };
  const recipient = remoteJid === undefined ? undefined : (senderFromJid(remoteJid).phone ?? remoteJid);
  return compact({
    kind: 'status' as const,
    providerId: id,
    account,
    status,
    timestampMs: receivedAtMs,
    recipient,
  });
}

/** Baileys DisconnectReason codes that mean the phone must be paired again. */
const LOGGED_OUT_REASONS = new Set([401, 411, 500]);

function connectionEvent(
  data: JsonObject | undefined,
  account: string | undefined,
  receivedAtMs: number,
): InboundEvent {
  const state = str(data, 'state');
  const reason = num(data, 'statusReason');
  const base = { kind: 'health' as const, timestampMs: receivedAtMs, ...(account ? { account } : {}) };
  const detail = `connection ${state ?? '?'}${reason === undefined ? '' : ` (${reason})`}`;
  switch (state) {
    case 'open':
      return { ...base, event: 'connected', detail };
    case 'refused':
      // The QR code limit was reached: nobody scanned, the instance needs a new pairing.
      return { ...base, event: 'logged_out', detail };
    case 'close':
      if (reason !== undefined && LOGGED_OUT_REASONS.has(reason))
        return { ...base, event: 'logged_out', detail };
      // 403: WhatsApp refused the account (usually a ban).
      if (reason === 403) return { ...base, event: 'account_restricted', detail };
      return { ...base, event: 'disconnected', detail };
    default:
      return { kind: 'ignored', reason: 'connection_progress', detail };
  }
}
