/**
 * The seller's facts as the bot may state them (issue 13.5): delivery zones, fees and delays,
 * payment methods, pick-up address and hours, read from the structured playbook facts
 * (src/domain/selling.ts) first, then from the seller's free-text `info`. When the seller has said
 * nothing about a topic, there is no answer here: the reply says the bot will check with the seller
 * and the decision hands that question over. Nothing in this file may invent a fact; the test in
 * facts.test.ts walks every reply with an empty playbook to hold that. Pure.
 */

import type { DeliveryZone, PaymentMethod } from '../domain/selling.ts';
import type { Language, Product } from '../domain/types.ts';
import type { PlaybookInput } from './context.ts';
import { formatPrice } from './money.ts';
import { foldText } from './text.ts';

/** The questions about the seller's business the bot answers only from the seller's own facts. */
export const FACT_TOPICS = ['delivery', 'payment', 'location', 'hours'] as const;
export type FactTopic = (typeof FACT_TOPICS)[number];

/** Only this much of a message is searched for a zone name. */
const MAX_ZONE_TEXT_CHARS = 2000;
/** At most this many zones listed in one answer; a customer with another area is asked for it. */
const MAX_ZONES_LISTED = 8;

/** How each method is said after "Vous pouvez payer" / "You can pay". */
const METHOD_WORDS: Record<PaymentMethod, Record<Language, { name: string; mobile: boolean }>> = {
  orange_money: { fr: { name: 'Orange Money', mobile: true }, en: { name: 'Orange Money', mobile: true } },
  wave: { fr: { name: 'Wave', mobile: true }, en: { name: 'Wave', mobile: true } },
  mtn_momo: { fr: { name: 'MTN MoMo', mobile: true }, en: { name: 'MTN MoMo', mobile: true } },
  moov_money: { fr: { name: 'Moov Money', mobile: true }, en: { name: 'Moov Money', mobile: true } },
  cash_on_delivery: {
    fr: { name: 'en espèces à la livraison', mobile: false },
    en: { name: 'cash on delivery', mobile: false },
  },
  bank_transfer: {
    fr: { name: 'par virement bancaire', mobile: false },
    en: { name: 'by bank transfer', mobile: false },
  },
  card: { fr: { name: 'par carte bancaire', mobile: false }, en: { name: 'by card', mobile: false } },
};

/** Short names of the methods, for the lines giving where to send the money. */
export function paymentMethodName(method: PaymentMethod, lang: Language): string {
  const short: Partial<Record<PaymentMethod, Record<Language, string>>> = {
    cash_on_delivery: { fr: 'Espèces', en: 'Cash' },
    bank_transfer: { fr: 'Virement', en: 'Bank transfer' },
    card: { fr: 'Carte', en: 'Card' },
  };
  return short[method]?.[lang] ?? METHOD_WORDS[method][lang].name;
}

/** "a, b ou c" / "a, b or c". */
export function joinList(items: readonly string[], lang: Language, word: 'and' | 'or' = 'or'): string {
  const last = word === 'or' ? (lang === 'fr' ? ' ou ' : ' or ') : lang === 'fr' ? ' et ' : ' and ';
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')}${last}${items[items.length - 1]}`;
}

/** The currency fees are written in: the catalogue's (its most common one), else the West African franc. */
export function catalogCurrency(catalog: readonly Product[]): string {
  const counts = new Map<string, number>();
  for (const p of catalog)
    counts.set(p.currency.toUpperCase(), (counts.get(p.currency.toUpperCase()) ?? 0) + 1);
  let best = 'XOF';
  let bestCount = 0;
  for (const [currency, n] of counts)
    if (n > bestCount) {
      best = currency;
      bestCount = n;
    }
  return best;
}

/** Free text the seller wrote for a topic, in the language (the first of a list). */
function infoText(playbook: PlaybookInput | undefined, topic: FactTopic, lang: Language): string | undefined {
  const custom = playbook?.info?.[topic]?.[lang];
  const text = typeof custom === 'string' ? custom : Array.isArray(custom) ? custom[0] : undefined;
  return text?.trim() ? text.trim() : undefined;
}

