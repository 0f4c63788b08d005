/**
 * Issue 13.5: the bot never states a seller fact the seller did not give. Every default template
 * (each spintax alternative, both languages) and every intent through decide() (with an empty
 * playbook, then with each fact alone) is scanned for fees, delays, payment methods, addresses,
 * hours and promises like "partout"; each one found must come from the catalogue or the playbook.
 */
import { describe, expect, it } from 'vitest';
import type { DeliveryFacts, PaymentFacts, PickupFacts } from '../domain/selling.ts';
import type { Language, Product } from '../domain/types.ts';
import type { DecisionContext, PlaybookInput } from './context.ts';
import { type Decision, decide } from './decide.ts';
import { detectIntent } from './intent.ts';
import { formatPrice } from './money.ts';
import { composeFollowup } from './reply.ts';
import { DEFAULT_TEMPLATES, type TemplateKey } from './templates.ts';
import { renderTemplate } from './variation.ts';

const CATALOG: NonNullable<DecisionContext['catalog']> = [
  { id: 'p1', name: 'Sac noir', price: 15000, currency: 'XOF', stock: 3, category: 'sacs' },
  { id: 'p2', name: 'Escarpins rouges', price: 22500, currency: 'XOF', stock: 0 },
];

/** One message or more per intent, in French and English, and some asking several things at once. */
const MESSAGES = [
  'Bonjour',
  'Hello',
  "c'est combien le sac noir ?",
  'how much is the black bag?',
  'le sac noir est dispo ?',
  'is the black bag available?',
  'les escarpins rouges sont dispo ?',
  'vous avez des chaussures bleues ?',
  'je veux commander 2 sacs noirs',
  'I want to order 2 black bags',
  'je veux commander',
  'vous pouvez faire un prix ?',
  'can you give me a discount?',
  'on paie comment ?',
  'how can I pay?',
  'vous livrez ?',
  'do you deliver?',
  'vous livrez à Yopougon ?',
  'vous êtes où ?',
  'where are you located?',
  'vous ouvrez à quelle heure ?',
  'what are your opening hours?',
  'vous avez quoi comme sacs ?',
  'what do you sell?',
  'je ne suis pas content, le sac est abîmé',
  'I want a refund, the bag is broken',
  "je veux parler à quelqu'un",
  'can I talk to a human?',
  'merci',
  'thank you',
  'STOP',
  'START',
  'unsubscribe',
  'blabla xyz',
  'Bonjour, vous livrez et on paie comment ?',
  'Hello, do you deliver? how can I pay? where are you?',
  "c'est combien le sac noir et vous livrez à Cocody ?",
  'vous êtes où et vous ouvrez quand ?',
];

const DELIVERY_ZONES: DeliveryFacts = {
  zones: [
    { id: 'yopougon', name: 'Yopougon', fee: 1500, delay: 'le jour même' },
    { id: 'cocody', name: 'Cocody', aliases: ['Riviera'], fee: 2000 },
  ],
};
const DELIVERY_DEFAULT: DeliveryFacts = { zones: [], default: { fee: 2500, delay: '72 h' } };
const PAYMENT: PaymentFacts = { methods: ['wave', 'cash_on_delivery'], details: { wave: '01 23 45 67 89' } };
const PICKUP: PickupFacts = { address: 'Marché de Treichville, allée 4', hours: 'lun–sam 9 h–18 h' };

/** The playbooks walked: nothing, then each fact alone. */
const PLAYBOOKS: Record<string, PlaybookInput | undefined> = {
  none: undefined,
  empty: { templates: {}, info: {} },
  'delivery zones': { delivery: DELIVERY_ZONES },
  'delivery default': { delivery: DELIVERY_DEFAULT },
  payment: { payment: PAYMENT },
  pickup: { pickup: PICKUP },
  'pickup without hours': { pickup: { address: 'Cocody Angré, 7e tranche' } },
  'free-text delivery': {
    info: { delivery: { fr: 'Livraison 1000 FCFA à Abobo', en: 'Delivery 1000 FCFA in Abobo' } },
  },
  'free-text payment': { info: { payment: { fr: 'Moov Money', en: 'Moov Money' } } },
  'free-text location': {
    info: { location: { fr: 'Adjamé, près de la gare', en: 'Adjamé, near the station' } },
  },
  'free-text hours': { info: { hours: { fr: 'Tous les jours 10 h – 19 h', en: 'Every day 10 am – 7 pm' } } },
};

