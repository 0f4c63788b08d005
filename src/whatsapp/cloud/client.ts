/**
 * Cloud API client: POST {graphUrl}/{version}/{phoneNumberId}/messages for text, templates, read
 * receipts and typing indicators. Only the base URL differs between production and the simulator.
 */

import { defaultSleep, httpCall, joinUrl, pathSegment } from '../shared/http.ts';
import { cloudTo, sentIdOf, waIdOf } from '../shared/ids.ts';
import { arr, isObject } from '../shared/json.ts';
import {
  type ActionResult,
  type ClientOptions,
  type CloudCredentials,
  DEFAULT_GRAPH_URL,
  DEFAULT_GRAPH_VERSION,
  DEFAULT_TIMEOUT_MS,
  type OutboundTemplate,
  type OutboundText,
  type SendResult,
  type TransportClient,
  type TransportError,
} from '../types.ts';
import { classifyCloudError } from './errors.ts';

/** The typing indicator disappears after 25 s; re-sending it every 20 s keeps it up without a gap. */
export const CLOUD_TYPING_REFRESH_MS = 20_000;
export const CLOUD_TYPING_LIFETIME_MS = 25_000;

export function createCloudClient(
  credentials: CloudCredentials,
  options: ClientOptions = {},
): TransportClient {
  const fetchFn = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sleep = options.sleep ?? defaultSleep;
  const url = joinUrl(
    credentials.graphUrl ?? DEFAULT_GRAPH_URL,
    `${pathSegment(credentials.apiVersion ?? DEFAULT_GRAPH_VERSION)}/${pathSegment(credentials.phoneNumberId)}/messages`,
  );
  const headers = {
    authorization: `Bearer ${credentials.accessToken}`,
    'content-type': 'application/json',
  };

  async function post(
    body: Record<string, unknown>,
    signal: AbortSignal | undefined,
    attempt?: number,
  ): Promise<{ ok: true; body: unknown } | { ok: false; error: TransportError }> {
    const res = await httpCall(fetchFn, { method: 'POST', url, headers, body, timeoutMs, signal });
    if (!res.ok) return res;
    if (res.status === 200) return { ok: true, body: res.body };
    return {
      ok: false,
      error: classifyCloudError({
        httpStatus: res.status,
        body: res.body,
        headers: res.headers,
        ...(attempt === undefined ? {} : { attempt }),
      }),
    };
  }

  function recipient(to: string, bsuid: string | undefined): Record<string, string> {
    if (bsuid && to.trim() === '') return { recipient: bsuid };
    return { to: cloudTo(to) };
  }

  function sendResult(res: { ok: true; body: unknown } | { ok: false; error: TransportError }): SendResult {
    if (!res.ok) return res;
    // Only the fields Graph defines, each checked: the id is stored and shown to the seller.
    const first = arr(res.body, 'messages')[0];
    const contact = arr(res.body, 'contacts')[0];
    const id = sentIdOf(isObject(first) ? first.id : undefined);
    const waId = waIdOf(isObject(contact) ? contact.wa_id : undefined);
    if (id === undefined) {
      // Accepted or not, we cannot track it; retrying could send it twice.
      return {
        ok: false,
        error: {
          class: 'permanent',
          code: 'invalid_response',
          message: 'Graph answered 200 without a valid messages[0].id',
        },
      };
    }
    return waId === undefined ? { ok: true, providerId: id } : { ok: true, providerId: id, waId };
  }

  async function readReceipt(
    messageId: string,
    typingIndicator: boolean,
    signal?: AbortSignal,
  ): Promise<ActionResult> {
    const res = await post(
      {
        messaging_product: 'whatsapp',
        status: 'read',
        message_id: messageId,
        ...(typingIndicator ? { typing_indicator: { type: 'text' } } : {}),
      },
      signal,
    );
    return res.ok ? { ok: true } : res;
  }

  return {
    kind: 'cloud',

    async sendText(msg: OutboundText, signal?: AbortSignal): Promise<SendResult> {
      const body: Record<string, unknown> = {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        ...recipient(msg.to, msg.recipientBsuid),
        type: 'text',
        text: { preview_url: false, body: msg.text },
      };
      if (msg.replyToProviderId) body.context = { message_id: msg.replyToProviderId };
      if (msg.callbackData) body.biz_opaque_callback_data = msg.callbackData;
      return sendResult(await post(body, signal, msg.attempt));
    },

    async sendTemplate(msg: OutboundTemplate, signal?: AbortSignal): Promise<SendResult> {
      const params = msg.parameters ?? [];
      const body = {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        ...recipient(msg.to, msg.recipientBsuid),
        ...(msg.callbackData ? { biz_opaque_callback_data: msg.callbackData } : {}),
        type: 'template',
        template: {
          name: msg.name,
          language: { code: msg.language },
          ...(params.length > 0
            ? { components: [{ type: 'body', parameters: params.map((text) => ({ type: 'text', text })) }] }
            : {}),
        },
      };
      return sendResult(await post(body, signal, msg.attempt));
    },

    markRead(providerId: string, _chatPhone: string, signal?: AbortSignal): Promise<ActionResult> {
      return readReceipt(providerId, false, signal);
    },

    async typing(
      _chatPhone: string,
      durationMs: number,
      inReplyToProviderId?: string,
      signal?: AbortSignal,
    ): Promise<ActionResult> {
      if (!inReplyToProviderId) {
        return {
          ok: false,
          error: {
            class: 'permanent',
            code: 'missing_message_id',
            message: 'the Cloud API shows typing only in reply to an inbound message id',
          },
        };
      }
      let elapsedMs = 0;
      let coveredUntilMs = 0;
      // Each indicator marks the message read and lasts 25 s; refresh it until the duration is covered.
      while (true) {
        const res = await readReceipt(inReplyToProviderId, true, signal);
        if (!res.ok) return res;
        coveredUntilMs = elapsedMs + CLOUD_TYPING_LIFETIME_MS;
        if (coveredUntilMs >= durationMs) break;
        try {
          await sleep(CLOUD_TYPING_REFRESH_MS, signal);
        } catch {
          return { ok: true };
        }
        elapsedMs += CLOUD_TYPING_REFRESH_MS;
      }
      try {
        await sleep(Math.max(0, durationMs - elapsedMs), signal);
      } catch {
        // Aborted: the caller wants to send now; the indicator disappears with the reply.
      }
      return { ok: true };
    },
  };
}
