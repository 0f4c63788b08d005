/**
 * WAHA client: /api/sendText, /api/startTyping and /api/stopTyping, /api/sendSeen, all with the
 * `X-Api-Key` header. Chats are addressed as `digits@c.us`.
 */

import { guardedFetchFor } from '../shared/egress.ts';
import { defaultSleep, httpCall, joinUrl } from '../shared/http.ts';
import { digitsOf, sentIdOf } from '../shared/ids.ts';
import { isObject, obj } from '../shared/json.ts';
import {
  type ActionResult,
  type ClientOptions,
  DEFAULT_TIMEOUT_MS,
  type OutboundTemplate,
  type OutboundText,
  type SendResult,
  type TransportClient,
  type TransportError,
  type WahaCredentials,
} from '../types.ts';
import { classifyWahaError } from './errors.ts';

export function wahaChatId(phone: string): string {
  return `${digitsOf(phone)}@c.us`;
}

/** WAHA's chat id form of a JID: NOWEB's Baileys keys say `@s.whatsapp.net`, its webhooks `@c.us`. */
function cusJid(jid: string): string {
  return jid.endsWith('@s.whatsapp.net')
    ? `${jid.slice(0, -'@s.whatsapp.net'.length).split(':')[0]}@c.us`
    : jid;
}

/**
 * The message id of a `POST /api/sendText` answer, in the serialized form WAHA's webhooks use
 * (`true_<chat>@c.us_<id>`), so later `message.ack` events find the message. Released versions
 * answer in three shapes:
 *
 * - WAMessage (the documented shape, every engine since 2024): `{ id: "true_…@c.us_3EB0…" }`;
 * - WEBJS builds that return whatsapp-web.js's Message: `{ id: { _serialized: "true_…" } }` (also
 *   under `_data.id`);
 * - NOWEB before 2024.11 (Baileys' WebMessageInfo as is): `{ key: { remoteJid: "…@s.whatsapp.net",
 *   fromMe: true, id: "3EB0…" }, status: "PENDING" }`, serialized here as WAHA's NOWEB engine does
 *   (`buildMessageId`: `${fromMe}_${toCusFormat(remoteJid)}_${id}`).
 */
export function wahaSentId(body: unknown, chatId: string): string | undefined {
  if (!isObject(body)) return undefined;
  const serialized = (v: unknown) => (typeof v === 'string' ? v : isObject(v) ? v._serialized : undefined);
  const direct = sentIdOf(serialized(body.id)) ?? sentIdOf(serialized(obj(body, '_data')?.id));
  if (direct !== undefined) return direct;
  const key = obj(body, 'key');
  const id = sentIdOf(key?.id);
  if (key === undefined || id === undefined) return undefined;
  const remote = typeof key.remoteJid === 'string' && key.remoteJid !== '' ? key.remoteJid : chatId;
  const fromMe = key.fromMe === false ? 'false' : 'true';
  return sentIdOf(`${fromMe}_${cusJid(remote)}_${id}`);
}

export function createWahaClient(credentials: WahaCredentials, options: ClientOptions = {}): TransportClient {
  // The base URL is the tenant's choice: checked at every connection unless a fetch is injected.
  const fetchFn = options.fetch ?? guardedFetchFor(options.egress ?? { allowPrivate: false });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sleep = options.sleep ?? defaultSleep;
  const headers = { 'x-api-key': credentials.apiKey, 'content-type': 'application/json' };
  const session = credentials.session;

  async function post(
    path: string,
    body: Record<string, unknown>,
    signal: AbortSignal | undefined,
  ): Promise<{ ok: true; body: unknown } | { ok: false; error: TransportError }> {
    const res = await httpCall(fetchFn, {
      method: 'POST',
      url: joinUrl(credentials.baseUrl, path),
      headers,
      body: { session, ...body },
      timeoutMs,
      signal,
    });
    if (!res.ok) return res;
    if (res.status >= 200 && res.status < 300) return { ok: true, body: res.body };
    return {
      ok: false,
      error: classifyWahaError({ httpStatus: res.status, body: res.body, headers: res.headers }),
    };
  }

  return {
    kind: 'waha',

    async sendText(msg: OutboundText, signal?: AbortSignal): Promise<SendResult> {
      const chatId = wahaChatId(msg.to);
      const res = await post(
        'api/sendText',
        {
          chatId,
          text: msg.text,
          linkPreview: false,
          ...(msg.replyToProviderId ? { reply_to: msg.replyToProviderId } : {}),
        },
        signal,
      );
      if (!res.ok) return res;
      const id = wahaSentId(res.body, chatId);
      if (id === undefined) {
        return {
          ok: false,
          error: {
            class: 'permanent',
            code: 'invalid_response',
            message: 'sendText answered without a valid id',
          },
        };
      }
      return { ok: true, providerId: id, waId: digitsOf(msg.to) };
    },

    async sendTemplate(_msg: OutboundTemplate): Promise<SendResult> {
      return {
        ok: false,
        error: {
          class: 'permanent',
          code: 'template_unsupported',
          message: 'WAHA channels have no message templates',
        },
      };
    },

    async markRead(providerId: string, chatPhone: string, signal?: AbortSignal): Promise<ActionResult> {
      const res = await post(
        'api/sendSeen',
        { chatId: wahaChatId(chatPhone), messageIds: [providerId] },
        signal,
      );
      return res.ok ? { ok: true } : res;
    },

    async typing(
      chatPhone: string,
      durationMs: number,
      _inReplyToProviderId?: string,
      signal?: AbortSignal,
    ): Promise<ActionResult> {
      const chatId = wahaChatId(chatPhone);
      const started = await post('api/startTyping', { chatId }, signal);
      if (!started.ok) return started;
      try {
        await sleep(Math.max(0, durationMs), signal);
      } catch {
        // Aborted: stop typing now.
      }
      // Stopping is best effort: a leftover indicator fades by itself and the reply clears it.
      const stopped = await post('api/stopTyping', { chatId }, undefined);
      return stopped.ok ? { ok: true } : stopped;
    },
  };
}
