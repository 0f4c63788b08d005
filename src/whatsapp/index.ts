/**
 * The WhatsApp transports behind one vocabulary. Webhook routes verify with `verifyWebhook`, then
 * parse with `parseWebhook`; the outbound pipeline gets its client from `createTransportClient`.
 * Only the composition root decides which credentials (and which base URLs) are used.
 */
import { createCloudClient, parseCloudWebhook, verifyCloudWebhook } from './cloud/index.ts';
import { createEvolutionClient, parseEvolutionWebhook, verifyEvolutionWebhook } from './evolution/index.ts';
import {
  createSandboxClient,
  parseSandboxWebhook,
  type SandboxHub,
  verifySandboxWebhook,
} from './sandbox/index.ts';
import type {
  ClientOptions,
  CloudCredentials,
  EvolutionCredentials,
  InboundEvent,
  ParseOptions,
  SandboxCredentials,
  TransportClient,
  TransportKind,
  VerifyResult,
  WahaCredentials,
  WebhookRequest,
} from './types.ts';
import { createWahaClient, parseWahaWebhook, verifyWahaWebhook } from './waha/index.ts';

export * from './cloud/index.ts';
export * from './evolution/index.ts';
export * from './sandbox/index.ts';
export {
  checkGatewayUrl,
  checkHost,
  classifyAddress,
  createGuardedFetch,
  type EgressPolicy,
  type EgressRefusal,
  EgressRefusedError,
  refusalText,
} from './shared/egress.ts';
export { classifyNetworkError } from './shared/http.ts';
export { parseJsonBody } from './shared/json.ts';
export { TOKEN_HEADER } from './shared/secrets.ts';
export * from './types.ts';
export * from './waha/index.ts';

/** A channel's transport and its (decrypted) credentials. */
export type ChannelTransport =
  | { transport: 'cloud'; credentials: CloudCredentials }
  | { transport: 'evolution'; credentials: EvolutionCredentials }
  | { transport: 'waha'; credentials: WahaCredentials }
  | { transport: 'sandbox'; credentials: SandboxCredentials };

export function createTransportClient(
  channel: ChannelTransport,
  options: ClientOptions & { sandboxHub?: SandboxHub } = {},
): TransportClient {
  switch (channel.transport) {
    case 'cloud':
      return createCloudClient(channel.credentials, options);
    case 'evolution':
      return createEvolutionClient(channel.credentials, options);
    case 'waha':
      return createWahaClient(channel.credentials, options);
    case 'sandbox':
      return createSandboxClient(channel.credentials, {
        ...(options.sandboxHub ? { hub: options.sandboxHub } : {}),
        ...(options.sleep ? { sleep: options.sleep } : {}),
      });
  }
}

/** Checks a webhook POST against the channel's secret, over the raw bytes. */
export function verifyWebhook(channel: ChannelTransport, req: WebhookRequest): VerifyResult {
  switch (channel.transport) {
    case 'cloud':
      return verifyCloudWebhook(req, channel.credentials);
    case 'evolution':
      return verifyEvolutionWebhook(req, channel.credentials);
    case 'waha':
      return verifyWahaWebhook(req, channel.credentials);
    case 'sandbox':
      return verifySandboxWebhook(req, channel.credentials);
  }
}

/** Parses a verified webhook body. Throws WebhookPayloadError (answer 400) for a body that is not one. */
export function parseWebhook(kind: TransportKind, json: unknown, options: ParseOptions = {}): InboundEvent[] {
  switch (kind) {
    case 'cloud':
      return parseCloudWebhook(json, options);
    case 'evolution':
      return parseEvolutionWebhook(json, options);
    case 'waha':
      return parseWahaWebhook(json, options);
    case 'sandbox':
      return parseSandboxWebhook(json, options);
  }
}
