/**
 * Cloud API webhooks: the GET subscription handshake, the `X-Hub-Signature-256` check over the
 * raw body, routing (which phone numbers a payload concerns, to find the channel and its app
 * secret before verifying) and parsing every entry, change and array element into events.
 */
import type { HealthEventType } from '../../domain/types.ts';
import { phoneFromDigits } from '../shared/ids.ts';
import { arr, bool, compact, isObject, type JsonObject, num, obj, secondsToMs, str } from '../shared/json.ts';
import { headerValue, hmacHex, safeEqual } from '../shared/secrets.ts';
import {
  type DeliveryStatus,
  type InboundChoice,
  type InboundContactCard,
  type InboundEvent,
  type InboundMessageEvent,
  type InboundMessageType,
  type InboundSender,
  type InboundStatusEvent,
  type ParseOptions,
  type ProviderError,
  type VerifyResult,
  WebhookPayloadError,
  type WebhookRequest,
} from '../types.ts';

export const CLOUD_SIGNATURE_HEADER = 'x-hub-signature-256';

/**
 * The GET handshake Meta sends when the callback URL or verify token is saved. Returns the
 * `hub.challenge` to answer with (200, text/plain) or null (answer 403).
 */
export function verifyCloudSubscription(
  query: Record<string, string | string[] | undefined>,
  verifyToken: string,
): string | null {
  const one = (key: string): string | undefined => {
    const v = query[key];
    return Array.isArray(v) ? v[0] : v;
  };
  const token = one('hub.verify_token');
  const challenge = one('hub.challenge');
  if (one('hub.mode') !== 'subscribe' || token === undefined || challenge === undefined) return null;
  if (verifyToken === '') return null;
  return safeEqual(token, verifyToken) ? challenge : null;
}

/**
 * Checks `X-Hub-Signature-256: sha256=<hex>` against HMAC-SHA256(appSecret, rawBody). The raw bytes
 * are what Meta signed: its JSON escapes non-ASCII as \uXXXX, so re-serialized JSON would not match.
 * The header must be exactly 'sha256=' and 64 lowercase hex digits, as Meta sends it.
 */
export function verifyCloudWebhook(req: WebhookRequest, secrets: { appSecret: string }): VerifyResult {
  if (!secrets.appSecret) return { ok: false, reason: 'missing_secret' };
  const header = headerValue(req.headers, CLOUD_SIGNATURE_HEADER);
  if (header === undefined) return { ok: false, reason: 'missing_signature' };
  const expected = `sha256=${hmacHex('sha256', secrets.appSecret, req.rawBody)}`;
  return safeEqual(header.trim(), expected) ? { ok: true } : { ok: false, reason: 'bad_signature' };
}

export interface CloudRoute {
  /** `value.metadata.phone_number_id` of every change (message and status webhooks), first seen first. */
  phoneNumberIds: string[];
  /** `entry[].id`: the WhatsApp Business Account, the only key of account-level webhooks. */
  wabaIds: string[];
  /** `display_phone_number` (metadata, or the value of `phone_number_quality_update`). */
  displayPhoneNumbers: string[];
  /** Entries times changes: how much work the body asks for before anything is verified. */
  changeCount: number;
}

function envelopeEntries(json: unknown): unknown[] {
  if (!isObject(json)) throw new WebhookPayloadError('Cloud API webhook body is not a JSON object');
  if (!Array.isArray(json.entry)) throw new WebhookPayloadError('Cloud API webhook has no `entry` array');
  return json.entry;
}

/**
 * Which accounts a payload concerns, read before verification so the caller can load the channel
 * whose app secret then verifies the raw bytes. Linear in the body (sets, not list scans): it runs
 * on unauthenticated input. Throws WebhookPayloadError for a malformed envelope.
 */
