/**
 * Shared plumbing of the repositories: the tenant-bound context, sealing of personal fields,
 * timestamp conversion and cursor pagination.
 */

import type { Keyring } from '../../crypto/keyring.ts';
import type { Queryable } from '../types.ts';

/** What every repository is bound to: one tenant, one open transaction, the keyring. */
export interface RepoContext {
  readonly tx: Queryable;
  readonly tenantId: string;
  readonly keyring: Keyring;
  /** Told when the event log was appended to in this transaction (store.tx wakes readers after commit). */
  readonly onEventAppended?: () => void;
  /**
   * When set, appended events are held here and written in one multi-row INSERT at the end of the
   * transaction (store.tx with `deferEvents`, a batch of webhooks); reading the log flushes first.
   */
  readonly deferredEvents?: unknown[][];
  /**
   * The plaintexts of the short values this transaction sealed or unsealed, by place and sealed
   * text (store.tx sets it; see `seal`). Without it every value is decrypted each time.
   */
  readonly plaintexts?: Map<string, string>;
  /**
   * Senders (channel, blind-index column, blind index) this store found or created in a committed
   * or running transaction, shared by the store's transactions (repos/contacts.ts, upsert): a hint
   * only, never trusted for a result, so a stale entry costs one look-up and nothing else.
   */
  readonly knownSenders?: Set<string>;
}

/**
 * Issue 17: a webhook's transaction decrypted what it had just sealed or already decrypted (the
 * contact's phone and name from the upsert's RETURNING and again from the update's, the message
 * bodies from their INSERT … RETURNING): 6 of 16 AES-GCM calls per message. A sealed value names
 * its place (tenant, table, column, row) in its AAD and carries a fresh random IV, so the same
 * sealed text read back for the same place decrypts to the plaintext remembered for it, and
 * anything else (another row's ciphertext, a changed byte) misses and is decrypted, failing as
 * before. Per transaction only, and bounded: long values (decision verdicts) are not kept, and a
 * transaction touching many rows (a rotation, a long list) starts over past MEMO_ENTRIES.
 */
const MEMO_MAX_CHARS = 1_024;
const MEMO_ENTRIES = 512;

function memoKey(table: string, column: string, rowId: string, sealed: string): string {
  return `${table}\u0000${column}\u0000${rowId}\u0000${sealed}`;
}

function remember(c: RepoContext, key: string, plaintext: string): void {
  const memo = c.plaintexts;
  if (memo === undefined || plaintext.length > MEMO_MAX_CHARS) return;
  if (memo.size >= MEMO_ENTRIES) memo.clear();
  memo.set(key, plaintext);
}

/** Encrypts a personal field, bound (AAD) to its tenant, table, column and row. */
export function seal(
  c: RepoContext,
  table: string,
  column: string,
  rowId: string,
  plaintext: string,
): string {
  const sealed = c.keyring.encrypt(plaintext, { tenantId: c.tenantId, table, column, rowId });
  remember(c, memoKey(table, column, rowId, sealed), plaintext);
  return sealed;
}

/** Decrypts a personal field; a value copied from elsewhere throws DecryptError. */
export function unseal(c: RepoContext, table: string, column: string, rowId: string, sealed: string): string {
  const key = c.plaintexts === undefined ? '' : memoKey(table, column, rowId, sealed);
  const known = c.plaintexts?.get(key);
  if (known !== undefined) return known;
  const plaintext = c.keyring.decrypt(sealed, { tenantId: c.tenantId, table, column, rowId });
  remember(c, key, plaintext);
  return plaintext;
}

export function unsealOrNull(
  c: RepoContext,
  table: string,
  column: string,
  rowId: string,
  sealed: string | null,
): string | null {
  return sealed === null ? null : unseal(c, table, column, rowId, sealed);
}

/** Timestamps cross the boundary as epoch milliseconds; both drivers hand back Date objects. */
export function msOf(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string' || typeof value === 'number') {
    const ms = new Date(value).getTime();
    if (!Number.isNaN(ms)) return ms;
  }
  throw new TypeError('expected a timestamp');
}

export function msOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : msOf(value);
}

/** Parameters go in as ISO strings with an explicit `::timestamptz` cast: no driver guesswork. */
export function isoOf(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError('timestamp must be a finite number of milliseconds');
  return new Date(ms).toISOString();
}

