/**
 * Catalogue limits and the intent engine's catalogue index: the index is built once per catalogue
 * content, not once per array (the pipeline reads a fresh array from the database for every
 * message), and only the part of a catalogue within CATALOG_LIMITS is ever indexed.
 */
import { describe, expect, it } from 'vitest';
import type { Product } from '../domain/types.ts';
import { CATALOG_LIMITS, catalogLabelChars, limitCatalog } from './catalog.ts';
import { ContextError, parseContext } from './context.ts';
import { catalogIndexBuilds, detectIntent, INDEX_CACHE_CHARS } from './intent.ts';

function shop(): Product[] {
  // A fresh array of fresh objects each time, as the pipeline reads it from the database.
  return [
    { id: 'sac', name: 'Sac à main noir', aliases: ['sac noir', 'sacoche'], price: 15000, currency: 'XOF' },
    { id: 'robe', name: 'Robe wax', aliases: ['robe pagne'], price: 12000, currency: 'XOF', stock: 2 },
    { id: 'perruque', name: 'Perruque brésilienne', price: 40000, currency: 'XOF' },
  ].map((p) => JSON.parse(JSON.stringify(p)));
}

/** How many indexes `run` builds. */
function buildsDuring(run: () => void): number {
  const before = catalogIndexBuilds();
  run();
  return catalogIndexBuilds() - before;
}

describe('catalogue index cache', () => {
  it('builds the index once for equal catalogues in new arrays', () => {
    const first = shop();
    first[0]!.name = `Sac à main noir ${Math.random()}`; // content no other test used
    const same = () => first.map((p) => JSON.parse(JSON.stringify(p)) as Product);
    expect(buildsDuring(() => detectIntent({ text: 'le sac noir', catalog: first }))).toBe(1);
    expect(buildsDuring(() => detectIntent({ text: 'la sacoche', catalog: same() }))).toBe(0);
    expect(buildsDuring(() => detectIntent({ text: 'combien ?', catalog: same() }))).toBe(0);
  });

  it('reuses the index when only prices or stock change, since it only reads names and aliases', () => {
    const a = shop();
    a[1]!.name = `Robe wax ${Math.random()}`;
    detectIntent({ text: 'x', catalog: a });
    const b = a.map((p) => ({ ...p, price: p.price + 100, stock: 0 }));
    expect(buildsDuring(() => detectIntent({ text: 'la robe wax', catalog: b }))).toBe(0);
    expect(detectIntent({ text: 'la robe wax', catalog: b }).entities.products[0]?.productId).toBe('robe');
  });

  it('builds a new index when a name or an alias changes, and answers from it', () => {
    const a = shop();
    a[2]!.aliases = [`tissage ${Math.random()}`];
    detectIntent({ text: 'x', catalog: a });
    const b = a.map((p) => ({ ...p }));
    b[2] = { ...b[2]!, aliases: ['lace frontal'] };
    expect(buildsDuring(() => detectIntent({ text: 'une lace frontal', catalog: b }))).toBe(1);
    expect(detectIntent({ text: 'une lace frontal', catalog: b }).entities.products[0]?.productId).toBe(
      'perruque',
    );
    // The former catalogue still answers from its own index.
    expect(
      detectIntent({ text: 'une lace frontal', catalog: a.map((p) => ({ ...p })) }).entities.products,
    ).toEqual([]);
  });

  it('never shares an index between catalogues that differ only by where a label ends', () => {
    const a: Product[] = [{ id: 'p1', name: 'Sac', aliases: ['noir rouge'], price: 1, currency: 'XOF' }];
    const b: Product[] = [{ id: 'p1', name: 'Sac noir', aliases: ['rouge'], price: 1, currency: 'XOF' }];
    detectIntent({ text: 'x', catalog: a });
    expect(buildsDuring(() => detectIntent({ text: 'x', catalog: b }))).toBe(1);
  });
});

describe('catalogue index cache size', () => {
  it(`keeps at most ${INDEX_CACHE_CHARS.toLocaleString('en-US')} characters of catalogues, dropping the least recently used`, () => {
    let n = 0;
    const atTheLimit = (): Product[] => {
      const label = () => `m${String(n++).padStart(199, '0')}`; // 200 characters
      return Array.from({ length: CATALOG_LIMITS.totalLabelChars / 200 }, (_, i) => ({
        id: `p${i}`,
        name: label(),
        price: 1,
        currency: 'XOF',
      }));
    };
    const count = Math.floor(INDEX_CACHE_CHARS / CATALOG_LIMITS.totalLabelChars) + 1;
    const catalogues = Array.from({ length: count }, atTheLimit);
    const first = buildsDuring(() => {
      for (const c of catalogues) detectIntent({ text: 'x', catalog: c });
    });
    expect(first).toBe(count);
    const copy = (c: Product[]) => c.map((p) => ({ ...p }));
    // The most recent ones are still there; the first one was dropped to stay within the budget.
    expect(buildsDuring(() => detectIntent({ text: 'x', catalog: copy(catalogues[count - 1]!) }))).toBe(0);
    expect(buildsDuring(() => detectIntent({ text: 'x', catalog: copy(catalogues[0]!) }))).toBe(1);
  });
});

