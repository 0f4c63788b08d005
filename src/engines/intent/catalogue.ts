/**
 * Catalogue matching: which products a message names, in which variant, and what it names that the
 * catalogue lacks. Words are compared whole (a product word inside another word is not a match), a
 * typo is forgiven only where it cannot cross a colour or a variant, and a colour or size the
 * customer asks for must exist for the product. An index of the catalogue's names, aliases,
 * categories and variants is built once per catalogue array and memoized in a WeakMap, which keeps
 * matching pure.
 */
import { damerauLevenshtein, normalizeText, phoneticKey, stemToken, tokenize } from '../text.ts';
import type { Product } from '../types.ts';
import {
  CATEGORY_SYNONYMS,
  COLOURS,
  DETERMINERS,
  LETTER_SIZES,
  LEXICON,
  MODIFIER_STEMS,
  REPLACING_WORDS,
  SIZE_CUES,
  STOP_IN_NAMES,
} from './lexicon.ts';

/** Words of a name or alias beyond this are ignored; positions are bits of a 32-bit mask. */
export const MAX_NAME_WORDS = 30;

export function isDigits(token: string): boolean {
  const c = token.charCodeAt(0);
  return c >= 48 && c <= 57;
}

function stripPlural(token: string): string {
  return token.length >= 4 && ((token.endsWith('s') && !token.endsWith('ss')) || token.endsWith('x'))
    ? token.slice(0, -1)
    : token;
}

/** The comparison form of a catalogue or message word: colours meet across languages ("white" = "blanc"). */
function keyOf(token: string): string {
  const colour = COLOURS.get(token);
  if (colour !== undefined) return `#${colour}`;
  return isDigits(token) ? token : stemToken(token);
}

/** Sound key with a final "c" read as "k", so "sak" meets "sac". */
function soundKey(token: string): string {
  return phoneticKey(token.endsWith('c') ? `${token.slice(0, -1)}k` : token);
}

type VariantKind = 'colour' | 'size' | 'other';

function kindOf(name: string): VariantKind {
  if (/^(?:colou?rs?|couleurs?)$/.test(name)) return 'colour';
  if (/^(?:sizes?|tailles?|pointures?)$/.test(name)) return 'size';
  return 'other';
}

interface NameEntry {
  product: number;
  keys: string[];
  /** A name made only of descriptors ("le rouge", "11") matches only as the exact phrase. */
  contiguous: boolean;
}

interface VocabEntry {
  raw: string;
  key: string;
  sound: string;
}

interface VariantValue {
  name: string;
  kind: VariantKind;
  /** The seller's spelling, returned in the entities. */
  value: string;
  tokens: string[];
  /** Canonical colour of a colour value. */
  colour?: string;
}

export interface CatalogIndex {
  names: NameEntry[];
  /** Key of a catalogue word → [name entry, position] pairs flattened (e0, p0, e1, p1…). */
  keyRefs: Map<string, number[]>;
  /** Key of a significant word → products whose names hold it, for "le sac" or "les baskets". */
  family: Map<string, number[]>;
  /** Plural-free forms of catalogue words, to tell an exact or plural match (score 1) from a near one. */
  exactForms: Set<string>;
  /** Significant catalogue words of 4+ letters: the only targets of typo and sound matching. */
  vocab: VocabEntry[];
  /** Per product: canonical colours its name or aliases state (a different colour is another product). */
  nameColours: Set<string>[];
  /** Per product: its variant values. */
  values: VariantValue[][];
  /** Shared category key → category as the seller wrote it and its products. */
  categories: Map<string, { name: string; products: number[] }>;
  /** Per product: keys of every word of its names and category, to rank products by relevance. */
  words: Set<string>[];
}

const indexCache = new WeakMap<readonly Product[], CatalogIndex>();

function categoryKey(token: string): string {
  return CATEGORY_SYNONYMS.get(token) ?? stemToken(token);
}

