/**
 * Pairing an Evolution API v2 instance (reference: seller-ui.md §5.1, whatsapp-protocols.md B1–B3):
 * `GET /instance/connectionState` tells whether the instance exists (404) and its state;
 * `POST /instance/create` or `POST /webhook/set` puts Sellify's webhook on it; `GET /instance/connect`
 * [?number=] starts the socket and answers the current QR `{ pairingCode, code, base64, count }`
 * (often `{ count: 0 }` before the first QR: not an error, the QR follows by `qrcode.updated`), or the
 * state when already open; `POST /instance/restart`; `DELETE /instance/logout`.
 */

import type {
  PairingClient,
  PairingReason,
  PairingResult,
  PairingUpdate,
  PairingView,
  PairingWebhook,
} from '../pairing/state.ts';
import { formatPairingCode, invalidAnswer, qrDigest } from '../pairing/state.ts';
import { guardedFetchFor } from '../shared/egress.ts';
import { httpCall, joinUrl, pathSegment } from '../shared/http.ts';
import { digitsOf } from '../shared/ids.ts';
import { isObject, num, obj, str } from '../shared/json.ts';
import {
  type ClientOptions,
  DEFAULT_TIMEOUT_MS,
  type EvolutionCredentials,
  type TransportError,
} from '../types.ts';
import { classifyEvolutionError } from './errors.ts';
import { normalizeEvolutionEvent } from './webhook.ts';

/** The events Sellify needs from an instance: pairing, messages (also the seller's own) and receipts. */
export const EVOLUTION_WEBHOOK_EVENTS = [
  'QRCODE_UPDATED',
  'CONNECTION_UPDATE',
  'MESSAGES_UPSERT',
  'MESSAGES_UPDATE',
  'SEND_MESSAGE',
] as const;

/** Baileys DisconnectReason codes that mean the phone must be paired again (as in webhook.ts). */
const LOGGED_OUT_REASONS = new Set([401, 411, 500]);

type Call = { ok: true; status: number; body: unknown } | { ok: false; error: TransportError };

/**
 * Baileys' connection states as Evolution reports them; undefined for anything else (a missing or
 * unknown state is not "disconnected": that would record a change nobody saw).
 */
function stateView(state: string | undefined): PairingView | undefined {
  switch (state) {
    case 'open':
      return { state: 'connected' };
    case 'connecting':
      return { state: 'connecting' };
    case 'refused':
      return { state: 'failed', reason: 'qr_limit' };
    case 'close':
      return { state: 'disconnected' };
    default:
      return undefined;
  }
}

/**
 * A `connect` answer: the QR object, or the connection state when the instance is already open;
 * undefined when it names a state Sellify does not know.
 */
export function evolutionConnectView(body: unknown): PairingView | undefined {
  const instance = obj(body, 'instance');
  if (instance !== undefined && str(instance, 'state') !== undefined)
    return stateView(str(instance, 'state'));
  const code = str(body, 'code');
  const pairingCode = str(body, 'pairingCode');
  const base64 = str(body, 'base64');
  const count = num(body, 'count');
  const view: PairingView = { state: code !== undefined || pairingCode !== undefined ? 'qr' : 'connecting' };
  if (code !== undefined && code !== '') {
    view.qr = base64?.startsWith('data:image/png;base64,')
      ? { raw: code, pngDataUrl: base64 }
      : { raw: code };
  }
  if (pairingCode !== undefined && pairingCode !== '') view.pairingCode = formatPairingCode(pairingCode);
  if (count !== undefined) view.gatewayQrCount = count;
  return view;
}

