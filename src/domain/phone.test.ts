import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  KNOWN_CALLING_CODES,
  normalizePhone,
  PhoneError,
  type PhoneNumber,
  phoneFromWhatsAppId,
  timeZoneForCountryCode,
  tryNormalizePhone,
} from './phone.ts';
import { isValidTimeZone } from './time.ts';

const E164 = /^\+[1-9]\d{7,14}$/;

interface Case {
  name: string;
  input: string;
  defaultCountryCode?: string;
  want: Pick<PhoneNumber, 'e164' | 'country' | 'timeZone'>;
}

const CI = { e164: '+2250701020304', country: 'CI', timeZone: 'Africa/Abidjan' };
const SN = { e164: '+221771234567', country: 'SN', timeZone: 'Africa/Dakar' };
const CM = { e164: '+237677123456', country: 'CM', timeZone: 'Africa/Douala' };
const FR = { e164: '+33612345678', country: 'FR', timeZone: 'Europe/Paris' };
const NG = { e164: '+2348031234567', country: 'NG', timeZone: 'Africa/Lagos' };
const GH = { e164: '+233241234567', country: 'GH', timeZone: 'Africa/Accra' };
const US = { e164: '+14155552671', country: 'US', timeZone: 'America/New_York' };
const BR = { e164: '+5511987654321', country: 'BR', timeZone: 'America/Sao_Paulo' };

const cases: Case[] = [
  { name: 'CI international with spaces', input: '+225 07 01 02 03 04', want: CI },
  { name: 'CI with 00 prefix', input: '00225 07 01 02 03 04', want: CI },
  {
    name: 'CI national keeps its leading 0 (10 digits since 2021)',
    input: '07 01 02 03 04',
    defaultCountryCode: '225',
    want: CI,
  },
  {
    name: 'CI digits already carrying 225 with a 225 default',
    input: '2250701020304',
    defaultCountryCode: '225',
    want: CI,
  },
  { name: 'CI digits without a default are international', input: '2250701020304', want: CI },
  { name: 'CI with dots and a +225 default', input: '07.01.02.03.04', defaultCountryCode: '+225', want: CI },
  { name: 'SN international', input: '+221 77 123 45 67', want: SN },
  { name: 'SN national', input: '77 123 45 67', defaultCountryCode: '221', want: SN },
  {
    name: 'SN digits already carrying 221 with a 221 default',
    input: '221771234567',
    defaultCountryCode: '221',
    want: SN,
  },
  { name: 'CM international with dashes', input: '+237-677-12-34-56', want: CM },
  { name: 'CM national', input: '6 77 12 34 56', defaultCountryCode: '237', want: CM },
  { name: 'FR national drops the trunk 0', input: '06 12 34 56 78', defaultCountryCode: '33', want: FR },
  { name: 'FR with (0) after the country code', input: '+33 (0)6 12 34 56 78', want: FR },
  { name: 'FR with a stray trunk 0 after +33', input: '+33 06 12 34 56 78', want: FR },
  {
    name: 'FR with no-break spaces (French formatting)',
    input: '+33\u00a06\u202f12\u202f34\u202f56\u202f78',
    want: FR,
  },
  { name: 'FR with 0033', input: '0033 6 12 34 56 78', want: FR },
  { name: 'NG national drops the trunk 0', input: '0803 123 4567', defaultCountryCode: '234', want: NG },
  { name: 'NG international', input: '+234 803 123 4567', want: NG },
  { name: 'GH national drops the trunk 0', input: '024 123 4567', defaultCountryCode: '233', want: GH },
  { name: 'GH international', input: '+233 24 123 4567', want: GH },
  { name: 'US national with parentheses', input: '(415) 555-2671', defaultCountryCode: '1', want: US },
  {
    name: 'US with a leading 1 and a +1 default',
    input: '1 415 555 2671',
    defaultCountryCode: '1',
    want: US,
  },
  { name: 'US international', input: '+1 415-555-2671', want: US },
  { name: 'BR mobile with 9th digit', input: '+55 (11) 98765-4321', want: BR },
  { name: 'BR national', input: '(11) 98765-4321', defaultCountryCode: '55', want: BR },
  {
    name: 'BJ new 10-digit number keeps its 01',
    input: '+229 01 97 12 34 56',
    want: { e164: '+2290197123456', country: 'BJ', timeZone: 'Africa/Porto-Novo' },
  },
  {
    name: 'CG keeps its leading 0 in international form',
    input: '+242 06 123 4567',
    want: { e164: '+242061234567', country: 'CG', timeZone: 'Africa/Brazzaville' },
  },
  {
    name: 'KZ wins over RU by longest prefix',
    input: '+7 701 123 4567',
    want: { e164: '+77011234567', country: 'KZ', timeZone: 'Asia/Almaty' },
  },
  {
    name: 'RU',
    input: '+7 912 345-67-89',
    want: { e164: '+79123456789', country: 'RU', timeZone: 'Europe/Moscow' },
  },
  {
    name: 'a default country does not apply to an international number',
    input: '+221 77 123 45 67',
    defaultCountryCode: '225',
    want: SN,
  },
];

