/**
 * Key rotation: re-encrypts every sealed field that is not under the keyring's current key, and
 * recomputes the blind indexes beside them, so an old key can eventually be retired.
 *
 * Each batch is its own owner transaction and skips values already current, so a run that crashes
 * or is aborted midway resumes by simply running again. Writes are compare-and-set on the old
 * ciphertext: a value the application changed meanwhile is left alone (it was written under the
 * current key, or the next run picks it up), so rotation is safe while the server runs.
 */

import { DecryptError, type Keyring } from '../crypto/keyring.ts';
import { verifyTokenHash } from './repos/channels.ts';
import { CLEAR_EVENT_DATA_SQL } from './repos/events.ts';
import { idempotencyRowId } from './repos/idempotency.ts';
import { EMAIL_BIDX_SCOPE } from './repos/users.ts';
import type { Store } from './store.ts';

export interface RotationProgress {
  table: string;
  column: string;
  /** Rows of this column examined so far. */
  done: number;
  /** Rows with a value in this column when the column was started. */
  total: number;
}

export interface RotationOptions {
  /** Rows per transaction. Default 200. */
  batchSize?: number;
  onProgress?: (p: RotationProgress) => void;
  /** Aborting stops before the next batch; committed batches stay done. */
  signal?: AbortSignal;
  /** Only these tenants' rows (a staged rotation; tests sharing one database). Default: all. */
  tenantIds?: readonly string[];
}

export interface RotationResult {
  reencrypted: number;
  /** Values changed by the application between read and write; the next run checks them again. */
  skipped: number;
  /** Values that fail authentication (tampered or corrupt); left untouched and counted. */
  failed: number;
}

interface SealedField {
  table: string;
  column: string;
  /**
   * How rows are walked: `id` (a primary key of its own), or `tenant` (the primary key starts with
   * tenant_id; the rest is `keySql`).
   */
  walk: 'id' | 'tenant';
  /** SQL for the row's key besides tenant_id, over the table aliased `t` (`t.id`). */
  keySql: string;
  /** The AAD row id from the key's value. */
  rowIdOf: (key: string) => string;
  /** Blind index recomputed from the plaintext under the current key (only where one is stored). */
  bidxColumn?: string;
  /** How that index is computed from the plaintext, when it is not the tenant-scoped blind index of all of it. */
  bidxOf?: (plaintext: string, tenantId: string, keyring: Keyring) => string | null;
  /**
   * SQL condition over `t` for values of the column stored in clear on purpose (event data of
   * repos/events.ts CLEAR_DATA): not sealed, so not rotated, counted or reported as failed.
   */
  clearSql?: string;
}

const BY_ID = { walk: 'id', keySql: 't.id', rowIdOf: (k: string) => k } as const;

/** Every sealed column in the schema. A new sealed column must be added here (the leak test would catch plaintext, not this). */
export const SEALED_FIELDS: readonly SealedField[] = [
  {
    table: 'channels',
    column: 'credentials_enc',
    ...BY_ID,
    // The verify-token hash of Cloud channels (migration 0005) follows the key it was made with.
    bidxColumn: 'verify_token_hash',
    bidxOf: (plaintext, _tenantId, keyring) =>
      verifyTokenHash(keyring, JSON.parse(plaintext) as Record<string, unknown>),
  },
  { table: 'contacts', column: 'phone_enc', ...BY_ID, bidxColumn: 'phone_bidx' },
  { table: 'contacts', column: 'bsuid_enc', ...BY_ID, bidxColumn: 'bsuid_bidx' },
  { table: 'contacts', column: 'name_enc', ...BY_ID },
  { table: 'contacts', column: 'conversation_enc', ...BY_ID },
  { table: 'messages', column: 'body_enc', ...BY_ID, bidxColumn: 'body_bidx' },
  { table: 'decisions', column: 'text_enc', ...BY_ID },
  { table: 'decisions', column: 'verdicts_enc', ...BY_ID },
  { table: 'decisions', column: 'reasons_enc', ...BY_ID },
  {
    table: 'idempotency_keys',
    column: 'response_enc',
    walk: 'tenant',
    // idempotencyRowKey's form: API key ids hold no space.
    keySql: `t.api_key_id || ' ' || t.key`,
    rowIdOf: idempotencyRowId,
  },
  { table: 'failed_events', column: 'event_enc', ...BY_ID },
  { table: 'events', column: 'data_enc', ...BY_ID, clearSql: CLEAR_EVENT_DATA_SQL },
  { table: 'contacts', column: 'owner_enc', ...BY_ID },
  { table: 'webhook_endpoints', column: 'url_enc', ...BY_ID },
  { table: 'webhook_endpoints', column: 'secret_enc', ...BY_ID },
  { table: 'orders', column: 'delivery_enc', ...BY_ID },
  { table: 'order_payments', column: 'reference_enc', ...BY_ID },
  {
    table: 'users',
    column: 'email_enc',
    ...BY_ID,
    // One blind-index scope for every tenant: sign-in does not know the tenant (repos/users.ts).
    bidxColumn: 'email_bidx',
    bidxOf: (plaintext, _tenantId, keyring) => keyring.blindIndex(plaintext, EMAIL_BIDX_SCOPE),
  },
];

