/**
 * Postgres through a pg.Pool (`DATABASE_URL`). Same SQL, roles and row-level security as PGlite.
 * The connection user owns the schema; every request transaction switches to `sellify_app`.
 */

import { createHash } from 'node:crypto';
import pg from 'pg';
import { APP_ROLE, assertTenantId, type Db, type Queryable, type QueryResult } from './types.ts';

const INT8_OID = 20;

// PGlite returns bigint columns and count(*) as numbers; pg returns strings by default. One shape
// for both backends keeps the repositories simple. Values beyond 2^53 would lose precision, so
// they are refused rather than silently rounded (money is in minor units and stays far below).
function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError('bigint value is beyond Number.MAX_SAFE_INTEGER');
  return n;
}

const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return parseInt8;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export interface PostgresOptions {
  databaseUrl: string;
  /** Pool size per process. Default 10. */
  maxConnections?: number;
  /** Server-side limit for one statement. Default 30 000 ms. */
  statementTimeoutMs?: number;
  /** Called when an idle pooled connection fails (server restart, network): the pool drops it. */
  onError?: (err: Error) => void;
}

/**
 * Named (prepared) statements: a connection parses and plans a statement once and then only binds
 * and executes it (issue 17: the webhook path sends about 15 statements per message, most of them
 * the same few texts). The names are bounded per process, because some texts are generated (a
 * multi-row INSERT per batch size): past MAX_PREPARED the rest run unnamed, as before. Plans made
 * for one role are redone by Postgres for another, and row-level security reads the tenant
 * setting at execution, so a statement prepared in one tenant's transaction is safe in the next.
 */
const MAX_PREPARED = 500;
const preparedNames = new Map<string, string>();

function statementName(sql: string): string | undefined {
  const known = preparedNames.get(sql);
  if (known !== undefined || preparedNames.size >= MAX_PREPARED) return known;
  const name = `s_${createHash('sha1').update(sql).digest('base64url').slice(0, 20)}`;
  preparedNames.set(sql, name);
  return name;
}

/** Sends one statement: named (prepared) when it has values and a name is left, else as given. */
function send(
  client: pg.PoolClient | pg.Pool,
  sql: string,
  params?: unknown[],
): Promise<pg.QueryResult | pg.QueryResult[]> {
  // Without values pg uses the simple protocol, which allows several statements (migrations)
  // and then answers with one result per statement.
  const name = params === undefined ? undefined : statementName(sql);
  return (
    name === undefined ? client.query(sql, params) : client.query({ name, text: sql, values: params })
  ) as Promise<pg.QueryResult | pg.QueryResult[]>;
}

function resultOf<T>(r: pg.QueryResult | pg.QueryResult[]): QueryResult<T> {
  const last = Array.isArray(r) ? r[r.length - 1] : r;
  return { rows: (last?.rows ?? []) as T[], affectedRows: last?.rowCount ?? undefined };
}

/** COMMIT of a transaction in which a statement failed quietly rolls back: that is not success. */
function checkCommitted(commit: pg.QueryResult): void {
  if (commit.command === 'ROLLBACK')
    throw new Error('transaction was rolled back because a statement in it failed');
}

