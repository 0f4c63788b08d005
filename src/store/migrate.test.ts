import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testBackends } from '../../test/support/store.ts';
import { loadMigrations, MIGRATIONS_DIR, MigrationError, runMigrations } from './migrate.ts';
import type { Db } from './types.ts';

describe('loadMigrations', () => {
  it('reads the repository migrations in order, each opening with a comment', async () => {
    const files = await loadMigrations();
    const versions = files.map((f) => f.version);
    expect(versions[0]).toBe(1);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    expect(files[0]?.name).toBe('init');
    for (const f of files) expect(f.sql.trimStart().startsWith('--')).toBe(true);
  });

  it('refuses a file that does not say why it exists', async () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, '0001_init.sql'), 'CREATE TABLE x (id int);');
      await expect(loadMigrations(dir.path)).rejects.toThrow(/must open with a comment/);
    } finally {
      dir.cleanup();
    }
  });

  it('refuses two files with the same number', async () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, '0001_a.sql'), '-- a\nSELECT 1;');
      writeFileSync(join(dir.path, '0002_b.sql'), '-- b\nSELECT 1;');
      writeFileSync(join(dir.path, '0002_c.sql'), '-- c\nSELECT 1;');
      await expect(loadMigrations(dir.path)).rejects.toThrow(/each number once; found 0002 after 0002/);
    } finally {
      dir.cleanup();
    }
  });

  it('accepts a skipped number (reserved by a branch not merged yet)', async () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, '0001_a.sql'), '-- a\nSELECT 1;');
      writeFileSync(join(dir.path, '0003_c.sql'), '-- c\nSELECT 1;');
      expect((await loadMigrations(dir.path)).map((f) => f.version)).toEqual([1, 3]);
    } finally {
      dir.cleanup();
    }
  });
});

describe.each(testBackends())('migrations on $name', (backend) => {
  let db: Db;

  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('applies twice without error and records each file once in the ledger with its checksum', async () => {
    const again = await runMigrations(db);
    expect(again.applied).toEqual([]);
    const files = await loadMigrations();
    const { rows } = await db.ownerTx((tx) =>
      tx.query<{ version: number; name: string; checksum: string }>(
        'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
        [],
      ),
    );
    expect(rows).toEqual(files.map((f) => ({ version: f.version, name: f.name, checksum: f.checksum })));
  });

  it('lets concurrent migrators take turns: all succeed and nothing is applied twice', async () => {
    const results = await Promise.all([runMigrations(db), runMigrations(db), runMigrations(db)]);
    expect(results.flatMap((r) => r.applied)).toEqual([]);
  });

  it('refuses to run when an applied file was edited (checksum mismatch, on a temp copy)', async () => {
    const dir = tempDir();
    try {
      cpSync(MIGRATIONS_DIR, dir.path, { recursive: true });
      const file = join(dir.path, '0001_init.sql');
      writeFileSync(file, `${readFileSync(file, 'utf8')}\n-- an innocent-looking edit\n`);
      const err = await runMigrations(db, { dir: dir.path }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationError);
      expect((err as Error).message).toMatch(/0001_init was changed after it was applied/);
    } finally {
      dir.cleanup();
    }
  });

  it('refuses to run against a database that has a migration this build does not know', async () => {
    const dir = tempDir();
    try {
      cpSync(MIGRATIONS_DIR, dir.path, { recursive: true });
      // Pretend the build is one migration older than the database: drop the newest file.
      const last = (await loadMigrations()).at(-1)!;
      rmSync(join(dir.path, `${String(last.version).padStart(4, '0')}_${last.name}.sql`));
      await expect(runMigrations(db, { dir: dir.path })).rejects.toThrow(/newer than this build/);
    } finally {
      dir.cleanup();
    }
  });

  // Adding a table changes the schema; on a shared Postgres that would leak into other test files,
  // so a pending migration is applied on PGlite's private database only.
  it.runIf(backend.name === 'pglite')('applies a pending migration and records it', async () => {
    const dir = tempDir();
    try {
      cpSync(MIGRATIONS_DIR, dir.path, { recursive: true });
      const next = (await loadMigrations()).at(-1)!.version + 1;
      writeFileSync(
        join(dir.path, `${String(next).padStart(4, '0')}_probe.sql`),
        '-- Why: test probe.\nCREATE TABLE migration_probe (id int);\nINSERT INTO migration_probe VALUES (1);',
      );
      const result = await runMigrations(db, { dir: dir.path });
      expect(result.applied).toEqual([{ version: next, name: 'probe' }]);
      const { rows } = await db.ownerTx((tx) =>
        tx.query<{ id: number }>('SELECT id FROM migration_probe', []),
      );
      expect(rows).toEqual([{ id: 1 }]);

      // A number skipped before the probe, filled in afterwards, would run out of order: refused.
      writeFileSync(
        join(dir.path, `${String(next + 2).padStart(4, '0')}_later.sql`),
        '-- Why: test probe.\nSELECT 1;',
      );
      expect((await runMigrations(db, { dir: dir.path })).applied).toEqual([
        { version: next + 2, name: 'later' },
      ]);
      writeFileSync(
        join(dir.path, `${String(next + 1).padStart(4, '0')}_late.sql`),
        '-- Why: test probe.\nCREATE TABLE migration_late (id int);',
      );
      await expect(runMigrations(db, { dir: dir.path })).rejects.toThrow(
        new RegExp(
          `${String(next + 1).padStart(4, '0')}_late is not applied but the newer ${String(next + 2).padStart(4, '0')} is`,
        ),
      );
    } finally {
      dir.cleanup();
    }
  });
});
