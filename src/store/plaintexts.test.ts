import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingKeyring, freshChannel, freshTenant, testBackends } from '../../test/support/store.ts';
import { DecryptError } from '../crypto/keyring.ts';
import { createStore, type Store } from './store.ts';
import type { Db } from './types.ts';

/**
 * The per-transaction memo of plaintexts (repos/common.ts, `seal`/`unseal`): a value sealed or
 * decrypted in a transaction is not decrypted again there, and nothing else changes — a
 * ciphertext moved to another row still fails, and the next transaction decrypts afresh.
 */
describe.each(testBackends())('plaintexts remembered per transaction on $name', (backend) => {
  let db: Db;
  let store: Store;
  const { keyring, decrypted } = countingKeyring();

  beforeAll(async () => {
    db = await backend.open();
    store = createStore(db, keyring);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('reads back the phone, name and body it sealed in the same transaction without decrypting', async () => {
    const tenantId = await freshTenant(db);
    const channel = await freshChannel(store, tenantId);
    decrypted.length = 0;
    const seen = await store.tx(tenantId, async (r) => {
      const { contact } = await r.contacts.upsertByPhone(channel.id, '+2250701020304', 'Awa');
      const patched = await r.contacts.patch(contact.id, { stage: 'interested' });
      const message = await r.messages.insertInbound({
        channelId: channel.id,
        contactId: contact.id,
        providerId: `wamid.memo_${Date.now()}`,
        body: 'Bonjour, le sac noir ?',
      });
      return { contact, patched, message: message.message };
    });
    expect(seen.contact.phone).toBe('+2250701020304');
    expect(seen.contact.name).toBe('Awa');
    expect(seen.patched?.name).toBe('Awa');
    expect(seen.message.body).toBe('Bonjour, le sac noir ?');
    expect(decrypted).toEqual([]);

    // A new transaction decrypts again.
    const again = await store.tx(tenantId, (r) => r.contacts.get(seen.contact.id));
    expect(again?.name).toBe('Awa');
    expect(decrypted).toContain('contacts.name_enc');
  });

  it('still refuses a ciphertext moved to another row after decrypting it for its own row', async () => {
    const tenantId = await freshTenant(db);
    const channel = await freshChannel(store, tenantId);
    const outcome = await store.tx(tenantId, async (r) => {
      const { contact: awa } = await r.contacts.upsertByPhone(channel.id, '+2250701020304', 'Awa');
      const { contact: binta } = await r.contacts.upsertByPhone(channel.id, '+2250705060708', 'Binta');
      expect((await r.contacts.get(awa.id))?.name).toBe('Awa');
      await r.sql.query(
        `UPDATE contacts SET name_enc = (SELECT name_enc FROM contacts WHERE tenant_id = $1 AND id = $2)
          WHERE tenant_id = $1 AND id = $3`,
        [tenantId, awa.id, binta.id],
      );
      try {
        await r.contacts.get(binta.id);
        return 'decrypted';
      } catch (err) {
        return err instanceof DecryptError ? err.reason : String(err);
      }
    });
    expect(outcome).toBe('auth_failed');
  });
});
