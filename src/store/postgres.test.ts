import { describe, expect, it } from 'vitest';
import { openDb } from './db.ts';
import { openPostgres } from './postgres.ts';

describe('Postgres connection failures', () => {
  it('rejects openDb with the connection error when the server is unreachable (no crash)', async () => {
    await expect(
      openDb({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none', dataDir: '' }),
    ).rejects.toThrow(/ECONNREFUSED|connect/);
  });

  it('answers ping false instead of throwing when the server is unreachable', async () => {
    const db = await openPostgres({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none' });
    try {
      expect(await db.ping()).toBe(false);
    } finally {
      await db.close();
    }
  });
});

describe.runIf(Boolean(process.env.TEST_DATABASE_URL))('Postgres transactions', () => {
  it('does not report success for a transaction in which a swallowed statement failed', async () => {
    const db = await openPostgres({ databaseUrl: process.env.TEST_DATABASE_URL! });
    try {
      await expect(
        db.ownerTx(async (tx) => {
          await tx.query('SELECT 1/0', []).catch(() => undefined);
          return 'ok';
        }),
      ).rejects.toThrow(/rolled back/);
      expect(await db.ping()).toBe(true);
    } finally {
      await db.close();
    }
  });

  // Pipeline mode (issue 17): BEGIN is not waited for, a transaction's first statements go out
  // behind it, and queryThenCommit sends a last statement with the COMMIT.
  const table = `pipeline_test_${process.pid}_${Date.now()}`;
  async function withTable(fn: (db: Awaited<ReturnType<typeof openPostgres>>) => Promise<void>) {
    const db = await openPostgres({ databaseUrl: process.env.TEST_DATABASE_URL!, maxConnections: 2 });
    try {
      await db.exec(`CREATE TABLE ${table} (n int PRIMARY KEY)`);
      await fn(db);
    } finally {
      await db.exec(`DROP TABLE IF EXISTS ${table}`);
      await db.close();
    }
  }
  const stored = async (db: Awaited<ReturnType<typeof openPostgres>>) =>
    (await db.exec(`SELECT n FROM ${table} ORDER BY n`)).rows.map((r) => r.n);

  it("runs a tenant transaction's first statement, sent behind BEGIN, as the app role with the tenant set", async () => {
    const db = await openPostgres({ databaseUrl: process.env.TEST_DATABASE_URL! });
    try {
      const { rows } = await db.tenantTx('ten_pipeline', (tx) =>
        tx.query<{ who: string; tenant: string }>(
          "SELECT current_user AS who, current_setting('app.tenant_id', true) AS tenant",
          [],
        ),
      );
      expect(rows[0]).toEqual({ who: 'sellify_app', tenant: 'ten_pipeline' });
    } finally {
      await db.close();
    }
  });

  it('answers statements issued together each with its own result, in order', async () => {
    const db = await openPostgres({ databaseUrl: process.env.TEST_DATABASE_URL! });
    try {
      const got = await db.ownerTx((tx) =>
        Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            tx.query<{ n: number }>('SELECT $1::int AS n', [i]).then((r) => r.rows[0]!.n),
          ),
        ),
      );
      expect(got).toEqual(Array.from({ length: 20 }, (_, i) => i));
    } finally {
      await db.close();
    }
  });

  it('commits a last statement sent with its COMMIT, and refuses any statement after it', async () => {
    await withTable(async (db) => {
      let after: unknown;
      await db.ownerTx(async (tx) => {
        await tx.query(`INSERT INTO ${table} VALUES ($1)`, [1]);
        await tx.queryThenCommit!(`INSERT INTO ${table} VALUES ($1)`, [2]);
        after = await tx.query('SELECT 1', []).catch((err: Error) => err.message);
      });
      expect(after).toMatch(/already finished/);
      expect(await stored(db)).toEqual([1, 2]);
    });
  });

  it('rolls the whole transaction back when the statement sent with the COMMIT fails', async () => {
    await withTable(async (db) => {
      await expect(
        db.ownerTx(async (tx) => {
          await tx.query(`INSERT INTO ${table} VALUES ($1)`, [1]);
          await tx.queryThenCommit!(`INSERT INTO ${table} VALUES ($1::int / 0)`, [3]);
        }),
      ).rejects.toThrow(/division by zero/);
      expect(await stored(db)).toEqual([]);
      // The connection went back to the pool usable.
      await db.ownerTx((tx) => tx.queryThenCommit!(`INSERT INTO ${table} VALUES ($1)`, [4]));
      expect(await stored(db)).toEqual([4]);
    });
  });

  it('rolls back a transaction that fails while statements issued together are still in flight', async () => {
    await withTable(async (db) => {
      await expect(
        db.ownerTx(async (tx) => {
          await Promise.all([
            tx.query(`INSERT INTO ${table} VALUES ($1)`, [1]),
            tx.query('SELECT 1/0', []),
            tx.query(`INSERT INTO ${table} VALUES ($1)`, [2]),
          ]);
        }),
      ).rejects.toThrow(/division by zero/);
      expect(await stored(db)).toEqual([]);
      expect(await db.ping()).toBe(true);
    });
  });
});
