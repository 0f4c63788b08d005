import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingKeyring, freshChannel, freshTenant, testBackends } from '../../test/support/store.ts';
import { createStore, type Store } from './store.ts';
import type { Db } from './types.ts';

/**
 * Issue 17: the contact upsert sealed phone and name for its insert branch on every message, even
 * for a customer already stored. It seals only what it writes now; the hint that lets it skip the
 * insert (RepoContext.knownSenders) never decides the result.
 */
describe.each(testBackends())('contact upsert seals only what it writes on $name', (backend) => {
  let db: Db;
  let store: Store;
  const { keyring, sealed } = countingKeyring();

  beforeAll(async () => {
    db = await backend.open();
    store = createStore(db, keyring);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('seals phone and name for a new customer and nothing for the same customer again', async () => {
    const tenantId = await freshTenant(db);
    const channel = await freshChannel(store, tenantId);
    sealed.length = 0;
    const first = await store.tx(tenantId, (r) =>
      r.contacts.upsertByPhone(channel.id, '+2250701020304', 'Awa'),
    );
    expect(first.created).toBe(true);
    expect(sealed).toEqual(['contacts.phone_enc', 'contacts.name_enc']);

    sealed.length = 0;
    const again = await store.tx(tenantId, (r) =>
      r.contacts.upsertByPhone(channel.id, '+2250701020304', 'Awa'),
    );
    expect(again.created).toBe(false);
    expect(again.contact.id).toBe(first.contact.id);
    expect(again.contact.phone).toBe('+2250701020304');
    expect(again.contact.name).toBe('Awa');
    expect(sealed).toEqual([]);
  });

  it('seals only the new name when a known customer changed it', async () => {
    const tenantId = await freshTenant(db);
    const channel = await freshChannel(store, tenantId);
    await store.tx(tenantId, (r) => r.contacts.upsertByPhone(channel.id, '+2250701020305', 'Awa'));
    sealed.length = 0;
    const renamed = await store.tx(tenantId, (r) =>
      r.contacts.upsertByPhone(channel.id, '+2250701020305', 'Awa K.'),
    );
    expect(renamed.created).toBe(false);
    expect(renamed.contact.name).toBe('Awa K.');
    expect(sealed).toEqual(['contacts.name_enc']);
  });

  it('creates the contact again when the remembered one is gone, and another store finds it without the hint', async () => {
    const tenantId = await freshTenant(db);
    const channel = await freshChannel(store, tenantId);
    const first = await store.tx(tenantId, (r) =>
      r.contacts.upsertByPhone(channel.id, '+2250701020306', 'Awa'),
    );
    await db.tenantTx(tenantId, (tx) => tx.query('DELETE FROM contacts WHERE id = $1', [first.contact.id]));

    const recreated = await store.tx(tenantId, (r) =>
      r.contacts.upsertByPhone(channel.id, '+2250701020306', 'Awa'),
    );
    expect(recreated.created).toBe(true);
    expect(recreated.contact.id).not.toBe(first.contact.id);
    expect(recreated.contact.phone).toBe('+2250701020306');

    const other = createStore(db, keyring);
    const found = await other.tx(tenantId, (r) =>
      r.contacts.upsertByPhone(channel.id, '+2250701020306', 'Awa'),
    );
    expect(found.created).toBe(false);
    expect(found.contact.id).toBe(recreated.contact.id);
  });
});