function buildIndex(catalog: readonly Product[]): CatalogIndex {
  const names: NameEntry[] = [];
  const keyRefs = new Map<string, number[]>();
  const family = new Map<string, number[]>();
  const exactForms = new Set<string>();
  const vocab: VocabEntry[] = [];
  const seenVocab = new Set<string>();
  const nameColours: Set<string>[] = [];
  const values: VariantValue[][] = [];
  const categories = new Map<string, { name: string; products: number[] }>();
  const words: Set<string>[] = [];
  catalog.forEach((product, p) => {
    const colours = new Set<string>();
    const productWords = new Set<string>();
    for (const label of [product.name, ...(product.aliases ?? [])]) {
      const all = tokenize(normalizeText(label)).slice(0, MAX_NAME_WORDS);
      const kept = all.filter((t) => !STOP_IN_NAMES.has(t));
      if (kept.length === 0) continue;
      const descriptive = kept.every((t) => isDigits(t) || COLOURS.has(t) || MODIFIER_STEMS.has(stemToken(t)));
      // "le rouge" keeps its article: alone, "rouge" is a colour, not this product.
      const raws = descriptive && kept.length < all.length ? all : kept;
      const keys = raws.map(keyOf);
      const e = names.length;
      names.push({ product: p, keys, contiguous: descriptive });
      keys.forEach((key, pos) => {
        const refs = keyRefs.get(key);
        if (refs) refs.push(e, pos);
        else keyRefs.set(key, [e, pos]);
        const raw = raws[pos]!;
        exactForms.add(stripPlural(raw));
        productWords.add(key);
        const colour = COLOURS.get(raw);
        if (colour !== undefined) {
          colours.add(colour);
          return;
        }
        const significant =
          raw.length >= 3 && !isDigits(raw) && !MODIFIER_STEMS.has(key) && !LEXICON.has(raw) && !descriptive;
        if (!significant) return;
        const members = family.get(key);
        if (!members) family.set(key, [p]);
        else if (!members.includes(p)) members.push(p);
        if (raw.length >= 4 && !seenVocab.has(raw)) {
          seenVocab.add(raw);
          vocab.push({ raw, key, sound: soundKey(raw) });
        }
      });
    }
    nameColours.push(colours);
    const own: VariantValue[] = [];
    for (const [name, list] of Object.entries(product.variants ?? {})) {
      const kind = kindOf(name);
      for (const value of list) {
        const tokens = tokenize(normalizeText(value));
        if (tokens.length === 0) continue;
        const v: VariantValue = { name, kind, value, tokens };
        if (kind === 'colour' && tokens.length > 0) {
          const colour = COLOURS.get(tokens[0]!);
          v.colour = colour ?? tokens.join(' ');
        }
        own.push(v);
      }
    }
    values.push(own);
    if (product.category) {
      const catTokens = tokenize(normalizeText(product.category));
      for (const t of catTokens) {
        if (STOP_IN_NAMES.has(t) || t.length < 3) continue;
        const key = categoryKey(t);
        productWords.add(key);
        const cat = categories.get(key);
        if (!cat) categories.set(key, { name: product.category, products: [p] });
        else if (!cat.products.includes(p)) cat.products.push(p);
      }
    }
    words.push(productWords);
  });
  return { names, keyRefs, family, exactForms, vocab, nameColours, values, categories, words };
}

export function indexFor(catalog: readonly Product[]): CatalogIndex {
  let index = indexCache.get(catalog);
  if (!index) {
    index = buildIndex(catalog);
    indexCache.set(catalog, index);
  }
  return index;
}

export interface TokenMatch {
  key: string;
  score: number;
  /** A typo or sound match of a short word: it counts only next to an exact word of the same name. */
  weak: boolean;
}

