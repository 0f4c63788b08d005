import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  damerauLevenshtein,
  MAX_WORD_CHARS,
  normalizeText,
  phoneticKey,
  revealSpelledWords,
  stemToken,
  tokenize,
} from './text.ts';

const normalizeCases: { name: string; text: string; want: string }[] = [
  { name: 'lowercases and strips accents', text: 'ARRÊTEZ Désabonner', want: 'arretez desabonner' },
  {
    name: 'maps apostrophes and punctuation to spaces',
    text: "Bonjour, c’est l'iPhone ?!",
    want: 'bonjour c est l iphone',
  },
  { name: 'collapses three or more repeated letters', text: 'merciiii bonjouuur', want: 'merci bonjour' },
  { name: 'keeps double letters', text: 'tissage coffee', want: 'tissage coffee' },
  { name: 'maps 🙏 to merci and 👋 to salut', text: '🙏 👋', want: 'merci salut' },
  {
    name: 'maps angry faces to the complaint cue colere',
    text: 'toujours rien 😡😠',
    want: 'toujours rien colere colere',
  },
  { name: 'maps 💰/💵 to prix and 🛒 to commande', text: '💰💵 🛒', want: 'prix prix commande' },
  { name: 'drops decorative emojis', text: 'sac noir ❤️😍🔥', want: 'sac noir' },
  { name: 'expands cb, cbn and cmb to combien', text: 'cb cbn cmb', want: 'combien combien combien' },
  {
    name: 'folds "c combien" and "c\'est cmb" into combien',
    text: "c combien / c'est cmb",
    want: 'combien combien',
  },
  { name: 'expands dispo to disponible', text: 'dispo?', want: 'disponible' },
  {
    name: 'maps stp/svp to svp and pls/plz to please',
    text: 'stp svp pls plz',
    want: 'svp svp please please',
  },
  { name: 'expands slt, bjr and bsr', text: 'slt bjr bsr', want: 'salut bonjour bonsoir' },
  { name: 'expands pk, qd, tjrs and ds', text: 'pk qd tjrs ds', want: 'pourquoi quand toujours dans' },
  { name: 'expands jveux and jvx to je veux', text: 'jveux jvx', want: 'je veux je veux' },
  { name: "turns ya, y a and y'a into il y a", text: "ya / y a / y'a", want: 'il y a il y a il y a' },
  { name: 'leaves "il n\'y a" alone', text: "il n'y a plus", want: 'il n y a plus' },
  {
    name: 'expands mrc/mci to merci and tx/thx to thanks',
    text: 'mrc mci tx thx',
    want: 'merci merci thanks thanks',
  },
  { name: 'reads the typo pri as prix', text: 'pri du sac', want: 'prix du sac' },
  {
    name: 'reads pris as prix but keeps the verb in "j\'ai pris"',
    text: "pris? j'ai pris",
    want: 'prix j ai pris',
  },
  { name: 'expands vs and koi', text: 'vs vendez koi', want: 'vous vendez quoi' },
  { name: 'keeps digits and joins thousands groups', text: '20 000 F, 1.500.000', want: '20000 f 1500000' },
  { name: 'reads 15k as 15000', text: 'tu fais 15k?', want: 'tu fais 15000' },
  { name: 'splits letters from digits', text: 'x3 iphone11', want: 'x 3 iphone 11' },
  { name: 'writes œ as oe', text: 'ma sœur', want: 'ma soeur' },
  { name: 'returns an empty string for punctuation only', text: ' ?!… ', want: '' },
  { name: 'folds full-width letters (NFKC)', text: 'ＳＴＯＰ Ｍｅｒｃｉ', want: 'stop merci' },
  { name: 'folds mathematical bold and italic letters (NFKC)', text: '𝐒𝐓𝐎𝐏 𝑝𝑟𝑖𝑥', want: 'stop prix' },
  { name: 'folds full-width digits in prices (NFKC)', text: '１５ ０００ F', want: '15000 f' },
  { name: 'folds the ﬁ ligature and circled letters', text: 'proﬁl Ⓢⓣⓞⓟ', want: 'profil stop' },
  {
    name: 'drops zero-width characters, BOM and soft hyphen inside a word',
    text: 'S\u200bT\u200cO\u200dP \u2060li\ufeffvrai\u00adson',
    want: 'stop livraison',
  },
  {
    name: 'drops bidi marks, embeddings, overrides and isolates',
    text: '\u200eS\u200fT\u202aO\u202eP\u2066 \u2069\u061cmerci',
    want: 'stop merci',
  },
  {
    name: 'keeps iPhone 11 and prices with zeros as they are',
    text: 'iPhone 11 à 300 000 F',
    want: 'iphone 11 a 300000 f',
  },
];

