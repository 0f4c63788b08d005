/**
 * A stored channel as the transports see it: its transport kind and the credential fields that
 * transport defines. The webhook routes build one to check signatures, the outbound pipeline to
 * get a client; both go through `channelTransport`, so both read the same closed set of fields.
 */
import {
  type CloudCredentials,
  type EvolutionCredentials,
  type SandboxCredentials,
  TRANSPORT_CREDENTIAL_FIELDS,
  type TransportKind,
  type WahaCredentials,
} from './types.ts';

/** A channel's transport and its (decrypted) credentials. */
export type ChannelTransport =
  | { transport: 'cloud'; credentials: CloudCredentials }
  | { transport: 'evolution'; credentials: EvolutionCredentials }
  | { transport: 'waha'; credentials: WahaCredentials }
  | { transport: 'sandbox'; credentials: SandboxCredentials };

/** What the operator sets for every Cloud channel (WHATSAPP_GRAPH_URL), never a tenant. */
export interface CloudDefaults {
  graphUrl?: string;
}

/**
 * A channel's transport with its stored credentials. Stored values are checked by the channel
 * routes when written; missing secrets make verification fail rather than pass.
 */
export function channelTransport(
  transport: TransportKind,
  channelId: string,
  credentials: Record<string, unknown>,
  cloudDefaults: CloudDefaults = {},
): ChannelTransport {
  // Only the fields the transport defines are read: a `graphUrl` or `apiVersion` stored before
  // credentials became a closed schema can no longer steer the Graph calls (the URL is the operator's).
  const picked: Record<string, string> = {};
  for (const field of TRANSPORT_CREDENTIAL_FIELDS[transport]) {
    const value = credentials[field];
    if (typeof value === 'string') picked[field] = value;
  }
  const merged =
    transport === 'cloud'
      ? { ...picked, ...(cloudDefaults.graphUrl !== undefined ? { graphUrl: cloudDefaults.graphUrl } : {}) }
      : transport === 'sandbox'
        ? { ...picked, channelId }
        : picked;
  return { transport, credentials: merged } as unknown as ChannelTransport;
}
