/**
 * Products, variants and quantities a seller would sign (issue 13 item 6, issue 14 item 3). Each
 * case states a guarantee; the catalogue is written for these tests.
 */
import fc from 'fast-check';
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

/** A hardware and grocery shop whose names are also ordinary words (written for these tests). */
const HARDWARE: readonly Product[] = [
  p('pile', 'Piles AA (paquet de 4)', { aliases: ['pile', 'piles'], price: 1200, category: 'électricité' }),
  p('serrure', 'Serrure de porte 3 clés', { aliases: ['serrure'], price: 9000, category: 'serrurerie' }),
  p('cle', 'Clé à molette', { aliases: ['molette'], price: 3500, category: 'outillage' }),
  p('mais', 'Maïs grain 1 kg', { aliases: ['maïs'], price: 800, category: 'épicerie' }),
  p('lipton', 'Lipton tea (100 bags)', {
    aliases: ['lipton', 'tea bags'],
    price: 3500,
    category: 'épicerie',
  }),
  p('riz', 'Royal rice 5 kg', { aliases: ['royal rice'], price: 11000, category: 'épicerie' }),
  p('frigo', 'Frigo bar 90 L', { aliases: ['frigo'], price: 145000, category: 'froid' }),
  p('congelateur', 'Congélateur coffre', { aliases: ['congélateur'], price: 230000, category: 'froid' }),
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

describe('word boundaries and ordinary words (issue 14 item 3)', () => {
  const cases: [string, string, readonly Product[], string[]][] = [
    ['a product word inside a verb is no product ("montrer")', 'je vais te montrer la route', SHOP, []],
    [
      'a word after a time of day is an adverb ("8h pile")',
      'le livreur peut passer avant 8h pile ?',
      HARDWARE,
      [],
    ],
    ['a count names the product ("2 piles")', 'il me faut 2 piles', HARDWARE, ['pile']],
    ['a function word is no product ("mais" is not "maïs")', 'mais je voulais savoir le prix', HARDWARE, []],
    ['the same word after a determiner is one ("du maïs")', 'vous avez du maïs ?', HARDWARE, ['mais']],
    [
      'a word of a product already named belongs to it ("clés" of the lock, not the spanner)',
      "j'ai payé la serrure et il manquait une des trois clés",
      HARDWARE,
      ['serrure'],
    ],
    [
      'a unit after a number in a name is not the product ("100 bags")',
      'I want 4 bags of royal rice',
      HARDWARE,
      ['riz'],
    ],
    [
      'what a name qualifies is not the product ("serrure de porte")',
      'la porte est-elle livrée ?',
      HARDWARE,
      [],
    ],
    [
      'a name qualified by an unknown word is another thing ("frigo de camping")',
      'vous avez le frigo de camping ?',
      HARDWARE,
      [],
    ],
    ['a service is not the product it applies to', 'combien pour réparer un frigo ?', HARDWARE, []],
    [
      'an item the shop lacks "for" a product is not that product',
      'vous avez une housse pour frigo ?',
      HARDWARE,
      [],
    ],
    ['"pour" meaning "about" keeps the product', 'je valide pour le frigo', HARDWARE, ['frigo']],
    ['a word after a subject pronoun is a verb ("il pile")', 'il pile le mil tous les matins', HARDWARE, []],
    [
      'a word after an auxiliary is a participle ("tu m\'as montré")',
      "le sac noir que tu m'as montré hier",
      SHOP,
      ['sac_noir'],
    ],
    ['a model the shop lacks is not another model ("spark 20")', 'vous avez le spark 20 ?', SHOP, []],
    ['a small number after a model is a quantity ("spark 3")', 'je veux spark 3', SHOP, ['tecno']],
    ['a price after a product is not a model ("la montre 9000")', 'la montre 9000 ça va ?', SHOP, ['montre']],
    ['thanks about a product asks nothing about it', 'merci, la montre marche très bien', SHOP, []],
  ];
  for (const [name, text, catalog, want] of cases) it(name, () => expect(ids(text, catalog)).toEqual(want));

  it('reads a range question as a kind of goods, not one product priced', () => {
    for (const text of [
      'Envoyez moi les prix de tous vos frigos et congélateurs',
      'vous avez quels types de frigo ?',
      'montrez moi vos congélateurs',
      'vous avez quelles tailles de frigo ?',
      "vos frigos c'est quelles marques ?",
      'vous vendez du froid ? frigos, congélateurs, tout ça',
      'vous avez quels modèles ? frigo, congélateur ?',
    ]) {
      const v = detectIntent({ text, catalog: HARDWARE });
      expect(v.entities.products.every((m) => m.score < 0.5)).toBe(true);
    }
  });
});

describe('unknown products (issue 14 item 3)', () => {
  const unknown = (text: string, catalog: readonly Product[] = SHOP) =>
    detectIntent({ text, catalog }).entities.unknownProduct;
  const cases: [string, string, string | undefined][] = [
    ['an item ordered that the shop lacks', 'je veux commander une machine à laver', 'machine'],
    ['the goods after a count and a measure', 'commande: 5 sacs de ciment', 'ciment'],
    ['a service', 'combien pour réparer la montre ?', 'reparer'],
    ['an unknown item listed after a known one', 'le sac noir et les casquettes, vous avez ?', 'casquettes'],
    [
      'no unknown item in "combien chacun" about named products',
      'le sac noir et la montre, combien chacun ?',
      undefined,
    ],
    ['no unknown item in "how much altogether"', '3 watch how much altogether?', undefined],
    [
      'no unknown item in a past tense ("vous m\'avez ajouté")',
      "vous m'avez ajouté dans un groupe, c'est combien le sac noir",
      undefined,
    ],
  ];
  for (const [name, text, want] of cases)
    it(name, () => {
      const got = unknown(text);
      if (want === undefined) expect(got).toBeUndefined();
      else expect(got).toContain(want);
    });

  it('answers for the known product and says plainly which item the shop lacks', () => {
    const d = replyTo('le sac noir et les casquettes, c combien ?');
    expect(d.text).toContain('casquettes');
    expect(d.text).toContain('15 000');
    expect(d.text).not.toContain('20 000');
  });
});

describe('properties of product matching', () => {
  const COLOUR_WORDS = ['noir', 'rouge', 'bleu', 'blanc', 'vert', 'jaune', 'rose', 'gris', 'marron'];
  const letters = fc.stringMatching(/^[bcdfghjklmnpqrtvwz]{2,4}$/);

  it('a product word inside a longer unrelated word never matches it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('montre', 'perruque', 'escarpins', 'sandales'),
        letters,
        letters,
        (w, a, b) => {
          // A prefix ending in the word's own first letter ("pp" + "perruque") is the letter
          // stretching that normalizeText folds ("ppperruque" → "perruque"), not another word.
          fc.pre(!a.endsWith(w[0]!));
          const token = `${a}${w}${b}`;
          const found = ids(`c'est combien ${token} ?`);
          const owner = SHOP.filter((x) =>
            [x.name, ...(x.aliases ?? [])].join(' ').toLowerCase().includes(w),
          );
          for (const o of owner) expect(found).not.toContain(o.id);
        },
      ),
    );
  });

  it('renaming the colours never changes which colour matches, and a missing colour is never another', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(COLOUR_WORDS, { minLength: 3, maxLength: 3 }),
        fc.boolean(),
        ([c1, c2, missing], first) => {
          const catalog = [p('sac', 'Sac cabas', { variants: { colour: [c1!, c2!] } })];
          const asked = first ? c1! : c2!;
          const hit = detectIntent({ text: `le sac cabas ${asked} c'est combien ?`, catalog }).entities
            .products[0];
          expect(hit?.variant).toEqual({ colour: asked });
          const miss = detectIntent({ text: `le sac cabas ${missing} c'est combien ?`, catalog }).entities
            .products[0];
          expect(miss?.variant).toBeUndefined();
          expect(miss?.unavailable).toEqual({ colour: missing });
        },
      ),
    );
  });

  it('a typo never crosses a colour ("sak <colour>" is only the bag of that colour)', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(COLOUR_WORDS, { minLength: 2, maxLength: 2 }), ([a, b]) => {
        const catalog = [p('a', `Sac ${a}`), p('b', `Sac ${b}`)];
        expect(ids(`sak ${a} c combien`, catalog)).toEqual(['a']);
        expect(ids(`sac ${b} dispo ?`, catalog)).toEqual(['b']);
      }),
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

