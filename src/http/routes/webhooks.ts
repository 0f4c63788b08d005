/**
 * Webhook routes: where WhatsApp transports deliver messages, statuses and connection events.
 *
 * Every POST is checked over its raw bytes before anything is stored (Cloud: X-Hub-Signature-256
 * with the channel's app secret; WAHA: X-Webhook-Hmac SHA-512; Evolution and the sandbox: the
 * channel's secret in X-Sellify-Token). A missing or bad signature → 401 and nothing stored; a body
 * that is not a webhook → 400. Accepted events are stored, decided and their sends enqueued in the
 * same transaction before the 200, so an acknowledged webhook is never lost and a redelivered one
 * is found by its provider id and changes nothing. Sending itself happens in the queue.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ProcessEventsFn } from '../../pipeline/index.ts';
import { findChannelByRouteKey, listCloudChannels, type Store } from '../../store/index.ts';
import {
  type ChannelTransport,
  type InboundEvent,
  parseJsonBody,
  parseWebhook,
  routeCloudWebhook,
  TRANSPORT_CREDENTIAL_FIELDS,
  type TransportKind,
  verifyCloudSubscription,
  verifyWebhook,
  WebhookPayloadError,
} from '../../whatsapp/index.ts';
import { ApiError } from '../errors.ts';
import type { Api } from './v1/common.ts';

/**
 * A webhook answered this late may have been given up by the provider (Meta documents no
 * timeout; gateways use 10–60 s), so it counts as missed, like a 5xx.
 */
export const SLOW_WEBHOOK_ACK_MS = 5_000;

/** Meta's webhook payloads go up to 3 MB. */
export const WEBHOOK_BODY_LIMIT_BYTES = 3 * 1024 * 1024;

export interface WebhookDeps {
  store: Store;
  processEvents: ProcessEventsFn;
  clock: () => number;
  /** Extra fields merged into every stored Cloud credential (the Graph base URL from WHATSAPP_GRAPH_URL). */
  cloudDefaults?: { graphUrl?: string };
  /**
   * Told when a webhook got a 5xx or was answered after SLOW_WEBHOOK_ACK_MS: the provider will
   * retry it on its back-off, so sends in doubt must wait longer for their proof.
   */
  onMissedAck?: (atMs: number) => void;
  /** Default SLOW_WEBHOOK_ACK_MS. */
  slowAckMs?: number;
}

interface Routed {
  tenantId: string;
  channelId: string;
  transport: ChannelTransport;
}

function headersOf(req: FastifyRequest): Record<string, string | string[] | undefined> {
  return req.headers as Record<string, string | string[] | undefined>;
}

function rawBodyOf(req: FastifyRequest): Buffer {
  const body = req.body;
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.alloc(0);
}

function parseBody(raw: Buffer): unknown {
  try {
    return parseJsonBody(raw);
  } catch (err) {
    if (err instanceof WebhookPayloadError)
      throw new ApiError('payload_invalid', 'The body is not valid JSON.');
    throw err;
  }
}

/** The Cloud numbers a payload names; a body that is not a Cloud webhook envelope is a 400, not a 500. */
function routeOf(json: unknown): ReturnType<typeof routeCloudWebhook> {
  try {
    return routeCloudWebhook(json);
  } catch (err) {
    if (err instanceof WebhookPayloadError) throw new ApiError('payload_invalid', err.message);
    throw err;
  }
}

/**
 * Longest message id accepted. Real ids are under 100 characters; the id is stored in a unique
 * index whose rows cannot exceed 2704 bytes, so a longer one was a 500 that the gateway retried
 * forever (test/reliability/fuzz-webhooks.test.ts).
 */
export const MAX_PROVIDER_ID_LENGTH = 512;

function parseEvents(kind: TransportKind, json: unknown, receivedAtMs: number): InboundEvent[] {
  let events: InboundEvent[];
  try {
    events = parseWebhook(kind, json, { receivedAtMs });
  } catch (err) {
    if (err instanceof WebhookPayloadError) throw new ApiError('payload_invalid', err.message);
    throw err;
  }
  for (const e of events) {
    if ((e.kind === 'message' || e.kind === 'status') && e.providerId.length > MAX_PROVIDER_ID_LENGTH)
      throw new ApiError(
        'payload_invalid',
        `A message id is longer than ${MAX_PROVIDER_ID_LENGTH} characters.`,
      );
  }
  return events;
}

async function loadChannel(deps: WebhookDeps, routeKey: string): Promise<Routed | null> {
  const route = await findChannelByRouteKey(deps.store.db, routeKey);
  if (!route) return null;
  const credentials = await deps.store.tx(route.tenantId, (r) => r.channels.getCredentials(route.channelId));
  if (!credentials) return null;
  return {
    tenantId: route.tenantId,
    channelId: route.channelId,
    transport: channelTransport(route.transport, route.channelId, credentials, deps.cloudDefaults),
  };
}

/**
 * A channel's transport with its stored credentials. Stored values are checked by the channel
 * routes when written; missing secrets make verification fail rather than pass.
 */
