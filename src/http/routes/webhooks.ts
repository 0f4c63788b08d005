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
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ProcessEventsFn } from '../../pipeline/index.ts';
import { trackPairingWebhook } from '../../pipeline/pairing.ts';
import {
  type ChannelRoute,
  cloudVerifyTokenKnown,
  findChannelByRouteKey,
  findChannelsByRouteKeys,
  type Store,
} from '../../store/index.ts';
import {
  type ChannelTransport,
  type CloudDefaults,
  channelTransport,
  type InboundEvent,
  parseJsonBody,
  parseWebhook,
  routeCloudWebhook,
  type TransportKind,
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
  cloudDefaults?: CloudDefaults;
  /**
   * Told when a webhook got a 5xx or was answered after SLOW_WEBHOOK_ACK_MS: the provider will
   * retry it on its back-off, so sends in doubt must wait longer for their proof.
   */
  onMissedAck?: (atMs: number) => void;
  /** Default SLOW_WEBHOOK_ACK_MS. */
  slowAckMs?: number;
  /** Route keys → channels with secrets; shared with the channel routes, which invalidate it. Default: a private one. */
  channelCache?: ChannelCache;
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
  if (events.length > MAX_WEBHOOK_ITEMS)
    throw new ApiError('payload_invalid', `A webhook carries at most ${MAX_WEBHOOK_ITEMS} events.`);
  for (const e of events) {
    if ((e.kind === 'message' || e.kind === 'status') && e.providerId.length > MAX_PROVIDER_ID_LENGTH)
      throw new ApiError(
        'payload_invalid',
        `A message id is longer than ${MAX_PROVIDER_ID_LENGTH} characters.`,
      );
  }
  return events;
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

/**
 * Most Cloud changes (entries × changes) and events accepted in one webhook body. Meta batches up
 * to 1,000 updates per POST; anything larger is not Meta and is refused (400) before any look-up.
 */
export const MAX_WEBHOOK_ITEMS = 1_000;
/**
 * Most distinct phone numbers one Cloud body may name. One Meta app's numbers can share a batch;
 * each distinct number costs a credential decryption and an HMAC, so the count is bounded.
 */
export const MAX_CLOUD_NUMBERS_PER_WEBHOOK = 20;
/** Longest verify token looked up; Meta's dashboard takes far shorter ones. */
const MAX_VERIFY_TOKEN_LENGTH = 512;

/** How long a channel's route and secrets are reused without reading the database again. */
export const CHANNEL_CACHE_TTL_MS = 30_000;
const CHANNEL_CACHE_MAX = 10_000;

/**
 * Route key → channel with its decrypted secrets, for CHANNEL_CACHE_TTL_MS: a flood of webhooks
 * (signed or not) for a known number costs no database round trip and no decryption per request.
 * Changes made through this process invalidate the channel at once; another instance's cache
 * keeps an old secret at most CHANNEL_CACHE_TTL_MS. Unknown keys are not cached, so a channel
 * created on another instance is routed at its first webhook.
 */
export class ChannelCache {
  private readonly entries = new Map<string, { routed: Routed; expiresAtMs: number }>();

  constructor(
    private readonly ttlMs = CHANNEL_CACHE_TTL_MS,
    private readonly maxEntries = CHANNEL_CACHE_MAX,
    private readonly now: () => number = Date.now,
  ) {}

  get(routeKey: string): Routed | undefined {
    const hit = this.entries.get(routeKey);
    if (hit === undefined) return undefined;
    if (hit.expiresAtMs <= this.now()) {
      this.entries.delete(routeKey);
      return undefined;
    }
    return hit.routed;
  }

  set(routeKey: string, routed: Routed): void {
    this.entries.delete(routeKey);
    this.entries.set(routeKey, { routed, expiresAtMs: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  /** Forgets a channel (created, changed, released or deleted), whatever route key it had. */
  invalidate(channelId: string): void {
    for (const [key, entry] of this.entries)
      if (entry.routed.channelId === channelId) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

export async function webhookRoutes(app: Api, deps: WebhookDeps): Promise<void> {
  // Signatures cover the exact bytes received, so bodies stay raw here (no JSON parsing middleware).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT_BYTES },
    (_req, body, done) => done(null, body),
  );

  const cache = deps.channelCache ?? new ChannelCache();
  const ack = (reply: FastifyReply, body: Record<string, unknown>) => reply.code(200).send(body);

  /** The channel with its secrets: from the cache, else one tenant transaction to decrypt them. */
  async function withSecrets(route: ChannelRoute, routeKey: string): Promise<Routed | null> {
    const cached = cache.get(routeKey);
    if (cached !== undefined) return cached;
    const credentials = await deps.store.tx(route.tenantId, (r) =>
      r.channels.getCredentials(route.channelId),
    );
    if (!credentials) return null;
    const routed: Routed = {
      tenantId: route.tenantId,
      channelId: route.channelId,
      transport: channelTransport(route.transport, route.channelId, credentials, deps.cloudDefaults),
    };
    cache.set(routeKey, routed);
    return routed;
  }

  async function loadChannel(routeKey: string): Promise<Routed | null> {
    const cached = cache.get(routeKey);
    if (cached !== undefined) return cached;
    const route = await findChannelByRouteKey(deps.store.db, routeKey);
    return route === null ? null : withSecrets(route, routeKey);
  }

  const onMissedAck = deps.onMissedAck;
  const slowAckMs = deps.slowAckMs ?? SLOW_WEBHOOK_ACK_MS;
  if (onMissedAck !== undefined) {
    // Scoped to the webhook routes (this plugin's encapsulation context).
    app.addHook('onResponse', async (req, reply) => {
      if (req.method !== 'POST') return;
      if (reply.statusCode >= 500 || reply.elapsedTime >= slowAckMs) onMissedAck(Date.now());
    });
  }

  // Meta's subscription handshake: echo hub.challenge when the verify token is one of ours. The
  // token is found by its keyed hash (one indexed query, nothing decrypted); the route has its own
  // small per-IP budget (app.ts), since guessing tokens is all an anonymous caller can do here.
  app.get('/webhooks/whatsapp', { schema: { hide: true } }, async (req, reply) => {
    const query = req.query as Record<string, string | string[] | undefined>;
    const one = (key: string): string | undefined => {
      const v = query[key];
      return Array.isArray(v) ? v[0] : v;
    };
    const token = one('hub.verify_token');
    const challenge = one('hub.challenge');
    if (
      one('hub.mode') === 'subscribe' &&
      typeof token === 'string' &&
      token !== '' &&
      token.length <= MAX_VERIFY_TOKEN_LENGTH &&
      typeof challenge === 'string' &&
      (await cloudVerifyTokenKnown(deps.store.db, deps.store.keyring, token))
    ) {
      return reply.code(200).type('text/plain').send(challenge);
    }
    // Refused like every other error: problem+json with a catalogue code (it was an empty text/plain 403).
    throw new ApiError('forbidden', 'The verify token or mode does not match a channel.');
  });

  app.post('/webhooks/whatsapp', { schema: { hide: true } }, async (req, reply) => {
    const raw = rawBodyOf(req);
    const json = parseBody(raw);
    const route = routeOf(json);
    // Bounded before any look-up: an unsigned body must not buy work per entry.
    if (route.changeCount > MAX_WEBHOOK_ITEMS)
      throw new ApiError('payload_invalid', `A webhook carries at most ${MAX_WEBHOOK_ITEMS} changes.`);
    if (route.phoneNumberIds.length > MAX_CLOUD_NUMBERS_PER_WEBHOOK) {
      throw new ApiError(
        'payload_invalid',
        `A webhook names at most ${MAX_CLOUD_NUMBERS_PER_WEBHOOK} phone numbers.`,
      );
    }
    const first = route.phoneNumberIds[0];
    // Without a known number there is no secret to check the signature with: store nothing.
    if (first === undefined) return ack(reply, { received: 0, ignored: 'no_phone_number_id' });
    // Every named number in one query (or the cache); nothing is decrypted yet.
    const routes = new Map<string, ChannelRoute>();
    const missing: string[] = [];
    for (const id of route.phoneNumberIds) {
      const cached = cache.get(`cloud:${id}`);
      if (cached !== undefined) routes.set(id, { ...cached, transport: 'cloud' });
      else missing.push(`cloud:${id}`);
    }
    for (const found of await findChannelsByRouteKeys(deps.store.db, missing)) {
      if (found.routeKey?.startsWith('cloud:')) routes.set(found.routeKey.slice('cloud:'.length), found);
    }
    // The first number (in body order) with a channel checks the signature before anything else.
    const mainId = route.phoneNumberIds.find((id) => routes.has(id));
    if (mainId === undefined) return ack(reply, { received: 0, ignored: 'unknown_phone_number_id' });
    const main = await withSecrets(routes.get(mainId)!, `cloud:${mainId}`);
    if (!main) return ack(reply, { received: 0, ignored: 'unknown_phone_number_id' });
    checkSignature(main, req, raw);
    const events = parseEvents('cloud', json, deps.clock());
    let received = 0;
    let failed = 0;
    for (const id of route.phoneNumberIds) {
      const found = routes.get(id);
      if (found === undefined) continue;
      const channel: Routed | null = id === mainId ? main : await withSecrets(found, `cloud:${id}`);
      if (!channel) continue;
      // One Meta app serves all its numbers with one secret; a channel with another secret is not trusted here.
      if (channel !== main && !verifyWebhook(channel.transport, { rawBody: raw, headers: headersOf(req) }).ok)
        continue;
      const mine = events.filter(
        (e) => e.kind !== 'ignored' && (e.account === undefined ? id === first : e.account === id),
      );
      if (mine.length === 0) continue;
      const outcome = await deps.processEvents(
        { tenantId: channel.tenantId, channelId: channel.channelId, transport: 'cloud' },
        mine,
      );
      received += outcome.messages + outcome.statuses + outcome.health;
      failed += outcome.failed;
    }
    if (failed > 0) app.metrics.webhookEventsFailed.inc({ transport: 'cloud' }, failed);
    return ack(reply, failed > 0 ? { received, failed } : { received });
  });

  for (const transport of ['evolution', 'waha', 'sandbox'] as const) {
    app.post(`/webhooks/${transport}/:channelId`, { schema: { hide: true } }, async (req, reply) => {
      const { channelId } = req.params as { channelId: string };
      const raw = rawBodyOf(req);
      const channel = /^chn_[A-Za-z0-9]{1,64}$/.test(channelId)
        ? await loadChannel(`${transport}:${channelId}`)
        : null;
      if (!channel || channel.transport.transport !== transport)
        throw new ApiError('not_found', 'No such channel.');
      checkSignature(channel, req, raw);
      const json = parseBody(raw);
      const events = parseEvents(transport, json, deps.clock());
      const outcome = await deps.processEvents(
        { tenantId: channel.tenantId, channelId: channel.channelId, transport },
        events,
      );
      // QR / pairing-code progress (issue 15.6): stored beside the health events the pipeline keeps.
      await trackPairingWebhook(deps.store, { ...channel, transport }, json, deps.clock());
      const received = outcome.messages + outcome.statuses + outcome.health;
      if (outcome.failed > 0) app.metrics.webhookEventsFailed.inc({ transport }, outcome.failed);
      return ack(reply, outcome.failed > 0 ? { received, failed: outcome.failed } : { received });
    });
  }
}
