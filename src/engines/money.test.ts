import { describe, expect, it } from 'vitest';
import { formatPrice } from './money.ts';

const cases: { name: string; amount: number; currency: string; language: 'fr' | 'en'; want: string }[] = [
  {
    name: 'writes 15000 XOF as a seller does: "15 000 FCFA"',
    amount: 15000,
    currency: 'XOF',
    language: 'fr',
    want: '15 000 FCFA',
  },
  { name: 'writes XAF as FCFA too', amount: 2500, currency: 'XAF', language: 'fr', want: '2 500 FCFA' },
  { name: 'groups millions', amount: 1250000, currency: 'XOF', language: 'fr', want: '1 250 000 FCFA' },
  { name: 'keeps small amounts ungrouped', amount: 500, currency: 'XOF', language: 'en', want: '500 FCFA' },
  { name: 'drops ",00" for whole euros', amount: 1500, currency: 'EUR', language: 'fr', want: '15 €' },
  {
    name: 'writes euro cents with a comma in French',
    amount: 1550,
    currency: 'EUR',
    language: 'fr',
    want: '15,50 €',
  },
  {
    name: 'puts the euro sign first in English',
    amount: 1550,
    currency: 'EUR',
    language: 'en',
    want: '€15.50',
  },
  { name: 'pads cents', amount: 1005, currency: 'EUR', language: 'fr', want: '10,05 €' },
  {
    name: 'falls back to the ISO code for unknown currencies',
    amount: 1999,
    currency: 'CHF',
    language: 'fr',
    want: '19,99 CHF',
  },
  {
    name: 'accepts a lower-case currency code',
    amount: 3000,
    currency: 'xof',
    language: 'fr',
    want: '3 000 FCFA',
  },
];

describe('formatPrice', () => {
  it.each(cases)('$name', ({ amount, currency, language, want }) => {
    expect(formatPrice(amount, currency, language)).toBe(want);
  });
});
