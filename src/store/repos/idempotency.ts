/**
 * Idempotency keys of write requests (`Idempotency-Key` header). `begin` claims a key in its own
 * transaction before the handler runs, `complete` stores the response for replays. The stored
 * response can echo personal data, so it is sealed.
 *
 * A record belongs to the API key that made the request (`apiKeyId`), not to its whole tenant:
 * another key of the same tenant replaying the same Idempotency-Key and body gets a fresh claim,
 * never the first key's response. A response that carried a secret shown only once is stored
 * without it (`secretWithheld`), and its replay is refused by the caller.
 *
 * Call `begin` and `complete` in separate store transactions: the claim must be committed so that
 * a concurrent request with the same key sees 'in_flight' instead of waiting on a row lock.
 */

import { createHash } from 'node:crypto';
import type { Db } from '../types.ts';
import { isoOrNull, type RepoContext, seal, unseal } from './common.ts';

export type BeginResult =
  | 'new'
  | 'in_flight'
  | 'mismatch'
  | { replay: { statusCode: number; body: unknown; secretWithheld: boolean } };

/** Who asked and with which Idempotency-Key: records never cross API keys. */
export interface IdempotencyKey {
  /** The API key's id (`key_…`), or `env` for SELLIFY_API_KEY. */
  apiKeyId: string;
  /** The client's Idempotency-Key. */
  key: string;
}

export interface CompleteOptions {
  /** The response carried a secret shown only once; `body` must already be stripped of it. */
  secretWithheld?: boolean;
}

export interface IdempotencyOptions {
  /** How long a key is remembered. Default 24 h. */
  ttlMs?: number;
  /** An in-flight claim older than this is presumed abandoned (crashed handler) and taken over. Default 60 s. */
  staleAfterMs?: number;
  /** Clock for tests; default the database's now(). */
  nowMs?: number;
}

export interface IdempotencyRepo {
  /**
   * 'new': the key is yours, run the handler. 'in_flight': the same request is running now.
   * 'mismatch': the key was used with a different request body. `{ replay }`: send this response again.
   */
  begin(key: IdempotencyKey, requestHash: string, options?: IdempotencyOptions): Promise<BeginResult>;
  /** Stores the response of a claimed key. False when the key is not in flight (expired, taken over). */
  complete(
    key: IdempotencyKey,
    statusCode: number,
    body: unknown,
    options?: CompleteOptions,
  ): Promise<boolean>;
  /** Releases an in-flight claim after the handler failed, so a retry can run. */
  abandon(key: IdempotencyKey): Promise<void>;
  /** Deletes this tenant's expired keys; returns how many. */
  purgeExpired(nowMs?: number): Promise<number>;
}

export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;
export const DEFAULT_IDEMPOTENCY_STALE_MS = 60_000;
export const MAX_IDEMPOTENCY_KEY_CHARS = 255;

const TABLE = 'idempotency_keys';
const COLUMN = 'response_enc';

/**
 * The row's key as one string, `<apiKeyId> <key>`: API key ids hold no space, so the first space
 * splits it back. Key rotation walks the table by it (rotate.ts).
 */
export function idempotencyRowKey(k: IdempotencyKey): string {
  return `${k.apiKeyId} ${k.key}`;
}

/** The AAD row id of a record: keys are client-chosen text, so a fixed-form digest stands in for them. */
export function idempotencyRowId(rowKey: string): string {
  return createHash('sha256').update(rowKey, 'utf8').digest('hex');
}

const API_KEY_ID_PATTERN = /^[A-Za-z0-9_]{1,100}$/;

function checkKey(k: IdempotencyKey): void {
  const { key, apiKeyId } = k;
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_CHARS) {
    throw new RangeError(`idempotency key must be 1 to ${MAX_IDEMPOTENCY_KEY_CHARS} characters`);
  }
  if (typeof apiKeyId !== 'string' || !API_KEY_ID_PATTERN.test(apiKeyId)) {
    throw new RangeError('idempotency records need the id of the API key that made the request');
  }
}