/** Matches one message word to a catalogue word: exact or plural (1), same stem (0.95), typo, sound. */
export function matchToken(token: string, index: CatalogIndex): TokenMatch | undefined {
  if (isDigits(token)) return index.keyRefs.has(token) ? { key: token, score: 1, weak: false } : undefined;
  const key = keyOf(token);
  const known = LEXICON.has(token);
  if (index.keyRefs.has(key)) {
    if (index.exactForms.has(stripPlural(token)) || COLOURS.has(token)) return { key, score: 1, weak: false };
    if (!known) return { key, score: 0.95, weak: false };
  }
  // Typos are forgiven only for unknown words that are not colours or descriptors.
  if (known || COLOURS.has(token) || MODIFIER_STEMS.has(key) || token.length < 3) return undefined;
  if (token.length >= 4) {
    const max = token.length <= 6 ? 1 : 2;
    let best: TokenMatch | undefined;
    let bestDistance = max + 1;
    for (const entry of index.vocab) {
      if (Math.abs(entry.raw.length - token.length) > max) continue;
      const d = damerauLevenshtein(token, entry.raw, max);
      if (d < bestDistance) {
        bestDistance = d;
        best = { key: entry.key, score: d === 1 ? 0.85 : 0.7, weak: token.length < 6 };
      }
    }
    if (best) return best;
  }
  const sound = soundKey(token);
  if (sound.length < 3) return undefined;
  for (const entry of index.vocab) if (entry.sound === sound) return { key: entry.key, score: 0.8, weak: true };
  return undefined;
}

export interface Mention {
  product: number;
  /** Message token positions, ascending. */
  positions: number[];
  score: number;
  /** False when the word names a family of several products ("le sac" with two bags). */
  specific: boolean;
  quantity?: number;
  /** Variant values the customer chose, in the seller's spelling. */
  variant?: Record<string, string>;
  /** Variant values the customer asked for that the product does not come in. */
  unavailable?: Record<string, string>;
}

interface NameHit {
  mask: number;
  count: number;
  strong: number;
  scoreSum: number;
  positions: number[];
}

/** Products named in full (every word of a name or alias), then families named by a head word. */
export function findMentions(
  tokens: readonly string[],
  matches: readonly (TokenMatch | undefined)[],
  index: CatalogIndex,
  consumed: boolean[],
): Mention[] {
  const hits = new Map<number, NameHit>();
  for (let i = 0; i < tokens.length; i++) {
    const m = matches[i];
    if (!m) continue;
    const refs = index.keyRefs.get(m.key);
    if (!refs) continue;
    for (let r = 0; r < refs.length; r += 2) {
      const e = refs[r]!;
      const bit = 1 << refs[r + 1]!;
      let hit = hits.get(e);
      if (!hit) {
        hit = { mask: 0, count: 0, strong: 0, scoreSum: 0, positions: [] };
        hits.set(e, hit);
      }
      if ((hit.mask & bit) !== 0) continue;
      hit.mask |= bit;
      hit.count++;
      if (!m.weak) hit.strong++;
      hit.scoreSum += m.score;
      hit.positions.push(i);
    }
  }
  // Full matches: every word of a name or alias is present, at least one of them exactly. Most words
  // first, then best score, then the tightest span, so "sac a main rouge" beats "sac".
  const full: { product: number; count: number; score: number; span: number; positions: number[] }[] = [];
  for (const [e, hit] of hits) {
    const entry = index.names[e]!;
    if (hit.count !== entry.keys.length || hit.strong === 0) continue;
    const positions = hit.positions;
    const span = Math.max(...positions) - Math.min(...positions);
    if (entry.contiguous && span !== entry.keys.length - 1) continue;
    full.push({ product: entry.product, count: hit.count, score: hit.scoreSum / hit.count, span, positions });
  }
  full.sort((a, b) => b.count - a.count || b.score - a.score || a.span - b.span || a.product - b.product);
  const mentions: Mention[] = [];
  const taken = new Set<number>();
  for (const c of full) {
    if (taken.has(c.product) || c.positions.some((i) => consumed[i])) continue;
    taken.add(c.product);
    for (const i of c.positions) consumed[i] = true;
    mentions.push({
      product: c.product,
      positions: [...c.positions].sort((a, b) => a - b),
      score: c.score,
      specific: true,
    });
  }
  // Partial matches: a head word ("les baskets", "le sac") names the family; the members that share
  // the most words with the message stay ("sac a main" keeps the handbags, not the backpack).
  for (let i = 0; i < tokens.length; i++) {
    const m = matches[i];
    if (!m || m.weak || consumed[i]) continue;
    const members = index.family.get(m.key);
    if (!members) continue;
    let best = 0;
    const counted: { product: number; count: number }[] = [];
    for (const p of members) {
      if (taken.has(p)) continue;
      let count = 0;
      for (const [e, hit] of hits) {
        if (index.names[e]!.product !== p) continue;
        let unconsumed = 0;
        for (const pos of hit.positions) if (!consumed[pos]) unconsumed++;
        if (unconsumed > count) count = unconsumed;
      }
      counted.push({ product: p, count });
      if (count > best) best = count;
    }
    const kept = counted.filter((c) => c.count === best);
    if (kept.length === 0) continue;
    const factor = kept.length === 1 ? 0.5 : 0.4;
    for (const c of kept) {
      taken.add(c.product);
      mentions.push({ product: c.product, positions: [i], score: factor * m.score, specific: kept.length === 1 });
    }
    consumed[i] = true;
  }
  mentions.sort((a, b) => a.positions[0]! - b.positions[0]! || a.product - b.product);
  return mentions;
}