export const DEFAULT_ROTATION_BATCH_SIZE = 200;

interface ScannedRow {
  tenant_id: string;
  row_key: string;
  sealed: string;
  has_bidx: boolean;
}

export async function rotateKeys(store: Store, options: RotationOptions = {}): Promise<RotationResult> {
  const batchSize = options.batchSize ?? DEFAULT_ROTATION_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError('batchSize must be a positive integer');
  const { keyring } = store;
  const result: RotationResult = { reencrypted: 0, skipped: 0, failed: 0 };

  for (const field of SEALED_FIELDS) {
    const { table, column, keySql, bidxColumn } = field;
    const sealedOnly = field.clearSql === undefined ? '' : `AND NOT (${field.clearSql})`;
    options.signal?.throwIfAborted();
    const tenantFilter = options.tenantIds ? [...options.tenantIds] : null;
    const { rows: countRows } = await store.db.ownerTx((tx) =>
      tx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table} AS t WHERE ${column} IS NOT NULL ${sealedOnly}
           AND ($1::text[] IS NULL OR tenant_id = ANY($1::text[]))`,
        [tenantFilter],
      ),
    );
    const total = countRows[0]?.n ?? 0;
    let done = 0;
    let after: { tenantId: string; key: string } | null = null;

    for (;;) {
      options.signal?.throwIfAborted();
      const cursor: { tenantId: string; key: string } | null = after;
      const batch = await store.db.ownerTx(async (tx) => {
        // The walk follows the primary key (id, or tenant_id first) so each batch is an index range.
        const order = field.walk === 'id' ? keySql : `t.tenant_id, ${keySql}`;
        const params: unknown[] = [batchSize, tenantFilter];
        let from = '';
        if (cursor && field.walk === 'id') {
          params.push(cursor.key);
          from = `AND ${keySql} > $3`;
        } else if (cursor) {
          params.push(cursor.tenantId, cursor.key);
          from = `AND (t.tenant_id, ${keySql}) > ($3, $4)`;
        }
        const { rows } = await tx.query<ScannedRow>(
          `SELECT t.tenant_id, ${keySql} AS row_key, t.${column} AS sealed,
             ${bidxColumn ? `t.${bidxColumn} IS NOT NULL` : 'false'} AS has_bidx
           FROM ${table} AS t WHERE t.${column} IS NOT NULL ${sealedOnly} ${from}
             AND ($2::text[] IS NULL OR t.tenant_id = ANY($2::text[]))
           ORDER BY ${order} LIMIT $1`,
          params,
        );
        const updates = {
          tenantIds: [] as string[],
          keys: [] as string[],
          olds: [] as string[],
          news: [] as string[],
        };
        const bidxs: (string | null)[] = [];
        for (const row of rows) {
          if (keyring.isCurrent(row.sealed)) continue;
          const ctx = { tenantId: row.tenant_id, table, column, rowId: field.rowIdOf(row.row_key) };
          let plaintext: string;
          try {
            plaintext = keyring.decrypt(row.sealed, ctx);
          } catch (err) {
            // A missing old key is a configuration error for the whole run; a single value that
            // fails authentication is damage to report, not a reason to stop rotating the rest.
            if (err instanceof DecryptError && err.reason !== 'unknown_key') {
              result.failed++;
              continue;
            }
            throw err;
          }
          updates.tenantIds.push(row.tenant_id);
          updates.keys.push(row.row_key);
          updates.olds.push(row.sealed);
          updates.news.push(keyring.encrypt(plaintext, ctx));
          bidxs.push(
            bidxColumn && row.has_bidx
              ? field.bidxOf
                ? field.bidxOf(plaintext, row.tenant_id, keyring)
                : keyring.blindIndex(plaintext, row.tenant_id)
              : null,
          );
        }
        let written = 0;
        if (updates.keys.length > 0) {
          const bidxSet = bidxColumn ? `, ${bidxColumn} = coalesce(v.new_bidx, t.${bidxColumn})` : '';
          const r = await tx.query(
            `UPDATE ${table} AS t SET ${column} = v.new_value${bidxSet}
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
               AS v(tenant_id, row_key, old_value, new_value, new_bidx)
             WHERE t.tenant_id = v.tenant_id AND ${keySql} = v.row_key AND t.${column} = v.old_value`,
            [updates.tenantIds, updates.keys, updates.olds, updates.news, bidxs],
          );
          written = r.affectedRows ?? 0;
        }
        return { rows, attempted: updates.keys.length, written };
      });

      result.reencrypted += batch.written;
      result.skipped += batch.attempted - batch.written;
      done += batch.rows.length;
      const last = batch.rows[batch.rows.length - 1];
      options.onProgress?.({ table, column, done, total: Math.max(total, done) });
      if (!last || batch.rows.length < batchSize) break;
      after = { tenantId: last.tenant_id, key: last.row_key };
    }
  }
  return result;
}