/**
 * Everything a reply may state about the seller, as words: the catalogue and the playbook's facts
 * (the method names a reply uses for them included). A fact-looking phrase in a reply must be here.
 */
function givenText(playbook: PlaybookInput | undefined, catalog: readonly Product[]): string {
  const words: string[] = [];
  for (const p of catalog) words.push(p.name);
  const names: Record<string, string> = {
    orange_money: 'Orange Money',
    wave: 'Wave',
    mtn_momo: 'MTN MoMo',
    moov_money: 'Moov Money',
    cash_on_delivery: 'espèces à la livraison cash on delivery',
    bank_transfer: 'virement bank transfer',
    card: 'carte card',
  };
  for (const m of playbook?.payment?.methods ?? []) words.push(names[m] ?? m);
  for (const d of Object.values(playbook?.payment?.details ?? {})) words.push(d);
  for (const z of playbook?.delivery?.zones ?? []) words.push(z.name, ...(z.aliases ?? []), z.delay ?? '');
  if (playbook?.delivery?.default)
    words.push(playbook.delivery.default.delay ?? '', 'Autres quartiers Other areas');
  if (playbook?.delivery) words.push('Nous livrons We deliver Livraison Delivery');
  if (playbook?.pickup)
    words.push(
      playbook.pickup.address,
      playbook.pickup.hours ?? '',
      'retirer votre commande collect your order',
    );
  for (const topic of ['delivery', 'payment', 'location', 'hours'] as const) {
    const t = playbook?.info?.[topic];
    for (const lang of ['fr', 'en'] as const) {
      const v = t?.[lang];
      words.push(...(typeof v === 'string' ? [v] : (v ?? [])));
    }
  }
  return words.join('\n').toLowerCase();
}

/** Amounts a reply may name: catalogue prices times a quantity, and the configured fees. */
function allowedAmounts(playbook: PlaybookInput | undefined, catalog: readonly Product[]): Set<string> {
  const out = new Set<string>();
  for (const lang of ['fr', 'en'] as Language[]) {
    for (const p of catalog)
      for (let q = 1; q <= 20; q++) out.add(formatPrice(p.price * q, p.currency, lang));
    const fees = [
      ...(playbook?.delivery?.zones ?? []).map((z) => z.fee),
      ...(playbook?.delivery?.default ? [playbook.delivery.default.fee] : []),
    ];
    for (const fee of fees) out.add(formatPrice(fee, 'XOF', lang));
  }
  return out;
}

/** Phrases that state a seller fact; each match must be found in the given facts. */
const FACT_PATTERNS: { name: string; re: RegExp }[] = [
  { name: 'mobile money brand', re: /orange money|\bwave\b|\bmtn\b|\bmomo\b|\bmoov\b|mobile money/gi },
  {
    name: 'cash / bank / card',
    re: /esp[eè]ces|\bcash\b|virement|bank transfer|carte bancaire|\bby card\b/gi,
  },
  { name: 'delay or hour', re: /\b\d+\s*(?:h|heures?|hours?|jours?|days?|min(?:utes)?|am|pm)\b/gi },
  { name: 'number range', re: /\b\d+\s*(?:à|to|-|–)\s*\d+\b/gi },
  {
    name: 'weekday',
    re: /\b(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday|friday|saturday|sunday|tous les jours|every day)\b/gi,
  },
  { name: 'everywhere', re: /partout|toute la ville|everywhere|across the city|anywhere|all over/gi },
  { name: 'delivery claim', re: /nous livrons|on vous livre|we deliver|livraison gratuite|free delivery/gi },
  {
    name: 'place claim',
    re: /point de retrait|boutique en ligne|online shop|vendons surtout|sell online|retirer votre commande|collect your order|team member can give/gi,
  },
  { name: 'phone number', re: /\b\d{2}(?:[ .]?\d{2}){3,}\b/g },
];

const AMOUNT = /(?:[€$£₦]\s?\d[\d,. ]*\d|\d[\d ,.]*\s?(?:FCFA|€|\$|DH|GNF|FC)\b|\d[\d ,.]*\s?(?:FCFA|€))/g;

