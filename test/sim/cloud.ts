/**
 * Simulated WhatsApp Cloud API (reference section E, "Cloud API simulator"): the Graph messages
 * endpoint with its auth, validation, 24-hour window, pair and throughput limits; read receipts
 * and typing; media; and signed webhooks (inbound messages, status sequences, account events)
 * serialized once with \uXXXX escapes, exactly as Meta signs them.
 */
import { createHash, createHmac } from 'node:crypto';
import { normalizePhone } from '../../src/domain/phone.ts';
import {
  charCount,
  digits,
  field,
  header,
  isRecord,
  type SimContext,
  type SimRequest,
  type SimResponse,
  stringField,
  type TransportHandler,
} from './context.ts';
import { PlanQueue, type SentMessage, type SimStatus, type StatusPlanner, type StatusStep } from './plans.ts';
import type { WebhookRecord } from './recorder.ts';
import { type DeliveryOptions, metaJson, type RetryPolicy } from './webhooks.ts';

const DAY_MS = 86_400_000;

export interface CloudNumberConfig {
  phoneNumberId: string;
  /** Digits, no '+'; its country code is prepended to a `to` sent without '+'. */
  displayPhoneNumber: string;
  wabaId: string;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  /** Messages per second before 130429 (80 by default; 20 for coexistence numbers, 1000 upgraded). */
  throughputMps: number;
}

export interface CloudTemplate {
  name: string;
  language: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  /** Number of {{n}} body parameters; a different count gives 132000. */
  bodyParams: number;
  /** Only APPROVED templates can be sent (others give 132001 / 132015 / 132016). */
  status?: 'APPROVED' | 'PENDING' | 'PAUSED' | 'DISABLED';
}

export interface CloudSimOptions {
  numbers?: Partial<CloudNumberConfig>[];
  templates?: CloudTemplate[];
  statusPlan?: StatusPlanner;
  /** Which receipt carries `pricing` (never both); default 'delivered'. */
  pricingOn?: 'sent' | 'delivered';
  /** Post-1-Oct-2026 semantics: service messages beyond the free tier are `regular` (billed). */
  serviceMessagesBilled?: boolean;
  /** Pair rate limit per (number, user): burst and refill of one token. Default 45 and 6 s. */
  pairLimit?: { burst: number; refillMs: number };
  /** Customer service window; default 24 h. */
  windowMs?: number;
  /** Default signature of outgoing webhooks. */
  signature?: SignatureMode;
  /** > 0: events of one number within this simulated window go out in one POST. */
  batchWindowMs?: number;
  delivery?: Partial<Omit<DeliveryOptions, 'retry'>> & { retry?: Partial<RetryPolicy> };
}

export type SignatureMode = 'valid' | 'bad' | 'missing';

export type CloudInboundType =
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
  | 'request_welcome'
  | 'unsupported';

export interface CloudInboundInput {
  /** The user's phone, E.164 or digits. */
  from: string;
  type?: CloudInboundType;
  /** Text body, media caption, button/row title, reaction emoji (null: reaction removed), order note. */
  text?: string | null;
  name?: string;
  phoneNumberId?: string;
  id?: string;
  timestampMs?: number;
  /** Merged over the type object the simulator builds (`{ image: {...} }` content). */
  payload?: Record<string, unknown>;
  /** Quoted message / tapped message (`context.id`), or a forward. */
  context?: { id?: string; forwarded?: boolean };
  /** Click-to-WhatsApp referral; `true` for a default ad referral. */
  referral?: Record<string, unknown> | true;
  /** BSUID mode: adds `from_user_id` / `user_id`. */
  bsuid?: string;
  /** A username user: `from` and `wa_id` are left out (needs `bsuid`). */
  username?: string;
  signature?: SignatureMode;
}

export interface CloudInboundResult {
  id: string;
  /** The first attempt, or undefined when batched or no webhook URL is set. */
  delivery?: WebhookRecord;
}

interface SentRecord extends SentMessage {
  phoneNumberId: string;
  atMs: number;
  /** `biz_opaque_callback_data` of the send, echoed in its status webhooks as Meta does. */
  callbackData?: string;
}

interface Batch {
  number: CloudNumberConfig;
  contacts: unknown[];
  messages: unknown[];
  statuses: unknown[];
  keys: string[];
}

const HTTP_STATUS: Record<number, number> = {
  0: 401,
  190: 401,
  10: 403,
  368: 403,
  131031: 403,
  130497: 403,
  131000: 500,
  131057: 500,
  2: 503,
  131016: 503,
};

const TITLES: Record<number, string> = {
  4: 'Application request limit reached',
  80007: 'Rate limit issues',
  100: 'Invalid parameter',
  130429: 'Rate limit hit',
  131000: 'Something went wrong',
  131008: 'Required parameter is missing',
  131009: 'Parameter value is not valid',
  131016: 'Service unavailable',
  131026: 'Message undeliverable',
  131031: 'Account has been locked',
  131047: 'Re-engagement message',
  131048: 'Spam rate limit hit',
  131056: '(Business Account, Consumer Account) pair rate limit hit',
  131057: 'Account in maintenance mode',
  132000: 'Number of parameters does not match the expected number of params',
  132001: 'Template name does not exist in the translation',
  368: 'Temporarily blocked for policies violations',
};