export async function openPostgres(options: PostgresOptions): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.maxConnections ?? 10,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    // A transaction left open by a crashed request must not hold row locks forever.
    idle_in_transaction_session_timeout: 60_000,
    connectionTimeoutMillis: 10_000,
    application_name: 'sellify',
    types: typeParsers,
    // Pipeline mode (pg 8.23): a query is written to the connection at once instead of after the
    // one before it has answered, so statements issued together share one round trip (issue 17:
    // a transaction's BEGIN with its first statements, a webhook batch's reads, its last write
    // with the COMMIT). Statements awaited one by one behave as before. Cursors and the `rows`
    // option are refused in this mode; nothing here uses them.
    pipeline: true,
  });
  // Without a listener an idle client's error (server restart) would crash the process.
  pool.on('error', (err) => options.onError?.(err));
  // pg-pool moves its own listener on and off a client as it is checked out and released; a
  // connection killed in a window where neither it nor a transaction's listener is attached made
  // the client emit 'error' to nobody, which killed the process (test/reliability/db-faults.test.ts,
  // 2 of 5 trials). Every client keeps one listener for its whole life; the client is then broken
  // and its next query fails, which the request or job sees.
  pool.on('connect', (client) => {
    client.on('error', (err) => options.onError?.(err));
  });
  let closed = false;

  /**
   * `begin` is sent as one simple-protocol query: BEGIN plus the role and settings. It is not
   * waited for: in pipeline mode the transaction's first statements go out right behind it, in
   * the same round trip (issue 17: a webhook batch's five reads go out with its BEGIN). That is
   * safe because BEGIN comes first in a fixed text (the tenant id is an escaped literal, so the
   * text always parses) and cannot fail on a live connection: if anything after it fails — the
   * role, the setting — the transaction is aborted and every statement queued behind it fails
   * with it instead of running outside it; if the connection fails, they all fail.
   */
  async function inTx<T>(begin: (c: pg.PoolClient) => string, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    if (closed) throw new Error('database is closed');
    const client = await pool.connect();
    let open = true;
    let broken: Error | undefined;
    // Set by queryThenCommit: the COMMIT already sent behind the transaction's last statement.
    let committing: Promise<pg.QueryResult> | undefined;
    // The pool stops listening for a checked-out client's errors. A connection killed between two
    // statements (pg_terminate_backend, a database restart) makes the client emit 'error' with no
    // query to fail, which without this listener crashed the process
    // (test/reliability/db-faults.test.ts); here it marks the client broken and the next
    // statement fails instead.
    const onError = (err: Error) => {
      broken = err;
    };
    client.on('error', onError);
    const finished = () => !open || committing !== undefined;
    const tx: Queryable = {
      async query<R>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
        if (finished()) throw new Error('transaction is already finished');
        return resultOf<R>(await send(client, sql, params));
      },
      async queryThenCommit<R>(sql: string, params: unknown[]): Promise<QueryResult<R>> {
        if (finished()) throw new Error('transaction is already finished');
        const statement = send(client, sql, params);
        const commit = client.query('COMMIT') as Promise<pg.QueryResult>;
        // Awaited below (or by inTx when the statement fails first): never an unhandled rejection.
        commit.catch(() => {});
        committing = commit;
        // A failed statement aborts the transaction, and the COMMIT behind it then answers ROLLBACK.
        const r = await statement;
        checkCommitted(await commit);
        return resultOf<R>(r);
      },
    };
    const begun = client.query(begin(client)) as Promise<unknown>;
    begun.catch(() => {});
    try {
      let result: T;
      try {
        result = await fn(tx);
      } catch (err) {
        // A failed BEGIN says more than the statements that failed behind it.
        await begun;
        throw err;
      }
      await begun;
      checkCommitted(await (committing ?? (client.query('COMMIT') as Promise<pg.QueryResult>)));
      return result;
    } catch (err) {
      try {
        // After queryThenCommit the transaction is over either way; ROLLBACK then only warns.
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr as Error;
      }
      throw err;
    } finally {
      open = false;
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  // set_config('role', …, true) is SET LOCAL ROLE in function form, so it shares one statement
  // with the tenant setting; both end with the transaction.
  const asApp = (c: pg.PoolClient, tenantId: string | null) =>
    `BEGIN; SELECT set_config('role', '${APP_ROLE}', true)` +
    (tenantId === null ? '' : `, set_config('app.tenant_id', ${c.escapeLiteral(tenantId)}, true)`);

  return {
    kind: 'postgres',
    tenantTx(tenantId, fn) {
      assertTenantId(tenantId);
      return inTx((c) => asApp(c, tenantId), fn);
    },
    appTx(fn) {
      return inTx((c) => asApp(c, null), fn);
    },
    ownerTx(fn) {
      return inTx(() => `BEGIN; SELECT set_config('app.owner_access', 'on', true)`, fn);
    },
    async exec(sql, params) {
      if (closed) throw new Error('database is closed');
      const r = resultOf<Record<string, unknown>>(await send(pool, sql, params));
      return { rows: r.rows, affectedRows: r.affectedRows };
    },
    async ping() {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
