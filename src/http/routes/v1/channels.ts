/**
 * Channels: one WhatsApp number on one transport. Credentials are write-only: accepted on create
 * and update, sealed by the store, and never returned (`hasCredentials` says whether any are
 * stored). GET one adds the health verdict computed from the channel's recent health events.
 */

import { randomBytes } from 'node:crypto';
import { type TOptional, type TString, Type } from '@sinclair/typebox';
import { DAY_MS, isValidTimeZone } from '../../../domain/time.ts';
import type { Transport } from '../../../domain/types.ts';
import { presetConfig } from '../../../engines/config.ts';
import { PresetSchema, TransportSchema } from '../../../engines/context.ts';
import { evaluateHealth } from '../../../engines/health.ts';
import { type ChannelPatch, type NewChannel, newId } from '../../../store/index.ts';
import {
  checkGatewayUrl,
  type EgressPolicy,
  refusalText,
  TRANSPORT_CREDENTIAL_FIELDS,
} from '../../../whatsapp/index.ts';
import { ApiError, problemResponses } from '../../errors.ts';
import {
  type Api,
  byCreation,
  DateTime,
  idParams,
  invalidField,
  msOf,
  Nullable,
  notFound,
  PageQuery,
  pageInMemory,
  pageSchema,
  type RouteContext,
  tx,
} from './common.ts';
import { ChannelSchema, ChannelSettingsSchema, channelView } from './views.ts';

/** Credential fields a transport needs, given at the top level of the body as the integration guide shows. */
const CREDENTIAL_FIELDS = {
  phoneNumberId: 'Cloud API: the Graph id of the business phone number',
  accessToken: 'Cloud API: system-user access token',
  appSecret: 'Cloud API: app secret (checks X-Hub-Signature-256)',
  verifyToken: 'Cloud API: the verify token typed in the App Dashboard',
  baseUrl: 'Evolution / WAHA: gateway base URL',
  instance: 'Evolution: instance name',
  session: 'WAHA: session name',
  apiKey: 'Evolution / WAHA: API key of the gateway',
  hmacKey: 'WAHA: HMAC key of X-Webhook-Hmac (SHA-512)',
  webhookSecret: 'Evolution / WAHA without HMAC / sandbox: secret the gateway sends in X-Sellify-Token',
} as const;
type CredentialField = keyof typeof CREDENTIAL_FIELDS;

/**
 * Secrets that authenticate webhooks to us, chosen by the seller: a short one can be guessed or
 * brute-forced from outside (the webhook URL is public). Checked when credentials are written;
 * channels stored before keep working.
 */
const SHARED_SECRET_FIELDS = ['webhookSecret', 'verifyToken', 'appSecret'] as const;
export const MIN_SHARED_SECRET_CHARS = 16;

/** Longest Cloud API phone number id accepted (Meta's are about 16 digits). */
const MAX_PHONE_NUMBER_ID_LENGTH = 64;

const REQUIRED_CREDENTIALS: Record<Transport, readonly CredentialField[]> = {
  cloud: ['phoneNumberId', 'accessToken', 'appSecret', 'verifyToken'],
  evolution: ['baseUrl', 'instance', 'apiKey', 'webhookSecret'],
  waha: ['baseUrl', 'session', 'apiKey'],
  sandbox: [],
};

/**
 * The fields each transport reads; anything else is refused (400), so no credential can steer a
 * request somewhere the operator did not choose (the Graph URL and version are the operator's:
 * WHATSAPP_GRAPH_URL).
 */
const ALLOWED_CREDENTIALS: Record<Transport, readonly CredentialField[]> = TRANSPORT_CREDENTIAL_FIELDS;

const credentialProperties = Object.fromEntries(
  Object.entries(CREDENTIAL_FIELDS).map(([k, description]) => [
    k,
    Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description })),
  ]),
) as Record<CredentialField, TOptional<TString>>;

/** The same fields inside `credentials`: a closed object, so an unknown name is a 400 that names it. */
const Credentials = Type.Object(credentialProperties, {
  additionalProperties: false,
  description:
    'Transport credentials (the same fields as at the top level). Write-only: stored encrypted, never returned. Only the fields of the channel transport are accepted.',
});