function first(m: Mention): number {
  return m.positions[0]!;
}
function last(m: Mention): number {
  return m.positions[m.positions.length - 1]!;
}

/** The mention a descriptor at position i belongs to: the noun before it (French), else the one after (English). */
function ownerOf(i: number, mentions: readonly Mention[]): number | undefined {
  let best: number | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  mentions.forEach((m, k) => {
    const before = i - last(m);
    const after = first(m) - i;
    const d = before > 0 && before <= 4 ? before : after > 0 && after <= 3 ? after + 0.5 : Number.POSITIVE_INFINITY;
    if (d < bestDistance) {
      bestDistance = d;
      best = k;
    }
  });
  return best;
}

export interface VariantResolution {
  mentions: Mention[];
  /** Token positions read as variant values (sizes are not quantities). */
  valueAt: Set<number>;
  /** What the customer named that the catalogue lacks in that colour ("sac marron"). */
  rejected?: string;
}

/**
 * Reads colours and sizes next to each mention: a value the product comes in becomes its variant, a
 * value it lacks is reported as unavailable, and a family narrows to the members in the colour asked
 * ("les écouteurs blancs" are the ones that come in white). A product whose own name states another
 * colour is not the one asked for ("sac en marron" is not "Sac noir").
 */
export function resolveVariants(
  tokens: readonly string[],
  mentions: readonly Mention[],
  index: CatalogIndex,
  consumed: readonly boolean[],
): VariantResolution {
  const valueAt = new Set<number>();
  if (mentions.length === 0) return { mentions: [], valueAt };
  // Colour words the product names did not use, each given to its nearest mention.
  const coloursOf = new Map<number, { colour: string; at: number }[]>();
  for (let i = 0; i < tokens.length; i++) {
    if (consumed[i]) continue;
    const colour = COLOURS.get(tokens[i]!);
    if (colour === undefined) continue;
    // "orange money" is a payment method, not a colour.
    if (colour === 'orange' && (tokens[i + 1] === 'money' || tokens[i + 1] === 'om')) continue;
    // Mentions sharing a first position are one family: the colour goes to the whole family.
    const k = ownerOf(i, mentions);
    if (k === undefined) continue;
    const at = first(mentions[k]!);
    const list = coloursOf.get(at) ?? [];
    list.push({ colour, at: i });
    coloursOf.set(at, list);
  }
  const out: Mention[] = [];
  let rejected: string | undefined;
  // Group family members (same position) so a colour narrows the family as a whole.
  const groups = new Map<number, Mention[]>();
  for (const m of mentions) {
    const g = groups.get(first(m)) ?? [];
    g.push(m);
    groups.set(first(m), g);
  }
  for (const [at, group] of groups) {
    const asked = coloursOf.get(at);
    let kept = group.map((m) => ({ ...m }));
    if (asked && asked.length > 0) {
      const colour = asked[0]!.colour;
      const fits = (m: Mention) =>
        index.values[m.product]!.some((v) => v.kind === 'colour' && v.colour === colour) ||
        index.nameColours[m.product]!.has(colour);
      const neutral = (m: Mention) =>
        !index.values[m.product]!.some((v) => v.kind === 'colour') && index.nameColours[m.product]!.size === 0;
      const hasColourVariant = (m: Mention) => index.values[m.product]!.some((v) => v.kind === 'colour');
      const fitting = kept.filter(fits);
      if (fitting.length > 0) kept = fitting;
      else {
        // Not in this colour: a product that comes in colours says which; one whose name is another
        // colour is another product; one with no colour at all may still be it.
        const choosable = kept.filter((m) => hasColourVariant(m) || neutral(m));
        if (choosable.length === 0) {
          rejected ??= `${group[0]!.positions.map((i) => tokens[i]).join(' ')} ${tokens[asked[0]!.at]}`;
        }
        kept = choosable;
        for (const m of kept) {
          if (hasColourVariant(m)) m.unavailable = { ...m.unavailable, colour: tokens[asked[0]!.at]! };
        }
      }
      for (const m of kept) {
        const v = index.values[m.product]!.find((x) => x.kind === 'colour' && x.colour === colour);
        if (v) m.variant = { ...m.variant, [v.name]: v.value };
      }
      for (const c of asked) valueAt.add(c.at);
    }
    if (kept.length === 1 && group.length > 1) {
      kept[0]!.specific = true;
      kept[0]!.score = Math.max(kept[0]!.score, 0.5);
    }
    out.push(...kept);
  }
  for (const m of out) readSizes(tokens, m, index, consumed, valueAt, out.length === 1);
  out.sort((a, b) => first(a) - first(b) || a.product - b.product);
  return rejected === undefined ? { mentions: out, valueAt } : { mentions: out, valueAt, rejected };
}