/** The facts in `text` that neither the catalogue nor the playbook gave. */
function inventedFacts(
  text: string,
  playbook: PlaybookInput | undefined,
  catalog: readonly Product[],
): string[] {
  const given = givenText(playbook, catalog);
  const amounts = allowedAmounts(playbook, catalog);
  const found: string[] = [];
  for (const { name, re } of FACT_PATTERNS) {
    for (const m of text.matchAll(re))
      if (!given.includes(m[0].toLowerCase())) found.push(`${name}: "${m[0]}"`);
  }
  for (const m of text.matchAll(AMOUNT)) {
    const amount = m[0].trim();
    if (!amounts.has(amount) && !given.includes(amount.toLowerCase())) found.push(`amount: "${amount}"`);
  }
  return found;
}

function context(text: string, playbook: PlaybookInput | undefined, extra: Partial<DecisionContext> = {}) {
  const ctx: DecisionContext = {
    now: '2026-11-23T10:00:00Z',
    channel: { id: 'chn_facts', createdAt: '2026-01-01T00:00:00Z', transport: 'sandbox' },
    contact: { id: 'ctc_facts', phone: '+2250701020304', name: 'Fatou Diallo' },
    message: { id: `wamid.${text.length}`, text },
    catalog: CATALOG,
    ...extra,
  };
  if (playbook !== undefined) ctx.playbook = playbook;
  return ctx;
}

const INFO_TOPICS = ['delivery', 'payment', 'location', 'hours'] as const;

describe('no invented seller facts: default templates', () => {
  const variables = {
    name: '',
    product: 'PRODUCT',
    price: 'PRICE',
    catalog: 'CATALOG',
    items: 'ITEMS',
    total: 'TOTAL',
    query: 'QUERY',
    options: 'OPTIONS',
    category: 'CATEGORY',
    payment: 'PAYMENT',
    delivery: 'DELIVERY',
    location: 'LOCATION',
    hours: 'HOURS',
    topics: 'TOPICS',
  };
  for (const lang of ['fr', 'en'] as const) {
    for (const key of Object.keys(DEFAULT_TEMPLATES[lang]) as TemplateKey[]) {
      it(`${lang} "${key}" states no fact in any of its wordings`, () => {
        for (let seed = 0; seed < 60; seed++) {
          const { text } = renderTemplate({
            template: DEFAULT_TEMPLATES[lang][key],
            variables,
            seed: `s${seed}`,
          });
          expect(inventedFacts(text, undefined, []), text).toEqual([]);
        }
      });
    }
  }

  it('follow-ups state no fact either', () => {
    for (const lang of ['fr', 'en'] as const)
      for (let step = 0; step < 3; step++)
        for (let seed = 0; seed < 30; seed++) {
          const text = composeFollowup(step, lang, `f${seed}`, undefined, 'Awa');
          expect(inventedFacts(text, undefined, []), text).toEqual([]);
        }
  });
});

describe('no invented seller facts: every intent through decide()', () => {
  it('the walk covers every intent the engine knows', () => {
    const seen = new Set(MESSAGES.flatMap((m) => detectIntent({ text: m, catalog: CATALOG }).intents));
    for (const intent of [
      'greeting',
      'price',
      'availability',
      'order',
      'negotiate',
      'payment',
      'delivery',
      'location',
      'hours',
      'catalog',
      'complaint',
      'human',
      'thanks',
      'opt_out',
      'opt_in',
      'unknown',
    ])
      expect(seen, intent).toContain(intent);
  });

  for (const [label, playbook] of Object.entries(PLAYBOOKS)) {
    it(`with ${label === 'none' ? 'no playbook' : `the playbook "${label}"`}, every reply states only given facts`, () => {
      for (const text of MESSAGES) {
        for (const catalog of [CATALOG, []]) {
          for (const contact of [
            { id: 'ctc_a', phone: '+2250701020304', name: 'Fatou Diallo' },
            { id: 'ctc_b', phone: '+2348031234567', optedOut: true, stage: 'opted_out' as const },
          ]) {
            const d = decide(context(text, playbook, { catalog, contact }));
            if (d.text === undefined) continue;
            expect(inventedFacts(d.text, playbook, catalog), `${label} / ${text}\n${d.text}`).toEqual([]);
          }
        }
      }
    });
  }
});

