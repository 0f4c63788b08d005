/**
 * Simulated Evolution API v2 (reference section E, "Evolution API simulator"): instance routes,
 * `apikey` auth with 404-before-401 guard order, sendText / sendPresence that block for their
 * `delay`, markMessageAsRead, whatsappNumbers, and unsigned webhooks in Evolution's envelope with
 * its retry policy (stop on 400/401/403/404/422).
 */
import { createHmac } from 'node:crypto';
import type { TimerHandle } from './clock.ts';
import {
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
import { PlanQueue, type SimStatus, type StatusPlanner, type StatusStep } from './plans.ts';
import type { WebhookRecord } from './recorder.ts';
import type { DeliveryOptions, RetryPolicy } from './webhooks.ts';

export type EvolutionState = 'open' | 'connecting' | 'close' | 'refused';

export interface EvolutionWebhookConfig {
  enabled: boolean;
  url?: string;
  byEvents: boolean;
  /** Custom headers; `jwt_key` turns into `Authorization: Bearer <HS256 JWT>` instead. */
  headers: Record<string, string>;
  /** UPPER_SNAKE event names; empty = all. */
  events: string[];
}

export interface EvolutionInstance {
  name: string;
  /** The instance token (`hash`), also accepted as `apikey` on its routes. */
  token: string;
  instanceId: string;
  state: EvolutionState;
  ownerPhone: string;
  profileName: string;
  webhook: EvolutionWebhookConfig;
  /** Whether the instance holds a linked device (a restart reconnects it without a QR). */
  paired: boolean;
  /** The pairing under way (`connecting` with QR codes), if any. */
  pairing?: EvolutionPairing;
}

/** One pairing attempt: the QR codes shown so far, the current one, and the refresh timer. */
export interface EvolutionPairing {
  count: number;
  code?: string;
  pairingCode?: string;
  timers: TimerHandle[];
}

/** How the simulated instance pairs (QR_CODE_LIMIT, refresh interval, the phone's scan). */
export interface EvolutionPairingOptions {
  /** QR codes shown before `refused` (Evolution's QRCODE_LIMIT; the docs' .env says 30). Default 30. */
  qrLimit?: number;
  /** A new QR code every this many ms while nobody scans. Default 40_000. */
  qrRefreshMs?: number;
  /** `connect` on a closed instance answers `{ count: 0 }` and the first QR follows this much later (#1541, #2385). Default: answer the first QR at once. */
  firstQrDelayMs?: number;
  /** The simulated phone scans this long after the first QR; null: only when the test calls `scan()`. Default 2_000. */
  autoScanMs?: number | null;
}

export interface EvolutionSimOptions {
  /** Global key (AUTHENTICATION_API_KEY). */
  apiKey?: string;
  instances?: {
    name: string;
    token?: string;
    ownerPhone?: string;
    webhookHeaders?: Record<string, string>;
  }[];
  statusPlan?: StatusPlanner;
  /** Evolution writes `date_time` as server-local time with a 'Z'; this is that server's offset. */
  serverUtcOffsetMinutes?: number;
  /** AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES: put the instance token in the body's `apikey`. */
  exposeApiKey?: boolean;
  delivery?: Partial<Omit<DeliveryOptions, 'retry'>> & { retry?: Partial<RetryPolicy> };
  pairing?: EvolutionPairingOptions;
}

export interface EvolutionInboundInput {
  from: string;
  text?: string;
  name?: string;
  id?: string;
  instance?: string;
  timestampMs?: number;
  /** LID chat (Baileys 7): remoteJid is '<lid>@lid', the phone JID is in remoteJidAlt. */
  lid?: string;
  /** Deliver `extendedTextMessage` as builds before v2.2 did. */
  legacyExtendedText?: boolean;
  /** Typed on the seller's phone. */
  fromMe?: boolean;
  /** A group chat ('1203…@g.us'); `from` is then the participant. */
  group?: string;
  /** Another Baileys content ('imageMessage'…) replacing the text. */
  messageType?: string;
  message?: Record<string, unknown>;
  /** Quoted message id (contextInfo.stanzaId). */
  quotedId?: string;
}

const STATUS_NAMES: Record<SimStatus, string> = {
  sent: 'SERVER_ACK',
  delivered: 'DELIVERY_ACK',
  read: 'READ',
  played: 'PLAYED',
  failed: 'ERROR',
};

/** A 1×1 PNG standing in for the QR image Evolution renders. */
export const SIM_QR_PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

function errorBody(status: number, message: unknown): SimResponse {
  const names: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
  };
  return { status, body: { status, error: names[status] ?? 'Internal Server Error', response: { message } } };
}