export function graphError(code: number, details: string, httpStatus?: number): SimResponse {
  const title = TITLES[code] ?? 'Error';
  return {
    status: httpStatus ?? HTTP_STATUS[code] ?? 400,
    body: {
      error: {
        message: `(#${code}) ${title}`,
        type: 'OAuthException',
        code,
        error_data: { messaging_product: 'whatsapp', details },
        fbtrace_id: 'AsimFbTrace0000000000',
      },
    },
  };
}

const INVALID_TOKEN: SimResponse = {
  status: 401,
  body: {
    error: {
      message: 'Invalid OAuth access token - Cannot parse access token',
      type: 'OAuthException',
      code: 190,
      fbtrace_id: 'AsimFbTrace0000000000',
    },
  },
};

export const DEFAULT_CLOUD_NUMBER: CloudNumberConfig = {
  phoneNumberId: '106540352242922',
  displayPhoneNumber: '2250700000001',
  wabaId: '102290129340398',
  accessToken: 'sim-cloud-token',
  appSecret: 'sim-app-secret-0123456789',
  verifyToken: 'sim-verify-token',
  throughputMps: 80,
};

export class CloudSim implements TransportHandler {
  /** Where signed webhooks go; undefined: none are sent. */
  webhookUrl: string | undefined;
  signature: SignatureMode;
  readonly numbers = new Map<string, CloudNumberConfig>();
  readonly templates: CloudTemplate[];
  /** Every message the simulator accepted, in order. */
  readonly sent: SentRecord[] = [];
  readonly plans: PlanQueue;
  private readonly windowMs: number;
  private readonly pair: { burst: number; refillMs: number };
  private readonly pricingOn: 'sent' | 'delivered';
  private readonly serviceBilled: boolean;
  private readonly batchWindowMs: number;
  private readonly delivery: DeliveryOptions;
  private readonly lastInbound = new Map<string, number>();
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();
  private readonly recentSends = new Map<string, number[]>();
  private readonly inboundIds = new Map<string, { phoneNumberId: string; atMs: number; user: string }>();
  private readonly typingUntil = new Map<string, number>();
  private readonly media = new Map<string, { mimeType: string; bytes: Buffer }>();
  private readonly waIds = new Map<string, string>();
  private readonly injected: { code: number; details: string; httpStatus?: number }[] = [];
  private readonly batches = new Map<string, Batch>();

  constructor(
    private readonly ctx: SimContext,
    options: CloudSimOptions,
    webhookUrl: string | undefined,
  ) {
    this.webhookUrl = webhookUrl;
    this.signature = options.signature ?? 'valid';
    for (const partial of options.numbers ?? [{}]) {
      const number = { ...DEFAULT_CLOUD_NUMBER, ...partial };
      this.numbers.set(number.phoneNumberId, number);
    }
    this.templates = options.templates ?? [
      { name: 'hello_world', language: 'en_US', category: 'UTILITY', bodyParams: 0 },
      { name: 'relance_panier', language: 'fr', category: 'MARKETING', bodyParams: 1 },
    ];
    this.plans = new PlanQueue(options.statusPlan);
    this.windowMs = options.windowMs ?? DAY_MS;
    this.pair = options.pairLimit ?? { burst: 45, refillMs: 6_000 };
    this.pricingOn = options.pricingOn ?? 'delivered';
    this.serviceBilled = options.serviceMessagesBilled ?? false;
    this.batchWindowMs = options.batchWindowMs ?? 0;
    this.delivery = {
      duplicateProbability: options.delivery?.duplicateProbability ?? 0,
      duplicateDelayMs: options.delivery?.duplicateDelayMs ?? 2_000,
      timeoutMs: options.delivery?.timeoutMs ?? 10_000,
      retry: {
        maxAttempts: 12,
        baseDelayMs: 5_000,
        factor: 2,
        maxDelayMs: DAY_MS,
        jitter: 0.1,
        giveUpOn: [],
        successOn: 'exactly_200',
        ...options.delivery?.retry,
      },
    };
  }

  /** The base URL to give the client as `graphUrl`. */
  get graphUrl(): string {
    return `${this.ctx.url}/cloud`;
  }

  get defaultNumber(): CloudNumberConfig {
    return this.numbers.values().next().value as CloudNumberConfig;
  }

  // ------------------------------------------------------------------------------ test controls

  setStatusPlan(planner: StatusPlanner): void {
    this.plans.set(planner);
  }

  /** The next accepted message follows this plan (then the persistent planner again). */
  nextStatusPlan(plan: readonly StatusStep[]): void {
    this.plans.once(plan);
  }

