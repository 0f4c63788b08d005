/**
 * The WhatsApp transports behind one vocabulary. Webhook routes verify with `verifyWebhook`, then
 * parse with `parseWebhook`; the outbound pipeline gets its client from `createTransportClient`.
 * Only the composition root decides which credentials (and which base URLs) are used.
 */
import { eventTimeOrReceived, isAcceptedInstant } from '../domain/instants.ts';
import type { ChannelTransport } from './channel-transport.ts';
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
  InboundEvent,
  ParseOptions,
  TransportClient,
  TransportKind,
  VerifyResult,
  WebhookRequest,
} from './types.ts';
import { createWahaClient, parseWahaWebhook, verifyWahaWebhook } from './waha/index.ts';

export { type ChannelTransport, type CloudDefaults, channelTransport } from './channel-transport.ts';
export * from './cloud/index.ts';
export * from './evolution/index.ts';
export * from './sandbox/index.ts';
export type { CredentialCheck, CredentialCheckOptions } from './shared/credential-check.ts';
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
export { classifyNetworkError, pathSegment } from './shared/http.ts';
export { parseJsonBody } from './shared/json.ts';
export { TOKEN_HEADER } from './shared/secrets.ts';
export * from './types.ts';
export * from './waha/index.ts';

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

/**
 * Parses a verified webhook body. Throws WebhookPayloadError (answer 400) for a body that is not one.
 *
 * Every event time is a message time afterwards (src/domain/instants.ts): a transport's absurd
 * timestamp (`-1e13`, year 0, next century) is replaced by the time the webhook arrived, so that
 * event is still processed and so are the others in the same body. The transport cannot fix a
 * payload it already sent; failing the whole webhook would only make it redeliver forever.
 */
export function parseWebhook(kind: TransportKind, json: unknown, options: ParseOptions = {}): InboundEvent[] {
  const receivedAtMs = options.receivedAtMs ?? Date.now();
  const parsing = { ...options, receivedAtMs };
  let events: InboundEvent[];
  switch (kind) {
    case 'cloud':
      events = parseCloudWebhook(json, parsing);
      break;
    case 'evolution':
      events = parseEvolutionWebhook(json, parsing);
      break;
    case 'waha':
      events = parseWahaWebhook(json, parsing);
      break;
    case 'sandbox':
      events = parseSandboxWebhook(json, parsing);
      break;
  }
  return events.map((event) => withSaneTimes(event, receivedAtMs));
}

/** The event with its times inside what the rest of the system handles. */
function withSaneTimes(event: InboundEvent, receivedAtMs: number): InboundEvent {
  switch (event.kind) {
    case 'message':
    case 'status': {
      const timestampMs = eventTimeOrReceived(event.timestampMs, receivedAtMs);
      return timestampMs === event.timestampMs ? event : { ...event, timestampMs };
    }
    case 'health': {
      const sane = { ...event };
      if (event.timestampMs !== undefined)
        sane.timestampMs = eventTimeOrReceived(event.timestampMs, receivedAtMs);
      // A lock's end lies ahead by nature; one outside the accepted range is dropped, not invented.
      if (event.untilMs !== undefined && !isAcceptedInstant(event.untilMs)) delete sane.untilMs;
      return sane;
    }
    default:
      return event;
  }
}

export * from './pairing/index.ts';
