/**
 * Simulated WAHA (reference section E, "WAHA simulator"): `X-Api-Key` auth, sessions and their
 * status machine, /api/sendText (201 WAMessage), typing and seen, the LID map, and webhooks in
 * WAHA's envelope with `X-Webhook-Hmac` (SHA-512) when a key is set.
 */
import { createHmac } from 'node:crypto';
import type { TimerHandle } from './clock.ts';
import {
  digits,
  field,
  header,
  type SimContext,
  type SimRequest,
  type SimResponse,
  stringField,
  type TransportHandler,
} from './context.ts';
import { PlanQueue, type SimStatus, type StatusPlanner, type StatusStep } from './plans.ts';
import type { WebhookRecord } from './recorder.ts';
import type { DeliveryOptions, RetryPolicy } from './webhooks.ts';

export type WahaStatus =
  | 'STOPPED'
  | 'STARTING'
  | 'SCAN_QR_CODE'
  | 'WORKING'
  | 'FAILED'
  | 'PASSKEY_REQUIRED'
  | 'PASSKEY_CONFIRMATION_REQUIRED';

export interface WahaWebhookConfig {
  url: string;
  events: string[];
  hmacKey?: string;
  customHeaders: Record<string, string>;
}

export interface WahaSession {
  name: string;
  status: WahaStatus;
  history: { status: WahaStatus; timestamp: number }[];
  me: { id: string; pushName: string; lid: string };
  webhooks: WahaWebhookConfig[];
  /** Whether WhatsApp knows this session's device (a start then goes straight to WORKING). */
  paired: boolean;
  /** The QR codes of the pairing under way. */
  qr?: { raw: string; count: number };
  timers: TimerHandle[];
}

/** How a simulated session pairs (WAHA: the first QR lives 60 s, then 20 s each, 6 codes, then FAILED). */
export interface WahaPairingOptions {
  /** STARTING lasts this long before the first QR. Default 1_000. */
  startingMs?: number;
  /** Lifetime of the first QR. Default 60_000. */
  firstQrMs?: number;
  /** Lifetime of the next ones. Default 20_000. */
  qrRefreshMs?: number;
  /** QR codes before FAILED. Default 6. */
  maxQrCodes?: number;
}

/**
 * The body `POST /api/sendText` answers with, per WAHA release (reference C5 and the WAHA source):
 * `wamessage` — the documented WAMessage with a serialized string id (every engine since 2024);
 * `webjs` — whatsapp-web.js's Message object as is, id `{ fromMe, remote, id, _serialized }`;
 * `noweb-legacy` — NOWEB before 2024.11: Baileys' WebMessageInfo, `{ key: { remoteJid:
 * '…@s.whatsapp.net', fromMe: true, id }, message, messageTimestamp, status: 'PENDING' }`.
 * Webhooks carry the serialized id `true_<chat>@c.us_<id>` in every case.
 */
export type WahaSendTextShape = 'wamessage' | 'webjs' | 'noweb-legacy';

export interface WahaSimOptions {
  apiKey?: string;
  /** Default 'wamessage'. */
  sendTextShape?: WahaSendTextShape;
  sessions?: { name: string; ownerPhone?: string; status?: WahaStatus }[];
  /** HMAC key of the default webhook; none: unsigned. */
  hmacKey?: string;
  /** Events of the default webhook; default message, message.ack, session.status. */
  events?: string[];
  customHeaders?: Record<string, string>;
  statusPlan?: StatusPlanner;
  delivery?: Partial<Omit<DeliveryOptions, 'retry'>> & { retry?: Partial<RetryPolicy> };
  pairing?: WahaPairingOptions;
}

export interface WahaInboundInput {
  from: string;
  text?: string;
  name?: string;
  session?: string;
  /** The message id part ('3EB0…'); the full id becomes false_<chat>_<id>. */
  id?: string;
  timestampMs?: number;
  /** Sender shown as '<lid>@lid' (the LID map resolves it to `from`). */
  lid?: string;
  /** Typed on the seller's phone: only message.any, source 'app'. */
  fromMe?: boolean;
  replyToId?: string;
  /** Extra WAMessage fields (hasMedia, media, location, vCards, _data…). */
  payload?: Record<string, unknown>;
}

const ACK: Record<SimStatus, { ack: number; ackName: string }> = {
  failed: { ack: -1, ackName: 'ERROR' },
  sent: { ack: 1, ackName: 'SERVER' },
  delivered: { ack: 2, ackName: 'DEVICE' },
  read: { ack: 3, ackName: 'READ' },
  played: { ack: 4, ackName: 'PLAYED' },
};

