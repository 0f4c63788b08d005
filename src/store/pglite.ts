/**
 * The embedded database: PGlite (Postgres compiled to WASM) in `<dataDir>/pglite`, or in memory for
 * tests. PGlite is a single connection; its own query/transaction mutex already serializes every
 * call, so tenant transactions cannot interleave. PGlite connects as a superuser, which bypasses
 * row-level security, so `SET LOCAL ROLE sellify_app` is what makes RLS apply — exactly as on
 * Postgres. The data directory is created 0700 and made private again at every open (dataDir.ts).
 */

import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { ensureDataDir, secureDataDir } from './data-dir.ts';
import { APP_ROLE, assertTenantId, type Db, type Queryable, type QueryResult } from './types.ts';

export class DataDirInUseError extends Error {
  readonly code = 'data_dir_in_use';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`Sellify data directory ${dataDir} is in use by process ${pid}; stop it or set SELLIFY_DATA_DIR`);
    this.name = 'DataDirInUseError';
  }
}

interface PgliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>;
  exec(sql: string): Promise<{ rows: unknown[]; affectedRows?: number }[]>;
}

function wrap(target: PgliteLike): Queryable {
  return {
    async query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
      if (params === undefined) {
        // Simple protocol: several statements allowed (migrations); the last result is returned.
        const results = await target.exec(sql);
        const last = results[results.length - 1];
        return { rows: (last?.rows ?? []) as T[], affectedRows: last?.affectedRows };
      }
      const r = await target.query<T>(sql, params);
      return { rows: r.rows, affectedRows: r.affectedRows };
    },
  };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else; still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<dataDir>/pglite.lock` (O_EXCL, holding our pid). Two processes on one PGlite directory
 * would corrupt it, so a live holder is an error; a lock left by a dead process is taken over.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  ensureDataDir(dataDir);
  const lockPath = join(dataDir, 'pglite.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      try {
        writeSync(fd, String(process.pid));
      } finally {
        closeSync(fd);
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (readFileSync(lockPath, 'utf8').trim() === String(process.pid)) unlinkSync(lockPath);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = Number.NaN;
    try {
      holder = Number.parseInt(readFileSync(lockPath, 'utf8').trim(), 10);
    } catch {
      // Vanished between open and read: retry.
      continue;
    }
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && pidAlive(holder)) {
      throw new DataDirInUseError(dataDir, holder);
    }
    if (holder === process.pid) {
      // This process already holds it through another handle: a second PGlite on the same files
      // would corrupt them just the same.
      throw new DataDirInUseError(dataDir, holder);
    }
    // Stale (dead pid or unreadable content): remove and try again.
    try {
      unlinkSync(lockPath);
    } catch {
      // Someone else removed it first; the next attempt sorts it out.
    }
  }
  throw new Error(`could not take the lock ${lockPath} after several attempts`);
}

export async function openPglite(options: {
  dataDir: string;
  memory?: boolean;
  /** Receives one line when the data directory cannot be made private (see dataDir.ts). */
  warn?: (line: string) => void;
}): Promise<Db> {
  const release = options.memory ? () => {} : acquireDataDirLock(options.dataDir);
  let pg: PGlite;
  try {
    pg = await PGlite.create(options.memory ? {} : { dataDir: join(options.dataDir, 'pglite') });
  } catch (err) {
    release();
    throw err;
  }
  if (!options.memory) {
    // After create: PGlite writes its files world-writable, the ones it just made included.
    const { warning } = secureDataDir(options.dataDir);
    if (warning !== undefined) (options.warn ?? console.error)(warning);
  }
  let closed = false;

  async function inTx<T>(
    setup: (tx: Transaction) => Promise<void>,
    fn: (tx: Queryable) => Promise<T>,
  ): Promise<T> {
    return pg.transaction(async (tx) => {
      await setup(tx);
      return fn(wrap(tx as unknown as PgliteLike));
    });
  }

  // set_config('role', …, true) is SET LOCAL ROLE in function form, so one statement switches the
  // role and sets the tenant; both end with the transaction.
  const asApp = async (tx: Transaction, tenantId: string | null) => {
    if (tenantId === null) await tx.query(`SELECT set_config('role', '${APP_ROLE}', true)`);
    else
      await tx.query(
        `SELECT set_config('role', '${APP_ROLE}', true), set_config('app.tenant_id', $1, true)`,
        [tenantId],
      );
  };

  return {
    kind: 'pglite',
    tenantTx(tenantId, fn) {
      assertTenantId(tenantId);
      return inTx((tx) => asApp(tx, tenantId), fn);
    },
    appTx(fn) {
      return inTx((tx) => asApp(tx, null), fn);
    },
    ownerTx(fn) {
      return inTx(async (tx) => {
        await tx.query(`SELECT set_config('app.owner_access', 'on', true)`);
      }, fn);
    },
    async exec(sql, params) {
      const r = await wrap(pg as unknown as PgliteLike).query(sql, params);
      return { rows: r.rows, affectedRows: r.affectedRows };
    },
    async ping() {
      try {
        await pg.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await pg.close();
      } finally {
        release();
      }
    },
  };
}
