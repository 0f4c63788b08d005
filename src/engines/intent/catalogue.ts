/**
 * Catalogue matching: which products a message names, in which variant, and what it names that the
 * catalogue lacks. Words are compared whole (a product word inside another word is not a match), a
 * typo is forgiven only where it cannot cross a colour or a variant, and a colour or size the
 * customer asks for must exist for the product. An index of the catalogue's names, aliases,
 * categories and variants is built once per catalogue content (within CATALOG_LIMITS) and memoized,
 * which keeps matching pure; typo matching has a per-message budget, so its cost stays bounded.
 */

import type { Product } from '../../domain/types.ts';
import { limitCatalog } from '../catalog.ts';
import { damerauLevenshtein, normalizeText, phoneticKey, stemToken, tokenize } from '../text.ts';
import {
  AMBIGUOUS_NOUN_FORMS,
  CATEGORY_SYNONYMS,
  COLOURS,
  LETTER_SIZES,
  LEXICON,
  MODIFIER_STEMS,
  NUMBER_WORDS,
  PRODUCT_NOUNS,
  REPLACING_WORDS,
  SIZE_CUES,
  STOP_IN_NAMES,
  words,
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

/**
 * The comparison form of a catalogue or message word: colours ("white" = "blanc") and common product
 * nouns ("stroller" = "poussette", PRODUCT_NOUNS) meet across languages.
 */
function keyOf(token: string): string {
  const colour = COLOURS.get(token);
  if (colour !== undefined) return `#${colour}`;
  // The French noun's stem, so typos and inflections of the French word still meet it ("montr").
  const noun = PRODUCT_NOUNS.get(token);
  if (noun !== undefined) return stemToken(noun);
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
  /**
   * A one-word name that is a common product noun (PRODUCT_NOUNS), singular: named in full only by
   * that word; its translation names the family ("écouteurs" is not the alias "earbuds" alone).
   */
  noun?: string;
}

interface VocabEntry {
  raw: string;
  key: string;
  /** Letters a–z present in the word, one bit each: a cheap exact filter before the edit distance. */
  mask: number;
  /** Position in catalogue order: among equally near words the first one wins. */
  order: number;
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
  /** Significant catalogue words of 4+ letters, by length: the only targets of typo matching. */
  vocabByLength: VocabEntry[][];
  /** Sound key → key of the first significant catalogue word with that sound. */
  phonetic: Map<string, string>;
  /** Per product: canonical colours its name or aliases state (a different colour is another product). */
  nameColours: Set<string>[];
  /** Per product: its variant values. */
  values: VariantValue[][];
  /** Shared category key → category as the seller wrote it and its products. */
  categories: Map<string, { name: string; products: number[] }>;
  /** Per product: keys of every word of its names and category, to rank products by relevance. */
  words: Set<string>[];
}

/**
 * Distinct catalogue words kept as typo targets, in catalogue order. 2,000 products with a name
 * and a few aliases each hold well under this many distinct words of 4+ letters.
 */
const MAX_FUZZY_VOCAB = 20_000;
/**
 * Typo matching work for one message at most: catalogue words looked at, and edit distances
 * computed. A real message stays far below both budgets; they bound a hostile one (150 invented
 * words against a catalogue of look-alike words) to a few milliseconds. Words met after a budget
 * is spent only get exact and sound matches.
 */
export const MAX_FUZZY_VISITS = 200_000;
export const MAX_FUZZY_COMPARISONS = 10_000;

export interface FuzzyBudget {
  visits: number;
  comparisons: number;
}

/** Set bits of a 32-bit integer. */
function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

function letterMask(word: string): number {
  let mask = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i) - 97;
    if (c >= 0 && c < 26) mask |= 1 << c;
  }
  return mask;
}

/** Containers and measures: "X de <product>" with these names the product ("un sachet de henné"). */
export const MEASURE_WORDS = words(`
  gallon gallons tuber tubers paire paires pair pairs paquet paquets paket pakets pack packs sachet sachets
  bouteille bouteilles bottle bottles carton cartons boite boites box boxes kilo kilos litre litres liter
  liters piece pieces pot pots tin tins tube tubes rouleau rouleaux metre metres yard yards bunch bunches
  basket baskets panier bidon bidons seau seaux tas cup cups mudu paint derica congo head heads lot lots
  douzaine dozen sac sacs bag bags plat plats boule boules tranche tranches morceau morceaux verre verres
  cuillere bol bols
`);

/** Links after which a word of a name qualifies the head ("fer à repasser", "olonka of gari"). */
const QUALIFIER_LINKS: ReadonlySet<string> = new Set(['de', 'd', 'a', 'of', 'for', 'pour', 'du', 'des']);

function categoryKey(token: string): string {
  return CATEGORY_SYNONYMS.get(token) ?? stemToken(token);
}