describe('normalizePhone', () => {
  it.each(cases)('normalizes $name', ({ input, defaultCountryCode, want }) => {
    const got = normalizePhone(input, defaultCountryCode);
    expect({ e164: got.e164, country: got.country, timeZone: got.timeZone }).toEqual(want);
    expect(got.digits).toBe(want.e164.slice(1));
    expect(want.e164.slice(1).startsWith(got.countryCode)).toBe(true);
  });

  it('returns the country code separately', () => {
    expect(normalizePhone('+225 07 01 02 03 04').countryCode).toBe('225');
    expect(normalizePhone('+1 415 555 2671').countryCode).toBe('1');
  });

  it.each([
    ['an empty input', '', undefined, /empty/],
    ['too few digits', '12345', undefined, /has 5 digits; expected 8–15/],
    ['too many digits', '+1234567890123456', undefined, /has 16 digits; expected 8–15/],
    ['a national number without a default', '07 01 02 03 04', undefined, /no country code/],
    ['an unknown calling code', '+999 1234 5678', undefined, /unknown country code/],
    ['an unassigned calling code', '+28 1234 5678', undefined, /unknown country code/],
    ['letters', '+225 07 01 02 03 04 ext 5', undefined, /contains 'e'/],
    ['a + in the middle', '225+0701020304', undefined, /contains '\+'/],
    ['two leading +', '++2250701020304', undefined, /contains '\+'/],
    ['a double trunk 0', '+33 00 6 12 34 56 78', undefined, /never start with 0/],
    ['a malformed default', '0701020304', 'CI', /default country code 'CI'/],
    ['an unknown default', '0701020304', '999', /default country code \+999/],
    ['an absurdly long input', `+225${' '.repeat(100)}0701020304`, undefined, /characters long/],
  ])('rejects %s', (_name, input, defaultCountryCode, message) => {
    let thrown: unknown;
    try {
      normalizePhone(input, defaultCountryCode);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PhoneError);
    expect((thrown as PhoneError).code).toBe('invalid_phone');
    expect((thrown as PhoneError).message).toMatch(message);
    expect(tryNormalizePhone(input, defaultCountryCode)).toBeUndefined();
  });

  it('tryNormalizePhone returns the same value as normalizePhone on success', () => {
    expect(tryNormalizePhone('06 12 34 56 78', '33')).toEqual(normalizePhone('06 12 34 56 78', '33'));
  });
});

describe('phoneFromWhatsAppId', () => {
  it.each([
    ['an Evolution/Baileys JID', '2250701020304@s.whatsapp.net', CI.e164],
    ['a WAHA id', '221771234567@c.us', SN.e164],
    ['a JID with a device suffix', '2250701020304:12@s.whatsapp.net', CI.e164],
    ['a JID with agent and device suffixes', '5511987654321_1:3@s.whatsapp.net', BR.e164],
    ['a Cloud API wa_id (digits only)', '5511987654321', BR.e164],
    ['a formatted number', '+225 07 01 02 03 04', CI.e164],
    ['a 00-prefixed number', '00225 07 01 02 03 04', CI.e164],
    ['an upper-case server', '237677123456@S.WHATSAPP.NET', CM.e164],
  ])('reads %s', (_name, id, e164) => {
    expect(phoneFromWhatsAppId(id)?.e164).toBe(e164);
  });

  it.each([
    ['a group', '120363025246125888@g.us'],
    ['a LID, which hides the number', '123456789012345@lid'],
    ['a status broadcast', 'status@broadcast'],
    ['a broadcast list', '1234567890@broadcast'],
    ['a channel', '120363204458520291@newsletter'],
    ['an unknown server', '2250701020304@example.com'],
    ['a too-short user', '12345@s.whatsapp.net'],
    ['a non-numeric user', 'abc@s.whatsapp.net'],
    ['an empty string', ''],
  ])('returns undefined for %s', (_name, id) => {
    expect(phoneFromWhatsAppId(id)).toBeUndefined();
  });
});

