/**
 * The orders API through the real app (inject): create from the catalogue and the playbook's
 * delivery zones, idempotency, the three axes and their refusals, stock, payments, filters, CSV
 * and the event log.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell, csvLine } from '../../src/http/routes/v1/orders.ts';
import { createWorld, problem, seedConversation, type World } from './helpers.ts';

let w: World;
let conv: { channelId: string; contactId: string };
let bag: string;
let shoes: string;
let hat: string;

async function product(body: Record<string, unknown>): Promise<string> {
  const res = await w.call('POST', '/api/v1/products', w.a.admin, { currency: 'XOF', ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

async function stockOf(id: string): Promise<number | null> {
  return (await w.call('GET', `/api/v1/products/${id}`, w.a.read)).json().stock;
}

function order(body: Record<string, unknown>, headers?: Record<string, string>) {
  return w.call('POST', '/api/v1/orders', w.a.write, { ...conv, ...body }, headers);
}

beforeAll(async () => {
  w = await createWorld();
  const seeded = await seedConversation(w, w.a.admin);
  conv = { channelId: seeded.channelId, contactId: seeded.contactId };
  bag = await product({ name: 'Sac noir', price: 15000, stock: 3 });
  shoes = await product({ name: 'Escarpins', price: 20000, stock: 10, variants: { size: ['39', '40'] } });
  hat = await product({ name: 'Chapeau', price: 5000, stock: null });
  const playbook = await w.call('PUT', '/api/v1/playbook', w.a.admin, {
    delivery: {
      zones: [{ id: 'yopougon', name: 'Yopougon', aliases: ['yop'], fee: 1500, delay: '24 h' }],
      default: { fee: 2500 },
    },
  });
  expect(playbook.statusCode, playbook.body).toBe(200);
});

afterAll(async () => {
  await w.close();
});

describe('POST /orders', () => {
  it('takes names and prices from the catalogue and the fee from the playbook zone, and takes the stock', async () => {
    const res = await order({
      items: [
        { productId: bag, quantity: 2 },
        { productId: shoes, quantity: 1, variant: { size: '39' } },
      ],
      delivery: { zone: 'yopougon', address: 'Selmer, près de la pharmacie' },
      paymentMethod: 'orange_money',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      items: [
        { productId: bag, name: 'Sac noir', quantity: 2, unitPrice: 15000 },
        { productId: shoes, name: 'Escarpins', quantity: 1, unitPrice: 20000, variant: { size: '39' } },
      ],
      subtotal: 50000,
      deliveryFee: 1500,
      total: 51500,
      amountPaid: 0,
      currency: 'XOF',
      status: 'confirmed',
      paymentStatus: 'unpaid',
      fulfilmentStatus: 'unfulfilled',
      paymentMethod: 'orange_money',
      delivery: { zone: 'yopougon', zoneName: 'Yopougon', address: 'Selmer, près de la pharmacie' },
      source: 'api',
      stockTaken: true,
      payments: [],
    });
    expect(await stockOf(bag)).toBe(1);
    expect(await stockOf(shoes)).toBe(9);
    const events = await w.store.tx(w.a.id, (r) => r.events.listAfter(0, { types: ['order.created'] }));
    expect(events.map((e) => e.subjectId)).toContain(res.json().id);
    // Cancel it, so the later tests start from the full stock.
    await w.call('PATCH', `/api/v1/orders/${res.json().id}`, w.a.write, { status: 'cancelled' });
    expect(await stockOf(bag)).toBe(3);
  });

  it('uses an explicit price and fee, and the default zone when no zone is named', async () => {
    const explicit = await order({
      items: [{ productId: hat, quantity: 2, unitPrice: 4000 }],
      delivery: { zone: 'yopougon', fee: 0 },
      status: 'pending',
    });
    expect(explicit.json()).toMatchObject({ subtotal: 8000, deliveryFee: 0, total: 8000, status: 'pending' });
    const byDefault = await order({
      items: [{ productId: hat, quantity: 1 }],
      delivery: { address: 'Cocody' },
      status: 'pending',
    });
    expect(byDefault.json()).toMatchObject({
      deliveryFee: 2500,
      total: 7500,
      delivery: { zone: null, address: 'Cocody' },
    });
    const pickUp = await order({ items: [{ productId: hat, quantity: 1 }], status: 'pending' });
    expect(pickUp.json()).toMatchObject({ deliveryFee: 0, delivery: null });
  });

  it('returns the first order for a repeated reference, with 200 and nothing taken twice', async () => {
    const body = { items: [{ productId: bag, quantity: 1 }], reference: 'wamid.oui-123' };
    const first = await order(body);
    const second = await order(body);
    expect([first.statusCode, second.statusCode]).toEqual([201, 200]);
    expect(second.json().id).toBe(first.json().id);
    expect(first.json().reference).toBe('wamid.oui-123');
    expect(await stockOf(bag)).toBe(2);
    await w.call('PATCH', `/api/v1/orders/${first.json().id}`, w.a.write, { status: 'cancelled' });
  });

  it('replays the response for a repeated Idempotency-Key', async () => {
    const body = { items: [{ productId: hat, quantity: 1 }], status: 'pending' };
    const first = await order(body, { 'idempotency-key': 'order-key-1' });
    const second = await order(body, { 'idempotency-key': 'order-key-1' });
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json().id).toBe(first.json().id);
  });

  it('refuses bad lines with the field named, and changes nothing', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ items: [{ productId: 'prd_nope', quantity: 1 }] }, 400, 'body.items[0].productId'],
      [{ items: [{ productId: shoes, quantity: 1 }] }, 400, 'body.items[0].variant.size'],
      [
        { items: [{ productId: shoes, quantity: 1, variant: { size: '41' } }] },
        400,
        'body.items[0].variant.size',
      ],
      [
        { items: [{ productId: bag, quantity: 1, variant: { colour: 'noir' } }] },
        400,
        'body.items[0].variant.colour',
      ],
      [{ items: [{ productId: bag, quantity: 0 }] }, 400, 'body.items[0].quantity'],
      [
        { items: [{ productId: bag, quantity: 1 }], delivery: { zone: 'plateau' } },
        400,
        'body.delivery.zone',
      ],
    ];
    for (const [body, status, field] of cases) {
      const res = await order(body);
      expect(res.statusCode, res.body).toBe(status);
      expect(problem(res).errors?.map((e) => e.field)).toContain(field);
    }
    expect(await stockOf(bag)).toBe(3);
  });

  it("refuses another tenant's product and a contact of another channel", async () => {
    const otherConv = await seedConversation(w, w.b.admin);
    const theirs = (
      await w.call('POST', '/api/v1/products', w.b.admin, { name: 'Leur sac', price: 1, currency: 'XOF' })
    ).json().id;
    const res = await order({ items: [{ productId: theirs, quantity: 1 }] });
    expect(problem(res).code).toBe('validation_failed');
    const mixed = await w.call('POST', '/api/v1/orders', w.a.write, {
      channelId: conv.channelId,
      contactId: otherConv.contactId,
      items: [{ productId: bag, quantity: 1 }],
    });
    expect(problem(mixed).code).toBe('not_found');
  });

  it('answers 409 out_of_stock naming the product when the stock is short, taking nothing', async () => {
    const res = await order({
      items: [
        { productId: hat, quantity: 1 },
        { productId: bag, quantity: 4 },
      ],
    });
    expect(res.statusCode).toBe(409);
    expect(problem(res)).toMatchObject({
      code: 'out_of_stock',
      errors: [{ field: 'body.items[1].productId', message: `${bag} is out of stock` }],
    });
    expect(await stockOf(bag)).toBe(3);
  });
});

describe('PATCH /orders/{id}', () => {
  it('confirms (taking stock), ships, completes, and refuses going back with 409', async () => {
    const created = (await order({ items: [{ productId: bag, quantity: 2 }], status: 'pending' })).json();
    expect(await stockOf(bag)).toBe(3);
    const patch = (body: Record<string, unknown>) =>
      w.call('PATCH', `/api/v1/orders/${created.id}`, w.a.write, body);
    expect((await patch({ status: 'confirmed' })).json()).toMatchObject({
      status: 'confirmed',
      stockTaken: true,
    });
    expect(await stockOf(bag)).toBe(1);
    expect((await patch({ fulfilmentStatus: 'out_for_delivery' })).statusCode).toBe(200);
    const done = await patch({ status: 'completed', fulfilmentStatus: 'delivered' });
    expect(done.json()).toMatchObject({ status: 'completed', fulfilmentStatus: 'delivered' });

    const back = await patch({ status: 'pending' });
    expect(back.statusCode).toBe(409);
    expect(problem(back)).toMatchObject({
      code: 'order_transition_invalid',
      errors: [{ field: 'body.status', message: 'final' }],
    });
    expect(problem(await patch({ fulfilmentStatus: 'ready' })).code).toBe('order_transition_invalid');
    expect(problem(await patch({ paymentStatus: 'paid' })).code).toBe('order_transition_invalid');
    expect(problem(await patch({ status: 'cancelled' })).code).toBe('order_transition_invalid');
    expect(await stockOf(bag)).toBe(1);
    expect(problem(await patch({})).code).toBe('validation_failed');
    expect(problem(await patch({ status: 'shipped' })).code).toBe('validation_failed');
  });

  it('answers 409 out_of_stock when confirming needs stock that is gone, and 404 for an unknown order', async () => {
    const created = (await order({ items: [{ productId: bag, quantity: 2 }], status: 'pending' })).json();
    const res = await w.call('PATCH', `/api/v1/orders/${created.id}`, w.a.write, { status: 'confirmed' });
    expect(problem(res)).toMatchObject({ code: 'out_of_stock' });
    expect((await w.call('GET', `/api/v1/orders/${created.id}`, w.a.read)).json().status).toBe('pending');
    const missing = await w.call('PATCH', '/api/v1/orders/ord_nope', w.a.write, { status: 'confirmed' });
    expect(problem(missing).code).toBe('not_found');
  });

  it('gives exactly one of two concurrent confirmations of the last item a 200, the other a 409', async () => {
    const last = await product({ name: 'Dernier sac', price: 9000, stock: 1 });
    const a = (await order({ items: [{ productId: last, quantity: 1 }], status: 'pending' })).json();
    const b = (await order({ items: [{ productId: last, quantity: 1 }], status: 'pending' })).json();
    const results = await Promise.all(
      [a.id, b.id].map((id) => w.call('PATCH', `/api/v1/orders/${id}`, w.a.write, { status: 'confirmed' })),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(await stockOf(last)).toBe(0);
  });
});

describe('POST /orders/{id}/payments', () => {
  it('moves the payment status from unpaid to partial to paid, then refunded', async () => {
    const created = (await order({ items: [{ productId: hat, quantity: 2 }], status: 'pending' })).json();
    const pay = (body: Record<string, unknown>) =>
      w.call('POST', `/api/v1/orders/${created.id}/payments`, w.a.write, body);
    const first = await pay({
      amount: 4000,
      method: 'wave',
      reference: 'WV-778',
      paidAt: '2026-11-27T09:00:00Z',
    });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      paymentStatus: 'partial',
      amountPaid: 4000,
      payments: [{ amount: 4000, method: 'wave', reference: 'WV-778', paidAt: '2026-11-27T09:00:00.000Z' }],
    });
    expect(problem(await pay({ amount: 6001, method: 'wave' })).code).toBe('unprocessable');
    expect(problem(await pay({ amount: 10, method: 'bitcoin' })).code).toBe('validation_failed');
    expect(problem(await pay({ amount: 10, method: 'wave', paidAt: '2027-01-01T00:00:00Z' })).code).toBe(
      'validation_failed',
    );
    expect((await pay({ amount: 6000, method: 'cash_on_delivery' })).json()).toMatchObject({
      paymentStatus: 'paid',
      amountPaid: 10000,
    });
    const refund = await w.call('PATCH', `/api/v1/orders/${created.id}`, w.a.write, {
      paymentStatus: 'refunded',
    });
    expect(refund.json().paymentStatus).toBe('refunded');
    expect(problem(await pay({ amount: 1, method: 'wave' })).code).toBe('conflict');
    const updates = await w.store.tx(w.a.id, (r) => r.events.listAfter(0, { types: ['order.updated'] }));
    expect(updates.filter((e) => e.subjectId === created.id).map((e) => e.data.paymentStatus)).toEqual([
      'partial',
      'paid',
      'refunded',
    ]);
  });

  it('refuses a payment on a cancelled order', async () => {
    const created = (await order({ items: [{ productId: hat, quantity: 1 }], status: 'pending' })).json();
    await w.call('PATCH', `/api/v1/orders/${created.id}`, w.a.write, { status: 'cancelled' });
    const res = await w.call('POST', `/api/v1/orders/${created.id}/payments`, w.a.write, {
      amount: 100,
      method: 'wave',
    });
    expect(problem(res).code).toBe('conflict');
  });
});

describe('GET /orders and /orders.csv', () => {
  it('filters and pages with a cursor', async () => {
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await w.call(
        'GET',
        `/api/v1/orders?limit=3&status=cancelled${cursor ? `&cursor=${cursor}` : ''}`,
        w.a.read,
      );
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as { items: Array<{ id: string; status: string }>; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(3);
      for (const o of page.items) expect(o.status).toBe('cancelled');
      all.push(...page.items.map((o) => o.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(new Set(all).size).toBe(all.length);
    const refunded = await w.call('GET', '/api/v1/orders?paymentStatus=refunded', w.a.read);
    expect(refunded.json().items).toHaveLength(1);
    const none = await w.call(
      'GET',
      `/api/v1/orders?createdFrom=2027-01-01T00:00:00Z&contactId=${conv.contactId}`,
      w.a.read,
    );
    expect(none.json().items).toEqual([]);
    const reversed = await w.call(
      'GET',
      '/api/v1/orders?createdFrom=2026-12-01T00:00:00Z&createdTo=2026-11-01T00:00:00Z',
      w.a.read,
    );
    expect(problem(reversed).errors?.[0]?.field).toBe('query.createdTo');
  });

  it('exports one RFC 4180 line per order after a header, formula cells defused', async () => {
    const nasty = await product({
      name: '=HYPERLINK("http://x.example","clic"), "promo"',
      price: 100,
      stock: null,
    });
    const created = (
      await order({
        items: [{ productId: nasty, quantity: 1 }],
        delivery: { address: '@Cocody\nrue 12, "villa 3"' },
        status: 'pending',
      })
    ).json();
    const res = await w.call(
      'GET',
      `/api/v1/orders.csv?status=pending&contactId=${conv.contactId}`,
      w.a.read,
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const body = res.body.replace(/^\uFEFF/, '');
    const lines = body.split('\r\n');
    expect(
      lines[0]?.startsWith('id,createdAt,status,paymentStatus,fulfilmentStatus,channelId,contactId,'),
    ).toBe(true);
    expect(lines.at(-1)).toBe('');
    const pendingCount = (await w.call('GET', '/api/v1/orders?status=pending&limit=200', w.a.read)).json()
      .items.length;
    // Quoted fields may hold CRLF, so count records by their id cell instead of by lines.
    expect(body.match(/(^|\r\n)ord_/g)?.length).toBe(pendingCount);
    const row = body.slice(body.indexOf(created.id));
    // Inside the items cell the formula is text after "1 x ", so nothing runs it: it is only quoted.
    expect(row).toContain('"1 x =HYPERLINK(""http://x.example"",""clic""), ""promo"""');
    expect(row).toContain('"\'@Cocody\nrue 12, ""villa 3"""');
    expect(row).toContain('Aminata');
    expect(row).toContain("'+2250701020304");
    const other = await w.call('GET', '/api/v1/orders.csv', w.b.read);
    expect(other.body).not.toContain('ord_');
  });
});

describe('csv cells', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['=1+2', "'=1+2"],
    ['+225 07', "'+225 07"],
    ['-5', "'-5"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['line\nbreak', '"line\nbreak"'],
  ])('%j → %j', (input, want) => {
    expect(csvCell(input)).toBe(want);
  });

  it('writes numbers as they are and null as an empty cell, CRLF at the end', () => {
    expect(csvLine([1500, null, -3, 'ok'])).toBe('1500,,-3,ok\r\n');
  });
});