/** Evolution instance and WAHA session names: letters, digits, space, `.`, `_`, `@`, `-`; never `.` or `..`. */
const GATEWAY_NAME = /^(?!\.{1,2}$)[\p{L}\p{N} ._@-]{1,100}$/u;

/**
 * The credentials of a channel (top-level fields over `credentials`) checked against what its
 * transport needs, and the webhook route key derived from them: `cloud:<phoneNumberId>` (Meta
 * names the number in every webhook) or `<transport>:<channel id>` (the gateway's webhook URL
 * names the channel). A channel without credentials is advisor-only: nothing routes to it.
 */
function channelSecrets(
  transport: Transport,
  channelId: string,
  body: Partial<Record<CredentialField, string>> & { credentials?: Record<string, string> | null },
): { credentials: Record<string, string> | null; routeKey: string | null; generatedSecret?: string } {
  const credentials: Record<string, string> = { ...(body.credentials ?? {}) };
  for (const key of Object.keys(CREDENTIAL_FIELDS) as CredentialField[]) {
    const value = body[key];
    if (value !== undefined) credentials[key] = value;
  }
  const foreign = Object.keys(credentials).filter(
    (k) => !(ALLOWED_CREDENTIALS[transport] as readonly string[]).includes(k),
  );
  if (foreign.length > 0) {
    throw new ApiError(
      'validation_failed',
      `A ${transport} channel has no credential ${foreign.join(', ')}.`,
      {
        errors: foreign.map((k) => ({
          field: `body.${k}`,
          message: `is not a credential of a ${transport} channel`,
        })),
      },
    );
  }
  if (Object.keys(credentials).length === 0 && transport !== 'sandbox')
    return { credentials: null, routeKey: null };
  const missing = REQUIRED_CREDENTIALS[transport].filter(
    (k) => typeof credentials[k] !== 'string' || credentials[k] === '',
  );
  if (missing.length > 0) {
    throw new ApiError('validation_failed', `A ${transport} channel needs ${missing.join(', ')}.`, {
      errors: missing.map((k) => ({ field: `body.${k}`, message: 'is required for this transport' })),
    });
  }
  for (const key of SHARED_SECRET_FIELDS) {
    const value = credentials[key];
    if (value !== undefined && value.length < MIN_SHARED_SECRET_CHARS) {
      throw invalidField(
        body[key] !== undefined ? `body.${key}` : `body.credentials.${key}`,
        `must be at least ${MIN_SHARED_SECRET_CHARS} characters: a short secret can be guessed`,
      );
    }
  }
  // The phone number id becomes the unique, indexed route key; Graph ids are ~16 digits, and a
  // value past the index's 2704-byte row limit was a 500 (test/reliability/fuzz-api.test.ts).
  if (transport === 'cloud' && (credentials.phoneNumberId ?? '').length > MAX_PHONE_NUMBER_ID_LENGTH) {
    throw invalidField('body.phoneNumberId', `at most ${MAX_PHONE_NUMBER_ID_LENGTH} characters`);
  }
  // Graph ids are digits; the id is a path segment of every send.
  if (transport === 'cloud' && !/^\d+$/.test(credentials.phoneNumberId ?? '')) {
    throw invalidField('body.phoneNumberId', 'must be the digits of the Graph phone number id');
  }
  for (const name of ['instance', 'session'] as const) {
    const value = credentials[name];
    if (value !== undefined && !GATEWAY_NAME.test(value)) {
      throw invalidField(
        `body.${name}`,
        'at most 100 letters, digits, spaces and . _ @ - (and not "." or "..")',
      );
    }
  }
  if (transport === 'waha' && !credentials.hmacKey && !credentials.webhookSecret) {
    throw invalidField('body.hmacKey', 'a WAHA channel needs hmacKey (recommended) or webhookSecret');
  }
  let generatedSecret: string | undefined;
  if (transport === 'sandbox' && !credentials.webhookSecret) {
    generatedSecret = `whs_${randomBytes(24).toString('base64url')}`;
    credentials.webhookSecret = generatedSecret;
  }
  const routeKey = transport === 'cloud' ? `cloud:${credentials.phoneNumberId}` : `${transport}:${channelId}`;
  return { credentials, routeKey, ...(generatedSecret ? { generatedSecret } : {}) };
}