export function isoOrNull(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : isoOf(ms);
}

export class InvalidCursorError extends Error {
  readonly code = 'invalid_cursor';
  constructor() {
    super('pagination cursor is malformed');
    this.name = 'InvalidCursorError';
  }
}

/** A unique constraint refused the write (duplicate route key, key hash, product…). */
export class ConflictError extends Error {
  readonly code = 'conflict';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConflictError';
  }
}

/**
 * An outbound message named a provider id the channel already holds (two requests raced to
 * record the same sent message). Not a ConflictError: the caller answers with the stored one.
 */
export class ProviderIdTakenError extends Error {
  readonly code = 'provider_id_taken';
  constructor(
    readonly channelId: string,
    readonly providerId: string,
    options?: { cause?: unknown },
  ) {
    super('this channel already holds a message with that provider id', options);
    this.name = 'ProviderIdTakenError';
  }
}

/*
 * SQLSTATEs are read here and nowhere else: the repositories turn the ones they expect into the
 * errors above, and the pipelines ask the questions below instead of comparing codes themselves.
 */

/** The five-character SQLSTATE of a database error (both drivers put it in `code`), or null. */
export function sqlStateOf(err: unknown): string | null {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

/** SQLSTATE 23505: a unique index refused the write. */
export function isUniqueViolation(err: unknown): boolean {
  return sqlStateOf(err) === '23505';
}

/** SQLSTATE class 23: a constraint refused the write (a provider id already stored, say). */
export function isConstraintViolation(err: unknown): boolean {
  return sqlStateOf(err)?.startsWith('23') ?? false;
}

/**
 * SQLSTATE classes that say the statement's values are the problem, not the database: data
 * exceptions (22: a value too long, a date out of range), integrity violations (23), syntax or
 * undefined objects (42: a bug), program limits (54: an index row too large).
 */
const DETERMINISTIC_SQLSTATE_CLASSES = new Set(['22', '23', '42', '54']);

/** A database error that the same statement with the same values would raise again. */
export function isDeterministicSqlError(err: unknown): boolean {
  const state = sqlStateOf(err);
  return state !== null && DETERMINISTIC_SQLSTATE_CLASSES.has(state.slice(0, 2));
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass back to get the next page. Null on the last page. */
  nextCursor: string | null;
}

export interface PageOptions {
  cursor?: string | null;
  /** 1–200, default 50. */
  limit?: number;
}

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('page limit must be a positive integer');
  return Math.min(limit, MAX_PAGE_LIMIT);
}

/**
 * The cursor is the (created_at, id) of the last row, with created_at rendered by Postgres at
 * microsecond precision: a JS Date would round to milliseconds and skip or repeat rows.
 */
export const CURSOR_AT_SQL = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

interface CursorParts {
  at: string;
  id: string;
}

const CURSOR_AT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorParts {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      typeof parsed[1] === 'string' &&
      CURSOR_AT_PATTERN.test(parsed[0]) &&
      parsed[1].length <= 64
    ) {
      return { at: parsed[0], id: parsed[1] };
    }
  } catch {
    // Fall through to the error below.
  }
  throw new InvalidCursorError();
}

/**
 * Runs a newest-first page query. `where` holds the conditions (tenant filter included) with
 * `$n` placeholders for `params`; the cursor condition and limit are appended here.
 */
export async function pageQuery<Row extends { id: string; cursor_at: string }>(
  c: RepoContext,
  sql: { select: string; from: string; where: string[] },
  params: unknown[],
  options: PageOptions,
): Promise<{ rows: Row[]; nextCursor: string | null }> {
  const limit = pageLimit(options.limit);
  const where = [...sql.where];
  const all = [...params];
  if (options.cursor) {
    const { at, id } = decodeCursor(options.cursor);
    all.push(at, id);
    where.push(`(created_at, id) < ($${all.length - 1}::timestamptz, $${all.length})`);
  }
  all.push(limit + 1);
  const { rows } = await c.tx.query<Row>(
    `SELECT ${sql.select}, ${CURSOR_AT_SQL} AS cursor_at FROM ${sql.from}
     WHERE ${where.join(' AND ')}
     ORDER BY created_at DESC, id DESC
     LIMIT $${all.length}`,
    all,
  );
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return { rows: pageRows, nextCursor: more && last ? encodeCursor(last.cursor_at, last.id) : null };
}