function buildIndex(catalog: readonly Product[]): CatalogIndex {
  const names: NameEntry[] = [];
  const keyRefs = new Map<string, number[]>();
  const family = new Map<string, number[]>();
  const exactForms = new Set<string>();
  const vocabByLength: VocabEntry[][] = [];
  const phonetic = new Map<string, string>();
  const seenVocab = new Set<string>();
  const nameColours: Set<string>[] = [];
  const values: VariantValue[][] = [];
  const categories = new Map<string, { name: string; products: number[] }>();
  const words: Set<string>[] = [];
  catalog.forEach((product, p) => {
    const colours = new Set<string>();
    const productWords = new Set<string>();
    const labels = [product.name, ...(product.aliases ?? [])];
    // A word names the product's family when it is the first significant word of its name or
    // recurs in its labels ("yam" in "Tuber of yam" and "abuja yam"; not the one-off "abuja").
    const labelCount = new Map<string, number>();
    let headWord: string | undefined;
    labels.forEach((label, li) => {
      const seenHere = new Set<string>();
      const labelTokens = tokenize(normalizeText(label));
      labelTokens.forEach((t, ti) => {
        if (t.length < 3 || isDigits(t) || STOP_IN_NAMES.has(t) || LEXICON.has(t) || COLOURS.has(t)) return;
        // A unit after a number ("Lipton tea (100 bags)") or what a link qualifies ("Serrure de
        // porte") never names the family: "bags of rice" and "la porte" are not this product.
        const before = labelTokens[ti - 1];
        if (li > 0 || headWord !== undefined) {
          if (before !== undefined && isDigits(before)) return;
          // "Bag of rice", "sac de riz": after a measure the goods are named, not a qualifier.
          const measure = labelTokens[ti - 2];
          if (before !== undefined && QUALIFIER_LINKS.has(before) && !MEASURE_WORDS.has(measure ?? ''))
            return;
        }
        const k = keyOf(t);
        if (MODIFIER_STEMS.has(k)) return;
        if (li === 0 && headWord === undefined) headWord = k;
        if (!seenHere.has(k)) labelCount.set(k, (labelCount.get(k) ?? 0) + 1);
        seenHere.add(k);
      });
    });
    // A measure ("bag" in "Mama Gold rice 50 kg bag" and "rice bag") names the family only as the
    // head of the name ("Sac noir"): "4 bags of Semovita" is no rice.
    const namesFamily = (k: string, raw: string) =>
      k === headWord || ((labelCount.get(k) ?? 0) >= 2 && !MEASURE_WORDS.has(raw)) || labels.length === 1;
    for (const label of labels) {
      const all = tokenize(normalizeText(label)).slice(0, MAX_NAME_WORDS);
      const kept = all.filter((t) => !STOP_IN_NAMES.has(t));
      if (kept.length === 0) continue;
      const descriptive = kept.every(
        (t) => isDigits(t) || COLOURS.has(t) || MODIFIER_STEMS.has(stemToken(t)),
      );
      // "le rouge" keeps its article: alone, "rouge" is a colour, not this product.
      const raws = descriptive && kept.length < all.length ? all : kept;
      const keys = raws.map(keyOf);
      const e = names.length;
      const entry: NameEntry = { product: p, keys, contiguous: descriptive };
      if (raws.length === 1 && PRODUCT_NOUNS.has(raws[0]!)) entry.noun = stripPlural(raws[0]!);
      names.push(entry);
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
        if (namesFamily(key, raw)) {
          const members = family.get(key);
          if (!members) family.set(key, [p]);
          else if (!members.includes(p)) members.push(p);
        }
        if (raw.length >= 4 && !seenVocab.has(raw) && seenVocab.size < MAX_FUZZY_VOCAB) {
          const entry = { raw, key, mask: letterMask(raw), order: seenVocab.size };
          seenVocab.add(raw);
          const bucket = vocabByLength[raw.length];
          if (bucket) bucket.push(entry);
          else vocabByLength[raw.length] = [entry];
        }
        // Sound keys also for three-letter words: "sak" sounds like "sac" (a weak match, see matchToken).
        if (raw.length >= 3 && !isDigits(raw)) {
          const sound = soundKey(raw);
          if (sound.length >= 3 && !phonetic.has(sound)) phonetic.set(sound, key);
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
  return {
    names,
    keyRefs,
    family,
    exactForms,
    vocabByLength,
    phonetic,
    nameColours,
    values,
    categories,
    words,
  };
}

// The index depends only on the names, aliases, categories and variants, in catalogue order.
// Callers build a fresh array for every decision (the pipeline reads the catalogue from the
// database each time), so the cache is keyed by content: a cheap fingerprint finds the candidate
// and an exact comparison of every label confirms it, so two catalogues never share an index.

interface CachedIndex {
  /** Per product: the number of labels it contributes, then the labels in order, as indexed. */
  shape: number[];
  labels: string[];
  /** Characters of the labels: the weight of the entry in the cache. */
  chars: number;
  index: CatalogIndex;
}

/** Indexes kept: one per recently active catalogue, the least recently used out first. */
const INDEX_CACHE_ENTRIES = 64;
/**
 * Characters of labels over all cached indexes. An index costs about 45 bytes of memory per
 * character, so the cache holds at most about 45 MB: 64 ordinary catalogues, or 8 at the limit.
 */
export const INDEX_CACHE_CHARS = 1_000_000;
let cachedChars = 0;
const byContent = new Map<number, CachedIndex>();
/** A caller that keeps its array (the benchmarks, a long-lived process) skips even the comparison. */
const byIdentity = new WeakMap<readonly Product[], CatalogIndex>();
let builds = 0;

/** How many catalogue indexes were built since start: tests use it to prove a cache hit. */
export function catalogIndexBuilds(): number {
  return builds;
}

/** Everything of a product the index reads, as strings in a fixed order. */
function labelsOf(p: Product): string[] {
  const out = [p.name, ...(p.aliases ?? [])];
  out.push(`\u0000c${p.category ?? ''}`);
  for (const [name, values] of Object.entries(p.variants ?? {})) out.push(`\u0000v${name}`, ...values);
  return out;
}

function mix(h: number, v: number): number {
  return Math.imul(h ^ v, 0x01000193);
}

function fingerprint(catalog: readonly Product[]): number {
  let h = mix(0x811c9dc5, catalog.length);
  for (const p of catalog) {
    const labels = labelsOf(p);
    h = mix(h, labels.length);
    for (const label of labels) {
      const n = label.length;
      h = mix(mix(mix(h, n), n > 0 ? label.charCodeAt(0) : 0), n > 1 ? label.charCodeAt(n >> 1) : 0);
      h = mix(h, n > 2 ? label.charCodeAt(n - 1) : 0);
    }
  }
  return h >>> 0;
}

function sameLabels(catalog: readonly Product[], cached: CachedIndex): boolean {
  if (catalog.length !== cached.shape.length) return false;
  let k = 0;
  for (let i = 0; i < catalog.length; i++) {
    const labels = labelsOf(catalog[i]!);
    if (labels.length !== cached.shape[i]) return false;
    for (const label of labels) if (label !== cached.labels[k++]) return false;
  }
  return true;
}

/** The index of a catalogue (within CATALOG_LIMITS), from the cache when the same content was seen. */
export function indexFor(input: readonly Product[]): CatalogIndex {
  const known = byIdentity.get(input);
  if (known) return known;
  // Only the part within the catalogue limits is indexed, compared and fingerprinted, so a caller
  // that skipped validation cannot make any of it cost more than the limits allow.
  const catalog = limitCatalog(input);
  const key = fingerprint(catalog);
  let entry = byContent.get(key);
  if (entry) {
    // Out of the cache either way: set again below as the most recently used, or replaced.
    byContent.delete(key);
    cachedChars -= entry.chars;
  }
  if (!entry || !sameLabels(catalog, entry)) {
    builds++;
    const shape: number[] = [];
    const labels: string[] = [];
    let chars = 0;
    for (const p of catalog) {
      const own = labelsOf(p);
      shape.push(own.length);
      labels.push(...own);
      for (const label of own) chars += label.length;
    }
    entry = { shape, labels, chars, index: buildIndex(catalog) };
  }
  byContent.set(key, entry);
  cachedChars += entry.chars;
  for (const [oldKey, old] of byContent) {
    if (byContent.size <= INDEX_CACHE_ENTRIES && cachedChars <= INDEX_CACHE_CHARS) break;
    if (old === entry) break; // the entry just used always stays
    byContent.delete(oldKey);
    cachedChars -= old.chars;
  }
  byIdentity.set(input, entry.index);
  return entry.index;
}

export interface TokenMatch {
  key: string;
  score: number;
  /** A typo or sound match of a short word: it counts only next to an exact word of the same name. */
  weak: boolean;
}

const FALSE_PLURALS: ReadonlySet<string> = new Set(['fils', 'fois', 'temps', 'cours']);

/** Matches one message word to a catalogue word: exact or plural (1), same stem (0.95), typo, sound. */
export function matchToken(token: string, index: CatalogIndex, budget: FuzzyBudget): TokenMatch | undefined {
  if (isDigits(token)) return index.keyRefs.has(token) ? { key: token, score: 1, weak: false } : undefined;
  const key = keyOf(token);
  const known = LEXICON.has(token);
  if (index.keyRefs.has(key)) {
    // Words that only look like a plural: "fils" (son) is not two "fil" (wire).
    const plural = !FALSE_PLURALS.has(token);
    if (
      (plural && index.exactForms.has(stripPlural(token))) ||
      COLOURS.has(token) ||
      PRODUCT_NOUNS.has(token)
    )
      return { key, score: 1, weak: false };
    if (!known) return { key, score: 0.95, weak: false };
  }
  // Typos are forgiven only for unknown words that are not colours or descriptors.
  if (known || COLOURS.has(token) || MODIFIER_STEMS.has(key) || token.length < 3) return undefined;
  if (token.length >= 4) {
    // Two edits only in long words: "changer" is not "chargeur".
    const max = token.length <= 8 ? 1 : 2;
    // Each edit adds or removes at most two letters from the set of letters a word uses, so a word
    // whose letter set differs in more than 2 × max letters is too far without computing anything.
    const mask = letterMask(token);
    let best: VocabEntry | undefined;
    let bestDistance = max + 1;
    for (let length = token.length - max; length <= token.length + max; length++) {
      if (budget.visits <= 0 || budget.comparisons <= 0) break;
      for (const entry of index.vocabByLength[length] ?? []) {
        if (budget.visits-- <= 0) break;
        if (popcount(entry.mask ^ mask) > 2 * max) continue;
        if (budget.comparisons-- <= 0) break;
        const d = damerauLevenshtein(token, entry.raw, max);
        if (d < bestDistance || (d === bestDistance && best !== undefined && entry.order < best.order)) {
          bestDistance = d;
          best = entry;
        }
      }
    }
    if (best) return { key: best.key, score: bestDistance === 1 ? 0.85 : 0.7, weak: token.length < 7 };
  }
  const sound = soundKey(token);
  if (sound.length < 3) return undefined;
  const key2 = index.phonetic.get(sound);
  // A sound match keeps the word's length: "parfumées" (scented) is not "parfum".
  if (key2 === undefined || Math.abs(key2.length - token.length) > 2) return undefined;
  return { key: key2, score: 0.8, weak: token.length < 5 };
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

/** Linking words between a head noun and what qualifies it ("sac de voyage", "bag of beans"). */
const LINKS = new Set(['de', 'd', 'a', 'en', 'of', 'du', 'des']);

function contentWord(
  tokens: readonly string[],
  matches: readonly (TokenMatch | undefined)[],
  j: number,
): boolean {
  const t = tokens[j];
  if (t === undefined || matches[j] !== undefined || t.length < 3 || isDigits(t)) return false;
  return !LEXICON.has(t) && !COLOURS.has(t) && !MODIFIER_STEMS.has(stemToken(t)) && !SIZE_CUES.has(t);
}

function otherProductWord(
  tokens: readonly string[],
  matches: readonly (TokenMatch | undefined)[],
  i: number,
): boolean {
  const after = LINKS.has(tokens[i + 1] ?? '') ? i + 2 : i + 1;
  return contentWord(tokens, matches, after) || contentWord(tokens, matches, i - 1);
}

/** Words before a noun: a determiner, a possessive, a partitive. */
const NOUN_LEADS = new Set(
  'le la les l un une des du de d au aux mon ma mes ton ta tes son sa ses votre vos notre nos ce cette ces the a an my your his her our their this that these those some any'.split(
    ' ',
  ),
);

/** A word the engine reads as a shop or function word counts as a product word only after a determiner or a count. */
function determined(tokens: readonly string[], i: number): boolean {
  const t = tokens[i]!;
  if (!LEXICON.has(t) || isDigits(t)) return true;
  const prev = tokens[i - 1] ?? '';
  return NOUN_LEADS.has(prev) || isDigits(prev);
}

/** Words after which an ambiguous noun form is a verb or a person ("a fan of", "iron out", "bag it"). */
const NOT_NOUN_AFTER = new Set(['of', 'out', 'it', 'them', 'the', 'my', 'your', 'this', 'that', 'up']);

/**
 * An everyday English word ("fan", "iron", "watch", "bag": AMBIGUOUS_NOUN_FORMS) that would name
 * a product of the catalogue only through its translation, used here as a verb or a person: not
 * after a determiner, a possessive, a count, a colour or an adjective, or before "of", "out", "it". A catalogue
 * that names the product with the word itself keeps its own rules.
 */
function notNounHere(tokens: readonly string[], i: number, index: CatalogIndex): boolean {
  const t = tokens[i]!;
  if (!AMBIGUOUS_NOUN_FORMS.has(t) || index.exactForms.has(stripPlural(t))) return false;
  if (NOT_NOUN_AFTER.has(tokens[i + 1] ?? '')) return true;
  const prev = tokens[i - 1] ?? '';
  // A content word the engine does not know before it is an adjective or a noun ("standing fan").
  const qualified = prev.length >= 3 && !LEXICON.has(prev) && !SUBJECTS.has(prev);
  return !(
    NOUN_LEADS.has(prev) ||
    isDigits(prev) ||
    COLOURS.has(prev) ||
    NUMBER_WORDS.has(prev) ||
    qualified
  );
}

/**
 * "<name> de <unknown word>": the name qualified into another thing (never a measure: "sac de riz");
 * also "<name> à <verb>" ("fer à souder", "machine à coudre" with a "fer" or a "machine" on sale),
 * a tool named by what it does.
 */
function ofOther(
  tokens: readonly string[],
  matches: readonly (TokenMatch | undefined)[],
  i: number,
): boolean {
  const link = tokens[i + 1];
  if (link === 'a') {
    const verb = tokens[i + 2] ?? '';
    if (verb.length < 5 || !/(?:er|ir|re)$/.test(verb)) return false;
  } else if (link !== 'de' && link !== 'd' && link !== 'of') return false;
  if (MEASURE_WORDS.has(tokens[i]!)) return false;
  return contentWord(tokens, matches, i + 2);
}

/**
 * An unknown word of 4+ letters between a seeking verb and a one-word alias, that no label or
 * variant holds ("do you sell ofada rice?" with a "Mama Gold rice"): another kind or brand of the
 * goods, which the catalogue lacks.
 */
function qualifiedBefore(
  tokens: readonly string[],
  matches: readonly (TokenMatch | undefined)[],
  i: number,
  product: number,
  index: CatalogIndex,
): boolean {
  const prev = tokens[i - 1];
  if (prev === undefined || prev.length < 4 || !contentWord(tokens, matches, i - 1)) return false;
  if (!phraseWord(prev, true)) return false;
  // Only right after a seeking verb ("do you sell ofada rice", "u get Peak milk"): elsewhere the word
  // is as often a team, a flavour or a typo ("Kotoko jersey", "chicken Indomie", "standing fan").
  if (!SEEK_WORDS.has(tokens[i - 2] ?? '')) return false;
  if (index.words[product]!.has(keyOf(prev))) return false;
  // A variant value of any product ("Kotoko" of a jersey) is no other brand.
  return !index.values.some((vs) => vs.some((v) => v.tokens.includes(prev)));
}

/** Words after which a French word in -er is an infinitive ("il faut charger", "ne peut pas charger"). */
const INFINITIVE_LEADS = words('se s me m te t peut peux pouvez faut va vais veux voulez pas');
/** Verbs that take "de" + an infinitive ("s'arrête de charger", "refuse de démarrer"). */
const DE_INFINITIVE_VERBS = words(
  'arrete arretes arretent arreter refuse refusent essaye essayer commence commencer fini finit oublie empeche permet',
);

/**
 * A word in -er right after a verb that takes an infinitive: a verb, never a product ("le câble
 * s'arrête de charger" with a "charger" on sale).
 */
function frenchInfinitive(tokens: readonly string[], i: number): boolean {
  const t = tokens[i]!;
  if (t.length < 5 || !t.endsWith('er')) return false;
  const prev = tokens[i - 1] ?? '';
  if (INFINITIVE_LEADS.has(prev)) return true;
  return (prev === 'de' || prev === 'd') && DE_INFINITIVE_VERBS.has(tokens[i - 2] ?? '');
}

/** Subject pronouns: the word after one is a verb ("je peigne", "il colle", "I iron"), not a product. */
const SUBJECTS = new Set(['je', 'j', 'tu', 'il', 'elle', 'ils', 'elles', 'i', 'we', 'they', 'he', 'she']);

/** Auxiliaries: "tu m'as montré", "vous avez collé", "I have ironed" are verbs, not products. */
const AUXILIARIES = new Set(['as', 'ai', 'avez', 'avons', 'ont', 'has', 'had']);

function afterSubject(tokens: readonly string[], i: number): boolean {
  if (isDigits(tokens[i]!)) return false;
  const prev = tokens[i - 1] ?? '';
  // An auxiliary counts after a pronoun ("tu m'as", "je t'ai", "vous avez"), not before an object.
  const aux =
    AUXILIARIES.has(prev) &&
    /^(?:tu|je|j|il|elle|vous|nous|m|t|l|ils|elles|i|he|she|it)$/.test(tokens[i - 2] ?? '');
  return SUBJECTS.has(prev) || aux;
}

/** Words that follow a model number ("iPhone 15 Pro Max", "Watch series 8 Ultra"). */
const MODEL_WORDS = new Set(['pro', 'max', 'plus', 'mini', 'ultra', 'lite', 'neo', 'prime']);

/**
 * A model number right after a product word that none of these products has ("iphone 15 pro max"
 * when the shop sells the 11, 12 and 13 Pro; "spark 20" for a Spark 10): another model, which the
 * catalogue lacks. Small numbers alone may be quantities ("spark 3"), so they count only before a
 * model word.
 */
function otherModel(
  tokens: readonly string[],
  i: number,
  products: readonly number[],
  index: CatalogIndex,
): boolean {
  const next = tokens[i + 1];
  // Four digits and more are a price ("la serrure 9000"), not a model.
  if (next === undefined || !isDigits(next) || next.length > 3) return false;
  if (!(Number(next) > 12 || MODEL_WORDS.has(tokens[i + 2] ?? ''))) return false;
  // "12 boîtes de tomate 24 sardines": a number before a catalogue word counts the next item.
  const after = tokens[i + 2];
  if (
    after !== undefined &&
    !MODEL_WORDS.has(after) &&
    (MEASURE_WORDS.has(after) || index.keyRefs.has(keyOf(after)))
  )
    return false;
  if (products.some((p) => index.words[p]!.has(next))) return false;
  // Only products that carry a model number of their own: "sac 15" is a bag and a number.
  return products.every((p) => [...index.words[p]!].some((w) => isDigits(w)));
}

/**
 * A number and its unit after a product word and its own words ("le kit 300 W", "kit solaire 150W",
 * "matelas 4 places") where these products carry that unit with other numbers only ("Kit solaire
 * 100W", "Matelas 2 places"): another model, which the catalogue lacks; never one of them.
 */
function otherSpec(
  tokens: readonly string[],
  i: number,
  products: readonly number[],
  index: CatalogIndex,
): boolean {
  for (let j = i + 1; j <= i + 3 && j + 1 < tokens.length; j++) {
    const n = tokens[j]!;
    // Only words of these products stand between ("kit solaire 150W"; not "beans? I want 2 paints").
    if (!isDigits(n)) {
      if (!products.some((p) => index.words[p]!.has(keyOf(n)))) return false;
      continue;
    }
    const unit = tokens[j + 1]!;
    if (isDigits(unit) || MEASURE_WORDS.has(unit)) return false;
    const unitKey = keyOf(unit);
    if (!products.every((p) => index.words[p]!.has(unitKey))) return false;
    return !products.some((p) => index.words[p]!.has(n));
  }
  return false;
}

const TIME_WORDS = new Set(['h', 'heure', 'heures', 'midi', 'minuit', 'pm', 'am', 'oclock']);

/** A word right after a time of day is an adverb ("à 8h pile", "7h pile"), not a product ("Piles AA"). */
function afterTimeOfDay(tokens: readonly string[], i: number): boolean {
  const prev = tokens[i - 1];
  if (prev === undefined) return false;
  if (TIME_WORDS.has(prev)) return i >= 2 && (isDigits(tokens[i - 2]!) || prev !== 'h');
  return isDigits(prev) && tokens[i - 2] === 'h' && i >= 3 && isDigits(tokens[i - 3]!);
}

/**
 * Products named in full (every word of a name or alias), then families named by a head word.
 * `rejected` receives the positions of head words that name another product ("sac de voyage").
 */
export function findMentions(
  tokens: readonly string[],
  matches: readonly (TokenMatch | undefined)[],
  index: CatalogIndex,
  consumed: boolean[],
  rejected: number[] = [],
): Mention[] {
  const hits = new Map<number, NameHit>();
  for (let i = 0; i < tokens.length; i++) {
    const m = matches[i];
    if (
      !m ||
      afterTimeOfDay(tokens, i) ||
      afterSubject(tokens, i) ||
      notNounHere(tokens, i, index) ||
      frenchInfinitive(tokens, i)
    )
      continue;
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
    if (entry.noun !== undefined) {
      const t = tokens[hit.positions[0]!]!;
      if (PRODUCT_NOUNS.has(t) && stripPlural(t) !== entry.noun) continue;
    }
    // "spark 20" when the catalogue sells the Spark 10: another model, not this product.
    if (
      entry.keys.length === 1 &&
      (otherModel(tokens, hit.positions[0]!, [entry.product], index) ||
        otherSpec(tokens, hit.positions[0]!, [entry.product], index))
    )
      continue;
    // "lait de toilette" with a "lait" on sale, "Saint-Jean de Cocody": a one-word name qualified by a
    // word the catalogue does not know names another thing, as "sac de voyage" does for a family.
    if (entry.keys.length === 1 && ofOther(tokens, matches, hit.positions[0]!)) {
      rejected.push(hit.positions[0]!);
      continue;
    }
    // A shop or function word that is also a one-word name ("mais" for "maïs", "the" for "thé")
    // names the product only after a determiner or a count ("du maïs", "2 thé").
    if (entry.keys.length === 1 && !determined(tokens, hit.positions[0]!)) continue;
    // "ofada rice", "Peak milk" with a "rice" or "milk" alias of a product whose name holds neither
    // word before it: a word the engine does not know right before a one-word alias names another
    // kind or brand of the goods, which the catalogue lacks.
    if (
      entry.keys.length === 1 &&
      qualifiedBefore(tokens, matches, hit.positions[0]!, entry.product, index)
    ) {
      rejected.push(hit.positions[0]!);
      continue;
    }
    const positions = hit.positions;
    const span = Math.max(...positions) - Math.min(...positions);
    if (entry.contiguous && span !== entry.keys.length - 1) continue;
    // "Kotoko jersey" where "jersey" is one product's alias and "kotoko" a team of another jersey: the
    // word names the product whose own variant value stands right before it.
    const owner =
      entry.keys.length === 1 ? variantOwnerBefore(tokens, positions[0]!, entry.product, index) : undefined;
    const product = owner ?? entry.product;
    full.push({ product, count: hit.count, score: hit.scoreSum / hit.count, span, positions });
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
    if (!m || m.weak || consumed[i] || afterTimeOfDay(tokens, i) || afterSubject(tokens, i)) continue;
    if (notNounHere(tokens, i, index)) continue;
    const members = index.family.get(m.key);
    if (!members) continue;
    // The unit of a model the catalogue lacks ("places" in "matelas 4 places") names no family.
    if (isDigits(tokens[i - 1] ?? '') && rejected.some((r) => r >= i - 4 && r < i - 1)) continue;
    // "sac de voyage", "ofada rice", "bag of beans": a word the catalogue does not know next to the
    // head names another product, not this family.
    // A head word of a product already named in full belongs to it ("Samsung A54" is not also the A14).
    // So is a word of a product named in full ("la serrure … une des trois clés" with a "Serrure de
    // porte 3 clés" is not the "Clé à molette").
    if (members.some((p) => taken.has(p)) || [...taken].some((p) => index.words[p]!.has(m.key))) {
      consumed[i] = true;
      continue;
    }
    if (
      otherProductWord(tokens, matches, i) ||
      otherModel(tokens, i, members, index) ||
      otherSpec(tokens, i, members, index)
    ) {
      rejected.push(i);
      continue;
    }
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
      mentions.push({
        product: c.product,
        positions: [i],
        score: factor * m.score,
        specific: kept.length === 1,
      });
    }
    consumed[i] = true;
  }
  mentions.sort((a, b) => a.positions[0]! - b.positions[0]! || a.product - b.product);
  markRangeQuestions(tokens, mentions);
  // "réparer un frigo", "repair my blender": the service is asked for, not the product. "tempered
  // glass for A54", "une coque pour Spark 10": an item the catalogue lacks, for the product named.
  const kept = mentions.filter((m) => {
    if (serviceBefore(tokens, m.positions[0]!) !== undefined) return false;
    const item = unknownItemFor(tokens, matches, m.positions[0]!);
    if (item === undefined) return true;
    // "des accessoires pour les voitures": a kind of goods, not one item the shop lacks.
    if (!NEVER_ITEM.has(tokens[item]!)) rejected.push(item);
    return false;
  });
  if (kept.length < mentions.length)
    for (const m of mentions) if (!kept.includes(m)) for (const i of m.positions) consumed[i] = false;
  return kept;
}

/**
 * Another product sharing the word at position i whose non-colour, non-size variant value (a team,
 * a model, a flavour: "Kotoko", "Real Madrid", "Hearts of Oak") stands just before or right after it,
 * or undefined. A one-word alias ("jersey") of one product then yields to the product the value names.
 */
function variantOwnerBefore(
  tokens: readonly string[],
  i: number,
  product: number,
  index: CatalogIndex,
): number | undefined {
  const key = keyOf(tokens[i]!);
  for (let p = 0; p < index.values.length; p++) {
    if (p === product || !index.words[p]!.has(key)) continue;
    for (const v of index.values[p]!) {
      if (v.kind !== 'other') continue;
      const n = v.tokens.length;
      // The value ends at most three words before the word ("Hearts of Oak jersey" → "hearts"), or
      // starts right after it ("le maillot PSG").
      for (const start of [i - n, i - n - 1, i - n - 2, i + 1]) {
        if (start < 0 || start + n > tokens.length) continue;
        let same = true;
        for (let j = 0; j < n; j++) if (tokens[start + j] !== v.tokens[j]) same = false;
        if (same) return p;
      }
    }
  }
  return undefined;
}

/** Services a shop selling goods may lack: asked for with the product they apply to. */
const SERVICE_WORDS = new Set(
  'reparer repare reparez reparation reparations repair repairing fix fixing installer installez installation install installing depanner depannage'.split(
    ' ',
  ),
);

/** Position of an unknown item right before "pour/for" (and a determiner) before position i. */
function unknownItemFor(
  tokens: readonly string[],
  matches: readonly (TokenMatch | undefined)[],
  i: number,
): number | undefined {
  let k = i - 1;
  if (NOUN_LEADS.has(tokens[k] ?? '')) k--;
  if (tokens[k] !== 'pour' && tokens[k] !== 'for') return undefined;
  if (!contentWord(tokens, matches, k - 1)) return undefined;
  // The item is a noun: after an article ("une coque pour", "a case for") or, with a word that
  // qualifies it, after a link ("price for tempered glass for A54"); "je valide pour la robe",
  // "paiement en 3 fois pour" and "the going rate for" name no item.
  const before = tokens[k - 2] ?? '';
  if (ITEM_ARTICLES.has(before)) return k - 1;
  return contentWord(tokens, matches, k - 2) && ITEM_LINKS.has(tokens[k - 3] ?? '') ? k - 1 : undefined;
}
const ITEM_ARTICLES = new Set([
  'un',
  'une',
  'des',
  'the',
  'a',
  'an',
  'le',
  'la',
  'les',
  'l',
  'mon',
  'ma',
  'my',
  'your',
]);
const ITEM_LINKS = new Set(['for', 'pour', 'of', 'de']);

/** Position of a service word right before position i (a determiner or possessive may sit between). */
function serviceBefore(tokens: readonly string[], i: number): number | undefined {
  let k = i - 1;
  if (NOUN_LEADS.has(tokens[k] ?? '')) k--;
  return SERVICE_WORDS.has(tokens[k] ?? '') ? k : undefined;
}

/** Words that ask for a choice among goods ("quels", "what", "quoi comme…"). */
const CHOICE_WORDS = new Set(['quel', 'quels', 'quelle', 'quelles', 'what', 'which', 'quoi']);
/**
 * Nouns of kinds ("types de", "kinds of", "modèles de"): what follows is a range, not one item. A
 * singular "modèle" or "marque" names one ("le modèle Air Force"), so only plurals of those count.
 */
const KIND_WORDS = new Set(
  'type types sorte sortes genre genres modeles models marques brands styles kind kinds sort sorts gamme gammes varietes choix'.split(
    ' ',
  ),
);
/** Kinds asked about after the goods ("… quelles marques ?", "… which brands?"). */
const AFTER_KIND_WORDS = new Set(
  'marque marques brand brands modele modeles model models type types sorte sortes genre genres kind kinds style styles'.split(
    ' ',
  ),
);
/** Kinds, colours and sizes asked after plural goods ("vos coques existent en quelles couleurs ?"). */
const AFTER_RANGE_WORDS = new Set([
  ...AFTER_KIND_WORDS,
  ...'couleurs colours colors tailles sizes pointures'.split(' '),
]);
/** "tous vos", "toutes les", "all your": every item of a kind. */
const ALL_WORDS = new Set(['tous', 'toutes', 'all']);
/** Verbs of showing: "montrez-moi vos sacs", "show me your shoes" ask to see a range. */
const SHOW_WORDS = new Set('montrez montre montrer voir show see envoyer envoyez send'.split(' '));
/** Words allowed between a range cue and the goods it asks about. */
const RANGE_FILLER = new Set(
  'de d des les vos tes your the of comme dans en du mes moi me nous us vous avez as tu you have do sell vendez stock tailles couleurs pointures sizes colours colors sont are'.split(
    ' ',
  ),
);
const POSSESSIVE_PLURAL = new Set(['vos', 'tes', 'your']);
const QUOI_LINKS = new Set(['comme', 'dans', 'en']);
/** Joins of a list ("vos frigos et congélateurs"): a range cue covers every item of the list. */
const RANGE_JOINS = new Set(['et', 'and', 'ou', 'or', 'd', 'des', 'les', 'de']);

/**
 * A product word in a question about a range ("quels types de lampes", "what kinds of milk", "vous
 * avez quoi comme cadenas", "montrez-moi vos sacs", "les prix de tous vos frigos et congélateurs")
 * names a kind of goods, not the one item asked for: such mentions become family guesses, which
 * the reply lists instead of quoting one product's price.
 */
/** Where a list of examples ends ("ventilos, télés, tout ça", "chargers, cases and all that", "etc"). */
function examplesEnd(tokens: readonly string[], j: number): boolean {
  const t = tokens[j];
  if (t === 'etc') return true;
  if (t === 'tout' && (tokens[j + 1] === 'ca' || tokens[j + 1] === 'cela')) return true;
  return t === 'and' && tokens[j + 1] === 'all' && tokens[j + 2] === 'that';
}

/** Range guesses for the items of a list of examples: each one only stands for a kind of goods. */
function markExampleLists(tokens: readonly string[], mentions: Mention[]): void {
  let next = tokens.length;
  let inList = false;
  for (let k = mentions.length - 1; k >= 0; k--) {
    const m = mentions[k]!;
    const end = m.positions[m.positions.length - 1]!;
    let j = end + 1;
    while (j < next && RANGE_JOINS.has(tokens[j]!)) j++;
    const follows = inList ? j === next : examplesEnd(tokens, j);
    if (!follows) {
      inList = false;
      next = m.positions[0]!;
      continue;
    }
    inList = true;
    m.specific = false;
    m.score = Math.min(m.score, 0.4);
    next = m.positions[0]!;
  }
}

/** "Quels styles ? Talons, plates, bottines ?": the goods listed right after a kind asked are examples. */
function markListsAfterKind(tokens: readonly string[], mentions: Mention[]): void {
  let from = -1;
  for (let j = 0; j + 1 < tokens.length; j++)
    if (CHOICE_WORDS.has(tokens[j]!) && AFTER_KIND_WORDS.has(tokens[j + 1]!)) from = j + 2;
  if (from < 0) return;
  let next = from;
  for (const m of mentions) {
    const start = m.positions[0]!;
    if (start < from) continue;
    // Each item follows the previous one directly or after one word ("plates", "et").
    if (start - next > 1) break;
    m.specific = false;
    m.score = Math.min(m.score, 0.4);
    next = m.positions[m.positions.length - 1]! + 1;
  }
}

function markRangeQuestions(tokens: readonly string[], mentions: Mention[]): void {
  markExampleLists(tokens, mentions);
  markListsAfterKind(tokens, mentions);
  let coveredUntil = -1;
  for (const m of mentions) {
    const start = m.positions[0]!;
    let range = false;
    // A list after a range cue: "vos frigos et congélateurs", "serrures et cadenas".
    if (coveredUntil >= 0 && start > coveredUntil) {
      let j = coveredUntil + 1;
      while (j < start && RANGE_JOINS.has(tokens[j]!)) j++;
      range = j === start && start > coveredUntil + 1;
    }
    let possessive = false;
    // The noun of the name is its last word in English ("smart watches"), its first in French.
    const plural = m.positions.some((i) => {
      const w = tokens[i]!;
      return w.length >= 4 && (w.endsWith('s') || w.endsWith('x'));
    });
    for (let j = start - 1, skipped = 0; !range && j >= 0 && skipped <= 4; j--) {
      const t = tokens[j]!;
      if (POSSESSIVE_PLURAL.has(t)) possessive = true;
      // "quoi" asks for a range only as "quoi comme" / "quoi dans" ("on dit quoi ? tes baskets…" does not).
      // "c'est quoi vos parfums ?" asks for the range too.
      const choice =
        CHOICE_WORDS.has(t) &&
        (t !== 'quoi' || QUOI_LINKS.has(tokens[j + 1] ?? '') || POSSESSIVE_PLURAL.has(tokens[j + 1] ?? ''));
      if (KIND_WORDS.has(t) || choice) range = true;
      // "tous vos frigos", "show me your shoes": only with a plural ("at all. The blender…" is not).
      else if (
        ALL_WORDS.has(t) &&
        plural &&
        (possessive || tokens[j + 1] === 'les' || tokens[j + 1] === 'the')
      )
        range = true;
      else if (SHOW_WORDS.has(t) && plural && possessive) range = true;
      else if (!RANGE_FILLER.has(t)) break;
      else skipped++;
    }
    // "Vos parfums c'est quelles marques ?", "les télévisions de quelle marque ?": the kind asked after.
    if (!range && plural) {
      const end = m.positions[m.positions.length - 1]!;
      for (let j = end + 1; j <= end + 4 && j + 1 < tokens.length; j++) {
        if (CHOICE_WORDS.has(tokens[j]!) && AFTER_RANGE_WORDS.has(tokens[j + 1]!)) range = true;
      }
    }
    if (range) {
      m.specific = false;
      m.score = Math.min(m.score, 0.4);
      coveredUntil = m.positions[m.positions.length - 1]!;
    } else coveredUntil = -1;
  }
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
    const d =
      before > 0 && before <= 4 ? before : after > 0 && after <= 3 ? after + 0.5 : Number.POSITIVE_INFINITY;
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
        !index.values[m.product]!.some((v) => v.kind === 'colour') &&
        index.nameColours[m.product]!.size === 0;
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
  const near = (i: number) =>
    alone || (i > last(m) && i - last(m) <= 6) || (i < first(m) && first(m) - i <= 3);
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
      if (!(prev === 'taille' || prev === 'pointure' || prev === 'size' || prev === 'en' || prev === 'in'))
        continue;
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

/** Words after which the next words name what the customer looks for ("vous avez", "do you sell", "combien"). */
/** Words after which the next words name what the customer looks for ("vous avez", "do you sell"). */
const SEEK_WORDS = new Set(
  'avez vendez vend vends have sell get cherche recherche looking reste restent commander commande order'.split(
    ' ',
  ),
);
/**
 * Words asking the price or the stock of what follows ("combien le…", "how much is the…"): they
 * start an unknown phrase only when the message names no product, since with one named they ask
 * about it ("le fer vapeur c'est à combien ? le mien…", "how much altogether", "combien chacun").
 */
const ASK_SEEK_WORDS = new Set('combien prix price much tarif cost dispo disponible'.split(' '));
/** Words allowed between a seeking word and the item ("vous avez encore des …", "how much is the …"). */
const SEEK_FILLER = new Set(
  'vous des du de la le les l un une d the a an your any some for of is be are encore toujours aussi also still chez pour il y svp please'.split(
    ' ',
  ),
);
/** Seeking verbs that also form a past tense ("vous m'avez ajouté", "you have sent"). */
const AUXILIARY_SEEK = new Set(['avez', 'have']);
/** Determiners that open a message's subject ("le sac de ciment est à combien ?"). */
const OPENING_DETERMINERS = new Set(['le', 'la', 'les', 'l', 'un', 'une', 'the', 'des', 'du']);
/** Joins of a list: an unknown word after a product and "et" is another item asked for. */
const ITEM_JOINS = new Set(['et', 'and', 'ou', 'or']);

/**
 * Words that never name goods, which the shop lexicon does not hold: conjunctions and pronouns
 * ("sinon le blanc", "do you have them?"), quantifiers ("enough", "chaque mois"), comparisons
 * ("the biggest one") and number words ("twelve jerseys"). Issue 14 sixth pass: read as the name of
 * a product the catalogue lacks on four development corpora.
 */
const NEVER_ITEM = words(`
  sinon entre them ceux celui celle celles enough assez chaque each every apart aside sauf except
  biggest smallest cheapest largest best meilleur meilleure moins cher cest
  accessoire accessoires accessory accessories ingredient ingredients section side rayon rayons menu
  supplier suppliers fournisseur fournisseurs gear equipement equipements equipment materiel
  vetements clothes clothing habits toiletries cosmetiques cosmetics cadeau cadeaux gift gifts gamme
  range selection variety sorte sortes kind kinds type types genre genres
`);
/** A price word right before another word: the word qualifies the price ("prix ami", "prix affiché"). */
const PRICE_WORDS = new Set(['prix', 'price', 'tarif']);
/** After a seeking verb, "pour/for" names a use or a person, not an item ("vous avez pour la cuisine ?"). */
const PURPOSE_LINKS = new Set(['pour', 'for']);
/** Seeking words that are also nouns: after a determiner ("my order", "la commande") they seek nothing. */
const NOUN_SEEK = new Set(['order', 'commande']);

function phraseWord(w: string, first: boolean): boolean {
  if (LEXICON.has(w) || isDigits(w) || w.length < 3 || COLOURS.has(w) || NEVER_ITEM.has(w)) return false;
  if (NUMBER_WORDS.has(w)) return false;
  return !(first && MODIFIER_STEMS.has(stemToken(w)));
}

/** Up to three words from j that match nothing: the name of what the catalogue lacks. */
function phraseAt(tokens: readonly string[], consumed: readonly boolean[], start: number): string[] {
  const phrase: string[] = [];
  let j = start;
  // A measure names no item: the goods follow it ("sacs de ciment", "tubers of yam", "20 paires").
  if (MEASURE_WORDS.has(tokens[j] ?? '') && !consumed[j]) {
    const link = tokens[j + 1];
    if (link === 'de' || link === 'd' || link === 'of') j += 2;
    // "3 packs maggi": the measure of the product named right after it.
    else if (j + 1 >= tokens.length || LEXICON.has(link ?? '') || consumed[j + 1]) return phrase;
  }
  for (; j < tokens.length && phrase.length < 3; j++) {
    const w = tokens[j]!;
    if (consumed[j] || !phraseWord(w, phrase.length === 0)) break;
    phrase.push(w);
  }
  return phrase;
}

/**
 * The words right after a seeking word ("vous avez des casquettes ?", "how much is the PS5?", "je
 * veux commander une machine à laver", "order 2 tubers of yam") that match nothing in the
 * catalogue: a product the catalogue lacks; also an unknown item listed after a product ("quels
 * ventilateurs et climatiseurs") and, in a price question naming no product, the subject it opens
 * with ("le sac de ciment est à combien ?"). Tokens read as products or variants, shop words and
 * colours end the phrase.
 */
export function unknownProductPhrase(
  tokens: readonly string[],
  consumed: readonly boolean[],
): string | undefined {
  const named = consumed.some((c) => c);
  let asks = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    // A service and what it applies to: "réparer un frigo" is what the shop lacks.
    if (SERVICE_WORDS.has(t)) {
      const j = NOUN_LEADS.has(tokens[i + 1] ?? '') ? i + 2 : i + 1;
      const w = tokens[j];
      if (w !== undefined && !consumed[j] && !LEXICON.has(w) && !isDigits(w) && w.length >= 3)
        return `${t} ${w}`;
    }
    const ask = ASK_SEEK_WORDS.has(t);
    if (ask) asks = true;
    if (consumed[i] && ITEM_JOINS.has(tokens[i + 1] ?? '')) {
      let j = i + 2;
      if (SEEK_FILLER.has(tokens[j] ?? '')) j++;
      const phrase = phraseAt(tokens, consumed, j);
      // A plural noun only: "le sac et je paie" is no item, "et climatiseurs" is.
      const w = phrase[0];
      if (w !== undefined && phrase.length === 1 && w.length >= 5 && (w.endsWith('s') || w.endsWith('x')))
        return w;
    }
    if (!(SEEK_WORDS.has(t) || (ask && !named))) continue;
    let j = i + 1;
    // "prix ami", "le prix affiché": a word right after the price word qualifies the price.
    if (PRICE_WORDS.has(t) && !SEEK_FILLER.has(tokens[j] ?? '')) continue;
    // "what do you have for the kitchen?", "vous avez quoi pour homme ?": a use, not an item.
    if (!ask && PURPOSE_LINKS.has(tokens[j] ?? '')) continue;
    // "change my order from…", "keep the rest of the order": the noun, not the verb.
    if (NOUN_SEEK.has(t) && NOUN_LEADS.has(tokens[i - 1] ?? '')) continue;
    // "vous m'avez ajouté", "you have sent": a participle after the auxiliary is no item.
    if (AUXILIARY_SEEK.has(t)) {
      const next = tokens[j] ?? '';
      if (/(?:e|u|ed|is|it)$/.test(next) && !SEEK_FILLER.has(next)) continue;
    }
    for (let skipped = 0; j < tokens.length && skipped < 4 && SEEK_FILLER.has(tokens[j]!); skipped++) j++;
    // "commander 5 sacs de ciment", "order 2 tubers of yam": a count and its measure name no item.
    if (isDigits(tokens[j] ?? '')) j++;
    const phrase = phraseAt(tokens, consumed, j);
    if (phrase.length > 0) return phrase.join(' ');
  }
  // "Le sac de ciment est à combien ?": with nothing named, the subject of a price question.
  if (!named && asks) {
    const phrase = OPENING_DETERMINERS.has(tokens[0] ?? '') ? phraseAt(tokens, consumed, 1) : [];
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