/**
 * A gateway base URL must be one Sellify may call (shared/egress.ts): checked here, when it is
 * stored, and again by the client at every connection (the name may resolve elsewhere later).
 */
async function checkBaseUrl(credentials: Record<string, string> | null, egress: EgressPolicy): Promise<void> {
  const baseUrl = credentials?.baseUrl;
  if (baseUrl === undefined) return;
  const verdict = await checkGatewayUrl(baseUrl, egress);
  if (!verdict.ok) throw invalidField('body.baseUrl', refusalText(verdict.refusal));
}

const Timezone = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'IANA zone; default Africa/Abidjan',
});

const ChannelCreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    transport: TransportSchema,
    timezone: Type.Optional(Timezone),
    preset: Type.Optional(PresetSchema),
    credentials: Type.Optional(Credentials),
    ...credentialProperties,
    settings: Type.Optional(ChannelSettingsSchema),
    paused: Type.Optional(Type.Boolean()),
    warmupStartedAt: Type.Optional(DateTime('Restart of the warm-up (default: counted from creation)')),
  },
  { additionalProperties: false },
);

const ChannelPatchBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    timezone: Type.Optional(Timezone),
    preset: Type.Optional(PresetSchema),
    credentials: Type.Optional(Nullable(Credentials)),
    ...credentialProperties,
    settings: Type.Optional(ChannelSettingsSchema),
    paused: Type.Optional(Type.Boolean()),
    warmupStartedAt: Type.Optional(Nullable(DateTime('Restart of the warm-up'))),
  },
  { additionalProperties: false, minProperties: 1 },
);

/**
 * A route key already taken (a Cloud phone number id another channel serves) gets one neutral
 * answer, whether the other channel is the caller's or another tenant's: the error must not tell
 * a tenant which numbers other sellers have. The operator resolves real disputes
 * (`sellify channels release <phoneNumberId>`).
 */
async function numberGuard<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'conflict') {
      throw new ApiError(
        'number_unavailable',
        'This phone number id cannot be registered here. If it is yours, ask the operator of this Sellify server to release it.',
      );
    }
    throw err;
  }
}

/** Health events older than this no longer move the score much; the engine folds what it gets. */
const HEALTH_LOOKBACK_MS = 30 * DAY_MS;

function checkTimezone(timezone: string | undefined): void {
  if (timezone !== undefined && !isValidTimeZone(timezone)) {
    throw invalidField('body.timezone', `unknown time zone "${timezone}"`);
  }
}

