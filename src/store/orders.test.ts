/**
 * Orders after creation: status moves with stock, payments, filters. Runs on PGlite and, with
 * TEST_DATABASE_URL, on Postgres, where the two confirmations of the race really run at once.
 */

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshChannel, freshTenant, testBackends, testKeyring } from '../../test/support/store.ts';
import {
  FULFILMENT_STATUSES,
  holdsStock,
  ORDER_STATUSES,
  type OrderStateChange,
  PAYMENT_STATUSES,
  paymentStatusOf,
} from '../domain/order-states.ts';
import type { Order, OrderFilter, OrderItem, PlaceResult } from './repos/orders.ts';
import type { ProductRecord } from './repos/products.ts';
import { createStore, type Store } from './store.ts';
import type { Db } from './types.ts';

const T0 = Date.parse('2026-11-27T10:00:00Z');

describe.each(testBackends())('orders on $name', (backend) => {
  let db: Db;
  let store: Store;

  beforeAll(async () => {
    db = await backend.open();
    store = createStore(db, testKeyring());
  });
  afterAll(async () => {
    await store?.close();
  });

  async function setup(stocks: Array<number | null> = [1]) {
    const tenantId = await freshTenant(db);
    const channel = await freshChannel(store, tenantId);
    const { contact } = await store.tx(tenantId, (r) =>
      r.contacts.upsertByPhone(channel.id, '+2250701020304', 'Awa'),
    );
    const products: ProductRecord[] = [];
    for (const [i, stock] of stocks.entries()) {
      products.push(
        await store.tx(tenantId, (r) =>
          r.products.create({ name: `Produit ${i}`, price: 1000 * (i + 1), currency: 'XOF', stock }),
        ),
      );
    }
    const place = (items: OrderItem[], status: 'pending' | 'confirmed', ref?: string) =>
      store.tx(tenantId, (r) =>
        r.orders.place({
          channelId: channel.id,
          contactId: contact.id,
          currency: 'XOF',
          items,
          source: 'api',
          status,
          sourceMessageId: ref ?? null,
          atMs: T0,
        }),
      );
    const line = (i: number, quantity: number): OrderItem => ({
      productId: products[i]!.id,
      name: products[i]!.name,
      quantity,
      unitPrice: products[i]!.price,
    });
    const stockOf = async (i: number) =>
      (await store.tx(tenantId, (r) => r.products.get(products[i]!.id)))?.stock;
    return { tenantId, channel, contact, products, place, line, stockOf };
  }

  async function created(p: Promise<PlaceResult>): Promise<Order> {
    const result = await p;
    if (result.outcome !== 'created') throw new Error(`not created: ${result.outcome}`);
    return result.order;
  }

  it('gives the last item to exactly one of two pending orders confirmed at once; stock never negative', async () => {
    const w = await setup([1]);
    const a = await created(w.place([w.line(0, 1)], 'pending'));
    const b = await created(w.place([w.line(0, 1)], 'pending'));
    const confirm = (id: string) =>
      store.tx(w.tenantId, (r) => r.orders.changeStatus(id, { status: 'confirmed' }, T0 + 1000));
    const results = await Promise.all([confirm(a.id), confirm(b.id)]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['out_of_stock', 'updated']);
    expect(await w.stockOf(0)).toBe(0);
    const refused = results.find((r) => r.outcome === 'out_of_stock');
    expect(refused).toEqual({ outcome: 'out_of_stock', productIds: [w.products[0]!.id] });
  });

  it('confirms one order once when two requests confirm it at once', async () => {
    const w = await setup([2]);
    const a = await created(w.place([w.line(0, 1)], 'pending'));
    const confirm = () =>
      store.tx(w.tenantId, (r) => r.orders.changeStatus(a.id, { status: 'confirmed' }, T0 + 1000));
    const results = await Promise.all([confirm(), confirm()]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['unchanged', 'updated']);
    expect(await w.stockOf(0)).toBe(1);
  });

  it('gives the stock back on cancellation, once, and never for an order that did not take it', async () => {
    const w = await setup([5, null]);
    const confirmed = await created(w.place([w.line(0, 2), w.line(1, 1)], 'confirmed'));
    const pending = await created(w.place([w.line(0, 1)], 'pending'));
    expect(await w.stockOf(0)).toBe(3);
    const cancel = (id: string) =>
      store.tx(w.tenantId, (r) => r.orders.changeStatus(id, { status: 'cancelled' }, T0 + 2000));
    const first = await cancel(confirmed.id);
    expect(first).toMatchObject({ outcome: 'updated', order: { status: 'cancelled', stockTaken: false } });
    expect(await w.stockOf(0)).toBe(5);
    expect((await cancel(confirmed.id)).outcome).toBe('unchanged');
    expect(await w.stockOf(0)).toBe(5);
    await cancel(pending.id);
    expect(await w.stockOf(0)).toBe(5);
    expect(await w.stockOf(1)).toBeNull();
    const again = await store.tx(w.tenantId, (r) =>
      r.orders.changeStatus(confirmed.id, { status: 'confirmed' }, T0 + 3000),
    );
    expect(again).toMatchObject({ outcome: 'refused', refusal: { axis: 'status', reason: 'final' } });
  });

  it('appends order.updated with what changed, in the same transaction, and nothing when refused', async () => {
    const w = await setup([3]);
    const order = await created(w.place([w.line(0, 1)], 'pending'));
    await store.tx(w.tenantId, (r) =>
      r.orders.changeStatus(order.id, { status: 'confirmed', fulfilmentStatus: 'ready' }, T0 + 1000),
    );
    await store.tx(w.tenantId, (r) => r.orders.changeStatus(order.id, { status: 'pending' }, T0 + 2000));
    const events = await store.tx(w.tenantId, (r) => r.events.listAfter(0, { types: ['order.updated'] }));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      subjectId: order.id,
      contactId: w.contact.id,
      data: {
        status: 'confirmed',
        fulfilmentStatus: 'ready',
        changes: {
          status: { from: 'pending', to: 'confirmed' },
          fulfilmentStatus: { from: 'unfulfilled', to: 'ready' },
        },
      },
      atMs: T0 + 1000,
    });
  });

  it('derives the payment status from payments, refuses overpayment, seals the reference', async () => {
    const w = await setup([null]);
    const order = await created(w.place([w.line(0, 3)], 'confirmed'));
    expect(order.total).toBe(3000);
    const pay = (amount: number, reference?: string) =>
      store.tx(w.tenantId, (r) =>
        r.orders.recordPayment(
          order.id,
          { amount, method: 'orange_money', paidAtMs: T0, reference: reference ?? null },
          T0 + 1000,
        ),
      );
    expect(await pay(1000, 'OM-TX-SECRET-42')).toMatchObject({
      outcome: 'recorded',
      order: { paymentStatus: 'partial', amountPaid: 1000 },
      payment: { amount: 1000, reference: 'OM-TX-SECRET-42' },
    });
    expect(await pay(2001)).toMatchObject({ outcome: 'refused', reason: 'over_balance' });
    expect(await pay(2000)).toMatchObject({ outcome: 'recorded', order: { paymentStatus: 'paid' } });
    const raw = await db.ownerTx((tx) =>
      tx.query<{ reference_enc: string }>('SELECT reference_enc FROM order_payments WHERE order_id = $1', [
        order.id,
      ]),
    );
    expect(JSON.stringify(raw.rows)).not.toContain('SECRET');
    const refund = await store.tx(w.tenantId, (r) =>
      r.orders.changeStatus(order.id, { paymentStatus: 'refunded' }, T0 + 2000),
    );
    expect(refund).toMatchObject({ outcome: 'updated', order: { paymentStatus: 'refunded' } });
    expect(await pay(1)).toMatchObject({ outcome: 'refused', reason: 'refunded' });
  });

  it('filters the list on every axis, contact, channel and creation time', async () => {
    const w = await setup([null]);
    const other = await freshChannel(store, w.tenantId);
    const { contact: otherContact } = await store.tx(w.tenantId, (r) =>
      r.contacts.upsertByPhone(other.id, '+2250505050505'),
    );
    const a = await created(w.place([w.line(0, 1)], 'confirmed'));
    const b = await created(w.place([w.line(0, 1)], 'pending'));
    const c = await store.tx(w.tenantId, (r) =>
      r.orders.create({
        channelId: other.id,
        contactId: otherContact.id,
        items: [w.line(0, 1)],
        currency: 'XOF',
        createdAtMs: T0 + 86_400_000,
      }),
    );
    await store.tx(w.tenantId, (r) => r.orders.changeStatus(a.id, { fulfilmentStatus: 'delivered' }, T0));
    const ids = async (filter: OrderFilter) =>
      (await store.tx(w.tenantId, (r) => r.orders.list(filter))).items.map((o) => o.id).sort();
    expect(await ids({ status: 'pending' })).toEqual([b.id, c.id].sort());
    expect(await ids({ status: 'confirmed' })).toEqual([a.id]);
    expect(await ids({ fulfilmentStatus: 'delivered' })).toEqual([a.id]);
    expect(await ids({ paymentStatus: 'unpaid' })).toEqual([a.id, b.id, c.id].sort());
    expect(await ids({ channelId: other.id })).toEqual([c.id]);
    expect(await ids({ contactId: w.contact.id })).toEqual([a.id, b.id].sort());
    expect(await ids({ createdFromMs: T0 + 1 })).toEqual([c.id]);
    expect(await ids({ createdToMs: T0 + 1 })).toEqual([a.id, b.id].sort());
    expect(await ids({ createdFromMs: T0, createdToMs: T0 })).toEqual([]);
  });

  it('counts activity for the stats: first response medians apart for bot and people, revenue per currency', async () => {
    const w = await setup([null]);
    const decision = await store.tx(w.tenantId, (r) =>
      r.decisions.insert({ channelId: w.channel.id, contactId: w.contact.id, action: 'reply', reasons: [] }),
    );
    await store.tx(w.tenantId, async (r) => {
      const base = { channelId: w.channel.id, contactId: w.contact.id };
      await r.messages.insertInbound({ ...base, providerId: 'wamid.s1', createdAtMs: T0 });
      await r.messages.insertOutbound({
        ...base,
        kind: 'reply',
        status: 'sent',
        decisionId: decision.id,
        createdAtMs: T0 + 1_000,
        sentAtMs: T0 + 9_000,
      });
      await r.messages.insertInbound({ ...base, providerId: 'wamid.s2', createdAtMs: T0 + 60_000 });
      await r.messages.insertOutbound({
        ...base,
        kind: 'reply',
        status: 'sent',
        createdAtMs: T0 + 180_000,
        sentAtMs: T0 + 180_000,
      });
    });
    await created(w.place([w.line(0, 2)], 'confirmed'));
    const stats = await store.tx(w.tenantId, (r) => r.stats.activity(T0, T0 + 3_600_000));
    expect(stats).toMatchObject({
      conversations: 1,
      messagesIn: 2,
      messagesOut: 2,
      orders: [{ currency: 'XOF', created: 1, confirmed: 1, revenue: 2000, collected: 0 }],
      firstResponse: { bot: { answered: 1, medianMs: 9_000 }, human: { answered: 1, medianMs: 120_000 } },
    });
    const other = await store.tx(w.tenantId, (r) =>
      r.stats.activity(T0, T0 + 3_600_000, { channelId: 'chn_none' }),
    );
    expect(other).toMatchObject({
      conversations: 0,
      orders: [],
      firstResponse: { bot: { answered: 0, medianMs: null } },
    });
  });

  it('counts experiment outcomes per variant from the first send of each contact', async () => {
    const w = await setup([null]);
    const { contact: second } = await store.tx(w.tenantId, (r) =>
      r.contacts.upsertByPhone(w.channel.id, '+2250505050505'),
    );
    await store.tx(w.tenantId, async (r) => {
      const out = (contactId: string, variantId: string, atMs: number) =>
        r.messages.insertOutbound({
          channelId: w.channel.id,
          contactId,
          kind: 'reply',
          status: 'sent',
          createdAtMs: atMs,
          experiment: { id: 'exp', variantId },
        });
      await out(w.contact.id, 'a', T0);
      await out(w.contact.id, 'a', T0 + 3_600_000);
      await out(second.id, 'b', T0);
      await r.messages.insertInbound({
        channelId: w.channel.id,
        contactId: w.contact.id,
        providerId: 'wamid.e1',
        createdAtMs: T0 + 60_000,
      });
    });
    await created(w.place([w.line(0, 1)], 'confirmed'));
    const counts = await store.tx(w.tenantId, (r) => r.stats.experimentCounts('exp', 7));
    expect(counts).toEqual([
      { variantId: 'a', contacts: 1, repliedWithin24h: 1, orderedWithinWindow: 1, optedOut: 0 },
      { variantId: 'b', contacts: 1, repliedWithin24h: 0, orderedWithinWindow: 0, optedOut: 0 },
    ]);
  });

  it('keeps stock = initial − Σ quantities of orders holding stock, and payment status = f(Σ payments), under any operations', async () => {
    const initial = [6, 3];
    type Op =
      | { kind: 'place'; lines: Array<[number, number]>; status: 'pending' | 'confirmed' }
      | { kind: 'change'; order: number; change: OrderStateChange }
      | { kind: 'pay'; order: number; amount: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        kind: fc.constant('place' as const),
        lines: fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 1, max: 3 })), {
          minLength: 1,
          maxLength: 2,
        }),
        status: fc.constantFrom('pending' as const, 'confirmed' as const),
      }),
      fc.record({
        kind: fc.constant('change' as const),
        order: fc.nat(5),
        // Mostly one axis at a time (as a seller does), sometimes several at once.
        change: fc.oneof(
          fc.record({ status: fc.constantFrom(...ORDER_STATUSES) }),
          fc.record({ status: fc.constantFrom(...ORDER_STATUSES) }),
          fc.record({ fulfilmentStatus: fc.constantFrom(...FULFILMENT_STATUSES) }),
          fc.record({ paymentStatus: fc.constantFrom(...PAYMENT_STATUSES) }),
          fc.record(
            {
              status: fc.constantFrom(...ORDER_STATUSES),
              paymentStatus: fc.constantFrom(...PAYMENT_STATUSES),
              fulfilmentStatus: fc.constantFrom(...FULFILMENT_STATUSES),
            },
            { requiredKeys: [] },
          ),
        ),
      }),
      fc.record({
        kind: fc.constant('pay' as const),
        order: fc.nat(5),
        amount: fc.integer({ min: 1, max: 6000 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
        const w = await setup(initial);
        // Two orders holding stock and two waiting, so every sequence has something to move.
        const orders: string[] = [];
        for (const [lines, status] of [
          [[w.line(0, 1)], 'confirmed'],
          [[w.line(0, 1), w.line(1, 1)], 'confirmed'],
          [[w.line(0, 2)], 'pending'],
          [[w.line(1, 2)], 'pending'],
        ] as const) {
          orders.push((await created(w.place([...lines], status))).id);
        }
        let atMs = T0;
        for (const o of ops) {
          atMs += 1000;
          if (o.kind === 'place') {
            const result = await w.place(
              o.lines.map(([i, q]) => w.line(i, q)),
              o.status,
            );
            if (result.outcome === 'created') orders.push(result.order.id);
          } else if (orders.length > 0) {
            const id = orders[o.order % orders.length]!;
            if (o.kind === 'change')
              await store.tx(w.tenantId, (r) => r.orders.changeStatus(id, o.change, atMs));
            else
              await store.tx(w.tenantId, (r) =>
                r.orders.recordPayment(id, { amount: o.amount, method: 'wave', paidAtMs: atMs }, atMs),
              );
          }
          // The invariants, after every step.
          const all = (await store.tx(w.tenantId, (r) => r.orders.list({ limit: 200 }))).items;
          for (const [i, start] of initial.entries()) {
            const held = all
              .filter((x) => x.stockTaken)
              .flatMap((x) => x.items)
              .filter((item) => item.productId === w.products[i]!.id)
              .reduce((sum, item) => sum + item.quantity, 0);
            const stock = await w.stockOf(i);
            expect(stock).toBe(start - held);
            expect(stock).toBeGreaterThanOrEqual(0);
          }
          for (const x of all) {
            expect(x.stockTaken).toBe(holdsStock(x.status));
            const payments = await store.tx(w.tenantId, (r) => r.orders.payments(x.id));
            const paid = payments.reduce((sum, p) => sum + p.amount, 0);
            expect(x.amountPaid).toBe(paid);
            expect(paid).toBeLessThanOrEqual(x.total);
            if (x.paymentStatus !== 'refunded')
              expect(x.paymentStatus).toBe(paymentStatusOf('unpaid', paid, x.total));
            else expect(paid).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: backend.name === 'pglite' ? 30 : 15 },
    );
  }, 120_000);
});
