/**
 * A/B messages through the app: experiments in the playbook, the variant recorded on each outbound
 * message (assigned per contact when the bot does not say), outcomes per variant in GET /experiments.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignVariant, type Experiment } from '../../src/engines/experiments.ts';
import { createWorld, NOW_ISO, problem, type World } from './helpers.ts';

let w: World;
let channelId: string;
const NOW = Date.parse(NOW_ISO);
const HOUR = 3_600_000;

const experiment: Experiment = {
  id: 'prix-livraison',
  template: 'price',
  variants: [
    { id: 'a', text: { fr: 'Le {{product}} est à {{price}}.' } },
    { id: 'b', text: { fr: '{{product}} : {{price}}, livré demain !' } },
  ],
  minSample: 2,
};

function record(body: Record<string, unknown>) {
  return w.call('POST', '/api/v1/messages', w.a.write, { channelId, text: 'Texte', ...body });
}

beforeAll(async () => {
  w = await createWorld();
  channelId = (
    await w.call('POST', '/api/v1/channels', w.a.admin, { name: 'Main', transport: 'sandbox' })
  ).json().id;
  const put = await w.call('PUT', '/api/v1/playbook', w.a.admin, { experiments: [experiment] });
  expect(put.statusCode, put.body).toBe(200);
  expect(put.json().experiments).toEqual([experiment]);
});

afterAll(async () => {
  await w.close();
});

describe('A/B messages', () => {
  it('says not enough data before anyone received a variant', async () => {
    const res = await w.call('GET', '/api/v1/experiments', w.a.read);
    expect(res.json().items).toMatchObject([
      { id: 'prix-livraison', template: 'price', active: true, status: 'not_enough_data', leader: null },
    ]);
  });

  it('refuses an unknown experiment or variant, and a playbook with duplicate ids', async () => {
    const base = { contactPhone: '+2250700000001', direction: 'out' };
    expect(problem(await record({ ...base, experimentId: 'nope' })).errors?.[0]?.field).toBe(
      'body.experimentId',
    );
    expect(
      problem(await record({ ...base, experimentId: 'prix-livraison', variantId: 'z' })).errors?.[0]?.field,
    ).toBe('body.variantId');
    const dup = await w.call('PUT', '/api/v1/playbook', w.a.admin, { experiments: [experiment, experiment] });
    expect(problem(dup).errors?.[0]?.field).toBe('body.experiments[1].id');
  });

  it('counts contacts, replies within 24 h, orders and opt-outs per variant', async () => {
    // Four customers: two get a (given explicitly), two get b. Their outcomes differ.
    const phones = ['+2250701000001', '+2250701000002', '+2250701000003', '+2250701000004'];
    const variants = ['a', 'a', 'b', 'b'];
    const contacts: string[] = [];
    for (const [i, phone] of phones.entries()) {
      const res = await record({
        contactPhone: phone,
        direction: 'out',
        experimentId: 'prix-livraison',
        variantId: variants[i],
        sentAt: new Date(NOW - 48 * HOUR).toISOString(),
      });
      expect(res.statusCode, res.body).toBe(201);
      contacts.push(res.json().contact.id);
    }
    // a: customer 1 replies after 1 h and orders; customer 2 replies after 30 h (too late).
    await record({
      contactId: contacts[0],
      direction: 'in',
      receivedAt: new Date(NOW - 47 * HOUR).toISOString(),
    });
    await record({
      contactId: contacts[1],
      direction: 'in',
      receivedAt: new Date(NOW - 18 * HOUR).toISOString(),
    });
    // b: customer 4 opts out.
    await record({
      contactId: contacts[3],
      direction: 'in',
      text: 'STOP',
      receivedAt: new Date(NOW - 40 * HOUR).toISOString(),
    });
    const product = (
      await w.call('POST', '/api/v1/products', w.a.admin, { name: 'Sac', price: 100, currency: 'XOF' })
    ).json();
    const order = await w.call('POST', '/api/v1/orders', w.a.write, {
      channelId,
      contactId: contacts[0],
      items: [{ productId: product.id, quantity: 1 }],
    });
    expect(order.statusCode, order.body).toBe(201);

    const res = await w.call('GET', '/api/v1/experiments', w.a.read);
    const [result] = res.json().items;
    expect(result).toMatchObject({ status: 'ready', minSample: 2, leader: 'a', orderWindowDays: 7 });
    expect(result.variants).toEqual([
      {
        variantId: 'a',
        contacts: 2,
        repliedWithin24h: 1,
        orderedWithinWindow: 1,
        optedOut: 0,
        replyRate: 0.5,
        orderRate: 0.5,
        optOutRate: 0,
      },
      {
        variantId: 'b',
        contacts: 2,
        repliedWithin24h: 1,
        orderedWithinWindow: 0,
        optedOut: 1,
        replyRate: 0.5,
        orderRate: 0,
        optOutRate: 0.5,
      },
    ]);
  });

  it("assigns the contact's variant when the bot names only the experiment", async () => {
    const res = await record({
      contactPhone: '+2250701000099',
      direction: 'out',
      experimentId: 'prix-livraison',
    });
    expect(res.statusCode, res.body).toBe(201);
    const contactId = res.json().contact.id;
    const rows = await w.db.ownerTx((tx) =>
      tx.query<{ variant_id: string }>('SELECT variant_id FROM messages WHERE id = $1', [
        res.json().message.id,
      ]),
    );
    expect(rows.rows[0]?.variant_id).toBe(assignVariant(experiment, contactId).id);
  });

  it("shows another tenant none of this tenant's experiments", async () => {
    expect((await w.call('GET', '/api/v1/experiments', w.b.read)).json()).toEqual({ items: [] });
  });
});
