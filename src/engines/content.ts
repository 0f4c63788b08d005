/**
 * Content engine: is this text safe to send? It refuses texts WhatsApp would reject or that look
 * like bulk spam (too long, sent identically too often, high spam score) and explains every
 * point of the spam score with a suggestion the seller can act on.
 */

import type { Reason } from '../domain/types.ts';
import type { ContentConfig } from './config.ts';

export interface ContentInput {
  text: string;
  /** Sends of exactly this text by the channel in the last hour. */
  identicalLastHour: number;
}

export interface ContentProblem {
  code: string;
  detail: string;
}

export interface ContentVerdict {
  allowed: boolean;
  /** Spam score 0–100; the sum of the problems' points, capped. */
  score: number;
  problems: ContentProblem[];
  suggestions: string[];
  reasons: Reason[];
}

export const CONTENT_CODES = [
  'content.ok',
  'content.warn',
  'content.empty',
  'content.too_long',
  'content.identical_limit',
  'content.spam_score',
  'content.caps',
  'content.links',
  'content.shortener',
  'content.punctuation',
  'content.trigger_words',
  'content.emoji_density',
  'content.invisible_chars',
] as const;

export type ContentCode = (typeof CONTENT_CODES)[number];

/** Capitals are only judged on texts with at least this many letters ("OK", "FCFA" are normal). */
const CAPS_MIN_LETTERS = 12;
const PICTOGRAPHIC_RE = /\p{Extended_Pictographic}/u;
/** A URL with a scheme or www., or a bare shortener link ("bit.ly/abc") that spammers type without a scheme. */
const LINK_RE =
  /(?:https?:\/\/|www\.)[^\s<>"]+|(?<![\w@.-])(?:bit\.ly|tinyurl\.com|t\.co|goo\.gl|cutt\.ly|is\.gd|ow\.ly)\/[^\s<>"]*/gi;