describe('normalizeText', () => {
  it.each(normalizeCases)('$name', ({ text, want }) => {
    expect(normalizeText(text)).toBe(want);
  });

  // Words that exercise the SMS map and its context rules, mixed with arbitrary text.
  const tricky = fc.constantFrom(
    'c',
    'est',
    'cb',
    'combien',
    'ya',
    'y',
    'a',
    'il',
    'n',
    'pris',
    'ai',
    'jai',
    '20',
    '000',
    '15k',
    'x2',
    'ÉTÉ',
    'ccc',
    'merciii',
    '🙏',
    '😡',
    "'",
    '-',
    'İ',
    'ß',
    '\u0301',
  );
  const messy = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.array(tricky, { maxLength: 12 }).map((parts) => parts.join(' ')),
    fc.array(tricky, { maxLength: 12 }).map((parts) => parts.join('')),
  );

  it('is idempotent: normalizing twice equals normalizing once', () => {
    fc.assert(
      fc.property(messy, (text) => {
        const once = normalizeText(text);
        expect(normalizeText(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('outputs no uppercase letter, no combining mark and no doubled space', () => {
    fc.assert(
      fc.property(messy, (text) => {
        const out = normalizeText(text);
        expect(out).toBe(out.toLowerCase());
        expect(out.normalize('NFD')).not.toMatch(/\p{M}/u);
        expect(out).toMatch(/^(?:[a-z0-9]+(?: [a-z0-9]+)*)?$/);
      }),
      { numRuns: 2000 },
    );
  });

  it(`cuts words longer than ${MAX_WORD_CHARS} characters, and only those`, () => {
    const long = 'ab'.repeat(40);
    expect(normalizeText(`sac ${long} noir`)).toBe(`sac ${long.slice(0, MAX_WORD_CHARS)} noir`);
    expect(normalizeText('anticonstitutionnellement')).toBe('anticonstitutionnellement');
    expect(normalizeText('9'.repeat(100))).toBe('9'.repeat(MAX_WORD_CHARS));
  });

  it('never outputs a word longer than the cap, and stays idempotent on long words', () => {
    const longText = fc
      .array(fc.oneof(fc.string({ unit: fc.constantFrom('a', 'b', '1', '0', 'k', ' '), maxLength: 300 })), {
        maxLength: 4,
      })
      .map((parts) => parts.join(' '));
    fc.assert(
      fc.property(longText, (text) => {
        const out = normalizeText(text);
        for (const w of tokenize(out)) expect(w.length).toBeLessThanOrEqual(MAX_WORD_CHARS);
        expect(normalizeText(out)).toBe(out);
      }),
      { seed: 11, numRuns: 500 },
    );
  });
});

describe('revealSpelledWords', () => {
  const WORDS = new Set(['stop', 'start', 'arret', 'unsubscribe']);
  const cases: { name: string; folded: string; want: string }[] = [
    { name: 'reads digits for letters', folded: 'st0p', want: 'stop' },
    { name: 'reads $ and @ for s and a', folded: '$t@rt', want: 'start' },
    { name: 'reads a word spelt letter by letter', folded: 's t o p', want: 'stop' },
    { name: 'reads letters separated by dots or dashes', folded: 's.t.o.p. s-t-a-r-t', want: 'stop start' },
    { name: 'reads spelt letters with digits for letters', folded: '5 t 0 p merci', want: 'stop merci' },
    { name: 'keeps the words around a spelt word', folded: 'ok s t o p svp', want: 'ok stop svp' },
    { name: 'leaves a plain word alone', folded: 'stop!!!', want: 'stop!!!' },
    { name: 'leaves prices alone', folded: 'prix 10 000 f', want: 'prix 10 000 f' },
    { name: 'leaves product names with digits alone', folded: 'iphone 11 et a54', want: 'iphone 11 et a54' },
    { name: 'leaves letters that spell something longer', folded: 'a s t o p', want: 'a s t o p' },
    {
      name: 'leaves a word that only contains the letters',
      folded: 'st0ps sp0t p0ts',
      want: 'st0ps sp0t p0ts',
    },
    { name: 'leaves digits that are not letters of the word', folded: '5 7 0 9', want: '5 7 0 9' },
  ];
  it.each(cases)('$name', ({ folded, want }) => {
    expect(revealSpelledWords(folded, WORDS)).toBe(want);
  });

  it('returns the same string when nothing is spelt', () => {
    const text = 'bonjour le sac noir est a combien';
    expect(revealSpelledWords(text, WORDS)).toBe(text);
  });
});

describe('tokenize', () => {
  it('splits a normalized string on spaces', () => {
    expect(tokenize('combien le sac noir')).toEqual(['combien', 'le', 'sac', 'noir']);
  });
  it('returns no token for an empty string', () => {
    expect(tokenize('')).toEqual([]);
  });
});

describe('damerauLevenshtein', () => {
  const cases: { name: string; a: string; b: string; max: number; want: number }[] = [
    { name: 'is 0 for equal strings', a: 'sac', b: 'sac', max: 2, want: 0 },
    { name: 'counts a substitution as 1', a: 'perruque', b: 'perruqie', max: 2, want: 1 },
    { name: 'counts an insertion as 1', a: 'tisage', b: 'tissage', max: 2, want: 1 },
    {
      name: 'counts an adjacent transposition as 1',
      a: 'montre',
      b: 'monrte',
      max: 2,
      want: 1,
    },
    { name: 'counts two edits as 2', a: 'iphon', b: 'iphone1', max: 2, want: 2 },
    { name: 'measures against an empty string', a: '', b: 'abc', max: 5, want: 3 },
    { name: 'returns max + 1 when the lengths alone exceed max', a: 'sac', b: 'sacoche', max: 2, want: 3 },
    { name: 'returns max + 1 early when every row exceeds max', a: 'abcdef', b: 'uvwxyz', max: 1, want: 2 },
  ];
  it.each(cases)('$name', ({ a, b, max, want }) => {
    expect(damerauLevenshtein(a, b, max)).toBe(want);
  });

  it('is symmetric and never exceeds max + 1', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd'), maxLength: 9 });
    fc.assert(
      fc.property(word, word, fc.integer({ min: 0, max: 4 }), (a, b, max) => {
        const d = damerauLevenshtein(a, b, max);
        expect(d).toBe(damerauLevenshtein(b, a, max));
        expect(d).toBeLessThanOrEqual(max + 1);
        expect(d === 0).toBe(a === b);
      }),
    );
  });
});

describe('stemToken and phoneticKey', () => {
  it('gives plurals and feminine forms the same stem', () => {
    expect(new Set(['noir', 'noire', 'noirs', 'noires'].map(stemToken))).toEqual(new Set(['noir']));
    expect(stemToken('sacs')).toBe('sac');
    expect(stemToken('dresses')).toBe(stemToken('dress'));
  });
  it('leaves short words alone so "cas" never meets "case"', () => {
    expect(stemToken('cas')).not.toBe(stemToken('case'));
  });
  it('gives words spelt as they sound the same key', () => {
    expect(phoneticKey('perruk')).toBe(phoneticKey('perruque'));
    expect(phoneticKey('boutik')).toBe(phoneticKey('boutique'));
  });
  it('drops silent final letters exactly as the former /[esxtd]+$/ rule did', () => {
    const rules: [RegExp, string][] = [
      [/qu|ck|q|c(?=[aou])/g, 'k'],
      [/ph/g, 'f'],
      [/eau|au/g, 'o'],
      [/ou/g, 'u'],
      [/[ae]i/g, 'e'],
      [/y/g, 'i'],
      [/z/g, 's'],
      [/([a-z])\1+/g, '$1'],
      [/[esxtd]+$/, ''],
    ];
    const former = (token: string) => rules.reduce((s, [re, by]) => s.replace(re, by), token);
    const word = fc.string({
      unit: fc.constantFrom('a', 'e', 's', 'x', 't', 'd', 'q', 'u', 'o', 'c', 'k', 'p', 'h', 'i', 'y', 'z'),
      maxLength: 14,
    });
    fc.assert(
      fc.property(word, (token) => {
        expect(phoneticKey(token)).toBe(former(token));
      }),
      { seed: 7, numRuns: 3000 },
    );
  });
});
