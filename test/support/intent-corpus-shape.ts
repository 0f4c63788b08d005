/**
 * The well-formedness checks every intent corpus of test/fixtures/intents/ passes (the held-out sets,
 * dev-3 and train-c): every label, product, variant and quantity refers to something that exists, the
 * tags derived from the fields and the text agree with them, the hard classes hold enough messages,
 * and no two messages have the same words. Each corpus test states its own floors (its writer's
 * brief) and calls describeCorpusShape; the checks read the labels only.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type CorpusMessage as BenchMessage,
  type CorpusProduct,
  contextFor,
} from '../../bench/intent-eval.ts';
import { INTENTS, type Intent } from '../../src/domain/types.ts';

/** A corpus message as the writers' briefs define it: tags are always present. */
type CorpusMessage = BenchMessage & { tags: string[]; note?: string };

interface Corpus {
  version: number;
  writer: string;
  description: string;
  catalogues: Record<string, { seller: string; currency: string; products: CorpusProduct[] }>;
  messages: CorpusMessage[];
}

export interface CorpusShape {
  /** File name under test/fixtures/intents/. */
  file: string;
  title: string;
  writer: string;
  /** Sentences the description must contain (the date written, what it may be used for). */
  descriptionSays: string[];
  catalogueIds: string[];
  /** Products per catalogue, and whether prices are checked (positive integers in its currency). */
  productsPerCatalogue?: { min: number; max?: number };
  idPattern: RegExp;
  minMessages: number;
  /** Messages per primary intent: the hard classes' floors, and every other intent's. */
  minPerIntent: Partial<Record<Intent, number>>;
  minOtherIntent: number;
  minShare: { fr: number; en: number; pidginOrMixed: number };
  /** Floors of hand-set tags (stop_trap, not_sold, off_topic, counter_offer, long, obfuscated). */
  minTagged: Partial<Record<string, number>>;
  /** Tags derived from the text that this corpus's writer computed, checked against the text. */
  derivedFromText: ('long' | 'emoji' | 'caps' | 'no_accents')[];
}

const LANGS = ['fr', 'en', 'pidgin', 'mixed'];
/** Derived from the fields; the text-derived ones (long, emoji, caps, no_accents) are checked apart. */
const FIELD_TAGS = ['multi_intent', 'quantity', 'size', 'colour', 'not_sold', 'pidgin'];
const OTHER_TAGS = [
  'long',
  'emoji',
  'caps',
  'sms',
  'no_accents',
  'typo',
  'off_topic',
  'wolof_mix',
  'obfuscated',
  'stop_trap',
  'counter_offer',
  'camfranglais',
  'nouchi',
];
const LONG_CHARS = 160;

/** Capitals as the corpus descriptions define them: a word of 4+ capitals, or 60 % of 8+ letters. */
function isCaps(text: string): boolean {
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  const upper = text.match(/\p{Lu}/gu)?.length ?? 0;
  return /(?<!\p{L})\p{Lu}{4,}(?!\p{L})/u.test(text) || (letters >= 8 && upper / letters >= 0.6);
}