export class EvolutionSim implements TransportHandler {
  apiKey: string;
  readonly instances = new Map<string, EvolutionInstance>();
  readonly plans: PlanQueue;
  readonly sent: { providerId: string; instance: string; to: string; text: string; atMs: number }[] = [];
  private readonly offsetMinutes: number;
  private readonly exposeApiKey: boolean;
  private readonly delivery: DeliveryOptions;
  /** Pairing behaviour; tests may change it between steps. */
  pairingOptions: Required<Omit<EvolutionPairingOptions, 'firstQrDelayMs'>> & { firstQrDelayMs?: number };

  constructor(
    private readonly ctx: SimContext,
    options: EvolutionSimOptions,
    private readonly defaultWebhookUrl: string | undefined,
  ) {
    this.apiKey = options.apiKey ?? 'sim-evolution-key';
    this.plans = new PlanQueue(options.statusPlan);
    this.offsetMinutes = options.serverUtcOffsetMinutes ?? 60;
    this.exposeApiKey = options.exposeApiKey ?? false;
    this.pairingOptions = {
      qrLimit: options.pairing?.qrLimit ?? 30,
      qrRefreshMs: options.pairing?.qrRefreshMs ?? 40_000,
      autoScanMs: options.pairing?.autoScanMs === undefined ? 2_000 : options.pairing.autoScanMs,
      ...(options.pairing?.firstQrDelayMs !== undefined
        ? { firstQrDelayMs: options.pairing.firstQrDelayMs }
        : {}),
    };
    this.delivery = {
      duplicateProbability: options.delivery?.duplicateProbability ?? 0,
      duplicateDelayMs: options.delivery?.duplicateDelayMs ?? 2_000,
      timeoutMs: options.delivery?.timeoutMs ?? 10_000,
      retry: {
        maxAttempts: 10,
        baseDelayMs: 5_000,
        factor: 2,
        maxDelayMs: 300_000,
        jitter: 0.2,
        giveUpOn: [400, 401, 403, 404, 422],
        successOn: '2xx',
        ...options.delivery?.retry,
      },
    };
    for (const spec of options.instances ?? [{ name: 'sellify' }]) {
      this.createInstance(spec.name, {
        ...(spec.token ? { token: spec.token } : {}),
        ...(spec.ownerPhone ? { ownerPhone: spec.ownerPhone } : {}),
        ...(spec.webhookHeaders ? { webhookHeaders: spec.webhookHeaders } : {}),
      });
    }
  }

  get baseUrl(): string {
    return `${this.ctx.url}/evolution`;
  }

  get defaultInstance(): EvolutionInstance {
    return this.instances.values().next().value as EvolutionInstance;
  }

  createInstance(
    name: string,
    options: { token?: string; ownerPhone?: string; webhookHeaders?: Record<string, string> } = {},
  ): EvolutionInstance {
    const instance: EvolutionInstance = {
      name,
      token: options.token ?? `sim-evolution-token-${name}`,
      instanceId: `${this.ctx.randomId('uuid', 8, '0123456789abcdef')}-0000-4000-8000-${this.ctx.randomId('uuid', 12, '0123456789abcdef')}`,
      state: 'open',
      ownerPhone: digits(options.ownerPhone ?? '2250700000002'),
      profileName: 'Boutique Sim',
      paired: true,
      webhook: {
        enabled: this.defaultWebhookUrl !== undefined,
        ...(this.defaultWebhookUrl ? { url: this.defaultWebhookUrl } : {}),
        byEvents: false,
        headers: options.webhookHeaders ?? {},
        events: [],
      },
    };
    this.instances.set(name, instance);
    return instance;
  }

