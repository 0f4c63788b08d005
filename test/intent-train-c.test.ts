/**
 * The training corpus C (train-c) is well-formed: every label, product, variant and quantity
 * refers to something that exists, the tags derived from the fields and the text agree with them, and
 * the hard classes it was written for (opt_out, opt_in, stop traps, off-topic chat, complaints) hold
 * enough messages. Training data: the engine may be trained and tuned on it. This test reads the
 * labels only.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INTENTS, type Intent } from '../src/domain/types.ts';

interface CatalogueProduct {
  id: string;
  name: string;
  aliases: string[];
  price: number;
  currency: string;
  stock: number;
  category: string;
  variants?: Record<string, string[]>;
}

interface DevMessage {
  id: string;
  catalogue: string;
  lang: string;
  text: string;
  intent: Intent;
  intents: Intent[];
  products: string[];
  tags: string[];
  variant?: Record<string, Record<string, string>>;
  quantities?: Record<string, number>;
  unknownProduct?: boolean;
  note?: string;
}

interface DevCorpus {
  version: number;
  writer: string;
  description: string;
  catalogues: Record<string, { seller: string; currency: string; products: CatalogueProduct[] }>;
  messages: DevMessage[];
}

const corpus = JSON.parse(
  readFileSync(new URL('./fixtures/intents/train-c.json', import.meta.url), 'utf8'),
) as DevCorpus;
const { messages, catalogues } = corpus;

const LANGS = ['fr', 'en', 'pidgin', 'mixed'];
// The tag vocabulary of the held-out sets; the first ten are derived from the fields and the text.
const DERIVED_TAGS = [
  'long',
  'multi_intent',
  'quantity',
  'size',
  'colour',
  'not_sold',
  'emoji',
  'caps',
  'pidgin',
  'no_accents',
];
const HAND_TAGS = [
  'sms',
  'typo',
  'off_topic',
  'wolof_mix',
  'obfuscated',
  'stop_trap',
  'counter_offer',
  'camfranglais',
  'nouchi',
];
// The floors of the brief (issue 14): the classes engines find hard carry more than the 40 every other
// intent has.
const MIN_MESSAGES = 1190;
const MIN_PER_INTENT: Partial<Record<Intent, number>> = {
  opt_out: 120,
  opt_in: 60,
  unknown: 100,
  complaint: 60,
  order: 60,
  delivery: 60,
  negotiate: 60,
  availability: 60,
  catalog: 60,
  price: 60,
  payment: 50,
};
const MIN_OTHER_INTENT = 40;
const MIN_TAGGED = {
  stop_trap: 55,
  not_sold: 35,
  off_topic: 75,
  counter_offer: 35,
  long: 40,
  obfuscated: 20,
};
const MIN_SHARE = { fr: 0.62, en: 0.23, pidgin_mixed: 0.08 };
const LONG_CHARS = 160;

function productsOf(m: DevMessage): Map<string, CatalogueProduct> {
  return new Map((catalogues[m.catalogue]?.products ?? []).map((p) => [p.id, p]));
}

/** Capitals as the description defines them: a word of 4+ capitals, or 60 % of 8+ letters. */
function isCaps(text: string): boolean {
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  const upper = text.match(/\p{Lu}/gu)?.length ?? 0;
  return /(?<!\p{L})\p{Lu}{4,}(?!\p{L})/u.test(text) || (letters >= 8 && upper / letters >= 0.6);
}

