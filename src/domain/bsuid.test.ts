import { describe, expect, it } from 'vitest';
import { BsuidError, parseBsuid, tryParseBsuid } from './bsuid.ts';
import { timeZoneForCountry } from './phone.ts';

describe('parseBsuid', () => {
  it.each([
    ['CI.1502576394655843', 'CI', 'Africa/Abidjan'],
    ['SN.99', 'SN', 'Africa/Dakar'],
    ['CM.abcDEF123', 'CM', 'Africa/Douala'],
    ['FR.1', 'FR', 'Europe/Paris'],
  ])('reads %s as country %s in %s', (input, country, timeZone) => {
    expect(parseBsuid(input)).toEqual({ value: input, country, timeZone });
  });

  it('keeps a country it has no zone for, without a zone', () => {
    expect(parseBsuid('ZZ.123')).toEqual({ value: 'ZZ.123', country: 'ZZ' });
  });

  it.each([
    '',
    '1502576394655843',
    'ci.123',
    'CIV.123',
    'CI.',
    'CI.12 34',
    'CI.12-34',
    `CI.${'1'.repeat(129)}`,
    '+2250701020304',
    'US.ENT.118',
  ])('refuses %j without quoting it', (input) => {
    expect(() => parseBsuid(input)).toThrow(BsuidError);
    expect(tryParseBsuid(input)).toBeUndefined();
    if (input.length > 3) {
      try {
        parseBsuid(input);
      } catch (err) {
        expect((err as Error).message).not.toContain(input);
      }
    }
  });

  it('finds the main zone of a country from the calling-code table', () => {
    expect(timeZoneForCountry('ci')).toBe('Africa/Abidjan');
    expect(timeZoneForCountry('US')).toBe('America/New_York');
    expect(timeZoneForCountry('XX')).toBeUndefined();
  });
});
