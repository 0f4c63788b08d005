/**
 * Dashboard accounts (migration 0016) on each backend: sealed emails found through the blind
 * index, the pre-tenant look-ups through their SECURITY DEFINER functions as the app role, session
 * revocation, and invites that work once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTenant, testBackends, testKeyring } from '../../test/support/store.ts';
import { findInviteByHash, findSessionByHash, findUserByEmail, newToken } from './repos/users.ts';
import { createStore, type Store } from './store.ts';
import type { Db } from './types.ts';

describe.each(testBackends())('dashboard accounts on $name', (backend) => {
  let db: Db;
  let store: Store;
  const uniq = () => `${Date.now()}.${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    db = await backend.open();
    store = createStore(db, testKeyring());
  });
  afterAll(async () => {
    await store?.close();
  });

  it('finds an account by email before the tenant is known, and keeps the email sealed', async () => {
    const tenantId = await freshTenant(db);
    const email = `Awa.${uniq()}@Boutique.example`;
    const user = await store.tx(tenantId, (r) =>
      r.users.create({ email, role: 'agent', passwordHash: 'scrypt$x' }),
    );
    expect(user.email).toBe(email.toLowerCase());
    const found = await findUserByEmail(db, store.keyring, ` ${email.toUpperCase()} `);
    expect(found).toMatchObject({ id: user.id, tenantId, role: 'agent', passwordHash: 'scrypt$x' });
    const { rows } = await db.ownerTx((tx) =>
      tx.query<{ row: string }>('SELECT row_to_json(u)::text AS row FROM users u WHERE id = $1', [user.id]),
    );
    expect(rows[0]!.row.toLowerCase()).not.toContain(email.toLowerCase());
  });

  it('refuses a second account with the same email, in any tenant', async () => {
    const email = `dup.${uniq()}@shop.example`;
    await store.tx(await freshTenant(db), (r) => r.users.create({ email, role: 'owner', passwordHash: 'h' }));
    const other = await freshTenant(db);
    await expect(
      store.tx(other, (r) => r.users.create({ email, role: 'owner', passwordHash: 'h' })),
    ).rejects.toMatchObject({ code: 'conflict' });
  });

  it('finds a session by its hash until it is revoked; a password change revokes them all', async () => {
    const tenantId = await freshTenant(db);
    const user = await store.tx(tenantId, (r) =>
      r.users.create({ email: `s.${uniq()}@shop.example`, role: 'viewer', passwordHash: 'h' }),
    );
    const one = newToken();
    const two = newToken();
    const id = await store.tx(tenantId, (r) =>
      r.users.createSession(user.id, one.tokenHash, 5_000_000_000_000),
    );
    await store.tx(tenantId, (r) => r.users.createSession(user.id, two.tokenHash, 5_000_000_000_000));
    expect(await findSessionByHash(db, one.tokenHash)).toMatchObject({
      id,
      tenantId,
      userId: user.id,
      role: 'viewer',
      revokedAtMs: null,
    });
    await store.tx(tenantId, (r) => r.users.revokeSession(id, 1_000));
    expect((await findSessionByHash(db, one.tokenHash))?.revokedAtMs).toBe(1_000);
    expect((await findSessionByHash(db, two.tokenHash))?.revokedAtMs).toBeNull();
    expect(await store.tx(tenantId, (r) => r.users.setPassword(user.id, 'h2', 2_000))).toBe(true);
    expect((await findSessionByHash(db, two.tokenHash))?.revokedAtMs).toBe(2_000);
    expect(await findSessionByHash(db, newToken().tokenHash)).toBeNull();
  });

  it('uses an invite once, and never after it expires', async () => {
    const tenantId = await freshTenant(db);
    const token = newToken();
    const invite = await store.tx(tenantId, (r) =>
      r.users.createInvite({ tokenHash: token.tokenHash, role: 'agent', expiresAtMs: 10_000 }),
    );
    expect(await findInviteByHash(db, token.tokenHash)).toMatchObject({
      id: invite.id,
      tenantId,
      role: 'agent',
      usedAtMs: null,
    });
    expect(await store.tx(tenantId, (r) => r.users.useInvite(invite.id, 'usr_x', 10_000))).toBe(false);
    expect(await store.tx(tenantId, (r) => r.users.useInvite(invite.id, 'usr_x', 5_000))).toBe(true);
    expect(await store.tx(tenantId, (r) => r.users.useInvite(invite.id, 'usr_y', 6_000))).toBe(false);
    expect((await findInviteByHash(db, token.tokenHash))?.usedAtMs).toBe(5_000);
  });

  it("shows no tenant another tenant's accounts", async () => {
    const a = await freshTenant(db);
    const b = await freshTenant(db);
    await store.tx(a, (r) =>
      r.users.create({ email: `a.${uniq()}@shop.example`, role: 'owner', passwordHash: 'h' }),
    );
    expect(await store.tx(b, (r) => r.users.list())).toEqual([]);
    expect(await store.tx(b, (r) => r.users.count())).toBe(0);
  });
});
