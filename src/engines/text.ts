/**
 * Text utilities for the intent engine. Customers write on WhatsApp without accents, in SMS
 * spellings, with typos, repeated letters and emojis; everything the engine compares goes through
 * normalizeText first, catalogue names included, so both sides meet in the same vocabulary.
 */

/**
 * Emojis that carry meaning for a shop become words; every other emoji becomes a space.
 * 😡/😠 become `colere`, a word the complaint detector knows.
 */
const EMOJI_WORDS: ReadonlyMap<string, string> = new Map([
  ['🙏', 'merci'],
  ['👋', 'salut'],
  ['😡', 'colere'],
  ['😠', 'colere'],
  ['🤬', 'colere'],
  ['😤', 'colere'],
  ['👎', 'colere'],
  ['💰', 'prix'],
  ['💵', 'prix'],
  ['💸', 'prix'],
  ['💲', 'prix'],
  ['🛒', 'commande'],
  ['🛍', 'commande'],
  ['🚚', 'livraison'],
  ['📍', 'adresse'],
]);
const EMOJI_RE = /🙏|👋|😡|😠|🤬|😤|👎|💰|💵|💸|💲|🛒|🛍|🚚|📍/gu;

/** Letters that NFD does not decompose into a base letter plus a mark. */
const LIGATURES: ReadonlyMap<string, string> = new Map([
  ['œ', 'oe'],
  ['æ', 'ae'],
  ['ß', 'ss'],
  ['ø', 'o'],
  ['đ', 'd'],
  ['ł', 'l'],
  ['ı', 'i'],
]);
const LIGATURE_RE = /[œæßøđłı]/g;
const MARKS_RE = /\p{M}+/gu;
const NON_ASCII_RE = /[\u0080-\uffff]/;
/**
 * Characters Unicode asks renderers to ignore: zero-width space and joiners, word joiner, BOM, soft
 * hyphen, the bidi marks, embeddings, overrides and isolates, variation selectors, Hangul fillers,
 * tags. A reader does not see them, so "S\u200bTOP" reads STOP: they are dropped, not spaced.
 */
const IGNORABLE_RE = /\p{Default_Ignorable_Code_Point}/gu;
/**
 * Longest word kept, in characters; longer runs of letters or digits are cut to this length. The
 * longest French dictionary word has 25 letters (anticonstitutionnellement), the longest English
 * one 45, SMS spellings and product references are shorter, and a 64-digit number is no price or
 * phone number, so no real word is cut. Every later step (SMS map, stems, sound keys, typo
 * distances, the cue patterns) then works on words of bounded length.
 */
export const MAX_WORD_CHARS = 64;
const NON_WORD_RE = /[^a-z0-9]+/g;
/** "15k" is how people write 15 000 in a price. */
const THOUSANDS_K_RE = /\b(\d+)k\b/g;
const LETTER_DIGIT_RE = /([a-z])(?=\d)|(\d)(?=[a-z])/g;
/** "20 000" and "20.000" (already spaced by the punctuation pass) are one number. */
const DIGIT_GROUP_RE = /(\d) (?=\d{3}(?!\d))/g;
/** Three or more of the same letter ("merciiii", "bonjouuur") collapse to one. */
const REPEAT_RE = /([a-z])\1{2,}/g;

/**
 * SMS spellings and frequent shortcuts, one normalized token to its expansion. Every expansion is
 * made of tokens that are not keys, so applying the map twice changes nothing (normalizeText is
 * idempotent). `stp`/`svp` become `svp` and `pls`/`plz` become `please`: both are "please" tokens,
 * kept apart so the language detector still sees which language was used.
 */
