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
});
