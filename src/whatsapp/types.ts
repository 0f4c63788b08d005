/**
 * The contract between Sellify and a WhatsApp transport (Meta's Cloud API, the Evolution API and
 * WAHA gateways, and the in-process sandbox). Webhooks are verified over their raw bytes, then
 * parsed into normalized events; sends go through a TransportClient whose failures are classified
 * values, never exceptions, so the outbound pipeline can retry, defer, skip or pause the channel.
 */
import type { HealthEventType, Transport } from '../domain/types.ts';
import type { EgressPolicy } from './shared/egress.ts';

/** The same four names as the engines' `Transport`; one vocabulary for the whole code base. */
export type TransportKind = Transport;

// ---------------------------------------------------------------------------------------------
// Credentials (stored encrypted per channel; only the composition root and the pipelines see them)

export interface CloudCredentials {
  /** The Graph id of the business phone number (routes the send and the inbound webhooks). */
  phoneNumberId: string;
  /** A system-user or business-integration token, sent as `Authorization: Bearer`. */
  accessToken: string;
  /** The Meta app secret: the key of the `X-Hub-Signature-256` HMAC on every webhook POST. */
  appSecret: string;
  /** What we typed in the App Dashboard; checked on the GET subscription handshake. */
  verifyToken: string;
  /** Graph API base URL, default 'https://graph.facebook.com' (WHATSAPP_GRAPH_URL; the simulator in tests). */
  graphUrl?: string;
  /** Graph API version in the path, default `DEFAULT_GRAPH_VERSION`. */
  apiVersion?: string;
}

export interface EvolutionCredentials {
  /** Evolution server, e.g. 'https://evolution.example' (no trailing slash needed). */
  baseUrl: string;
  /** Instance name: the last path segment of every route. */
  instance: string;
  /** The global key or the instance token (`hash`), sent in the `apikey` header. */
  apiKey: string;
  /**
   * Our own per-channel secret. Evolution does not sign webhooks, so the instance's webhook is
   * configured to send this secret in a header (see src/whatsapp/README.md for the exact rule).
   */
  webhookSecret: string;
}

export interface WahaCredentials {
  /** WAHA server, e.g. 'https://waha.example'. */
  baseUrl: string;
  /** Session name ('default' on WAHA Core). */
  session: string;
  /** Sent as `X-Api-Key`. */
  apiKey: string;
  /** Key of the `X-Webhook-Hmac` (HMAC-SHA512) header; when set, every webhook must carry a valid one. */
  hmacKey?: string;
  /**
   * For WAHA builds without HMAC (Core 2024.x): a static secret the webhook's `customHeaders`
   * sends as `X-Sellify-Token`. Ignored when `hmacKey` is set.
   */
  webhookSecret?: string;
}

export interface SandboxCredentials {
  /** The channel whose in-memory inbox records what the bot sends. */
  channelId: string;
  /** Secret expected in `X-Sellify-Token` on sandbox webhook posts (e.g. from `sellify chat`). */
  webhookSecret?: string;
}

/**
 * The credential fields each transport reads, and the only ones a channel may store. The Graph base
 * URL and version are not among them: they are the operator's (WHATSAPP_GRAPH_URL), never a tenant's.
 */
export const TRANSPORT_CREDENTIAL_FIELDS = {
  cloud: ['phoneNumberId', 'accessToken', 'appSecret', 'verifyToken'],
  evolution: ['baseUrl', 'instance', 'apiKey', 'webhookSecret'],
  waha: ['baseUrl', 'session', 'apiKey', 'hmacKey', 'webhookSecret'],
  sandbox: ['webhookSecret'],
} as const satisfies Record<Transport, readonly string[]>;

// ---------------------------------------------------------------------------------------------
// Normalized inbound events

