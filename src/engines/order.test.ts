import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Product } from '../domain/types.ts';
import { type Conversation, type DecisionContext, type PlaybookInput, parseContext } from './context.ts';
import { type Decision, decide } from './decide.ts';
import { formatPrice } from './money.ts';
import { isConfirmation, matchZone, readPayment } from './order.ts';
import { normalizeText } from './text.ts';

const catalog: Product[] = [
  { id: 'prd_sac', name: 'Sac noir', price: 15000, currency: 'XOF', stock: 5 },
  {
    id: 'prd_esc',
    name: 'Escarpins',
    price: 20000,
    currency: 'XOF',
    stock: 3,
    variants: { size: ['39', '40'], colour: ['noir', 'rouge'] },
  },
  { id: 'prd_robe', name: 'Robe wax', price: 12000, currency: 'XOF', stock: 0 },
];

const playbook: PlaybookInput = {
  delivery: {
    zones: [
      { id: 'yopougon', name: 'Yopougon', fee: 1000, delay: '24 h' },
      { id: 'cocody', name: 'Cocody', aliases: ['Riviera', 'Angré'], fee: 1500 },
    ],
    default: { fee: 2500, delay: '48 h' },
  },
  payment: {
    methods: ['orange_money', 'wave', 'cash_on_delivery'],
    details: { orange_money: '07 07 07 07 07 (Awa K.)' },
  },
};

interface Turn {
  text: string;
  decision: Decision;
  conversation?: Conversation;
}

/** Plays a conversation through decide(), carrying the state and the stage as the pipeline does. */
function play(
  texts: readonly string[],
  options: { playbook?: PlaybookInput; catalog?: Product[]; start?: Conversation; nowIso?: string } = {},
): Turn[] {
  let conversation = options.start;
  let stage: DecisionContext['contact']['stage'] = 'engaged';
  const turns: Turn[] = [];
  texts.forEach((text, i) => {
    const ctx = parseContext({
      now: options.nowIso ?? '2026-12-06T10:00:00Z',
      channel: { id: 'chn_1', createdAt: '2026-01-01T00:00:00Z', transport: 'cloud' },
      contact: {
        id: 'ctc_1',
        name: 'Fatou Diallo',
        stage,
        lastInboundAt: '2026-12-06T09:59:00Z',
        lastOutboundAt: '2026-12-06T09:59:30Z',
      },
      message: { id: `wamid.${i}`, text },
      catalog: options.catalog ?? catalog,
      playbook: 'playbook' in options ? options.playbook : playbook,
      ...(conversation ? { conversation } : {}),
    });
    const decision = decide(ctx);
    if (decision.conversation !== undefined) conversation = decision.conversation ?? undefined;
    stage = decision.contactUpdate.stage;
    turns.push({ text, decision, ...(conversation ? { conversation } : {}) });
  });
  return turns;
}

const lastOf = (turns: Turn[]): Turn => turns[turns.length - 1]!;