// Issue 14 sixth pass: a one-word alias shared by two products ("maillot") yields to the product
// whose own variant value (a team, a flavour) the customer names right before it.
describe('a variant value names its product over a shared one-word alias', () => {
  const KITS: readonly Product[] = [
    p('maillot_sn', 'Maillot Lions de la Teranga', { aliases: ['maillot senegal', 'maillot'], price: 20000 }),
    p('maillot_club', 'Maillot de club', {
      aliases: ['maillot club'],
      price: 18000,
      variants: { team: ['psg', 'olympique lyonnais', 'asec'], size: ['S', 'M', 'L'] },
    }),
    p('jus', 'Jus naturel 1 L', { aliases: ['jus'], price: 1500 }),
    p('jus_mix', 'Jus en bouteille', { variants: { parfum: ['bissap', 'gingembre'] }, price: 1000 }),
  ];
  const products = (text: string) =>
    detectIntent({ text, catalog: KITS, defaultLanguage: 'fr' }).entities.products.map((x) => x.productId);
  const cases: { name: string; text: string; want: string[] }[] = [
    { name: 'a team before the shared word', text: 'asec maillot taille L', want: ['maillot_club'] },
    { name: 'a team right after the shared word', text: 'le maillot PSG il reste ?', want: ['maillot_club'] },
    { name: 'a two-word team', text: 'Olympique Lyonnais maillot en M, combien ?', want: ['maillot_club'] },
    { name: 'a flavour before the shared word', text: 'gingembre jus vous avez ?', want: ['jus_mix'] },
    {
      name: 'no value: the alias keeps its product',
      text: 'le maillot coûte combien ?',
      want: ['maillot_sn'],
    },
    {
      name: 'a value far from the word does not move it',
      text: 'asec a gagné hier, les gars, donnez-moi le maillot',
      want: ['maillot_sn'],
    },
  ];
  for (const c of cases) it(c.name, () => expect(products(c.text)).toEqual(c.want));
});

