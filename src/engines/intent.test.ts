import { describe, expect, it } from 'vitest';
import type { Intent, Language, Product } from '../domain/types.ts';
import { detectIntent, INTENT_CODES, INTENT_PRIORITY, type IntentVerdict } from './intent.ts';

function product(
  id: string,
  name: string,
  aliases: string[] = [],
  price = 10000,
  stock: number | null = 5,
): Product {
  return { id, name, aliases, price, currency: 'XOF', stock };
}

const SHOP: readonly Product[] = [
  product('sac_noir', 'Sac noir', ['sac en cuir noir', 'black bag'], 15000),
  product('sac_rouge', 'Sac à main rouge', ['sac rouge', 'red handbag']),
  product('nike', 'Baskets Nike', ['chaussures nike', 'nike', 'sneakers nike']),
  product('robe_wax', 'Robe wax', ['robe en wax', 'wax dress']),
  product('tshirt', 'T-shirt', ['tee-shirt', 'tshirt']),
  product('montre', 'Montre', ['watch']),
  product('iphone11', 'iPhone 11', ['iphone11']),
  product('coque', 'Coque iPhone', ['coque', 'phone case']),
  product('perruque', 'Perruque', ['perruque brésilienne', 'wig']),
  product('parfum', 'Parfum Dior Sauvage', ['parfum dior'], 45000, 0),
];
/** One bag only, no perfume: "sac rouge" can only be the bag family, "parfum" is unknown. */
const ONE_BAG: readonly Product[] = [
  product('sac_noir', 'Sac noir', [], 15000),
  product('robe_wax', 'Robe wax'),
  product('montre', 'Montre'),
];

interface Want {
  intent?: Intent;
  intents?: Intent[];
  notIntents?: Intent[];
  language?: Language;
  /** Product ids in message order, exactly. */
  products?: string[];
  /** Score bounds for the first product. */
  exact?: boolean;
  quantities?: (number | undefined)[];
  quantity?: number | null;
  unknownProduct?: string | null;
  codes?: string[];
}

interface Case {
  name: string;
  text: string;
  catalog?: readonly Product[];
  defaultLanguage?: Language;
  want: Want;
}

function check(v: IntentVerdict, want: Want): void {
  if (want.intent) expect(v.intent).toBe(want.intent);
  if (want.intents) expect(v.intents).toEqual(want.intents);
  for (const i of want.notIntents ?? []) expect(v.intents).not.toContain(i);
  if (want.language) expect(v.language).toBe(want.language);
  if (want.products) expect(v.entities.products.map((p) => p.productId)).toEqual(want.products);
  if (want.exact !== undefined) {
    const score = v.entities.products[0]?.score ?? 0;
    if (want.exact) expect(score).toBe(1);
    else {
      expect(score).toBeGreaterThan(0);
      expect(score).toBeLessThan(1);
    }
  }
  if (want.quantities) expect(v.entities.products.map((p) => p.quantity)).toEqual(want.quantities);
  if (want.quantity !== undefined) expect(v.entities.quantity).toBe(want.quantity ?? undefined);
  if (want.unknownProduct !== undefined)
    expect(v.entities.unknownProduct).toBe(want.unknownProduct ?? undefined);
  const codes = v.reasons.map((r) => r.code);
  for (const c of want.codes ?? []) expect(codes).toContain(c);
}

function run(c: Case): IntentVerdict {
  const input = { text: c.text, catalog: c.catalog ?? SHOP };
  return detectIntent(c.defaultLanguage ? { ...input, defaultLanguage: c.defaultLanguage } : input);
}

const optOut: Case[] = [
  'STOP',
  'stop',
  'Stop!!!',
  'STOP!!!',
  'ARRET',
  'ARRÊT',
  'arrêt',
  'ARRETEZ',
  'Arrêtez svp',
  "arrêtez de m'écrire",
  'DESABONNER',
  'DÉSABONNER',
  'désabonner',
  'UNSUBSCRIBE',
  'unsubscribe',
  'stop svp',
  'je veux me désabonner',
  'please unsubscribe me',
  'Ne m’envoyez plus de messages',
  'Stop sending me messages',
  'Stop 😡',
].map((text) => ({ name: `opts out on "${text}"`, text, want: { intent: 'opt_out' } }));