describe('questions the playbook cannot answer go to the seller', () => {
  const ask: Record<(typeof INFO_TOPICS)[number], Record<Language, string>> = {
    delivery: { fr: 'vous livrez ?', en: 'do you deliver?' },
    payment: { fr: 'on paie comment ?', en: 'how can I pay?' },
    location: { fr: 'vous êtes où ?', en: 'where are you located?' },
    hours: { fr: 'vous ouvrez à quelle heure ?', en: 'what are your opening hours?' },
  };
  const answeredBy: Record<(typeof INFO_TOPICS)[number], PlaybookInput> = {
    delivery: { delivery: DELIVERY_ZONES },
    payment: { payment: PAYMENT },
    location: { pickup: PICKUP },
    hours: { pickup: PICKUP },
  };
  for (const topic of INFO_TOPICS) {
    for (const lang of ['fr', 'en'] as const) {
      it(`${topic} (${lang}): with an empty playbook the bot says it checks and hands the question over`, () => {
        const d: Decision = decide(context(ask[topic][lang], undefined));
        expect(d.action).toBe('reply');
        expect(d.language).toBe(lang);
        expect(d.text).toMatch(lang === 'fr' ? /auprès du vendeur/ : /with the seller/);
        expect(d.questionForSeller?.topics).toEqual([topic]);
        expect(d.reasons.map((r) => r.code)).toContain('decide.question_for_seller');
      });
      it(`${topic} (${lang}): once the seller gave the fact, the bot answers it and asks nothing`, () => {
        const d = decide(context(ask[topic][lang], answeredBy[topic]));
        expect(d.text).not.toMatch(/je reviens vers vous|get back to you/);
        expect(d.questionForSeller).toBeUndefined();
      });
    }
  }

  it('gives the fee and delay of the zone the customer names, with its alias', () => {
    const d = decide(context('vous livrez à la Riviera ?', { delivery: DELIVERY_ZONES }));
    expect(d.text).toBe('Livraison à Cocody : 2 000 FCFA.');
    const e = decide(context('do you deliver to yopougon?', { delivery: DELIVERY_ZONES }));
    expect(e.text).toBe('Delivery to Yopougon: 1,500 FCFA (le jour même).');
  });

  it('lists the zones, the default fee and the payment details as the seller set them', () => {
    const d = decide(
      context('vous livrez ? on paie comment ?', {
        delivery: { ...DELIVERY_ZONES, default: { fee: 0 } },
        payment: {
          methods: ['orange_money', 'wave', 'cash_on_delivery'],
          details: { wave: '01 23 45 67 89' },
        },
      }),
    );
    expect(d.text).toContain(
      '• Yopougon — 1 500 FCFA (le jour même)\n• Cocody — 2 000 FCFA\n• Autres quartiers — gratuite',
    );
    expect(d.text).toContain(
      'Vous pouvez payer par Orange Money, Wave ou en espèces à la livraison.\nWave : 01 23 45 67 89',
    );
    expect(d.questionForSeller).toBeUndefined();
  });

  it('hands several unanswered topics over in one sentence', () => {
    const d = decide(context('Hello, do you deliver? how can I pay?', undefined));
    expect(d.questionForSeller?.topics).toEqual(expect.arrayContaining(['delivery', 'payment']));
    expect(d.text?.match(/with the seller/g)).toHaveLength(1);
  });

  it('asks the seller about products when there is no catalogue', () => {
    const d = decide(context("c'est combien le sac ?", undefined, { catalog: [] }));
    expect(d.questionForSeller?.topics).toEqual(['catalog']);
  });

  it('keeps a seller\'s free text, adding "par" before a bare list of methods', () => {
    const d = decide(context('on paie comment ?', { info: { payment: { fr: 'Orange Money ou Wave' } } }));
    expect(d.text).toBe('Vous pouvez payer par Orange Money ou Wave.');
    const e = decide(context('on paie comment ?', { info: { payment: { fr: 'par Wave uniquement' } } }));
    expect(e.text).toBe('Vous pouvez payer par Wave uniquement.');
    const long = decide(
      context('on paie comment ?', {
        info: { payment: { fr: 'Orange Money, Wave, MTN MoMo ou Moov Money' } },
      }),
    );
    expect(long.text).toBe('Vous pouvez payer par Orange Money, Wave, MTN MoMo ou Moov Money.');
    const own = decide(context('on paie comment ?', { info: { payment: { fr: 'Nous acceptons Wave' } } }));
    expect(own.text).toBe('Nous acceptons Wave.');
  });
});