const UNAUTHORIZED: SimResponse = { status: 401, body: { message: 'Unauthorized', statusCode: 401 } };
const ULID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export class WahaSim implements TransportHandler {
  apiKey: string;
  readonly sessions = new Map<string, WahaSession>();
  readonly plans: PlanQueue;
  readonly sent: { providerId: string; session: string; chatId: string; text: string; atMs: number }[] = [];
  readonly typing: { session: string; chatId: string; action: 'start' | 'stop'; atMs: number }[] = [];
  /** '<lid>@lid' → 'digits@c.us' */
  readonly lids = new Map<string, string>();
  /** What /api/sendText answers with (see WahaSendTextShape); tests may switch it. */
  sendTextShape: WahaSendTextShape;
  private readonly delivery: DeliveryOptions;
  private readonly defaultWebhook: WahaWebhookConfig | undefined;
  /** Pairing timings; tests may change them. */
  pairingOptions: Required<WahaPairingOptions>;

  constructor(
    private readonly ctx: SimContext,
    options: WahaSimOptions,
    webhookUrl: string | undefined,
  ) {
    this.apiKey = options.apiKey ?? 'sim-waha-key';
    this.sendTextShape = options.sendTextShape ?? 'wamessage';
    this.pairingOptions = {
      startingMs: options.pairing?.startingMs ?? 1_000,
      firstQrMs: options.pairing?.firstQrMs ?? 60_000,
      qrRefreshMs: options.pairing?.qrRefreshMs ?? 20_000,
      maxQrCodes: options.pairing?.maxQrCodes ?? 6,
    };
    this.plans = new PlanQueue(options.statusPlan);
    this.delivery = {
      duplicateProbability: options.delivery?.duplicateProbability ?? 0,
      duplicateDelayMs: options.delivery?.duplicateDelayMs ?? 2_000,
      timeoutMs: options.delivery?.timeoutMs ?? 10_000,
      retry: {
        maxAttempts: 15,
        baseDelayMs: 2_000,
        factor: 2,
        maxDelayMs: 600_000,
        jitter: 0.2,
        giveUpOn: [],
        successOn: '2xx',
        ...options.delivery?.retry,
      },
    };
    this.defaultWebhook = webhookUrl
      ? {
          url: webhookUrl,
          events: options.events ?? ['message', 'message.ack', 'session.status'],
          ...(options.hmacKey ? { hmacKey: options.hmacKey } : {}),
          customHeaders: options.customHeaders ?? {},
        }
      : undefined;
    for (const spec of options.sessions ?? [{ name: 'default' }]) {
      this.addSession(spec.name, spec.ownerPhone ?? '2250700000003', spec.status ?? 'WORKING');
    }
  }

  get baseUrl(): string {
    return `${this.ctx.url}/waha`;
  }

  get defaultSession(): WahaSession {
    return this.sessions.values().next().value as WahaSession;
  }

  addSession(name: string, ownerPhone = '2250700000003', status: WahaStatus = 'STOPPED'): WahaSession {
    const session: WahaSession = {
      name,
      status,
      history: [{ status, timestamp: this.ctx.clock.nowMs() }],
      me: {
        id: `${digits(ownerPhone)}@c.us`,
        pushName: 'Boutique Sim',
        lid: `${this.ctx.randomId('lid', 15, '0123456789')}@lid`,
      },
      webhooks: this.defaultWebhook ? [{ ...this.defaultWebhook }] : [],
      paired: status === 'WORKING',
      timers: [],
    };
    this.sessions.set(name, session);
    return session;
  }

  setStatusPlan(planner: StatusPlanner): void {
    this.plans.set(planner);
  }

  nextStatusPlan(plan: readonly StatusStep[]): void {
    this.plans.once(plan);
  }

  /** Moves the session to `status` and emits `session.status` with the last three statuses. */
  setStatus(status: WahaStatus, sessionName?: string): Promise<WebhookRecord[]> {
    const session = this.sessionOf(sessionName);
    session.status = status;
    session.history = [...session.history, { status, timestamp: this.ctx.clock.nowMs() }].slice(-3);
    return this.emit(
      session,
      'session.status',
      { name: session.name, status, statuses: session.history },
      `status:${status}:${this.ctx.randomId('st', 6)}`,
    );
  }

  /** STARTING → SCAN_QR_CODE (twice, the QR refreshes) → WORKING, one step per simulated second. */
  pair(sessionName?: string): void {
    const name = this.sessionOf(sessionName).name;
    const steps: WahaStatus[] = ['STARTING', 'SCAN_QR_CODE', 'SCAN_QR_CODE', 'WORKING'];
    steps.forEach((status, i) => {
      this.ctx.clock.schedule(i * 1_000, () => this.setStatus(status, name).then(() => {}));
    });
  }

  /**
   * A start through the API: a paired session goes STARTING → WORKING; an unpaired one STARTING →
   * SCAN_QR_CODE (a new QR at each refresh, re-emitted) → FAILED after `maxQrCodes`, unless
   * `scan()` comes first.
   */
  startPairing(sessionName?: string): void {
    const session = this.sessionOf(sessionName);
    this.stopTimers(session);
    delete session.qr;
    const name = session.name;
    this.setStatus('STARTING', name).catch(() => {});
    const o = this.pairingOptions;
    if (session.paired) {
      session.timers.push(
        this.ctx.clock.schedule(o.startingMs, () => this.setStatus('WORKING', name).then(() => {})),
      );
      return;
    }
    session.timers.push(this.ctx.clock.schedule(o.startingMs, () => this.nextQr(name)));
  }

  private async nextQr(name: string): Promise<void> {
    const session = this.sessions.get(name);
    if (!session || (session.status !== 'STARTING' && session.status !== 'SCAN_QR_CODE')) return;
    const count = (session.qr?.count ?? 0) + 1;
    const o = this.pairingOptions;
    if (count > o.maxQrCodes) {
      delete session.qr;
      await this.setStatus('FAILED', name);
      return;
    }
    session.qr = {
      raw: `2@${this.ctx.randomId('waha-qr', 40, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}`,
      count,
    };
    session.timers.push(
      this.ctx.clock.schedule(count === 1 ? o.firstQrMs : o.qrRefreshMs, () => this.nextQr(name)),
    );
    await this.setStatus('SCAN_QR_CODE', name);
  }

  /** The phone scanned the QR (or typed the code): SCAN_QR_CODE → WORKING. */
  async scan(sessionName?: string): Promise<void> {
    const session = this.sessionOf(sessionName);
    if (session.status !== 'SCAN_QR_CODE') return;
    this.stopTimers(session);
    delete session.qr;
    session.paired = true;
    await this.setStatus('WORKING', session.name);
  }

  private stopTimers(session: WahaSession): void {
    for (const t of session.timers) t.cancel();
    session.timers = [];
  }

  /** WhatsApp dropped the pairing: WORKING → SCAN_QR_CODE. */
  logout(sessionName?: string): Promise<WebhookRecord[]> {
    return this.setStatus('SCAN_QR_CODE', sessionName);
  }

  /** A customer message: `message` and `message.any` (or only `message.any` for fromMe). */
  async inbound(input: WahaInboundInput): Promise<{ id: string; deliveries: WebhookRecord[] }> {
    const session = this.sessionOf(input.session);
    const chat = `${digits(input.from)}@c.us`;
    const sender = input.lid ? `${input.lid}@lid` : chat;
    if (input.lid) this.lids.set(`${input.lid}@lid`, chat);
    const fromMe = input.fromMe ?? false;
    const id = `${fromMe}_${sender}_${input.id ?? `3EB0${this.ctx.randomId('waha-id', 16)}`}`;
    const payload = {
      id,
      timestamp: Math.floor((input.timestampMs ?? this.ctx.clock.nowMs()) / 1000),
      from: fromMe ? session.me.id : sender,
      fromMe,
      source: 'app',
      to: fromMe ? sender : session.me.id,
      participant: null,
      body: input.text ?? 'Bonjour',
      hasMedia: false,
      media: null,
      ack: 1,
      ackName: 'SERVER',
      replyTo: input.replyToId ? { id: input.replyToId, body: '', hasMedia: false } : null,
      vCards: [],
      _data: { notifyName: input.name ?? 'Client', type: 'chat' },
      ...input.payload,
    };
    const deliveries: WebhookRecord[] = [];
    if (!fromMe) deliveries.push(...(await this.emit(session, 'message', payload, `message:${id}`)));
    deliveries.push(...(await this.emit(session, 'message.any', payload, `any:${id}`)));
    return { id, deliveries };
  }

  emitAck(
    providerId: string,
    chatId: string,
    status: SimStatus,
    sessionName?: string,
  ): Promise<WebhookRecord[]> {
    const session = this.sessionOf(sessionName);
    return this.emit(
      session,
      'message.ack',
      {
        id: providerId,
        from: session.me.id,
        to: chatId,
        participant: null,
        fromMe: true,
        ...ACK[status],
        _data: {},
      },
      `ack:${providerId}:${status}`,
    );
  }

  private async emit(
    session: WahaSession,
    event: string,
    payload: unknown,
    key: string,
  ): Promise<WebhookRecord[]> {
    const out: WebhookRecord[] = [];
    for (const hook of session.webhooks) {
      if (!hook.events.includes(event) && !hook.events.includes('*')) continue;
      const nowMs = this.ctx.clock.nowMs();
      const envelope = {
        id: `evt_${this.ulid(nowMs)}`,
        timestamp: nowMs,
        event,
        session: session.name,
        metadata: {},
        me: session.me,
        payload,
        engine: 'NOWEB',
        environment: { version: '2026.7.1', engine: 'NOWEB', tier: 'PLUS', browser: null },
      };
      const body = Buffer.from(JSON.stringify(envelope), 'utf8');
      const hmac = hook.hmacKey ? createHmac('sha512', hook.hmacKey).update(body).digest('hex') : undefined;
      const headers = (attempt: number): Record<string, string> => ({
        ...Object.fromEntries(Object.entries(hook.customHeaders).map(([k, v]) => [k.toLowerCase(), v])),
        'x-webhook-request-id': `req_${this.ulid(this.ctx.clock.nowMs())}_${attempt}`,
        'x-webhook-timestamp': String(this.ctx.clock.nowMs()),
        'user-agent': 'WAHA/2026.7.1',
        ...(hmac ? { 'x-webhook-hmac': hmac, 'x-webhook-hmac-algorithm': 'sha512' } : {}),
      });
      out.push(
        await this.ctx.dispatcher.deliver(
          { transport: 'waha', event, url: hook.url, body, headers, key },
          this.delivery,
        ),
      );
    }
    return out;
  }

  private ulid(nowMs: number): string {
    let time = '';
    for (let t = nowMs, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = ULID_ALPHABET[t % 32] + time;
    return time + this.ctx.randomId('ulid', 16, ULID_ALPHABET);
  }

  sessionOf(name: string | undefined): WahaSession {
    if (name === undefined) return this.defaultSession;
    const session = this.sessions.get(name);
    if (!session) throw new Error(`waha simulator: unknown session ${name}`);
    return session;
  }

  // ------------------------------------------------------------------------------ API

  async handle(req: SimRequest): Promise<SimResponse> {
    const key = header(req.headers, 'x-api-key') ?? req.query['x-api-key'];
    if (key !== this.apiKey) return UNAUTHORIZED;
    const [api, a, b, c] = req.segments;
    if (api !== 'api') return notFound(req);
    if (req.jsonError) return badRequest(['body must be JSON']);
    if (req.method === 'POST' && a === 'sessions' && b === undefined) return this.createSession(req);
    if (req.method === 'PUT' && a === 'sessions' && b !== undefined && c === undefined)
      return this.updateSession(b, req);
    if (a !== undefined && b === 'auth' && (c === 'qr' || c === 'request-code')) {
      const session = this.sessions.get(decodeURIComponent(a));
      if (!session) return sessionNotFound(decodeURIComponent(a));
      if (session.status !== 'SCAN_QR_CODE' || !session.qr) {
        return {
          status: 422,
          body: {
            error: 'Session status is not as expected. Try again later or restart the session',
            session: session.name,
            status: session.status,
            expected: ['SCAN_QR_CODE'],
          },
        };
      }
      if (c === 'request-code' && req.method === 'POST') {
        const phone = stringField(req.json, 'phoneNumber');
        if (!phone) return badRequest(['phoneNumber should not be empty']);
        const code = this.ctx.randomId('waha-code', 8, 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789');
        return { status: 201, body: { code: `${code.slice(0, 4)}-${code.slice(4)}` } };
      }
      if (c === 'qr' && req.method === 'GET') {
        if (req.query.format === 'raw') return { status: 200, body: { value: session.qr.raw } };
        const png = Buffer.from(SIM_PNG_BASE64, 'base64');
        if ((header(req.headers, 'accept') ?? '').includes('application/json'))
          return { status: 200, body: { mimetype: 'image/png', data: png.toString('base64') } };
        return { status: 200, body: png, headers: { 'content-type': 'image/png' } };
      }
    }
    if (req.method === 'POST') {
      switch (a) {
        case 'sendText':
          return this.sendText(req);
        case 'startTyping':
        case 'stopTyping':
          return this.presence(req, a === 'startTyping' ? 'start' : 'stop');
        case 'sendSeen':
          return this.sendSeen(req);
      }
      if (
        a === 'sessions' &&
        b !== undefined &&
        (c === 'start' || c === 'stop' || c === 'logout' || c === 'restart')
      ) {
        return this.sessionAction(b, c);
      }
    }
    if (req.method === 'GET') {
      if (a === 'sessions' && b === undefined)
        return { status: 200, body: [...this.sessions.values()].map(info) };
      if (a === 'sessions' && b !== undefined) {
        const session = this.sessions.get(b);
        return session ? { status: 200, body: info(session) } : sessionNotFound(b);
      }
      if (a !== undefined && b === 'lids' && c !== undefined) {
        const lid = decodeURIComponent(c).includes('@')
          ? decodeURIComponent(c)
          : `${decodeURIComponent(c)}@lid`;
        return { status: 200, body: { lid, pn: this.lids.get(lid) ?? null } };
      }
    }
    return notFound(req);
  }

  private working(req: SimRequest): WahaSession | SimResponse {
    const name = stringField(req.json, 'session') ?? 'default';
    const session = this.sessions.get(name);
    if (!session) return sessionNotFound(name);
    if (session.status !== 'WORKING') {
      return {
        status: 422,
        body: {
          error: 'Session status is not as expected. Try again later or restart the session',
          session: name,
          status: session.status,
          expected: ['WORKING'],
        },
      };
    }
    return session;
  }

  private sendText(req: SimRequest): SimResponse {
    const chatId = stringField(req.json, 'chatId');
    const text = stringField(req.json, 'text');
    const problems = [
      ...(chatId ? [] : ['chatId should not be empty']),
      ...(text ? [] : ['text should not be empty']),
    ];
    if (problems.length > 0) return badRequest(problems);
    const s = this.working(req);
    if (!('me' in s)) return s;
    const chat = chatId!.includes('@') ? chatId! : `${digits(chatId!)}@c.us`;
    const keyId = `3EB0${this.ctx.randomId('waha-id', 16)}`;
    const id = `true_${chat}_${keyId}`;
    const nowMs = this.ctx.clock.nowMs();
    const replyTo = stringField(req.json, 'reply_to');
    const message = {
      id,
      timestamp: Math.floor(nowMs / 1000),
      from: s.me.id,
      fromMe: true,
      source: 'api',
      to: chat,
      participant: null,
      body: text,
      hasMedia: false,
      media: null,
      ack: 0,
      ackName: 'PENDING',
      replyTo: replyTo ? { id: replyTo, body: '', hasMedia: false } : null,
      vCards: [],
      _data: {},
    };
    this.sent.push({ providerId: id, session: s.name, chatId: chat, text: text!, atMs: nowMs });
    this.emit(s, 'message.any', message, `any:${id}`).catch(() => {});
    const to = digits(chat.split('@')[0] ?? '');
    const plan = this.ctx.isOnWhatsApp(to)
      ? this.plans.planFor({ transport: 'waha', providerId: id, to, type: 'text' })
      : [{ status: 'failed' as const, afterMs: 100 }];
    for (const step of plan) {
      this.ctx.clock.schedule(step.afterMs, () => this.emitAck(id, chat, step.status, s.name).then(() => {}));
    }
    return { status: 201, body: this.sendTextAnswer(message, chat, keyId) };
  }

  private sendTextAnswer(message: Record<string, unknown>, chat: string, keyId: string): unknown {
    switch (this.sendTextShape) {
      case 'wamessage':
        return message;
      case 'webjs':
        return {
          ...message,
          id: { fromMe: true, remote: chat, id: keyId, _serialized: message.id },
          _data: { id: { fromMe: true, remote: chat, id: keyId, _serialized: message.id } },
        };
      case 'noweb-legacy':
        return {
          key: { remoteJid: chat.replace(/@c\.us$/, '@s.whatsapp.net'), fromMe: true, id: keyId },
          message: { extendedTextMessage: { text: message.body } },
          messageTimestamp: String(message.timestamp),
          status: 'PENDING',
        };
    }
  }

  private presence(req: SimRequest, action: 'start' | 'stop'): SimResponse {
    const chatId = stringField(req.json, 'chatId');
    if (!chatId) return badRequest(['chatId should not be empty']);
    const session = this.working(req);
    if (!('me' in session)) return session;
    this.typing.push({ session: session.name, chatId, action, atMs: this.ctx.clock.nowMs() });
    return { status: 201 };
  }

  private sendSeen(req: SimRequest): SimResponse {
    const chatId = stringField(req.json, 'chatId');
    if (!chatId) return badRequest(['chatId should not be empty']);
    const ids = field(req.json, 'messageIds');
    if (ids !== undefined && !Array.isArray(ids)) return badRequest(['messageIds must be an array']);
    const session = this.working(req);
    if (!('me' in session)) return session;
    return { status: 201 };
  }

  private async sessionAction(
    name: string,
    action: 'start' | 'stop' | 'logout' | 'restart',
  ): Promise<SimResponse> {
    const session = this.sessions.get(name);
    if (!session) return sessionNotFound(name);
    switch (action) {
      case 'start':
        // Idempotent: a running session keeps running.
        if (session.status === 'STOPPED' || session.status === 'FAILED') this.startPairing(name);
        break;
      case 'restart':
        this.startPairing(name);
        break;
      case 'stop':
        this.stopTimers(session);
        delete session.qr;
        await this.setStatus('STOPPED', name);
        break;
      case 'logout':
        // Auth data removed; a running session starts over with QR codes.
        session.paired = false;
        if (session.status !== 'STOPPED') this.startPairing(name);
        break;
    }
    return { status: 201, body: info(session) };
  }

  private webhooksOf(config: unknown): WahaWebhookConfig[] {
    const hooks = field(config, 'webhooks');
    if (!Array.isArray(hooks)) return [];
    return hooks.flatMap((h): WahaWebhookConfig[] => {
      const url = stringField(h, 'url');
      if (!url) return [];
      const events = field(h, 'events');
      const key = stringField(field(h, 'hmac'), 'key');
      const custom = field(h, 'customHeaders');
      return [
        {
          url,
          events: Array.isArray(events) ? events.filter((e): e is string => typeof e === 'string') : [],
          ...(key ? { hmacKey: key } : {}),
          customHeaders: Object.fromEntries(
            (Array.isArray(custom) ? custom : []).flatMap((c) => {
              const n = stringField(c, 'name');
              const v = stringField(c, 'value');
              return n && v ? [[n, v]] : [];
            }),
          ),
        },
      ];
    });
  }

  /** `POST /api/sessions { name, start, config: { webhooks } }` → 201 STARTING or STOPPED. */
  private createSession(req: SimRequest): SimResponse {
    const name = stringField(req.json, 'name') ?? 'default';
    if (this.sessions.has(name)) {
      return { status: 422, body: { message: `Session '${name}' already exists`, statusCode: 422 } };
    }
    const session = this.addSession(name, '2250700000009', 'STOPPED');
    session.webhooks = this.webhooksOf(field(req.json, 'config'));
    if (field(req.json, 'start') !== false) this.startPairing(name);
    return { status: 201, body: info(session) };
  }

  /** `PUT /api/sessions/{name}`: new config (restarts a running session, as WAHA does). */
  private updateSession(name: string, req: SimRequest): SimResponse {
    const session = this.sessions.get(name);
    if (!session) return sessionNotFound(name);
    session.webhooks = this.webhooksOf(field(req.json, 'config'));
    if (session.status !== 'STOPPED') this.startPairing(name);
    return { status: 200, body: info(session) };
  }
}

/** A 1×1 PNG standing in for the QR image WAHA renders. */
const SIM_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

function info(session: WahaSession): Record<string, unknown> {
  return {
    name: session.name,
    status: session.status,
    config: {
      webhooks: session.webhooks.map((w) => ({
        url: w.url,
        events: w.events,
        ...(w.hmacKey ? { hmac: { key: w.hmacKey } } : {}),
        customHeaders: Object.entries(w.customHeaders).map(([name, value]) => ({ name, value })),
      })),
    },
    me: session.status === 'WORKING' ? session.me : null,
    engine: { engine: 'NOWEB' },
  };
}

function badRequest(message: string[]): SimResponse {
  return { status: 400, body: { message, error: 'Bad Request', statusCode: 400 } };
}

function notFound(req: SimRequest): SimResponse {
  return {
    status: 404,
    body: { message: `Cannot ${req.method} ${req.path}`, error: 'Not Found', statusCode: 404 },
  };
}

function sessionNotFound(name: string): SimResponse {
  return {
    status: 404,
    body: { message: `We didn't find a session with name '${name}'.`, error: 'Not Found', statusCode: 404 },
  };
}