const SMS: ReadonlyMap<string, string> = new Map([
  ['cb', 'combien'],
  ['cbn', 'combien'],
  ['cmb', 'combien'],
  ['cbien', 'combien'],
  ['cmbien', 'combien'],
  ['combiens', 'combien'],
  ['kombien', 'combien'],
  ['dispo', 'disponible'],
  ['dispos', 'disponible'],
  ['disponibles', 'disponible'],
  ['stp', 'svp'],
  ['stpl', 'svp'],
  ['svpl', 'svp'],
  ['pls', 'please'],
  ['plz', 'please'],
  ['pliz', 'please'],
  ['plis', 'please'],
  ['plss', 'please'],
  ['slt', 'salut'],
  ['bjr', 'bonjour'],
  ['bjour', 'bonjour'],
  ['bjrs', 'bonjour'],
  ['bnjr', 'bonjour'],
  ['bonjr', 'bonjour'],
  ['bonjours', 'bonjour'],
  ['bsr', 'bonsoir'],
  ['bsoir', 'bonsoir'],
  ['bnsr', 'bonsoir'],
  ['pk', 'pourquoi'],
  ['pq', 'pourquoi'],
  ['pkoi', 'pourquoi'],
  ['pourkoi', 'pourquoi'],
  ['qd', 'quand'],
  ['kan', 'quand'],
  ['kand', 'quand'],
  ['tjrs', 'toujours'],
  ['tjr', 'toujours'],
  ['tjs', 'toujours'],
  ['toujour', 'toujours'],
  ['jveux', 'je veux'],
  ['jvx', 'je veux'],
  ['jve', 'je veux'],
  ['veu', 'veux'],
  ['vx', 'veux'],
  ['jvoudrais', 'je voudrais'],
  ['jpeux', 'je peux'],
  ['jpx', 'je peux'],
  ['jsuis', 'je suis'],
  ['jsui', 'je suis'],
  ['chui', 'je suis'],
  ['jai', 'j ai'],
  ['jprends', 'je prends'],
  ['jprend', 'je prends'],
  ['pren', 'prends'],
  ['ya', 'y a'],
  ['ds', 'dans'],
  ['mrc', 'merci'],
  ['mci', 'merci'],
  ['mrci', 'merci'],
  ['mercie', 'merci'],
  ['tx', 'thanks'],
  ['thx', 'thanks'],
  ['thnx', 'thanks'],
  ['tnx', 'thanks'],
  ['thks', 'thanks'],
  ['thanx', 'thanks'],
  ['tnks', 'thanks'],
  ['pri', 'prix'],
  ['vs', 'vous'],
  ['ns', 'nous'],
  ['koi', 'quoi'],
  ['kwa', 'quoi'],
  ['kel', 'quel'],
  ['kelle', 'quelle'],
  ['kels', 'quels'],
  ['ke', 'que'],
  ['ki', 'qui'],
  ['qqn', 'quelqu un'],
  ['qqun', 'quelqu un'],
  ['qlq', 'quelque'],
  ['bcp', 'beaucoup'],
  ['tro', 'trop'],
  ['auj', 'aujourd hui'],
  ['ajd', 'aujourd hui'],
  ['ajrd', 'aujourd hui'],
  ['dmn', 'demain'],
  ['msg', 'message'],
  ['msgs', 'messages'],
  ['pr', 'pour'],
  ['pcq', 'parce que'],
  ['pck', 'parce que'],
  ['cmt', 'comment'],
  ['cmnt', 'comment'],
  ['koman', 'comment'],
  ['komen', 'comment'],
  ['bne', 'bonne'],
  ['slm', 'salam'],
  ['boutik', 'boutique'],
  ['u', 'you'],
  ['ur', 'your'],
  ['hw', 'how'],
  ['wat', 'what'],
  ['wht', 'what'],
  ['plu', 'plus'],
  ['pa', 'pas'],
  ['serieu', 'serieux'],
  ['vot', 'votre'],
  ['chak', 'chaque'],
  ['nouvo', 'nouveaux'],
]);

/** After these, "pris" is the verb ("j'ai pris"), not a misspelt "prix". */
const PRIS_VERB_BEFORE: ReadonlySet<string> = new Set([
  'ai',
  'a',
  'as',
  'avez',
  'avons',
  'ont',
  'deja',
  'j',
  'l',
  'm',
  't',
  's',
  'pas',
  'bien',
  'ete',
]);

