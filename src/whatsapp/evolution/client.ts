/**
 * Evolution API v2 client: /message/sendText, /chat/sendPresence (which blocks for its delay),
 * /chat/markMessageAsRead, all with the `apikey` header.
 */

import { guardedFetchFor } from '../shared/egress.ts';
import { httpCall, joinUrl, pathSegment } from '../shared/http.ts';
import { digitsOf, sentIdOf, waIdOf } from '../shared/ids.ts';
import { obj } from '../shared/json.ts';
import {
  type ActionResult,
  type ClientOptions,
  DEFAULT_TIMEOUT_MS,
  type EvolutionCredentials,
  type OutboundTemplate,
  type OutboundText,
  type SendResult,
  type TransportClient,
} from '../types.ts';
import { classifyEvolutionError } from './errors.ts';

export function createEvolutionClient(
  credentials: EvolutionCredentials,
  options: ClientOptions = {},
): TransportClient {
  // The base URL is the tenant's choice: checked at every connection unless a fetch is injected.
  const fetchFn = options.fetch ?? guardedFetchFor(options.egress ?? { allowPrivate: false });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const instance = pathSegment(credentials.instance);
  const headers = { apikey: credentials.apiKey, 'content-type': 'application/json' };

  async function post(
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    extraTimeoutMs = 0,
  ): Promise<{ ok: true; body: unknown } | { ok: false; error: ReturnType<typeof classifyEvolutionError> }> {
    const res = await httpCall(fetchFn, {
      method: 'POST',
      url: joinUrl(credentials.baseUrl, `${path}/${instance}`),
      headers,
      body,
      timeoutMs: timeoutMs + extraTimeoutMs,
      signal,
    });
    if (!res.ok) return res;
    if (res.status >= 200 && res.status < 300) return { ok: true, body: res.body };
    return {
      ok: false,
      error: classifyEvolutionError({ httpStatus: res.status, body: res.body, headers: res.headers }),
    };
  }

  return {
    kind: 'evolution',

    async sendText(msg: OutboundText, signal?: AbortSignal): Promise<SendResult> {
      const number = digitsOf(msg.to);
      const body: Record<string, unknown> = { number, text: msg.text, linkPreview: false };
      // Evolution loads the quoted message from its own store when only the key is given.
      if (msg.replyToProviderId) {
        body.quoted = {
          key: { id: msg.replyToProviderId, remoteJid: `${number}@s.whatsapp.net`, fromMe: false },
        };
      }
      const res = await post('message/sendText', body, signal);
      if (!res.ok) return res;
      const key = obj(res.body, 'key');
      const id = sentIdOf(key?.id);
      if (id === undefined) {
        return {
          ok: false,
          error: {
            class: 'permanent',
            code: 'invalid_response',
            message: 'sendText answered without a valid key.id',
          },
        };
      }
      const jid = key?.remoteJid;
      const waId = waIdOf(typeof jid === 'string' ? jid.split('@')[0] : undefined);
      return waId ? { ok: true, providerId: id, waId } : { ok: true, providerId: id };
    },

    async sendTemplate(_msg: OutboundTemplate): Promise<SendResult> {
      // Baileys numbers have no 24-hour window and no Meta templates; the pipeline sends text.
      return {
        ok: false,
        error: {
          class: 'permanent',
          code: 'template_unsupported',
          message: 'Evolution (Baileys) channels have no message templates',
        },
      };
    },

    async markRead(providerId: string, chatPhone: string, signal?: AbortSignal): Promise<ActionResult> {
      const res = await post(
        'chat/markMessageAsRead',
        {
          readMessages: [
            { remoteJid: `${digitsOf(chatPhone)}@s.whatsapp.net`, fromMe: false, id: providerId },
          ],
        },
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
      const delayMs = Math.max(0, Math.round(durationMs));
      // The call returns only after `delay` ms (Evolution sends composing, waits, then paused).
      const res = await post(
        'chat/sendPresence',
        { number: digitsOf(chatPhone), presence: 'composing', delay: delayMs },
        signal,
        delayMs,
      );
      return res.ok ? { ok: true } : res;
    },
  };
}
