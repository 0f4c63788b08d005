import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshChannel, freshTenant, testBackends, testKeyring } from '../../test/support/store.ts';
import { createStore, type Store } from './store.ts';
import type { Db } from './types.ts';

describe.each(testBackends())('event log on $name', (backend) => {
  let db: Db;
  let store: Store;

  beforeAll(async () => {
    db = await backend.open();
    store = createStore(db, testKeyring());
  });
  afterAll(async () => {
    await store?.close();
  });

  it('appends events in order and reads them back after a position, filtered by type', async () => {
    const tenantId = await freshTenant(db);
    const channel = await freshChannel(store, tenantId);
    const first = await store.tx(tenantId, (r) =>
      r.events.append({
        type: 'handoff.requested',
        channelId: channel.id,
        data: { question: 'Awa' },
        atMs: 1_000,
      }),
    );
    const second = await store.tx(tenantId, (r) =>
      r.events.append({ type: 'order.created', subjectId: 'ord_x', atMs: 2_000 }),
    );
    expect(second.seq).toBeGreaterThan(first.seq);
    const all = await store.tx(tenantId, (r) => r.events.listAfter(0));
    expect(all.map((e) => e.id)).toEqual([first.id, second.id]);
    expect(all[0]).toMatchObject({
      type: 'handoff.requested',
      channelId: channel.id,
      data: { question: 'Awa' },
    });
    expect(await store.tx(tenantId, (r) => r.events.listAfter(first.seq))).toEqual([second]);
    const orders = await store.tx(tenantId, (r) => r.events.listAfter(0, { types: ['order.created'] }));
    expect(orders.map((e) => e.id)).toEqual([second.id]);
  });

  it("never shows one tenant another's events", async () => {
    const a = await freshTenant(db);
    const b = await freshTenant(db);
    const event = await store.tx(a, (r) => r.events.append({ type: 'contact.opted_out', atMs: 1_000 }));
    expect(await store.tx(b, (r) => r.events.listAfter(0))).toEqual([]);
    expect(await store.tx(b, (r) => r.events.get(event.id))).toBeNull();
  });

  it('keeps the payload sealed and refuses a type outside the list', async () => {
    const tenantId = await freshTenant(db);
    const event = await store.tx(tenantId, (r) =>
      r.events.append({ type: 'question.for_seller', data: { text: 'Zorglub secret' }, atMs: 1_000 }),
    );
    const raw = await db.ownerTx((tx) =>
      tx.query<{ data_enc: string }>('SELECT data_enc FROM events WHERE id = $1', [event.id]),
    );
    expect(raw.rows[0]?.data_enc).not.toContain('Zorglub');
    await expect(
      store.tx(tenantId, (r) => r.events.append({ type: 'order.exploded' as never, atMs: 1_000 })),
    ).rejects.toThrow(/unknown event type/);
  });
});