  /** The next `times` sends answer this Graph error instead (131048, 368, 131000, 4…). */
  failNext(code: number, options: { times?: number; details?: string; httpStatus?: number } = {}): void {
    for (let i = 0; i < (options.times ?? 1); i++) {
      this.injected.push({
        code,
        details: options.details ?? `simulated error ${code}`,
        ...(options.httpStatus === undefined ? {} : { httpStatus: options.httpStatus }),
      });
    }
  }

  /** Opens (or refreshes) the customer service window as if `user` had written at `atMs`. */
  openWindow(user: string, options: { phoneNumberId?: string; atMs?: number } = {}): void {
    const pnid = options.phoneNumberId ?? this.defaultNumber.phoneNumberId;
    this.lastInbound.set(`${pnid}:${userKey(user)}`, options.atMs ?? this.ctx.clock.nowMs());
  }

  closeWindow(user: string, phoneNumberId = this.defaultNumber.phoneNumberId): void {
    this.lastInbound.delete(`${phoneNumberId}:${userKey(user)}`);
  }

  /** Meta rewrites some inputs (Brazil's ninth digit): answer `wa_id` for this `to`. */
  setWaId(input: string, waId: string): void {
    this.waIds.set(digits(input), waId);
  }

  /** Whether a typing indicator shown to `user` is still up (25 s, or until our next message). */
  isTyping(user: string, phoneNumberId = this.defaultNumber.phoneNumberId): boolean {
    const until = this.typingUntil.get(`${phoneNumberId}:${userKey(user)}`);
    return until !== undefined && until > this.ctx.clock.nowMs();
  }

  // ------------------------------------------------------------------------------ webhooks out

  /** A message from a user: signed webhook now (or in the next batch). Also opens the window. */
  async inbound(input: CloudInboundInput): Promise<CloudInboundResult> {
    const number = this.numberOf(input.phoneNumberId);
    const type = input.type ?? 'text';
    const nowMs = input.timestampMs ?? this.ctx.clock.nowMs();
    const fromDigits = digits(input.from);
    const id = input.id ?? this.wamid(fromDigits);
    const message: Record<string, unknown> = {
      ...(input.username ? {} : { from: fromDigits }),
      ...(input.bsuid ? { from_user_id: input.bsuid } : {}),
      id,
      timestamp: String(Math.floor(nowMs / 1000)),
      type,
    };
    if (input.context) {
      message.context = input.context.forwarded
        ? { forwarded: true }
        : { from: number.displayPhoneNumber, id: input.context.id };
    }
    if (input.referral) message.referral = input.referral === true ? defaultReferral() : input.referral;
    Object.assign(message, this.typeObject(type, input, fromDigits, number));
    if (input.payload) Object.assign(message, input.payload);

    const contact: Record<string, unknown> = {
      profile: { name: input.name ?? 'Client', ...(input.username ? { username: input.username } : {}) },
      ...(input.username ? {} : { wa_id: fromDigits }),
      ...(input.bsuid ? { user_id: input.bsuid } : {}),
    };
    const user = input.username && input.bsuid ? input.bsuid : fromDigits;
    this.inboundIds.set(id, { phoneNumberId: number.phoneNumberId, atMs: nowMs, user });
    // Any user message opens or refreshes the window; a system notice is not the user writing.
    if (type !== 'system') this.lastInbound.set(`${number.phoneNumberId}:${user}`, nowMs);
    const delivery = await this.emit(
      number,
      { messages: [message], contacts: [contact] },
      id,
      input.signature,
    );
    return delivery ? { id, delivery } : { id };
  }

  /** A status webhook for any id (the automatic sequences use the same path). */
  emitStatus(
    providerId: string,
    status: SimStatus,
    options: { to?: string; phoneNumberId?: string; error?: StatusStep['error']; pricing?: unknown } = {},
  ): Promise<WebhookRecord | undefined> {
    const number = this.numberOf(options.phoneNumberId);
    const sent = this.sent.find((s) => s.providerId === providerId);
    const statusObj: Record<string, unknown> = {
      id: providerId,
      status,
      timestamp: String(Math.floor(this.ctx.clock.nowMs() / 1000)),
      recipient_id: options.to ? digits(options.to) : (sent?.to ?? ''),
    };
    if (options.pricing) statusObj.pricing = options.pricing;
    if (sent?.callbackData) statusObj.biz_opaque_callback_data = sent.callbackData;
    if (status === 'failed' && options.error) {
      statusObj.errors = [
        {
          code: options.error.code,
          title: options.error.title,
          message: options.error.message ?? options.error.title,
          error_data: { details: options.error.details ?? options.error.title },
          href: '/documentation/business-messaging/whatsapp/support/error-codes',
        },
      ];
    }
    return this.emit(number, { statuses: [statusObj] }, `${providerId}:${status}`);
  }