const hardNegatives: Case[] = [
  {
    name: 'does not opt out when the bus stops in front of the shop',
    text: "le bus s'arrête devant la boutique ?",
    want: { intent: 'location', notIntents: ['opt_out'] },
  },
  {
    name: 'does not opt out on a bus stop name',
    text: 'arrêt de bus Cocody, vous êtes loin ?',
    want: { intent: 'location', notIntents: ['opt_out'] },
  },
  { name: 'does not opt out on "non stop"', text: 'non stop', want: { notIntents: ['opt_out'] } },
  {
    name: 'does not opt out on "je m\'arrête là" (the customer is leaving)',
    text: "Je m'arrête là pour aujourd'hui, merci",
    want: { intent: 'thanks', notIntents: ['opt_out'] },
  },
  {
    name: 'does not opt out when "non stop" qualifies a delivery question',
    text: 'Vous livrez non stop même le dimanche ?',
    want: { intent: 'delivery', notIntents: ['opt_out'] },
  },
  {
    name: 'does not opt out when "arrêté" sits in a long ordinary sentence',
    text: "J'ai arrêté de chercher ailleurs, je prends le sac noir",
    want: { intent: 'order', products: ['sac_noir'], notIntents: ['opt_out'] },
  },
  {
    name: 'does not opt out when a short message with stop asks about delivery',
    text: 'arrêtez la livraison svp',
    want: { intent: 'delivery', notIntents: ['opt_out'] },
  },
  {
    name: 'reads unsubscribe as opt-out, never as opt-in',
    text: 'unsubscribe',
    want: { intents: ['opt_out'] },
  },
];

const optIn: Case[] = [
  { name: 'opts in on START', text: 'START', want: { intent: 'opt_in' } },
  {
    name: 'opts in on "je veux recevoir vos messages"',
    text: 'Je veux recevoir vos messages',
    want: { intent: 'opt_in' },
  },
  { name: 'opts in on "réabonner"', text: 'réabonner', want: { intent: 'opt_in' } },
  { name: 'opts in on "subscribe"', text: 'Subscribe me please', want: { intent: 'opt_in' } },
  {
    name: 'does not opt in on "start" inside a longer question',
    text: 'when does the delivery start for Lekki orders please?',
    want: { notIntents: ['opt_in'] },
  },
  {
    name: 'prefers opt-out when a message says it no longer wants the messages',
    text: 'Je ne veux plus recevoir vos messages',
    want: { intents: ['opt_out'] },
  },
];

const multiIntent: Case[] = [
  {
    name: 'finds price first and greeting second in "Bonjour, c\'est combien le sac noir ?"',
    text: "Bonjour, c'est combien le sac noir ?",
    want: { intent: 'price', intents: ['price', 'greeting'], products: ['sac_noir'], exact: true },
  },
  {
    name: 'finds both questions in "c combien le sac noir et vous livrez a cocody?"',
    text: 'c combien le sac noir et vous livrez a cocody?',
    want: { intent: 'price', intents: ['price', 'delivery'], products: ['sac_noir'] },
  },
  {
    name: 'puts payment before delivery and greeting',
    text: 'Bonsoir, vous livrez à Koumassi ? Et je paie comment ?',
    want: { intents: ['payment', 'delivery', 'greeting'] },
  },
  {
    name: 'puts a request for a human before the order it mentions',
    text: 'Bonjour, je veux parler à un conseiller pour une commande',
    want: { intent: 'human' },
  },
  {
    name: 'puts a complaint before the payment it mentions',
    text: "J'ai payé et je n'ai rien reçu",
    want: { intent: 'complaint', intents: ['complaint', 'payment'] },
  },
  {
    name: 'reads "dernier prix" as negotiation, not as a price question',
    text: 'Dernier prix pour la montre ?',
    want: { intents: ['negotiate'], products: ['montre'] },
  },
  {
    name: 'reads the price of delivery as a delivery question',
    text: 'La livraison à Yopougon c’est combien ?',
    want: { intents: ['delivery'] },
  },
  {
    name: 'reads "il en reste combien" as a stock question',
    text: 'Il en reste combien des montres ?',
    want: { intents: ['availability'], products: ['montre'] },
  },
  {
    name: 'does not read a conditional "si je prends 3" as an order',
    text: 'Pas de remise si je prends 3 ?',
    want: { intent: 'negotiate', notIntents: ['order'], quantity: 3 },
  },
  {
    name: 'reads thanks for a delivery as thanks',
    text: 'Merci pour la livraison, le sac est top',
    want: { intent: 'thanks', notIntents: ['delivery'] },
  },
];