// Issue 14 sixth pass: conjunctions, pronouns, quantifiers and number words never name a product the
// catalogue lacks; a real unknown item still does.
describe('unknown products are goods, not function words', () => {
  const unknownOf = (text: string) =>
    detectIntent({ text, catalog: SHOP, defaultLanguage: 'fr' }).entities.unknownProduct;
  const NONE = [
    'le sac noir il reste ? sinon le rouge',
    'vous avez les escarpins ? je veux voir entre le noir et le nude',
    'Baskets blanches in 41, do you have them?',
    'do you have enough baskets for a team?',
    'I want twelve baskets blanches',
  ];
  for (const text of NONE)
    it(`names nothing unknown: ${text}`, () => expect(unknownOf(text)).toBeUndefined());
  it('still names an item the shop lacks', () => {
    expect(unknownOf('vous avez des casquettes ?')).toBeDefined();
    expect(unknownOf('do you have scarves?')).toBeDefined();
  });
});

// Issue 14 sixth pass: "<name> à <verb>" is a tool named by what it does, another product.
describe('a one-word name followed by "à <verb>" names another tool', () => {
  const TOOLS: readonly Product[] = [
    p('fer', 'Fer à repasser', { aliases: ['fer'], price: 9000 }),
    p('machine', 'Machine', { aliases: ['machine'], price: 90000 }),
  ];
  const read = (text: string) => {
    const v = detectIntent({ text, catalog: TOOLS, defaultLanguage: 'fr' });
    return { products: v.entities.products.map((x) => x.productId), unknown: v.entities.unknownProduct };
  };
  it('a soldering iron is not the flat iron on sale', () => {
    expect(read('vous avez un fer à souder ?')).toEqual({ products: [], unknown: 'fer a souder' });
  });
  it('a sewing machine is not the machine on sale', () => {
    expect(read('vous avez des machines à coudre ?').products).toEqual([]);
  });
  it('the flat iron named in full, or with a price after "à", is still the one on sale', () => {
    expect(read('le fer à repasser est à combien ?').products).toEqual(['fer']);
    expect(read('le fer à 9000 il reste ?').products).toEqual(['fer']);
  });
});