describe('order dialogue — each step', () => {
  it('asks for the address after an order, naming the lines, and moves the stage to interested only', () => {
    const [t] = play(['Je veux 2 sacs noirs']);
    expect(t!.decision.text).toContain('2 × Sac noir');
    expect(t!.conversation).toMatchObject({
      cart: [{ productId: 'prd_sac', quantity: 2 }],
      awaiting: 'address',
    });
    expect(t!.decision.stage).toBe('interested');
    expect(t!.decision.order).toBeUndefined();
  });

  it('takes address and payment given in one message and shows the summary with the zone fee and total', () => {
    const t = lastOf(
      play(['Je veux 2 sacs noirs', 'Yopougon Selmer, près de la pharmacie. Je paie par Orange Money']),
    );
    const text = t.decision.text ?? '';
    expect(text).toContain('2 × Sac noir — 30 000 FCFA');
    expect(text).toContain('Livraison (Yopougon, 24 h) : 1 000 FCFA');
    expect(text).toContain('Total : 31 000 FCFA');
    expect(text).toContain('Adresse : Yopougon Selmer, près de la pharmacie');
    expect(text).toContain('Paiement : Orange Money');
    expect(t.conversation).toMatchObject({
      delivery: { zone: 'yopougon', address: 'Yopougon Selmer, près de la pharmacie' },
      payment: 'orange_money',
      awaiting: 'confirmation',
    });
  });

  it('goes straight to the summary when product, zone and payment come at once', () => {
    const t = lastOf(play(['2 sacs noirs livrés à Yopougon, je paie par Wave']));
    expect(t.decision.text).toContain('Total : 31 000 FCFA');
    expect(t.conversation?.awaiting).toBe('confirmation');
  });

  for (const yes of ['oui', 'ok', "d'accord", 'yes', 'vas-y', '👍', 'Oui merci']) {
    it(`places the order when the customer answers "${yes}" to the summary`, () => {
      const turns = play(['2 sacs noirs livrés à Yopougon, je paie par Wave', yes]);
      const d = lastOf(turns).decision;
      expect(d.order?.draft).toEqual({
        items: [{ productId: 'prd_sac', name: 'Sac noir', quantity: 2, unitPrice: 15000 }],
        currency: 'XOF',
        subtotal: 30000,
        deliveryFee: 1000,
        total: 31000,
        delivery: { zone: 'yopougon', zoneName: 'Yopougon', address: 'Yopougon', pickup: false },
        paymentMethod: 'wave',
        sourceMessageId: 'wamid.1',
      });
      expect(d.stage).toBe('ordered');
      expect(d.conversation).toBeNull();
      expect(d.text).toContain('31 000 FCFA');
    });
  }

  it('gives the payment details the seller configured for the chosen method on confirmation', () => {
    const d = lastOf(
      play(['Je veux le sac noir, livraison à Cocody, je paie par Orange Money', 'oui']),
    ).decision;
    expect(d.text).toContain('07 07 07 07 07 (Awa K.)');
  });

  it('cancels on "non" to the summary and on "annule" at any step, with no order', () => {
    for (const script of [
      ['2 sacs noirs livrés à Yopougon, je paie par Wave', 'non'],
      ['Je veux 2 sacs noirs', 'annule'],
    ]) {
      const d = lastOf(play(script)).decision;
      expect(d.conversation).toBeNull();
      expect(d.order).toBeUndefined();
      expect(d.text).toMatch(/annul/i);
    }
  });

  it('edits the quantity on "plutôt 3" and shows the new summary instead of confirming', () => {
    const t = lastOf(play(['2 sacs noirs livrés à Yopougon, je paie par Wave', 'plutôt 3']));
    expect(t.decision.order).toBeUndefined();
    expect(t.decision.text).toContain('Total : 46 000 FCFA');
    expect(t.conversation?.cart).toEqual([{ productId: 'prd_sac', quantity: 3 }]);
  });

  it('asks for each variant the catalogue defines and takes "en rouge" as the answer', () => {
    const turns = play(['Je prends les escarpins taille 40', 'en rouge']);
    expect(turns[0]!.decision.text).toMatch(/couleur \? \(noir, rouge\)/);
    expect(turns[0]!.conversation?.awaiting).toBe('variant');
    expect(turns[1]!.conversation?.cart).toEqual([
      { productId: 'prd_esc', quantity: 1, variant: { size: '40', colour: 'rouge' } },
    ]);
    expect(turns[1]!.conversation?.awaiting).toBe('address');
  });

  it('charges the default fee for an address in no named zone', () => {
    const t = lastOf(play(['Je veux le sac noir', 'Abobo gare, derrière la mosquée', 'wave']));
    expect(t.decision.text).toContain('Livraison (48 h) : 2 500 FCFA');
    expect(t.decision.text).toContain('Total : 17 500 FCFA');
  });

  it('lists the zones with their fees when the seller delivers only to named zones', () => {
    const onlyZones: PlaybookInput = { ...playbook, delivery: { zones: playbook.delivery!.zones } };
    const turns = play(['Je veux le sac noir', 'Abobo gare'], { playbook: onlyZones });
    expect(turns[0]!.decision.text).toContain('• Yopougon — 1 000 FCFA');
    expect(turns[1]!.conversation?.delivery).toBeUndefined();
    expect(turns[1]!.conversation?.awaiting).toBe('address');
  });

  it('lists the accepted methods when the customer names one the seller does not take', () => {
    const t = lastOf(play(['Je veux le sac noir', 'Cocody', 'je paie par MTN']));
    expect(t.decision.text).toContain('Orange Money, Wave, espèces à la livraison');
    expect(t.conversation?.payment).toBeUndefined();
  });

  it('orders the product a price answer offered when the customer then says "oui"', () => {
    const turns = play(["C'est combien le sac noir ?", 'oui']);
    expect(turns[0]!.conversation).toMatchObject({ cart: [], offered: ['prd_sac'] });
    expect(turns[1]!.conversation?.cart).toEqual([{ productId: 'prd_sac', quantity: 1 }]);
    expect(turns[1]!.decision.text).toContain('1 × Sac noir');
  });

  it('starts the cart with the product named after "je veux commander" asked which one', () => {
    const turns = play(['Je veux commander', 'le sac noir']);
    expect(turns[0]!.conversation).toMatchObject({ cart: [], awaiting: 'product' });
    expect(turns[1]!.conversation?.cart).toEqual([{ productId: 'prd_sac', quantity: 1 }]);
    expect(turns[1]!.conversation?.awaiting).toBe('address');
  });

  it('keeps a zone and a payment method said before the product for the order that follows', () => {
    const turns = play(['Vous livrez à Cocody ?', 'je paie par Wave', 'Je veux le sac noir']);
    expect(turns[0]!.conversation?.delivery).toEqual({ zone: 'cocody', address: 'Cocody' });
    expect(turns[2]!.decision.text).toContain('Total : 16 500 FCFA');
    expect(turns[2]!.conversation?.awaiting).toBe('confirmation');
  });

  it('does not order on a "oui" while the address is still missing: it asks again', () => {
    const t = lastOf(play(['Je veux 2 sacs noirs', 'oui']));
    expect(t.decision.order).toBeUndefined();
    expect(t.conversation?.awaiting).toBe('address');
  });

  it('answers another question normally in the middle of the dialogue and keeps the cart', () => {
    const turns = play([
      '2 sacs noirs livrés à Yopougon, je paie par Wave',
      "c'est quoi vos horaires ?",
      'oui',
    ]);
    expect(turns[1]!.decision.text).not.toContain('Récapitulatif');
    expect(turns[1]!.conversation?.awaiting).toBe('confirmation');
    expect(lastOf(turns).decision.order?.draft.total).toBe(31000);
  });

  it('says an out-of-stock product is unavailable and starts no cart', () => {
    const d = lastOf(play(['Je veux la robe wax'])).decision;
    expect(d.text).toMatch(/rupture/);
    expect(d.conversation).toBeNull();
  });

  it('refuses more than the stock and keeps the quantity that was possible', () => {
    const t = lastOf(play(['Je veux 2 sacs noirs', 'plutôt 9']));
    expect(t.decision.text).toContain('il ne reste que 5 × Sac noir');
    expect(t.conversation?.cart[0]?.quantity).toBe(2);
  });

  it('drops a cart left alone for more than 3 days', () => {
    const start: Conversation = {
      cart: [{ productId: 'prd_sac', quantity: 2 }],
      delivery: { zone: 'yopougon', address: 'Yopougon' },
      payment: 'wave',
      awaiting: 'confirmation',
      updatedAt: '2026-12-01T10:00:00Z',
    };
    const d = lastOf(play(['oui'], { start })).decision;
    expect(d.order).toBeUndefined();
    expect(d.conversation).toBeNull();
  });

  it('states no fee when the seller configured no delivery facts, and the order carries none', () => {
    const turns = play(['Je veux le sac noir', 'Marcory zone 4', 'wave', 'oui'], { playbook: undefined });
    expect(turns[2]!.decision.text).toContain('frais à confirmer par le vendeur');
    expect(turns[2]!.decision.text).toContain('Total : 15 000 FCFA');
    expect(lastOf(turns).decision.order?.draft).toMatchObject({ deliveryFee: 0, total: 15000 });
  });

  it('leaves the state alone when the customer opts out', () => {
    const t = lastOf(play(['Je veux 2 sacs noirs', 'STOP']));
    expect(t.decision.conversation).toBeUndefined();
    expect(t.conversation?.cart).toHaveLength(1);
  });

  it('offers the pick-up address when the customer collects, with no fee', () => {
    const withPickup: PlaybookInput = {
      ...playbook,
      pickup: { address: 'Plateau, rue du Commerce', hours: '9 h – 18 h' },
    };
    const turns = play(['Je veux le sac noir, je passe le récupérer, je paie par Wave', 'oui'], {
      playbook: withPickup,
    });
    expect(turns[0]!.decision.text).toContain('Retrait sur place : Plateau, rue du Commerce (9 h – 18 h)');
    expect(lastOf(turns).decision.order?.draft).toMatchObject({ deliveryFee: 0, total: 15000 });
  });
});

