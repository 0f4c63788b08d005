/**
 * Products, variants and quantities a seller would sign (issue 13 item 6, issue 14 item 3). Each
 * case states a guarantee; the catalogue is written for these tests.
 */
import { describe, expect, it } from 'vitest';
import type { Product } from '../../domain/types.ts';
import { parseContext } from '../context.ts';
import { decide } from '../decide.ts';
import { composeReply } from '../reply.ts';
import { detectIntent } from './detect.ts';

const p = (id: string, name: string, extra: Partial<Product> = {}): Product => ({
  id,
  name,
  price: 10000,
  currency: 'XOF',
  stock: 5,
  ...extra,
});

const SHOP: readonly Product[] = [
  p('sac_noir', 'Sac noir', { aliases: ['sac en cuir noir'], price: 15000, category: 'sacs' }),
  p('sac_rouge', 'Sac à main rouge', { aliases: ['sac rouge'], price: 18000, category: 'sacs' }),
  p('montre', 'Montre', { aliases: ['watch'], price: 20000, category: 'accessoires' }),
  p('perruque', 'Perruque lisse', { price: 35000, category: 'cheveux' }),
  p('escarpin', 'Escarpins vernis', {
    aliases: ['escarpins'],
    price: 14000,
    category: 'chaussures',
    variants: { size: ['38', '39', '40'], colour: ['noir', 'nude'] },
  }),
  p('basket', 'Baskets blanches', {
    aliases: ['baskets'],
    price: 18000,
    category: 'chaussures',
    variants: { size: ['40', '41', '42'] },
  }),
  p('sandale', 'Sandales tressées', {
    aliases: ['sandales'],
    price: 8000,
    category: 'chaussures',
    variants: { colour: ['marron', 'noir'] },
  }),
  p('tecno', 'Tecno Spark 10', { aliases: ['spark'], price: 75000, category: 'téléphones' }),
  p('itel', 'Itel A70', { aliases: ['itel'], price: 52000, category: 'téléphones' }),
];

const ids = (text: string, catalog = SHOP) =>
  detectIntent({ text, catalog }).entities.products.map((m) => m.productId);

describe('product matching by whole words, colours and categories', () => {
  const none = [
    ['a word that is one letter from a product word ("match" is not "watch")', 'tu as vu le match hier ?'],
    ['"liste" is not "lisse"', 'Envoie-moi la liste des joueurs'],
    ['a colour the bags do not come in ("sac en marron")', 'vous avez le sac en marron ?'],
    ['another kind of bag ("sac à dos") when only handbags are sold', 'vous avez des sacs à dos ?'],
    ['"laisse" (a verb) is not "lisse"', 'laisse ça à 3000 stp'],
  ] as const;
  for (const [name, text] of none) it(`finds no product in ${name}`, () => expect(ids(text)).toEqual([]));

  it('reports what the catalogue lacks as unknownProduct ("sac marron", "sac a dos")', () => {
    expect(
      detectIntent({ text: 'le sac en marron c combien ?', catalog: SHOP }).entities.unknownProduct,
    ).toBe('sac marron');
    expect(
      detectIntent({ text: 'vous avez des sacs à dos ?', catalog: SHOP }).entities.unknownProduct,
    ).toContain('dos');
  });

  it('forgives a typo next to an exact word of the name ("sak noir" is "Sac noir")', () => {
    expect(ids('sak noir c combien')).toEqual(['sac_noir']);
  });

  it('narrows a family by the colour asked ("sac rouge" is the red one only)', () => {
    expect(ids("c'est combien le sac rouge ?")).toEqual(['sac_rouge']);
  });

  it('names the category asked about', () => {
    expect(detectIntent({ text: 'vous avez quoi comme téléphones ?', catalog: SHOP }).entities.category).toBe(
      'téléphones',
    );
  });
});

describe('variants', () => {
  it('carries the size chosen, in the catalogue spelling', () => {
    const m = detectIntent({ text: 'je prends les baskets en 42', catalog: SHOP }).entities.products[0];
    expect(m).toEqual(expect.objectContaining({ productId: 'basket', variant: { size: '42' } }));
    expect(m?.quantity).toBeUndefined();
  });

  it('carries a colour written in English as the catalogue value ("black" is "noir")', () => {
    const m = detectIntent({ text: 'the black sandales please how much', catalog: SHOP }).entities
      .products[0];
    expect(m?.variant).toEqual({ colour: 'noir' });
  });

  it('reports a colour the product does not come in, and the reply names those it has', () => {
    const v = detectIntent({ text: 'les sandales rouges sont dispo ?', catalog: SHOP });
    expect(v.entities.products[0]).toEqual(
      expect.objectContaining({ productId: 'sandale', unavailable: { colour: 'rouges' } }),
    );
    const reply = composeReply({ intent: v, consentAction: 'allow', catalog: SHOP, seed: 's' });
    expect(reply.text).toContain('pas en rouges, disponible en marron, noir');
  });
});