/** Sizes and other non-colour values of one mention's product, found near it (or anywhere if it is alone). */
function readSizes(
  tokens: readonly string[],
  m: Mention,
  index: CatalogIndex,
  consumed: readonly boolean[],
  valueAt: Set<number>,
  alone: boolean,
): void {
  const values = index.values[m.product]!.filter((v) => v.kind !== 'colour');
  const near = (i: number) => alone || (i > last(m) && i - last(m) <= 6) || (i < first(m) && first(m) - i <= 3);
  const found = new Map<string, { value: string; at: number; replacing: boolean }[]>();
  const sizeNames = new Set<string>();
  for (const v of values) {
    if (v.kind === 'size') sizeNames.add(v.name);
    const n = v.tokens.length;
    for (let i = 0; i + n <= tokens.length; i++) {
      if (consumed[i] || !near(i)) continue;
      let same = true;
      for (let j = 0; j < n; j++) if (tokens[i + j] !== v.tokens[j]) same = false;
      // "22 pouces" may be written "22" after a size cue.
      const prev = tokens[i - 1];
      const cued = prev !== undefined && SIZE_CUES.has(prev);
      const head = v.tokens[0]!;
      if (!same && !(n > 1 && isDigits(head) && tokens[i] === head && cued)) continue;
      if (n === 1 && v.kind === 'size') {
        // A bare number is a size when it is large or cued; a letter size only when cued or right after the product.
        if (isDigits(head) && Number(head) <= 12 && !cued) continue;
        if (LETTER_SIZES.has(head) && !cued && i !== last(m) + 1) continue;
      }
      const replacing = tokens.slice(Math.max(0, i - 3), i).some((t) => REPLACING_WORDS.has(t));
      const list = found.get(v.name) ?? [];
      list.push({ value: v.value, at: i, replacing });
      found.set(v.name, list);
      for (let j = 0; j < (same ? n : 1); j++) valueAt.add(i + j);
    }
  }
  for (const [name, list] of found) {
    list.sort((a, b) => a.at - b.at);
    const chosen = list.find((x) => x.replacing && x.value !== list[0]!.value) ?? list[0]!;
    m.variant = { ...m.variant, [name]: chosen.value };
  }
  // A size asked for after "taille"/"pointure"/"size" that the product does not come in.
  if (sizeNames.size > 0 && ![...sizeNames].some((n) => found.has(n))) {
    for (let i = 1; i < tokens.length; i++) {
      const prev = tokens[i - 1]!;
      const t = tokens[i]!;
      if (!(prev === 'taille' || prev === 'pointure' || prev === 'size' || prev === 'en' || prev === 'in')) continue;
      const numeric = isDigits(t) && Number(t) > 12 && t.length <= 3;
      const letter = LETTER_SIZES.has(t) && prev !== 'en' && prev !== 'in';
      if ((!numeric && !letter) || !near(i) || consumed[i]) continue;
      m.unavailable = { ...m.unavailable, [[...sizeNames][0]!]: t };
      valueAt.add(i);
      break;
    }
  }
}