export type InboundMessageType =
  | 'text'
  | 'image'
  | 'audio'
  | 'video'
  | 'document'
  | 'sticker'
  | 'location'
  | 'contacts'
  | 'interactive'
  | 'button'
  | 'reaction'
  | 'order'
  | 'system'
  | 'unsupported'
  | 'unknown';

/** Who wrote. Any of these may be missing: username users hide their phone (Cloud, 2026+), LID chats hide it on gateways. */
export interface InboundSender {
  /** E.164 ('+2250701020304'), when the transport gives a phone number. */
  phone?: string;
  /** The transport's own phone form: Cloud `wa_id`/`from`, gateway JID digits ('2250701020304'). */
  waId?: string;
  /** Cloud business-scoped user id ('CI.1502576394655843'). */
  bsuid?: string;
  parentBsuid?: string;
  /** Gateway linked id ('123456789012345@lid'): not a phone number. */
  lid?: string;
  /** Profile name (Cloud `profile.name`, Evolution `pushName`, WAHA `_data.notifyName`). */
  name?: string;
  /** Cloud username (2026+). */
  username?: string;
}

export interface InboundMedia {
  /** Cloud media id (download with GET /{media-id}), or the gateway's message id. */
  id?: string;
  url?: string;
  mimeType?: string;
  sha256?: string;
  caption?: string;
  filename?: string;
  /** Audio recorded as a voice note (Cloud `voice`, Baileys `ptt`). */
  voice?: boolean;
  animated?: boolean;
  sizeBytes?: number;
}

export interface InboundLocation {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
  url?: string;
}

export interface InboundContactCard {
  name?: string;
  phones: { phone?: string; waId?: string; type?: string }[];
  /** Raw vCard text when the transport sends one (gateways). */
  vcard?: string;
}

/** A tap on something we sent: a reply button, a list row, a template quick reply, a Flow. */
export interface InboundChoice {
  kind: 'button_reply' | 'list_reply' | 'template_button' | 'flow_reply' | 'other';
  /** The id we gave the button or row (Cloud `button_reply.id`, template button `payload`). */
  id?: string;
  title?: string;
  description?: string;
  /** Flow answers, as the JSON string the transport sends. */
  responseJson?: string;
}

export interface InboundReaction {
  /** The message reacted to. */
  targetProviderId?: string;
  /** Absent when the user removed the reaction. */
  emoji?: string;
}

export interface InboundOrder {
  catalogId?: string;
  text?: string;
  items: { productRetailerId: string; quantity: number; itemPrice?: number; currency?: string }[];
}

export interface InboundSystem {
  /** 'user_changed_number', 'user_changed_user_id', 'request_welcome', … */
  type?: string;
  body?: string;
  newWaId?: string;
  newBsuid?: string;
}

/** Click-to-WhatsApp ad or post that brought the user (Cloud, first message only). */
export interface InboundReferral {
  sourceUrl?: string;
  sourceId?: string;
  sourceType?: string;
  headline?: string;
  body?: string;
  mediaType?: string;
  ctwaClid?: string;
  welcomeText?: string;
}

export interface ProviderError {
  code: number;
  title?: string;
  detail?: string;
}

export interface InboundMessageEvent {
  kind: 'message';
  /** Idempotency key: Cloud wamid, Evolution `key.id`, WAHA serialized id ('false_…@c.us_…'). */
  providerId: string;
  /** Transport-side account that received it: Cloud phone_number_id, Evolution instance, WAHA session. */
  account?: string;
  from: InboundSender;
  timestampMs: number;
  type: InboundMessageType;
  /** The transport's own type name when it differs from `type` ('imageMessage', 'request_welcome', 'ptt'…). */
  rawType?: string;
  /** What the bot should read: body, caption, button or row title, reaction emoji, order note, location name. */
  text?: string;
  /** The message this one quotes or answers (a reply, a button tap on our message). */
  replyToProviderId?: string;
  forwarded?: boolean;
  media?: InboundMedia;
  location?: InboundLocation;
  contacts?: InboundContactCard[];
  choice?: InboundChoice;
  reaction?: InboundReaction;
  order?: InboundOrder;
  system?: InboundSystem;
  referral?: InboundReferral;
  /** Catalogue product the user asked about ("Message business" on a product). */
  referredProduct?: { catalogId?: string; productRetailerId?: string };
  /** For `unsupported` messages: why the transport could not render it (Cloud 131051). */
  errors?: ProviderError[];
  /**
   * Sent from the seller's own phone (gateways), not by the customer and not by Sellify through
   * the API. The pipeline must not answer it; it may treat it as a human taking over the chat.
   */
  fromMe?: boolean;
}