/** Applies the SMS map and the few rules that need the previous token. */
function expandTokens(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (const token of raw) {
    const expansion = SMS.get(token);
    if (expansion === undefined) {
      pushToken(out, token);
    } else {
      for (const part of expansion.split(' ')) pushToken(out, part);
    }
  }
  return out;
}

function pushToken(out: string[], token: string): void {
  const prev = out[out.length - 1];
  if (token === 'combien') {
    // "c combien", "c'est combien" and "c'est cmb" all mean "combien".
    for (;;) {
      const last = out[out.length - 1];
      if (last === 'c') {
        out.pop();
      } else if (last === 'est' && out[out.length - 2] === 'c') {
        out.length -= 2;
      } else {
        break;
      }
    }
    out.push(token);
    return;
  }
  if (token === 'pris' && (prev === undefined || !PRIS_VERB_BEFORE.has(prev))) {
    out.push('prix');
    return;
  }
  // "ya", "y a", "y'a" → "il y a" (but "il n'y a" stays as it is).
  if (token === 'a' && prev === 'y' && out[out.length - 2] !== 'il' && out[out.length - 2] !== 'n') {
    out[out.length - 1] = 'il';
    out.push('y', 'a');
    return;
  }
  out.push(token);
}

/**
 * The letters a reader sees, in lower case without accents: compatibility forms folded (NFKC:
 * full-width "ＳＴＯＰ", mathematical "𝐒𝐓𝐎𝐏", circled and superscript letters and digits, the "ﬁ"
 * ligature become plain letters and digits), invisible characters dropped, accents removed.
 * Punctuation, emoji and spacing are kept. Every step is a single pass over the text.
 */
export function foldText(text: string): string {
  let s = text;
  // NFKC and the ignorable characters only concern non-ASCII text; most messages skip both.
  if (NON_ASCII_RE.test(s)) s = s.normalize('NFKC').replace(IGNORABLE_RE, '');
  return s.toLowerCase().normalize('NFD').replace(MARKS_RE, '');
}

/**
 * Lowercases, folds compatibility forms (NFKC), drops invisible characters, strips accents, maps
 * punctuation to spaces, collapses repeated letters, maps useful emojis to words and expands SMS
 * spellings. The output holds only `[a-z0-9]` words of at most MAX_WORD_CHARS characters separated
 * by single spaces, and normalizeText(normalizeText(x)) === normalizeText(x).
 *
 * With `reveal`, words of that set spelt with digits for letters or one letter at a time
 * ("st0p", "S T O P") are read as the word first (see revealSpelledWords).
 *
 * Cost is linear in the length of the text: every pattern below either consumes what it scans or
 * looks at most four characters ahead, none retries a run of unbounded length.
 */
export function normalizeText(text: string, reveal?: ReadonlySet<string>): string {
  const folded = foldText(text);
  return normalizeFolded(reveal === undefined ? folded : revealSpelledWords(folded, reveal));
}

/**
 * normalizeText after its first step: `folded` is foldText's output (spelt words revealed or not).
 * Lets a caller that folds the text itself reuse the fold (see analyze in intent/detect.ts).
 */
export function normalizeFolded(folded: string): string {
  let s = folded.replace(EMOJI_RE, (emoji) => ` ${EMOJI_WORDS.get(emoji) ?? ''} `);
  s = s.replace(LIGATURE_RE, (ch) => LIGATURES.get(ch) ?? ' ');
  s = s.replace(NON_WORD_RE, ' ');
  s = s.replace(THOUSANDS_K_RE, '$1000');
  s = s.replace(LETTER_DIGIT_RE, '$1$2 ');
  s = s.replace(DIGIT_GROUP_RE, '$1');
  s = s.replace(REPEAT_RE, '$1');
  const raw = s.split(' ');
  const words: string[] = [];
  for (const w of raw) {
    if (w !== '') words.push(w.length > MAX_WORD_CHARS ? w.slice(0, MAX_WORD_CHARS) : w);
  }
  return expandTokens(words).join(' ');
}

