/**
 * STOP is honoured however it is typed: full-width (ＳＴＯＰ), mathematical letters (𝐒𝐓𝐎𝐏),
 * with invisible characters (S\u200bTOP), spaced (S T O P) or with digits for letters (st0p); the
 * same for START, ARRET, ARRÊT, DESABONNER and UNSUBSCRIBE. None of these foldings turns an
 * ordinary message into an opt-out. Checked on the intent engine and end to end through decide().
 *
 * Decided and documented (docs/SECURITY.md, 11.12): "arrête de m'appeler chéri" is an opt-out. A
 * short message that starts by telling the shop to stop is read as an opt-out; a missed opt-out
 * keeps messaging someone who asked us to stop (a complaint, a ban risk), a wrong one costs one
 * confirmation and the customer's START undoes it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Product } from '../domain/types.ts';
import { parseContext } from './context.ts';
import { decide } from './decide.ts';
import { detectIntent } from './intent.ts';

const CATALOG: Product[] = [
  { id: 'iphone11', name: 'iPhone 11', aliases: ['iphone'], price: 300000, currency: 'XOF' },
  { id: 'sac', name: 'Sac noir', price: 15000, currency: 'XOF' },
  { id: 'a54', name: 'Samsung Galaxy A54', aliases: ['a54'], price: 250000, currency: 'XOF' },
];

const intentOf = (text: string) => detectIntent({ text, catalog: CATALOG }).intent;

/** Ambiguous ordinary messages: whatever they ask, they are neither an opt-out nor an opt-in. */
const NO_CONSENT = 'neither opt_out nor opt_in';

const cases: { name: string; text: string; want: string }[] = [
  { name: 'plain STOP', text: 'STOP', want: 'opt_out' },
  { name: 'full-width ＳＴＯＰ', text: 'ＳＴＯＰ', want: 'opt_out' },
  { name: 'STOP with a zero-width space', text: 'S\u200bTOP', want: 'opt_out' },
  {
    name: 'STOP with a word joiner, BOM and bidi marks',
    text: '\u200fS\u2060T\ufeffO\u202eP',
    want: 'opt_out',
  },
  { name: 'mathematical bold 𝐒𝐓𝐎𝐏', text: '𝐒𝐓𝐎𝐏', want: 'opt_out' },
  { name: 'mathematical sans-serif and monospace', text: '𝗦𝗧𝗢𝗣 / 𝚂𝚃𝙾𝙿', want: 'opt_out' },
  { name: 'circled letters', text: 'Ⓢⓣⓞⓟ', want: 'opt_out' },
  { name: 'spaced S T O P', text: 'S T O P', want: 'opt_out' },
  { name: 'dotted S.T.O.P.', text: 'S.T.O.P.', want: 'opt_out' },
  { name: 'st0p with a zero for the o', text: 'st0p', want: 'opt_out' },
  { name: '$TOP with a dollar for the s', text: '$TOP', want: 'opt_out' },
  { name: 'spaced with digits: 5 T 0 P', text: '5 T 0 P', want: 'opt_out' },
  { name: 'st0p svp', text: 'st0p svp', want: 'opt_out' },
  { name: 'full-width ＡＲＲＥＴ', text: 'ＡＲＲＥＴ', want: 'opt_out' },
  { name: 'ARRÊT spaced with the accent', text: 'A R R Ê T', want: 'opt_out' },
  { name: '4RR3T', text: '4RR3T', want: 'opt_out' },
  { name: 'Arr3tez svp', text: 'Arr3tez svp', want: 'opt_out' },
  { name: 'd3s4b0nn3r', text: 'd3s4b0nn3r', want: 'opt_out' },
  { name: 'DÉSABONNER with invisible characters', text: 'DÉ\u200bSABON\u00adNER', want: 'opt_out' },
  { name: 'UNSUB5CR1BE', text: 'please UNSUB5CR1BE me', want: 'opt_out' },
  { name: 'u n s u b s c r i b e', text: 'u n s u b s c r i b e', want: 'opt_out' },
  { name: 'full-width ＳＴＡＲＴ', text: 'ＳＴＡＲＴ', want: 'opt_in' },
  { name: 'ST4RT', text: 'ST4RT', want: 'opt_in' },
  { name: 'S T A R T', text: 'S T A R T', want: 'opt_in' },
  {
    name: '"arrête de m\'appeler chéri" (decided: an opt-out)',
    text: "arrête de m'appeler chéri",
    want: 'opt_out',
  },
  // Ordinary messages stay what they are.
  {
    name: 'a stop motion camera is a product question',
    text: 'do you have stop motion camera?',
    want: 'availability',
  },
  { name: '"stop 2 pour le bus" is about the bus', text: 'stop 2 pour le bus', want: NO_CONSENT },
  {
    name: '"le panneau stop" is a place, no opt-out',
    text: 'la boutique est au panneau stop ?',
    want: NO_CONSENT,
  },
  {
    name: 's t o p inside a longer text is no opt-out',
    text: "Bonjour, il y a s t o p écrit sur le panneau à côté de la boutique, c'est là ?",
    want: NO_CONSENT,
  },
  { name: 'iPhone 11 keeps its digits', text: "l'iPhone 11 c'est combien ?", want: 'price' },
  { name: 'a price with zeros stays a price', text: 'je peux payer 10 000 ?', want: 'payment' },
  { name: 'a product reference with digits', text: 'le A54 est dispo ?', want: 'availability' },
  { name: 'words made of the same letters', text: 'sp0t p0ts t0ps', want: 'unknown' },
];

