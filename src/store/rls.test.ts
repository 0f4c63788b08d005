import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshChannel, freshTenant, testBackends, testKeyring } from '../../test/support/store.ts';
import { createStore, type Store } from './store.ts';
import type { Db } from './types.ts';

/** Tables whose rows belong to a tenant; the schema query below must find at least these. */
const TENANT_TABLES = [
  'api_keys',
  'channels',
  'contacts',
  'decisions',
  'health_events',
  'idempotency_keys',
  'messages',
  'orders',
  'playbooks',
  'products',
];

describe.each(testBackends())('row-level security on $name', (backend) => {
  let db: Db;
  let store: Store;

  beforeAll(async () => {
    db = await backend.open();
    store = createStore(db, testKeyring());
  });
  afterAll(async () => {
    await store?.close();
  });

  /** Two tenants, each with a channel, a contact, an inbound message, a product and a key. */
  async function twoTenants() {
    const seed = async (phone: string) => {
      const tenantId = await freshTenant(db);
      const channel = await freshChannel(store, tenantId);
      return store.tx(tenantId, async (r) => {
        const { contact } = await r.contacts.upsertByPhone(channel.id, phone, 'Client');
        const { message } = await r.messages.insertInbound({
          channelId: channel.id,
          contactId: contact.id,
          providerId: `p-${contact.id}`,
          body: 'Bonjour',
        });
        await r.products.create({ name: 'Sac', price: 1000, currency: 'XOF' });
        await r.playbook.put({ awayMessage: 'Fermé' });
        await r.idempotency.begin({ apiKeyId: 'key_rls', key: `idem-${contact.id}` }, 'h');
        await r.healthEvents.add({ channelId: channel.id, type: 'connected', atMs: 0 });
        await r.decisions.insert({
          channelId: channel.id,
          contactId: contact.id,
          action: 'skip',
          reasons: [],
        });
        await r.orders.create({
          channelId: channel.id,
          contactId: contact.id,
          items: [{ productId: null, name: 'Article', quantity: 1, unitPrice: 0 }],
          total: 0,
          currency: 'XOF',
        });
        await r.apiKeys.create({
          name: 'k',
          keyHash: `hash-${contact.id}`,
          prefix: 'sk_x',
          scopes: ['read'],
        });
        return { tenantId, channelId: channel.id, contactId: contact.id, messageId: message.id };
      });
    };
    return { a: await seed('+2250755555555'), b: await seed('+2250766666666') };
  }

  it('enables and forces RLS, with a tenant policy, on every table that has a tenant_id column', async () => {
    const { rows } = await db.ownerTx((tx) =>
      tx.query<{ table_name: string; rls: boolean; forced: boolean; policies: number }>(
        `SELECT c.table_name, k.relrowsecurity AS rls, k.relforcerowsecurity AS forced,
           (SELECT count(*)::int FROM pg_policies p
             WHERE p.schemaname = 'public' AND p.tablename = c.table_name AND p.policyname = 'tenant_isolation') AS policies
         FROM information_schema.columns c
         JOIN pg_class k ON k.relname = c.table_name
         JOIN pg_namespace n ON n.oid = k.relnamespace AND n.nspname = c.table_schema
         WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND k.relkind = 'r'
         ORDER BY c.table_name`,
        [],
      ),
    );
    expect(rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(TENANT_TABLES));
    const unprotected = rows.filter((r) => !r.rls || !r.forced || r.policies !== 1).map((r) => r.table_name);
    expect(unprotected).toEqual([]);
  });

  it('forces RLS on tenants too, where the app role may only read its own row', async () => {
    const { a, b } = await twoTenants();
    const { rows } = await db.ownerTx((tx) =>
      tx.query<{ rls: boolean; forced: boolean }>(
        `SELECT relrowsecurity AS rls, relforcerowsecurity AS forced FROM pg_class
         WHERE relname = 'tenants' AND relnamespace = 'public'::regnamespace`,
        [],
      ),
    );
    expect(rows[0]).toEqual({ rls: true, forced: true });
    const seen = await db.tenantTx(a.tenantId, (tx) =>
      tx.query<{ id: string }>('SELECT id FROM tenants', []),
    );
    expect(seen.rows.map((r) => r.id)).toEqual([a.tenantId]);
    await expect(
      db.tenantTx(a.tenantId, (tx) =>
        tx.query('UPDATE tenants SET name = $1 WHERE id = $2', ['x', b.tenantId]),
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      db.tenantTx(a.tenantId, (tx) =>
        tx.query('INSERT INTO tenants (id, name) VALUES ($1, $2)', ['ten_evil', 'x']),
      ),
    ).rejects.toThrow(/permission denied/);
  });

  it('shows no rows of any tenant table to the app role when no tenant is set', async () => {
    await twoTenants();
    const counts = await db.appTx(async (tx) => {
      const out: Record<string, number> = {};
      for (const table of [...TENANT_TABLES, 'tenants']) {
        const { rows } = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`, []);
        out[table] = rows[0]?.n ?? -1;
      }
      return out;
    });
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
    expect(Object.keys(counts)).toHaveLength(TENANT_TABLES.length + 1);
  });

  it("cannot read, update or delete another tenant's contacts and messages, even without a WHERE on tenant", async () => {
    const { a, b } = await twoTenants();
    const result = await db.tenantTx(a.tenantId, async (tx) => {
      const read = await tx.query('SELECT id FROM contacts WHERE id = $1', [b.contactId]);
      const readMsg = await tx.query('SELECT id FROM messages WHERE id = $1', [b.messageId]);
      const all = await tx.query<{ tenant_id: string }>('SELECT DISTINCT tenant_id FROM contacts', []);
      const upd = await tx.query('UPDATE contacts SET stage = $1 WHERE id = $2', ['lost', b.contactId]);
      const updMsg = await tx.query(`UPDATE messages SET status = 'failed' WHERE id = $1`, [b.messageId]);
      const del = await tx.query('DELETE FROM contacts WHERE id = $1', [b.contactId]);
      const delMsg = await tx.query('DELETE FROM messages WHERE id = $1', [b.messageId]);
      return {
        read: read.rows.length,
        readMsg: readMsg.rows.length,
        tenants: all.rows.map((r) => r.tenant_id),
        upd: upd.affectedRows,
        updMsg: updMsg.affectedRows,
        del: del.affectedRows,
        delMsg: delMsg.affectedRows,
      };
    });
    expect(result).toEqual({
      read: 0,
      readMsg: 0,
      tenants: [a.tenantId],
      upd: 0,
      updMsg: 0,
      del: 0,
      delMsg: 0,
    });
    const stillThere = await store.tx(b.tenantId, (r) => r.contacts.get(b.contactId));
    expect(stillThere?.stage).toBe('new');
  });

  it('ignores app.owner_access when set by the app role itself', async () => {
    const { a, b } = await twoTenants();
    const seen = await db.tenantTx(a.tenantId, async (tx) => {
      await tx.query(`SELECT set_config('app.owner_access', 'on', true)`, []);
      const { rows } = await tx.query<{ tenant_id: string }>('SELECT DISTINCT tenant_id FROM contacts', []);
      return rows.map((r) => r.tenant_id);
    });
    expect(seen).toEqual([a.tenantId]);
    expect(seen).not.toContain(b.tenantId);
  });

  it('refuses to insert or move rows into another tenant (WITH CHECK)', async () => {
    const { a, b } = await twoTenants();
    await expect(
      db.tenantTx(a.tenantId, (tx) =>
        tx.query(
          `INSERT INTO products (id, tenant_id, name, price, currency) VALUES ('prd_evil', $1, 'x', 1, 'XOF')`,
          [b.tenantId],
        ),
      ),
    ).rejects.toThrow(/row-level security/);
    await expect(
      db.tenantTx(a.tenantId, (tx) =>
        tx.query('UPDATE contacts SET tenant_id = $1 WHERE id = $2', [b.tenantId, a.contactId]),
      ),
    ).rejects.toThrow(/row-level security|foreign key/);
  });

  it("cannot point a row at another tenant's channel or contact (composite foreign keys)", async () => {
    const { a, b } = await twoTenants();
    await expect(
      db.tenantTx(a.tenantId, (tx) =>
        tx.query(
          `INSERT INTO messages (id, tenant_id, channel_id, contact_id, direction, kind, status)
           VALUES ('msg_evil', $1, $2, $3, 'out', 'reply', 'queued')`,
          [a.tenantId, a.channelId, b.contactId],
        ),
      ),
    ).rejects.toThrow(/foreign key/);
  });

  it('gives the app role no superuser, no BYPASSRLS, no login and no table ownership', async () => {
    const { rows } = await db.ownerTx((tx) =>
      tx.query<{ rolsuper: boolean; rolbypassrls: boolean; rolcanlogin: boolean; owned: number }>(
        `SELECT rolsuper, rolbypassrls, rolcanlogin,
           (SELECT count(*)::int FROM pg_class WHERE relowner = r.oid) AS owned
         FROM pg_roles r WHERE rolname = 'sellify_app'`,
        [],
      ),
    );
    expect(rows).toEqual([{ rolsuper: false, rolbypassrls: false, rolcanlogin: false, owned: 0 }]);
    const who = await db.appTx((tx) => tx.query<{ u: string }>('SELECT current_user AS u', []));
    expect(who.rows[0]?.u).toBe('sellify_app');
  });

  it('keeps the migration ledger out of reach of the app role', async () => {
    await expect(db.appTx((tx) => tx.query('SELECT * FROM schema_migrations', []))).rejects.toThrow(
      /permission denied/,
    );
  });

  it('lets the owner see every tenant inside ownerTx', async () => {
    const { a, b } = await twoTenants();
    const owner = await db.ownerTx((tx) =>
      tx.query<{ n: number }>('SELECT count(*)::int AS n FROM contacts WHERE tenant_id = ANY($1::text[])', [
        [a.tenantId, b.tenantId],
      ]),
    );
    expect(owner.rows[0]?.n).toBe(2);
  });

  // Superusers (PGlite, the test server) bypass RLS whatever the policies say, so the owner policy
  // is checked through a plain role. Roles are cluster-wide on Postgres; PGlite's database is
  // private to this file, so the role is created there only.
  it.runIf(backend.name === 'pglite')(
    'shows a non-superuser every tenant only with app.owner_access on (ownerTx), and none without',
    async () => {
      const { a } = await twoTenants();
      await db.exec(`DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sellify_test_plain') THEN
            CREATE ROLE sellify_test_plain NOLOGIN NOSUPERUSER NOBYPASSRLS;
          END IF;
        END $$`);
      await db.exec('GRANT SELECT ON contacts TO sellify_test_plain');
      const count = (withFlag: boolean) =>
        db.ownerTx(async (tx) => {
          if (!withFlag) await tx.query(`SELECT set_config('app.owner_access', 'off', true)`, []);
          await tx.query('SET LOCAL ROLE sellify_test_plain', []);
          const { rows } = await tx.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM contacts WHERE tenant_id = $1',
            [a.tenantId],
          );
          return rows[0]?.n;
        });
      expect(await count(true)).toBe(1);
      expect(await count(false)).toBe(0);
    },
  );
});