/** Digits and signs typed for letters: "st0p", "$top", "4rr3t", "d3s4b0nn3r". */
const LEET_LETTERS: ReadonlyMap<number, number> = new Map(
  [
    ['0', 'o'],
    ['1', 'i'],
    ['3', 'e'],
    ['4', 'a'],
    ['5', 's'],
    ['7', 't'],
    ['@', 'a'],
    ['$', 's'],
  ].map(([from, to]) => [from!.charCodeAt(0), to!.charCodeAt(0)]),
);
/** A spelt-out word is looked for only in chunks up to this long ("u.n.s.u.b.s.c.r.i.b.e" is 21). */
const MAX_SPELLED_CHUNK_CHARS = 64;

/** White space left after NFKC (which turns no-break and ideographic spaces into U+0020). */
function isFoldedSpace(c: number): boolean {
  return c <= 0x20 || c === 0x85 || c === 0xa0 || c === 0x1680 || c === 0x2028 || c === 0x2029;
}

function isAsciiLetter(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}

function isAsciiAlnum(c: number): boolean {
  return isAsciiLetter(c) || (c >= 0x30 && c <= 0x39);
}

/**
 * Reads words of `words` that are spelt to dodge a plain match: digits or signs for letters
 * ("st0p", "$top", "4rr3t") or one letter at a time ("s t o p", "S. T. O. P", "s-t-o-p"). Takes
 * folded text (foldText) and returns it with each such spelling replaced by the word; anything
 * else is returned unchanged, the same string when nothing was found.
 *
 * Only an exact spelling of a listed word is replaced, so prices ("10 000"), sizes ("3h", "1l")
 * and product names ("iPhone 11", "A54") are never read as letters: a chunk must spell the whole
 * word and nothing more, and a run of single characters must spell it exactly from its first to
 * its last character. One pass over the text; no regex.
 */
