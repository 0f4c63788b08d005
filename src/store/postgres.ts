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

function wrap(client: pg.PoolClient | pg.Pool, isOpen: () => boolean = () => true): Queryable {
  return {
    async query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
      if (!isOpen()) throw new Error('transaction is already finished');
      // Without values pg uses the simple protocol, which allows several statements (migrations)
      // and then answers with one result per statement.
      const name = params === undefined ? undefined : statementName(sql);
      const r = (
        name === undefined
          ? await client.query(sql, params)
          : await client.query({ name, text: sql, values: params })
      ) as pg.QueryResult | pg.QueryResult[];
      const last = Array.isArray(r) ? r[r.length - 1] : r;
      return { rows: (last?.rows ?? []) as T[], affectedRows: last?.rowCount ?? undefined };
    },
  };
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

  /** `begin` is sent as one simple-protocol round trip: BEGIN plus the role and settings. */
  async function inTx<T>(begin: (c: pg.PoolClient) => string, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    if (closed) throw new Error('database is closed');
    const client = await pool.connect();
    let open = true;
    let broken: Error | undefined;
    // The pool stops listening for a checked-out client's errors. A connection killed between two
    // statements (pg_terminate_backend, a database restart) makes the client emit 'error' with no
    // query to fail, which without this listener crashed the process
    // (test/reliability/db-faults.test.ts); here it marks the client broken and the next
    // statement fails instead.
    const onError = (err: Error) => {
      broken = err;
    };
    client.on('error', onError);
    try {
      await client.query(begin(client));
      const result = await fn(wrap(client, () => open));
      const commit = (await client.query('COMMIT')) as pg.QueryResult;
      // COMMIT of a transaction in which a statement failed (and the caller swallowed the error)
      // quietly rolls back; that must not look like success.
      if (commit.command === 'ROLLBACK')
        throw new Error('transaction was rolled back because a statement in it failed');
      return result;
    } catch (err) {
      try {
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
      const r = await wrap(pool).query(sql, params);
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