describe('calling-code table', () => {
  const required = [
    ['1', 'America/New_York'],
    ['225', 'Africa/Abidjan'],
    ['221', 'Africa/Dakar'],
    ['237', 'Africa/Douala'],
    ['33', 'Europe/Paris'],
  ] as const;

  it.each(required)('maps +%s to %s', (code, zone) => {
    expect(timeZoneForCountryCode(code)).toBe(zone);
    expect(timeZoneForCountryCode(`+${code}`)).toBe(zone);
  });

  it('returns undefined for an unknown code', () => {
    expect(timeZoneForCountryCode('999')).toBeUndefined();
  });

  it('covers every calling code the brief lists', () => {
    const listed =
      '1 7 20 27 30 31 32 33 34 39 41 44 49 351 352 55 52 91 86 212 213 216 221 222 223 224 225 226 227 228 229 230 ' +
      '231 232 233 234 235 236 237 238 240 241 242 243 244 245 250 251 254 255 256 257 261 269 971 966';
    for (const code of listed.split(' ')) expect(KNOWN_CALLING_CODES).toContain(code);
  });

  it('names only time zones this runtime knows', () => {
    const unknown = KNOWN_CALLING_CODES.filter(
      (code) => !isValidTimeZone(timeZoneForCountryCode(code) ?? ''),
    );
    expect(unknown).toEqual([]);
  });

  it('has no duplicate calling codes', () => {
    expect(new Set(KNOWN_CALLING_CODES).size).toBe(KNOWN_CALLING_CODES.length);
  });
});

describe('properties', () => {
  const code = fc.constantFrom(...KNOWN_CALLING_CODES);
  const digitString = (min: number, max: number) =>
    fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));
  const separator = fc.constantFrom('', ' ', '-', '.', '\u00a0');
  const formatted = (digits: string, seps: readonly string[]) =>
    [...digits].map((d, i) => `${d}${seps[i % seps.length] ?? ''}`).join('');

  function expectCanonical(got: PhoneNumber): void {
    expect(got.e164).toMatch(E164);
    expect(normalizePhone(got.e164).e164).toBe(got.e164);
    expect(normalizePhone(got.digits).e164).toBe(got.e164);
    expect(phoneFromWhatsAppId(`${got.digits}@s.whatsapp.net`)?.e164).toBe(got.e164);
  }

  it('normalizing the e164 output again gives the same e164, for any input', () => {
    fc.assert(
      fc.property(fc.string(), fc.option(fc.constantFrom('225', '33', '1', '234', 'x')), (input, def) => {
        const got = tryNormalizePhone(input, def ?? undefined);
        if (got) expectCanonical(got);
      }),
    );
  });

  it('accepts or cleanly refuses any +<code><digits>, and the result is canonical E.164', () => {
    fc.assert(
      fc.property(
        code,
        digitString(0, 14),
        fc.array(separator, { minLength: 1, maxLength: 4 }),
        (cc, rest, seps) => {
          const input = `+${formatted(`${cc}${rest}`, seps)}`;
          let got: PhoneNumber | undefined;
          try {
            got = normalizePhone(input);
          } catch (err) {
            expect(err).toBeInstanceOf(PhoneError);
            return;
          }
          expectCanonical(got);
          expect(got.e164.replace(/\D/g, '').startsWith(got.countryCode)).toBe(true);
        },
      ),
    );
  });

  it('national numbers with a default country give canonical E.164 in that country', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('225', '221', '237', '33', '234', '233', '1', '55'),
        digitString(6, 11),
        (cc, national) => {
          const got = tryNormalizePhone(national, cc);
          if (!got) return;
          expectCanonical(got);
        },
      ),
    );
  });

  it('formatting does not change the result', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...cases),
        fc.array(separator, { minLength: 1, maxLength: 4 }),
        (c, seps) => {
          const plain = normalizePhone(c.want.e164);
          expect(normalizePhone(`+${formatted(plain.digits, seps)}`).e164).toBe(plain.e164);
        },
      ),
    );
  });
});
