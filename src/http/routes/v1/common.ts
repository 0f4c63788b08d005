/**
 * What every v1 route shares: the route context (store, clock, configuration), the tenant
 * transaction with store errors turned into API errors, id and pagination schemas, and the
 * in-memory pager for the small collections the store returns whole.
 */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { type TSchema, Type } from '@sinclair/typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { Config } from '../../../config.ts';
import type { LlmClient } from '../../../llm/client.ts';
import type { LlmMetrics } from '../../../llm/metrics.ts';
import type { ProcessEventsFn } from '../../../pipeline/index.ts';
import type { Queue } from '../../../queue/index.ts';
import {
  ConflictError,
  type IdPrefix,
  InvalidCursorError,
  KeyLimitError,
  type Store,
  type TenantRepos,
} from '../../../store/index.ts';
import type { EgressPolicy } from '../../../whatsapp/index.ts';
import { ApiError } from '../../errors.ts';
import { principalOf } from '../../plugins/auth.ts';

/** A Fastify instance whose route handlers get their types from TypeBox schemas. */
export type Api = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export type RouteConfig = Pick<
  Config,
  | 'rateLimitPerMinute'
  | 'tenantRateLimitPerMinute'
  | 'maxKeysPerTenant'
  | 'idempotencyTtlMs'
  | 'sandbox'
  | 'llm'
  | 'publicUrl'
>;

export interface RouteContext {
  store: Store;
  /** The server clock, epoch ms (tests pass a fixed one). Engines get it as an argument, never read it. */
  clock: () => number;
  config: RouteConfig;
  /** The platform operator's tenant (`ten_default`). */
  defaultTenantId: string;
  /** Which gateway base URLs channels may hold (SELLIFY_ALLOW_PRIVATE_GATEWAYS). */
  egress: EgressPolicy;
  /** Told when a channel is changed or deleted (the webhook routes forget its cached secrets). */
  onChannelChanged?: (channelId: string) => void;
  /** Runs parked webhook events through the inbound pipeline again; absent when no pipeline runs here. */
  processEvents?: ProcessEventsFn;
  /** The optional language model (OPENAI_API_KEY set); absent otherwise. */
  llm?: LlmClient;
  llmMetrics?: LlmMetrics;
  /**
   * The job queue, for messages a person sends through the API (they go out on the same durable,
   * one-at-a-time-per-channel queue as the bot's). Absent: those routes answer 503 `unavailable`.
   */
  queue?: Queue;
  /** Human pacing scale of the pipelines (SELLIFY_PACING_SCALE); default 1. */
  pacingScale?: number;
}

/** Maps the store's expected refusals to API errors; anything else stays an internal error. */
export function mapStoreError(err: unknown): unknown {
  if (err instanceof ConflictError) return new ApiError('conflict', `Conflict: ${err.message}.`);
  if (err instanceof InvalidCursorError) return invalidCursor();
  if (err instanceof KeyLimitError) {
    return new ApiError(
      'key_limit_reached',
      `This tenant already has ${err.maxActive} active API keys, the most allowed (SELLIFY_MAX_KEYS_PER_TENANT); revoke one first.`,
    );
  }
  return err;
}

export function invalidCursor(): ApiError {
  return new ApiError('validation_failed', 'The pagination cursor is not one this endpoint returned.', {
    errors: [{ field: 'query.cursor', message: 'is not a cursor this endpoint returned' }],
  });
}

/** `store.tx` for a tenant with store errors mapped. Never call it inside another one (see store README). */
export async function txFor<T>(
  ctx: RouteContext,
  tenantId: string,
  fn: (r: TenantRepos) => Promise<T>,
): Promise<T> {
  try {
    return await ctx.store.tx(tenantId, fn);
  } catch (err) {
    throw mapStoreError(err);
  }
}

/** `store.tx` for the caller's own tenant. */
export function tx<T>(
  ctx: RouteContext,
  req: FastifyRequest,
  fn: (r: TenantRepos) => Promise<T>,
): Promise<T> {
  return txFor(ctx, principalOf(req).tenantId, fn);
}