/** Ends a sentence with one full stop unless it already ends with punctuation or an emoji. */
export function sentence(text: string): string {
  const t = text.trim();
  return /[.!?…:)\]»"'\p{Extended_Pictographic}]$/u.test(t) ? t : `${t}.`;
}

/** Whole-word, accent- and case-blind search of a zone's names in the customer's message. */
function zoneNamed(zones: readonly DeliveryZone[], text: string | undefined): DeliveryZone | undefined {
  if (!text) return undefined;
  // A zone is named near the question; the cut bounds the work (200 zones × 20 aliases) per message.
  const words = ` ${foldText(text.slice(0, MAX_ZONE_TEXT_CHARS)).replace(/[^a-z0-9]+/g, ' ')} `;
  const key = (s: string) =>
    ` ${foldText(s)
      .replace(/[^a-z0-9]+/g, ' ')
      .trim()} `;
  return zones.find((z) =>
    [z.name, ...(z.aliases ?? [])].some((n) => key(n).trim() !== '' && words.includes(key(n))),
  );
}

export interface FactsInput {
  playbook?: PlaybookInput;
  catalog: readonly Product[];
  language: Language;
  /** The customer's message, to answer for the zone it names. */
  text?: string;
}

/** First words of a free text that is a sentence of its own rather than a list of methods. */
const SENTENCE_START =
  /^(?:nous|on|je|vous|paiement|le|la|les|tout|toutes?|uniquement|seulement|we|you|i|payment|the|only|all)\b/i;

/** Payment answer from the structured facts: the methods, then where to send money when given. */
function paymentFacts(input: FactsInput): string | undefined {
  const facts = input.playbook?.payment;
  const lang = input.language;
  if (facts && facts.methods.length > 0) {
    const words = facts.methods.map((m) => METHOD_WORDS[m][lang]);
    const mobile = words.filter((w) => w.mobile).map((w) => w.name);
    const others = words.filter((w) => !w.mobile).map((w) => w.name);
    // "par Orange Money, Wave ou en espèces à la livraison": one "par" before the mobile money names.
    const parts = [
      ...mobile.map((m, i) => (i === 0 ? `${lang === 'fr' ? 'par' : 'by'} ${m}` : m)),
      ...others,
    ];
    const lines = [`${lang === 'fr' ? 'Vous pouvez payer' : 'You can pay'} ${joinList(parts, lang)}.`];
    for (const m of facts.methods) {
      const detail = facts.details?.[m]?.trim();
      if (detail) lines.push(`${paymentMethodName(m, lang)}${lang === 'fr' ? ' : ' : ': '}${detail}`);
    }
    return lines.join('\n');
  }
  const free = infoText(input.playbook, 'payment', lang);
  if (free === undefined) return undefined;
  // The seller wrote what follows "Vous pouvez payer" ("par Wave"), a bare list ("Orange Money ou
  // Wave": the "par" is added, never "payer Orange Money"), or a sentence of their own.
  if (/^(par|en|avec|via|au|à|by|with|in|via|using|through)\s/i.test(free))
    return sentence(`${lang === 'fr' ? 'Vous pouvez payer' : 'You can pay'} ${free}`);
  if (/[.!?]$/.test(free) || SENTENCE_START.test(free)) return sentence(free);
  return sentence(`${lang === 'fr' ? 'Vous pouvez payer par' : 'You can pay by'} ${free}`);
}

function zoneLine(
  z: { name?: string; fee: number; delay?: string },
  currency: string,
  lang: Language,
): string {
  const fee = z.fee === 0 ? (lang === 'fr' ? 'gratuite' : 'free') : formatPrice(z.fee, currency, lang);
  const delay = z.delay?.trim() ? ` (${z.delay.trim()})` : '';
  return `${fee}${delay}`;
}