describe('order dialogue — reading', () => {
  const zones = playbook.delivery;
  const cases: { text: string; zone: string | undefined }[] = [
    { text: 'Yopougon', zone: 'yopougon' },
    { text: 'je suis a yopogon', zone: 'yopougon' },
    { text: 'YOPOUGON SELMER', zone: 'yopougon' },
    { text: 'Riviera 3', zone: 'cocody' },
    { text: 'angre 8e tranche', zone: 'cocody' },
    { text: 'cocodi', zone: 'cocody' },
    { text: 'Abobo', zone: undefined },
    { text: 'copie', zone: undefined },
  ];
  for (const c of cases) {
    it(`matches "${c.text}" to ${c.zone ?? 'no zone'}`, () => {
      expect(matchZone(normalizeText(c.text), zones)?.zone.id).toBe(c.zone);
    });
  }

  it('reads payment methods, and "orange" alone as a colour', () => {
    expect(readPayment(normalizeText('je paie par Orange Money'))).toBe('orange_money');
    expect(readPayment(normalizeText('par OM'))).toBe('orange_money');
    expect(readPayment(normalizeText('Wave'))).toBe('wave');
    expect(readPayment(normalizeText('à la livraison en espèces'))).toBe('cash_on_delivery');
    expect(readPayment(normalizeText('un sac orange'))).toBeUndefined();
  });

  it('reads a whole-message yes, and not a yes inside a longer request', () => {
    for (const t of ['oui', 'OK', "d'accord", 'vas-y', '👍', 'yes please', "oui c'est bon"])
      expect(isConfirmation(t, normalizeText(t))).toBe(true);
    for (const t of ['oui mais en rouge', 'non', 'ok pour 3 sacs ?', 'Cocody'])
      expect(isConfirmation(t, normalizeText(t))).toBe(false);
  });
});

