/**
 * The message status machine, through the real store: random sequences of status updates
 * (repeated, out of order, by message id or by provider id, one after the other or racing) end
 * where the forward-only rule says, and a late `delivered` never overwrites `read`.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshChannel, freshTenant, testBackends, testKeyring } from '../../test/support/store.ts';
import type { OutboundStatus } from './repos/messages.ts';
import { createStore, type Store } from './store.ts';
import type { Db } from './types.ts';

type Update = Exclude<OutboundStatus, 'queued'>;
type Status = OutboundStatus;

const RANK: Record<Exclude<Status, 'failed'>, number> = { queued: 0, sent: 1, delivered: 2, read: 3 };

/** The specification: statuses only move forward; `failed` only before the message was delivered. */
function next(current: Status, update: Update): Status {
  if (current === 'failed') return current;
  if (update === 'failed') return current === 'queued' || current === 'sent' ? 'failed' : current;
  return RANK[update] > RANK[current] ? update : current;
}

const update = fc.constantFrom<Update>('sent', 'delivered', 'read', 'failed');
const forward = fc.constantFrom<Update>('sent', 'delivered', 'read');

describe.each(testBackends())('message status machine on $name', (backend) => {
  let db: Db;
  let store: Store;
  let tenantId: string;
  let channelId: string;
  let contactId: string;
  let seq = 0;

  beforeAll(async () => {
    db = await backend.open();
    store = createStore(db, testKeyring());
    tenantId = await freshTenant(db);
    channelId = (await freshChannel(store, tenantId)).id;
    contactId = await store.tx(
      tenantId,
      async (r) => (await r.contacts.upsertByPhone(channelId, '+2250701020304')).contact.id,
    );
  });
  afterAll(async () => {
    await store?.close();
  });

  /** A queued reply with a provider id (as after the send), so updates can find it either way. */
  async function sentReply(): Promise<{ id: string; providerId: string }> {
    seq += 1;
    const providerId = `wamid.prop.${Date.now()}.${seq}`;
    const message = await store.tx(tenantId, (r) =>
      r.messages.insertOutbound({ channelId, contactId, kind: 'reply', body: 'Sac noir : 15 000 FCFA' }),
    );
    await store.tx(tenantId, (r) =>
      r.sql.query('UPDATE messages SET provider_id = $2 WHERE id = $1', [message.id, providerId]),
    );
    return { id: message.id, providerId };
  }

  it('ends where the forward-only rule says, for any sequence of updates applied one after the other', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(update, fc.boolean()), { minLength: 1, maxLength: 8 }),
        async (updates) => {
          const msg = await sentReply();
          let want: Status = 'queued';
          for (const [status, byProviderId] of updates) {
            const before = want;
            want = next(want, status);
            const result = await store.tx(tenantId, (r) =>
              r.messages.setStatus(
                byProviderId ? { channelId, providerId: msg.providerId } : { id: msg.id },
                status,
                { errorCode: status === 'failed' ? '131026' : null },
              ),
            );
            // `updated` is true exactly when the status moved.
            expect(result.updated).toBe(want !== before);
            expect(result.message?.status).toBe(want);
          }
          const stored = await store.tx(tenantId, (r) => r.messages.get(msg.id));
          expect(stored?.status).toBe(want);
        },
      ),
      { numRuns: 60, seed: 20_261_127 },
    );
  });

  it('never lets a late delivered (or sent, or failed) overwrite read', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(update, { maxLength: 6 }), async (late) => {
        const msg = await sentReply();
        await store.tx(tenantId, (r) => r.messages.setStatus({ id: msg.id }, 'read'));
        for (const status of late) {
          await store.tx(tenantId, (r) =>
            r.messages.setStatus({ channelId, providerId: msg.providerId }, status),
          );
        }
        expect((await store.tx(tenantId, (r) => r.messages.get(msg.id)))?.status).toBe('read');
      }),
      { numRuns: 40, seed: 20_261_127 },
    );
  });

  it('ends at the furthest status when forward updates race in separate transactions', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(forward, { minLength: 1, maxLength: 6 }), async (updates) => {
        const msg = await sentReply();
        await Promise.all(
          updates.map((status) =>
            store.tx(tenantId, (r) =>
              r.messages.setStatus({ channelId, providerId: msg.providerId }, status),
            ),
          ),
        );
        const furthest = updates.reduce<Status>((s, u) => next(s, u), 'queued');
        expect((await store.tx(tenantId, (r) => r.messages.get(msg.id)))?.status).toBe(furthest);
      }),
      { numRuns: 40, seed: 20_261_127 },
    );
  });
});
