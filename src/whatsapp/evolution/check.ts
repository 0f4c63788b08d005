/**
 * Evolution API v2 credential check: the instance's connection state (GET
 * /instance/connectionState/{instance}; `open` = logged in to WhatsApp). Read-only; the gateway
 * URL must pass the same egress rules as the server's client. `sellify doctor` calls it per channel.
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
import type { EvolutionCredentials } from '../types.ts';

export async function checkEvolutionCredentials(
  credentials: Pick<EvolutionCredentials, 'baseUrl' | 'instance' | 'apiKey'>,
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
  const instance = credentials.instance;
  const reply = await httpCall(options.fetch ?? guardedFetchFor(options.egress), {
    method: 'GET',
    url: joinUrl(base, `instance/connectionState/${encodeURIComponent(instance)}`),
    headers: { apikey: credentials.apiKey },
    timeoutMs: options.timeoutMs,
  });
  if (!reply.ok)
    return unreachable(
      `Evolution at ${safeOrigin(base)}`,
      reply.error,
      options.timeoutMs,
      'check the channel baseUrl',
    );
  const auth = gatewayAuthFailure(reply.status, 'Evolution');
  if (auth) return auth;
  if (reply.status === 404) {
    return {
      status: 'fail',
      detail: `Evolution has no instance "${instance}"`,
      hint: 'create it (POST /instance/create), or PATCH the channel with all its credentials and the right instance',
    };
  }
  if (reply.status !== 200) return { status: 'fail', detail: `Evolution answered HTTP ${reply.status}` };
  const state =
    remoteText(field(field(reply.body, 'instance'), 'state')) ?? remoteText(field(reply.body, 'state'));
  if (state === 'open') return { status: 'ok', detail: `instance "${instance}" is connected` };
  return {
    status: 'fail',
    detail: `instance "${instance}" is ${state ?? 'in an unknown state'}, not connected`,
    hint: `link the phone again: GET ${safeOrigin(base)}/instance/connect/${encodeURIComponent(instance)} gives the QR code`,
  };
}