  setStatusPlan(planner: StatusPlanner): void {
    this.plans.set(planner);
  }

  nextStatusPlan(plan: readonly StatusStep[]): void {
    this.plans.once(plan);
  }

  setWebhook(instanceName: string, webhook: Partial<EvolutionWebhookConfig>): void {
    const instance = this.instanceOf(instanceName);
    instance.webhook = { ...instance.webhook, ...webhook };
  }

  // ------------------------------------------------------------------------------ webhooks out

  /** A message from a customer (or typed on the seller's phone): `messages.upsert`. */
  inbound(input: EvolutionInboundInput): Promise<{ id: string; delivery?: WebhookRecord }> {
    const instance = this.instanceOf(input.instance);
    const id = input.id ?? `3EB0${this.ctx.randomId('evo-id', 16)}`;
    const phoneJid = `${digits(input.from)}@s.whatsapp.net`;
    const remoteJid = input.group ?? (input.lid ? `${input.lid}@lid` : phoneJid);
    const messageType =
      input.messageType ?? (input.legacyExtendedText ? 'extendedTextMessage' : 'conversation');
    const text = input.text ?? 'Bonjour';
    const message =
      input.message ??
      (messageType === 'extendedTextMessage'
        ? { extendedTextMessage: { text } }
        : messageType === 'conversation'
          ? { conversation: text }
          : { [messageType]: {} });
    const data = {
      key: {
        remoteJid,
        fromMe: input.fromMe ?? false,
        id,
        remoteJidAlt: input.lid && !input.group ? phoneJid : null,
        addressingMode: input.lid ? 'lid' : 'pn',
        participant: input.group ? phoneJid : null,
      },
      pushName: input.fromMe ? 'Você' : (input.name ?? 'Client'),
      status: 'DELIVERY_ACK',
      message: { ...message, messageContextInfo: {} },
      contextInfo: input.quotedId
        ? { stanzaId: input.quotedId, participant: phoneJid, quotedMessage: {} }
        : null,
      messageType,
      messageTimestamp: Math.floor((input.timestampMs ?? this.ctx.clock.nowMs()) / 1000),
      instanceId: instance.instanceId,
      source: 'android',
    };
    return this.emit(instance, 'messages.upsert', data, `upsert:${id}`).then((delivery) =>
      delivery ? { id, delivery } : { id },
    );
  }

  /** `connection.update` (and the instance's state): 'close' with 401 is a log-out. */
  setConnection(
    state: EvolutionState,
    statusReason = 200,
    instanceName?: string,
  ): Promise<WebhookRecord | undefined> {
    const instance = this.instanceOf(instanceName);
    instance.state = state;
    return this.emit(
      instance,
      'connection.update',
      {
        instance: instance.name,
        state,
        statusReason,
        ...(state === 'open'
          ? { wuid: `${instance.ownerPhone}@s.whatsapp.net`, profileName: instance.profileName }
          : {}),
      },
      `connection:${state}:${this.ctx.randomId('conn', 6)}`,
    );
  }

  emitReceipt(
    providerId: string,
    to: string,
    status: SimStatus,
    instanceName?: string,
  ): Promise<WebhookRecord | undefined> {
    const instance = this.instanceOf(instanceName);
    return this.emit(
      instance,
      'messages.update',
      {
        keyId: providerId,
        remoteJid: `${digits(to)}@s.whatsapp.net`,
        fromMe: true,
        status: STATUS_NAMES[status],
        instanceId: instance.instanceId,
        messageId: `${this.ctx.randomId('row', 8, '0123456789abcdef')}-row`,
      },
      `update:${providerId}:${status}`,
    );
  }