/** The category a message names ("vous avez quoi comme téléphones ?"), as the seller wrote it. */
export function findCategory(tokens: readonly string[], index: CatalogIndex): string | undefined {
  if (index.categories.size === 0) return undefined;
  for (const t of tokens) {
    if (t.length < 3) continue;
    const cat = index.categories.get(categoryKey(t));
    if (cat) return cat.name;
  }
  return undefined;
}

/** Verbs and words after which the next words are what the customer looks for. */
const SEEK_WORDS = new Set([
  'avez',
  'vendez',
  'vend',
  'vends',
  'have',
  'sell',
  'get',
  'cherche',
  'recherche',
  'combien',
  'prix',
  'price',
  'disponible',
  'available',
  'tarif',
  'cost',
  'for',
]);

/**
 * The words after a determiner or a seeking word that match nothing in the catalogue ("le parfum",
 * "vous avez des casquettes"): a product the catalogue lacks. Tokens already read as products or
 * variants are skipped.
 */
export function unknownProductPhrase(tokens: readonly string[], consumed: readonly boolean[]): string | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!DETERMINERS.has(t) && !SEEK_WORDS.has(t)) continue;
    const phrase: string[] = [];
    for (let j = i + 1; j < tokens.length && phrase.length < 3; j++) {
      const w = tokens[j]!;
      if (consumed[j]) break;
      if (phrase.length === 0 && (DETERMINERS.has(w) || w === 'de' || w === 'd')) continue;
      if (LEXICON.has(w) || isDigits(w) || w.length < 3 || COLOURS.has(w)) break;
      if (phrase.length === 0 && MODIFIER_STEMS.has(stemToken(w))) break;
      phrase.push(w);
    }
    if (phrase.length > 0) return phrase.join(' ');
  }
  return undefined;
}

/**
 * Catalogue positions ranked for a list shown to the customer: products sharing a word or the
 * category with what was asked first (most shared words first), then the others in catalogue order
 * rotated by a seed, so the same first eight are not shown to everyone.
 */
export function rankProducts(catalog: readonly Product[], query: string, seed: number): number[] {
  const index = indexFor(catalog);
  const queryKeys = new Set<string>();
  for (const t of tokenize(normalizeText(query))) {
    if (t.length < 3 || STOP_IN_NAMES.has(t)) continue;
    queryKeys.add(keyOf(t));
    queryKeys.add(categoryKey(t));
  }
  const n = catalog.length;
  const offset = n === 0 ? 0 : Math.abs(seed) % n;
  const scored = catalog.map((_, p) => {
    let shared = 0;
    for (const k of queryKeys) if (index.words[p]!.has(k)) shared++;
    return { p, shared, order: (p - offset + n) % n };
  });
  scored.sort((a, b) => b.shared - a.shared || a.order - b.order);
  return scored.map((s) => s.p);
}