export function routeCloudWebhook(json: unknown): CloudRoute {
  const ids = new Set<string>();
  const wabas = new Set<string>();
  const displays = new Set<string>();
  let changeCount = 0;
  const add = (set: Set<string>, v: string | undefined): void => {
    if (v !== undefined) set.add(v);
  };
  for (const entry of envelopeEntries(json)) {
    add(wabas, str(entry, 'id'));
    for (const change of arr(entry, 'changes')) {
      changeCount++;
      const value = obj(change, 'value');
      const metadata = obj(value, 'metadata');
      add(ids, str(metadata, 'phone_number_id'));
      add(displays, str(metadata, 'display_phone_number') ?? str(value, 'display_phone_number'));
    }
  }
  return {
    phoneNumberIds: [...ids],
    wabaIds: [...wabas],
    displayPhoneNumbers: [...displays],
    changeCount,
  };
}

/**
 * Every event in a Cloud API webhook. Unknown fields, message types and statuses never throw:
 * they become `ignored` events (or `unknown` messages), so Meta gets its 200 and stops retrying.
 * Only a body that is not a Cloud webhook at all throws WebhookPayloadError.
 */
export function parseCloudWebhook(json: unknown, options: ParseOptions = {}): InboundEvent[] {
  const events: InboundEvent[] = [];
  const receivedAtMs = options.receivedAtMs ?? Date.now();
  for (const entry of envelopeEntries(json)) {
    if (!isObject(entry)) {
      events.push({ kind: 'ignored', reason: 'malformed_item', detail: 'entry is not an object' });
      continue;
    }
    const entryTimeMs = secondsToMs(entry.time);
    const wabaId = str(entry, 'id') ?? '';
    for (const change of arr(entry, 'changes')) {
      const field = str(change, 'field');
      const value = obj(change, 'value');
      if (!value) {
        events.push({
          kind: 'ignored',
          reason: 'malformed_item',
          detail: `change ${field ?? '?'} has no value`,
        });
        continue;
      }
      switch (field) {
        case 'messages':
          parseMessagesValue(value, events, receivedAtMs);
          break;
        case 'smb_message_echoes':
          parseEchoesValue(value, events, receivedAtMs);
          break;
        case 'phone_number_quality_update':
          events.push(withEventId(qualityEvent(value, entryTimeMs), wabaId, entry, field, value));
          break;
        case 'account_update':
          events.push(withEventId(accountUpdateEvent(value, entryTimeMs), wabaId, entry, field, value));
          break;
        default:
          events.push({ kind: 'ignored', reason: 'unknown_field', detail: field ?? '(none)' });
      }
    }
  }
  return events;
}

/**
 * Account events carry no id: the WABA, `entry.time`, the field and the event name together
 * identify one delivery (a replayed webhook repeats them). Without `time` there is none.
 */
function withEventId(
  event: InboundEvent,
  wabaId: string,
  entry: JsonObject,
  field: string,
  value: JsonObject,
): InboundEvent {
  const time = num(entry, 'time');
  if (event.kind !== 'health' || time === undefined) return event;
  return { ...event, eventId: `cloud:${wabaId}:${time}:${field}:${str(value, 'event') ?? ''}` };
}

function providerErrors(list: unknown[]): ProviderError[] {
  const out: ProviderError[] = [];
  for (const e of list) {
    const code = num(e, 'code');
    if (code === undefined) continue;
    out.push(
      compact({
        code,
        title: str(e, 'title') ?? str(e, 'message'),
        detail: str(obj(e, 'error_data'), 'details') ?? str(e, 'message'),
      }),
    );
  }
  return out;
}

function parseMessagesValue(value: JsonObject, events: InboundEvent[], receivedAtMs: number): void {
  const account = str(obj(value, 'metadata'), 'phone_number_id');
  const contacts = arr(value, 'contacts');
  const messages = arr(value, 'messages');
  messages.forEach((message, index) => {
    const event = parseMessage(message, contacts, index, messages.length, account, receivedAtMs);
    events.push(event ?? { kind: 'ignored', reason: 'malformed_item', detail: 'message without id' });
  });
  for (const status of arr(value, 'statuses')) {
    events.push(parseStatus(status, account, receivedAtMs) ?? { kind: 'ignored', reason: 'unknown_status' });
  }
  const errors = providerErrors(arr(value, 'errors'));
  if (errors.length > 0) {
    events.push({
      kind: 'ignored',
      reason: 'provider_errors',
      detail: errors.map((e) => `${e.code} ${e.title ?? ''}`.trim()).join('; '),
    });
  }
}