function deliveryFacts(input: FactsInput): string | undefined {
  const facts = input.playbook?.delivery;
  const lang = input.language;
  const fr = lang === 'fr';
  if (facts && (facts.zones.length > 0 || facts.default)) {
    const currency = catalogCurrency(input.catalog);
    const named = zoneNamed(facts.zones, input.text);
    if (named)
      return `${fr ? 'Livraison à' : 'Delivery to'} ${named.name}${fr ? ' : ' : ': '}${zoneLine(named, currency, lang)}.`;
    const lines: string[] = [];
    if (facts.zones.length > 0) {
      lines.push(fr ? 'Nous livrons :' : 'We deliver to:');
      for (const z of facts.zones.slice(0, MAX_ZONES_LISTED))
        lines.push(`• ${z.name} — ${zoneLine(z, currency, lang)}`);
      if (facts.default)
        lines.push(
          `• ${fr ? 'Autres quartiers' : 'Other areas'} — ${zoneLine(facts.default, currency, lang)}`,
        );
      if (facts.zones.length > MAX_ZONES_LISTED || facts.default)
        lines.push(fr ? 'Dites-moi votre quartier.' : 'Tell me your area.');
      else
        lines.push(
          fr
            ? 'Pour un autre quartier, dites-moi lequel : je vérifierai auprès du vendeur.'
            : 'For another area, tell me which one and I will check with the seller.',
        );
      return lines.join('\n');
    }
    const only = facts.default;
    if (only) return `${fr ? 'Livraison' : 'Delivery'}${fr ? ' : ' : ': '}${zoneLine(only, currency, lang)}.`;
  }
  const free = infoText(input.playbook, 'delivery', lang);
  return free === undefined ? undefined : sentence(free);
}

function locationFacts(input: FactsInput): string | undefined {
  const pickup = input.playbook?.pickup;
  const fr = input.language === 'fr';
  if (pickup) {
    const hours = pickup.hours?.trim()
      ? `\n${fr ? 'Horaires de retrait' : 'Pick-up hours'}${fr ? ' : ' : ': '}${pickup.hours.trim()}`
      : '';
    return `${fr ? 'Vous pouvez retirer votre commande ici' : 'You can collect your order here'}${fr ? ' : ' : ': '}${pickup.address.trim()}${hours}`;
  }
  const free = infoText(input.playbook, 'location', input.language);
  return free === undefined ? undefined : sentence(free);
}

function hoursFacts(input: FactsInput): string | undefined {
  const free = infoText(input.playbook, 'hours', input.language);
  if (free !== undefined) return sentence(free);
  const hours = input.playbook?.pickup?.hours?.trim();
  if (!hours) return undefined;
  const fr = input.language === 'fr';
  return `${fr ? 'Horaires de retrait' : 'Pick-up hours'}${fr ? ' : ' : ': '}${hours}`;
}

/** The answer to a question about a topic, from the seller's facts only; undefined when the seller has not said. */
export function factAnswer(topic: FactTopic, input: FactsInput): string | undefined {
  switch (topic) {
    case 'payment':
      return paymentFacts(input);
    case 'delivery':
      return deliveryFacts(input);
    case 'location':
      return locationFacts(input);
    case 'hours':
      return hoursFacts(input);
  }
}

/** What the bot says it will check with the seller ("les moyens de paiement et les horaires"). */
export function topicWords(topics: readonly FactTopic[], lang: Language): string {
  const words: Record<FactTopic, Record<Language, string>> = {
    delivery: { fr: 'les frais et délais de livraison', en: 'the delivery fee and time' },
    payment: { fr: 'les moyens de paiement acceptés', en: 'the accepted payment methods' },
    location: { fr: 'notre adresse', en: 'our address' },
    hours: { fr: 'les horaires', en: 'the opening hours' },
  };
  return joinList(
    topics.map((t) => words[t][lang]),
    lang,
    'and',
  );
}
