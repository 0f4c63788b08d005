import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshChannel, freshTenant, testBackends, testKeyring } from '../../test/support/store.ts';
import { createStore, type Store } from './store.ts';
import type { Db } from './types.ts';

describe.each(testBackends())('send bookkeeping on $name', (backend) => {
  let db: Db;
  let store: Store;

  beforeAll(async () => {
    db = await backend.open();
    store = createStore(db, testKeyring());
  });
  afterAll(async () => {
    await store?.close();
  });

  async function queuedReply() {
    const tenantId = await freshTenant(db);
    const channel = await freshChannel(store, tenantId);
    return store.tx(tenantId, async (r) => {
      const { contact } = await r.contacts.upsertByPhone(channel.id, '+2250701020304');
      const message = await r.messages.insertOutbound({
        channelId: channel.id,
        contactId: contact.id,
        kind: 'reply',
        body: 'Sac noir : 15 000 FCFA',
        replyToProviderId: 'wamid.inbound1',
      });
      return { tenantId, channel, contact, message };
    });
  }

  it('counts send attempts of a queued message and remembers what it answers', async () => {
    const { tenantId, message } = await queuedReply();
    expect(message.attempts).toBe(0);
    expect(message.replyToProviderId).toBe('wamid.inbound1');
    const first = await store.tx(tenantId, (r) =>
      r.messages.beginSend(message.id, Date.parse('2026-11-27T10:00:00Z')),
    );
    expect(first?.attempts).toBe(1);
    expect(first?.sendStartedAtMs).toBe(Date.parse('2026-11-27T10:00:00Z'));
    const second = await store.tx(tenantId, (r) => r.messages.beginSend(message.id));
    expect(second?.attempts).toBe(2);
  });

  it('forgets the attempt mark when the transport said the attempt failed', async () => {
    const { tenantId, message } = await queuedReply();
    await store.tx(tenantId, (r) => r.messages.beginSend(message.id));
    await store.tx(tenantId, (r) => r.messages.abortSend(message.id));
    const after = await store.tx(tenantId, (r) => r.messages.get(message.id));
    expect(after?.sendStartedAtMs).toBeNull();
    expect(after?.attempts).toBe(1);
  });

  it('refuses to begin sending a message that was already sent', async () => {
    const { tenantId, message } = await queuedReply();
    await store.tx(tenantId, (r) => r.messages.markSent(message.id, 'wamid.out1'));
    expect(await store.tx(tenantId, (r) => r.messages.beginSend(message.id))).toBeNull();
  });

  it('records and clears a hand-off to a person', async () => {
    const { tenantId, contact } = await queuedReply();
    const at = Date.parse('2026-11-27T11:00:00Z');
    const handed = await store.tx(tenantId, (r) => r.contacts.patch(contact.id, { handoffAtMs: at }));
    expect(handed?.handoffAtMs).toBe(at);
    const cleared = await store.tx(tenantId, (r) => r.contacts.patch(contact.id, { handoffAtMs: null }));
    expect(cleared?.handoffAtMs).toBeNull();
  });
});