export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'played' | 'failed';

export interface InboundStatusEvent {
  kind: 'status';
  /** The id the send call returned. */
  providerId: string;
  account?: string;
  status: DeliveryStatus;
  timestampMs: number;
  /** E.164 when the transport gives a phone number, else its raw recipient id. */
  recipient?: string;
  recipientBsuid?: string;
  /** The first error of a `failed` status. */
  error?: ProviderError;
  errors?: ProviderError[];
  /** Cloud per-message pricing (`type` 'regular' means billed). */
  pricing?: { type?: string; category?: string; model?: string; billable?: boolean };
  /** Cloud `biz_opaque_callback_data`, echoed from the send. */
  callbackData?: string;
}

export interface InboundHealthEvent {
  kind: 'health';
  /** Evolution instance, WAHA session; for Cloud account-level webhooks the display phone number (when given). */
  account?: string;
  event: HealthEventType;
  detail?: string;
  /** End of a restriction or lock, when the transport says. */
  untilMs?: number;
  timestampMs?: number;
  /**
   * What identifies this delivery of the event at the transport, to store it once: the provider's
   * event id (WAHA `evt_…`), else its own timestamp with the event and state (Evolution `date_time`,
   * Cloud `entry.time`). A replayed webhook carries the same one. Absent when the transport gives
   * neither; the pipeline then drops a repeat of the channel's last event within a short window.
   */
  eventId?: string;
}

/** Why an item of a webhook produced no event. Stable codes, for logs and metrics. */
export const IGNORE_REASONS = [
  'unknown_field',
  'unknown_event',
  'unknown_status',
  'malformed_item',
  'group_chat',
  'broadcast_chat',
  'own_api_message',
  'inbound_receipt',
  'pending_status',
  'provider_errors',
  'connection_progress',
  'protocol_message',
  'informational',
] as const;
export type IgnoreReason = (typeof IGNORE_REASONS)[number];

export interface IgnoredEvent {
  kind: 'ignored';
  reason: IgnoreReason;
  detail?: string;
}

export type InboundEvent = InboundMessageEvent | InboundStatusEvent | InboundHealthEvent | IgnoredEvent;

export interface ParseOptions {
  /**
   * When the webhook arrived. Used as the event time where the transport gives none (Evolution
   * receipts carry no timestamp; their `date_time` is local time mislabelled as UTC). Default: now.
   */
  receivedAtMs?: number;
}

/** The body is not a webhook of this transport at all (not an object, no `entry` array…): answer 400. */
export class WebhookPayloadError extends Error {
  readonly code = 'payload_invalid';

  constructor(message: string) {
    super(message);
    this.name = 'WebhookPayloadError';
  }
}

// ---------------------------------------------------------------------------------------------
// Webhook verification

export interface WebhookRequest {
  /** The body exactly as received, before any JSON parsing. */
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
  query?: Record<string, string>;
}

export type VerifyFailure = 'missing_signature' | 'bad_signature' | 'missing_secret';
export type VerifyResult = { ok: true } | { ok: false; reason: VerifyFailure };

// ---------------------------------------------------------------------------------------------
// Sending

