/**
 * The third held-out corpus is well-formed: every label, product, variant and quantity
 * refers to something that exists, the tags derived from the fields agree with them, and every intent
 * has enough messages to report a per-intent figure. This test reads the labels only; the engine is
 * evaluated on the corpus by the lead, once, in aggregate (never tuned on it).
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

interface HeldoutMessage {
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

interface HeldoutCorpus {
  version: number;
  writer: string;
  description: string;
  catalogues: Record<string, { seller: string; currency: string; products: CatalogueProduct[] }>;
  messages: HeldoutMessage[];
}

const corpus = JSON.parse(
  readFileSync(new URL('./fixtures/intents/heldout-3.json', import.meta.url), 'utf8'),
) as HeldoutCorpus;
const { messages, catalogues } = corpus;

const LANGS = ['fr', 'en', 'pidgin', 'mixed'];
// The tag vocabulary of the first held-out set; the first nine are derived from the fields.
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
];
const HAND_TAGS = [
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

function productsOf(m: HeldoutMessage): Map<string, CatalogueProduct> {
  return new Map((catalogues[m.catalogue]?.products ?? []).map((p) => [p.id, p]));
}

describe('held-out corpus 3 (test/fixtures/intents/heldout-3.json)', () => {
  it('says who wrote it and how, and holds at least 720 messages with unique ids', () => {
    expect(corpus.version).toBe(1);
    expect(corpus.writer).toBe('corpus-heldout-3');
    expect(corpus.description).toContain('2026-12-07');
    expect(Object.keys(catalogues).sort()).toEqual(['bebe_kin', 'electro_cot', 'moto_bko', 'sport_acc']);
    expect(messages.length).toBeGreaterThanOrEqual(720);
    const ids = messages.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^h3-\d{3}$/);
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

  it('uses the known tag set, and the derived tags agree with the fields', () => {
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
    }
  });

  it('has at least 35 messages per primary intent (60 opt-outs, 45 opt-ins and 45 unknown) and the intended language mix', () => {
    const minimum: Partial<Record<Intent, number>> = { opt_out: 60, opt_in: 45, unknown: 45 };
    for (const intent of INTENTS) {
      const count = messages.filter((m) => m.intent === intent).length;
      expect(count, intent).toBeGreaterThanOrEqual(minimum[intent] ?? 35);
    }
    const share = (lang: string[]) => messages.filter((m) => lang.includes(m.lang)).length / messages.length;
    expect(share(['fr'])).toBeGreaterThanOrEqual(0.65);
    expect(share(['en'])).toBeGreaterThanOrEqual(0.2);
    expect(share(['pidgin', 'mixed'])).toBeGreaterThanOrEqual(0.04);
  });

  it('covers the traps: stop-words that are not opt-outs, products not sold, off-topic chat', () => {
    const tagged = (tag: string) => messages.filter((m) => m.tags.includes(tag));
    // A stop trap is a message where 'stop' (or arrêt, s'arrête…) does not ask to stop the messages.
    expect(tagged('stop_trap').length).toBeGreaterThanOrEqual(25);
    expect(tagged('stop_trap').some((m) => m.intents.includes('opt_out'))).toBe(false);
    expect(tagged('not_sold').length).toBeGreaterThanOrEqual(25);
    expect(tagged('off_topic').length).toBeGreaterThanOrEqual(25);
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