export function createEvolutionPairing(
  credentials: EvolutionCredentials,
  options: ClientOptions = {},
): PairingClient {
  const fetchFn = options.fetch ?? guardedFetchFor(options.egress ?? { allowPrivate: false });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const instance = pathSegment(credentials.instance);
  const headers = { apikey: credentials.apiKey, 'content-type': 'application/json' };

  async function call(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    signal: AbortSignal | undefined,
    body?: unknown,
  ): Promise<Call> {
    const res = await httpCall(fetchFn, {
      method,
      url: joinUrl(credentials.baseUrl, path),
      headers,
      ...(body === undefined ? {} : { body }),
      timeoutMs,
      signal,
    });
    if (!res.ok) return res;
    if (res.status < 200 || res.status >= 300) {
      return {
        ok: false,
        error: classifyEvolutionError({ httpStatus: res.status, body: res.body, headers: res.headers }),
      };
    }
    // Evolution answers some failures with a 200 `{ error: true, message }`.
    if (isObject(res.body) && res.body.error === true) {
      const message = str(res.body, 'message') ?? 'the gateway reported an error';
      return { ok: false, error: { class: 'permanent', code: 'gateway_error', httpStatus: 200, message } };
    }
    return { ok: true, status: res.status, body: res.body };
  }

  const state = async (signal?: AbortSignal): Promise<PairingResult<PairingView>> => {
    const res = await call('GET', `instance/connectionState/${instance}`, signal);
    if (!res.ok) return res;
    const view = stateView(str(obj(res.body, 'instance'), 'state'));
    if (view === undefined)
      return invalidAnswer(res.status, 'the gateway answered without a known connection state');
    return { ok: true, value: view };
  };

  const connect = async (
    phone: string | undefined,
    signal?: AbortSignal,
  ): Promise<PairingResult<PairingView>> => {
    const query = phone === undefined ? '' : `?number=${encodeURIComponent(digitsOf(phone))}`;
    const res = await call('GET', `instance/connect/${instance}${query}`, signal);
    if (!res.ok) return res;
    const view = isObject(res.body) ? evolutionConnectView(res.body) : undefined;
    if (view === undefined)
      return invalidAnswer(res.status, 'the gateway answer to connect is neither a QR nor a known state');
    return { ok: true, value: view };
  };

  return {
    kind: 'evolution',

    async prepare(webhook: PairingWebhook, signal?: AbortSignal) {
      const hook = {
        enabled: true,
        url: webhook.url,
        headers: webhook.headers,
        byEvents: false,
        base64: false,
        events: [...EVOLUTION_WEBHOOK_EVENTS],
      };
      const existing = await call('GET', `instance/connectionState/${instance}`, signal);
      if (!existing.ok && existing.error.httpStatus !== 404) return existing;
      if (!existing.ok) {
        const created = await call('POST', 'instance/create', signal, {
          instanceName: credentials.instance,
          integration: 'WHATSAPP-BAILEYS',
          qrcode: false,
          webhook: hook,
        });
        if (created.ok) return { ok: true, value: { created: true } };
        // Created meanwhile by someone else (403 "already in use"): reuse it below.
        if (created.error.httpStatus !== 403 || !/already in use/i.test(created.error.message))
          return created;
      }
      const set = await call('POST', `webhook/set/${instance}`, signal, { webhook: hook });
      return set.ok ? { ok: true, value: { created: false } } : set;
    },

    start: (opts, signal) => connect(opts.phone, signal),

    status: state,

    async qr(signal) {
      // `connect` would start a closed socket: only asked while a pairing is under way.
      const now = await state(signal);
      if (!now.ok || now.value.state !== 'connecting') return now;
      return connect(undefined, signal);
    },

    async requestCode(phone, signal) {
      const now = await state(signal);
      if (!now.ok || now.value.state === 'connected') return now;
      return connect(phone, signal);
    },

    async restart(signal) {
      // Evolution refuses to restart a closed instance (`{ error: true, … is not connected }`, also
      // after `refused`): there a restart is a new connect, which shows QR codes again.
      const now = await state(signal);
      if (!now.ok) return now;
      if (now.value.state !== 'connected' && now.value.state !== 'connecting')
        return connect(undefined, signal);
      const res = await call('POST', `instance/restart/${instance}`, signal);
      if (!res.ok) return res;
      return state(signal);
    },

    async logout(signal) {
      const res = await call('DELETE', `instance/logout/${instance}`, signal);
      // Logging out an instance that is not connected is already done.
      if (!res.ok && res.error.code !== 'connection_closed') return res;
      const reason: PairingReason = 'logged_out';
      return { ok: true, value: { state: 'disconnected', reason } };
    },
  };
}

/** The pairing facts of one Evolution webhook body (`qrcode.updated`, `connection.update`, `logout.instance`). */
export function evolutionPairingUpdates(json: unknown, receivedAtMs: number): PairingUpdate[] {
  const rawEvent = str(json, 'event');
  if (rawEvent === undefined) return [];
  const data = obj(json, 'data');
  const stamp = str(json, 'date_time') ?? '';
  const at = { atMs: receivedAtMs };
  switch (normalizeEvolutionEvent(rawEvent)) {
    case 'qrcode.updated': {
      const code = str(obj(data, 'qrcode'), 'code');
      if (code !== undefined && code !== '')
        return [{ state: 'qr', newQr: true, key: `qr:${qrDigest(code)}`, ...at }];
      // At the QR limit the event carries `{ message: "QR code limit reached, please login again", statusCode }`.
      if (/limit/i.test(str(data, 'message') ?? ''))
        return [{ state: 'failed', reason: 'qr_limit', key: `qr-limit:${stamp}`, ...at }];
      return [];
    }
    case 'connection.update': {
      const state = str(data, 'state');
      const reason = num(data, 'statusReason');
      const key = `conn:${state ?? '?'}:${reason ?? ''}:${stamp}`;
      switch (state) {
        case 'open':
          return [{ state: 'connected', key, ...at }];
        case 'connecting':
          return [{ state: 'connecting', key, ...at }];
        case 'refused':
          return [{ state: 'failed', reason: 'qr_limit', key, ...at }];
        case 'close':
          return [
            {
              state: 'disconnected',
              reason:
                reason !== undefined && LOGGED_OUT_REASONS.has(reason) ? 'logged_out' : 'connection_closed',
              key,
              ...at,
            },
          ];
        default:
          return [];
      }
    }
    case 'logout.instance':
      return [{ state: 'disconnected', reason: 'logged_out', key: `logout:${stamp}`, ...at }];
    default:
      return [];
  }
}
