/**
 * Storage benchmark: insert + read-back of an encrypted inbound message through the store (tenant
 * transaction as the app role, RLS, AES-GCM), next to the same insert + read of a plaintext row in
 * a scratch table with no encryption and no RLS, on the same database in the same run.
 *
 * Backends: PGlite in memory, PGlite on disk (temp dir), and Postgres when TEST_DATABASE_URL or
 * DATABASE_URL is set (the bench creates its own tenant and scratch table and removes both).
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyring, generateKey } from '../src/crypto/keyring.ts';
import { openDb } from '../src/store/db.ts';
import { createTenant } from '../src/store/repos/tenants.ts';
import { createStore } from '../src/store/store.ts';
import type { Db } from '../src/store/types.ts';
import { formatTable, type Measurement, measure } from './lib.ts';

const BODY = "Bonjour, c'est combien le sac noir ? Je suis à Cocody, vous livrez ?";

interface BenchBackend {
  name: string;
  iterations: number;
  open(): Promise<{ db: Db; cleanup: () => void }>;
}

async function benchBackend(backend: BenchBackend): Promise<string> {
  const { db, cleanup } = await backend.open();
  const scratch = `bench_plain_${randomBytes(4).toString('hex')}`;
  const store = createStore(db, createKeyring(generateKey()));
  let tenantId: string | undefined;
  try {
    tenantId = (await createTenant(db, { name: 'bench' })).id;
    const tid = tenantId;
    const { channelId, contactId } = await store.tx(tid, async (r) => {
      const channel = await r.channels.create({ name: 'bench', transport: 'sandbox' });
      const { contact } = await r.contacts.upsertByPhone(channel.id, '+2250700000099', 'Bench');
      return { channelId: channel.id, contactId: contact.id };
    });
    await db.ownerTx((tx) =>
      tx.query(
        `CREATE TABLE ${scratch} (id text PRIMARY KEY, channel_id text NOT NULL, provider_id text, body text,
           created_at timestamptz NOT NULL DEFAULT now(), UNIQUE (channel_id, provider_id))`,
        [],
      ),
    );
    const run = randomBytes(4).toString('hex');

    const baseline = await measure(
      `${backend.name}: plaintext insert+read, no RLS`,
      backend.iterations,
      (i) =>
        db.ownerTx(async (tx) => {
          const id = `plain_${run}_${i}`;
          await tx.query(
            `INSERT INTO ${scratch} (id, channel_id, provider_id, body) VALUES ($1, $2, $3, $4)
           ON CONFLICT (channel_id, provider_id) DO NOTHING`,
            [id, channelId, `p-${run}-${i}`, BODY],
          );
          await tx.query(`SELECT id, body, created_at FROM ${scratch} WHERE id = $1`, [id]);
        }),
    );
    const sealed = await measure(`${backend.name}: encrypted inbound insert+read`, backend.iterations, (i) =>
      store.tx(tid, async (r) => {
        const { message } = await r.messages.insertInbound({
          channelId,
          contactId,
          providerId: `wamid.${run}.${i}`,
          body: BODY,
        });
        await r.messages.get(message.id);
      }),
    );
    return formatTable([baseline, sealed] satisfies Measurement[], baseline);
  } finally {
    await db.ownerTx(async (tx) => {
      await tx.query(`DROP TABLE IF EXISTS ${scratch}`, []);
      if (tenantId) await tx.query('DELETE FROM tenants WHERE id = $1', [tenantId]);
    });
    await db.close();
    cleanup();
  }
}

export async function run(): Promise<string> {
  const backends: BenchBackend[] = [
    {
      name: 'pglite memory',
      iterations: 2000,
      open: async () => ({ db: await openDb({ dataDir: '', memory: true }), cleanup: () => {} }),
    },
    {
      name: 'pglite disk',
      iterations: 2000,
      open: async () => {
        const dir = mkdtempSync(join(tmpdir(), 'sellify-bench-'));
        return {
          db: await openDb({ dataDir: dir }),
          cleanup: () => rmSync(dir, { recursive: true, force: true }),
        };
      },
    },
  ];
  const url = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (url) {
    backends.push({
      name: 'postgres',
      iterations: 2000,
      open: async () => ({ db: await openDb({ databaseUrl: url, dataDir: '' }), cleanup: () => {} }),
    });
  }
  const sections: string[] = [];
  for (const backend of backends) sections.push(await benchBackend(backend));
  if (!url) sections.push('(postgres skipped: set TEST_DATABASE_URL or DATABASE_URL)');
  return sections.join('\n\n');
}
