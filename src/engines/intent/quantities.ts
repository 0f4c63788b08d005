/**
 * Quantities a seller would sign: which numbers in a message say how many of a product. Sizes
 * ("taille 39 pas 40"), prices ("15k", "10 000 F", "15 mille"), durations, ordinals ("la 2e fois"),
 * phone numbers, references and footnote counters ("(2)") are not quantities.
 */
import { isDigits, type Mention } from './catalogue.ts';
import {
  NOT_QTY_AFTER,
  NOT_QTY_BEFORE,
  NUMBER_WORDS,
  ORDINAL_SUFFIXES,
  SIZE_CUES,
  WEAK_NUMBER_WORDS,
  words,
} from './lexicon.ts';

export interface QuantityToken {
  position: number;
  value: number;
  /** False for "un"/"une"/"one" before a product: an article more than a quantity. */
  explicit: boolean;
}

/** A number in parentheses alone ("le sac noir ? (2)") counts messages or items of a list, not units. */
const COUNTER_RE = /\(\s*\d{1,3}\s*\)/g;

/** Removes footnote counters from the raw text before it is normalized. */
export function withoutCounters(text: string): string {
  return text.includes('(') ? text.replace(COUNTER_RE, ' ') : text;
}

/** Quantities are at most this: a bigger bare number is a price, a year or a reference. */
const MAX_QUANTITY = 999;

/**
 * Numbers that may be quantities. `skip` holds positions already read as product words or variant
 * values (a size is not a quantity).
 */
export function findQuantities(
  tokens: readonly string[],
  skip: (i: number) => boolean,
  mentionStart: readonly boolean[],
): QuantityToken[] {
  const out: QuantityToken[] = [];
  // Runs of three or more numbers are phone numbers ("07 07 12 34 56") or lists of sizes.
  const inRun: boolean[] = new Array(tokens.length).fill(false);
  for (let i = 0; i < tokens.length; ) {
    let j = i;
    while (j < tokens.length && isDigits(tokens[j]!)) j++;
    if (j - i >= 3) for (let k = i; k < j; k++) inRun[k] = true;
    i = j === i ? i + 1 : j;
  }
  for (let i = 0; i < tokens.length; i++) {
    if (skip(i) || inRun[i]) continue;
    const t = tokens[i]!;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    let value: number | undefined;
    if (isDigits(t)) {
      if (t.charCodeAt(0) === 48 || t.length > 3) continue;
      value = Number(t);
      if (value > MAX_QUANTITY) continue;
      if (prev !== undefined && NOT_QTY_BEFORE.has(prev)) continue;
      // "la 43 et la 32 pouces": a number after a feminine article names a model or a size ("la
      // télé 43"); a count of goods follows no article ("j'en veux 2", "les 2").
      if (prev === 'la' && value > 12) continue;
      if (prev !== undefined && SIZE_CUES.has(prev) && value > 12) continue; // "dispo en 42": a size
      if (next !== undefined && (NOT_QTY_AFTER.has(next) || ORDINAL_SUFFIXES.has(next))) continue;
      // "12 5 kg" (12.5 kg), "0802 555": a number next to another number is a decimal or a phone number.
      if ((next !== undefined && isDigits(next)) || (prev !== undefined && isDigits(prev) && prev.length > 3))
        continue;
      // "39 pas 40", "38 ou 40": the second number is of the same kind as the first, a size.
      const before2 = tokens[i - 2];
      // "iPhone 11 ou 12": after a model number, the other number is another model.
      if (
        (prev === 'pas' || prev === 'ou' || prev === 'or' || prev === 'not' || prev === 'par') &&
        before2 !== undefined &&
        isDigits(before2) &&
        (Number(before2) > 12 || skip(i - 2))
      ) {
        continue;
      }
    } else {
      value = NUMBER_WORDS.get(t);
      if (value === undefined) continue;
      if (WEAK_NUMBER_WORDS.has(t) && !mentionStart[i + 1]) continue;
      if (next !== undefined && NOT_QTY_AFTER.has(next)) continue;
    }
    if (value >= 1) out.push({ position: i, value, explicit: !WEAK_NUMBER_WORDS.has(t) });
  }
  return out;
}

/**
 * Gives each quantity to the nearest following product (within four words), else the nearest
 * preceding one (within three); returns the first quantity that found no product.
 */
export function attachQuantities(
  quantities: readonly QuantityToken[],
  mentions: Mention[],
  countsGoods: (q: QuantityToken) => boolean = () => true,
): QuantityToken | undefined {
  let bare: QuantityToken | undefined;
  for (const q of quantities) {
    let target: Mention | undefined;
    for (const m of mentions) {
      const start = m.positions[0]!;
      if (m.quantity === undefined && start > q.position && start - q.position <= 4) {
        target = m;
        break;
      }
    }
    // A number after the product counts it only if what follows still counts goods: "le sac noir,
    // 3 svp" but not "I showed the bag to 2 friends".
    if (!target && countsGoods(q)) {
      for (let k = mentions.length - 1; k >= 0; k--) {
        const m = mentions[k]!;
        const end = m.positions[m.positions.length - 1]!;
        if (m.quantity === undefined && end < q.position && q.position - end <= 3) {
          target = m;
          break;
        }
      }
    }
    if (target) target.quantity = q.value;
    else if (bare === undefined && countsGoods(q)) bare = q;
  }
  return bare;
}

/** Words after a number that still leave it a count of what is being bought ("il m'en faut 6 paquets"). */
const COUNT_FOLLOWERS = words(`
  paquet paquets piece pieces pcs pc unite unites unit units pair pairs paire paires lot lots carton cartons
  pack packs boite boites box boxes bouteille bouteilles sachet sachets bidon bidons exemplaire exemplaires
  copies items item douzaine douzaines dozen kit kits rouleau rouleaux yards yard metres
  svp stp sil plait please pls abeg seulement only aussi also encore more plus de d en et and pour for
  la le les l ou or ok merci thanks thank stp tout all
  seul seule seuls seules just
`);

/**
 * Whether a number not right before a product still counts the goods: what follows it is nothing, a
 * product or variant word, a unit or a filler ("j'en veux 3", "il m'en faut 6 paquets", "2 noirs");
 * "j'ai donné ton numéro à deux copines" counts friends. `taken(i)` is true for product words and
 * variant values.
 */
export function countsGoods(
  q: QuantityToken,
  tokens: readonly string[],
  taken: (i: number) => boolean,
): boolean {
  const i = q.position + 1;
  const next = tokens[i];
  return next === undefined || taken(i) || COUNT_FOLLOWERS.has(next) || isDigits(next);
}