const SHORTENER_HOST_RE =
  /^(?:https?:\/\/)?(?:www\.)?(?:bit\.ly|tinyurl\.com|t\.co|goo\.gl|cutt\.ly|is\.gd|ow\.ly)(?:[/?#]|$)/i;
/** Three or more of the same mark ("!!!", "???", "$$$") or a mix of ! and ? ("?!?"). */
const PUNCTUATION_RE = /([!?$€])\1{2,}|[!?]{3,}/g;
const NON_ASCII_RE = /[^ -~\t\n\r]/;
const COMBINING_RE = /[\u0300-\u036f]/g;

/**
 * Spam phrases, written as they look after normalization (lower case, no accents, straight
 * apostrophes). Weights reflect how strongly each phrase marks bulk promotion rather than a sale
 * conversation: "gratuit" alone is common ("livraison gratuite"), "doublez votre argent" is not.
 */
const TRIGGER_PHRASES: readonly { phrase: string; points: number }[] = [
  { phrase: 'gratuit', points: 8 },
  { phrase: 'gratuits', points: 8 },
  { phrase: 'gratuite', points: 8 },
  { phrase: 'gratuites', points: 8 },
  { phrase: '100% gratuit', points: 15 },
  { phrase: 'gagnez', points: 12 },
  { phrase: "gagner de l'argent", points: 20 },
  { phrase: 'argent facile', points: 20 },
  { phrase: 'offre limitee', points: 12 },
  { phrase: 'cliquez ici', points: 15 },
  { phrase: 'urgent', points: 10 },
  { phrase: 'promo exceptionnelle', points: 12 },
  { phrase: 'felicitations vous avez gagne', points: 25 },
  { phrase: 'vous avez gagne', points: 20 },
  { phrase: 'investissement garanti', points: 25 },
  { phrase: 'gain garanti', points: 25 },
  { phrase: 'doublez votre argent', points: 25 },
  { phrase: 'sans risque', points: 10 },
  { phrase: 'loterie', points: 15 },
  { phrase: 'free', points: 10 },
  { phrase: '100% free', points: 15 },
  { phrase: 'winner', points: 15 },
  { phrase: 'you have won', points: 20 },
  { phrase: 'click here', points: 15 },
  { phrase: 'act now', points: 15 },
  { phrase: 'limited offer', points: 12 },
  { phrase: 'limited time offer', points: 12 },
  { phrase: 'guaranteed', points: 12 },
  { phrase: 'make money', points: 20 },
  { phrase: 'earn money', points: 20 },
  { phrase: 'double your money', points: 25 },
  { phrase: 'risk free', points: 12 },
  { phrase: 'crypto', points: 15 },
  { phrase: 'cryptos', points: 15 },
  { phrase: 'cryptomonnaie', points: 15 },
  { phrase: 'cryptomonnaies', points: 15 },
  { phrase: 'bitcoin', points: 15 },
];

const TRIGGER_POINTS = new Map(TRIGGER_PHRASES.map((t) => [t.phrase, t.points]));

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * One regex for every phrase, longest first, matched on whole words only ("free" ≠ "freelance").
 * The text is normalized to unaccented lower case first, so plain ASCII classes are enough; a
 * Unicode-aware version (\p{L} look-arounds) was five times slower.
 */
const TRIGGER_RE = new RegExp(
  `(?<![a-z0-9])(?:${[...TRIGGER_POINTS.keys()]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|')})(?![a-z0-9])`,
  'g',
);

/** The accents, invisible characters, apostrophes and spaces normalizeForTriggers removes or makes plain. */
function foldMarks(lower: string): string {
  return lower
    .normalize('NFD')
    .replace(COMBINING_RE, '')
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, '')
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .replace(/[\u00a0\u202f]/g, ' ');
}

/** True when the code point never reorders with a neighbouring mark under NFD (canonical class 0). */
function isStarter(char: string): boolean {
  return (
    `a${char}\u0316`.normalize('NFD') === `a${char}\u0316` &&
    `a\u0315${char}`.normalize('NFD') === `a\u0315${char}`
  );
}

/**
 * foldMarks of single characters (code points), computed with foldMarks itself on first sight;
 * null for a character that cannot be folded alone. A character qualifies when its NFD
 * decomposition starts with a starter and holds nothing but starters and marks of U+0300–U+036F
 * (which foldMarks removes): then, in a whole string, canonical reordering only permutes marks
 * that are all removed, so the string's fold is the concatenation of its characters' folds.
 * A reply nearly always holds accents, "•" or an emoji, and folding it character by character
 * skips NFD and four regex passes over the whole text (profile of decide(), issue 14). Bounded:
 * once full, characters not yet seen take the whole-string path.
 */
const charFolds = new Map<number, string | null>();
const CHAR_FOLDS_MAX = 4096;

function charFold(codePoint: number): string | null | undefined {
  const known = charFolds.get(codePoint);
  if (known !== undefined || charFolds.size >= CHAR_FOLDS_MAX) return known;
  const char = String.fromCodePoint(codePoint);
  const nfd = char.normalize('NFD');
  let foldable = nfd.length > 0;
  let first = true;
  for (const part of nfd) {
    const code = part.codePointAt(0) ?? 0;
    const mark = code >= 0x300 && code <= 0x36f;
    if ((first && mark) || (!mark && !isStarter(part))) foldable = false;
    first = false;
  }
  const fold = foldable ? foldMarks(char) : null;
  charFolds.set(codePoint, fold);
  return fold;
}

/**
 * Lower case, accents and invisible characters removed (so "gra\u200Btuit" is still found),
 * typographic apostrophes and spaces made plain. Skips the work on plain ASCII, and folds
 * character by character when every other character can be folded alone (charFold).
 */
export function normalizeForTriggers(text: string): string {
  const lower = text.toLowerCase();
  if (!NON_ASCII_RE.test(lower)) return lower;
  let out = '';
  let from = 0;
  for (let i = 0; i < lower.length; i++) {
    const code = lower.charCodeAt(i);
    // foldMarks also straightens the backtick, but only when the text is not plain ASCII (above).
    if (code < 0x80 && code !== 0x60) continue;
    const codePoint = lower.codePointAt(i) ?? code;
    const fold = code === 0x60 ? "'" : charFold(codePoint);
    if (fold === null || fold === undefined) return foldMarks(lower);
    out += lower.slice(from, i) + fold;
    if (codePoint > 0xffff) i++;
    from = i + 1;
  }
  return out + lower.slice(from);
}

/** Length in code points (what WhatsApp counts), without allocating. */
function codePointLength(text: string): number {
  let lowSurrogates = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) lowSurrogates++;
  }
  return text.length - lowSurrogates;
}

/**
 * Invisible characters used to make identical texts hash differently. U+200D (zero-width joiner)
 * is also how emoji sequences such as 👨‍👩‍👧 are built, so scanText only counts it outside emoji.
 */
function isInvisible(c: number): boolean {
  return (c >= 0x200b && c <= 0x200d) || c === 0x2060 || c === 0xfeff;
}