describe('limitCatalog', () => {
  const product = (i: number, aliases: string[] = [], name = `Produit ${i}`): Product => ({
    id: `p${i}`,
    name,
    aliases,
    price: 1,
    currency: 'XOF',
  });

  it('returns the same array when the catalogue is within the limits', () => {
    const c = [product(1, ['a']), product(2)];
    expect(limitCatalog(c)).toBe(c);
  });

  it(`keeps the first ${CATALOG_LIMITS.products} products`, () => {
    const c = Array.from({ length: CATALOG_LIMITS.products + 5 }, (_, i) => product(i, [], `P${i}`));
    const limited = limitCatalog(c);
    expect(limited).toHaveLength(CATALOG_LIMITS.products);
    expect(limited[limited.length - 1]!.id).toBe(`p${CATALOG_LIMITS.products - 1}`);
  });

  it(`keeps the first ${CATALOG_LIMITS.aliasesPerProduct} aliases of a product and goes on`, () => {
    const aliases = Array.from({ length: CATALOG_LIMITS.aliasesPerProduct + 3 }, (_, i) => `alias ${i}`);
    const limited = limitCatalog([product(1, aliases), product(2, ['x'])]);
    expect(limited[0]!.aliases).toEqual(aliases.slice(0, CATALOG_LIMITS.aliasesPerProduct));
    expect(limited[1]!.aliases).toEqual(['x']);
  });

  it(`stops at ${CATALOG_LIMITS.totalLabelChars} characters of names and aliases, in catalogue order`, () => {
    const label = 'x'.repeat(CATALOG_LIMITS.labelChars);
    const perProduct = label.length * 11; // a name and 10 aliases
    const fitting = Math.floor(CATALOG_LIMITS.totalLabelChars / perProduct);
    const c = Array.from({ length: fitting + 3 }, (_, i) => product(i, Array(10).fill(label), label));
    const limited = limitCatalog(c);
    expect(catalogLabelChars(limited)).toBeLessThanOrEqual(CATALOG_LIMITS.totalLabelChars);
    expect(limited.length).toBe(fitting + 1);
    // The last product keeps its name and the aliases that still fit.
    const room = CATALOG_LIMITS.totalLabelChars - fitting * perProduct - label.length;
    expect(limited[fitting]!.aliases).toHaveLength(Math.floor(room / label.length));
  });

  it('does not index what lies beyond the limits, whatever the caller passes', () => {
    const label = 'y'.repeat(CATALOG_LIMITS.labelChars);
    const filler = Array.from({ length: CATALOG_LIMITS.totalLabelChars / label.length }, (_, i) =>
      product(i, [], `${label.slice(0, -6)} ${String(i).padStart(5, '0')}`),
    );
    const beyond = { ...product(99_999), name: 'Montre Casio' };
    const v = detectIntent({ text: 'la montre casio', catalog: [...filler, beyond] });
    expect(v.entities.products).toEqual([]);
  });
});

describe('decision context catalogue limits', () => {
  const base = {
    now: '2026-11-27T10:00:00Z',
    channel: { id: 'chn_1', createdAt: '2026-09-01T08:00:00Z' },
    contact: { id: 'ctc_1' },
  };

  it('accepts a catalogue at the character limit', () => {
    const label = 'z'.repeat(100);
    const catalog = Array.from({ length: CATALOG_LIMITS.totalLabelChars / 100 / 10 }, (_, i) => ({
      id: `p${i}`,
      name: label,
      aliases: Array(9).fill(label),
      price: 1,
      currency: 'XOF',
    }));
    expect(catalogLabelChars(catalog)).toBe(CATALOG_LIMITS.totalLabelChars);
    expect(() => parseContext({ ...base, catalog })).not.toThrow();
  });

  it('refuses names and aliases over the character limit, naming the catalogue', () => {
    const label = 'z'.repeat(CATALOG_LIMITS.labelChars);
    const catalog = Array.from({ length: 20 }, (_, i) => ({
      id: `p${i}`,
      name: label,
      aliases: Array(CATALOG_LIMITS.aliasesPerProduct).fill(label),
      price: 1,
      currency: 'XOF',
    }));
    expect(() => parseContext({ ...base, catalog })).toThrow(ContextError);
    try {
      parseContext({ ...base, catalog });
    } catch (err) {
      expect((err as ContextError).field).toBe('catalog');
    }
  });

  it(`refuses more than ${CATALOG_LIMITS.aliasesPerProduct} aliases on one product`, () => {
    const catalog = [
      {
        id: 'p',
        name: 'n',
        aliases: Array(CATALOG_LIMITS.aliasesPerProduct + 1).fill('a'),
        price: 1,
        currency: 'XOF',
      },
    ];
    expect(() => parseContext({ ...base, catalog })).toThrow(/catalog\.0\.aliases/);
  });
});