  /** Any other webhook field (`phone_number_quality_update`, `account_update`, `user_preferences`…), with `entry[].time`. */
  sendChange(
    fieldName: string,
    value: Record<string, unknown>,
    options: { phoneNumberId?: string; signature?: SignatureMode } = {},
  ): Promise<WebhookRecord | undefined> {
    const number = this.numberOf(options.phoneNumberId);
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: number.wabaId,
          time: Math.floor(this.ctx.clock.nowMs() / 1000),
          changes: [{ field: fieldName, value }],
        },
      ],
    };
    return this.post(
      number,
      body,
      fieldName,
      `${fieldName}:${this.ctx.randomId('change', 8)}`,
      options.signature,
    );
  }

  /**
   * Coexistence: a text the seller typed in the WhatsApp Business app on this number, echoed as
   * `smb_message_echoes` (`message_echoes[]`, `from` the business, `to` the customer). Returns its id.
   */
  async echo(input: { to: string; text: string; phoneNumberId?: string; id?: string }): Promise<string> {
    const number = this.numberOf(input.phoneNumberId);
    const toDigits = digits(input.to);
    const id = input.id ?? this.wamid(toDigits);
    await this.sendChange(
      'smb_message_echoes',
      {
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: number.displayPhoneNumber, phone_number_id: number.phoneNumberId },
        message_echoes: [
          {
            from: number.displayPhoneNumber,
            to: toDigits,
            id,
            timestamp: String(Math.floor(this.ctx.clock.nowMs() / 1000)),
            type: 'text',
            text: { body: input.text },
          },
        ],
      },
      { phoneNumberId: number.phoneNumberId },
    );
    return id;
  }

  qualityUpdate(event: string, limit = 'TIER_2K'): Promise<WebhookRecord | undefined> {
    return this.sendChange('phone_number_quality_update', {
      display_phone_number: this.defaultNumber.displayPhoneNumber,
      event,
      current_limit: limit,
      max_daily_conversations_per_business: limit,
    });
  }

  /**
   * The GET handshake Meta makes when a callback URL is saved: Sellify must echo `hub.challenge`
   * (200) only for the right token.
   */
  async verifySubscription(
    options: { verifyToken?: string; challenge?: string; url?: string } = {},
  ): Promise<{ ok: boolean; status?: number; body?: string }> {
    const url = options.url ?? this.webhookUrl;
    if (!url) throw new Error('cloud simulator: no webhook URL to verify');
    const challenge = options.challenge ?? this.ctx.randomId('challenge', 10, '0123456789');
    const target = new URL(url);
    target.searchParams.set('hub.mode', 'subscribe');
    target.searchParams.set('hub.challenge', challenge);
    target.searchParams.set('hub.verify_token', options.verifyToken ?? this.defaultNumber.verifyToken);
    let status: number | undefined;
    let body: string | undefined;
    let error: string | undefined;
    try {
      const res = await fetch(target, { signal: AbortSignal.timeout(this.delivery.timeoutMs) });
      status = res.status;
      body = await res.text();
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    this.ctx.recorder.addWebhook({
      deliveryId: `subscribe_${challenge}`,
      transport: 'cloud',
      event: 'subscribe',
      url: target.toString(),
      method: 'GET',
      body: Buffer.alloc(0),
      headers: {},
      attempt: 1,
      duplicate: false,
      atMs: this.ctx.clock.nowMs(),
      ...(status === undefined ? {} : { status }),
      ...(body === undefined ? {} : { responseBody: body }),
      ...(error === undefined ? {} : { error }),
    });
    return {
      ok: status === 200 && body === challenge,
      ...(status === undefined ? {} : { status }),
      ...(body === undefined ? {} : { body }),
    };
  }

  private async emit(
    number: CloudNumberConfig,
    part: { messages?: unknown[]; contacts?: unknown[]; statuses?: unknown[] },
    key: string,
    signature?: SignatureMode,
  ): Promise<WebhookRecord | undefined> {
    if (!this.webhookUrl) return undefined;
    if (this.batchWindowMs > 0) {
      let batch = this.batches.get(number.phoneNumberId);
      if (!batch) {
        batch = { number, contacts: [], messages: [], statuses: [], keys: [] };
        this.batches.set(number.phoneNumberId, batch);
        const pending = batch;
        this.ctx.clock.schedule(this.batchWindowMs, () => this.flush(pending).then(() => {}));
      }
      batch.contacts.push(...(part.contacts ?? []));
      batch.messages.push(...(part.messages ?? []));
      batch.statuses.push(...(part.statuses ?? []));
      batch.keys.push(key);
      return undefined;
    }
    const changes = [];
    if (part.messages)
      changes.push({
        field: 'messages',
        value: this.value(number, { contacts: part.contacts, messages: part.messages }),
      });
    if (part.statuses)
      changes.push({ field: 'messages', value: this.value(number, { statuses: part.statuses }) });
    const body = { object: 'whatsapp_business_account', entry: [{ id: number.wabaId, changes }] };
    return this.post(number, body, part.statuses ? 'statuses' : 'messages', key, signature);
  }

  private flush(batch: Batch): Promise<WebhookRecord | undefined> {
    this.batches.delete(batch.number.phoneNumberId);
    const changes = [];
    // `value` carries either messages (with contacts) or statuses, never both.
    if (batch.messages.length > 0) {
      changes.push({
        field: 'messages',
        value: this.value(batch.number, { contacts: batch.contacts, messages: batch.messages }),
      });
    }
    if (batch.statuses.length > 0) {
      changes.push({ field: 'messages', value: this.value(batch.number, { statuses: batch.statuses }) });
    }
    const body = { object: 'whatsapp_business_account', entry: [{ id: batch.number.wabaId, changes }] };
    return this.post(batch.number, body, 'batch', batch.keys.join('|'));
  }

  private value(number: CloudNumberConfig, rest: Record<string, unknown>): Record<string, unknown> {
    const value: Record<string, unknown> = {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: number.displayPhoneNumber, phone_number_id: number.phoneNumberId },
    };
    for (const [k, v] of Object.entries(rest)) if (v !== undefined) value[k] = v;
    return value;
  }

  private post(
    number: CloudNumberConfig,
    payload: unknown,
    event: string,
    key: string,
    signature: SignatureMode = this.signature,
  ): Promise<WebhookRecord | undefined> {
    const url = this.webhookUrl;
    if (!url) return Promise.resolve(undefined);
    // Serialized once; these exact bytes are signed and sent on every attempt.
    const body = metaJson(payload);
    const sha256 = createHmac('sha256', number.appSecret).update(body).digest('hex');
    const sha1 = createHmac('sha1', number.appSecret).update(body).digest('hex');
    const headers = (): Record<string, string> => {
      const h: Record<string, string> = { 'user-agent': 'facebookexternalua' };
      if (signature === 'valid') {
        h['x-hub-signature-256'] = `sha256=${sha256}`;
        h['x-hub-signature'] = `sha1=${sha1}`;
      } else if (signature === 'bad') {
        h['x-hub-signature-256'] =
          `sha256=${createHmac('sha256', `${number.appSecret}-wrong`).update(body).digest('hex')}`;
      }
      return h;
    };
    return this.ctx.dispatcher.deliver({ transport: 'cloud', event, url, body, headers, key }, this.delivery);
  }

  // ------------------------------------------------------------------------------ Graph API

  async handle(req: SimRequest): Promise<SimResponse> {
    const segs = req.segments;
    // The version is optional in the path: /v25.0/{id}/messages or /{id}/messages.
    const rest = segs[0] !== undefined && /^v\d+\.\d+$/.test(segs[0]) ? segs.slice(1) : segs;
    if (req.method === 'GET' && rest[0] === 'media' && rest[1] !== undefined && segs[0] === 'media') {
      return this.download(req, rest[1]);
    }
    const number = this.authorize(req);
    if ('status' in number) return number;
    if (req.method === 'POST' && rest.length === 2 && rest[1] === 'messages') {
      return this.messages(req, number.token, rest[0]!);
    }
    if (req.method === 'GET' && rest.length === 1) return this.mediaInfo(rest[0]!);
    return graphError(100, `Unsupported ${req.method} request.`);
  }

  private authorize(req: SimRequest): { token: string } | SimResponse {
    const auth = header(req.headers, 'authorization');
    const token = auth?.match(/^Bearer\s+(.+)$/i)?.[1];
    if (!token || ![...this.numbers.values()].some((n) => n.accessToken === token)) return INVALID_TOKEN;
    return { token };
  }

  private messages(req: SimRequest, token: string, phoneNumberId: string): SimResponse {
    const number = this.numbers.get(phoneNumberId);
    if (!number || number.accessToken !== token) {
      return graphError(
        100,
        `Unsupported post request. Object with ID '${phoneNumberId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
      );
    }
    const body = req.json;
    if (req.jsonError || !isRecord(body)) return graphError(100, 'The request body is not valid JSON.');
    if (body.messaging_product !== 'whatsapp')
      return graphError(100, 'messaging_product must be "whatsapp".');
    if (body.status === 'read') return this.readReceipt(number, body);

    const to = stringField(body, 'to');
    const bsuid = stringField(body, 'recipient');
    if (!to && !bsuid) return graphError(131008, 'The parameter to is required.');
    const type = stringField(body, 'type') ?? 'text';
    const invalid = validateMessage(type, body, this.templates);
    if (invalid) return invalid;

    const injected = this.injected.shift();
    if (injected) return graphError(injected.code, injected.details, injected.httpStatus);

    const toDigits = to ? this.normalizeTo(to, number) : undefined;
    const key = toDigits ?? bsuid!;
    const nowMs = this.ctx.clock.nowMs();
    if (type !== 'template') {
      const last = this.lastInbound.get(`${number.phoneNumberId}:${key}`);
      if (last === undefined || nowMs - last >= this.windowMs) {
        return graphError(
          131047,
          'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
        );
      }
    }
    // Throughput: messages in the trailing second for this number.
    const recent = (this.recentSends.get(number.phoneNumberId) ?? []).filter((t) => nowMs - t < 1000);
    if (recent.length >= number.throughputMps) {
      this.recentSends.set(number.phoneNumberId, recent);
      return graphError(130429, 'Cloud API message throughput has been reached.');
    }
    // Pair limit: a token bucket per (number, user).
    const bucketKey = `${number.phoneNumberId}:${key}`;
    const bucket = this.buckets.get(bucketKey) ?? { tokens: this.pair.burst, atMs: nowMs };
    const tokens = Math.min(this.pair.burst, bucket.tokens + (nowMs - bucket.atMs) / this.pair.refillMs);
    if (tokens < 1) {
      this.buckets.set(bucketKey, { tokens, atMs: nowMs });
      return graphError(
        131056,
        'Too many messages sent from this phone number to the same phone number in a short period of time.',
      );
    }
    this.buckets.set(bucketKey, { tokens: tokens - 1, atMs: nowMs });
    recent.push(nowMs);
    this.recentSends.set(number.phoneNumberId, recent);

    const id = this.wamid(key);
    const template = type === 'template' ? stringField(field(body, 'template'), 'name') : undefined;
    const record: SentRecord = {
      transport: 'cloud',
      providerId: id,
      to: key,
      type,
      ...(template ? { template } : {}),
      phoneNumberId: number.phoneNumberId,
      atMs: nowMs,
    };
    const callbackData = stringField(body, 'biz_opaque_callback_data');
    if (callbackData !== undefined) record.callbackData = callbackData;
    this.sent.push(record);
    this.typingUntil.delete(bucketKey);
    this.scheduleStatuses(number, record);
    const waId = toDigits ? (this.waIds.get(toDigits) ?? toDigits) : undefined;
    return {
      status: 200,
      body: {
        messaging_product: 'whatsapp',
        contacts: [waId ? { input: to, wa_id: waId } : { input: bsuid, user_id: bsuid }],
        messages: [{ id, ...(type === 'template' ? { message_status: 'accepted' } : {}) }],
      },
    };
  }

  /** `to` without '+' gets the business number's country code, as Meta does. */
  private normalizeTo(to: string, number: CloudNumberConfig): string {
    if (to.trim().startsWith('+')) return digits(to);
    const cc = normalizePhone(`+${number.displayPhoneNumber}`).countryCode;
    return `${cc}${digits(to)}`;
  }

  private readReceipt(number: CloudNumberConfig, body: Record<string, unknown>): SimResponse {
    const messageId = stringField(body, 'message_id');
    const known = messageId === undefined ? undefined : this.inboundIds.get(messageId);
    const nowMs = this.ctx.clock.nowMs();
    if (!known || known.phoneNumberId !== number.phoneNumberId || nowMs - known.atMs > 30 * DAY_MS) {
      return graphError(131009, 'Invalid message_id: the message does not exist or is older than 30 days.');
    }
    const indicator = field(body, 'typing_indicator');
    if (indicator !== undefined) {
      if (stringField(indicator, 'type') !== 'text')
        return graphError(131009, 'typing_indicator.type must be "text".');
      this.typingUntil.set(`${number.phoneNumberId}:${known.user}`, nowMs + 25_000);
    }
    return { status: 200, body: { success: true } };
  }

  private scheduleStatuses(number: CloudNumberConfig, record: SentRecord): void {
    const unknown = !this.ctx.isOnWhatsApp(record.to);
    const plan = unknown
      ? [{ status: 'failed' as const, afterMs: 100, error: { code: 131026, title: 'Message undeliverable' } }]
      : this.plans.planFor(record);
    let pricingAt = plan.findIndex((s) => s.status === this.pricingOn);
    if (pricingAt === -1) pricingAt = plan.findIndex((s) => s.status !== 'failed');
    const templateCategory = this.templates.find((t) => t.name === record.template)?.category;
    const pricing = templateCategory
      ? { billable: true, pricing_model: 'PMP', type: 'regular', category: templateCategory.toLowerCase() }
      : {
          billable: this.serviceBilled,
          pricing_model: 'PMP',
          type: this.serviceBilled ? 'regular' : 'free_customer_service',
          category: 'service',
        };
    plan.forEach((step, index) => {
      this.ctx.clock.schedule(step.afterMs, () =>
        this.emitStatus(record.providerId, step.status, {
          to: record.to,
          phoneNumberId: number.phoneNumberId,
          ...(step.error ? { error: step.error } : {}),
          ...(index === pricingAt ? { pricing } : {}),
        }).then(() => {}),
      );
    });
  }

  private mediaInfo(mediaId: string): SimResponse {
    const media = this.media.get(mediaId);
    if (!media)
      return graphError(100, `Unsupported get request. Object with ID '${mediaId}' does not exist.`);
    return {
      status: 200,
      body: {
        messaging_product: 'whatsapp',
        url: `${this.graphUrl}/media/${mediaId}`,
        mime_type: media.mimeType,
        sha256: createHash('sha256').update(media.bytes).digest('hex'),
        file_size: media.bytes.length,
        id: mediaId,
      },
    };
  }

  private download(req: SimRequest, mediaId: string): SimResponse {
    const auth = this.authorize(req);
    if ('status' in auth) return auth;
    const media = this.media.get(mediaId);
    if (!media) return { status: 404, body: 'not found' };
    return { status: 200, body: media.bytes, headers: { 'content-type': media.mimeType } };
  }

  // ------------------------------------------------------------------------------ helpers

  private numberOf(phoneNumberId: string | undefined): CloudNumberConfig {
    if (phoneNumberId === undefined) return this.defaultNumber;
    const number = this.numbers.get(phoneNumberId);
    if (!number) throw new Error(`cloud simulator: unknown phone number id ${phoneNumberId}`);
    return number;
  }

  private wamid(user: string): string {
    const raw = `${user}\u0015\u0002\u0000\u0012\u0018\u0014${this.ctx.randomId('wamid', 20)}`;
    return `wamid.${Buffer.from(raw, 'latin1').toString('base64')}`;
  }

  private addMedia(mimeType: string): { id: string; sha256: string } {
    const id = this.ctx.randomId('media', 16, '0123456789');
    const bytes = Buffer.from(`simulated media ${id}`);
    this.media.set(id, { mimeType, bytes });
    return { id, sha256: createHash('sha256').update(bytes).digest('base64') };
  }

  private typeObject(
    type: CloudInboundType,
    input: CloudInboundInput,
    fromDigits: string,
    number: CloudNumberConfig,
  ): Record<string, unknown> {
    const text = input.text ?? undefined;
    const media = (mimeType: string, extra: Record<string, unknown> = {}): Record<string, unknown> => {
      const { id, sha256 } = this.addMedia(mimeType);
      return { id, mime_type: mimeType, sha256, ...extra };
    };
    switch (type) {
      case 'text':
        return { text: { body: text ?? 'Bonjour' } };
      case 'image':
        return { image: media('image/jpeg', text ? { caption: text } : {}) };
      case 'video':
        return { video: media('video/mp4', text ? { caption: text } : {}) };
      case 'audio':
        return { audio: media('audio/ogg; codecs=opus', { voice: true }) };
      case 'document':
        return {
          document: media('application/pdf', { filename: 'facture.pdf', ...(text ? { caption: text } : {}) }),
        };
      case 'sticker':
        return { sticker: media('image/webp', { animated: false }) };
      case 'location':
        return {
          location: {
            latitude: 5.3364,
            longitude: -4.0267,
            ...(text ? { name: text } : {}),
            address: 'Plateau, Abidjan',
          },
        };
      case 'contacts':
        return {
          contacts: [
            {
              name: { formatted_name: text ?? 'Awa Koné', first_name: 'Awa' },
              phones: [{ phone: '+225 07 11 22 33 44', wa_id: '2250711223344', type: 'CELL' }],
            },
          ],
        };
      case 'interactive':
        return {
          interactive: { type: 'button_reply', button_reply: { id: 'buy-now', title: text ?? 'Acheter' } },
        };
      case 'button':
        return { button: { payload: 'CART_123', text: text ?? 'Oui, je veux' } };
      case 'reaction':
        return {
          reaction: {
            message_id: input.context?.id ?? this.sent.at(-1)?.providerId ?? 'wamid.unknown',
            ...(input.text === null ? {} : { emoji: text ?? '👍' }),
          },
        };
      case 'order':
        return {
          order: {
            catalog_id: '194836987003835',
            ...(text ? { text } : {}),
            product_items: [
              { product_retailer_id: 'sac-noir', quantity: 2, item_price: 15000, currency: 'XOF' },
            ],
          },
        };
      case 'system':
        return {
          system: {
            body: text ?? `User ${fromDigits} changed from ${fromDigits} to ${number.displayPhoneNumber}`,
            type: 'user_changed_number',
            wa_id: fromDigits,
          },
        };
      case 'request_welcome':
        return {};
      case 'unsupported':
        return {
          errors: [
            {
              code: 131051,
              title: 'Message type unknown',
              message: 'Message type unknown',
              error_data: { details: 'Message type is currently not supported.' },
            },
          ],
        };
    }
  }
}

function userKey(user: string): string {
  return /^[A-Z]{2}\./.test(user) ? user : digits(user);
}

function defaultReferral(): Record<string, unknown> {
  return {
    source_url: 'https://fb.me/sim-ad',
    source_id: '120210000000000000',
    source_type: 'ad',
    headline: 'Sacs en cuir',
    body: 'Livraison à Abidjan',
    media_type: 'image',
    image_url: 'https://example.invalid/ad.jpg',
    ctwa_clid: 'ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMXP',
    welcome_message: { text: 'Bonjour ! Comment pouvons-nous aider ?' },
  };
}

/** Sync validation of a send, in Meta's order: the request shape, then the per-type limits. */
function validateMessage(
  type: string,
  body: Record<string, unknown>,
  templates: CloudTemplate[],
): SimResponse | undefined {
  const obj = field(body, type);
  switch (type) {
    case 'text': {
      const text = stringField(obj, 'body');
      if (text === undefined || text === '') return graphError(131008, "Param text['body'] is required.");
      if (charCount(text) > 4096)
        return graphError(100, "Param text['body'] must be at most 4096 characters long.");
      return undefined;
    }
    case 'template': {
      const name = stringField(obj, 'name');
      const language = stringField(field(obj, 'language'), 'code');
      if (!name || !language)
        return graphError(131008, 'template.name and template.language.code are required.');
      const template = templates.find((t) => t.name === name && t.language === language);
      if (!template || (template.status ?? 'APPROVED') === 'PENDING') {
        return graphError(132001, `template name (${name}) does not exist in ${language}`);
      }
      if (template.status === 'PAUSED') return graphError(132015, `template ${name} is paused`);
      if (template.status === 'DISABLED') return graphError(132016, `template ${name} is disabled`);
      const components = field(obj, 'components');
      const bodyComponent = Array.isArray(components)
        ? components.find((c) => stringField(c, 'type') === 'body')
        : undefined;
      const params = field(bodyComponent, 'parameters');
      const count = Array.isArray(params) ? params.length : 0;
      if (count !== template.bodyParams) {
        return graphError(
          132000,
          `expected number of params (${template.bodyParams}) does not match the received (${count})`,
        );
      }
      return undefined;
    }
    case 'interactive':
      return validateInteractive(obj);
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker':
      if (!stringField(obj, 'id') && !stringField(obj, 'link'))
        return graphError(131008, `${type}.id or ${type}.link is required.`);
      return undefined;
    case 'location':
      if (typeof field(obj, 'latitude') !== 'number' || typeof field(obj, 'longitude') !== 'number') {
        return graphError(131008, 'location.latitude and location.longitude are required.');
      }
      return undefined;
    case 'reaction':
      if (!stringField(obj, 'message_id')) return graphError(131008, 'reaction.message_id is required.');
      return undefined;
    case 'contacts':
      if (!Array.isArray(field(body, 'contacts'))) return graphError(131008, 'contacts is required.');
      return undefined;
    default:
      return graphError(100, `Param type '${type}' is not a valid message type.`);
  }
}

function tooLong(value: unknown, max: number): boolean {
  return typeof value === 'string' && charCount(value) > max;
}

function validateInteractive(obj: unknown): SimResponse | undefined {
  const kind = stringField(obj, 'type');
  const bodyText = stringField(field(obj, 'body'), 'text');
  const action = field(obj, 'action');
  if (!bodyText) return graphError(131008, 'interactive.body.text is required.');
  if (tooLong(stringField(field(obj, 'footer'), 'text'), 60))
    return graphError(131009, 'footer text is longer than 60.');
  if (kind === 'button') {
    if (tooLong(bodyText, 1024)) return graphError(131009, 'body text is longer than 1024.');
    const buttons = field(action, 'buttons');
    if (!Array.isArray(buttons) || buttons.length === 0 || buttons.length > 3) {
      return graphError(131009, 'buttons must have between 1 and 3 items.');
    }
    const titles = new Set<string>();
    for (const b of buttons) {
      const reply = field(b, 'reply');
      const title = stringField(reply, 'title') ?? '';
      if (tooLong(title, 20) || title === '')
        return graphError(131009, 'button title must be 1 to 20 characters.');
      if (tooLong(stringField(reply, 'id') ?? '', 256))
        return graphError(131009, 'button id is longer than 256.');
      if (titles.has(title)) return graphError(131009, 'button titles must be unique.');
      titles.add(title);
    }
    return undefined;
  }
  if (kind === 'list') {
    if (tooLong(bodyText, 4096)) return graphError(131009, 'body text is longer than 4096.');
    if (!stringField(action, 'button') || tooLong(stringField(action, 'button'), 20)) {
      return graphError(131009, 'list button must be 1 to 20 characters.');
    }
    const sections = field(action, 'sections');
    if (!Array.isArray(sections) || sections.length === 0 || sections.length > 10) {
      return graphError(131009, 'sections must have between 1 and 10 items.');
    }
    let rows = 0;
    for (const s of sections) {
      if (tooLong(stringField(s, 'title'), 24)) return graphError(131009, 'section title is longer than 24.');
      const list = field(s, 'rows');
      if (!Array.isArray(list)) return graphError(131008, 'section rows are required.');
      for (const row of list) {
        rows += 1;
        if (tooLong(stringField(row, 'id') ?? '', 200))
          return graphError(131009, 'row id is longer than 200.');
        const title = stringField(row, 'title') ?? '';
        if (title === '' || tooLong(title, 24))
          return graphError(131009, 'row title must be 1 to 24 characters.');
        if (tooLong(stringField(row, 'description'), 72))
          return graphError(131009, 'row description is longer than 72.');
      }
    }
    if (rows > 10) return graphError(131009, 'a list has at most 10 rows in total.');
    return undefined;
  }
  return graphError(100, `interactive type '${kind ?? ''}' is not supported here.`);
}