export function channelRoutes(api: Api, ctx: RouteContext): void {
  const tags = ['channels'];
  const ChannelParams = idParams('chn');

  api.post(
    '/channels',
    {
      // A generated sandbox webhook secret is shown once and never kept for idempotent replays.
      config: { scope: 'write', oneTimeSecrets: ['webhookSecret'] },
      schema: {
        tags,
        summary: 'Create a channel',
        body: ChannelCreateBody,
        response: {
          201: ChannelSchema,
          ...problemResponses(
            'validation_failed',
            'number_unavailable',
            'idempotency_mismatch',
            'idempotency_in_flight',
            'idempotency_secret_withheld',
            'unprocessable',
          ),
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (b.transport === 'sandbox' && !ctx.config.sandbox) {
        // Its sends live in the server's memory: a production server has them only if the operator says so.
        throw new ApiError(
          'unprocessable',
          'Sandbox channels are disabled on this server (NODE_ENV=production); the operator enables them with SELLIFY_SANDBOX=true.',
        );
      }
      checkTimezone(b.timezone);
      const id = newId('chn');
      const secrets = channelSecrets(b.transport, id, b);
      await checkBaseUrl(secrets.credentials, ctx.egress);
      const input: NewChannel = { id, name: b.name, transport: b.transport };
      if (b.timezone !== undefined) input.timezone = b.timezone;
      if (b.preset !== undefined) input.preset = b.preset;
      input.credentials = secrets.credentials;
      input.routeKey = secrets.routeKey;
      if (b.settings !== undefined) input.settings = b.settings;
      if (b.paused !== undefined) input.paused = b.paused;
      if (b.warmupStartedAt !== undefined) input.warmupStartedAtMs = msOf(b.warmupStartedAt);
      const channel = await numberGuard(tx(ctx, req, (r) => r.channels.create(input)));
      const view = channelView(channel);
      // A secret Sellify generated is shown once, here, like an API key.
      return reply
        .code(201)
        .send(secrets.generatedSecret ? { ...view, webhookSecret: secrets.generatedSecret } : view);
    },
  );

  api.get(
    '/channels',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'List channels (oldest first)',
        querystring: PageQuery,
        response: { 200: pageSchema(ChannelSchema, 'ChannelPage'), ...problemResponses('validation_failed') },
      },
    },
    async (req) => {
      const all = await tx(ctx, req, (r) => r.channels.list());
      const page = pageInMemory(all, byCreation, req.query);
      return { items: page.items.map((c) => channelView(c)), nextCursor: page.nextCursor };
    },
  );

  api.get(
    '/channels/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Get a channel with its health',
        params: ChannelParams,
        response: { 200: ChannelSchema, ...problemResponses('not_found') },
      },
    },
    async (req) => {
      const nowMs = ctx.clock();
      const found = await tx(ctx, req, async (r) => {
        const channel = await r.channels.get(req.params.id);
        if (channel === null) return null;
        const events = await r.healthEvents.recent(channel.id, { sinceMs: nowMs - HEALTH_LOOKBACK_MS });
        return { channel, events };
      });
      if (found === null) throw notFound('channel');
      const { channel, events } = found;
      const health = evaluateHealth(
        { events, paused: channel.paused, isNewContact: true },
        presetConfig(channel.preset).health,
        nowMs,
      );
      return channelView(channel, health);
    },
  );

  api.patch(
    '/channels/:id',
    {
      config: { scope: 'write' },
      schema: {
        tags,
        summary: 'Change a channel (credentials: null removes them; the transport never changes)',
        params: ChannelParams,
        body: ChannelPatchBody,
        response: {
          200: ChannelSchema,
          ...problemResponses('validation_failed', 'not_found', 'number_unavailable'),
        },
      },
    },
    async (req) => {
      const b = req.body;
      checkTimezone(b.timezone);
      const patch: ChannelPatch = {};
      if (b.name !== undefined) patch.name = b.name;
      if (b.timezone !== undefined) patch.timezone = b.timezone;
      if (b.preset !== undefined) patch.preset = b.preset;
      const changesSecrets =
        b.credentials !== undefined ||
        (Object.keys(CREDENTIAL_FIELDS) as CredentialField[]).some((k) => b[k] !== undefined);
      if (changesSecrets) {
        const current = await tx(ctx, req, (r) => r.channels.get(req.params.id));
        if (current === null) throw notFound('channel');
        // New credentials replace the old ones whole, and move the route key with them.
        const secrets =
          b.credentials === null
            ? { credentials: null, routeKey: null }
            : channelSecrets(current.transport, current.id, { ...b, credentials: b.credentials ?? null });
        await checkBaseUrl(secrets.credentials, ctx.egress);
        patch.credentials = secrets.credentials;
        patch.routeKey = secrets.routeKey;
      }
      if (b.settings !== undefined) patch.settings = b.settings;
      if (b.paused !== undefined) patch.paused = b.paused;
      if (b.warmupStartedAt !== undefined) {
        patch.warmupStartedAtMs = b.warmupStartedAt === null ? null : msOf(b.warmupStartedAt);
      }
      const channel = await numberGuard(tx(ctx, req, (r) => r.channels.update(req.params.id, patch)));
      if (channel === null) throw notFound('channel');
      ctx.onChannelChanged?.(channel.id);
      return channelView(channel);
    },
  );

  api.delete(
    '/channels/:id',
    {
      config: { scope: 'write' },
      schema: {
        tags,
        summary: 'Delete a channel with its contacts, messages and events',
        params: ChannelParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses('not_found') },
      },
    },
    async (req, reply) => {
      const deleted = await tx(ctx, req, (r) => r.channels.delete(req.params.id));
      if (!deleted) throw notFound('channel');
      ctx.onChannelChanged?.(req.params.id);
      return reply.code(204).send(null);
    },
  );
}