// Issue 14 sixth pass, follow-up: a product named in the other language than the catalogue's.
describe('common product nouns meet across French and English', () => {
  const HOME: readonly Product[] = [
    p('poussette', 'Poussette pliable', { price: 45000 }),
    p('lit', 'Lit bébé en bois', { price: 60000 }),
    p('kit', 'Kit solaire 100W', { price: 120000 }),
    p('ventilo', 'Ventilateur', { price: 25000 }),
    p('fer', 'Fer à repasser', { price: 9000 }),
    p('matelas', 'Matelas 2 places', { price: 70000 }),
    p('montre', 'Montre digitale', { price: 15000 }),
  ];
  const STORE: readonly Product[] = [
    p('stroller', 'Baby stroller', { price: 45000 }),
    p('mattress', 'Foam mattress', { price: 70000 }),
    p('chair', 'Plastic chair', { price: 30000 }),
  ];
  const productsOf = (text: string, catalog: readonly Product[]) =>
    detectIntent({ text, catalog }).entities.products.map((x) => x.productId);
  const FOUND: readonly [string, readonly Product[], string][] = [
    ['how much is the stroller?', HOME, 'poussette'],
    ['do you still have the baby cot', HOME, 'lit'],
    ['price of your solar kit please', HOME, 'kit'],
    ['I want 2 fans', HOME, 'ventilo'],
    ['is the iron available?', HOME, 'fer'],
    ['the mattress is how much', HOME, 'matelas'],
    ['how much is the watch', HOME, 'montre'],
    ['la poussette c’est combien ?', STORE, 'stroller'],
    ['je veux un matelas', STORE, 'mattress'],
    ['vous avez des chaises ?', STORE, 'chair'],
  ];
  for (const [text, catalog, id] of FOUND)
    it(`finds ${id} in: ${text}`, () => expect(productsOf(text, catalog)).toEqual([id]));
  const VERBS_AND_PEOPLE = [
    'did you watch the match yesterday?',
    'I love to watch movies at night',
    "I'm a big fan of your shop",
    'we will iron out the details tomorrow',
    'please iron my shirt before you bring it',
    'bag it for me please',
  ];
  for (const text of VERBS_AND_PEOPLE)
    it(`names no product in: ${text}`, () =>
      expect(productsOf(text, [...HOME, p('sac', 'Sac à dos')])).toEqual([]));
  it('a catalogue that names the product with the everyday word itself keeps its own matching', () => {
    expect(productsOf('fan dey?', [p('fan', 'Fan')])).toEqual(['fan']);
  });
});

// Issue 14 seventh pass (accB): a word used to address someone ("mama", "auntie", "oga") that heads a
// brand name ("Mama Gold rice") is no product alone; the brand named in full still is.
describe('a form of address is not the brand it shares a word with', () => {
  const PROVISIONS: readonly Product[] = [
    p('rice', 'Mama Gold rice 50 kg bag', {
      aliases: ['rice', 'mama gold'],
      price: 8500000,
      currency: 'NGN',
    }),
    p('semo', 'Auntie Bisi semovita 10 kg', { aliases: ['semovita'], price: 1200000, currency: 'NGN' }),
    p('oil', 'Kings groundnut oil 3 L', { aliases: ['groundnut oil'], price: 900000, currency: 'NGN' }),
  ];
  const NONE = ['hi mama', 'Mama good afternoon o', 'Mama how body?', 'Auntie abeg call me when you free'];
  for (const text of NONE)
    it(`names no product in: ${text}`, () => expect(ids(text, PROVISIONS)).toEqual([]));
  const FOUND: [string, string][] = [
    ['mama gold rice how much', 'rice'],
    ['I want mama gold', 'rice'],
    ['how much for the rice', 'rice'],
    ['auntie bisi semovita dey?', 'semo'],
  ];
  for (const [text, id] of FOUND)
    it(`finds ${id} in: ${text}`, () => expect(ids(text, PROVISIONS)).toEqual([id]));
  it('quotes no price to a greeting that calls the seller "mama"', () => {
    const d = decide(
      parseContext({
        now: '2026-11-27T10:15:00Z',
        channel: {
          id: 'chn_1',
          createdAt: '2026-09-01T08:00:00Z',
          timezone: 'Africa/Lagos',
          transport: 'cloud',
        },
        contact: { id: 'ctc_1', phone: '+2348012345678' },
        message: { id: 'wamid.mama', text: 'hi mama' },
        catalog: PROVISIONS,
      }),
    );
    expect(d.text ?? '').not.toMatch(/₦/);
  });
});