describe('quantities a seller would sign', () => {
  const cases: [string, string, Record<string, number>][] = [
    ['a corrected size is not a quantity', "c'est la taille 39 pas 40 pour les escarpins", {}],
    ['a counter in parentheses is not a quantity', 'le sac noir ? (2)', {}],
    ['a price in thousands ("15k") is not a quantity', 'le sac noir à 15k ?', {}],
    ['a price with spaces ("10 000 F") is not a quantity', 'je te donne 10 000 F pour la montre', {}],
    ['"15 mille" is a price', 'montre 15 mille ça va ?', {}],
    ['a phone number is not a quantity', 'appelez moi au 07 07 12 34 56 pour la montre', {}],
    [
      'an ordinal ("la 2e fois") is not a quantity',
      'c est la 2e fois que je demande le prix de la montre',
      {},
    ],
    ['a stated quantity still is', 'je veux 2 sacs noirs', { sac_noir: 2 }],
  ];
  for (const [name, text, want] of cases) {
    it(name, () => {
      const got: Record<string, number> = {};
      const v = detectIntent({ text, catalog: SHOP });
      for (const m of v.entities.products) if (m.quantity !== undefined) got[m.productId] = m.quantity;
      expect(got).toEqual(want);
      if (Object.keys(want).length === 0) expect(v.entities.quantity).toBeUndefined();
    });
  }

  it('reads the size of "taille 39 pas 40" as 39', () => {
    const m = detectIntent({ text: "c'est la taille 39 pas 40 pour les escarpins", catalog: SHOP }).entities
      .products[0];
    expect(m?.variant).toEqual({ size: '39' });
  });
});

function replyTo(text: string, catalog: readonly Product[] = SHOP) {
  return decide(
    parseContext({
      now: '2026-03-02T10:00:00Z',
      channel: { id: 'chn_1', createdAt: '2025-01-01T00:00:00Z', transport: 'cloud' },
      contact: { id: 'ctc_1', phone: '+2250701020304', lastInboundAt: '2026-03-02T09:00:00Z' },
      message: { id: 'wamid.1', text },
      catalog,
    }),
  );
}

describe('replies', () => {
  it('lists the category asked about, not the whole catalogue', () => {
    const d = replyTo('vous avez quoi comme téléphones ?');
    expect(d.text).toContain('Tecno Spark 10');
    expect(d.text).toContain('Itel A70');
    expect(d.text).not.toContain('Sac noir');
    expect(d.entities.category).toBe('téléphones');
  });

  it('ranks the list shown for an unknown product by relevance (bags first for "sac de voyage")', () => {
    const d = replyTo('vous avez des sacs de voyage ?');
    expect(d.entities.unknownProduct).toBeDefined();
    const lines = (d.text ?? '').split('\n').filter((l) => l.startsWith('•'));
    expect(lines[0]).toMatch(/Sac/);
    expect(lines[1]).toMatch(/Sac/);
  });

  it('does not quote a price for an off-topic message', () => {
    const d = replyTo('tu as vu le match hier ?');
    expect(d.text ?? '').not.toMatch(/FCFA/);
  });

  it('asks instead of guessing when the engine is not sure, and says so in the reasons', () => {
    const v = detectIntent({ text: 'livraison', catalog: SHOP });
    const unsure = { ...v, intent: 'delivery' as const, intents: ['delivery' as const], confidence: 0.2 };
    const reply = composeReply({ intent: unsure, consentAction: 'allow', catalog: SHOP, seed: 's' });
    expect(reply.text).toMatch(/pas bien compris/);
    expect(reply.reasons.map((r) => r.code)).toContain('decide.low_confidence');
    const optOut = composeReply({
      intent: { ...unsure, unconfirmedConsent: 'opt_out' },
      consentAction: 'allow',
      catalog: SHOP,
      seed: 's',
    });
    expect(optOut.text).toContain('STOP');
  });

  it('reports the confidence in the decision', () => {
    const d = replyTo('STOP');
    expect(d.confidence).toBe(1);
    expect(replyTo('bonjour, le sac noir c combien ?').confidence).toBeGreaterThan(0.45);
  });
});