/** Unicode white space (what String.prototype.trim removes), by code unit. */
function isSpace(c: number): boolean {
  return (
    c <= 0x20 ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Pictographs live in the astral planes and in a few BMP blocks (©, ®, ‼, ™, arrows, ☀, ✅, ❤…). */
function isPictographic(cp: number): boolean {
  if (cp < 0xa9) return false;
  if (cp < 0x10000 && cp !== 0xa9 && cp !== 0xae && (cp < 0x2000 || cp > 0x3300)) return false;
  return PICTOGRAPHIC_RE.test(String.fromCodePoint(cp));
}

/** Characters that may sit on either side of a zero-width joiner inside one emoji (👨‍👩‍👧, ❤️‍🔥). */
function isEmojiPart(cp: number): boolean {
  return cp === 0xfe0f || (cp >= 0x1f3fb && cp <= 0x1f3ff) || isPictographic(cp);
}

interface TextStats {
  /** Code points that are neither white space nor invisible. */
  visible: number;
  letters: number;
  upper: number;
  /** Emoji, a ZWJ sequence counting once. */
  emoji: number;
  /** Invisible characters, not counting joiners inside emoji sequences. */
  invisible: number;
}

/**
 * One pass over the text for every per-character count. Regexes with \p{…} that return match
 * arrays cost several microseconds on a 200-character text; this loop costs a fraction of that.
 */
function scanText(text: string): TextStats {
  const stats: TextStats = { visible: 0, letters: 0, upper: 0, emoji: 0, invisible: 0 };
  let prev = -1;
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (cp < 0x80) {
      if (cp > 0x20 && cp !== 0x7f) stats.visible++;
      if (cp >= 0x41 && cp <= 0x5a) {
        stats.letters++;
        stats.upper++;
      } else if (cp >= 0x61 && cp <= 0x7a) {
        stats.letters++;
      }
    } else if (isInvisible(cp)) {
      const next = text.codePointAt(i + 1);
      const joinsEmoji =
        cp === 0x200d && prev >= 0 && isEmojiPart(prev) && next !== undefined && isEmojiPart(next);
      if (!joinsEmoji) stats.invisible++;
    } else if (cp > 0xffff || !isSpace(cp)) {
      stats.visible++;
      if (isPictographic(cp)) {
        if (prev !== 0x200d) stats.emoji++;
      } else if (cp <= 0xffff) {
        // Cased letters (Latin with accents, Greek, Cyrillic) differ from their other case.
        const ch = String.fromCharCode(cp);
        const lower = ch.toLowerCase();
        if (lower !== ch.toUpperCase()) {
          stats.letters++;
          if (ch !== lower) stats.upper++;
        }
      }
    }
    prev = cp;
  }
  return stats;
}

interface Scored {
  code: ContentCode;
  points: number;
  detail: string;
  suggestion: string;
}

function scoreCaps({ letters, upper }: TextStats): Scored | undefined {
  if (letters < CAPS_MIN_LETTERS) return undefined;
  const ratio = upper / letters;
  const points = ratio >= 0.9 ? 30 : ratio >= 0.7 ? 20 : ratio >= 0.5 ? 10 : 0;
  if (points === 0) return undefined;
  return {
    code: 'content.caps',
    points,
    detail: `${Math.round(ratio * 100)}% of ${letters} letters are capitals`,
    suggestion: 'Write in normal sentence case; text in capitals reads as shouting and as spam.',
  };
}

function scoreLinks(links: readonly string[]): Scored[] {
  const found: Scored[] = [];
  if (links.length > 0) {
    // One link (a payment or catalogue link) is ordinary in a sale; several in one message are not.
    const points = links.length === 1 ? 5 : links.length === 2 ? 15 : 30;
    found.push({
      code: 'content.links',
      points,
      detail: `${links.length} link${links.length > 1 ? 's' : ''}`,
      suggestion: 'Send at most one link, and only when the customer asked for it.',
    });
  }
  const shorteners = links.filter((l) => SHORTENER_HOST_RE.test(l)).length;
  if (shorteners > 0) {
    found.push({
      code: 'content.shortener',
      points: shorteners === 1 ? 30 : 40,
      detail: `${shorteners} shortened link${shorteners > 1 ? 's' : ''} (bit.ly, tinyurl…)`,
      suggestion:
        'Use the full address of your site instead of a link shortener; shorteners hide the destination.',
    });
  }
  return found;
}

function scorePunctuation(text: string): Scored | undefined {
  const runs = text.match(PUNCTUATION_RE)?.length ?? 0;
  if (runs === 0) return undefined;
  return {
    code: 'content.punctuation',
    points: Math.min(25, 10 * runs),
    detail: `${runs} run${runs > 1 ? 's' : ''} of repeated punctuation (!!!, ???, $$$)`,
    suggestion: 'Use a single "!" or "?"; repeated marks look like an advertisement.',
  };
}

function scoreTriggers(text: string): Scored | undefined {
  const normalized = normalizeForTriggers(text);
  const seen = new Set<string>();
  TRIGGER_RE.lastIndex = 0;
  for (let m = TRIGGER_RE.exec(normalized); m !== null; m = TRIGGER_RE.exec(normalized)) seen.add(m[0]);
  if (seen.size === 0) return undefined;
  let points = 0;
  for (const phrase of seen) points += TRIGGER_POINTS.get(phrase) ?? 0;
  const words = [...seen];
  return {
    code: 'content.trigger_words',
    points: Math.min(60, points),
    detail: `spam phrases: ${words.map((w) => `"${w}"`).join(', ')}`,
    suggestion: `Rephrase without ${words.map((w) => `"${w}"`).join(', ')}; describe the product and its price plainly.`,
  };
}

function scoreEmoji({ emoji, visible: visibleChars }: TextStats): Scored | undefined {
  if (emoji < 3 || visibleChars === 0) return undefined;
  const density = emoji / visibleChars;
  const points = density >= 0.3 || emoji >= 15 ? 25 : density >= 0.15 || emoji >= 8 ? 12 : 0;
  if (points === 0) return undefined;
  return {
    code: 'content.emoji_density',
    points,
    detail: `${emoji} emoji in ${visibleChars} visible characters`,
    suggestion: 'Keep one or two emoji per message.',
  };
}

function scoreInvisible(count: number): Scored | undefined {
  if (count === 0) return undefined;
  return {
    code: 'content.invisible_chars',
    // Hidden characters only exist to dodge duplicate detection: a strong signal on its own.
    points: 50,
    detail: `${count} invisible character${count > 1 ? 's' : ''} (zero-width space, joiner, BOM…)`,
    suggestion: 'Remove the invisible characters and vary the wording instead (spintax in your templates).',
  };
}

/**
 * Judges one outgoing text. Refused when empty, longer than `maxChars` code points, already sent
 * `maxIdenticalPerHour` times in the last hour, or when its spam score reaches `blockScore`;
 * flagged with `content.warn` from `warnScore`.
 */
export function evaluateContent(input: ContentInput, config: ContentConfig, _nowMs?: number): ContentVerdict {
  const { text } = input;
  const reasons: Reason[] = [];
  const stats = scanText(text);

  if (stats.visible === 0) {
    return {
      allowed: false,
      score: 0,
      problems: [],
      suggestions: ['Write a message before sending.'],
      reasons: [{ engine: 'content', code: 'content.empty', detail: 'the text has no visible character' }],
    };
  }

  const scored: Scored[] = [];
  const invisible = scoreInvisible(stats.invisible);
  if (invisible) scored.push(invisible);
  const caps = scoreCaps(stats);
  if (caps) scored.push(caps);
  scored.push(...scoreLinks(text.match(LINK_RE) ?? []));
  const punctuation = scorePunctuation(text);
  if (punctuation) scored.push(punctuation);
  const triggers = scoreTriggers(text);
  if (triggers) scored.push(triggers);
  const emoji = scoreEmoji(stats);
  if (emoji) scored.push(emoji);

  let total = 0;
  for (const s of scored) total += s.points;
  const score = Math.min(100, total);
  const problems = scored.map((s) => ({ code: s.code, detail: `${s.detail} (+${s.points})` }));
  const suggestions = scored.map((s) => s.suggestion);

  // Only a longer string can hold more code points than the limit, so short texts skip the count.
  const length = text.length > config.maxChars ? codePointLength(text) : text.length;
  if (length > config.maxChars) {
    reasons.push({
      engine: 'content',
      code: 'content.too_long',
      detail: `${length} characters, the limit is ${config.maxChars}`,
    });
    suggestions.unshift(`Shorten the message to ${config.maxChars} characters or split it.`);
  }
  if (input.identicalLastHour >= config.maxIdenticalPerHour) {
    reasons.push({
      engine: 'content',
      code: 'content.identical_limit',
      detail: `this exact text was sent ${input.identicalLastHour} times in the last hour (limit ${config.maxIdenticalPerHour})`,
    });
    suggestions.unshift(
      'Vary the wording (spintax, the customer name) instead of sending the same text again.',
    );
  }
  const summary = scored.map((s) => s.code.slice('content.'.length)).join(', ');
  if (score >= config.blockScore) {
    reasons.push({
      engine: 'content',
      code: 'content.spam_score',
      detail: `spam score ${score} ≥ ${config.blockScore} (${summary})`,
    });
  }

  const allowed = reasons.length === 0;
  if (allowed) {
    reasons.push(
      score >= config.warnScore
        ? {
            engine: 'content',
            code: 'content.warn',
            detail: `spam score ${score} ≥ ${config.warnScore} (${summary})`,
          }
        : { engine: 'content', code: 'content.ok', detail: `spam score ${score}` },
    );
  }
  return { allowed, score, problems, suggestions, reasons };
}