// Issue 14 seventh pass (accB): "do you sell <unknown word> <one-word alias>" asks for another kind
// or brand of the goods ("ofada rice" when the shop sells Mama Gold rice): no price of the rice on
// sale, the unknown item named; a team, a flavour or a word elsewhere in the message keeps the product.
describe('an unknown brand or kind right after a seeking verb names goods the shop lacks', () => {
  const STORE: readonly Product[] = [
    p('rice', 'Mama Gold rice 50 kg bag', { aliases: ['rice'], price: 8500000, currency: 'NGN' }),
    p('milk', 'Dano milk powder 400 g', { aliases: ['milk', 'dano'], price: 280000, currency: 'NGN' }),
    p('jersey', 'Club jersey', {
      aliases: ['jersey'],
      price: 2000000,
      currency: 'NGN',
      variants: { team: ['Kotoko', 'Hearts'] },
    }),
  ];
  const read = (text: string) => {
    const v = detectIntent({ text, catalog: STORE });
    return { products: v.entities.products.map((x) => x.productId), unknown: v.entities.unknownProduct };
  };
  it('"do you sell ofada rice?" names no product on sale and reports "ofada rice"', () =>
    expect(read('Do you sell ofada rice?')).toEqual({ products: [], unknown: 'ofada rice' }));
  it('"u get Peak milk?" names no product on sale', () =>
    expect(read('u get Peak milk?').products).toEqual([]));
  const KEPT: [string, string][] = [
    ['Do you sell rice?', 'rice'],
    ['Do you have Dano milk?', 'milk'],
    ['Do you have Kotoko jersey?', 'jersey'],
    ['I want the ofada style, is the rice available?', 'rice'],
  ];
  for (const [text, id] of KEPT)
    it(`keeps ${id} in: ${text}`, () => expect(read(text).products).toEqual([id]));
  it('says plainly that the shop lacks "ofada rice"', () => {
    const v = detectIntent({ text: 'Do you sell ofada rice?', catalog: STORE });
    const r = composeReply({
      intent: v,
      consentAction: 'allow',
      catalog: STORE,
      seed: 's',
      text: 'Do you sell ofada rice?',
    });
    expect(r.text).toContain('ofada rice');
  });
});

// Issue 14 seventh pass (accB): unknownProduct only for an item named as something to buy, not a
// kind of goods, a use, a quality of the price or the customer's order.
describe('unknownProduct is an item to buy, not a kind, a use, a price or an order', () => {
  const GROCER: readonly Product[] = [
    p('maggi', 'Maggi cubes', { aliases: ['maggi'], price: 50000, currency: 'NGN' }),
    p('chair', 'Plastic chair', { aliases: ['chair', 'chairs'], price: 300000, currency: 'NGN' }),
    p('holder', 'Support téléphone voiture', { aliases: ['support voiture'], price: 3500 }),
    p('blender', 'Blender', { price: 2500000, currency: 'NGN' }),
  ];
  const unknownOf = (text: string) => detectIntent({ text, catalog: GROCER }).entities.unknownProduct;
  const NONE = [
    'what do you have for the kitchen?',
    'wat do u have for soup ingredients',
    'Do you have a menu of your soup ingredients with prices?',
    'Prix ami svp',
    "Le prix affiché c'est le prix final ou ça se discute ?",
    'Add 2 more chairs to my order please, guests increased',
    'Cancel the maggi from my order, keep the rest',
    'order 3 packs maggi',
    'Vous avez des accessoires pour les voitures ?',
  ];
  for (const text of NONE)
    it(`names nothing unknown: ${text}`, () => expect(unknownOf(text)).toBeUndefined());
  const NAMED: [string, string][] = [
    ['do you have frozen chicken?', 'frozen chicken'],
    ['je veux commander une machine à laver', 'machine'],
    ['order 2 tubers of yam', 'yam'],
    ['vous avez des casquettes pour homme ?', 'casquettes'],
    ['le prix du ciment svp', 'ciment'],
    ['vous avez une housse pour le blender ?', 'housse'],
  ];
  for (const [text, want] of NAMED)
    it(`still names "${want}" in: ${text}`, () => expect(unknownOf(text)).toContain(want));
});

