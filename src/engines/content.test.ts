import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRESETS } from './config.ts';
import { CONTENT_CODES, type ContentInput, evaluateContent, normalizeForTriggers } from './content.ts';

const moderate = PRESETS.moderate.content;

interface Case {
  name: string;
  input: ContentInput;
  config?: typeof moderate;
  want: {
    allowed: boolean;
    /** Codes that must appear among the problems or reasons. */
    codes?: string[];
    /** Codes that must not appear. */
    absent?: string[];
    scoreBelow?: number;
    scoreAtLeast?: number;
  };
}

const sellerReply = 'Bonjour ! Le sac noir est à 15 000 FCFA. Voulez-vous le commander ?';

const cases: Case[] = [
  {
    name: 'allows a normal seller reply with a low score and no problem',
    input: { text: sellerReply, identicalLastHour: 0 },
    want: { allowed: true, codes: ['content.ok'], scoreBelow: moderate.warnScore, absent: ['content.caps'] },
  },
  {
    name: 'refuses an empty text',
    input: { text: '', identicalLastHour: 0 },
    want: { allowed: false, codes: ['content.empty'] },
  },
  {
    name: 'refuses a text of spaces and newlines only',
    input: { text: '  \n\t ', identicalLastHour: 0 },
    want: { allowed: false, codes: ['content.empty'] },
  },
  {
    name: 'refuses a text made only of invisible characters',
    input: { text: '\u200B\u200B', identicalLastHour: 0 },
    want: { allowed: false, codes: ['content.empty'] },
  },
  {
    name: 'refuses a text one character over maxChars',
    input: { text: 'a'.repeat(4097), identicalLastHour: 0 },
    want: { allowed: false, codes: ['content.too_long'] },
  },
  {
    name: 'allows a text of exactly maxChars characters',
    input: { text: 'a'.repeat(4096), identicalLastHour: 0 },
    want: { allowed: true, absent: ['content.too_long'] },
  },
  {
    name: 'counts code points, so 4096 emoji (8192 UTF-16 units) fit in maxChars 4096',
    input: { text: '😀'.repeat(4096), identicalLastHour: 0 },
    want: { allowed: true, absent: ['content.too_long'] },
    config: { ...moderate, blockScore: 101 },
  },
  {
    name: 'counts code points, so 11 emoji exceed maxChars 10',
    input: { text: '😀'.repeat(11), identicalLastHour: 0 },
    config: { ...moderate, maxChars: 10, blockScore: 101 },
    want: { allowed: false, codes: ['content.too_long'] },
  },
  {
    name: 'allows the 3rd identical text in an hour when the cap is 3',
    input: { text: sellerReply, identicalLastHour: 2 },
    want: { allowed: true, absent: ['content.identical_limit'] },
  },
  {
    name: 'refuses the 4th identical text in an hour when the cap is 3',
    input: { text: sellerReply, identicalLastHour: 3 },
    want: { allowed: false, codes: ['content.identical_limit'] },
  },
  {
    name: 'flags a text mostly in capitals',
    input: { text: 'PROMOTION SUR TOUS LES SACS CETTE SEMAINE', identicalLastHour: 0 },
    want: { allowed: true, codes: ['content.caps'] },
  },
  {
    name: 'does not judge capitals in a short text ("OK MERCI")',
    input: { text: 'OK MERCI', identicalLastHour: 0 },
    want: { allowed: true, absent: ['content.caps'] },
  },
  {
    name: 'flags a single link mildly and keeps the text allowed',
    input: { text: 'Payez ici : https://pay.wave.com/m/abc', identicalLastHour: 0 },
    want: {
      allowed: true,
      codes: ['content.links'],
      absent: ['content.shortener'],
      scoreBelow: moderate.warnScore,
    },
  },
  {
    name: 'flags three links more than one',
    input: { text: 'https://a.example https://b.example www.c.example', identicalLastHour: 0 },
    want: { allowed: true, codes: ['content.links'], scoreAtLeast: 30 },
  },
  {
    name: 'flags a bit.ly link without scheme as a shortener',
    input: { text: 'Voir bit.ly/3abc', identicalLastHour: 0 },
    want: { allowed: true, codes: ['content.shortener', 'content.links'] },
  },
  {
    name: 'flags tinyurl, t.co, goo.gl, cutt.ly, is.gd and ow.ly as shorteners',
    input: {
      text: 'https://tinyurl.com/x https://t.co/x https://goo.gl/x https://cutt.ly/x https://is.gd/x https://ow.ly/x',
      identicalLastHour: 0,
    },
    want: { allowed: false, codes: ['content.shortener', 'content.spam_score'] },
  },
  {
    name: 'does not take "t.com" in an address for the t.co shortener',
    input: { text: 'Site : https://shirt.com/sacs', identicalLastHour: 0 },
    want: { allowed: true, absent: ['content.shortener'] },
  },
  {
    name: 'flags repeated punctuation "!!!"',
    input: { text: 'Nouveau stock !!!', identicalLastHour: 0 },
    want: { allowed: true, codes: ['content.punctuation'] },
  },
  {
    name: 'flags "???" and "$$$" as two runs',
    input: { text: 'Vous voulez gagner ??? $$$', identicalLastHour: 0 },
    want: { allowed: true, codes: ['content.punctuation'] },
  },
  {
    name: 'does not flag a single "!" or "?"',
    input: { text: 'Merci ! À bientôt ?', identicalLastHour: 0 },
    want: { allowed: true, absent: ['content.punctuation'] },
  },
  {
    name: 'finds French trigger words whatever the case and accents ("OFFRE LIMITÉE")',
    input: { text: 'OFFRE LIMITÉE sur les sacs', identicalLastHour: 0 },
    want: { allowed: true, codes: ['content.trigger_words'] },
  },
  {
    name: 'finds "gagner de l’argent" written with a typographic apostrophe',
    input: { text: 'Comment gagner de l’argent vite', identicalLastHour: 0 },
    want: { allowed: true, codes: ['content.trigger_words'] },
  },
  {
    name: 'finds English trigger words ("Click here", "act now")',
    input: { text: 'Click here and act now', identicalLastHour: 0 },
    want: { allowed: true, codes: ['content.trigger_words'] },
  },
  {
    name: 'finds a trigger word split by a zero-width space',
    input: { text: 'Cadeau gra\u200Btuit', identicalLastHour: 0 },
    want: { allowed: true, codes: ['content.trigger_words', 'content.invisible_chars'] },
  },
  {
    name: 'does not find "free" inside "freelance"',
    input: { text: 'Je suis freelance à Dakar', identicalLastHour: 0 },
    want: { allowed: true, absent: ['content.trigger_words'] },
  },
  {
    name: 'keeps "livraison gratuite" below the warning score',
    input: { text: 'Livraison gratuite à Dakar', identicalLastHour: 0 },
    want: { allowed: true, codes: ['content.trigger_words'], scoreBelow: moderate.warnScore },
  },
  {
    name: 'warns on several scam phrases together',
    input: { text: 'Investissement garanti en crypto : doublez votre argent', identicalLastHour: 0 },
    want: {
      allowed: true,
      codes: ['content.trigger_words', 'content.warn'],
      scoreAtLeast: moderate.warnScore,
    },
  },
  {
    name: 'flags a text that is mostly emoji',
    input: { text: '🔥🔥🔥 Promo 🔥🔥🔥', identicalLastHour: 0 },
    want: { allowed: true, codes: ['content.emoji_density'] },
  },
  {
    name: 'counts a ZWJ family emoji as one emoji and its joiners as legitimate',
    input: { text: 'Pour toute la famille 👨‍👩‍👧 ❤️', identicalLastHour: 0 },
    want: { allowed: true, absent: ['content.emoji_density', 'content.invisible_chars'] },
  },
  {
    name: 'always flags a zero-width space used to dodge duplicate detection, with a strong score',
    input: { text: 'Bon\u200Bjour, le sac est dispo', identicalLastHour: 0 },
    want: { allowed: true, codes: ['content.invisible_chars', 'content.warn'], scoreAtLeast: 40 },
  },
  {
    name: 'flags U+2060 word joiner and U+FEFF as invisible characters',
    input: { text: 'Bonjour\u2060 le sac\uFEFF', identicalLastHour: 0 },
    want: { allowed: true, codes: ['content.invisible_chars'] },
  },
  {
    name: 'refuses a classic spam text on its score',
    input: { text: 'GAGNEZ 100% GRATUIT !!! Cliquez ici bit.ly/abc', identicalLastHour: 0 },
    want: { allowed: false, codes: ['content.spam_score', 'content.shortener', 'content.trigger_words'] },
  },
  {
    name: 'refuses with the conservative preset a text the moderate preset only warns about',
    input: { text: 'Promo bit.ly/x !!! urgent, gagnez', identicalLastHour: 0 },
    config: PRESETS.conservative.content,
    want: { allowed: false, codes: ['content.spam_score'] },
  },
  {
    name: 'only warns with the moderate preset about a text the conservative preset refuses',
    input: { text: 'Promo bit.ly/x !!! urgent, gagnez', identicalLastHour: 0 },
    want: { allowed: true, codes: ['content.warn'], absent: ['content.spam_score'] },
  },
];