export function idempotencyRepo(c: RepoContext): IdempotencyRepo {
  return {
    async begin(k, requestHash, options = {}) {
      checkKey(k);
      const ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
      const staleMs = options.staleAfterMs ?? DEFAULT_IDEMPOTENCY_STALE_MS;
      const claimed = await c.tx.query<{ key: string }>(
        `WITH clock AS (SELECT coalesce($4::timestamptz, now()) AS now)
         INSERT INTO idempotency_keys AS k (tenant_id, api_key_id, key, request_hash, state, created_at, expires_at)
         SELECT $1, $7, $2, $3, 'in_flight', clock.now, clock.now + make_interval(secs => $5::double precision / 1000)
         FROM clock
         ON CONFLICT (tenant_id, api_key_id, key) DO UPDATE
           SET request_hash = EXCLUDED.request_hash, state = 'in_flight', status_code = NULL, response_enc = NULL,
               secret_withheld = false, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
           WHERE k.expires_at <= EXCLUDED.created_at
              OR (k.state = 'in_flight'
                  AND k.created_at <= EXCLUDED.created_at - make_interval(secs => $6::double precision / 1000))
         RETURNING k.key`,
        [c.tenantId, k.key, requestHash, isoOrNull(options.nowMs), ttlMs, staleMs, k.apiKeyId],
      );
      if (claimed.rows.length > 0) return 'new';
      const { rows } = await c.tx.query<{
        request_hash: string;
        state: 'in_flight' | 'done';
        status_code: number | null;
        response_enc: string | null;
        secret_withheld: boolean;
      }>(
        `SELECT request_hash, state, status_code, response_enc, secret_withheld FROM idempotency_keys
         WHERE tenant_id = $1 AND api_key_id = $2 AND key = $3`,
        [c.tenantId, k.apiKeyId, k.key],
      );
      const row = rows[0];
      if (!row) throw new Error('idempotency key conflicted but cannot be read back');
      if (row.request_hash !== requestHash) return 'mismatch';
      if (row.state === 'in_flight') return 'in_flight';
      const body =
        row.response_enc === null
          ? null
          : (JSON.parse(
              unseal(c, TABLE, COLUMN, idempotencyRowId(idempotencyRowKey(k)), row.response_enc),
            ) as unknown);
      return { replay: { statusCode: row.status_code ?? 200, body, secretWithheld: row.secret_withheld } };
    },

    async complete(k, statusCode, body, options = {}) {
      checkKey(k);
      const rowId = idempotencyRowId(idempotencyRowKey(k));
      const r = await c.tx.query(
        `UPDATE idempotency_keys SET state = 'done', status_code = $4, response_enc = $5, secret_withheld = $6
         WHERE tenant_id = $1 AND api_key_id = $2 AND key = $3 AND state = 'in_flight'`,
        [
          c.tenantId,
          k.apiKeyId,
          k.key,
          statusCode,
          body === undefined ? null : seal(c, TABLE, COLUMN, rowId, JSON.stringify(body)),
          options.secretWithheld ?? false,
        ],
      );
      return (r.affectedRows ?? 0) > 0;
    },

    async abandon(k) {
      checkKey(k);
      await c.tx.query(
        `DELETE FROM idempotency_keys WHERE tenant_id = $1 AND api_key_id = $2 AND key = $3 AND state = 'in_flight'`,
        [c.tenantId, k.apiKeyId, k.key],
      );
    },

    async purgeExpired(nowMs) {
      const r = await c.tx.query(
        'DELETE FROM idempotency_keys WHERE tenant_id = $1 AND expires_at <= coalesce($2::timestamptz, now())',
        [c.tenantId, isoOrNull(nowMs)],
      );
      return r.affectedRows ?? 0;
    },
  };
}

/** Owner-level housekeeping across all tenants (a periodic job); returns how many keys were deleted. */
export async function purgeExpiredIdempotencyKeys(db: Db, nowMs?: number): Promise<number> {
  const r = await db.ownerTx((tx) =>
    tx.query('DELETE FROM idempotency_keys WHERE expires_at <= coalesce($1::timestamptz, now())', [
      isoOrNull(nowMs),
    ]),
  );
  return r.affectedRows ?? 0;
}
