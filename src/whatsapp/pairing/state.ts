/**
 * The provider-neutral pairing vocabulary and the pure state machine the tracker stores (see
 * ./index.ts for the whole picture).
 */
import { createHash } from 'node:crypto';
import type { EvolutionCredentials, TransportError, WahaCredentials } from '../types.ts';

export const PAIRING_STATES = ['connecting', 'qr', 'connected', 'disconnected', 'failed'] as const;
export type PairingState = (typeof PAIRING_STATES)[number];

/** Why a pairing is `failed` or `disconnected` (or waits): stable codes for people and programs. */
export const PAIRING_REASONS = [
  /** Nobody scanned in time: Evolution answered `refused` after its QR limit. */
  'qr_limit',
  /** WAHA gave up (`FAILED`, after 6 QR codes or an engine error). */
  'session_failed',
  /** The phone unlinked the device, or the gateway logged out. */
  'logged_out',
  /** The gateway closed the connection for another reason. */
  'connection_closed',
  /** The WAHA session is stopped. */
  'stopped',
  /** WAHA GOWS asks for a passkey step only its own dashboard can do. */
  'passkey_required',
] as const;
export type PairingReason = (typeof PAIRING_REASONS)[number];

/** What the gateway says now. */
export interface PairingView {
  state: PairingState;
  reason?: PairingReason;
  /** The QR to show: the raw string (render it yourself) and, when the gateway gives it, a PNG data URL. */
  qr?: { raw: string; pngDataUrl?: string };
  /** 8 characters shown as `XXXX-XXXX`, typed on the phone (Linked devices → Link with phone number). */
  pairingCode?: string;
  /** How many QR codes the gateway has produced in this attempt, when it says (Evolution `count`). */
  gatewayQrCount?: number;
  /** The linked number's digits, once connected. */
  account?: string;
}

export type PairingResult<T> = { ok: true; value: T } | { ok: false; error: TransportError };

/** Where and how the gateway must post its webhooks to Sellify. */
export interface PairingWebhook {
  /** `<public url>/webhooks/<transport>/<channel id>`. */
  url: string;
  /** Evolution and WAHA without HMAC: `X-Sellify-Token: <webhookSecret>`. */
  headers: Record<string, string>;
  /** WAHA: the key of its `X-Webhook-Hmac` (SHA-512) signature. */
  hmacKey?: string;
}

export interface PairingClient {
  readonly kind: 'evolution' | 'waha';
  /** Creates the instance/session when missing, else reuses it, and sets Sellify's webhook on it. */
  prepare(webhook: PairingWebhook, signal?: AbortSignal): Promise<PairingResult<{ created: boolean }>>;
  /** Starts (or continues) the pairing; with a phone number, also asks for a pairing code. */
  start(options: { phone?: string }, signal?: AbortSignal): Promise<PairingResult<PairingView>>;
  /** The state as the gateway reports it now (polling). */
  status(signal?: AbortSignal): Promise<PairingResult<PairingView>>;
  /** The current QR without starting anything: the view has `qr` only while one waits. */
  qr(signal?: AbortSignal): Promise<PairingResult<PairingView>>;
  /** A pairing code for this phone number (digits or E.164). */
  requestCode(phone: string, signal?: AbortSignal): Promise<PairingResult<PairingView>>;
  restart(signal?: AbortSignal): Promise<PairingResult<PairingView>>;
  logout(signal?: AbortSignal): Promise<PairingResult<PairingView>>;
}

export type PairingChannel =
  | { transport: 'evolution'; credentials: EvolutionCredentials }
  | { transport: 'waha'; credentials: WahaCredentials };

/** `WZYEH1YY` → `WZYE-H1YY`, as WhatsApp shows it; other shapes are kept as the gateway sent them. */
/** A 2xx answer Sellify cannot read: a gateway failure (502 to the API), never a state. */
export function invalidAnswer(httpStatus: number, message: string): { ok: false; error: TransportError } {
  return { ok: false, error: { class: 'permanent', code: 'invalid_response', httpStatus, message } };
}

export function formatPairingCode(code: string): string {
  const compact = code.replace(/[\s-]/g, '').toUpperCase();
  return /^[A-Z0-9]{8}$/.test(compact) ? `${compact.slice(0, 4)}-${compact.slice(4)}` : code;
}

/** A short digest of a QR string: enough to tell two codes apart, useless to link a device. */
export function qrDigest(raw: string): string {
  return createHash('sha256').update(raw).digest('hex').slice(0, 16);
}

// ---------------------------------------------------------------------------------------------
// Webhooks

/** One pairing fact read from a webhook. */
export interface PairingUpdate {
  state: PairingState;
  reason?: PairingReason;
  /** A new QR was shown (Evolution `qrcode.updated`, WAHA `SCAN_QR_CODE`). */
  newQr?: boolean;
  /** Identifies this fact at the gateway (a QR digest, WAHA's event id): a repeat changes nothing. */
  key?: string;
  atMs: number;
}

// ---------------------------------------------------------------------------------------------
// The tracked state (pure)

export interface PairingRecord {
  state: PairingState;
  reason: PairingReason | null;
  /** QR codes shown since the last start. */
  qrCount: number;
  /** The key of the last update applied (a repeat of it is ignored). */
  lastKey: string | null;
  updatedAtMs: number;
}

export interface PairingChange {
  next: PairingRecord;
  /** `state`: the state or its reason changed; `qr`: a new QR in the same state; null: nothing. */
  changed: 'state' | 'qr' | null;
}

/** A record for a channel never paired through Sellify. */
export function initialPairing(nowMs: number): PairingRecord {
  return { state: 'disconnected', reason: null, qrCount: 0, lastKey: null, updatedAtMs: nowMs };
}

/**
 * Folds one update into the record. A repeated key changes nothing; so does an update older than
 * the record (a late redelivery). Evolution says `connecting` between QR codes: that keeps `qr`;
 * a reasonless `disconnected` (a poll) after `failed` keeps `failed`.
 * `restart: true` (a start through the API) begins a new attempt and counts QR codes from zero.
 */
export function applyPairingUpdate(
  current: PairingRecord,
  update: PairingUpdate,
  options: { restart?: boolean } = {},
): PairingChange {
  const unchanged: PairingChange = { next: current, changed: null };
  if (!options.restart) {
    if (update.key !== undefined && update.key === current.lastKey) return unchanged;
    if (update.atMs < current.updatedAtMs) return unchanged;
  }
  const inAttempt = !options.restart && (current.state === 'connecting' || current.state === 'qr');
  let state = update.state;
  if (state === 'connecting' && current.state === 'qr' && !options.restart) state = 'qr';
  // A gateway that gave up reads as closed when polled (Evolution `close` after `refused`): the
  // reason it failed is what the seller needs to see.
  if (state === 'disconnected' && update.reason === undefined && current.state === 'failed') return unchanged;
  // Counted per attempt: a QR after connected/failed/disconnected begins a new one.
  const qrCount = options.restart
    ? update.newQr
      ? 1
      : 0
    : update.newQr
      ? (inAttempt ? current.qrCount : 0) + 1
      : current.qrCount;
  const reason = state === 'failed' || state === 'disconnected' ? (update.reason ?? null) : null;
  const next: PairingRecord = {
    state,
    reason,
    qrCount,
    lastKey: update.key ?? current.lastKey,
    updatedAtMs: Math.max(current.updatedAtMs, update.atMs),
  };
  const changed =
    state !== current.state || reason !== current.reason || options.restart
      ? 'state'
      : update.newQr
        ? 'qr'
        : null;
  return { next, changed };
}
