/**
 * Opens the database the configuration asks for — Postgres when a URL is given, else PGlite in
 * the data directory — and brings its schema up to date before anyone uses it.
 */

import { runMigrations } from './migrate.ts';
import type { Db } from './types.ts';

export type { Db, DbKind, Queryable, QueryResult } from './types.ts';
export { APP_ROLE } from './types.ts';

export interface OpenDbOptions {
  /** `postgres://…`; when absent, PGlite in `dataDir`. */
  databaseUrl?: string;
  /** PGlite files go to `<dataDir>/pglite`, guarded by `<dataDir>/pglite.lock`. */
  dataDir: string;
  /** PGlite in memory (tests): nothing is written and no lock is taken. */
  memory?: boolean;
  /** Postgres pool size. Default 10. */
  maxConnections?: number;
  /** Postgres idle-connection errors (the pool drops the connection and carries on). */
  onError?: (err: Error) => void;
  /** PGlite: one line when the data directory cannot be made private. Default console.error. */
  warn?: (line: string) => void;
}

export async function openDb(options: OpenDbOptions): Promise<Db> {
  let db: Db;
  if (options.databaseUrl) {
    const { openPostgres } = await import('./postgres.ts');
    db = await openPostgres({
      databaseUrl: options.databaseUrl,
      maxConnections: options.maxConnections,
      onError: options.onError,
    });
  } else {
    const { openPglite } = await import('./pglite.ts');
    db = await openPglite({
      dataDir: options.dataDir,
      ...(options.memory !== undefined ? { memory: options.memory } : {}),
      ...(options.warn !== undefined ? { warn: options.warn } : {}),
    });
  }
  try {
    await runMigrations(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
