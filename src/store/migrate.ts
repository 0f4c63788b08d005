/**
 * Append-only SQL migrations. Files `migrations/NNNN_name.sql` are applied in order and recorded
 * in `schema_migrations` with a SHA-256 of their text; an applied file whose text changed is an
 * error, because the database would no longer match what the repository says it is.
 */

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { packagePath } from '../package-root.ts';
import type { Db, Queryable } from './types.ts';

/** The package's `migrations/` folder (from src/ or dist/ alike; the working directory does not matter). */
export const MIGRATIONS_DIR = packagePath('migrations');

// Any constant works; it only has to be the same in every process that migrates this database.
const MIGRATION_LOCK_KEY = 727_465_001;

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export interface MigrationFile {
  version: number;
  name: string;
  checksum: string;
  sql: string;
}

export interface MigrationResult {
  applied: { version: number; name: string }[];
  /** Versions already recorded in the ledger before this run. */
  alreadyApplied: number[];
}

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort();
  const files: MigrationFile[] = [];
  for (const fileName of names) {
    const m = FILE_PATTERN.exec(fileName);
    if (!m) throw new MigrationError(`migration file name ${fileName} does not match NNNN_name.sql`);
    const sql = await readFile(`${dir.replace(/\/$/, '')}/${fileName}`, 'utf8');
    if (!sql.trimStart().startsWith('--')) {
      throw new MigrationError(`migration ${fileName} must open with a comment saying why it exists`);
    }
    files.push({
      version: Number(m[1]),
      name: m[2]!,
      checksum: createHash('sha256').update(sql).digest('hex'),
      sql,
    });
  }
  // Numbers only grow, and no two files share one. A number may be skipped (parallel branches
  // reserve their numbers ahead of a merge); runMigrations refuses to apply one out of order.
  files.forEach((f, i) => {
    const previous = files[i - 1];
    if (f.version < 1 || (previous !== undefined && f.version <= previous.version)) {
      throw new MigrationError(
        `migrations must be numbered 0001, 0002, … each number once; found ${String(f.version).padStart(4, '0')} after ${String(previous?.version ?? 0).padStart(4, '0')}`,
      );
    }
  });
  return files;
}

/**
 * Applies every pending migration in one owner transaction. On Postgres a transaction-scoped
 * advisory lock makes concurrent migrators (parallel test processes, several instances starting at
 * once) take turns; the second one finds everything applied. PGlite is one connection, so the lock
 * is merely harmless there.
 */
export async function runMigrations(db: Db, options: { dir?: string } = {}): Promise<MigrationResult> {
  const files = await loadMigrations(options.dir);
  return db.ownerTx(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         checksum text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
      [],
    );
    const { rows } = await tx.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
      [],
    );
    const known = new Map(files.map((f) => [f.version, f]));
    for (const row of rows) {
      const file = known.get(row.version);
      if (!file) {
        throw new MigrationError(
          `database has migration ${row.version} (${row.name}) that this code does not know; it is newer than this build`,
        );
      }
      if (file.checksum !== row.checksum) {
        throw new MigrationError(
          `migration ${String(row.version).padStart(4, '0')}_${row.name} was changed after it was applied (checksum mismatch); add a new migration instead of editing an applied one`,
        );
      }
    }
    const done = new Set(rows.map((r) => r.version));
    const newest = Math.max(0, ...done);
    const applied: { version: number; name: string }[] = [];
    for (const file of files) {
      if (done.has(file.version)) continue;
      // A skipped number filled in later would run after migrations written after it: refused.
      if (file.version < newest) {
        throw new MigrationError(
          `migration ${String(file.version).padStart(4, '0')}_${file.name} is not applied but the newer ${String(newest).padStart(4, '0')} is; migrations must be applied in order`,
        );
      }
      await runScript(tx, file);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        file.version,
        file.name,
        file.checksum,
      ]);
      applied.push({ version: file.version, name: file.name });
    }
    return { applied, alreadyApplied: [...done] };
  });
}

async function runScript(tx: Queryable, file: MigrationFile): Promise<void> {
  try {
    await tx.query(file.sql);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new MigrationError(
      `migration ${String(file.version).padStart(4, '0')}_${file.name} failed: ${reason}`,
    );
  }
}