export function revealSpelledWords(folded: string, words: ReadonlySet<string>): string {
  let maxWordChars = 0;
  for (const w of words) maxWordChars = Math.max(maxWordChars, w.length);
  const out: string[] = [];
  let copiedTo = 0;
  const replace = (start: number, end: number, word: string): void => {
    out.push(folded.slice(copiedTo, start), word);
    copiedTo = end;
  };
  // A run of chunks of one letter each ("s t o p"): where it starts and ends, what it spells.
  let runStart = -1;
  let runEnd = -1;
  let runLetters = '';
  const endRun = (): void => {
    if (runStart >= 0 && runLetters.length >= 2 && words.has(runLetters))
      replace(runStart, runEnd, runLetters);
    runStart = -1;
    runLetters = '';
  };

  const n = folded.length;
  let i = 0;
  while (i < n) {
    while (i < n && isFoldedSpace(folded.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isFoldedSpace(folded.charCodeAt(i))) i++;
    const end = i;
    if (end - start > MAX_SPELLED_CHUNK_CHARS) {
      endRun();
      continue;
    }
    let skeleton = '';
    let letters = 0;
    let alnum = 0;
    for (let k = start; k < end && skeleton.length <= maxWordChars; k++) {
      const c = folded.charCodeAt(k);
      if (isAsciiLetter(c)) {
        letters++;
        skeleton += folded[k];
      } else {
        const leet = LEET_LETTERS.get(c);
        if (leet !== undefined) skeleton += String.fromCharCode(leet);
      }
      if (isAsciiAlnum(c)) alnum++;
    }
    if (skeleton.length === 1) {
      // One letter (or one digit or sign standing for one): part of a spelt-out word.
      if (runStart < 0) runStart = start;
      runEnd = end;
      if (runLetters.length <= maxWordChars) runLetters += skeleton;
      continue;
    }
    if (skeleton.length === 0 && alnum === 0) continue; // "-", "." or an emoji between spelt letters
    endRun();
    if (letters > 0 && words.has(skeleton) && plainWord(folded, start, end) !== skeleton) {
      replace(start, end, skeleton);
    }
  }
  endRun();
  if (out.length === 0) return folded;
  out.push(folded.slice(copiedTo));
  return out.join('');
}

/** The chunk without the punctuation around it: "stop!!!" → "stop", "(st0p)" → "st0p". */
function plainWord(folded: string, start: number, end: number): string {
  let a = start;
  let b = end;
  while (a < b && !isAsciiAlnum(folded.charCodeAt(a))) a++;
  while (b > a && !isAsciiAlnum(folded.charCodeAt(b - 1))) b--;
  return folded.slice(a, b);
}

/** Splits a normalized string into words. */
export function tokenize(normalized: string): string[] {
  if (normalized === '') return [];
  const out: string[] = [];
  for (const w of normalized.split(' ')) if (w !== '') out.push(w);
  return out;
}

/**
 * The comparison form of a word: plural `s`/`x` and a final `e` removed, so "sacs", "noire",
 * "noires" and "noir" meet. Short words are left alone so "cas" never meets "case".
 */
export function stemToken(token: string): string {
  let s = token;
  if (s.length >= 4 && ((s.endsWith('s') && !s.endsWith('ss')) || s.endsWith('x'))) s = s.slice(0, -1);
  if (s.length >= 5 && s.endsWith('e')) s = s.slice(0, -1);
  return s;
}

const PHONETIC_RULES: readonly (readonly [RegExp, string])[] = [
  [/qu|ck|q|c(?=[aou])/g, 'k'],
  [/ph/g, 'f'],
  [/eau|au/g, 'o'],
  [/ou/g, 'u'],
  [/[ae]i/g, 'e'],
  [/y/g, 'i'],
  [/z/g, 's'],
  [/([a-z])\1+/g, '$1'],
];

/** Letters that are silent at the end of a French word. */
function isSilentFinal(c: number): boolean {
  return c === 0x65 || c === 0x73 || c === 0x78 || c === 0x74 || c === 0x64; // e s x t d
}

/**
 * A rough French sound key ("perruk" and "perruque" both give "peruk"), used as the last fuzzy
 * resort for words spelt as they sound. Linear in the length of the token.
 */
export function phoneticKey(token: string): string {
  let s = token;
  for (const [re, by] of PHONETIC_RULES) s = s.replace(re, by);
  // Silent final letters go with a loop from the end. The pattern /[esxtd]+$/ did the same, but
  // V8 retried it from every position of a run that is not final ("eded…eda"): quadratic, 2 s for
  // one 64 KB word.
  let end = s.length;
  while (end > 0 && isSilentFinal(s.charCodeAt(end - 1))) end--;
  return end === s.length ? s : s.slice(0, end);
}

// Scratch rows reused across calls: the function stays pure (no observable state) and does not
// allocate on the hot path once the rows are long enough.
let rowA = new Int32Array(32);
let rowB = new Int32Array(32);
let rowC = new Int32Array(32);

/**
 * Damerau-Levenshtein distance (optimal string alignment: insertions, deletions, substitutions and
 * adjacent transpositions). Returns max + 1 as soon as the distance is known to exceed max.
 */
export function damerauLevenshtein(a: string, b: string, max: number): number {
  if (a === b) return 0;
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > max) return max + 1;
  if (n === 0) return m;
  if (m === 0) return n;
  if (rowA.length <= m) {
    rowA = new Int32Array(m + 1);
    rowB = new Int32Array(m + 1);
    rowC = new Int32Array(m + 1);
  }
  let prevPrev = rowA;
  let prev = rowB;
  let cur = rowC;
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= m; j++) {
      const cb = b.charCodeAt(j - 1);
      const cost = ca === cb ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) {
        v = Math.min(v, prevPrev[j - 2]! + 1);
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const t = prevPrev;
    prevPrev = prev;
    prev = cur;
    cur = t;
  }
  const d = prev[m]!;
  return d > max ? max + 1 : d;
}
