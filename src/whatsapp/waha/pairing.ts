/**
 * Pairing a WAHA session (reference: seller-ui.md §5.2, whatsapp-protocols.md C2–C3):
 * `GET /api/sessions/{s}` (404: create it with `POST /api/sessions`, else add Sellify's webhook with
 * `PUT`), `POST /api/sessions/{s}/start`, the QR from `GET /api/{s}/auth/qr` (`?format=raw` for the
 * string, `Accept: application/json` for `{ mimetype, data }`), which answers 422 unless the session
 * is `SCAN_QR_CODE`; `POST /api/{s}/auth/request-code` for a pairing code; restart; logout. Statuses
 * STARTING → SCAN_QR_CODE (again at every refresh, 20 s, 6 codes at most) → WORKING, or FAILED.
 */

import type {
  PairingClient,
  PairingResult,
  PairingUpdate,
  PairingView,
  PairingWebhook,
} from '../pairing/state.ts';
import { formatPairingCode, invalidAnswer } from '../pairing/state.ts';
import { guardedFetchFor } from '../shared/egress.ts';
import { httpCall, joinUrl, pathSegment } from '../shared/http.ts';
import { digitsOf } from '../shared/ids.ts';
import { arr, isObject, obj, str } from '../shared/json.ts';
import {
  type ClientOptions,
  DEFAULT_TIMEOUT_MS,
  type TransportError,
  type WahaCredentials,
} from '../types.ts';
import { classifyWahaError } from './errors.ts';

/** Messages, the seller's own messages (`message.any`, source `app`), receipts and the session status. */
export const WAHA_WEBHOOK_EVENTS = ['message', 'message.any', 'message.ack', 'session.status'] as const;

type Call = { ok: true; status: number; body: unknown } | { ok: false; error: TransportError };

/**
 * WAHA's session statuses; undefined for anything else (a missing or unknown status is not
 * "stopped": that would record a change nobody saw).
 */
export function wahaStatusView(status: string | undefined, me?: unknown): PairingView | undefined {
  switch (status) {
    case 'WORKING': {
      const id = str(me, 'id');
      const account = id === undefined ? undefined : digitsOf(id.split('@')[0] ?? '');
      return account ? { state: 'connected', account } : { state: 'connected' };
    }
    case 'SCAN_QR_CODE':
      return { state: 'qr' };
    case 'STARTING':
    case 'PASSKEY_REQUIRED':
    case 'PASSKEY_CONFIRMATION_REQUIRED':
      return { state: 'connecting' };
    case 'FAILED':
      return { state: 'failed', reason: 'session_failed' };
    case 'STOPPED':
      return { state: 'disconnected', reason: 'stopped' };
    default:
      return undefined;
  }
}

