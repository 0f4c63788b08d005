/**
 * Helpers for tests that need a real database: the backends to run against (PGlite always,
 * Postgres when TEST_DATABASE_URL is set), fresh tenants and channels. Tests isolate themselves by
 * fresh ids and never truncate shared tables, because several test processes share one Postgres.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyring, generateKey, type Keyring } from '../../src/crypto/keyring.ts';
import { openDb } from '../../src/store/db.ts';
import type { Channel, NewChannel } from '../../src/store/repos/channels.ts';
import { createTenant } from '../../src/store/repos/tenants.ts';
import type { Store } from '../../src/store/store.ts';
import type { Db, DbKind } from '../../src/store/types.ts';

export interface TestBackend {
  name: DbKind;
  /** Opens (and migrates) a database; PGlite runs in memory. */
  open(): Promise<Db>;
}

export function testBackends(): TestBackend[] {
  const list: TestBackend[] = [{ name: 'pglite', open: () => openDb({ dataDir: '', memory: true }) }];
  const url = process.env.TEST_DATABASE_URL;
  if (url)
    list.push({ name: 'postgres', open: () => openDb({ databaseUrl: url, dataDir: '', maxConnections: 4 }) });
  return list;
}

export function testKeyring(): Keyring {
  return createKeyring(generateKey());
}

/**
 * A test keyring that records the place (`table.column`) of every value it seals and decrypts, for
 * tests that count AES-GCM calls. Empty the arrays (`length = 0`) to start counting afresh.
 */
export function countingKeyring(): { keyring: Keyring; sealed: string[]; decrypted: string[] } {
  const inner = testKeyring();
  const sealed: string[] = [];
  const decrypted: string[] = [];
  const keyring: Keyring = {
    ...inner,
    encrypt(plaintext, ctx) {
      sealed.push(`${ctx.table}.${ctx.column}`);
      return inner.encrypt(plaintext, ctx);
    },
    decrypt(value, ctx) {
      decrypted.push(`${ctx.table}.${ctx.column}`);
      return inner.decrypt(value, ctx);
    },
  };
  return { keyring, sealed, decrypted };
}

export async function freshTenant(db: Db, name = 'Boutique test'): Promise<string> {
  return (await createTenant(db, { name })).id;
}

export async function freshChannel(
  store: Store,
  tenantId: string,
  input: Partial<NewChannel> = {},
): Promise<Channel> {
  return store.tx(tenantId, (r) => r.channels.create({ name: 'Main', transport: 'sandbox', ...input }));
}

/** A temporary directory removed by the returned cleanup. */
export function tempDir(prefix = 'sellify-store-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