const sms: Case[] = [
  {
    name: 'reads "cb" as a price question',
    text: 'cb le sac noir',
    want: { intent: 'price', products: ['sac_noir'] },
  },
  {
    name: 'reads bjr/cmb/stp',
    text: 'bjr c cmb la montre stp',
    want: { intents: ['price', 'greeting'], products: ['montre'], language: 'fr' },
  },
  {
    name: 'reads "dispo" as availability',
    text: 'dispo la robe wax?',
    want: { intent: 'availability', products: ['robe_wax'] },
  },
  {
    name: 'reads "jveux 2 sac noir" as an order of 2',
    text: 'jveux 2 sac noir',
    want: { intent: 'order', products: ['sac_noir'], quantities: [2] },
  },
  { name: 'reads "pri" as prix', text: 'pri de la montre', want: { intent: 'price', products: ['montre'] } },
  { name: 'reads "vs livrez a yop"', text: 'vs livrez a yop?', want: { intent: 'delivery' } },
  {
    name: 'repairs a misspelt cue word ("lvraison")',
    text: 'lvraison cocody cb?',
    want: { intent: 'delivery' },
  },
  { name: 'reads repeated letters ("merciiiii")', text: 'merciiiii', want: { intent: 'thanks' } },
];

const products: Case[] = [
  {
    name: 'matches a plural name exactly ("sacs noirs")',
    text: 'Vous avez encore des sacs noirs ?',
    want: { intent: 'availability', products: ['sac_noir'], exact: true, codes: ['intent.product_matched'] },
  },
  {
    name: 'matches a one-letter typo in a product name with a score below 1 ("iphon 11")',
    text: 'iphon 11 dispo ?',
    want: { intent: 'availability', products: ['iphone11'], exact: false, codes: ['intent.product_fuzzy'] },
  },
  {
    name: 'matches a two-letter typo in a long word ("perrruqe" → perruque)',
    text: 'combien la perruqe',
    want: { products: ['perruque'], exact: false },
  },
  {
    name: 'matches a word spelt as it sounds ("perruk")',
    text: 'cbn le perruk',
    want: { products: ['perruque'], exact: false },
  },
  {
    name: 'never fuzzes a short word ("sak" is not "sac")',
    text: 'combien le sak',
    want: { products: [] },
  },
  {
    name: 'never reads an ordinary word as a product ("like" is not "nike")',
    text: "I'd like to know the price",
    want: { products: [] },
  },
  {
    name: 'matches the red bag exactly and not the black bag on "sac rouge"',
    text: "c'est combien le sac rouge ?",
    want: { products: ['sac_rouge'], exact: true },
  },
  {
    // Issue 13 item 6: a colour the catalogue does not have is not matched to another colour (the
    // old engine answered with the black bag here).
    name: 'never reads "sac rouge" as the black bag when only a black bag exists: an unknown product',
    text: "c'est combien le sac rouge ?",
    catalog: ONE_BAG,
    want: { products: [], unknownProduct: 'sac rouge' },
  },
  {
    name: 'never matches a product on a colour alone ("robe noire" is not "sac noir")',
    text: 'vous avez la chemise noire ?',
    catalog: ONE_BAG,
    want: { products: [] },
  },
  {
    name: 'returns every product asked ("le sac noir et les baskets")',
    text: 'Je veux le sac noir et les baskets',
    want: { intent: 'order', products: ['sac_noir', 'nike'] },
  },
  {
    name: 'lists every bag below score 0.5 when "le sac" is ambiguous',
    text: 'combien le sac ?',
    want: { products: ['sac_noir', 'sac_rouge'], exact: false },
  },
  {
    name: 'prefers the name with the most matched words ("coque iphone" is the case)',
    text: 'Il vous reste des coques iphone ?',
    want: { products: ['coque'], exact: true },
  },
  {
    name: 'reads a product named alone as a price question, in the default language',
    text: 'Sac noir ?',
    defaultLanguage: 'en',
    want: { intent: 'price', products: ['sac_noir'], language: 'en' },
  },
];

