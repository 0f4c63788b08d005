/**
 * API keys and tenants (admin scope).
 *
 * A key is shown once, in the response that creates it; only its SHA-256 and a display prefix
 * are stored. Revoking takes effect on the next request (authentication reads the key row every
 * time). Admin keys manage their own tenant's keys. The admin keys of the default tenant
 * (`ten_default`, and SELLIFY_API_KEY) belong to the platform operator: they alone create
 * tenants and may manage another tenant's keys by naming it (`tenantId`); for any other admin key
 * another tenant does not exist (404), exactly as for another tenant's channel or contact.
 */

import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { createTenant, generateApiKey } from '../../../store/index.ts';
import { ApiError, problemResponses } from '../../errors.ts';
import { principalOf } from '../../plugins/auth.ts';
import {
  type Api,
  byCreation,
  idParams,
  idSchema,
  invalidField,
  notFound,
  PageQueryProperties,
  pageInMemory,
  pageSchema,
  type RouteContext,
  txFor,
} from './common.ts';
import { ApiKeySchema, apiKeyView, TenantSchema, tenantView } from './views.ts';

const Scope = Type.Union([Type.Literal('admin'), Type.Literal('write'), Type.Literal('read')]);
const TenantId = idSchema('ten', 'Another tenant (platform operator only); default your own');

const KeyCreateBody = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'What the key is for ("bot", "dashboard")',
    }),
    scopes: Type.Array(Scope, {
      minItems: 1,
      maxItems: 3,
      uniqueItems: true,
      description: 'admin ⊇ write ⊇ read',
    }),
    tenantId: Type.Optional(TenantId),
    rateLimitPerMinute: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1_000_000,
        description:
          "Overrides SELLIFY_RATE_LIMIT for this key; at most the tenant's budget (SELLIFY_TENANT_RATE_LIMIT), which all its keys share",
      }),
    ),
  },
  { additionalProperties: false },
);

const CreatedKey = Type.Composite(
  [
    ApiKeySchema,
    Type.Object({ key: Type.String({ description: 'The secret, shown only in this response' }) }),
  ],
  { title: 'CreatedApiKey' },
);

const KeyListQuery = Type.Object(
  { ...PageQueryProperties, tenantId: Type.Optional(TenantId) },
  { additionalProperties: false },
);
const TenantQuery = Type.Object({ tenantId: Type.Optional(TenantId) }, { additionalProperties: false });

const TenantCreateBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200, description: "The seller's business name" }) },
  { additionalProperties: false },
);

export function keyRoutes(api: Api, ctx: RouteContext): void {
  const tags = ['keys'];

  /** The tenant a request acts on: its own, or (platform operator only) an existing other one. */
  async function targetTenant(req: FastifyRequest, tenantId: string | undefined): Promise<string> {
    const principal = principalOf(req);
    if (tenantId === undefined || tenantId === principal.tenantId) return principal.tenantId;
    if (!principal.platformAdmin) throw notFound('tenant');
    const tenant = await txFor(ctx, tenantId, (r) => r.tenants.get());
    if (tenant === null) throw notFound('tenant');
    return tenantId;
  }

  api.post(
    '/keys',
    {
      // The secret is never stored with the idempotent response: a replay is 409, not the secret.
      config: { scope: 'admin', oneTimeSecrets: ['key'] },
      schema: {
        tags,
        summary: 'Create an API key (the secret is in this response only)',
        body: KeyCreateBody,
        response: {
          201: CreatedKey,
          ...problemResponses(
            'validation_failed',
            'not_found',
            'key_limit_reached',
            'idempotency_mismatch',
            'idempotency_in_flight',
            'idempotency_secret_withheld',
          ),
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const tenantId = await targetTenant(req, b.tenantId);
      // What a tenant may give itself is bounded by what the operator allows it: one key may use
      // at most the tenant's whole budget, and the budget is shared by all its keys (auth.ts).
      const budget = ctx.config.tenantRateLimitPerMinute;
      if (b.rateLimitPerMinute !== undefined && b.rateLimitPerMinute > budget) {
        throw invalidField(
          'body.rateLimitPerMinute',
          `must be at most ${budget}, the requests per minute all keys of a tenant share (SELLIFY_TENANT_RATE_LIMIT)`,
        );
      }
      const generated = generateApiKey();
      const key = await txFor(ctx, tenantId, (r) =>
        r.apiKeys.create(
          {
            name: b.name,
            keyHash: generated.keyHash,
            prefix: generated.prefix,
            scopes: b.scopes,
            rateLimitPerMinute: b.rateLimitPerMinute ?? null,
          },
          { maxActive: ctx.config.maxKeysPerTenant },
        ),
      );
      return reply.code(201).send({ ...apiKeyView(key), key: generated.secret });
    },
  );

  api.get(
    '/keys',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'List API keys (revoked ones included; never the secrets)',
        querystring: KeyListQuery,
        response: {
          200: pageSchema(ApiKeySchema, 'ApiKeyPage'),
          ...problemResponses('validation_failed', 'not_found'),
        },
      },
    },
    async (req) => {
      const { tenantId, ...pageQuery } = req.query;
      const target = await targetTenant(req, tenantId);
      const all = await txFor(ctx, target, (r) => r.apiKeys.list());
      const page = pageInMemory(all, byCreation, pageQuery);
      return { items: page.items.map(apiKeyView), nextCursor: page.nextCursor };
    },
  );

  api.delete(
    '/keys/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Revoke an API key (refused from the next request on)',
        params: idParams('key'),
        querystring: TenantQuery,
        response: { 200: ApiKeySchema, ...problemResponses('not_found') },
      },
    },
    async (req) => {
      const target = await targetTenant(req, req.query.tenantId);
      const key = await txFor(ctx, target, (r) => r.apiKeys.revoke(req.params.id, ctx.clock()));
      if (key === null) throw notFound('API key');
      return apiKeyView(key);
    },
  );

  api.post(
    '/tenants',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['tenants'],
        summary: "Create a tenant (a seller's workspace); platform operator only",
        description:
          'Only admin keys of the default tenant may create tenants. Then create the new tenant\'s first admin key with POST /api/v1/keys {"tenantId": …}.',
        body: TenantCreateBody,
        response: {
          201: TenantSchema,
          ...problemResponses(
            'validation_failed',
            'forbidden',
            'idempotency_mismatch',
            'idempotency_in_flight',
          ),
        },
      },
    },
    async (req, reply) => {
      if (!principalOf(req).platformAdmin) {
        throw new ApiError(
          'forbidden',
          "Only the platform operator's admin keys (default tenant) create tenants.",
        );
      }
      const tenant = await createTenant(ctx.store.db, { name: req.body.name });
      return reply.code(201).send(tenantView(tenant));
    },
  );
}
