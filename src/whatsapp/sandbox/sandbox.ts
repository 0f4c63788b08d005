/**
 * The sandbox transport: no WhatsApp at all. Its client records what the bot sends in an
 * in-memory inbox per channel, which a test (or any code in the same process) reads through a
 * listener or an async iterator; inbound sandbox messages are plain `{ from, text, id }` posts. It
 * lets a newcomer try Sellify before connecting a number, and it is the fake beside the
 * TransportClient interface.
 *
 * Memory is bounded: an inbox keeps the last SANDBOX_INBOX_CAPACITY items (a ring buffer; listeners
 * still see every item), and a hub keeps the inboxes of at most SANDBOX_MAX_INBOXES channels,
 * forgetting the least recently used one that nobody listens to. Provider ids are unique across
 * processes (time and randomness, not a counter that restarts at 1), so a restarted server never
 * hands out an id already stored for the channel.
 */
import { randomBytes } from 'node:crypto';
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

/** Items an inbox keeps (the most recent ones): enough to read a conversation back in a test. */
export const SANDBOX_INBOX_CAPACITY = 200;
/** Channels whose inboxes a hub keeps at once. */
export const SANDBOX_MAX_INBOXES = 50;

export interface SandboxInbox {
  readonly channelId: string;
  /** What the bot did on this channel, oldest first: the last `capacity` items (a fresh array per read). */
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
  /** Clock for `atMs` and provider ids; default Date.now. */
  now?: () => number;
  /** Provider id of the next send on a channel; default `sandboxProviderId` (time + random). */
  nextProviderId?: (channelId: string, nowMs: number) => string;
  /** Items kept per inbox. Default SANDBOX_INBOX_CAPACITY. */
  capacity?: number;
  /** Inboxes kept. Default SANDBOX_MAX_INBOXES. */
  maxInboxes?: number;
}

/**
 * `sbx_<channelId>_<ms, 9 base36 digits>_<12 hex>`: sorts in time order, and ids of one millisecond
 * differ in 48 random bits, so no two processes (a server and its restart) give the same id.
 */
export function sandboxProviderId(channelId: string, nowMs: number): string {
  const ms = Math.max(0, Math.floor(nowMs)).toString(36).padStart(9, '0');
  return `sbx_${channelId}_${ms}_${randomBytes(6).toString('hex')}`;
}

export function createSandboxHub(options: SandboxHubOptions = {}): SandboxHub {
  const now = options.now ?? Date.now;
  const nextProviderId = options.nextProviderId ?? sandboxProviderId;
  const capacity = options.capacity ?? SANDBOX_INBOX_CAPACITY;
  const maxInboxes = options.maxInboxes ?? SANDBOX_MAX_INBOXES;
  if (!(Number.isInteger(capacity) && capacity >= 1))
    throw new RangeError('capacity must be a whole number ≥ 1');
  if (!(Number.isInteger(maxInboxes) && maxInboxes >= 1))
    throw new RangeError('maxInboxes must be a whole number ≥ 1');
  // A Map iterates in insertion order; re-inserting on use keeps the least recently used first.
  const inboxes = new Map<string, InternalInbox>();
  return {
    inbox(channelId: string): SandboxInbox {
      let inbox = inboxes.get(channelId);
      if (inbox) {
        inboxes.delete(channelId);
      } else {
        inbox = createInbox(channelId, now, () => nextProviderId(channelId, now()), capacity);
        if (inboxes.size >= maxInboxes) {
          // Forget the least recently used inbox nobody listens to (if every one has a listener, keep all).
          for (const [id, old] of inboxes) {
            if (old.listenerCount() === 0) {
              inboxes.delete(id);
              break;
            }
          }
        }
      }
      inboxes.set(channelId, inbox);
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
  listenerCount(): number;
}

function createInbox(
  channelId: string,
  now: () => number,
  nextId: () => string,
  capacity: number,
): InternalInbox {
  // A ring buffer: `start` is the oldest item once the buffer is full.
  const ring: SandboxOutbound[] = [];
  let start = 0;
  const listeners = new Set<(item: SandboxOutbound) => void>();
  const failures: TransportError[] = [];
  return {
    channelId,
    get sent(): readonly SandboxOutbound[] {
      return [...ring.slice(start), ...ring.slice(0, start)];
    },
    now,
    listenerCount: () => listeners.size,
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
      ring.length = 0;
      start = 0;
      failures.length = 0;
    },
    record(item) {
      if (ring.length < capacity) {
        ring.push(item);
      } else {
        ring[start] = item;
        start = (start + 1) % capacity;
      }
      for (const listener of listeners) listener(item);
    },
    nextId,
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
