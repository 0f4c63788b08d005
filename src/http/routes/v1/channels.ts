/**
 * Channels: one WhatsApp number on one transport. Credentials are write-only: accepted on create
 * and update, sealed by the store, and never returned (`hasCredentials` says whether any are
 * stored). GET one adds the health verdict computed from the channel's recent health events.
 */

import { randomBytes } from 'node:crypto';
import { type TOptional, type TString, Type } from '@sinclair/typebox';
import { presetConfig } from '../../../engines/config.ts';
import { PresetSchema, TransportSchema } from '../../../engines/context.ts';
import { evaluateHealth } from '../../../engines/health.ts';
import { DAY_MS, isValidTimeZone } from '../../../engines/time.ts';
import type { Transport } from '../../../engines/types.ts';
import { type ChannelPatch, type NewChannel, newId } from '../../../store/index.ts';
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

const Credentials = Type.Record(
  Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' }),
  Type.String({ maxLength: 4096 }),
  {
    maxProperties: 20,
    description:
      'Transport credentials (accessToken, phoneNumberId, appSecret, apiKey, instance, webhookSecret…). Write-only: stored encrypted, never returned.',
  },
);

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

/** Longest Cloud API phone number id accepted (Meta's are about 16 digits). */
const MAX_PHONE_NUMBER_ID_LENGTH = 64;

const REQUIRED_CREDENTIALS: Record<Transport, readonly CredentialField[]> = {
  cloud: ['phoneNumberId', 'accessToken', 'appSecret', 'verifyToken'],
  evolution: ['baseUrl', 'instance', 'apiKey', 'webhookSecret'],
  waha: ['baseUrl', 'session', 'apiKey'],
  sandbox: [],
};

const credentialProperties = Object.fromEntries(
  Object.entries(CREDENTIAL_FIELDS).map(([k, description]) => [
    k,
    Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description })),
  ]),
) as Record<CredentialField, TOptional<TString>>;

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
  // The phone number id becomes the unique, indexed route key; Graph ids are ~16 digits, and a
  // value past the index's 2704-byte row limit was a 500 (test/reliability/fuzz-api.test.ts).
  if (transport === 'cloud' && (credentials.phoneNumberId ?? '').length > MAX_PHONE_NUMBER_ID_LENGTH) {
    throw invalidField('body.phoneNumberId', `at most ${MAX_PHONE_NUMBER_ID_LENGTH} characters`);
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
      config: { scope: 'write' },
      schema: {
        tags,
        summary: 'Create a channel',
        body: ChannelCreateBody,
        response: {
          201: ChannelSchema,
          ...problemResponses(
            'validation_failed',
            'conflict',
            'idempotency_mismatch',
            'idempotency_in_flight',
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
      const input: NewChannel = { id, name: b.name, transport: b.transport };
      if (b.timezone !== undefined) input.timezone = b.timezone;
      if (b.preset !== undefined) input.preset = b.preset;
      input.credentials = secrets.credentials;
      input.routeKey = secrets.routeKey;
      if (b.settings !== undefined) input.settings = b.settings;
      if (b.paused !== undefined) input.paused = b.paused;
      if (b.warmupStartedAt !== undefined) input.warmupStartedAtMs = msOf(b.warmupStartedAt);
      const channel = await tx(ctx, req, (r) => r.channels.create(input));
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
        response: { 200: ChannelSchema, ...problemResponses('validation_failed', 'not_found', 'conflict') },
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
        patch.credentials = secrets.credentials;
        patch.routeKey = secrets.routeKey;
      }
      if (b.settings !== undefined) patch.settings = b.settings;
      if (b.paused !== undefined) patch.paused = b.paused;
      if (b.warmupStartedAt !== undefined) {
        patch.warmupStartedAtMs = b.warmupStartedAt === null ? null : msOf(b.warmupStartedAt);
      }
      const channel = await tx(ctx, req, (r) => r.channels.update(req.params.id, patch));
      if (channel === null) throw notFound('channel');
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
      return reply.code(204).send(null);
    },
  );
}