describe('opt-out and opt-in words however they are typed', () => {
  it.each(cases)('$name → $want', ({ text, want }) => {
    if (want === NO_CONSENT) expect(['opt_out', 'opt_in']).not.toContain(intentOf(text));
    else expect(intentOf(text)).toBe(want);
  });

  it('keeps the product of "iPhone 11" and the amount of "10 000"', () => {
    const v = detectIntent({ text: "l'iPhone 11 à 10 000 ?", catalog: CATALOG });
    expect(v.entities.products.map((p) => p.productId)).toEqual(['iphone11']);
    expect(detectIntent({ text: 'st0p', catalog: CATALOG }).entities.products).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: random obfuscations of consent words.

const FULL_WIDTH = (c: string) =>
  /[A-Za-z0-9]/.test(c) ? String.fromCodePoint(c.codePointAt(0)! - 0x21 + 0xff01) : c;
const MATH_BOLD = (c: string) =>
  /[A-Z]/.test(c)
    ? String.fromCodePoint(0x1d400 + c.charCodeAt(0) - 65)
    : /[a-z]/.test(c)
      ? String.fromCodePoint(0x1d41a + c.charCodeAt(0) - 97)
      : /[0-9]/.test(c)
        ? String.fromCodePoint(0x1d7ce + c.charCodeAt(0) - 48)
        : c;
const LEET: Record<string, string> = {
  o: '0',
  O: '0',
  e: '3',
  E: '3',
  a: '4',
  A: '4',
  s: '5',
  S: '$',
  t: '7',
  i: '1',
};
const INVISIBLE = [
  '\u200b',
  '\u200c',
  '\u200d',
  '\u2060',
  '\ufeff',
  '\u00ad',
  '\u200e',
  '\u200f',
  '\u202e',
  '\u2066',
];

interface Obfuscation {
  /** Per character: 0 as is, 1 full-width, 2 mathematical bold, 3 digit or sign for the letter. */
  styles: number[];
  /** Per gap between characters: an invisible character index, or -1. */
  invisible: number[];
  /** Letters separated by spaces (or by dots). */
  spaced: 'no' | 'spaces' | 'dots';
  upper: boolean;
}

const obfuscation = fc.record({
  styles: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 12, maxLength: 12 }),
  invisible: fc.array(fc.integer({ min: -1, max: INVISIBLE.length - 1 }), { minLength: 12, maxLength: 12 }),
  spaced: fc.constantFrom<'no' | 'spaces' | 'dots'>('no', 'no', 'spaces', 'dots'),
  upper: fc.boolean(),
});

function obfuscate(word: string, o: Obfuscation): string {
  const chars = [...(o.upper ? word.toUpperCase() : word)].map((c, i) => {
    const style = o.styles[i % o.styles.length]!;
    if (style === 3 && LEET[c] !== undefined) return LEET[c]!;
    if (style === 1) return FULL_WIDTH(c);
    if (style === 2) return MATH_BOLD(c);
    return c;
  });
  const joiner = o.spaced === 'spaces' ? ' ' : o.spaced === 'dots' ? '.' : '';
  return chars
    .map((c, i) => {
      const inv = o.invisible[i % o.invisible.length]!;
      return (i > 0 ? joiner : '') + (inv >= 0 ? INVISIBLE[inv]! : '') + c;
    })
    .join('');
}

/** Opt-out messages: the keyword is obfuscated, the words around it are not. */
const OPT_OUTS: [string, string, string][] = [
  ['', 'stop', ''],
  ['', 'STOP', ' svp'],
  ['', 'Stop', ' merci'],
  ['', 'stop', '!!!'],
  ['', 'arret', ''],
  ['', 'arrêt', ' svp'],
  ['', 'arretez', ' svp'],
  ['', 'desabonner', ''],
  ['je veux me ', 'désabonner', ''],
  ['', 'unsubscribe', ''],
  ['please ', 'unsubscribe', ' me'],
];

/**
 * Ordinary messages. Where a message holds a consent word used in another sense ("stop motion",
 * "arrêt de bus"), that word gets every obfuscation and the rest only those that fold back exactly
 * (full-width, mathematical, invisible, case): digits or spaces inside "bus" would change what
 * the message says, and the engine cannot read digits as letters in every word without breaking
 * sizes and references ("3h", "1l", "iphone11"). Messages without a consent word get every
 * obfuscation on every word.
 */
const ORDINARY_WITH_WORD: [string, string, string][] = [
  ['do you have ', 'stop', ' motion camera?'],
  ['', 'stop', ' 2 pour le bus'],
  ['le bus ', 'stop', ' où ?'],
  ['non ', 'stop', ' tout le week end'],
  ['il y a un ', 'arret', ' de bus à côté ?'],
  ['la boutique est au panneau ', 'stop', ' ?'],
  ['', 'start', ' up : vous livrez les entreprises ? combien pour 10 colis ?'],
];
const ORDINARY: string[] = [
  "l'iPhone 11 c'est combien ?",
  'prix 10 000 fcfa pour 2',
  'je veux 2 sacs noirs',
  'le A54 est dispo ?',
  'vous livrez à Yopougon ?',
  'merci, à demain',
  'la livraison coûte combien ?',
  'spot pots tops post',
  'Bonjour, je passe à la boutique à 15h',
  'je paie 300 000 par wave',
];

const REVERSIBLE = (o: Obfuscation): Obfuscation => ({
  ...o,
  styles: o.styles.map((s) => (s === 3 ? 0 : s)),
  spaced: 'no',
});

/** Each word of the message obfuscated its own way. */
function obfuscateWords(text: string, os: Obfuscation[]): string {
  return text
    .split(' ')
    .map((w, i) => obfuscate(w, os[i % os.length]!))
    .join(' ');
}

describe('property: obfuscated consent words', () => {
  it('an opt-out keyword with any mix of obfuscations is an opt-out', () => {
    fc.assert(
      fc.property(fc.constantFrom(...OPT_OUTS), obfuscation, ([before, word, after], o) => {
        const text = `${before}${obfuscate(word, o)}${after}`;
        expect(intentOf(text), JSON.stringify(text)).toBe('opt_out');
      }),
      { seed: 12, numRuns: 1500 },
    );
  });

  it('START with any mix of obfuscations is an opt-in', () => {
    fc.assert(
      fc.property(obfuscation, (o) => {
        const text = obfuscate('start', o);
        expect(intentOf(text), JSON.stringify(text)).toBe('opt_in');
      }),
      { seed: 13, numRuns: 500 },
    );
  });

  it('an ordinary message with a consent word in another sense never becomes an opt-out', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ORDINARY_WITH_WORD),
        obfuscation,
        fc.array(obfuscation, { minLength: 1, maxLength: 4 }),
        ([before, word, after], o, others) => {
          const around = others.map(REVERSIBLE);
          const text = `${obfuscateWords(before, around)}${obfuscate(word, o)}${obfuscateWords(after, around)}`;
          expect(intentOf(text), JSON.stringify(text)).not.toBe('opt_out');
        },
      ),
      { seed: 14, numRuns: 1500 },
    );
  });

  it('an ordinary message with every word obfuscated never becomes an opt-out', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ORDINARY),
        fc.array(obfuscation, { minLength: 1, maxLength: 6 }),
        (msg, os) => {
          const text = obfuscateWords(msg, os);
          expect(intentOf(text), JSON.stringify(text)).not.toBe('opt_out');
        },
      ),
      { seed: 15, numRuns: 1500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// End to end: the consent path of decide().

function replyTo(text: string, contact: { optedOut?: boolean; optedIn?: boolean } = {}) {
  return decide(
    parseContext({
      now: '2026-11-27T10:00:00Z',
      channel: {
        id: 'chn_1',
        createdAt: '2026-09-01T08:00:00Z',
        timezone: 'Africa/Abidjan',
        transport: 'cloud',
      },
      contact: {
        id: 'ctc_1',
        phone: '+2250701020304',
        stage: 'engaged',
        lastInboundAt: '2026-11-27T09:00:00Z',
        lastOutboundAt: '2026-11-27T09:01:00Z',
        ...contact,
      },
      catalog: CATALOG,
      message: { id: 'wamid.1', text },
    }),
  );
}

describe('decide() honours obfuscated STOP and START', () => {
  for (const text of ['ＳＴＯＰ', 'S\u200bTOP', '𝐒𝐓𝐎𝐏', 'S T O P', 'st0p', '4RR3T', 'd3s4b0nn3r']) {
    it(`confirms the opt-out once for ${JSON.stringify(text)} and stays silent after`, () => {
      const first = replyTo(text);
      expect(first.intent).toBe('opt_out');
      expect(first.verdicts.consent?.action).toBe('confirm_opt_out');
      expect(first.contactUpdate.optedOut).toBe(true);
      expect(first.action).toBe('reply');
      const again = replyTo(text, { optedOut: true });
      expect(again.action).toBe('skip');
      expect(again.verdicts.consent?.action).toBe('silent');
    });
  }

  for (const text of ['ＳＴＡＲＴ', 'S T A R T', 'ST4RT']) {
    it(`opts back in for ${JSON.stringify(text)}`, () => {
      const d = replyTo(text, { optedOut: true });
      expect(d.verdicts.consent?.action).toBe('confirm_opt_in');
      expect(d.contactUpdate).toMatchObject({ optedOut: false, optedIn: true });
    });
  }

  it('answers "do you have stop motion camera?" instead of opting the customer out', () => {
    const d = replyTo('do you have stop motion camera?');
    expect(d.contactUpdate.optedOut).toBe(false);
    expect(d.verdicts.consent?.action).toBe('allow');
  });
});
