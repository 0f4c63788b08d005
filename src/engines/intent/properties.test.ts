/**
 * Properties of the intent engine that hold for whole families of messages, not single examples:
 * spelling noise (accents, case, punctuation, polite filler) does not change what a simple message
 * asks; opting out stays exact (a stop keyword alone always opts out, a stop word in an ordinary
 * sentence never does); a colour or size the catalogue lacks is never read as another one; numbers
 * in other roles are not quantities. The messages are written for these tests.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Product } from '../../domain/types.ts';
import { detectIntent, readIntent } from '../intent.ts';
import { normalizeText } from '../text.ts';

const CATALOG: Product[] = [
  { id: 'sac_noir', name: 'Sac noir', price: 15000, currency: 'XOF', stock: 4, category: 'sacs' },
  { id: 'sac_rouge', name: 'Sac rouge', price: 16000, currency: 'XOF', stock: 2, category: 'sacs' },
  {
    id: 'escarpins',
    name: 'Escarpins vernis',
    aliases: ['escarpins'],
    price: 22000,
    currency: 'XOF',
    stock: 5,
    category: 'chaussures',
    variants: { size: ['38', '39', '40'] },
  },
  {
    id: 'robe',
    name: 'Robe wax',
    price: 12000,
    currency: 'XOF',
    stock: 3,
    category: 'vêtements',
    variants: { colour: ['bleu', 'vert'] },
  },
  { id: 'itel', name: 'Itel A70', price: 60000, currency: 'XOF', stock: 3, category: 'téléphones' },
  { id: 'spark', name: 'Tecno Spark 10', price: 90000, currency: 'XOF', stock: 2, category: 'téléphones' },
] as Product[];

const intentOf = (text: string) => detectIntent({ text, catalog: CATALOG }).intent;

/** Simple messages whose intent nobody would argue about, with that intent. */
const SIMPLE: [string, string][] = [
  ['Le sac noir c’est combien ?', 'price'],
  ['Vous livrez à Yopougon ?', 'delivery'],
  ['Vous êtes situés où exactement ?', 'location'],
  ['Vous ouvrez à quelle heure le samedi ?', 'hours'],
  ['Je veux parler à une vraie personne', 'human'],
  ['How much is the Itel A70?', 'price'],
  ['Do you deliver to Kumasi?', 'delivery'],
  ['What time do you close today?', 'hours'],
  ['Je peux payer par Wave ?', 'payment'],
  ['Bonjour', 'greeting'],
  ['Merci beaucoup, bonne journée', 'thanks'],
  ['STOP', 'opt_out'],
  ['Je ne veux plus recevoir vos messages', 'opt_out'],
  ['START', 'opt_in'],
];

/** Words a customer adds without changing the question. */
const FILLER = ['svp', 'stp', 'please', 'euh', 'hein', 'oh', 'pls', 'abeg'];

function stripAccents(s: string): string {
  return s.normalize('NFD').replace(/\p{M}+/gu, '');
}

