import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshChannel, freshTenant, testBackends, testKeyring } from '../../test/support/store.ts';
import { purgeOldEvents } from './repos/events.ts';
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

  it('writes deferred appends in append order at the end of the transaction, or not at all', async () => {
    const tenantId = await freshTenant(db);
    const appended = await store.tx(
      tenantId,
      async (r) => {
        const a = await r.events.append({ type: 'contact.opted_out', data: { n: 1 }, atMs: 1_000 });
        const b = await r.events.append({ type: 'order.created', subjectId: 'ord_y', atMs: 2_000 });
        // Reading the log inside the transaction sees what it holds.
        expect((await r.events.listAfter(0)).map((e) => e.id)).toEqual([a.id, b.id]);
        const c = await r.events.append({ type: 'contact.opted_in', atMs: 3_000 });
        return [a, b, c];
      },
      { deferEvents: true },
    );
    expect(appended.map((e) => e.seq)).toEqual([0, 0, 0]);
    const all = await store.tx(tenantId, (r) => r.events.listAfter(0));
    expect(all.map((e) => [e.id, e.type, e.data])).toEqual([
      [appended[0]!.id, 'contact.opted_out', { n: 1 }],
      [appended[1]!.id, 'order.created', {}],
      [appended[2]!.id, 'contact.opted_in', {}],
    ]);
    expect(all[0]!.seq).toBeLessThan(all[1]!.seq);
    expect(all[1]!.seq).toBeLessThan(all[2]!.seq);

    await expect(
      store.tx(
        tenantId,
        async (r) => {
          await r.events.append({ type: 'contact.opted_out', atMs: 4_000 });
          throw new Error('rolled back');
        },
        { deferEvents: true },
      ),
    ).rejects.toThrow('rolled back');
    expect(await store.tx(tenantId, (r) => r.events.listAfter(0))).toHaveLength(3);
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
  it('stores the codes of message.created in clear and reads them, sealed rows of before alike', async () => {
    const tenantId = await freshTenant(db);
    const raw = async (id: string) =>
      (
        await db.ownerTx((tx) =>
          tx.query<{ data_enc: string }>('SELECT data_enc FROM events WHERE id = $1', [id]),
        )
      ).rows[0]?.data_enc;
    const codes = { direction: 'out', kind: 'reply', status: 'failed', errorCode: 'transport.permanent' };
    const [clear, deferred] = await store.tx(
      tenantId,
      async (r) => [
        await r.events.append({ type: 'message.created', subjectId: 'msg_a', data: codes, atMs: 1_000 }),
        await r.events.append({ type: 'message.created', subjectId: 'msg_b', data: codes, atMs: 2_000 }),
      ],
      { deferEvents: true },
    );
    expect(await raw(clear!.id)).toBe(JSON.stringify(codes));
    expect(await raw(deferred!.id)).toBe(JSON.stringify(codes));
    // A row written before (sealed, like every event's data) still reads.
    const sealed = store.keyring.encrypt(JSON.stringify(codes), {
      tenantId,
      table: 'events',
      column: 'data_enc',
      rowId: clear!.id,
    });
    await db.ownerTx((tx) => tx.query('UPDATE events SET data_enc = $2 WHERE id = $1', [clear!.id, sealed]));
    const read = await store.tx(tenantId, (r) => r.events.listAfter(0));
    expect(read.map((e) => e.data)).toEqual([codes, codes]);
  });

  it("seals message.created data that is more than codes, and every other type's data", async () => {
    const tenantId = await freshTenant(db);
    const cases: { type: 'message.created' | 'question.for_seller'; data: Record<string, unknown> }[] = [
      // A field outside the known ones, or a value that is not a short code: sealed.
      { type: 'message.created', data: { direction: 'in', note: '+2250701020304' } },
      { type: 'message.created', data: { direction: 'in', kind: 'inbound', status: 'Awa Koné a écrit' } },
      { type: 'message.created', data: { direction: 'in', status: 7 } },
      { type: 'question.for_seller', data: { status: 'queued' } },
    ];
    const appended = await store.tx(tenantId, async (r) => {
      const out = [];
      for (const c of cases) out.push(await r.events.append({ ...c, atMs: 1_000 }));
      return out;
    });
    const { rows } = await db.ownerTx((tx) =>
      tx.query<{ data_enc: string }>('SELECT data_enc FROM events WHERE tenant_id = $1 ORDER BY seq', [
        tenantId,
      ]),
    );
    expect(rows.map((r) => r.data_enc.startsWith('sf1.'))).toEqual([true, true, true, true]);
    const read = await store.tx(tenantId, (r) => r.events.listAfter(0));
    expect(read.map((e) => e.data)).toEqual(cases.map((c) => c.data));
    // Clear data in the row of a type whose data is sealed is refused on reading, not trusted.
    await db.ownerTx((tx) =>
      tx.query('UPDATE events SET data_enc = $2 WHERE id = $1', [appended[3]!.id, '{"status":"queued"}']),
    );
    await expect(store.tx(tenantId, (r) => r.events.get(appended[3]!.id))).rejects.toThrow();
  });

  it('retention deletes old events that every consumer passed and no open delivery needs', async () => {
    const DAY = 86_400_000;
    const now = Date.parse('2026-12-01T00:00:00Z');
    const tenantId = await freshTenant(db);
    const append = (atMs: number) =>
      store.tx(tenantId, (r) => r.events.append({ type: 'order.created', subjectId: 'ord_x', atMs }));
    const old = [await append(now - 40 * DAY), await append(now - 39 * DAY), await append(now - 38 * DAY)];
    const pendingOne = await append(now - 37 * DAY);
    const deadOne = await append(now - 36 * DAY);
    const deliveredOne = await append(now - 35 * DAY);
    const notPassed = await append(now - 34 * DAY);
    const recent = await append(now - 1 * DAY);
    const cutoff = now - 30 * DAY;

    // No consumer has a cursor for the tenant yet: nothing goes. (Scoped to the test's tenant: the
    // database may be shared with other test files.)
    expect(await purgeOldEvents(db, { beforeMs: cutoff, tenantId })).toBe(0);
    expect(await store.tx(tenantId, (r) => r.events.listAfter(0))).toHaveLength(8);

    await store.tx(tenantId, async (r) => {
      const endpoint = await r.webhooksOut.createEndpoint({
        url: 'https://hooks.example/sellify',
        secret: 'whsec_test_secret_0123456789',
        eventTypes: ['order.created'],
      });
      for (const [event, status] of [
        [pendingOne, null],
        [deadOne, 'dead'],
        [deliveredOne, 'delivered'],
      ] as const) {
        const d = await r.webhooksOut.createDelivery({
          endpointId: endpoint.id,
          eventId: event.id,
          eventSeq: event.seq,
          eventType: event.type,
        });
        if (status !== null)
          await r.webhooksOut.recordAttempt(d!.id, { status, statusCode: 500, error: null, atMs: now });
      }
      await r.webhooksOut.setCursor('fanout', deliveredOne.seq);
      await r.webhooksOut.setCursor('other', recent.seq);
    });

    // Batches of 2 walk all the way through.
    expect(await purgeOldEvents(db, { beforeMs: cutoff, batchSize: 2, tenantId })).toBe(4);
    const left = (await store.tx(tenantId, (r) => r.events.listAfter(0))).map((e) => e.id);
    expect(left).toEqual([pendingOne.id, deadOne.id, notPassed.id, recent.id]);
    for (const gone of [...old, deliveredOne])
      expect(await store.tx(tenantId, (r) => r.events.get(gone.id))).toBeNull();
  });
});
