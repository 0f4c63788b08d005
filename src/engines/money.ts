/**
 * Prices as sellers write them: 15000 XOF → "15 000 FCFA", 1550 EUR → "15,50 €" (fr) or "€15.50" (en).
 * Amounts are integers in minor units of the currency (ISO 4217 exponent).
 */
import type { Language } from '../domain/types.ts';

/** ISO 4217 minor-unit exponents that differ from 2. */
const ZERO_DECIMAL = new Set([
  'XOF',
  'XAF',
  'GNF',
  'RWF',
  'BIF',
  'KMF',
  'DJF',
  'JPY',
  'KRW',
  'UGX',
  'VND',
  'CLP',
  'PYG',
  'XPF',
  'MGA',
]);

const SYMBOLS: Record<string, { fr: string; en: string; before?: boolean }> = {
  XOF: { fr: 'FCFA', en: 'FCFA' },
  XAF: { fr: 'FCFA', en: 'FCFA' },
  EUR: { fr: '€', en: '€', before: true },
  USD: { fr: '$', en: '$', before: true },
  GBP: { fr: '£', en: '£', before: true },
  NGN: { fr: '₦', en: '₦', before: true },
  GHS: { fr: 'GH₵', en: 'GH₵', before: true },
  MAD: { fr: 'DH', en: 'MAD' },
  GNF: { fr: 'GNF', en: 'GNF' },
  CDF: { fr: 'FC', en: 'CDF' },
};

export function currencyExponent(currency: string): number {
  return ZERO_DECIMAL.has(currency.toUpperCase()) ? 0 : 2;
}

/** Groups digits by three with the given separator (a narrow no-break space would break some phones' fonts). */
function groupThousands(digits: string, separator: string): string {
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += separator;
    out += digits[i];
  }
  return out;
}

export function formatPrice(amountMinor: number, currency: string, language: Language = 'fr'): string {
  const code = currency.toUpperCase();
  const exponent = currencyExponent(code);
  const negative = amountMinor < 0;
  const abs = Math.abs(Math.round(amountMinor));
  const unit = 10 ** exponent;
  const whole = Math.floor(abs / unit);
  const fraction = abs % unit;
  const fr = language === 'fr';
  let number = groupThousands(String(whole), fr ? ' ' : ',');
  if (fraction > 0) number += (fr ? ',' : '.') + String(fraction).padStart(exponent, '0');
  if (negative) number = `-${number}`;
  const symbol = SYMBOLS[code];
  if (!symbol) return `${number} ${code}`;
  const sign = fr ? symbol.fr : symbol.en;
  // French writes the symbol after the amount ("15,50 €"); English before it ("€15.50").
  if (symbol.before && !fr) return `${sign}${number}`;
  return `${number} ${sign}`;
}