export function notFound(what: string): ApiError {
  return new ApiError('not_found', `No such ${what}.`);
}

/** A field-level 400, in the same shape as schema validation failures. */
export function invalidField(field: string, message: string): ApiError {
  return new ApiError('validation_failed', `${field}: ${message}`, { errors: [{ field, message }] });
}

/**
 * preValidation of an operation that takes no body (a replay): anything but nothing (or `{}`) is
 * refused before any other hook reads it (the idempotency hash walks a body it is given, whatever
 * its depth).
 */
export async function refuseBody(req: FastifyRequest): Promise<void> {
  const body = req.body as unknown;
  const empty =
    body === undefined ||
    body === null ||
    (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0);
  if (!empty) {
    throw new ApiError('validation_failed', 'This operation takes no body.', {
      errors: [{ field: 'body', message: 'must be empty' }],
    });
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function isoOrNull(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : iso(ms);
}

/** Epoch ms of a validated date-time string. */
export function msOf(value: string): number {
  return Date.parse(value);
}

export function msOrUndefined(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Date.parse(value);
}

/** `<prefix>_` and base62, as newId makes; anything else cannot be one of ours. */
export function idSchema(prefix: IdPrefix, description?: string) {
  return Type.String({
    pattern: `^${prefix}_[0-9A-Za-z]{1,64}$`,
    description: description ?? `A ${prefix}_ id`,
    examples: [`${prefix}_3kTmd8QvWn5xYz1aBcDeFgHi`],
  });
}

export function idParams(prefix: IdPrefix) {
  return Type.Object({ id: idSchema(prefix) }, { additionalProperties: false });
}

export const DateTime = (description: string) => Type.String({ format: 'date-time', description });
/** T or null; a description given here stays on the union, where generated clients read it. */
export const Nullable = <T extends TSchema>(schema: T, options: { description?: string } = {}) =>
  Type.Union([schema, Type.Null()], options);

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

export const PageQueryProperties = {
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_PAGE_LIMIT,
      description: `Items per page, 1–${MAX_PAGE_LIMIT}; default ${DEFAULT_PAGE_LIMIT}`,
    }),
  ),
  cursor: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 512,
      pattern: '^[A-Za-z0-9_-]+$',
      description: '`nextCursor` of the previous page',
    }),
  ),
};
export const PageQuery = Type.Object(PageQueryProperties, { additionalProperties: false });

export function pageSchema<T extends TSchema>(item: T, title: string) {
  return Type.Object(
    {
      items: Type.Array(item),
      nextCursor: Type.Union([Type.String(), Type.Null()], {
        description: 'Pass as `cursor` for the next page; null on the last page',
      }),
    },
    { title },
  );
}

export interface PageOut<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Pages a collection the store returns whole (channels, products, keys: small per tenant). Items
 * are ordered by `sortKey` (a string compared by code units, so the order is the same on every
 * instance) and the cursor is the key of the last item, so a page stays correct when items
 * before it are deleted.
 */
export function pageInMemory<T>(
  items: readonly T[],
  sortKey: (item: T) => string,
  query: { limit?: number; cursor?: string },
): PageOut<T> {
  const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
  let after: string | undefined;
  if (query.cursor !== undefined) {
    after = Buffer.from(query.cursor, 'base64url').toString('utf8');
    if (!after.startsWith('k:')) throw invalidCursor();
    after = after.slice(2);
  }
  const keyed = items.map((item) => ({ item, key: sortKey(item) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const rest = after === undefined ? keyed : keyed.filter((k) => k.key > (after as string));
  const page = rest.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((k) => k.item),
    nextCursor:
      rest.length > limit && last !== undefined
        ? Buffer.from(`k:${last.key}`, 'utf8').toString('base64url')
        : null,
  };
}

/** A sort key by creation time then id: zero-padded so string order is time order. */
export function byCreation(item: { createdAtMs: number; id: string }): string {
  return `${String(item.createdAtMs).padStart(16, '0')}|${item.id}`;
}