describe('training corpus C (test/fixtures/intents/train-c.json)', () => {
  it('says who wrote it and how, and holds its floor of messages with unique ids', () => {
    expect(corpus.version).toBe(1);
    expect(corpus.writer).toBe('corpus-train-c');
    expect(corpus.description).toContain('2026-12-07');
    expect(corpus.description).toContain('may be trained and tuned on');
    expect(Object.keys(catalogues).sort()).toEqual(['cosm_abj', 'pagne_bko', 'phone_dla', 'prov_lag']);
    for (const catalogue of Object.values(catalogues)) {
      expect(catalogue.products.length).toBeGreaterThanOrEqual(8);
      expect(catalogue.products.length).toBeLessThanOrEqual(14);
      for (const p of catalogue.products) {
        expect(Number.isInteger(p.price) && p.price > 0, p.id).toBe(true);
        expect(p.currency, p.id).toBe(catalogue.currency);
      }
    }
    expect(messages.length).toBeGreaterThanOrEqual(MIN_MESSAGES);
    const ids = messages.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^c-\d{4}$/);
  });

  it('labels every message with known intents, primary first, greeting only alone or last', () => {
    for (const m of messages) {
      const where = `${m.id}: ${m.intents.join(',')}`;
      expect(m.text.trim().length, m.id).toBeGreaterThan(0);
      expect(LANGS, m.id).toContain(m.lang);
      expect(INTENTS, where).toContain(m.intent);
      expect(m.intents[0], where).toBe(m.intent);
      expect(new Set(m.intents).size, where).toBe(m.intents.length);
      for (const intent of m.intents) expect(INTENTS, where).toContain(intent);
      const g = m.intents.indexOf('greeting');
      if (g >= 0) expect(g === 0 ? m.intents.length === 1 : g === m.intents.length - 1, where).toBe(true);
    }
  });

  it('names only products, variants and quantities that exist in the message’s catalogue', () => {
    for (const m of messages) {
      const catalogue = productsOf(m);
      expect(catalogue.size, m.id).toBeGreaterThan(0);
      expect(new Set(m.products).size, m.id).toBe(m.products.length);
      for (const id of m.products) expect(catalogue.has(id), `${m.id}: ${id}`).toBe(true);
      for (const [id, count] of Object.entries(m.quantities ?? {})) {
        expect(m.products, `${m.id}: quantity of ${id}`).toContain(id);
        expect(Number.isInteger(count) && count > 0, `${m.id}: ${id}=${count}`).toBe(true);
      }
      for (const [id, dims] of Object.entries(m.variant ?? {})) {
        expect(m.products, `${m.id}: variant of ${id}`).toContain(id);
        for (const [dim, value] of Object.entries(dims)) {
          expect(catalogue.get(id)?.variants?.[dim] ?? [], `${m.id}: ${id}.${dim}`).toContain(value);
        }
      }
      if (m.unknownProduct !== undefined) expect(m.unknownProduct, m.id).toBe(true);
    }
  });

  it('uses the known tag set, and the derived tags agree with the fields and the text', () => {
    for (const m of messages) {
      expect(new Set(m.tags).size, m.id).toBe(m.tags.length);
      for (const tag of m.tags) expect([...DERIVED_TAGS, ...HAND_TAGS], `${m.id}: ${tag}`).toContain(tag);
      const requests = m.intents.filter((i) => i !== 'greeting').length;
      expect(m.tags.includes('multi_intent'), m.id).toBe(requests >= 2);
      expect(m.tags.includes('quantity'), m.id).toBe(m.quantities !== undefined);
      expect(m.tags.includes('not_sold'), m.id).toBe(m.unknownProduct === true);
      expect(m.tags.includes('pidgin'), m.id).toBe(m.lang === 'pidgin');
      const variants = Object.values(m.variant ?? {});
      expect(m.tags.includes('size'), m.id).toBe(variants.some((v) => v.size !== undefined));
      expect(m.tags.includes('colour'), m.id).toBe(variants.some((v) => v.colour !== undefined));
      expect(m.tags.includes('long'), m.id).toBe(m.text.length >= LONG_CHARS);
      expect(m.tags.includes('emoji'), m.id).toBe(/\p{Extended_Pictographic}/u.test(m.text));
      expect(m.tags.includes('caps'), m.id).toBe(isCaps(m.text));
      const unaccented = ['fr', 'mixed'].includes(m.lang) && !/[àâäçéèêëîïôöûùüÿœæ]/iu.test(m.text);
      expect(m.tags.includes('no_accents'), m.id).toBe(unaccented);
    }
  });

  it('has enough messages per primary intent, more for the hard classes, and the intended language mix', () => {
    for (const intent of INTENTS) {
      const want = MIN_PER_INTENT[intent] ?? MIN_OTHER_INTENT;
      expect(messages.filter((m) => m.intent === intent).length, intent).toBeGreaterThanOrEqual(want);
    }
    const share = (lang: string[]) => messages.filter((m) => lang.includes(m.lang)).length / messages.length;
    expect(share(['fr'])).toBeGreaterThanOrEqual(MIN_SHARE.fr);
    expect(share(['en'])).toBeGreaterThanOrEqual(MIN_SHARE.en);
    expect(share(['pidgin', 'mixed'])).toBeGreaterThanOrEqual(MIN_SHARE.pidgin_mixed);
  });

  it('covers the traps: stop-words that are not opt-outs, products not sold, off-topic chat', () => {
    const tagged = (tag: string) => messages.filter((m) => m.tags.includes(tag));
    expect(tagged('stop_trap').length).toBeGreaterThanOrEqual(MIN_TAGGED.stop_trap);
    expect(tagged('stop_trap').some((m) => m.intents.includes('opt_out'))).toBe(false);
    expect(tagged('not_sold').length).toBeGreaterThanOrEqual(MIN_TAGGED.not_sold);
    expect(tagged('off_topic').length).toBeGreaterThanOrEqual(MIN_TAGGED.off_topic);
    expect(tagged('counter_offer').length).toBeGreaterThanOrEqual(MIN_TAGGED.counter_offer);
    expect(tagged('long').length).toBeGreaterThanOrEqual(MIN_TAGGED.long);
    expect(tagged('obfuscated').length).toBeGreaterThanOrEqual(MIN_TAGGED.obfuscated);
    expect(tagged('obfuscated').every((m) => m.intents.includes('opt_out'))).toBe(true);
    expect(tagged('counter_offer').every((m) => m.intents.includes('negotiate'))).toBe(true);
  });

  it('holds no two messages with the same words', () => {
    const seen = new Map<string, string>();
    for (const m of messages) {
      const key =
        m.text
          .toLowerCase()
          .replace(/[^\p{L}\p{N}]+/gu, ' ')
          .trim() || m.text;
      expect(seen.get(key), `${m.id} repeats ${seen.get(key)}`).toBeUndefined();
      seen.set(key, m.id);
    }
  });
});
