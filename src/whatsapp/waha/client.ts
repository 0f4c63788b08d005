/**
 * WAHA client: /api/sendText, /api/startTyping and /api/stopTyping, /api/sendSeen, all with the
 * `X-Api-Key` header. Chats are addressed as `digits@c.us`.
 */

import { defaultSleep, httpCall, joinUrl } from '../shared/http.ts';
import { digitsOf } from '../shared/ids.ts';
import { isObject, str } from '../shared/json.ts';
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

export function createWahaClient(credentials: WahaCredentials, options: ClientOptions = {}): TransportClient {
  const fetchFn = options.fetch ?? fetch;
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
      const rawId = isObject(res.body) ? res.body.id : undefined;
      const id = typeof rawId === 'string' ? rawId : str(rawId, '_serialized');
      if (id === undefined) {
        return {
          ok: false,
          error: { class: 'permanent', code: 'invalid_response', message: 'sendText answered without an id' },
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