describe('intent properties', () => {
  it('gives each simple message its intent', () => {
    for (const [text, want] of SIMPLE) expect(intentOf(text), text).toBe(want);
  });

  it('reads a message without accents, in capitals or with extra punctuation the same way', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SIMPLE),
        fc.constantFrom('plain', 'no-accents', 'upper', 'lower', 'bangs'),
        ([text, want], how) => {
          const variant =
            how === 'no-accents'
              ? stripAccents(text)
              : how === 'upper'
                ? text.toUpperCase()
                : how === 'lower'
                  ? text.toLowerCase()
                  : how === 'bangs'
                    ? `${text.replace(/[?.!]+$/, '')} ???!!`
                    : text;
          expect(intentOf(variant)).toBe(want);
        },
      ),
      { seed: 14, numRuns: 120 },
    );
  });

  it('keeps the intent of a simple message when polite filler is added at either end', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SIMPLE.filter(([, intent]) => intent !== 'opt_in' && intent !== 'greeting')),
        fc.constantFrom(...FILLER),
        fc.boolean(),
        ([text, want], filler, before) => {
          const variant = before ? `${filler} ${text}` : `${text} ${filler}`;
          expect(intentOf(variant)).toBe(want);
        },
      ),
      { seed: 14, numRuns: 120 },
    );
  });

  it('is deterministic: the same text always gives the same verdict', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        expect(detectIntent({ text, catalog: CATALOG })).toEqual(detectIntent({ text, catalog: CATALOG }));
      }),
      { seed: 14, numRuns: 200 },
    );
  });

  it('opts out on a stop keyword alone, whatever its case, punctuation and politeness', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('stop', 'arrêt', 'arrete', 'désabonner', 'unsubscribe'),
        fc.constantFrom('', 'svp', 'please', 'merci', 'stp'),
        fc.constantFrom('', '!', '!!!', '.', ' 🙏'),
        fc.boolean(),
        (word, polite, end, upper) => {
          const text = `${upper ? word.toUpperCase() : word} ${polite}${end}`;
          expect(intentOf(text)).toBe('opt_out');
        },
      ),
      { seed: 14, numRuns: 150 },
    );
  });

  it('never opts out on "stop" inside an ordinary shop question', () => {
    const sentences = [
      'Vous avez des caméras stop motion ?',
      'Le bus stop le plus proche de la boutique c’est lequel ?',
      'Vous êtes ouverts non stop le samedi ?',
      'Le taxi peut s’arrêter devant la boutique ?',
      'Mon téléphone s’arrête tout seul depuis hier',
      'Stop, je me suis trompée : c’est le sac rouge que je veux',
      'Can you stop by my office with the bag?',
      'Please don’t stop sending the promos',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...sentences),
        fc.constantFrom('', ' svp', ' merci', ' please'),
        (s, tail) => {
          const verdict = detectIntent({ text: `${s}${tail}`, catalog: CATALOG });
          expect(verdict.intent).not.toBe('opt_out');
        },
      ),
      { seed: 14, numRuns: 60 },
    );
  });

  it('never answers a colour the catalogue lacks with another colour of the product', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('marron', 'rose', 'jaune', 'gris', 'beige'),
        fc.constantFrom('Vous avez la robe wax en', 'La robe wax', 'Robe wax'),
        (colour, start) => {
          const v = detectIntent({ text: `${start} ${colour} ?`, catalog: CATALOG });
          for (const p of v.entities.products) {
            if (p.productId !== 'robe') continue;
            expect(p.variant?.colour).toBeUndefined();
          }
        },
      ),
      { seed: 14, numRuns: 40 },
    );
  });

  it('never reads a size as a quantity', () => {
    fc.assert(
      fc.property(fc.constantFrom('38', '39', '40'), fc.constantFrom('38', '39', '40'), (a, b) => {
        const texts = [
          `c'est la taille ${a} pas ${b} pour les escarpins`,
          `escarpins pointure ${a} svp`,
          `les escarpins en ${a} vous avez ?`,
        ];
        for (const text of texts) {
          const v = detectIntent({ text, catalog: CATALOG });
          for (const p of v.entities.products) expect(p.quantity ?? 1, text).toBeLessThan(2);
          expect(v.entities.quantity ?? 1, text).toBeLessThan(2);
        }
      }),
      { seed: 14, numRuns: 9 },
    );
  });

  it('never reads a colour code, a date, an hour, a price, a phone number or a count of people as a quantity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 30 }),
        fc.constantFrom('sac noir', 'robe wax', 'escarpins', 'Itel A70'),
        (n, product) => {
          const texts = [
            `${product} couleur ${n} vous avez ?`,
            `le ${product} en coloris ${n} c'est combien`,
            `je passe le ${n} mars prendre le ${product}`,
            `${product} dispo ? je viens vers ${n}h`,
            `${product} à ${n} 000 ça va ?`,
            `${product} à ${n}k ?`,
            `appelez-moi au 07 ${n} 45 12 pour le ${product}`,
            `j'ai montré le ${product} à ${n} copines, c'est combien ?`,
            `I showed the ${product} to ${n} friends, how much?`,
          ];
          for (const text of texts) {
            const v = detectIntent({ text, catalog: CATALOG });
            for (const p of v.entities.products) expect(p.quantity ?? 1, text).toBeLessThan(2);
            expect(v.entities.quantity ?? 1, text).toBeLessThan(2);
          }
        },
      ),
      { seed: 14, numRuns: 30 },
    );
  });

  it('still reads the quantities customers state', () => {
    const cases: [string, number][] = [
      ['je veux 3 sacs noirs', 3],
      ['2 robes wax svp', 2],
      ["il m'en faut 6 paquets", 6],
      ["j'en veux 4", 4],
      ['I want 2 Itel A70', 2],
    ];
    for (const [text, want] of cases) {
      const v = detectIntent({ text, catalog: CATALOG });
      const got = v.entities.products[0]?.quantity ?? v.entities.quantity;
      expect(got, text).toBe(want);
    }
  });

  it('never takes a phone named only as what an accessory fits, nor a product the customer excludes', () => {
    const catalog = [
      ...CATALOG,
      { id: 'coque', name: 'Coque silicone', price: 3000, currency: 'XOF', stock: 9 },
      { id: 'cable', name: 'Câble USB-C', price: 2500, currency: 'XOF', stock: 9 },
      { id: 'chargeur', name: 'Chargeur rapide', price: 7000, currency: 'XOF', stock: 9 },
    ] as Product[];
    const cases: [string, string[]][] = [
      ['la coque rose de l’Itel A70 c’est combien ?', ['coque']],
      ['coque pour Spark 10 ?', ['coque']],
      ['le chargeur rapide seul sans câble, combien ?', ['chargeur']],
      ['le chargeur et le câble usb-c, combien les deux ?', ['chargeur', 'cable']],
      ['vos câbles qui arrêtent pas de charger là, vous avez mieux ?', ['cable']],
    ];
    for (const [text, want] of cases) {
      const v = detectIntent({ text, catalog });
      expect(
        v.entities.products.map((p) => p.productId),
        text,
      ).toEqual(want);
    }
  });

  it('does not read a number in parentheses after a question as a quantity', () => {
    const v = detectIntent({ text: 'le sac noir ? (2)', catalog: CATALOG });
    expect(v.entities.products.map((p) => p.quantity ?? 1)).toEqual([1]);
  });

  it('reads a bare acknowledgement as thanks, and an acknowledgement with a request as the request', () => {
    for (const text of ['ok', 'Ok merci', '👍🏾', 'Ty', "d'accord 🙏", 'bien reçu'])
      expect(intentOf(text), text).toBe('thanks');
    expect(intentOf('ok je prends le sac noir')).toBe('order');
    expect(intentOf('ok le sac noir c’est combien ?')).toBe('price');
  });

  it('names the category asked about instead of a product', () => {
    for (const text of ['Vous avez quoi comme téléphones ?', 'What phones do you have?']) {
      const v = detectIntent({ text, catalog: CATALOG });
      expect(v.entities.category, text).toBe('téléphones');
      expect(v.entities.products, text).toEqual([]);
    }
  });
});

describe('the normalized text readIntent hands on', () => {
  const texts = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.constantFrom(
      'S T O P',
      'st0p',
      'Stop, send me your price list',
      '2 sacs (x3)',
      'Sac noir 🔥 svp',
      'Merciii',
    ),
  );
  it('is normalizeText of the message whenever it is given', () => {
    fc.assert(
      fc.property(texts, (text) => {
        const read = readIntent({ text, catalog: CATALOG });
        expect(read.verdict).toEqual(detectIntent({ text, catalog: CATALOG }));
        if (read.normalizedText !== undefined) expect(read.normalizedText).toBe(normalizeText(text));
      }),
    );
  });
});
