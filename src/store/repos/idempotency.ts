/**
 * Idempotency keys of write requests (`Idempotency-Key` header). `begin` claims a key in its own
 * transaction before the handler runs, `complete` stores the response for replays. The stored
 * response can echo personal data, so it is sealed.
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
  | { replay: { statusCode: number; body: unknown } };

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
  begin(key: string, requestHash: string, options?: IdempotencyOptions): Promise<BeginResult>;
  /** Stores the response of a claimed key. False when the key is not in flight (expired, taken over). */
  complete(key: string, statusCode: number, body: unknown): Promise<boolean>;
  /** Releases an in-flight claim after the handler failed, so a retry can run. */
  abandon(key: string): Promise<void>;
  /** Deletes this tenant's expired keys; returns how many. */
  purgeExpired(nowMs?: number): Promise<number>;
}

export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;
export const DEFAULT_IDEMPOTENCY_STALE_MS = 60_000;
export const MAX_IDEMPOTENCY_KEY_CHARS = 255;

const TABLE = 'idempotency_keys';
const COLUMN = 'response_enc';

/** The AAD row id of a key: keys are client-chosen text, so a fixed-form digest stands in for them. */
export function idempotencyRowId(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_CHARS) {
    throw new RangeError(`idempotency key must be 1 to ${MAX_IDEMPOTENCY_KEY_CHARS} characters`);
  }
}

export function idempotencyRepo(c: RepoContext): IdempotencyRepo {
  return {
    async begin(key, requestHash, options = {}) {
      checkKey(key);
      const ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
      const staleMs = options.staleAfterMs ?? DEFAULT_IDEMPOTENCY_STALE_MS;
      const claimed = await c.tx.query<{ key: string }>(
        `WITH clock AS (SELECT coalesce($4::timestamptz, now()) AS now)
         INSERT INTO idempotency_keys AS k (tenant_id, key, request_hash, state, created_at, expires_at)
         SELECT $1, $2, $3, 'in_flight', clock.now, clock.now + make_interval(secs => $5::double precision / 1000)
         FROM clock
         ON CONFLICT (tenant_id, key) DO UPDATE
           SET request_hash = EXCLUDED.request_hash, state = 'in_flight', status_code = NULL, response_enc = NULL,
               created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
           WHERE k.expires_at <= EXCLUDED.created_at
              OR (k.state = 'in_flight'
                  AND k.created_at <= EXCLUDED.created_at - make_interval(secs => $6::double precision / 1000))
         RETURNING k.key`,
        [c.tenantId, key, requestHash, isoOrNull(options.nowMs), ttlMs, staleMs],
      );
      if (claimed.rows.length > 0) return 'new';
      const { rows } = await c.tx.query<{
        request_hash: string;
        state: 'in_flight' | 'done';
        status_code: number | null;
        response_enc: string | null;
      }>(
        'SELECT request_hash, state, status_code, response_enc FROM idempotency_keys WHERE tenant_id = $1 AND key = $2',
        [c.tenantId, key],
      );
      const row = rows[0];
      if (!row) throw new Error('idempotency key conflicted but cannot be read back');
      if (row.request_hash !== requestHash) return 'mismatch';
      if (row.state === 'in_flight') return 'in_flight';
      const body =
        row.response_enc === null
          ? null
          : (JSON.parse(unseal(c, TABLE, COLUMN, idempotencyRowId(key), row.response_enc)) as unknown);
      return { replay: { statusCode: row.status_code ?? 200, body } };
    },

    async complete(key, statusCode, body) {
      checkKey(key);
      const r = await c.tx.query(
        `UPDATE idempotency_keys SET state = 'done', status_code = $3, response_enc = $4
         WHERE tenant_id = $1 AND key = $2 AND state = 'in_flight'`,
        [
          c.tenantId,
          key,
          statusCode,
          body === undefined ? null : seal(c, TABLE, COLUMN, idempotencyRowId(key), JSON.stringify(body)),
        ],
      );
      return (r.affectedRows ?? 0) > 0;
    },

    async abandon(key) {
      checkKey(key);
      await c.tx.query(
        `DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2 AND state = 'in_flight'`,
        [c.tenantId, key],
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
