/**
 * The sandbox transport: no WhatsApp at all. Its client records what the bot sends in an
 * in-memory inbox per channel, which `sellify chat` (or a test) reads through a listener or an
 * async iterator; inbound sandbox messages are plain `{ from, text, id }` posts. It lets a newcomer
 * try Sellify before connecting a number, and it is the fake beside the TransportClient interface.
 */
import { phoneFromWhatsAppId } from '../../domain/phone.ts';
import { compact, isObject, secondsToMs, str } from '../shared/json.ts';
import { bearerToken, headerValue, safeEqual, TOKEN_HEADER } from '../shared/secrets.ts';
import {
  type ActionResult,
  type ClientOptions,
  type InboundEvent,
  type OutboundTemplate,
  type OutboundText,
  type ParseOptions,
  type SandboxCredentials,
  type SendResult,
  type TransportClient,
  type TransportError,
  type VerifyResult,
  WebhookPayloadError,
  type WebhookRequest,
} from '../types.ts';

export type SandboxOutbound =
  | { kind: 'text'; providerId: string; to: string; text: string; replyToProviderId?: string; atMs: number }
  | {
      kind: 'template';
      providerId: string;
      to: string;
      name: string;
      language: string;
      parameters: string[];
      atMs: number;
    }
  | { kind: 'read'; providerId: string; to: string; atMs: number }
  | { kind: 'typing'; to: string; durationMs: number; inReplyToProviderId?: string; atMs: number };

export interface SandboxInbox {
  readonly channelId: string;
  /** Everything the bot did on this channel, in order. */
  readonly sent: readonly SandboxOutbound[];
  /** Calls `listener` for every later item; returns the unsubscribe function. */
  subscribe(listener: (item: SandboxOutbound) => void): () => void;
  /** The items recorded from now on, until `signal` aborts (then the iteration ends). */
  watch(signal?: AbortSignal): AsyncIterableIterator<SandboxOutbound>;
  /** The next `times` sends (text or template) fail with `error`: for tests of the outbound pipeline. */
  failNext(error: TransportError, times?: number): void;
  clear(): void;
}

export interface SandboxHub {
  inbox(channelId: string): SandboxInbox;
  channelIds(): string[];
}

export interface SandboxHubOptions {
  /** Clock for `atMs`; default Date.now. */
  now?: () => number;
}

export function createSandboxHub(options: SandboxHubOptions = {}): SandboxHub {
  const now = options.now ?? Date.now;
  const inboxes = new Map<string, SandboxInbox>();
  return {
    inbox(channelId: string): SandboxInbox {
      let inbox = inboxes.get(channelId);
      if (!inbox) {
        inbox = createInbox(channelId, now);
        inboxes.set(channelId, inbox);
      }
      return inbox;
    },
    channelIds: () => [...inboxes.keys()],
  };
}

interface InternalInbox extends SandboxInbox {
  record(item: SandboxOutbound): void;
  nextId(): string;
  takeFailure(): TransportError | undefined;
  now(): number;
}

