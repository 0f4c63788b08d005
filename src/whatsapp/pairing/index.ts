/**
 * Connecting a WhatsApp number to a gateway (Evolution API, WAHA) by QR code or pairing code,
 * behind one provider-neutral vocabulary (issue 15 item 6):
 *
 * - `PairingClient`: create or reuse the instance/session with Sellify's webhook on it, start the
 *   pairing, read the current QR (raw string and PNG), ask for a pairing code, poll the state,
 *   restart, log out. Failures are classified TransportErrors, never exceptions.
 * - `pairingUpdatesOf`: the pairing facts in a gateway webhook (`qrcode.updated`,
 *   `connection.update`, `session.status`), read beside the normal parsers so those stay untouched.
 * - `applyPairingUpdate`: the pure state machine the tracker stores (what changed, whether a new QR
 *   was shown), so a redelivered or late webhook changes nothing.
 *
 * States: `connecting` (started, no QR yet), `qr` (a QR is waiting to be scanned), `connected`,
 * `disconnected` (logged out, stopped, closed), `failed` (the gateway gave up: Evolution `refused`
 * after its QR limit, WAHA `FAILED` after 6 codes). `failed` and `disconnected` need a new start.
 */
import { createEvolutionPairing, evolutionPairingUpdates } from '../evolution/pairing.ts';
import type { ClientOptions } from '../types.ts';
import { createWahaPairing, wahaPairingUpdates } from '../waha/pairing.ts';
import type { PairingChannel, PairingClient, PairingUpdate } from './state.ts';

export * from './state.ts';

export function createPairingClient(channel: PairingChannel, options: ClientOptions = {}): PairingClient {
  return channel.transport === 'evolution'
    ? createEvolutionPairing(channel.credentials, options)
    : createWahaPairing(channel.credentials, options);
}

/** The pairing facts in a verified gateway webhook body; none for other transports or events. */
export function pairingUpdatesOf(transport: string, json: unknown, receivedAtMs: number): PairingUpdate[] {
  if (transport === 'evolution') return evolutionPairingUpdates(json, receivedAtMs);
  if (transport === 'waha') return wahaPairingUpdates(json, receivedAtMs);
  return [];
}