/**
 * Coexistence (`smb_message_echoes`): messages the seller typed in the WhatsApp Business app on the
 * same number. Each echo has the message shape with `from` the business and `to` the customer; it
 * becomes a `message` event from the customer's chat with `fromMe: true` (a person answering).
 */
function parseEchoesValue(value: JsonObject, events: InboundEvent[], receivedAtMs: number): void {
  const account = str(obj(value, 'metadata'), 'phone_number_id');
  for (const echo of arr(value, 'message_echoes')) {
    if (!isObject(echo)) {
      events.push({ kind: 'ignored', reason: 'malformed_item', detail: 'echo is not an object' });
      continue;
    }
    const to = str(echo, 'to');
    const toUserId = str(echo, 'to_user_id');
    const asMessage: JsonObject = {
      ...echo,
      ...(to !== undefined ? { from: to } : {}),
      ...(toUserId !== undefined ? { from_user_id: toUserId } : {}),
    };
    const event = parseMessage(asMessage, [], 0, 1, account, receivedAtMs);
    if (!event || (to === undefined && toUserId === undefined)) {
      events.push({ kind: 'ignored', reason: 'malformed_item', detail: 'echo without id or recipient' });
      continue;
    }
    events.push({ ...event, fromMe: true });
  }
}

/** The `contacts[]` element describing this message's sender. */
function contactFor(message: unknown, contacts: unknown[], index: number, count: number): unknown {
  const from = str(message, 'from');
  const userId = str(message, 'from_user_id');
  const byId = contacts.find(
    (c) =>
      (from !== undefined && str(c, 'wa_id') === from) ||
      (userId !== undefined && str(c, 'user_id') === userId),
  );
  if (byId) return byId;
  if (contacts.length === count) return contacts[index];
  return contacts.length === 1 ? contacts[0] : undefined;
}

const MEDIA_TYPES = new Set(['image', 'audio', 'video', 'document', 'sticker']);

function parseMessage(
  message: unknown,
  contacts: unknown[],
  index: number,
  count: number,
  account: string | undefined,
  receivedAtMs: number,
): InboundMessageEvent | undefined {
  const id = str(message, 'id');
  if (!isObject(message) || id === undefined) return undefined;
  const contact = contactFor(message, contacts, index, count);
  const waId = str(contact, 'wa_id') ?? str(message, 'from');
  const from: InboundSender = compact({
    phone: phoneFromDigits(str(message, 'from') ?? waId),
    waId,
    bsuid: str(message, 'from_user_id') ?? str(contact, 'user_id'),
    parentBsuid: str(message, 'from_parent_user_id') ?? str(contact, 'parent_user_id'),
    name: str(obj(contact, 'profile'), 'name'),
    username: str(obj(contact, 'profile'), 'username'),
  });
  const rawType = str(message, 'type') ?? 'unknown';
  const context = obj(message, 'context');
  const referredProduct = obj(context, 'referred_product');
  const referral = obj(message, 'referral');
  const event: InboundMessageEvent = compact({
    kind: 'message' as const,
    providerId: id,
    account,
    from,
    timestampMs: secondsToMs(message.timestamp) ?? receivedAtMs,
    type: 'unknown' as InboundMessageType,
    replyToProviderId: str(context, 'id'),
    forwarded: bool(context, 'forwarded') || bool(context, 'frequently_forwarded') ? true : undefined,
    referredProduct: referredProduct
      ? compact({
          catalogId: str(referredProduct, 'catalog_id'),
          productRetailerId: str(referredProduct, 'product_retailer_id'),
        })
      : undefined,
    referral: referral
      ? compact({
          sourceUrl: str(referral, 'source_url'),
          sourceId: str(referral, 'source_id'),
          sourceType: str(referral, 'source_type'),
          headline: str(referral, 'headline'),
          body: str(referral, 'body'),
          mediaType: str(referral, 'media_type'),
          ctwaClid: str(referral, 'ctwa_clid'),
          welcomeText: str(obj(referral, 'welcome_message'), 'text'),
        })
      : undefined,
  });
  applyType(event, message, rawType);
  return compact(event);
}