export function channelTransport(
  transport: TransportKind,
  channelId: string,
  credentials: Record<string, unknown>,
  cloudDefaults: { graphUrl?: string } = {},
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

function checkSignature(channel: Routed, req: FastifyRequest, raw: Buffer): void {
  const verdict = verifyWebhook(channel.transport, { rawBody: raw, headers: headersOf(req) });
  if (!verdict.ok) {
    throw new ApiError(
      'invalid_signature',
      verdict.reason === 'missing_signature'
        ? 'The webhook carries no signature.'
        : 'The webhook signature does not match.',
    );
  }
}

const safeEqual = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export async function webhookRoutes(app: Api, deps: WebhookDeps): Promise<void> {
  // Signatures cover the exact bytes received, so bodies stay raw here (no JSON parsing middleware).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT_BYTES },
    (_req, body, done) => done(null, body),
  );

  const ack = (reply: FastifyReply, body: Record<string, unknown>) => reply.code(200).send(body);

  const onMissedAck = deps.onMissedAck;
  const slowAckMs = deps.slowAckMs ?? SLOW_WEBHOOK_ACK_MS;
  if (onMissedAck !== undefined) {
    // Scoped to the webhook routes (this plugin's encapsulation context).
    app.addHook('onResponse', async (req, reply) => {
      if (req.method !== 'POST') return;
      if (reply.statusCode >= 500 || reply.elapsedTime >= slowAckMs) onMissedAck(Date.now());
    });
  }

  // Meta's subscription handshake: echo hub.challenge when the verify token is one of ours.
  app.get('/webhooks/whatsapp', { schema: { hide: true } }, async (req, reply) => {
    const query = req.query as Record<string, string | undefined>;
    const token = query['hub.verify_token'];
    if (query['hub.mode'] === 'subscribe' && typeof token === 'string' && token !== '') {
      for (const { tenantId, channelId } of await listCloudChannels(deps.store.db)) {
        const credentials = await deps.store.tx(tenantId, (r) => r.channels.getCredentials(channelId));
        const verifyToken = typeof credentials?.verifyToken === 'string' ? credentials.verifyToken : '';
        if (verifyToken !== '' && safeEqual(verifyToken, token)) {
          const challenge = verifyCloudSubscription(query, verifyToken);
          if (challenge !== null) return reply.code(200).type('text/plain').send(challenge);
        }
      }
    }
    // Refused like every other error: problem+json with a catalogue code (it was an empty text/plain 403).
    throw new ApiError('forbidden', 'The verify token or mode does not match a channel.');
  });

  app.post('/webhooks/whatsapp', { schema: { hide: true } }, async (req, reply) => {
    const raw = rawBodyOf(req);
    const json = parseBody(raw);
    const route = routeOf(json);
    const first = route.phoneNumberIds[0];
    // Without a known number there is no secret to check the signature with: store nothing.
    if (first === undefined) return ack(reply, { received: 0, ignored: 'no_phone_number_id' });
    const channels = new Map<string, Routed>();
    for (const id of route.phoneNumberIds) {
      const channel = await loadChannel(deps, `cloud:${id}`);
      if (channel) channels.set(id, channel);
    }
    const main = channels.get(first) ?? [...channels.values()][0];
    if (!main) return ack(reply, { received: 0, ignored: 'unknown_phone_number_id' });
    checkSignature(main, req, raw);
    const events = parseEvents('cloud', json, deps.clock());
    let received = 0;
    for (const [id, channel] of channels) {
      // One Meta app serves all its numbers with one secret; a channel with another secret is not trusted here.
      if (channel !== main && !verifyWebhook(channel.transport, { rawBody: raw, headers: headersOf(req) }).ok)
        continue;
      const mine = events.filter(
        (e) => e.kind !== 'ignored' && (e.account === undefined ? id === first : e.account === id),
      );
      if (mine.length === 0) continue;
      const outcome = await deps.processEvents(
        { tenantId: channel.tenantId, channelId: channel.channelId },
        mine,
      );
      received += outcome.messages + outcome.statuses + outcome.health;
    }
    return ack(reply, { received });
  });

  for (const transport of ['evolution', 'waha', 'sandbox'] as const) {
    app.post(`/webhooks/${transport}/:channelId`, { schema: { hide: true } }, async (req, reply) => {
      const { channelId } = req.params as { channelId: string };
      const raw = rawBodyOf(req);
      const channel = /^chn_[A-Za-z0-9]{1,64}$/.test(channelId)
        ? await loadChannel(deps, `${transport}:${channelId}`)
        : null;
      if (!channel || channel.transport.transport !== transport)
        throw new ApiError('not_found', 'No such channel.');
      checkSignature(channel, req, raw);
      const events = parseEvents(transport, parseBody(raw), deps.clock());
      const outcome = await deps.processEvents(
        { tenantId: channel.tenantId, channelId: channel.channelId },
        events,
      );
      return ack(reply, { received: outcome.messages + outcome.statuses + outcome.health });
    });
  }
}
