/**
 * A sale through the pipelines with a real store (PGlite, and Postgres when TEST_DATABASE_URL is
 * set): inbound messages through processEvents (integrated mode) and recorded messages through
 * applyAdvisorInbound (advisor mode) reach one confirmed order with its lines, fee, total and
 * customer, take the stock, store the order.created event, and never make a second order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyAdvisorInbound } from '../../src/pipeline/advisor.ts';
import { processEvents } from '../../src/pipeline/index.ts';
import type { InboundEvent } from '../../src/whatsapp/index.ts';
import { openPipeline, type PipelineHarness } from '../support/pipeline.ts';
import { testBackends } from '../support/store.ts';

const T0 = Date.parse('2026-11-23T10:00:00Z'); // a Monday, 10:00 in Abidjan

const SAC_NOIR = { name: 'Sac noir', price: 15000, currency: 'XOF' };

const FACTS = {
  deliveryFacts: {
    zones: [
      { id: 'yopougon', name: 'Yopougon', fee: 1000, delay: '24 h' },
      { id: 'cocody', name: 'Cocody', aliases: ['Riviera'], fee: 1500 },
    ],
    default: { fee: 2500 },
  },
  paymentFacts: { methods: ['orange_money', 'wave', 'cash_on_delivery'] },
};

for (const backend of testBackends()) {
  describe(`a sale in chat on ${backend.name}`, () => {
    let h: PipelineHarness;
    let now = T0;
    let seq = 0;

    beforeAll(async () => {
      h = await openPipeline({ nowMs: () => now, backend, sends: 'none' });
    });

    afterAll(async () => {
      await h?.close();
    });

    async function shop(stock = 4) {
      // The playbook API validates these facts on the way in; here they are written directly.
      const s = await h.shop({ products: [{ ...SAC_NOIR, stock }], playbook: FACTS as never });
      return { ...s, productId: s.productIds[0]! };
    }

    function event(from: string, text: string, providerId = `sbx_sale_${++seq}`): InboundEvent {
      now += 60_000;
      return { kind: 'message', providerId, from: { phone: from }, timestampMs: now, type: 'text', text };
    }

    async function say(s: { tenantId: string; channelId: string }, from: string, text: string, id?: string) {
      const e = event(from, text, id);
      await processEvents(h.deps, { tenantId: s.tenantId, channelId: s.channelId }, [e]);
      return e;
    }

    /** The bot's answers to a contact, oldest first. */
    async function answers(tenantId: string, contactId: string): Promise<string[]> {
      return h.store.tx(tenantId, async (r) => {
        const page = await r.messages.history(contactId, { limit: 100 });
        return page.items
          .filter((m) => m.direction === 'out')
          .sort((a, b) => a.createdAtMs - b.createdAtMs)
          .map((m) => m.body ?? '');
      });
    }

    it('takes the order in four messages, places exactly one order and takes the stock', async () => {
      const s = await shop();
      const phone = '+2250701020304';
      await say(s, phone, "C'est combien le sac noir ?");
      await say(s, phone, 'Je veux 2 sacs noirs');
      await say(s, phone, 'Yopougon Selmer, près de la pharmacie. Je paie par Orange Money');
      const yes = await say(s, phone, 'oui');

      const { contact, orders, product, events } = await h.store.tx(s.tenantId, async (r) => {
        const contact = (await r.contacts.findByPhone(s.channelId, phone))!;
        return {
          contact,
          orders: await r.orders.list({ limit: 10 }),
          product: await r.products.get(s.productId),
          events: await r.events.listAfter(0, { types: ['order.created'] }),
        };
      });
      const said = await answers(s.tenantId, contact.id);
      expect(said[2]).toContain('Total : 31 000 FCFA');
      expect(said[3]).toMatch(/confirmée ✅ \(31 000 FCFA\)/);
      expect(orders.items).toHaveLength(1);
      const order = orders.items[0]!;
      expect(order).toMatchObject({
        contactId: contact.id,
        channelId: s.channelId,
        items: [{ productId: s.productId, name: 'Sac noir', quantity: 2, unitPrice: 15000 }],
        subtotal: 30000,
        deliveryFee: 1000,
        total: 31000,
        currency: 'XOF',
        status: 'confirmed',
        paymentMethod: 'orange_money',
        source: 'chat',
        delivery: {
          zone: 'yopougon',
          zoneName: 'Yopougon',
          address: 'Yopougon Selmer, près de la pharmacie',
        },
      });
      expect(product?.stock).toBe(2);
      expect(contact.stage).toBe('ordered');
      expect(events.map((e) => e.subjectId)).toEqual([order.id]);

      // The same "oui" redelivered, then a second "oui": still one order, stock unchanged.
      await say(s, phone, 'oui', yes.kind === 'message' ? yes.providerId : '');
      await say(s, phone, 'oui');
      const after = await h.store.tx(s.tenantId, async (r) => ({
        orders: await r.orders.list({ limit: 10 }),
        stock: (await r.products.get(s.productId))?.stock,
        conversation: await r.contacts.conversation(contact.id),
      }));
      expect(after.orders.items).toHaveLength(1);
      expect(after.stock).toBe(2);
      expect(after.conversation).toBeNull();
    });

    it('keeps the conversation state sealed at rest', async () => {
      const s = await shop();
      await say(s, '+2250701020305', 'Je veux 2 sacs noirs');
      await say(s, '+2250701020305', 'Yopougon Selmer, près de la pharmacie');
      const raw = await h.store.tx(s.tenantId, (r) =>
        r.sql.query<{ conversation_enc: string }>(
          'SELECT conversation_enc FROM contacts WHERE tenant_id = $1 AND conversation_enc IS NOT NULL',
          [s.tenantId],
        ),
      );
      expect(raw.rows).toHaveLength(1);
      expect(raw.rows[0]!.conversation_enc).not.toMatch(/pharmacie|Yopougon|prd_/);
    });

    it('tells the customer and keeps the cart when the stock went before the "oui"', async () => {
      const s = await shop(3);
      const phone = '+2250701020306';
      await say(s, phone, '2 sacs noirs livrés à Cocody, je paie par Wave');
      // Someone else bought two meanwhile.
      await h.store.tx(s.tenantId, (r) => r.products.update(s.productId, { stock: 1 }));
      await say(s, phone, 'oui');
      const out = await h.store.tx(s.tenantId, async (r) => {
        const contact = (await r.contacts.findByPhone(s.channelId, phone))!;
        return {
          contact,
          orders: await r.orders.list({ limit: 10 }),
          conversation: await r.contacts.conversation(contact.id),
          stock: (await r.products.get(s.productId))?.stock,
        };
      });
      const said = await answers(s.tenantId, out.contact.id);
      expect(out.orders.items).toHaveLength(0);
      expect(out.stock).toBe(1);
      expect(said.at(-1)).toMatch(/Sac noir vient de partir/);
      expect(out.conversation).toMatchObject({ cart: [{ productId: s.productId, quantity: 2 }] });
      expect(out.contact.stage).not.toBe('ordered');
    });

    it('gives the last item to one of two customers confirming it', async () => {
      const s = await shop(1);
      await say(s, '+2250701020307', 'Je veux le sac noir, livraison à Cocody, je paie par Wave');
      await say(s, '+2250701020308', 'Je veux le sac noir, livraison à Yopougon, je paie par Wave');
      await say(s, '+2250701020307', 'oui');
      await say(s, '+2250701020308', 'oui');
      const orders = await h.store.tx(s.tenantId, (r) => r.orders.list({ limit: 10 }));
      expect(orders.items).toHaveLength(1);
      expect(orders.items[0]?.delivery?.zone).toBe('cocody');
    });

    it('takes the same order in advisor mode through the recorded messages', async () => {
      const s = await shop();
      const record = async (text: string, providerId: string) =>
        h.store.tx(s.tenantId, async (r) => {
          const channel = (await r.channels.get(s.channelId))!;
          const { contact } = await r.contacts.upsertBySender(channel.id, { phone: '+2250701020309' });
          const { inserted, message } = await r.messages.insertInbound({
            channelId: channel.id,
            contactId: contact.id,
            providerId,
            body: text,
            type: 'text',
            createdAtMs: now,
          });
          if (!inserted) return null;
          now += 60_000;
          return applyAdvisorInbound(r, { channel, contact, message, atMs: now, nowMs: now });
        });
      await record('Je veux 2 sacs noirs', 'adv.1');
      await record('Riviera 3, je paie par Wave', 'adv.2');
      const confirmed = await record('ok', 'adv.3');
      expect(confirmed?.order).toMatchObject({ total: 31500, deliveryFee: 1500, paymentMethod: 'wave' });
      expect(confirmed?.contact.stage).toBe('ordered');
      expect(await record('ok', 'adv.3')).toBeNull();
      const orders = await h.store.tx(s.tenantId, (r) => r.orders.list({ limit: 10 }));
      expect(orders.items).toHaveLength(1);
    });
  });
}