  private emit(
    instance: EvolutionInstance,
    event: string,
    data: unknown,
    key: string,
  ): Promise<WebhookRecord | undefined> {
    const hook = instance.webhook;
    const upper = event.toUpperCase().replace(/\./g, '_');
    if (!hook.enabled || !hook.url) return Promise.resolve(undefined);
    if (hook.events.length > 0 && !hook.events.includes(upper)) return Promise.resolve(undefined);
    const url = hook.byEvents ? `${hook.url.replace(/\/+$/, '')}/${event.replace(/\./g, '-')}` : hook.url;
    const envelope = {
      event,
      instance: instance.name,
      data,
      destination: url,
      date_time: this.localDateTime(),
      sender: `${instance.ownerPhone}@s.whatsapp.net`,
      server_url: this.baseUrl,
      apikey: this.exposeApiKey ? instance.token : null,
    };
    const body = Buffer.from(JSON.stringify(envelope), 'utf8');
    const headers = (): Record<string, string> => {
      const out: Record<string, string> = {};
      for (const [name, value] of Object.entries(hook.headers)) {
        if (name === 'jwt_key') out.authorization = `Bearer ${this.jwt(value)}`;
        else out[name.toLowerCase()] = value;
      }
      return out;
    };
    return this.ctx.dispatcher.deliver(
      { transport: 'evolution', event, url, body, headers, key },
      this.delivery,
    );
  }

  /** Server-local wall-clock time written with a 'Z', as Evolution does (not UTC). */
  private localDateTime(): string {
    return new Date(this.ctx.clock.nowMs() + this.offsetMinutes * 60_000).toISOString();
  }

