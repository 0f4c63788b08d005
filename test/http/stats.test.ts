/**
 * GET /stats through the app: a small, fully known history (messages at fixed times, bot and human
 * answers, a hand-off, an opt-out, orders and payments) and the numbers a seller should read.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, NOW_ISO, problem, type World } from './helpers.ts';

let w: World;
let channelId: string;
const NOW = Date.parse(NOW_ISO);
const MIN = 60_000;
/** Three hours ago: inside the default 7-day period. */
const T = NOW - 180 * MIN;

beforeAll(async () => {
  w = await createWorld();
  channelId = (
    await w.call('POST', '/api/v1/channels', w.a.admin, { name: 'Main', transport: 'sandbox' })
  ).json().id;
  await w.store.tx(w.a.id, async (r) => {
    const awa = (await r.contacts.upsertByPhone(channelId, '+2250701020304', 'Awa')).contact;
    const kone = (await r.contacts.upsertByPhone(channelId, '+2250505050505', 'Koné')).contact;
    const old = (await r.contacts.upsertByPhone(channelId, '+2250606060606', 'Ancien')).contact;
    const decision = await r.decisions.insert({
      channelId,
      contactId: awa.id,
      action: 'reply',
      reasons: [],
      createdAtMs: T,
    });
    const inbound = (contactId: string, atMs: number, id: string) =>
      r.messages.insertInbound({ channelId, contactId, providerId: id, body: 'Bonjour', createdAtMs: atMs });
    const outbound = (contactId: string, atMs: number, bot: boolean) =>
      r.messages.insertOutbound({
        channelId,
        contactId,
        kind: 'reply',
        body: 'Merci',
        status: 'sent',
        decisionId: bot ? decision.id : null,
        createdAtMs: atMs,
        sentAtMs: atMs,
      });
    // Awa: a turn answered by the bot in 20 s; a second message in the same turn; then a turn
    // answered by a person in 10 min.
    await inbound(awa.id, T, 'wamid.a1');
    await inbound(awa.id, T + 5_000, 'wamid.a2');
    await outbound(awa.id, T + 20_000, true);
    await inbound(awa.id, T + 30 * MIN, 'wamid.a3');
    await outbound(awa.id, T + 40 * MIN, false);
    // Koné: answered by the bot in 40 s; a later turn never answered.
    await inbound(kone.id, T, 'wamid.k1');
    await outbound(kone.id, T + 40_000, true);
    await inbound(kone.id, T + 60 * MIN, 'wamid.k2');
    // Ancien: everything 30 days ago, outside the period.
    await inbound(old.id, NOW - 30 * 86_400_000, 'wamid.o1');
    await outbound(old.id, NOW - 30 * 86_400_000 + 1_000, true);
    // A queued reply (not sent yet) counts nowhere.
    await r.messages.insertOutbound({
      channelId,
      contactId: kone.id,
      kind: 'reply',
      body: 'x',
      createdAtMs: T,
    });

    await r.events.append({ type: 'handoff.requested', channelId, contactId: awa.id, atMs: T + 30 * MIN });
    await r.contacts.patch(kone.id, { optedOut: true, optedOutAtMs: T + 61 * MIN });

    const product = await r.products.create({ name: 'Sac', price: 10000, currency: 'XOF', stock: null });
    const line = { productId: product.id, name: 'Sac', quantity: 1, unitPrice: 10000 };
    const place = (status: 'pending' | 'confirmed') =>
      r.orders.place({
        channelId,
        contactId: awa.id,
        currency: 'XOF',
        items: [line],
        source: 'api',
        status,
        atMs: T,
      });
    const confirmed = await place('confirmed');
    await place('confirmed');
    const cancelled = await place('pending');
    if (confirmed.outcome !== 'created' || cancelled.outcome !== 'created') throw new Error('seed orders');
    await r.orders.changeStatus(cancelled.order.id, { status: 'cancelled' }, T + MIN);
    await r.orders.recordPayment(
      confirmed.order.id,
      { amount: 4000, method: 'wave', paidAtMs: T + MIN },
      T + MIN,
    );
  });
});

afterAll(async () => {
  await w.close();
});

describe('GET /stats', () => {
  it('counts the period: conversations, messages, hand-offs, opt-outs, orders and revenue', async () => {
    const res = await w.call('GET', '/api/v1/stats', w.a.read);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      from: new Date(NOW - 7 * 86_400_000).toISOString(),
      to: NOW_ISO,
      channelId: null,
      conversations: 2,
      messages: { in: 5, out: 3 },
      handoffs: 1,
      optOuts: 1,
      orders: [{ currency: 'XOF', created: 3, confirmed: 2, cancelled: 1, revenue: 20000, collected: 4000 }],
    });
  });

  it('gives the median first response time of the bot and of people apart, per customer turn', async () => {
    const res = await w.call('GET', '/api/v1/stats', w.a.read);
    // Bot: 20 s (Awa, from her first message of the turn, not the second) and 40 s → median 30 s.
    // People: 10 min. Koné's last turn has no answer and counts nowhere.
    expect(res.json().firstResponse).toEqual({
      bot: { answered: 2, medianMs: 30_000 },
      human: { answered: 1, medianMs: 10 * MIN },
    });
  });

  it("shows each channel's sends today against the quota and warm-up allowance, and its health", async () => {
    const res = await w.call('GET', `/api/v1/stats?channelId=${channelId}`, w.a.read);
    const [channel] = res.json().channels;
    expect(channel).toMatchObject({
      id: channelId,
      name: 'Main',
      sentToday: 3,
      quota: { proactivePerDay: 1500, replyPerDay: expect.any(Number) },
      warmup: { day: 0, dailyCap: 20, coldCap: 5 },
      proactiveLeftToday: 17,
      health: { score: 0, paused: false },
    });
  });

  it('narrows to a period and refuses an empty or reversed one', async () => {
    const early = await w.call(
      'GET',
      `/api/v1/stats?from=${new Date(T + 50 * MIN).toISOString()}&to=${NOW_ISO}`,
      w.a.read,
    );
    expect(early.json()).toMatchObject({ conversations: 1, messages: { in: 1, out: 0 }, handoffs: 0 });
    const reversed = await w.call(
      'GET',
      `/api/v1/stats?from=${NOW_ISO}&to=${new Date(T).toISOString()}`,
      w.a.read,
    );
    expect(problem(reversed).errors?.[0]?.field).toBe('query.to');
    const tooLong = await w.call('GET', '/api/v1/stats?from=2024-01-01T00:00:00Z', w.a.read);
    expect(problem(tooLong).errors?.[0]?.field).toBe('query.from');
  });

  it("shows another tenant nothing of this one's activity", async () => {
    const res = await w.call('GET', '/api/v1/stats', w.b.read);
    expect(res.json()).toMatchObject({
      conversations: 0,
      messages: { in: 0, out: 0 },
      orders: [],
      channels: [],
    });
    const theirs = await w.call('GET', `/api/v1/stats?channelId=${channelId}`, w.b.read);
    expect(problem(theirs).code).toBe('not_found');
  });
});
