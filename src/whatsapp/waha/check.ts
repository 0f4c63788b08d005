/**
 * WAHA credential check: the session's status (GET /api/sessions/{session}; WORKING = logged in to
 * WhatsApp). Read-only; the gateway URL must pass the same egress rules as the server's client.
 * `sellify doctor` calls it per channel.
 */
import {
  type CredentialCheck,
  type CredentialCheckOptions,
  field,
  gatewayAuthFailure,
  remoteText,
  safeOrigin,
  unreachable,
} from '../shared/credential-check.ts';
import { checkGatewayUrl, type EgressPolicy, guardedFetchFor, refusalText } from '../shared/egress.ts';
import { httpCall, joinUrl } from '../shared/http.ts';
import type { WahaCredentials } from '../types.ts';

export async function checkWahaCredentials(
  credentials: Pick<WahaCredentials, 'baseUrl' | 'session' | 'apiKey'>,
  options: CredentialCheckOptions & { egress: EgressPolicy },
): Promise<CredentialCheck> {
  const base = credentials.baseUrl;
  const verdict = await checkGatewayUrl(base, options.egress);
  if (!verdict.ok) {
    return {
      status: 'fail',
      detail: `not checked: the gateway URL ${refusalText(verdict.refusal)}`,
      hint: 'PATCH /api/v1/channels/<id> with a gateway URL Sellify may call',
    };
  }
  const session = credentials.session;
  const path = encodeURIComponent(session);
  const reply = await httpCall(options.fetch ?? guardedFetchFor(options.egress), {
    method: 'GET',
    url: joinUrl(base, `api/sessions/${path}`),
    headers: { 'x-api-key': credentials.apiKey },
    timeoutMs: options.timeoutMs,
  });
  if (!reply.ok)
    return unreachable(
      `WAHA at ${safeOrigin(base)}`,
      reply.error,
      options.timeoutMs,
      'check the channel baseUrl',
    );
  const auth = gatewayAuthFailure(reply.status, 'WAHA');
  if (auth) return auth;
  if (reply.status === 404) {
    return {
      status: 'fail',
      detail: `WAHA has no session "${session}"`,
      hint: 'create it (POST /api/sessions), or PATCH the channel with all its credentials and the right session',
    };
  }
  if (reply.status !== 200) return { status: 'fail', detail: `WAHA answered HTTP ${reply.status}` };
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
