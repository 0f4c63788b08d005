/**
 * API keys. The secret (`sk_…`) is shown once; only its SHA-256 and a short display prefix are
 * stored. Authentication looks a hash up before the tenant is known, through the SECURITY DEFINER
 * function `sellify_find_api_key`, as the restricted role.
 */

import { createHash } from 'node:crypto';
import { newId, randomBase62 } from '../ids.ts';
import type { Db } from '../types.ts';
import { ConflictError, isoOf, isUniqueViolation, msOf, msOrNull, type RepoContext } from './common.ts';

export type ApiKeyScope = 'admin' | 'write' | 'read';
export const API_KEY_SCOPES: readonly ApiKeyScope[] = ['admin', 'write', 'read'];

export interface ApiKey {
  id: string;
  tenantId: string;
  name: string;
  /** First characters of the secret (`sk_AbCd1234`), to recognise a key in a list. */
  prefix: string;
  scopes: string[];
  /** Null: the server default applies. */
  rateLimitPerMinute: number | null;
  createdAtMs: number;
  lastUsedAtMs: number | null;
  revokedAtMs: number | null;
}

export interface NewApiKey {
  name: string;
  keyHash: string;
  prefix: string;
  scopes: readonly string[];
  rateLimitPerMinute?: number | null;
}

/** What authentication gets from a hash, before any tenant transaction exists. */
export interface ApiKeyLookup {
  id: string;
  tenantId: string;
  scopes: string[];
  rateLimitPerMinute: number | null;
  revokedAtMs: number | null;
}

/** Random part of a secret: 32 base62 characters ≈ 190 bits. */
export const API_KEY_SECRET_CHARS = 32;
const PREFIX_CHARS = 8;

/** SHA-256 hex of the secret: a fast hash is right here because the secret is long and random. */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A new secret with its stored forms. Show `secret` once, store `keyHash` and `prefix`. */
export function generateApiKey(): { secret: string; prefix: string; keyHash: string } {
  const secret = `sk_${randomBase62(API_KEY_SECRET_CHARS)}`;
  return { secret, prefix: secret.slice(0, 3 + PREFIX_CHARS), keyHash: hashApiKey(secret) };
}

interface ApiKeyRow {
  id: string;
  tenant_id: string;
  name: string;
  prefix: string;
  scopes: string[];
  rate_limit_per_minute: number | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS =
  'id, tenant_id, name, prefix, scopes, rate_limit_per_minute, created_at, last_used_at, revoked_at';

function toApiKey(r: ApiKeyRow): ApiKey {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    prefix: r.prefix,
    scopes: r.scopes,
    rateLimitPerMinute: r.rate_limit_per_minute,
    createdAtMs: msOf(r.created_at),
    lastUsedAtMs: msOrNull(r.last_used_at),
    revokedAtMs: msOrNull(r.revoked_at),
  };
}

/** The tenant already holds `maxActive` keys that are not revoked. */
export class KeyLimitError extends Error {
  readonly code = 'key_limit_reached';
  constructor(readonly maxActive: number) {
    super(`the tenant already has ${maxActive} active API keys`);
    this.name = 'KeyLimitError';
  }
}

export interface CreateApiKeyOptions {
  /**
   * Refuse (KeyLimitError) when the tenant already holds this many keys that are not revoked.
   * Creations of one tenant take turns on a transaction lock, so two at once cannot both take
   * the last slot. Default: no limit (the operator's CLI, the first admin key).
   */
  maxActive?: number;
}

/** Advisory-lock class of "API key creation in a tenant" (the two-int form: its own key space). */
const KEY_CREATION_LOCK = 727_465_002;

export interface ApiKeysRepo {
  create(input: NewApiKey, options?: CreateApiKeyOptions): Promise<ApiKey>;
  get(id: string): Promise<ApiKey | null>;
  /** Every key of the tenant, revoked ones included, oldest first. */
  list(): Promise<ApiKey[]>;
  /** Sets revoked_at once; revoking again keeps the first time. Null when no such key. */
  revoke(id: string, atMs?: number): Promise<ApiKey | null>;
  /** Records use (for "last used" in the dashboard). */
  touch(id: string, atMs?: number): Promise<void>;
}

export function apiKeysRepo(c: RepoContext): ApiKeysRepo {
  return {
    async create(input, options = {}) {
      for (const scope of input.scopes) {
        if (!API_KEY_SCOPES.includes(scope as ApiKeyScope))
          throw new RangeError(`unknown API key scope '${scope}'`);
      }
      if (options.maxActive !== undefined) {
        await c.tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [KEY_CREATION_LOCK, c.tenantId]);
        const { rows } = await c.tx.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM api_keys WHERE tenant_id = $1 AND revoked_at IS NULL',
          [c.tenantId],
        );
        if ((rows[0]?.n ?? 0) >= options.maxActive) throw new KeyLimitError(options.maxActive);
      }
      try {
        const { rows } = await c.tx.query<ApiKeyRow>(
          `INSERT INTO api_keys (id, tenant_id, name, prefix, key_hash, scopes, rate_limit_per_minute)
           VALUES ($1, $2, $3, $4, $5, $6::text[], $7) RETURNING ${COLUMNS}`,
          [
            newId('key'),
            c.tenantId,
            input.name,
            input.prefix,
            input.keyHash,
            [...input.scopes],
            input.rateLimitPerMinute ?? null,
          ],
        );
        return toApiKey(rows[0]!);
      } catch (err) {
        if (isUniqueViolation(err))
          throw new ConflictError('an API key with this hash already exists', { cause: err });
        throw err;
      }
    },
    async get(id) {
      const { rows } = await c.tx.query<ApiKeyRow>(
        `SELECT ${COLUMNS} FROM api_keys WHERE tenant_id = $1 AND id = $2`,
        [c.tenantId, id],
      );
      return rows[0] ? toApiKey(rows[0]) : null;
    },
    async list() {
      const { rows } = await c.tx.query<ApiKeyRow>(
        `SELECT ${COLUMNS} FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id`,
        [c.tenantId],
      );
      return rows.map(toApiKey);
    },
    async revoke(id, atMs) {
      const { rows } = await c.tx.query<ApiKeyRow>(
        `UPDATE api_keys SET revoked_at = coalesce(revoked_at, coalesce($3::timestamptz, now()))
         WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        [c.tenantId, id, atMs === undefined ? null : isoOf(atMs)],
      );
      return rows[0] ? toApiKey(rows[0]) : null;
    },
    async touch(id, atMs) {
      await c.tx.query(
        'UPDATE api_keys SET last_used_at = coalesce($3::timestamptz, now()) WHERE tenant_id = $1 AND id = $2',
        [c.tenantId, id, atMs === undefined ? null : isoOf(atMs)],
      );
    },
  };
}

/** Authentication look-up by hash (revoked keys are returned too, so the caller can say "revoked"). */
export async function findApiKeyByHash(db: Db, keyHash: string): Promise<ApiKeyLookup | null> {
  const { rows } = await db.appTx((tx) =>
    tx.query<{
      id: string;
      tenant_id: string;
      scopes: string[];
      rate_limit_per_minute: number | null;
      revoked_at: Date | null;
    }>('SELECT id, tenant_id, scopes, rate_limit_per_minute, revoked_at FROM sellify_find_api_key($1)', [
      keyHash,
    ]),
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id,
    tenantId: r.tenant_id,
    scopes: r.scopes,
    rateLimitPerMinute: r.rate_limit_per_minute,
    revokedAtMs: msOrNull(r.revoked_at),
  };
}
