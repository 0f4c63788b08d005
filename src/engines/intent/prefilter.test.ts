/**
 * The consent and cue prefilters never change a verdict: whatever text the full consent rules read as a
 * request, the prefilter lets through. Texts are generated from the patterns themselves (random
 * walks of each pattern's tree, with noise words around them), from the rules' own vocabulary, and
 * from the development corpora's consent messages cut and joined with noise. A pattern that can
 * say yes but is missing from CONSENT_REQUEST_PATTERNS, or a syntax the literal reader gets wrong,
 * makes these properties fail.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeText, tokenize } from '../text.ts';
import { literalGate, type PatternNode, parsePattern, requiredLiterals } from './prefilter.ts';
import {
  CONSENT_GATE,
  CONSENT_REQUEST_PATTERNS,
  consentCue,
  consentText,
  GATED_CUE_PATTERNS,
  plainTest,
  readConsentRules,
} from './rules.ts';

/** A text the pattern tree can match, its choices read from `pick` (lookarounds and anchors ignored). */
function sample(node: PatternNode, pick: (n: number) => number): string {
  switch (node.kind) {
    case 'chars':
      return node.sample.length === 0 ? '' : node.sample[pick(node.sample.length)]!;
    case 'zero':
      return '';
    case 'seq':
      return node.items.map((item) => sample(item, pick)).join('');
    case 'alt':
      return sample(node.branches[pick(node.branches.length)]!, pick);
    case 'repeat': {
      const extra = Math.min(node.max - node.min, 2);
      const times = node.min + pick(extra + 1);
      let out = '';
      for (let i = 0; i < times; i++) out += sample(node.item, pick);
      return out;
    }
  }
}

/** A pick function over a tape of random numbers (fast-check shrinks the tape). */
function picker(tape: readonly number[]): (n: number) => number {
  let at = 0;
  return (n) => (tape.length === 0 ? 0 : tape[at++ % tape.length]! % n);
}

const RULES_SOURCE = readFileSync(new URL('./rules.ts', import.meta.url), 'utf8');
/** The words the rules are written with, plus ordinary shop words as noise. */
const VOCABULARY = [
  ...new Set([
    ...(RULES_SOURCE.match(/[a-z]{2,}/g) ?? []),
    ...'bonjour le sac noir prix combien svp merci vous avez livraison je veux ok la robe'.split(' '),
  ]),
];
const word = fc.constantFrom(...VOCABULARY);
const noise = fc.array(word, { maxLength: 4 }).map((w) => w.join(' '));

/**
 * Runs `onMatch` on texts generated from `re` (with noise around them) that `re` matches, and
 * answers how many there were: a caller asserts it is not zero, or its property said nothing.
 */
function forGeneratedMatches(re: RegExp, onMatch: (text: string) => void): number {
  const tree = parsePattern(re.source);
  let matched = 0;
  fc.assert(
    fc.property(
      fc.array(fc.nat(), { minLength: 1, maxLength: 64 }),
      fc.option(noise),
      fc.option(noise),
      (tape, before, after) => {
        const text = [before, sample(tree, picker(tape)), after].filter((t) => t).join(' ');
        re.lastIndex = 0;
        if (!re.test(text)) return;
        matched++;
        onMatch(text);
      },
    ),
    { numRuns: 300 },
  );
  return matched;
}

/** Consent messages of the development and training corpora (never the held-out ones). */
const CORPUS_CONSENT = [
  'test/fixtures/intent-corpus.json',
  ...['dev', 'dev-3', 'train-a', 'train-b', 'train-c', 'train-d'].map(
    (f) => `test/fixtures/intents/${f}.json`,
  ),
].flatMap((path) => {
  const corpus = JSON.parse(readFileSync(path, 'utf8')) as { messages: { text: string; intent: string }[] };
  return corpus.messages
    .filter((m) => m.intent === 'opt_out' || m.intent === 'opt_in')
    .map((m) => normalizeText(m.text));
});

/** The verdict with and without the prefilter, as the intent engine calls it. */
function bothWays(text: string) {
  const tokens = tokenize(text);
  return { gated: consentCue(text, tokens), full: readConsentRules(consentText(text), tokens, plainTest) };
}