export function describeCorpusShape(shape: CorpusShape): void {
  const corpus = JSON.parse(
    readFileSync(new URL(`../fixtures/intents/${shape.file}`, import.meta.url), 'utf8'),
  ) as Corpus;
  const { messages, catalogues } = corpus;
  const productsOf = (m: CorpusMessage) =>
    new Map((catalogues[m.catalogue]?.products ?? []).map((p) => [p.id, p]));

  describe(`${shape.title} (test/fixtures/intents/${shape.file})`, () => {
    it(`says who wrote it and how, and holds at least ${shape.minMessages} messages with unique ids`, () => {
      expect(corpus.version).toBe(1);
      expect(corpus.writer).toBe(shape.writer);
      for (const sentence of shape.descriptionSays) expect(corpus.description).toContain(sentence);
      expect(Object.keys(catalogues).sort()).toEqual([...shape.catalogueIds].sort());
      const bounds = shape.productsPerCatalogue;
      if (bounds !== undefined) {
        for (const catalogue of Object.values(catalogues)) {
          expect(catalogue.products.length).toBeGreaterThanOrEqual(bounds.min);
          if (bounds.max !== undefined) expect(catalogue.products.length).toBeLessThanOrEqual(bounds.max);
          for (const p of catalogue.products) {
            expect(Number.isInteger(p.price) && p.price > 0, p.id).toBe(true);
            expect(p.currency, p.id).toBe(catalogue.currency);
          }
        }
      }
      expect(messages.length).toBeGreaterThanOrEqual(shape.minMessages);
      // Every catalogue is one the API accepts (variant names are identifiers: 'matiere', not 'matière').
      for (const [id, catalogue] of Object.entries(catalogues)) {
        expect(() => contextFor({ id, text: 'bonjour' }, catalogue.products), id).not.toThrow();
      }
      const ids = messages.map((m) => m.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id).toMatch(shape.idPattern);
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
      const fromText = new Set(shape.derivedFromText);
      for (const m of messages) {
        expect(new Set(m.tags).size, m.id).toBe(m.tags.length);
        for (const tag of m.tags) expect([...FIELD_TAGS, ...OTHER_TAGS], `${m.id}: ${tag}`).toContain(tag);
        const requests = m.intents.filter((i) => i !== 'greeting').length;
        expect(m.tags.includes('multi_intent'), m.id).toBe(requests >= 2);
        expect(m.tags.includes('quantity'), m.id).toBe(m.quantities !== undefined);
        expect(m.tags.includes('not_sold'), m.id).toBe(m.unknownProduct === true);
        expect(m.tags.includes('pidgin'), m.id).toBe(m.lang === 'pidgin');
        const variants = Object.values(m.variant ?? {});
        expect(m.tags.includes('size'), m.id).toBe(variants.some((v) => v.size !== undefined));
        expect(m.tags.includes('colour'), m.id).toBe(variants.some((v) => v.colour !== undefined));
        if (fromText.has('long')) expect(m.tags.includes('long'), m.id).toBe(m.text.length >= LONG_CHARS);
        if (fromText.has('emoji'))
          expect(m.tags.includes('emoji'), m.id).toBe(/\p{Extended_Pictographic}/u.test(m.text));
        if (fromText.has('caps')) expect(m.tags.includes('caps'), m.id).toBe(isCaps(m.text));
        if (fromText.has('no_accents')) {
          const unaccented = ['fr', 'mixed'].includes(m.lang) && !/[àâäçéèêëîïôöûùüÿœæ]/iu.test(m.text);
          expect(m.tags.includes('no_accents'), m.id).toBe(unaccented);
        }
      }
    });

    it('has enough messages per primary intent, more for the hard classes, and the intended language mix', () => {
      for (const intent of INTENTS) {
        const want = shape.minPerIntent[intent] ?? shape.minOtherIntent;
        expect(messages.filter((m) => m.intent === intent).length, intent).toBeGreaterThanOrEqual(want);
      }
      const share = (lang: string[]) =>
        messages.filter((m) => lang.includes(m.lang)).length / messages.length;
      expect(share(['fr'])).toBeGreaterThanOrEqual(shape.minShare.fr);
      expect(share(['en'])).toBeGreaterThanOrEqual(shape.minShare.en);
      expect(share(['pidgin', 'mixed'])).toBeGreaterThanOrEqual(shape.minShare.pidginOrMixed);
    });

    it('covers the traps: stop-words that are not opt-outs, products not sold, off-topic chat', () => {
      const tagged = (tag: string) => messages.filter((m) => m.tags.includes(tag));
      for (const [tag, floor] of Object.entries(shape.minTagged)) {
        expect(tagged(tag).length, tag).toBeGreaterThanOrEqual(floor ?? 0);
      }
      expect(tagged('stop_trap').some((m) => m.intents.includes('opt_out'))).toBe(false);
      expect(tagged('counter_offer').every((m) => m.intents.includes('negotiate'))).toBe(true);
      if (shape.minTagged.obfuscated !== undefined)
        expect(tagged('obfuscated').every((m) => m.intents.includes('opt_out'))).toBe(true);
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
}