// --- Properties ---------------------------------------------------------------------------------

const METHODS = [
  ['orange_money', 'je paie par Orange Money'],
  ['wave', 'paiement Wave'],
  ['cash_on_delivery', 'je paie en espèces'],
] as const;
const ZONES = [
  ['yopougon', 'Yopougon Selmer'],
  ['cocody', 'Riviera 3 près du marché'],
] as const;

describe('order dialogue — properties', () => {
  it('gives the same order for any interleaving of the same facts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom(...ZONES),
        fc.constantFrom(...METHODS),
        // Where each fact goes: message 0, 1 or 2 (facts in one message are joined), in any order.
        fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2)),
        (quantity, [zoneId, zoneText], [method, methodText], [productAt, zoneAt, payAt]) => {
          const messages: string[][] = [[], [], []];
          messages[productAt]!.push(`Je veux ${quantity} sacs noirs`);
          messages[zoneAt]!.push(zoneText);
          messages[payAt]!.push(methodText);
          const script = messages.filter((m) => m.length > 0).map((m) => m.join('. '));
          const d = lastOf(play([...script, 'oui'])).decision;
          expect(d.order?.draft.items).toEqual([
            { productId: 'prd_sac', name: 'Sac noir', quantity, unitPrice: 15000 },
          ]);
          expect(d.order?.draft.delivery.zone).toBe(zoneId);
          expect(d.order?.draft.paymentMethod).toBe(method);
          const fee = zoneId === 'yopougon' ? 1000 : 1500;
          expect(d.order?.draft.total).toBe(15000 * quantity + fee);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('totals the catalogue prices times the quantities plus the zone fee, and says that total', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 50_000 }),
        (price, quantity, fee) => {
          const cat: Product[] = [{ id: 'prd_x', name: 'Montre dorée', price, currency: 'XOF', stock: null }];
          const pb: PlaybookInput = {
            delivery: { zones: [{ id: 'marcory', name: 'Marcory', fee }] },
            payment: { methods: ['wave'] },
          };
          const turns = play([`Je veux ${quantity} montres dorées`, 'Marcory zone 4', 'wave', 'oui'], {
            catalog: cat,
            playbook: pb,
          });
          const summary = turns[2]!.decision.text ?? '';
          const total = price * quantity + fee;
          expect(summary).toContain(`Total : ${formatPrice(total, 'XOF', 'fr')}`);
          const draft = lastOf(turns).decision.order?.draft;
          expect(draft).toMatchObject({ subtotal: price * quantity, deliveryFee: fee, total });
        },
      ),
      { numRuns: 80 },
    );
  });

  it('never names an amount that is not a catalogue price, a total of them or a configured fee', () => {
    const pool = [
      'Je veux 2 sacs noirs',
      "C'est combien le sac noir ?",
      'Je prends les escarpins taille 39 en noir',
      'plutôt 3',
      'Yopougon Selmer',
      'Riviera 3',
      'Abobo gare',
      'je paie par Wave',
      'Orange Money',
      'par MTN',
      'oui',
      'non',
      'annule',
      'en rouge',
      'je veux aussi la robe wax',
      "c'est quoi vos horaires ?",
      'ok',
    ];
    const fees = [0, 1000, 1500, 2500];
    const allowed = new Set<number>();
    for (let a = 0; a <= 20; a++)
      for (let b = 0; b <= 20; b++) for (const f of fees) allowed.add(15000 * a + 20000 * b + f);
    allowed.add(12000);
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 8 }), (script) => {
        for (const t of play(script)) {
          for (const m of (t.decision.text ?? '').matchAll(/(\d{1,3}(?:[ ,]\d{3})*) FCFA/g)) {
            const amount = Number(m[1]!.replaceAll(/[ ,]/g, ''));
            expect(allowed.has(amount), `${amount} in "${t.decision.text}"`).toBe(true);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('keeps every state it returns valid for the decision context schema', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom('Je veux 2 sacs noirs', 'Cocody', 'wave', 'oui', 'plutôt 4', 'non', 'en rouge'),
          {
            maxLength: 6,
          },
        ),
        (script) => {
          // play() parses every context, the carried state included: an invalid state would throw.
          expect(() => play(script)).not.toThrow();
        },
      ),
      { numRuns: 60 },
    );
  });
});
