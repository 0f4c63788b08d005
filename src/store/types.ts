/**
 * The database boundary. Everything above the store talks to `Db`; PGlite (embedded, default) and
 * Postgres (`DATABASE_URL`) implement it with the same SQL, roles and row-level security.
 */

export interface QueryResult<T> {
  rows: T[];
  /** Rows changed by an INSERT/UPDATE/DELETE. */
  affectedRows?: number;
}

export interface Queryable {
  /**
   * With `params` (even `[]`) the SQL is one statement sent with bind parameters. Without `params`
   * it may hold several statements (migrations); the rows of the last one are returned.
   */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
  /**
   * A transaction's last statement and its COMMIT, sent together (one round trip on PostgreSQL;
   * absent on PGlite, which has no round trips to save). Resolves once both have succeeded;
   * rejects if either fails, and the transaction is then rolled back. The transaction is over
   * when this is called: its function must send nothing after it.
   */
  queryThenCommit?<T = Record<string, unknown>>(sql: string, params: unknown[]): Promise<QueryResult<T>>;
}

export type DbKind = 'pglite' | 'postgres';

export interface Db {
  readonly kind: DbKind;
  /** Runs fn in a transaction as the restricted app role with app.tenant_id set (SET LOCAL). */
  tenantTx<T>(tenantId: string, fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Transaction as the restricted app role with no tenant set: tenant tables show no rows; only the
   * SECURITY DEFINER look-ups (API key by hash, channel by route key) answer. Used before a
   * request's tenant is known.
   */
  appTx<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Transaction as the owner role: migrations, maintenance (key rotation), tests. Never used by request handling. */
  ownerTx<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Owner-level single statement outside any transaction (for queue adapters). */
  exec(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[]; affectedRows?: number }>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Role every tenant transaction switches to; created by migrations/0001_init.sql. */
export const APP_ROLE = 'sellify_app';

/** An empty tenant id would run with no tenant set and silently see nothing: a programming error. */
export function assertTenantId(tenantId: string): void {
  if (typeof tenantId !== 'string' || tenantId.length === 0) {
    throw new TypeError('tenantTx needs a non-empty tenant id');
  }
}