// Issue 14 seventh pass (accB): range questions in more shapes, measures, French infinitives.
describe('range questions, measures and infinitives', () => {
  const ELEC: readonly Product[] = [
    p('coque', 'Coque silicone', { aliases: ['coque', 'coques'], price: 2000 }),
    p('frigo', 'Frigo bar 90 L', { aliases: ['frigo'], price: 145000 }),
    p('chargeur', 'Chargeur rapide 20 W', { aliases: ['chargeur', 'charger'], price: 5000 }),
    p('cable', 'Câble USB-C', { aliases: ['cable type c'], price: 2000 }),
    p('parfum', 'Parfum oud', { aliases: ['parfum'], price: 15000 }),
  ];
  const PROV: readonly Product[] = [
    p('rice', 'Mama Gold rice 50 kg bag', { aliases: ['rice', 'bag of rice', 'rice bag'], price: 8500000 }),
    p('semo', 'Semovita 10 kg', { aliases: ['semovita', 'semo'], price: 1200000 }),
  ];
  const specific = (text: string, catalog: readonly Product[]) =>
    detectIntent({ text, catalog })
      .entities.products.filter((m) => m.score >= 0.5)
      .map((m) => m.productId);
  const RANGES = [
    'Vos coques existent en quelles couleurs ?',
    'Quels sont les frigos que vous avez ?',
    "c'est quoi vos parfums que vous avez",
  ];
  for (const text of RANGES)
    it(`prices no single product in the range question: ${text}`, () =>
      expect(specific(text, ELEC)).toEqual([]));
  const ONE: [string, string][] = [
    ['La coque existe en quelles couleurs ?', 'coque'],
    ['Le frigo que vous avez, il fait combien ?', 'frigo'],
    ["c'est quoi le prix du parfum ?", 'parfum'],
  ];
  for (const [text, id] of ONE)
    it(`still names ${id} asked alone: ${text}`, () => expect(specific(text, ELEC)).toEqual([id]));
  it('a measure of a brand name is no family ("4 bags of Semovita" is no rice)', () => {
    expect(specific("I'd like 4 bags of Semovita", PROV)).toEqual(['semo']);
    expect(specific('I want 2 bags of rice', PROV)).toEqual(['rice']);
  });
  it('a French infinitive is a verb ("s\'arrête de charger"), the noun still a product', () => {
    expect(specific("le cable type c s'arrete de charger des que je bouge", ELEC)).toEqual(['cable']);
    expect(specific('il faut charger le téléphone', ELEC)).toEqual([]);
    expect(specific('le charger est à combien ?', ELEC)).toEqual(['chargeur']);
    expect(specific('je veux un chargeur', ELEC)).toEqual(['chargeur']);
  });
});

// Issue 14 seventh pass (accB): a number and unit the products lack is another model, never one of
// them nor a choice between them ("kit 300W" with kits of 100W and 200W).
describe('variants named by a number and a unit do not cross', () => {
  const SOLAR: readonly Product[] = [
    p('kit100', 'Kit solaire 100W', { price: 120000 }),
    p('kit200', 'Kit solaire 200W', { price: 200000 }),
    p('mat2', 'Matelas 2 places', { price: 70000 }),
    p('mat3', 'Matelas 3 places', { price: 90000 }),
    p('batt', 'Batterie solaire 100Ah', { aliases: ['batterie'], price: 150000 }),
    p('beans', 'Honey beans (paint bucket)', { aliases: ['beans'], price: 9500 }),
  ];
  const read = (text: string) => {
    const v = detectIntent({ text, catalog: SOLAR });
    return { products: v.entities.products.map((m) => m.productId), unknown: v.entities.unknownProduct };
  };
  const OTHER: [string, string][] = [
    ["le kit 300W c'est combien ?", 'kit'],
    ['kit solaire 150W dispo ?', 'kit'],
    ['matelas 4 places vous avez ?', 'matelas'],
    ["la batterie 200 ah c'est combien", 'batterie'],
  ];
  for (const [text, want] of OTHER)
    it(`another model, reported as missing: ${text}`, () => {
      const got = read(text);
      expect(got.products).toEqual([]);
      expect(got.unknown).toContain(want);
    });
  const SAME: [string, string[]][] = [
    ['le kit 100W c’est combien', ['kit100']],
    ['kit solaire 200 W', ['kit200']],
    ['je veux 2 matelas 3 places', ['mat3']],
    ['la batterie 100 ah', ['batt']],
    ['la batterie à 10000 ?', ['batt']],
    ['Vous avez les beans? I want 2 paints', ['beans']],
  ];
  for (const [text, want] of SAME)
    it(`the model on sale: ${text}`, () => expect(read(text).products).toEqual(want));
});

describe('a telephone line is no product called "line" (eighth pass)', () => {
  const cables: readonly Product[] = [
    p('line', 'Câble USB-C', { aliases: ['line', 'ligne'], price: 1500, currency: 'GHS' }),
  ];
  const products = (text: string) => detectIntent({ text, catalog: cables }).entities.products;
  it('names no product in "the line is busy" nor "la ligne est occupée"', () => {
    for (const text of [
      'the line is busy, I called you twice',
      'I tried calling but your line was busy',
      'la ligne est occupée depuis ce matin',
      'your line dey off',
    ])
      expect(products(text), text).toEqual([]);
  });
  it('still reads the product "line" when it is asked about', () => {
    expect(products('how much is the line?').map((m) => m.productId)).toEqual(['line']);
    expect(products('I need 2 line').map((m) => m.productId)).toEqual(['line']);
  });
});
