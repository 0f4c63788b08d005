/**
 * Issue 13, the limits the first sale work left: (a) a customer who sent STOP and writes again can
 * still buy (the order dialogue runs for them, every reply ends with the START reminder once, the
 * order is placed); (b) a question in the middle of the dialogue is answered, then the bot says what
 * the order still waits for; a price question about another product does not put it in the cart.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Product } from '../domain/types.ts';
import { type Conversation, type DecisionContext, type PlaybookInput, parseContext } from './context.ts';
import { type Decision, decide } from './decide.ts';

const catalog: Product[] = [
  { id: 'prd_sac', name: 'Sac noir', price: 15000, currency: 'XOF', stock: 5 },
  {
    id: 'prd_esc',
    name: 'Escarpins',
    price: 20000,
    currency: 'XOF',
    stock: 3,
    variants: { size: ['39', '40'] },
  },
];

const playbook: PlaybookInput = {
  delivery: {
    zones: [
      { id: 'yopougon', name: 'Yopougon', fee: 1000, delay: '24 h' },
      { id: 'cocody', name: 'Cocody', aliases: ['Riviera'], fee: 1500 },
    ],
    default: { fee: 2500 },
  },
  payment: { methods: ['orange_money', 'wave'] },
  info: { hours: { fr: 'Du lundi au samedi, 8 h – 19 h', en: 'Monday to Saturday, 8 am – 7 pm' } },
};

const START_FR = /répondez START/g;

interface Turn {
  text: string;
  decision: Decision;
  conversation?: Conversation;
}

function play(
  texts: readonly string[],
  options: { optedOut?: boolean; playbook?: PlaybookInput } = {},
): Turn[] {
  let conversation: Conversation | undefined;
  let stage: DecisionContext['contact']['stage'] = options.optedOut ? 'opted_out' : 'engaged';
  return texts.map((text, i) => {
    const decision = decide(
      parseContext({
        now: '2026-12-06T10:00:00Z',
        channel: { id: 'chn_1', createdAt: '2026-01-01T00:00:00Z', transport: 'cloud' },
        contact: {
          id: 'ctc_1',
          name: 'Fatou Diallo',
          stage,
          optedOut: options.optedOut ?? false,
          lastInboundAt: '2026-12-06T09:59:00Z',
          lastOutboundAt: '2026-12-06T09:59:30Z',
        },
        message: { id: `wamid.${i}`, text },
        catalog,
        playbook: options.playbook ?? playbook,
        ...(conversation ? { conversation } : {}),
      }),
    );
    if (decision.conversation !== undefined) conversation = decision.conversation ?? undefined;
    stage = decision.contactUpdate.stage;
    return { text, decision, ...(conversation ? { conversation } : {}) };
  });
}

const SALE = [
  'Je veux 2 sacs noirs',
  'Yopougon Selmer, près de la pharmacie. Je paie par Orange Money',
  'oui',
];

describe('a customer who sent STOP and writes again can still buy (13.7 with 13.2)', () => {
  it('runs the same dialogue, places the same order, and keeps them opted out', () => {
    const subscribed = play(SALE);
    const optedOut = play(SALE, { optedOut: true });
    expect(optedOut.map((t) => t.decision.action)).toEqual(['reply', 'reply', 'reply']);
    expect(optedOut[1]!.decision.text).toContain('Total : 31 000 FCFA');
    expect(optedOut[2]!.decision.order?.draft).toEqual(subscribed[2]!.decision.order?.draft);
    expect(optedOut[2]!.decision.order?.draft.total).toBe(31000);
    for (const t of optedOut) {
      expect(t.decision.contactUpdate.optedOut).toBe(true);
      // The worker sends these: it lets through replies decided knowing the opt-out.
      expect(t.decision.reasons.map((r) => r.code)).toContain('consent.opted_out_reply_only');
    }
  });

  it('ends every reply of the dialogue with the START reminder, exactly once, and subscribed customers never see it', () => {
    for (const t of play(SALE, { optedOut: true })) {
      const text = t.decision.text ?? '';
      expect(text.match(START_FR)?.length, text).toBe(1);
      expect(text.trimEnd().endsWith('recevoir de nouveau.'), text).toBe(true);
    }
    for (const t of play(SALE)) expect(t.decision.text).not.toMatch(START_FR);
  });

  it('reminds in English an English-speaking customer', () => {
    const turns = play(['I want 2 black bags', 'Cocody, I pay with Wave', 'yes'], {
      optedOut: true,
      playbook: { ...playbook, templates: {} },
    });
    for (const t of turns) expect(t.decision.text).toMatch(/reply START/);
  });

  it('puts the reminder after what the order waits for when a question comes in the middle', () => {
    const turns = play(['Je veux 2 sacs noirs', "c'est quoi vos horaires ?"], { optedOut: true });
    const lines = (turns[1]!.decision.text ?? '').split('\n');
    expect(lines[0]).toContain('8 h – 19 h');
    expect(lines[1]).toMatch(/commande \(2 × Sac noir\).*adresse de livraison/);
    expect(lines[2]).toMatch(/START/);
    expect(lines).toHaveLength(3);
  });

  it('stays silent on a second STOP in the middle of the dialogue and keeps the cart', () => {
    const turns = play(['Je veux 2 sacs noirs', 'STOP'], { optedOut: true });
    expect(turns[1]!.decision.action).toBe('skip');
    expect(turns[1]!.conversation?.cart).toHaveLength(1);
  });

  it('places the same order for any interleaving of the same facts, opted out or not (property)', () => {
    const zones = [
      ['yopougon', 'Yopougon Selmer'],
      ['cocody', 'Riviera 3'],
    ] as const;
    const methods = [
      ['orange_money', 'je paie par Orange Money'],
      ['wave', 'par Wave'],
    ] as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom(...zones),
        fc.constantFrom(...methods),
        fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2)),
        fc.boolean(),
        (quantity, [zoneId, zoneText], [method, methodText], [productAt, zoneAt, payAt], optedOut) => {
          const messages: string[][] = [[], [], []];
          messages[productAt]!.push(`Je veux ${quantity} sacs noirs`);
          messages[zoneAt]!.push(zoneText);
          messages[payAt]!.push(methodText);
          const script = [...messages.filter((m) => m.length > 0).map((m) => m.join('. ')), 'oui'];
          const turns = play(script, { optedOut });
          const d = turns[turns.length - 1]!.decision;
          expect(d.order?.draft).toMatchObject({
            items: [{ productId: 'prd_sac', quantity, unitPrice: 15000 }],
            paymentMethod: method,
            delivery: { zone: zoneId },
            total: 15000 * quantity + (zoneId === 'yopougon' ? 1000 : 1500),
          });
          for (const t of turns) {
            expect((t.decision.text ?? '').match(START_FR)?.length ?? 0).toBe(optedOut ? 1 : 0);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('a question in the middle of the order dialogue (13.2)', () => {
  const waits: { name: string; script: string[]; want: RegExp }[] = [
    {
      name: 'the delivery address',
      script: ['Je veux 2 sacs noirs'],
      want: /\(2 × Sac noir\), (il me manque|j’attends) encore votre adresse de livraison/,
    },
    {
      name: 'the variant, with its options',
      script: ['Je veux les escarpins'],
      want: /encore la taille pour Escarpins \(39, 40\)/,
    },
    {
      name: 'the payment method, with the accepted ones',
      script: ['Je veux 2 sacs noirs', 'Yopougon'],
      want: /encore votre mode de paiement \(Orange Money, Wave\)/,
    },
    {
      name: 'the confirmation, with the total of the summary',
      script: ['2 sacs noirs livrés à Yopougon, je paie par Wave'],
      want: /encore votre accord sur le récapitulatif \(total 31 000 FCFA\) : répondez « oui »/,
    },
  ];
  for (const w of waits) {
    it(`answers the question, then says the order waits for ${w.name}`, () => {
      const turns = play([...w.script, "c'est quoi vos horaires ?"]);
      const last = turns[turns.length - 1]!;
      const [answer, reminder, ...rest] = (last.decision.text ?? '').split('\n');
      expect(answer).toContain('8 h – 19 h');
      expect(reminder).toMatch(w.want);
      expect(rest).toEqual([]);
      expect(last.decision.reasons.map((r) => r.code)).toContain('order.pending');
      // The state is untouched: the next answer continues where the dialogue was.
      expect(last.decision.conversation).toBeUndefined();
    });
  }

  it('continues where it was after the question: the "oui" still confirms the summary', () => {
    const turns = play([
      '2 sacs noirs livrés à Yopougon, je paie par Wave',
      "c'est quoi vos horaires ?",
      'oui',
    ]);
    expect(turns[2]!.decision.order?.draft.total).toBe(31000);
  });

  it('answers a price question about another product without putting it in the cart', () => {
    const turns = play([
      'Je veux 2 sacs noirs',
      "c'est combien les escarpins ?",
      'Yopougon, par Wave',
      'oui',
    ]);
    expect(turns[1]!.decision.text).toContain('20 000 FCFA');
    expect(turns[1]!.decision.text).toMatch(/encore votre adresse de livraison/);
    expect(turns[1]!.decision.reasons.map((r) => r.code)).toContain('order.question_not_added');
    expect(turns[1]!.conversation?.cart).toEqual([{ productId: 'prd_sac', quantity: 2 }]);
    expect(turns[3]!.decision.order?.draft.items.map((i) => i.productId)).toEqual(['prd_sac']);
    expect(turns[3]!.decision.order?.draft.total).toBe(31000);
  });

  it('still adds another product the customer orders in the middle of the dialogue', () => {
    const turns = play(['Je veux 2 sacs noirs', 'je veux aussi les escarpins en 39']);
    expect(turns[1]!.conversation?.cart.map((l) => l.productId)).toEqual(['prd_sac', 'prd_esc']);
  });

  it('says nothing more when nothing is being ordered', () => {
    const [t] = play(["c'est quoi vos horaires ?"]);
    expect(t!.decision.text).not.toMatch(/commande/);
  });
});