  private jwt(secret: string): string {
    const iat = Math.floor(this.ctx.clock.nowMs() / 1000);
    const encode = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
    const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ app: 'evolution', action: 'webhook', iat, exp: iat + 600 })}`;
    return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
  }

  // ------------------------------------------------------------------------------ API

  async handle(req: SimRequest): Promise<SimResponse> {
    const [group, action, name] = req.segments;
    const route = `${req.method} /${group ?? ''}/${action ?? ''}`;
    const global = new Set(['POST /instance/create', 'GET /instance/fetchInstances']);
    if (global.has(route)) {
      if (header(req.headers, 'apikey') !== this.apiKey) return errorBody(401, 'Unauthorized');
      return route === 'POST /instance/create' ? this.create(req) : this.fetchInstances();
    }
    const handler = ROUTES[route];
    if (!handler || name === undefined)
      return errorBody(404, [`Cannot ${req.method} /${req.segments.join('/')}`]);
    // Guard order as in Evolution: the instance must exist, then the key must match.
    const instance = this.instances.get(decodeURIComponent(name));
    if (!instance) return errorBody(404, [`The "${decodeURIComponent(name)}" instance does not exist`]);
    const key = header(req.headers, 'apikey');
    if (key !== this.apiKey && key !== instance.token) return errorBody(401, 'Unauthorized');
    if (req.jsonError) return errorBody(400, ['Invalid JSON body']);
    return handler.call(this, instance, req);
  }

  private create(req: SimRequest): SimResponse {
    const name = stringField(req.json, 'instanceName');
    if (!name) return errorBody(400, ['instanceName is required']);
    if (this.instances.has(name)) return errorBody(403, [`This name "${name}" is already in use.`]);
    const token = stringField(req.json, 'token');
    const instance = this.createInstance(name, token ? { token } : {});
    instance.state = 'close';
    instance.paired = false;
    const webhook = field(req.json, 'webhook');
    if (isRecord(webhook)) this.applyWebhook(instance, webhook);
    return {
      status: 201,
      body: {
        instance: {
          instanceName: name,
          instanceId: instance.instanceId,
          integration: 'WHATSAPP-BAILEYS',
          status: 'close',
        },
        hash: instance.token,
        webhook: instance.webhook,
        settings: { rejectCall: false, groupsIgnore: true, alwaysOnline: false, readMessages: false },
      },
    };
  }

  private fetchInstances(): SimResponse {
    return {
      status: 200,
      body: [...this.instances.values()].map((i) => ({
        id: i.instanceId,
        name: i.name,
        connectionStatus: i.state,
        ownerJid: `${i.ownerPhone}@s.whatsapp.net`,
        profileName: i.profileName,
        integration: 'WHATSAPP-BAILEYS',
        token: i.token,
      })),
    };
  }

  applyWebhook(instance: EvolutionInstance, webhook: Record<string, unknown>): void {
    const headers = field(webhook, 'headers');
    const events = field(webhook, 'events');
    const url = stringField(webhook, 'url');
    instance.webhook = {
      enabled: webhook.enabled !== false,
      ...(url ? { url } : {}),
      byEvents: webhook.byEvents === true || webhook.webhookByEvents === true,
      headers: isRecord(headers)
        ? Object.fromEntries(
            Object.entries(headers).filter((e): e is [string, string] => typeof e[1] === 'string'),
          )
        : {},
      events: Array.isArray(events) ? events.filter((e): e is string => typeof e === 'string') : [],
    };
  }

  instanceOf(name: string | undefined): EvolutionInstance {
    if (name === undefined) return this.defaultInstance;
    const instance = this.instances.get(name);
    if (!instance) throw new Error(`evolution simulator: unknown instance ${name}`);
    return instance;
  }

  async sendText(instance: EvolutionInstance, req: SimRequest): Promise<SimResponse> {
    const number = stringField(req.json, 'number');
    const text = stringField(req.json, 'text');
    if (!number) return errorBody(400, ['number is required']);
    if (text === undefined || text.trim() === '') return errorBody(400, ['Text is required']);
    const to = digits(number.split('@')[0] ?? number);
    if (instance.state !== 'open') return errorBody(400, ['Error: Connection Closed']);
    if (!this.ctx.isOnWhatsApp(to)) {
      return errorBody(400, [{ jid: `${to}@s.whatsapp.net`, exists: false, number: to }]);
    }
    const delayMs = field(req.json, 'delay');
    // Evolution sets "composing", waits `delay` ms, then sends: the HTTP answer waits too.
    if (typeof delayMs === 'number' && delayMs > 0) await this.ctx.clock.sleep(delayMs);
    const id = `3EB0${this.ctx.randomId('evo-id', 16)}`;
    const quoted = field(field(req.json, 'quoted'), 'key');
    const body = {
      key: { remoteJid: `${to}@s.whatsapp.net`, fromMe: true, id },
      pushName: 'Você',
      status: 'PENDING',
      message: { conversation: text },
      contextInfo: isRecord(quoted) ? { stanzaId: stringField(quoted, 'id'), quotedMessage: {} } : {},
      messageType: 'conversation',
      messageTimestamp: Math.floor(this.ctx.clock.nowMs() / 1000),
      instanceId: instance.instanceId,
      source: 'unknown',
    };
    this.sent.push({ providerId: id, instance: instance.name, to, text, atMs: this.ctx.clock.nowMs() });
    this.emit(instance, 'send.message', body, `send:${id}`).catch(() => {});
    for (const step of this.plans.planFor({ transport: 'evolution', providerId: id, to, type: 'text' })) {
      this.ctx.clock.schedule(step.afterMs, () =>
        this.emitReceipt(id, to, step.status, instance.name).then(() => {}),
      );
    }
    return { status: 201, body };
  }

  async sendPresence(instance: EvolutionInstance, req: SimRequest): Promise<SimResponse> {
    const number = stringField(req.json, 'number');
    const presence = stringField(req.json, 'presence');
    const delayMs = field(req.json, 'delay');
    const valid = ['composing', 'recording', 'paused', 'available', 'unavailable'];
    if (!number || !presence || !valid.includes(presence) || typeof delayMs !== 'number') {
      return errorBody(400, ['number, presence and delay are required']);
    }
    if (instance.state !== 'open') return errorBody(400, ['Error: Connection Closed']);
    // composing → wait → paused; the answer comes after the wait.
    await this.ctx.clock.sleep(delayMs);
    return { status: 201, body: { presence } };
  }

  async markRead(instance: EvolutionInstance, req: SimRequest): Promise<SimResponse> {
    const list = field(req.json, 'readMessages');
    if (!Array.isArray(list) || list.some((m) => !stringField(m, 'id') || !stringField(m, 'remoteJid'))) {
      return errorBody(400, ['readMessages must be a list of { remoteJid, fromMe, id }']);
    }
    if (instance.state !== 'open') return errorBody(400, ['Error: Connection Closed']);
    return { status: 201, body: { message: 'Read messages', read: 'success' } };
  }

  async whatsappNumbers(_instance: EvolutionInstance, req: SimRequest): Promise<SimResponse> {
    const numbers = field(req.json, 'numbers');
    if (!Array.isArray(numbers)) return errorBody(400, ['numbers is required']);
    return {
      status: 200,
      body: numbers
        .filter((n): n is string => typeof n === 'string')
        .map((n) => {
          const d = digits(n);
          return { exists: this.ctx.isOnWhatsApp(d), jid: `${d}@s.whatsapp.net`, number: d };
        }),
    };
  }

  async connectionState(instance: EvolutionInstance): Promise<SimResponse> {
    return { status: 200, body: { instance: { instanceName: instance.name, state: instance.state } } };
  }

  /**
   * `GET /instance/connect/{instance}[?number=]`: open → the state; close/refused → a new pairing
   * (the first QR now, or `{ count: 0 }` with `firstQrDelayMs`); connecting → the current QR. With a
   * number, an 8-character pairing code as well.
   */
  async connect(instance: EvolutionInstance, req?: SimRequest): Promise<SimResponse> {
    if (instance.state === 'open') return this.connectionState(instance);
    const number = req?.query.number;
    let pairing = instance.pairing;
    if (instance.state !== 'connecting' || pairing === undefined) {
      pairing = this.beginPairing(instance);
      if (this.pairingOptions.firstQrDelayMs !== undefined) {
        const first = this.pairingOptions.firstQrDelayMs;
        pairing.timers.push(this.ctx.clock.schedule(first, () => this.showQr(instance.name)));
        if (number) pairing.pairingCode = this.pairingCodeFor();
        return { status: 200, body: { count: 0 } };
      }
      await this.showQr(instance.name);
    }
    if (number && pairing.pairingCode === undefined) pairing.pairingCode = this.pairingCodeFor();
    if (pairing.code === undefined) return { status: 200, body: { count: 0 } };
    return {
      status: 200,
      body: {
        pairingCode: pairing.pairingCode ?? null,
        code: pairing.code,
        base64: SIM_QR_PNG,
        count: pairing.count,
      },
    };
  }

  private beginPairing(instance: EvolutionInstance): EvolutionPairing {
    this.endPairing(instance);
    instance.state = 'connecting';
    const pairing: EvolutionPairing = { count: 0, timers: [] };
    instance.pairing = pairing;
    return pairing;
  }

  private endPairing(instance: EvolutionInstance): void {
    for (const t of instance.pairing?.timers ?? []) t.cancel();
    delete instance.pairing;
  }

  private pairingCodeFor(): string {
    return this.ctx.randomId('pairing-code', 8, 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789');
  }

  /** The next QR of the pairing (`qrcode.updated`), or `refused` once the limit is reached. */
  private async showQr(instanceName: string): Promise<void> {
    const instance = this.instances.get(instanceName);
    const pairing = instance?.pairing;
    if (!instance || !pairing || instance.state !== 'connecting') return;
    if (pairing.count >= this.pairingOptions.qrLimit) {
      this.endPairing(instance);
      await this.emit(
        instance,
        'qrcode.updated',
        { message: 'QR code limit reached, please login again', statusCode: 500 },
        `qr-limit:${instance.name}:${this.ctx.randomId('qrl', 6)}`,
      );
      instance.state = 'refused';
      await this.emit(
        instance,
        'connection.update',
        // As Baileys' service sends it: badSession (500) on the QR event, connectionClosed (428) here.
        { instance: instance.name, state: 'refused', statusReason: 428 },
        `connection:refused:${this.ctx.randomId('conn', 6)}`,
      );
      instance.state = 'close';
      return;
    }
    pairing.count += 1;
    pairing.code = `2@${this.ctx.randomId('qr', 40, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}`;
    const qrcode = {
      instance: instance.name,
      pairingCode: pairing.pairingCode ?? null,
      code: pairing.code,
      base64: SIM_QR_PNG,
    };
    const first = pairing.count === 1;
    pairing.timers.push(
      this.ctx.clock.schedule(this.pairingOptions.qrRefreshMs, () => this.showQr(instance.name)),
    );
    if (first && this.pairingOptions.autoScanMs !== null) {
      pairing.timers.push(
        this.ctx.clock.schedule(this.pairingOptions.autoScanMs, () => this.scan(instance.name)),
      );
    }
    await this.emit(instance, 'qrcode.updated', { qrcode }, `qr:${pairing.code}`);
    if (first) {
      await this.emit(
        instance,
        'connection.update',
        { instance: instance.name, state: 'connecting', statusReason: 200 },
        `conn:${pairing.code}`,
      );
    }
  }

  /** The phone scanned the QR (or typed the pairing code): the instance opens. */
  async scan(instanceName?: string): Promise<void> {
    const instance = this.instanceOf(instanceName);
    if (instance.state !== 'connecting') return;
    this.endPairing(instance);
    instance.paired = true;
    await this.setConnection('open', 200, instance.name);
  }

  async restart(instance: EvolutionInstance): Promise<SimResponse> {
    // Evolution's restartInstance refuses a closed instance, with a 200 (its catch-all answer).
    if (instance.state === 'close' || instance.state === 'refused') {
      return {
        status: 200,
        body: {
          error: true,
          message: `BadRequestException: The "${instance.name}" instance is not connected`,
        },
      };
    }
    // A linked device reconnects by itself; an unlinked one starts showing QR codes again.
    if (instance.paired) {
      this.endPairing(instance);
      await this.setConnection('open', 200, instance.name);
    } else {
      this.beginPairing(instance);
      await this.showQr(instance.name);
    }
    return { status: 200, body: { instance: { instanceName: instance.name, state: instance.state } } };
  }

  async logout(instance: EvolutionInstance): Promise<SimResponse> {
    if (instance.state !== 'open' && instance.state !== 'connecting') {
      return errorBody(400, [`The "${instance.name}" instance is not connected`]);
    }
    this.endPairing(instance);
    instance.paired = false;
    await this.setConnection('close', 401, instance.name);
    await this.emit(
      instance,
      'logout.instance',
      { instance: instance.name },
      `logout:${this.ctx.randomId('logout', 6)}`,
    );
    return {
      status: 200,
      body: { status: 'SUCCESS', error: false, response: { message: 'Instance logged out' } },
    };
  }

  async remove(instance: EvolutionInstance): Promise<SimResponse> {
    this.instances.delete(instance.name);
    return {
      status: 200,
      body: { status: 'SUCCESS', error: false, response: { message: 'Instance deleted' } },
    };
  }

  async webhookSet(instance: EvolutionInstance, req: SimRequest): Promise<SimResponse> {
    const webhook = field(req.json, 'webhook') ?? req.json;
    if (
      !isRecord(webhook) ||
      typeof webhook.enabled !== 'boolean' ||
      (webhook.enabled && !stringField(webhook, 'url'))
    ) {
      return errorBody(400, ['webhook.enabled and webhook.url are required']);
    }
    this.applyWebhook(instance, webhook);
    return { status: 201, body: { webhook: { instanceName: instance.name, webhook: instance.webhook } } };
  }

  async webhookFind(instance: EvolutionInstance): Promise<SimResponse> {
    return { status: 200, body: instance.webhook };
  }
}

type Route = (this: EvolutionSim, instance: EvolutionInstance, req: SimRequest) => Promise<SimResponse>;

const ROUTES: Record<string, Route> = {
  'POST /message/sendText': EvolutionSim.prototype.sendText,
  'POST /chat/sendPresence': EvolutionSim.prototype.sendPresence,
  'POST /chat/markMessageAsRead': EvolutionSim.prototype.markRead,
  'POST /chat/whatsappNumbers': EvolutionSim.prototype.whatsappNumbers,
  'GET /instance/connectionState': EvolutionSim.prototype.connectionState,
  'GET /instance/connect': EvolutionSim.prototype.connect,
  'POST /instance/restart': EvolutionSim.prototype.restart,
  'PUT /instance/restart': EvolutionSim.prototype.restart,
  'DELETE /instance/logout': EvolutionSim.prototype.logout,
  'DELETE /instance/delete': EvolutionSim.prototype.remove,
  'POST /webhook/set': EvolutionSim.prototype.webhookSet,
  'GET /webhook/find': EvolutionSim.prototype.webhookFind,
};
