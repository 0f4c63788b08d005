/**
 * Size limits of a seller's catalogue, one set shared by the decision-context schema, the products
 * API, the pipeline that loads the catalogue into a context and the intent engine that indexes it.
 *
 * The intent engine normalizes every name and alias into an index when it first sees a catalogue
 * (and again after each change). That costs about 1 µs per character on one core of the
 * development machine, so the bound that matters is the number of characters of all the names
 * and aliases together: 120,000 characters build in about 100 ms, once per catalogue change. A
 * large real shop fits easily (2,000 products with a 30-character name and a 30-character alias
 * each); the per-product limits are the ones the API always had.
 */
import type { Product } from '../domain/types.ts';

export const CATALOG_LIMITS = {
  /** Products in one catalogue. */
  products: 2000,
  /** Other names of one product. */
  aliasesPerProduct: 50,
  /** Characters (UTF-16 code units) of one name or alias. */
  labelChars: 200,
  /** Characters of all names and aliases of the catalogue together. */
  totalLabelChars: 120_000,
} as const;

/** What the limits look at: a name and its aliases. */
interface Labelled {
  name: Product['name'];
  aliases?: readonly string[] | undefined;
}

/** Characters of a product's name and aliases, as counted against totalLabelChars. */
export function productLabelChars(p: Labelled): number {
  let n = p.name.length;
  for (const alias of p.aliases ?? []) n += alias.length;
  return n;
}

/** Characters of every name and alias of the catalogue. */
export function catalogLabelChars(catalog: readonly Labelled[]): number {
  let n = 0;
  for (const p of catalog) n += productLabelChars(p);
  return n;
}

/**
 * The part of a catalogue within CATALOG_LIMITS: the first `products` products, at most
 * `aliasesPerProduct` aliases each, and names and aliases in catalogue order until
 * `totalLabelChars` is reached (the product whose name no longer fits and every later one are left
 * out; a product keeps the aliases that fit). Returns the same array when nothing is cut, and
 * stops counting at the limit, so the cost is bounded whatever the size of the input.
 */
export function limitCatalog<T extends Labelled>(catalog: readonly T[]): readonly T[] {
  const limits = CATALOG_LIMITS;
  const end = Math.min(catalog.length, limits.products);
  let out: T[] | undefined; // copied at the first product that is cut
  let used = 0;
  for (let i = 0; i < end; i++) {
    const p = catalog[i]!;
    used += p.name.length;
    if (used > limits.totalLabelChars) return out ?? catalog.slice(0, i);
    const aliases = p.aliases ?? [];
    let keep = Math.min(aliases.length, limits.aliasesPerProduct);
    let full = false;
    for (let j = 0; j < keep; j++) {
      const length = aliases[j]!.length;
      if (used + length > limits.totalLabelChars) {
        keep = j;
        full = true;
        break;
      }
      used += length;
    }
    const kept = keep < aliases.length ? { ...p, aliases: aliases.slice(0, keep) } : p;
    if (kept !== p && out === undefined) out = catalog.slice(0, i);
    out?.push(kept);
    if (full) return out!;
  }
  if (out !== undefined) return out;
  return end === catalog.length ? catalog : catalog.slice(0, end);
}
