/**
 * Features of the intent model: what the classifier sees of a message. Words and word pairs of the
 * normalized text with the catalogue's products, variants and numbers masked (so the model learns
 * "vous avez <product> ?" and not the names of one seller's products), character n-grams of the
 * words (typos and SMS spellings share most of them), the verdicts of the cue rules, and the shape
 * of the message. Each feature is a string hashed to a bucket with 32-bit FNV-1a: the model file
 * holds numbers, never words, and the same text always gives the same buckets.
 */

export const HASH_BITS = 20;
const HASH_MASK = (1 << HASH_BITS) - 1;

/** FNV-1a over the UTF-16 code units of a string, as an unsigned bucket of HASH_BITS bits. */
export function featureBucket(feature: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < feature.length; i++) {
    h ^= feature.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & HASH_MASK;
}

/** The feature families, named in explanations (never the feature itself, which may hold customer words). */
export const FEATURE_GROUPS = {
  w: 'words',
  b: 'word pairs',
  c: 'spelling fragments',
  r: 'cue rule',
  f: 'cue flag',
  s: 'message shape',
} as const;
export type FeatureGroup = keyof typeof FEATURE_GROUPS;

export interface FeatureSource {
  /** Normalized words with products as `<p>`, variant values as `<v>`, numbers as `<q>`/`<n>`/`<amt>`. */
  masked: readonly string[];
  /** Intents the cue rules found, and their primary. */
  ruleIntents: Iterable<string>;
  rulePrimary: string;
  flags: readonly string[];
  /** Shape of the message: product named, question mark, length bucket… */
  shape: readonly string[];
}

/** Placeholders stand for words the model must not learn by heart. */
function isPlaceholder(token: string): boolean {
  return token.charCodeAt(0) === 60; // '<'
}

/**
 * Every feature of a message as a string, in a fixed order. `chars` turns character n-grams on
 * (3- and 4-grams of each word with its boundaries).
 */
export function featureStrings(src: FeatureSource, chars = true): string[] {
  const out: string[] = [];
  const t = src.masked;
  for (let i = 0; i < t.length; i++) {
    out.push(`w:${t[i]}`);
    out.push(`b:${i === 0 ? '^' : t[i - 1]} ${t[i]}`);
  }
  if (t.length > 0) out.push(`b:${t[t.length - 1]} $`);
  if (chars) {
    for (const word of t) {
      if (isPlaceholder(word) || word.length < 3) continue;
      const padded = `#${word}#`;
      for (let n = 3; n <= 4; n++) {
        for (let i = 0; i + n <= padded.length; i++) out.push(`c:${padded.slice(i, i + n)}`);
      }
    }
  }
  for (const intent of src.ruleIntents) out.push(`r:${intent}`);
  out.push(`r:primary:${src.rulePrimary}`);
  for (const flag of src.flags) out.push(`f:${flag}`);
  for (const shape of src.shape) out.push(`s:${shape}`);
  return out;
}

/** Distinct buckets of a message's features, ascending, so summing weights has one fixed order. */
export function featureBuckets(features: readonly string[]): number[] {
  const seen = new Set<number>();
  for (const f of features) seen.add(featureBucket(f));
  return [...seen].sort((a, b) => a - b);
}