const quantities: Case[] = [
  { name: 'attaches digits ("2 sacs noirs")', text: 'je prends 2 sacs noirs', want: { quantities: [2] } },
  {
    name: 'attaches French number words ("deux robes")',
    text: 'Je commande deux robes wax',
    want: { quantities: [2] },
  },
  {
    name: 'attaches "x3" after the product',
    text: 'robe wax x3',
    want: { intent: 'order', quantities: [3] },
  },
  { name: 'attaches English number words ("two")', text: 'I want two t-shirts', want: { quantities: [2] } },
  { name: 'reads "a dozen" as 12', text: 'a dozen t-shirts please', want: { quantities: [12] } },
  {
    name: 'attaches each quantity to its own product',
    text: 'Mettez-moi 3 t-shirts et 1 montre',
    want: { products: ['tshirt', 'montre'], quantities: [3, 1] },
  },
  {
    name: 'keeps a bare quantity apart ("j\'en veux 3")',
    text: "j'en veux 3",
    want: { intent: 'order', quantity: 3 },
  },
  {
    name: 'reads "3 pièces" as a quantity',
    text: 'je prends 3 pièces',
    want: { intent: 'order', quantity: 3 },
  },
  {
    name: 'does not read a shoe size as a quantity',
    text: 'Dispo en 42 les Nike ?',
    want: { quantities: [undefined] },
  },
  {
    name: 'does not read a duration as a quantity',
    text: 'Toujours pas livré depuis 3 jours',
    want: { intent: 'complaint', quantity: null },
  },
  {
    name: 'does not read a model number as a quantity',
    text: "c'est combien l'iphone 11",
    want: { products: ['iphone11'], quantities: [undefined], quantity: null },
  },
];

const unknownProducts: Case[] = [
  {
    name: 'names the unknown product when the catalogue has no perfume',
    text: "c'est combien le parfum ?",
    catalog: ONE_BAG,
    want: { intent: 'price', products: [], unknownProduct: 'parfum', codes: ['intent.unknown_product'] },
  },
  {
    name: 'names an unknown product in English',
    text: 'Do you have the perfume?',
    catalog: ONE_BAG,
    want: { unknownProduct: 'perfume' },
  },
  {
    name: 'does not invent an unknown product for a pronoun',
    text: "C'est combien ça ?",
    want: { intent: 'price', unknownProduct: null },
  },
  {
    name: 'does not report an unknown product when a product matched',
    text: 'combien la montre',
    want: { products: ['montre'], unknownProduct: null },
  },
];

const emojis: Case[] = [
  { name: 'reads 🙏 as thanks', text: '🙏🙏', want: { intent: 'thanks' } },
  { name: 'reads 👋 as a greeting', text: '👋', want: { intent: 'greeting' } },
  {
    name: 'reads 💰 as a price question',
    text: '💰 sac noir ?',
    want: { intent: 'price', products: ['sac_noir'] },
  },
  { name: 'reads 🛒 as an order', text: '🛒 robe wax x2', want: { intent: 'order', quantities: [2] } },
  { name: 'reads an angry face alone as a complaint', text: '😡😡', want: { intent: 'complaint' } },
  {
    name: 'lets an angry face colour a negotiation without turning it into a complaint',
    text: 'tro cher ça 😡',
    want: { intent: 'negotiate', notIntents: ['complaint'] },
  },
];

const english: Case[] = [
  {
    name: 'reads an English price question',
    text: 'How much is the black bag?',
    want: { intent: 'price', products: ['sac_noir'], language: 'en' },
  },
  {
    name: 'reads an English delivery question',
    text: 'Do you deliver to Lekki?',
    want: { intent: 'delivery', language: 'en' },
  },
  {
    name: 'reads an English location question',
    text: 'Where is your shop?',
    want: { intent: 'location', language: 'en' },
  },
  {
    name: 'reads "last price" as negotiation',
    text: 'Last price abeg',
    want: { intent: 'negotiate', language: 'en' },
  },
  {
    name: 'reads an English request for a human',
    text: 'Can I talk to a real person?',
    want: { intent: 'human' },
  },
  {
    name: 'reads "I want a refund" as a complaint, not an order',
    text: 'I want a refund',
    want: { intents: ['complaint'] },
  },
];

const language: Case[] = [
  {
    name: 'answers French when French words dominate',
    text: 'Pls combien la montre',
    want: { language: 'fr' },
  },
  {
    name: 'answers English when English words dominate',
    text: 'Hello, is it still available?',
    want: { language: 'en' },
  },
  { name: 'falls back to French on a tie by default', text: 'STOP', want: { language: 'fr' } },
  {
    name: 'falls back to the default language on a tie',
    text: 'STOP',
    defaultLanguage: 'en',
    want: { language: 'en' },
  },
  {
    name: 'returns unknown with intent.none for a message with no cue',
    text: 'Je réfléchis',
    want: { intents: ['unknown'], codes: ['intent.none', 'intent.language'] },
  },
];