export function createWahaPairing(credentials: WahaCredentials, options: ClientOptions = {}): PairingClient {
  const fetchFn = options.fetch ?? guardedFetchFor(options.egress ?? { allowPrivate: false });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const session = pathSegment(credentials.session);
  const headers = { 'x-api-key': credentials.apiKey, 'content-type': 'application/json' };

  async function call(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    signal: AbortSignal | undefined,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<Call> {
    const res = await httpCall(fetchFn, {
      method,
      url: joinUrl(credentials.baseUrl, path),
      headers: { ...headers, ...extraHeaders },
      ...(body === undefined ? {} : { body }),
      timeoutMs,
      signal,
    });
    if (!res.ok) return res;
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, body: res.body };
    return {
      ok: false,
      error: classifyWahaError({ httpStatus: res.status, body: res.body, headers: res.headers }),
    };
  }

  const status = async (signal?: AbortSignal): Promise<PairingResult<PairingView>> => {
    const res = await call('GET', `api/sessions/${session}`, signal);
    if (!res.ok) return res;
    const view = wahaStatusView(str(res.body, 'status'), obj(res.body, 'me'));
    if (view === undefined)
      return invalidAnswer(res.status, 'the gateway answered without a known session status');
    return { ok: true, value: view };
  };

  /** The QR while the session shows one; otherwise the status (WAHA's 422 means "not now"). */
  const qr = async (signal?: AbortSignal): Promise<PairingResult<PairingView>> => {
    const raw = await call('GET', `api/${session}/auth/qr?format=raw`, signal);
    if (!raw.ok) return raw.error.httpStatus === 422 ? status(signal) : raw;
    const value = str(raw.body, 'value');
    if (value === undefined || value === '') return status(signal);
    const view: PairingView = { state: 'qr', qr: { raw: value } };
    // The PNG is a convenience: a failure here still leaves the raw string to render.
    const png = await call('GET', `api/${session}/auth/qr`, signal, undefined, {
      accept: 'application/json',
    });
    if (png.ok && str(png.body, 'mimetype') === 'image/png' && typeof str(png.body, 'data') === 'string') {
      view.qr = { raw: value, pngDataUrl: `data:image/png;base64,${str(png.body, 'data')}` };
    }
    return { ok: true, value: view };
  };

  const requestCode = async (phone: string, signal?: AbortSignal): Promise<PairingResult<PairingView>> => {
    const res = await call('POST', `api/${session}/auth/request-code`, signal, {
      phoneNumber: digitsOf(phone),
    });
    if (!res.ok) return res.error.httpStatus === 422 ? status(signal) : res;
    const code = str(res.body, 'code');
    return {
      ok: true,
      value: code ? { state: 'qr', pairingCode: formatPairingCode(code) } : { state: 'qr' },
    };
  };

  return {
    kind: 'waha',

    async prepare(webhook: PairingWebhook, signal?: AbortSignal) {
      const hook: Record<string, unknown> = {
        url: webhook.url,
        events: [...WAHA_WEBHOOK_EVENTS],
        retries: { policy: 'exponential', delaySeconds: 2, attempts: 15 },
        customHeaders: Object.entries(webhook.headers).map(([name, value]) => ({ name, value })),
      };
      if (webhook.hmacKey !== undefined) hook.hmac = { key: webhook.hmacKey };
      const existing = await call('GET', `api/sessions/${session}`, signal);
      if (!existing.ok && existing.error.httpStatus !== 404) return existing;
      if (!existing.ok) {
        const created = await call('POST', 'api/sessions', signal, {
          name: credentials.session,
          start: false,
          config: { webhooks: [hook] },
        });
        return created.ok ? { ok: true, value: { created: true } } : created;
      }
      // Other webhooks on the session stay; ours replaces any earlier one at the same URL.
      const config = obj(existing.body, 'config') ?? {};
      const others = arr(config, 'webhooks').filter((w) => !isObject(w) || w.url !== webhook.url);
      // SessionUpdateRequest takes only `config` (a strict WAHA refuses other fields).
      const updated = await call('PUT', `api/sessions/${session}`, signal, {
        config: { ...config, webhooks: [...others, hook] },
      });
      return updated.ok ? { ok: true, value: { created: false } } : updated;
    },

    async start(opts, signal) {
      const started = await call('POST', `api/sessions/${session}/start`, signal);
      // Starting a running session is refused by some versions: the status below tells the truth.
      if (!started.ok && started.error.httpStatus !== 422) return started;
      const now = await status(signal);
      if (!now.ok || now.value.state !== 'qr') return now;
      const shown = await qr(signal);
      if (!shown.ok || opts.phone === undefined) return shown;
      const coded = await requestCode(opts.phone, signal);
      if (!coded.ok) return coded;
      return {
        ok: true,
        value: coded.value.pairingCode
          ? { ...shown.value, pairingCode: coded.value.pairingCode }
          : shown.value,
      };
    },

    status,
    qr,
    requestCode,

    async restart(signal) {
      const res = await call('POST', `api/sessions/${session}/restart`, signal);
      if (!res.ok) return res;
      return status(signal);
    },

    async logout(signal) {
      const res = await call('POST', `api/sessions/${session}/logout`, signal);
      if (!res.ok && res.error.httpStatus !== 422) return res;
      // Stopped too: a logged-out session that keeps running shows QR codes until it FAILS.
      const stopped = await call('POST', `api/sessions/${session}/stop`, signal);
      if (!stopped.ok) return stopped;
      return { ok: true, value: { state: 'disconnected', reason: 'logged_out' } };
    },
  };
}

/** The pairing facts of one WAHA webhook body (`session.status`). */
export function wahaPairingUpdates(json: unknown, receivedAtMs: number): PairingUpdate[] {
  if (str(json, 'event') !== 'session.status') return [];
  const status = str(obj(json, 'payload'), 'status');
  if (status === undefined) return [];
  const view = wahaStatusView(status);
  if (view === undefined) return [];
  const key =
    str(json, 'id') ?? `status:${status}:${String((json as Record<string, unknown>).timestamp ?? '')}`;
  const update: PairingUpdate = { state: view.state, key, atMs: receivedAtMs };
  if (view.reason !== undefined) update.reason = view.reason;
  if (status === 'SCAN_QR_CODE') update.newQr = true;
  return [update];
}