function applyType(event: InboundMessageEvent, message: JsonObject, rawType: string): void {
  const body = obj(message, rawType);
  if (rawType === 'text') {
    event.type = 'text';
    event.text = str(body, 'body');
    return;
  }
  if (MEDIA_TYPES.has(rawType)) {
    event.type = rawType as InboundMessageType;
    event.media = compact({
      id: str(body, 'id'),
      url: str(body, 'url'),
      mimeType: str(body, 'mime_type'),
      sha256: str(body, 'sha256'),
      caption: str(body, 'caption'),
      filename: str(body, 'filename'),
      voice: bool(body, 'voice'),
      animated: bool(body, 'animated'),
    });
    event.text = event.media.caption;
    return;
  }
  switch (rawType) {
    case 'location': {
      const latitude = num(body, 'latitude');
      const longitude = num(body, 'longitude');
      event.type = 'location';
      if (latitude !== undefined && longitude !== undefined) {
        event.location = compact({
          latitude,
          longitude,
          name: str(body, 'name'),
          address: str(body, 'address'),
          url: str(body, 'url'),
        });
        const label = [event.location.name, event.location.address].filter(Boolean).join(', ');
        if (label) event.text = label;
      }
      return;
    }
    case 'contacts':
      event.type = 'contacts';
      event.contacts = arr(message, 'contacts').map(
        (c): InboundContactCard =>
          compact({
            name: str(obj(c, 'name'), 'formatted_name'),
            phones: arr(c, 'phones').map((p) =>
              compact({ phone: str(p, 'phone'), waId: str(p, 'wa_id'), type: str(p, 'type') }),
            ),
          }),
      );
      return;
    case 'interactive': {
      event.type = 'interactive';
      const kind = str(body, 'type');
      const reply = obj(body, kind ?? '');
      if (kind === 'button_reply' || kind === 'list_reply') {
        const choice: InboundChoice = compact({
          kind,
          id: str(reply, 'id'),
          title: str(reply, 'title'),
          description: str(reply, 'description'),
        });
        event.choice = choice;
        event.text = choice.title;
      } else if (kind === 'nfm_reply') {
        event.choice = compact({
          kind: 'flow_reply' as const,
          id: str(reply, 'name'),
          title: str(reply, 'body'),
          responseJson: str(reply, 'response_json'),
        });
        event.text = event.choice.title;
      } else {
        event.choice = compact({ kind: 'other' as const, id: kind });
      }
      return;
    }
    case 'button':
      // A quick-reply button of a template; context.id is the template message.
      event.type = 'button';
      event.choice = compact({
        kind: 'template_button' as const,
        id: str(body, 'payload'),
        title: str(body, 'text'),
      });
      event.text = event.choice.title;
      return;
    case 'reaction':
      event.type = 'reaction';
      event.reaction = compact({ targetProviderId: str(body, 'message_id'), emoji: str(body, 'emoji') });
      event.text = event.reaction.emoji;
      return;
    case 'order':
      event.type = 'order';
      event.order = compact({
        catalogId: str(body, 'catalog_id'),
        text: str(body, 'text'),
        items: arr(body, 'product_items').flatMap((item) => {
          const productRetailerId = str(item, 'product_retailer_id');
          if (productRetailerId === undefined) return [];
          return [
            compact({
              productRetailerId,
              quantity: num(item, 'quantity') ?? 1,
              itemPrice: num(item, 'item_price'),
              currency: str(item, 'currency'),
            }),
          ];
        }),
      });
      event.text = event.order.text;
      return;
    case 'system':
      event.type = 'system';
      event.system = compact({
        type: str(body, 'type'),
        body: str(body, 'body'),
        newWaId: str(body, 'wa_id') ?? str(body, 'new_wa_id'),
        newBsuid: str(body, 'user_id'),
      });
      event.text = event.system.body;
      return;
    case 'request_welcome':
      // The user opened the chat for the first time: no text, but a chance to greet.
      event.type = 'system';
      event.rawType = rawType;
      event.system = { type: 'request_welcome' };
      return;
    case 'unsupported':
    case 'unknown':
      event.type = rawType === 'unsupported' ? 'unsupported' : 'unknown';
      event.errors = providerErrors(arr(message, 'errors'));
      return;
    default:
      // A type Meta added after this code: keep the message (the customer did write) as 'unknown'.
      event.type = 'unknown';
      event.rawType = rawType;
      event.errors = providerErrors(arr(message, 'errors'));
  }
}

