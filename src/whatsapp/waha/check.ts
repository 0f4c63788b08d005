/**
 * WAHA credential check: the session's status (GET /api/sessions/{session}; WORKING = logged in to
 * WhatsApp). Read-only; the gateway URL must pass the same egress rules as the server's client.
 * `sellify doctor` calls it per channel.
 */
import {
  type CredentialCheck,
  type CredentialCheckOptions,
  field,
  readGatewayStatus,
  remoteText,
  safeOrigin,
} from '../shared/credential-check.ts';
import type { EgressPolicy } from '../shared/egress.ts';
import type { WahaCredentials } from '../types.ts';

export async function checkWahaCredentials(
  credentials: Pick<WahaCredentials, 'baseUrl' | 'session' | 'apiKey'>,
  options: CredentialCheckOptions & { egress: EgressPolicy },
): Promise<CredentialCheck> {
  const base = credentials.baseUrl;
  const session = credentials.session;
  const path = encodeURIComponent(session);
  const reply = await readGatewayStatus(
    {
      gateway: 'WAHA',
      baseUrl: base,
      path: `api/sessions/${path}`,
      headers: { 'x-api-key': credentials.apiKey },
      missing: {
        status: 'fail',
        detail: `WAHA has no session "${session}"`,
        hint: 'create it (POST /api/sessions), or PATCH the channel with all its credentials and the right session',
      },
    },
    options,
  );
  if ('check' in reply) return reply.check;
  const status = remoteText(field(reply.body, 'status'));
  if (status === 'WORKING') return { status: 'ok', detail: `session "${session}" is WORKING` };
  const origin = safeOrigin(base);
  const hints: Record<string, string> = {
    SCAN_QR_CODE: `scan the QR code: GET ${origin}/api/${path}/auth/qr`,
    STOPPED: `start it: POST ${origin}/api/sessions/${path}/start`,
    STARTING: 'wait a few seconds and run doctor again',
    FAILED: `restart it: POST ${origin}/api/sessions/${path}/restart (or log in again)`,
  };
  return {
    status: 'fail',
    detail: `session "${session}" is ${status ?? 'in an unknown state'}, not WORKING`,
    hint: hints[status ?? ''] ?? 'check the session in the WAHA dashboard',
  };
}
