/**
 * Evolution API v2 credential check: the instance's connection state (GET
 * /instance/connectionState/{instance}; `open` = logged in to WhatsApp). Read-only; the gateway
 * URL must pass the same egress rules as the server's client. `sellify doctor` calls it per channel.
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
import type { EvolutionCredentials } from '../types.ts';

export async function checkEvolutionCredentials(
  credentials: Pick<EvolutionCredentials, 'baseUrl' | 'instance' | 'apiKey'>,
  options: CredentialCheckOptions & { egress: EgressPolicy },
): Promise<CredentialCheck> {
  const base = credentials.baseUrl;
  const instance = credentials.instance;
  const reply = await readGatewayStatus(
    {
      gateway: 'Evolution',
      baseUrl: base,
      path: `instance/connectionState/${encodeURIComponent(instance)}`,
      headers: { apikey: credentials.apiKey },
      missing: {
        status: 'fail',
        detail: `Evolution has no instance "${instance}"`,
        hint: 'create it (POST /instance/create), or PATCH the channel with all its credentials and the right instance',
      },
    },
    options,
  );
  if ('check' in reply) return reply.check;
  const state =
    remoteText(field(field(reply.body, 'instance'), 'state')) ?? remoteText(field(reply.body, 'state'));
  if (state === 'open') return { status: 'ok', detail: `instance "${instance}" is connected` };
  return {
    status: 'fail',
    detail: `instance "${instance}" is ${state ?? 'in an unknown state'}, not connected`,
    hint: `link the phone again: GET ${safeOrigin(base)}/instance/connect/${encodeURIComponent(instance)} gives the QR code`,
  };
}