export interface OutboundText {
  /** E.164 ('+2250701020304'). */
  to: string;
  text: string;
  /** Quote this message (a contextual reply). */
  replyToProviderId?: string;
  /** Cloud only: address a username user by BSUID (then `to` may be ''). */
  recipientBsuid?: string;
  /** Earlier attempts of this same send (0 on the first); Cloud's pair-limit backoff is 4^attempt s. */
  attempt?: number;
  /**
   * Our id of the message. Cloud echoes it in status webhooks (`biz_opaque_callback_data`), which
   * tells a worker that crashed after the send whether the send went through.
   */
  callbackData?: string;
}

export interface OutboundTemplate {
  to: string;
  /** Approved template name. */
  name: string;
  /** Template language code ('fr', 'en_US'). */
  language: string;
  /** Body parameters {{1}}, {{2}}… in order. */
  parameters?: string[];
  recipientBsuid?: string;
  attempt?: number;
  callbackData?: string;
}

export type ErrorClass = 'retry' | 'defer' | 'permanent' | 'window' | 'unreachable' | 'account';

/**
 * A classified send failure. `retry`: transient, try again with backoff. `defer`: rate limited,
 * try again after `retryAfterMs`. `permanent`: this message will never go (fix the payload or the
 * configuration). `window`: Cloud 24-hour window closed, send a template or skip. `unreachable`:
 * the recipient is not on WhatsApp. `account`: the number itself is blocked, logged out or
 * restricted; `healthEvent` says which, and the channel should pause.
 */
export interface TransportError {
  class: ErrorClass;
  /** Graph code as a string ('131047'), or a transport code ('http_503', 'timeout', 'econnreset', 'logged_out'…). */
  code: string;
  httpStatus?: number;
  message: string;
  retryAfterMs?: number;
  /** The event to feed the health engine, when the failure says something about the number. */
  healthEvent?: HealthEventType;
  /** A 463 reach-out lock: only first messages to new contacts are refused; existing chats go on. */
  newContactsOnly?: boolean;
  /** End of a lock or restriction, when known. */
  untilMs?: number;
}

export type SendResult =
  | { ok: true; providerId: string; waId?: string }
  | { ok: false; error: TransportError };
export type ActionResult = { ok: true } | { ok: false; error: TransportError };

export interface TransportClient {
  readonly kind: TransportKind;
  sendText(msg: OutboundText, signal?: AbortSignal): Promise<SendResult>;
  sendTemplate(msg: OutboundTemplate, signal?: AbortSignal): Promise<SendResult>;
  /** Blue ticks on `providerId` (and, on every transport, the earlier messages of that chat). */
  markRead(providerId: string, chatPhone: string, signal?: AbortSignal): Promise<ActionResult>;
  /**
   * Shows "typing…" in the chat for `durationMs` and resolves when that time is over, so the caller
   * sends right after. Cloud needs the inbound message id (it marks it read) and re-sends the 25 s
   * indicator every 20 s; Evolution's presence call blocks server-side; WAHA starts, waits, stops.
   */
  typing(
    chatPhone: string,
    durationMs: number,
    inReplyToProviderId?: string,
    signal?: AbortSignal,
  ): Promise<ActionResult>;
}

export interface ClientOptions {
  /**
   * Injected for tests. Default: Cloud, the global fetch (its base URL is the operator's
   * WHATSAPP_GRAPH_URL); Evolution and WAHA, a fetch guarded by `egress` (their base URL is the
   * tenant's: every connection is checked against the private-address rules, see shared/egress.ts).
   */
  fetch?: typeof fetch;
  /** The address rules for gateway base URLs. Default: private addresses refused. */
  egress?: EgressPolicy;
  /** Per HTTP request, default `DEFAULT_TIMEOUT_MS`. Evolution presence calls add their blocking delay. */
  timeoutMs?: number;
  /** How `typing` waits; injected for tests. Default a timer that honours the signal. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_GRAPH_URL = 'https://graph.facebook.com';
export const DEFAULT_GRAPH_VERSION = 'v25.0';