describe('evaluateContent', () => {
  it.each(cases)('$name', ({ input, config, want }) => {
    const v = evaluateContent(input, config ?? moderate);
    const codes = [...v.problems.map((p) => p.code), ...v.reasons.map((r) => r.code)];
    expect(v.allowed).toBe(want.allowed);
    for (const code of want.codes ?? []) expect(codes).toContain(code);
    for (const code of want.absent ?? []) expect(codes).not.toContain(code);
    if (want.scoreBelow !== undefined) expect(v.score).toBeLessThan(want.scoreBelow);
    if (want.scoreAtLeast !== undefined) expect(v.score).toBeGreaterThanOrEqual(want.scoreAtLeast);
  });

  it('gives one plain-English suggestion per problem', () => {
    const v = evaluateContent({ text: 'GAGNEZ !!! bit.ly/x 🔥🔥🔥🔥', identicalLastHour: 0 }, moderate);
    expect(v.problems.length).toBeGreaterThan(0);
    expect(v.suggestions.length).toBe(v.problems.length);
    for (const s of v.suggestions) expect(s.length).toBeGreaterThan(10);
  });

  it('emits only codes listed in CONTENT_CODES', () => {
    const texts = [
      '',
      'a'.repeat(5000),
      sellerReply,
      'GAGNEZ 100% GRATUIT !!! Cliquez ici bit.ly/abc 🔥🔥🔥🔥 \u200B',
    ];
    for (const text of texts) {
      const v = evaluateContent({ text, identicalLastHour: 9 }, moderate);
      for (const code of [...v.problems.map((p) => p.code), ...v.reasons.map((r) => r.code)]) {
        expect(CONTENT_CODES).toContain(code);
      }
      for (const r of v.reasons) expect(r.engine).toBe('content');
    }
  });

  it('never allows a text longer than maxChars (property)', () => {
    const config = { ...moderate, maxChars: 20 };
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const v = evaluateContent({ text, identicalLastHour: 0 }, config);
        if ([...text].length > config.maxChars) expect(v.allowed).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the score within 0–100 and refuses from blockScore (property)', () => {
    const words = fc.constantFrom(
      'GAGNEZ',
      'gratuit',
      '!!!',
      'bit.ly/x',
      '🔥',
      '\u200B',
      'sac',
      'https://a.b',
      'FREE',
    );
    fc.assert(
      fc.property(fc.array(words, { maxLength: 30 }), fc.nat(5), (parts, identical) => {
        const v = evaluateContent({ text: parts.join(' '), identicalLastHour: identical }, moderate);
        expect(v.score).toBeGreaterThanOrEqual(0);
        expect(v.score).toBeLessThanOrEqual(100);
        if (v.score >= moderate.blockScore) expect(v.allowed).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('normalizeForTriggers', () => {
  /** The whole-string chain it replaced (NFD, marks removed, invisible characters, quotes, spaces). */
  const reference = (text: string): string => {
    const lower = text.toLowerCase();
    if (!/[^ -~\t\n\r]/.test(lower)) return lower;
    return lower
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[\u200B-\u200D\u2060\uFEFF]/g, '')
      .replace(/[\u2018\u2019\u02bc`]/g, "'")
      .replace(/[\u00a0\u202f]/g, ' ');
  };
  // Letters with and without accents, loose combining marks of several classes (U+0316 below,
  // U+0315 above right, U+05B0 Hebrew, U+20D7 for symbols), invisible characters, quotes, spaces,
  // Greek capital sigma (lower-cased by context), Hangul, emoji and lone surrogates.
  const alphabet = [
    ..."aeEiOu gratuit`'!?•—«»×₦€ÉéèêçàùîôûñßİΣσ한\u200b\u2060\ufeff\u2018\u2019\u02bc\u00a0\u202f",
    '\u0301',
    '\u0316',
    '\u0315',
    '\u05b0',
    '\u20d7',
    '\u0340',
    '😊',
    '🙏',
    '\ud83d',
    '\ude0a',
    '\u1e9e',
    '\u01c4',
  ];

  it('gives what the whole-string chain gives on any mix of accents, marks and symbols', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }), (chars) => {
        const text = chars.join('');
        expect(normalizeForTriggers(text)).toBe(reference(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('gives what the whole-string chain gives on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        expect(normalizeForTriggers(text)).toBe(reference(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('folds a typical French reply and keeps a spam phrase findable', () => {
    expect(
      normalizeForTriggers('Oui 🙏 la Robe Wax est à 15\u202f000 FCFA • Livraison GRATUITE aujourd\u2019hui'),
    ).toBe("oui 🙏 la robe wax est a 15 000 fcfa • livraison gratuite aujourd'hui");
  });
});
