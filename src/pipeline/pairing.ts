/**
 * Tracks the QR / pairing-code connection of gateway channels (issue 15.6). Every fact — a gateway
 * webhook (`qrcode.updated`, `connection.update`, `session.status`), a poll, an API start, restart or
 * log-out — is folded into the stored state by the pure `applyPairingUpdate`, inside the caller's
 * tenant transaction, and a change appends one event to the tenant's log in the same transaction:
 *
 * | new state                 | event                      |
 * | ------------------------- | -------------------------- |
 * | `connecting` (a start)    | `channel.pairing_started`  |
 * | `qr`, and each new QR     | `channel.pairing_qr`       |
 * | `connected`               | `channel.connected`        |
 * | `disconnected`            | `channel.disconnected`     |
 * | `failed`                  | `channel.pairing_failed`   |
 *
 * A redelivered or late webhook changes nothing and appends nothing. Event data never holds the QR.
 */

import type { EventType } from '../domain/events.ts';
import type { Store, TenantRepos } from '../store/index.ts';
import { channelPairingRepo } from '../store/repos/channel-pairing.ts';
import {
  applyPairingUpdate,
  initialPairing,
  PAIRING_REASONS,
  PAIRING_STATES,
  type PairingReason,
  type PairingRecord,
  type PairingState,
  type PairingUpdate,
  pairingUpdatesOf,
} from '../whatsapp/index.ts';

const EVENT_OF: Record<PairingState, EventType> = {
  connecting: 'channel.pairing_started',
  qr: 'channel.pairing_qr',
  connected: 'channel.connected',
  disconnected: 'channel.disconnected',
  failed: 'channel.pairing_failed',
};

function asState(value: string): PairingState {
  return (PAIRING_STATES as readonly string[]).includes(value) ? (value as PairingState) : 'disconnected';
}

function asReason(value: string | null): PairingReason | null {
  return value !== null && (PAIRING_REASONS as readonly string[]).includes(value)
    ? (value as PairingReason)
    : null;
}

/** The channel's stored pairing (a channel never paired through Sellify reads as `disconnected`). */
export async function readPairing(r: TenantRepos, channelId: string, nowMs: number): Promise<PairingRecord> {
  const stored = await channelPairingRepo(r).getForUpdate(channelId);
  if (stored === null) return initialPairing(nowMs);
  return { ...stored, state: asState(stored.state), reason: asReason(stored.reason) };
}

/**
 * Folds one update into the channel's pairing and appends the event of a change. `restart` (a
 * start through the API) begins a new attempt: the QR count starts again and the event is sent
 * even when the state was already `connecting`.
 */
export async function recordPairing(
  r: TenantRepos,
  channel: { id: string; transport: string },
  update: PairingUpdate,
  options: { restart?: boolean } = {},
): Promise<{ record: PairingRecord; changed: boolean }> {
  const stored = await channelPairingRepo(r).getForUpdate(channel.id);
  const current: PairingRecord =
    stored === null
      ? initialPairing(0)
      : { ...stored, state: asState(stored.state), reason: asReason(stored.reason) };
  const { next, changed } = applyPairingUpdate(current, update, options);
  if (changed === null) return { record: current, changed: false };
  await channelPairingRepo(r).put(channel.id, next);
  await r.events.append({
    type: EVENT_OF[next.state],
    channelId: channel.id,
    atMs: update.atMs,
    data: {
      transport: channel.transport,
      state: next.state,
      reason: next.reason,
      qrCount: next.qrCount,
    },
  });
  return { record: next, changed: true };
}

/**
 * The pairing facts of a verified gateway webhook, recorded in one tenant transaction (nothing to
 * do, and no transaction, for bodies without any). Called by the webhook route beside the inbound
 * pipeline, which still turns the same connection events into health events.
 */
export async function trackPairingWebhook(
  store: Store,
  target: { tenantId: string; channelId: string; transport: string },
  json: unknown,
  receivedAtMs: number,
): Promise<number> {
  const updates = pairingUpdatesOf(target.transport, json, receivedAtMs);
  if (updates.length === 0) return 0;
  return store.tx(target.tenantId, async (r) => {
    let changes = 0;
    for (const update of updates) {
      const { changed } = await recordPairing(
        r,
        { id: target.channelId, transport: target.transport },
        update,
      );
      if (changed) changes++;
    }
    return changes;
  });
}