const STATUSES = new Set<DeliveryStatus>(['sent', 'delivered', 'read', 'played', 'failed']);

function parseStatus(
  status: unknown,
  account: string | undefined,
  receivedAtMs: number,
): InboundStatusEvent | undefined {
  const id = str(status, 'id');
  const value = str(status, 'status');
  if (id === undefined || value === undefined || !STATUSES.has(value as DeliveryStatus)) return undefined;
  const errors = providerErrors(arr(status, 'errors'));
  const pricing = obj(status, 'pricing');
  const recipientId = str(status, 'recipient_id');
  return compact({
    kind: 'status' as const,
    providerId: id,
    account,
    status: value as DeliveryStatus,
    timestampMs: secondsToMs(isObject(status) ? status.timestamp : undefined) ?? receivedAtMs,
    recipient: phoneFromDigits(recipientId) ?? recipientId,
    recipientBsuid: str(status, 'recipient_user_id'),
    error: errors[0],
    errors: errors.length > 0 ? errors : undefined,
    pricing: pricing
      ? compact({
          type: str(pricing, 'type'),
          category: str(pricing, 'category'),
          model: str(pricing, 'pricing_model'),
          billable: bool(pricing, 'billable'),
        })
      : undefined,
    callbackData: str(status, 'biz_opaque_callback_data'),
  });
}

const QUALITY_EVENTS: Record<string, HealthEventType> = {
  FLAGGED: 'quality_low',
  DOWNGRADE: 'quality_low',
  UNFLAGGED: 'quality_ok',
  UPGRADE: 'quality_ok',
  THROUGHPUT_UPGRADE: 'quality_ok',
};

function qualityEvent(value: JsonObject, timestampMs: number | undefined): InboundEvent {
  const event = str(value, 'event') ?? '';
  const health = QUALITY_EVENTS[event];
  if (!health)
    return { kind: 'ignored', reason: 'informational', detail: `phone_number_quality_update ${event}` };
  const limit = str(value, 'max_daily_conversations_per_business') ?? str(value, 'current_limit');
  return compact({
    kind: 'health' as const,
    account: str(value, 'display_phone_number'),
    event: health,
    detail: [event, limit].filter(Boolean).join(' '),
    timestampMs,
  });
}

/**
 * `account_update`: restrictions, bans and reinstatements of the WhatsApp Business Account. A
 * reinstatement is reported as `connected`, the event that lifts an account block in the health engine.
 */
function accountUpdateEvent(value: JsonObject, timestampMs: number | undefined): InboundEvent {
  const event = str(value, 'event') ?? '';
  const banState = str(obj(value, 'ban_info'), 'waba_ban_state');
  const restrictions = arr(value, 'restriction_info');
  const expirations = restrictions.map((r) => secondsToMs(isObject(r) ? r.expiration : undefined));
  const untilMs = expirations.reduce<number | undefined>(
    (max, v) => (v === undefined ? max : Math.max(max ?? v, v)),
    undefined,
  );
  const types = restrictions.map((r) => str(r, 'restriction_type')).filter(Boolean);
  const detail = [event, banState, ...types].filter(Boolean).join(' ');
  const restricted = compact({
    kind: 'health' as const,
    event: 'account_restricted' as const,
    detail,
    untilMs,
    timestampMs,
  });
  if (event === 'ACCOUNT_RESTRICTION' || event === 'ACCOUNT_DELETED') return restricted;
  if (event === 'DISABLED_UPDATE') {
    if (banState === 'REINSTATE')
      return compact({ kind: 'health' as const, event: 'connected' as const, detail, timestampMs });
    if (banState === 'DISABLE') return restricted;
    return compact({ kind: 'health' as const, event: 'quality_low' as const, detail, timestampMs });
  }
  if (event === 'ACCOUNT_VIOLATION') {
    return compact({ kind: 'health' as const, event: 'quality_low' as const, detail, timestampMs });
  }
  return { kind: 'ignored', reason: 'informational', detail: `account_update ${detail}` };
}