// "Stop, send me your price list": written for these tests. An opening stop closed by punctuation,
// then a request, is an interjection; a stop followed by a refusal or by our messages still opts out.
const stopInterjection: Case[] = [
  {
    name: 'does not opt out on "Stop, send me your price list"',
    text: 'Stop, send me your price list',
    want: { intent: 'catalog', notIntents: ['opt_out'] },
  },
  {
    name: 'does not opt out on "Arrête ! Envoie-moi la photo du sac noir"',
    text: 'Arrête ! Envoie-moi la photo du sac noir',
    want: { notIntents: ['opt_out'], products: ['sac_noir'] },
  },
  {
    name: 'does not opt out on "STOP. Send me your location please"',
    text: 'STOP. Send me your location please',
    want: { intent: 'location', notIntents: ['opt_out'] },
  },
  {
    name: 'does not opt out on "Ok stop, je veux la robe wax en L"',
    text: 'Ok stop, je veux la robe wax en L',
    want: { notIntents: ['opt_out'], products: ['robe_wax'] },
  },
  {
    name: 'does not opt out on "Stop : combien la montre ?"',
    text: 'Stop : combien la montre ?',
    want: { intent: 'price', notIntents: ['opt_out'], products: ['montre'] },
  },
  {
    name: 'explains the interjection in the model reason',
    text: 'Stop, send me your catalogue',
    want: { notIntents: ['opt_out'], codes: ['intent.model'] },
  },
  ...[
    'Stop sending me your price list',
    'Stop, send me nothing else',
    'Stop, I said no more messages',
    'Arrêtez, envoyez-moi plus rien',
    'Stop, send me your promos again and I block you',
    'Stop, ne m’écrivez plus',
    'STOP',
    'Stop!!!',
  ].map((text) => ({ name: `still opts out on "${text}"`, text, want: { intent: 'opt_out' as const } })),
];

const groups: [string, Case[]][] = [
  ['opt-out variants', optOut],
  ['hard negatives', hardNegatives],
  ['stop before a request', stopInterjection],
  ['opt-in', optIn],
  ['several intents', multiIntent],
  ['SMS spellings', sms],
  ['products', products],
  ['quantities', quantities],
  ['unknown products', unknownProducts],
  ['emojis', emojis],
  ['English', english],
  ['language', language],
];

describe('detectIntent', () => {
  for (const [group, cases] of groups) {
    describe(group, () => {
      it.each(cases)('$name', (c) => {
        check(run(c), c.want);
      });
    });
  }

  describe('verdict shape', () => {
    const all = groups.flatMap(([, cases]) => cases);
    it.each(all)('keeps intents unique, primary first, the others in priority order: $text', (c) => {
      const v = run(c);
      expect(v.intents[0]).toBe(v.intent);
      expect(new Set(v.intents).size).toBe(v.intents.length);
      expect(v.confidence).toBeGreaterThan(0);
      expect(v.confidence).toBeLessThanOrEqual(1);
      if (v.intent !== 'unknown') {
        // The model chooses the primary intent; the other intents keep the priority order.
        const ranks = v.intents.slice(1).map((i) => INTENT_PRIORITY.indexOf(i));
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      }
      for (const r of v.reasons) {
        expect(r.engine).toBe('intent');
        expect(INTENT_CODES).toContain(r.code);
      }
    });

    it('gives the same verdict for the same input (pure, memoized index)', () => {
      const a = detectIntent({ text: 'jveux 2 sacs noirs', catalog: SHOP });
      const b = detectIntent({ text: 'jveux 2 sacs noirs', catalog: SHOP });
      expect(b).toEqual(a);
    });

    it('indexes each catalogue array separately', () => {
      expect(detectIntent({ text: 'combien le parfum', catalog: SHOP }).entities.products[0]?.productId).toBe(
        'parfum',
      );
      expect(detectIntent({ text: 'combien le parfum', catalog: ONE_BAG }).entities.products).toEqual([]);
    });

    it('reports the catalogue id, name, matched words and score of a mention', () => {
      const v = detectIntent({ text: 'Je prends 2 sacs noirs', catalog: SHOP });
      expect(v.entities.products).toEqual([
        { productId: 'sac_noir', name: 'Sac noir', matched: 'sacs noirs', score: 1, quantity: 2 },
      ]);
    });

    it('works with an empty catalogue and an empty message', () => {
      expect(detectIntent({ text: '', catalog: [] })).toMatchObject({
        intent: 'unknown',
        intents: ['unknown'],
        language: 'fr',
        entities: { products: [] },
      });
    });
  });
});