describe('requiredLiterals', () => {
  const cases: { name: string; re: RegExp; want: string[] | undefined }[] = [
    { name: 'a word between boundaries is itself', re: /\bstop\b/, want: ['stop'] },
    {
      name: 'an alternation requires one of its branches',
      re: /\b(?:stop|arret)\b/,
      want: ['arret', 'stop'],
    },
    {
      name: 'an optional letter gives both spellings',
      re: /\barrete[rz]?\b/,
      want: ['arrete', 'arreter', 'arretez'],
    },
    {
      name: 'a sequence keeps its longest literal run',
      re: /\b(?:ne|n) (?:[a-z]+ )?plus rien\b/,
      want: ['plus rien'],
    },
    { name: 'lookarounds require nothing', re: /(?<!\bpas )stop(?= now)/, want: ['stop'] },
    { name: 'a repetition of at least one requires its item', re: /(?:ab|cd)+/, want: ['ab', 'cd'] },
    {
      name: 'a branch requiring nothing makes the whole require nothing',
      re: /stop|[a-z]+/,
      want: undefined,
    },
    { name: 'an optional piece alone requires nothing', re: /(?:stop)?/, want: undefined },
    { name: 'case-insensitive patterns are not read', re: /stop/i, want: undefined },
    { name: 'a back-reference is unknown text, not nothing', re: /x(a)\1y/, want: ['xa'] },
    { name: 'an escape the reader does not know is unknown text', re: /ab\cJcd/, want: ['ab'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(requiredLiterals(c.re)).toEqual(c.want);
    });
  }

  it('a gate over patterns with no literal passes every text', () => {
    const gate = literalGate([/stop/, /[a-z]+/]);
    expect(gate.test('')).toBe(true);
    expect(gate.literals).toEqual([]);
  });
});

describe('consent prefilter', () => {
  it('gates no global or sticky pattern (skipping test() would leave its lastIndex unchanged)', () => {
    for (const re of [...CONSENT_REQUEST_PATTERNS, ...GATED_CUE_PATTERNS]) {
      if (re.source.startsWith('\\b(?:j ai|on a|il a')) continue; // TRAIN_C_PAST_STOP_RE: replace() only
      expect(re.global || re.sticky, re.source.slice(0, 80)).toBe(false);
    }
  });

  it('reads literals from every consent request pattern', () => {
    for (const re of CONSENT_REQUEST_PATTERNS) expect(requiredLiterals(re), re.source).toBeDefined();
    expect(CONSENT_GATE.literals.length).toBeGreaterThan(0);
  });

  it('lets through every text a consent request pattern matches (texts generated from the patterns)', () => {
    for (const re of CONSENT_REQUEST_PATTERNS) {
      const matched = forGeneratedMatches(re, (text) =>
        expect(CONSENT_GATE.test(consentText(text)), text).toBe(true),
      );
      // The generator must reach the pattern, or the property above says nothing about it.
      expect(matched, re.source.slice(0, 80)).toBeGreaterThan(0);
    }
  });

  it('lets a gated cue pattern run on every text it matches (texts generated from the patterns)', () => {
    for (const re of GATED_CUE_PATTERNS) {
      const gate = literalGate([re]);
      expect(gate.literals.length, re.source.slice(0, 80)).toBeGreaterThan(0);
      const matched = forGeneratedMatches(re, (text) => expect(gate.test(text), text).toBe(true));
      expect(matched, re.source.slice(0, 80)).toBeGreaterThan(0);
    }
  });

  it('never changes a consent verdict on texts made of the rules’ words', () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 10 }), (words) => {
        const { gated, full } = bothWays(words.join(' '));
        expect(gated).toEqual(full);
      }),
      { numRuns: 3000 },
    );
  });

  it('never changes a consent verdict on the corpora’s consent messages, cut and joined with noise', () => {
    expect(CORPUS_CONSENT.length).toBeGreaterThan(500);
    for (const text of CORPUS_CONSENT) {
      const { gated, full } = bothWays(text);
      expect(gated, text).toEqual(full);
    }
    fc.assert(
      fc.property(
        fc.constantFrom(...CORPUS_CONSENT),
        fc.nat(),
        fc.nat(),
        noise,
        noise,
        (text, from, length, before, after) => {
          const words = text.split(' ');
          const start = from % words.length;
          const cut = words.slice(start, start + 1 + (length % words.length)).join(' ');
          const { gated, full } = bothWays(`${before} ${cut} ${after}`.trim());
          expect(gated).toEqual(full);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