function createInbox(channelId: string, now: () => number): InternalInbox {
  const sent: SandboxOutbound[] = [];
  const listeners = new Set<(item: SandboxOutbound) => void>();
  const failures: TransportError[] = [];
  let counter = 0;
  return {
    channelId,
    sent,
    now,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    watch(signal?: AbortSignal): AsyncIterableIterator<SandboxOutbound> {
      const queue: SandboxOutbound[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = this.subscribe((item) => {
        queue.push(item);
        wake?.();
      });
      const onAbort = (): void => wake?.();
      signal?.addEventListener('abort', onAbort, { once: true });
      const finish = (): IteratorResult<SandboxOutbound> => {
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
        return { done: true, value: undefined };
      };
      const iterator: AsyncIterableIterator<SandboxOutbound> = {
        async next() {
          while (queue.length === 0 || signal?.aborted) {
            if (signal?.aborted) return finish();
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            wake = undefined;
          }
          return { done: false, value: queue.shift()! };
        },
        async return() {
          return finish();
        },
        [Symbol.asyncIterator]() {
          return iterator;
        },
      };
      return iterator;
    },
    failNext(error, times = 1) {
      for (let i = 0; i < times; i++) failures.push(error);
    },
    clear() {
      sent.length = 0;
      failures.length = 0;
    },
    record(item) {
      sent.push(item);
      for (const listener of listeners) listener(item);
    },
    nextId() {
      counter += 1;
      return `sbx_${channelId}_${counter}`;
    },
    takeFailure: () => failures.shift(),
  };
}

/** The process-wide hub: the server's sandbox channels and `sellify chat` in the same process share it. */
export const sandboxHub: SandboxHub = createSandboxHub();

export interface SandboxClientOptions extends Pick<ClientOptions, 'sleep'> {
  hub?: SandboxHub;
}

/**
 * A TransportClient that records into the channel's inbox. Typing is recorded and returns at once
 * (it is a fake) unless a `sleep` is given, e.g. for a realistic `sellify chat`.
 */
export function createSandboxClient(
  credentials: SandboxCredentials,
  options: SandboxClientOptions = {},
): TransportClient {
  const inbox = (options.hub ?? sandboxHub).inbox(credentials.channelId) as InternalInbox;
  const sleep = options.sleep;

  function send(item: (providerId: string) => SandboxOutbound): SendResult {
    const failure = inbox.takeFailure();
    if (failure) return { ok: false, error: failure };
    const providerId = inbox.nextId();
    inbox.record(item(providerId));
    return { ok: true, providerId };
  }

  return {
    kind: 'sandbox',
    async sendText(msg: OutboundText): Promise<SendResult> {
      return send((providerId) => ({
        kind: 'text',
        providerId,
        to: msg.to,
        text: msg.text,
        ...(msg.replyToProviderId ? { replyToProviderId: msg.replyToProviderId } : {}),
        atMs: inbox.now(),
      }));
    },
    async sendTemplate(msg: OutboundTemplate): Promise<SendResult> {
      return send((providerId) => ({
        kind: 'template',
        providerId,
        to: msg.to,
        name: msg.name,
        language: msg.language,
        parameters: msg.parameters ?? [],
        atMs: inbox.now(),
      }));
    },
    async markRead(providerId: string, chatPhone: string): Promise<ActionResult> {
      inbox.record({ kind: 'read', providerId, to: chatPhone, atMs: inbox.now() });
      return { ok: true };
    },
    async typing(chatPhone: string, durationMs: number, inReplyToProviderId?: string, signal?: AbortSignal) {
      inbox.record({
        kind: 'typing',
        to: chatPhone,
        durationMs,
        ...(inReplyToProviderId ? { inReplyToProviderId } : {}),
        atMs: inbox.now(),
      });
      if (sleep) {
        try {
          await sleep(durationMs, signal);
        } catch {
          // Aborted: done typing.
        }
      }
      return { ok: true } as const;
    },
  };
}

/** `X-Sellify-Token: <secret>` or `Authorization: Bearer <secret>`, constant-time. */
export function verifySandboxWebhook(
  req: WebhookRequest,
  secrets: { webhookSecret?: string | undefined },
): VerifyResult {
  if (!secrets.webhookSecret) return { ok: false, reason: 'missing_secret' };
  const token = headerValue(req.headers, TOKEN_HEADER) ?? bearerToken(req.headers);
  if (token === undefined) return { ok: false, reason: 'missing_signature' };
  return safeEqual(token, secrets.webhookSecret) ? { ok: true } : { ok: false, reason: 'bad_signature' };
}

/**
 * `{ from, text, id, name?, timestamp? }`, an array of them, or `{ messages: [...] }`. `from` is a
 * phone number in any form normalizePhone accepts with a country code.
 */
export function parseSandboxWebhook(json: unknown, options: ParseOptions = {}): InboundEvent[] {
  const items = Array.isArray(json)
    ? json
    : isObject(json) && Array.isArray(json.messages)
      ? json.messages
      : [json];
  if (!Array.isArray(json) && !isObject(json))
    throw new WebhookPayloadError('sandbox webhook body is not a JSON object');
  const receivedAtMs = options.receivedAtMs ?? Date.now();
  return items.map((item): InboundEvent => {
    const from = str(item, 'from');
    const id = str(item, 'id');
    const text = isObject(item) && typeof item.text === 'string' ? item.text : undefined;
    if (from === undefined || id === undefined || text === undefined) {
      return { kind: 'ignored', reason: 'malformed_item', detail: 'sandbox message needs from, text and id' };
    }
    const phone = phoneFromWhatsAppId(from);
    return {
      kind: 'message',
      providerId: id,
      from: compact({ phone: phone?.e164, waId: phone?.digits ?? from, name: str(item, 'name') }),
      timestampMs: secondsToMs(isObject(item) ? item.timestamp : undefined) ?? receivedAtMs,
      type: 'text',
      text,
    };
  });
}
