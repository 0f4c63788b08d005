/**
 * Phone numbers to E.164, from what sellers type and from what WhatsApp transports send.
 *
 * The E.164 form is what gets encrypted and blind-indexed, so two spellings of one number
 * ('+225 07 01 02 03 04', '2250701020304@s.whatsapp.net') must give the same string, or the same
 * customer becomes two contacts. The country code also gives the contact's likely time zone,
 * which the schedule engine uses for sending windows.
 *
 * Validation is deliberately shallow (8–15 digits and a known calling code): WhatsApp is the
 * authority on which numbers exist, and a per-country length rule that is slightly wrong would
 * refuse real customers. National lengths below are only used to settle an ambiguous input.
 */

export interface PhoneNumber {
  /** '+2250701020304' */
  e164: string;
  /** '2250701020304': the form WhatsApp ids and the Cloud API use. */
  digits: string;
  /** '225' */
  countryCode: string;
  /** ISO 3166-1 alpha-2, e.g. 'CI'; for shared codes (+1, +7, +44…) the main country. */
  country?: string;
  /** Main IANA zone of that country, e.g. 'Africa/Abidjan'. */
  timeZone?: string;
}

export class PhoneError extends Error {
  readonly code = 'invalid_phone';

  constructor(message: string) {
    super(message);
    this.name = 'PhoneError';
  }
}

export const MIN_E164_DIGITS = 8;
export const MAX_E164_DIGITS = 15;
/** Longer inputs are refused before any parsing: no real number, even formatted, comes close. */
const MAX_INPUT_CHARS = 64;

interface CallingCode {
  country: string;
  timeZone: string;
  /** The country writes a trunk '0' nationally that is dropped after the country code (FR 06… → +33 6…). */
  trunkZero?: boolean;
  /** Usual national significant number lengths, to tell '221771234567' typed for Senegal from a national number. */
  nationalLengths?: readonly number[];
}

// [calling code, ISO country, main zone, trunk zero, national lengths]. Where a country spans
// several zones, the zone of its capital or largest city is taken; the schedule engine lets
// the seller override it per contact.
type Row = readonly [string, string, string, boolean?, (readonly number[])?];
const T = true;
const ROWS: readonly Row[] = [
  // +1 is shared by the US, Canada and the Caribbean; America/New_York is a guess (the most
  // populous zone), not a fact about the number.
  ['1', 'US', 'America/New_York', false, [10]],
  ['7', 'RU', 'Europe/Moscow', false, [10]],
  ['76', 'KZ', 'Asia/Almaty'],
  ['77', 'KZ', 'Asia/Almaty'],
  ['20', 'EG', 'Africa/Cairo', T],
  ['27', 'ZA', 'Africa/Johannesburg', T, [9]],
  ['30', 'GR', 'Europe/Athens'],
  ['31', 'NL', 'Europe/Amsterdam', T, [9]],
  ['32', 'BE', 'Europe/Brussels', T, [8, 9]],
  ['33', 'FR', 'Europe/Paris', T, [9]],
  ['34', 'ES', 'Europe/Madrid', false, [9]],
  ['36', 'HU', 'Europe/Budapest'],
  ['39', 'IT', 'Europe/Rome'],
  ['40', 'RO', 'Europe/Bucharest', T, [9]],
  ['41', 'CH', 'Europe/Zurich', T, [9]],
  ['43', 'AT', 'Europe/Vienna', T],
  ['44', 'GB', 'Europe/London', T, [9, 10]],
  ['45', 'DK', 'Europe/Copenhagen', false, [8]],
  ['46', 'SE', 'Europe/Stockholm', T],
  ['47', 'NO', 'Europe/Oslo', false, [8]],
  ['48', 'PL', 'Europe/Warsaw', false, [9]],
  ['49', 'DE', 'Europe/Berlin', T],
  ['51', 'PE', 'America/Lima'],
  ['52', 'MX', 'America/Mexico_City', false, [10]],
  ['53', 'CU', 'America/Havana'],
  ['54', 'AR', 'America/Argentina/Buenos_Aires'],
  ['55', 'BR', 'America/Sao_Paulo', T, [10, 11]],
  ['56', 'CL', 'America/Santiago'],
  ['57', 'CO', 'America/Bogota'],
  ['58', 'VE', 'America/Caracas'],
  ['60', 'MY', 'Asia/Kuala_Lumpur', T],
  ['61', 'AU', 'Australia/Sydney', T, [9]],
  ['62', 'ID', 'Asia/Jakarta', T],
  ['63', 'PH', 'Asia/Manila', T],
  ['64', 'NZ', 'Pacific/Auckland', T],
  ['65', 'SG', 'Asia/Singapore', false, [8]],
  ['66', 'TH', 'Asia/Bangkok', T],
  ['81', 'JP', 'Asia/Tokyo', T],
  ['82', 'KR', 'Asia/Seoul', T],
  ['84', 'VN', 'Asia/Ho_Chi_Minh', T],
  ['86', 'CN', 'Asia/Shanghai', T],
  ['90', 'TR', 'Europe/Istanbul', T, [10]],
  ['91', 'IN', 'Asia/Kolkata', T, [10]],
  ['92', 'PK', 'Asia/Karachi', T],
  ['93', 'AF', 'Asia/Kabul', T],
  ['94', 'LK', 'Asia/Colombo', T],
  ['95', 'MM', 'Asia/Yangon'],
  ['98', 'IR', 'Asia/Tehran', T],
  ['211', 'SS', 'Africa/Juba'],
  ['212', 'MA', 'Africa/Casablanca', T, [9]],
  ['213', 'DZ', 'Africa/Algiers', T, [8, 9]],
  ['216', 'TN', 'Africa/Tunis', false, [8]],
  ['218', 'LY', 'Africa/Tripoli'],
  ['220', 'GM', 'Africa/Banjul', false, [7]],
  ['221', 'SN', 'Africa/Dakar', false, [9]],
  ['222', 'MR', 'Africa/Nouakchott', false, [8]],
  ['223', 'ML', 'Africa/Bamako', false, [8]],
  ['224', 'GN', 'Africa/Conakry', false, [9]],
  // Côte d'Ivoire moved to 10 digits in 2021; the leading 0 is part of the number (+225 07…).
  ['225', 'CI', 'Africa/Abidjan', false, [10]],
  ['226', 'BF', 'Africa/Ouagadougou', false, [8]],
  ['227', 'NE', 'Africa/Niamey', false, [8]],
  ['228', 'TG', 'Africa/Lome', false, [8]],
  // Benin added a leading '01' in 2024 (8 → 10 digits); both forms still circulate.
  ['229', 'BJ', 'Africa/Porto-Novo', false, [8, 10]],
  ['230', 'MU', 'Indian/Mauritius', false, [7, 8]],
  ['231', 'LR', 'Africa/Monrovia', T],
  ['232', 'SL', 'Africa/Freetown', T, [8]],
  ['233', 'GH', 'Africa/Accra', T, [9]],
  ['234', 'NG', 'Africa/Lagos', T, [8, 10]],
  ['235', 'TD', 'Africa/Ndjamena', false, [8]],
  ['236', 'CF', 'Africa/Bangui', false, [8]],
  ['237', 'CM', 'Africa/Douala', false, [9]],
  ['238', 'CV', 'Atlantic/Cape_Verde', false, [7]],
  ['239', 'ST', 'Africa/Sao_Tome', false, [7]],
  ['240', 'GQ', 'Africa/Malabo', false, [9]],
  ['241', 'GA', 'Africa/Libreville', false, [7, 8]],
  // Congo-Brazzaville keeps its leading 0 in international form (+242 06…).
  ['242', 'CG', 'Africa/Brazzaville', false, [9]],
  ['243', 'CD', 'Africa/Kinshasa', T, [9]],
  ['244', 'AO', 'Africa/Luanda', false, [9]],
  ['245', 'GW', 'Africa/Bissau'],
  ['246', 'IO', 'Indian/Chagos'],
  ['248', 'SC', 'Indian/Mahe'],
  ['249', 'SD', 'Africa/Khartoum', T],
  ['250', 'RW', 'Africa/Kigali', T, [9]],
  ['251', 'ET', 'Africa/Addis_Ababa', T, [9]],
  ['252', 'SO', 'Africa/Mogadishu'],
  ['253', 'DJ', 'Africa/Djibouti', false, [8]],
  ['254', 'KE', 'Africa/Nairobi', T, [9]],
  ['255', 'TZ', 'Africa/Dar_es_Salaam', T, [9]],
  ['256', 'UG', 'Africa/Kampala', T, [9]],
  ['257', 'BI', 'Africa/Bujumbura', false, [8]],
  ['258', 'MZ', 'Africa/Maputo'],
  ['260', 'ZM', 'Africa/Lusaka', T, [9]],
  ['261', 'MG', 'Indian/Antananarivo', T, [9]],
  ['262', 'RE', 'Indian/Reunion', T, [9]],
  ['263', 'ZW', 'Africa/Harare', T],
  ['264', 'NA', 'Africa/Windhoek', T],
  ['265', 'MW', 'Africa/Blantyre', T],
  ['266', 'LS', 'Africa/Maseru'],
  ['267', 'BW', 'Africa/Gaborone'],
  ['268', 'SZ', 'Africa/Mbabane'],
  ['269', 'KM', 'Indian/Comoro', false, [7]],
  ['290', 'SH', 'Atlantic/St_Helena'],
  ['291', 'ER', 'Africa/Asmara'],
  ['297', 'AW', 'America/Aruba'],
  ['298', 'FO', 'Atlantic/Faroe'],
  ['299', 'GL', 'America/Nuuk'],
  ['350', 'GI', 'Europe/Gibraltar'],
  ['351', 'PT', 'Europe/Lisbon', false, [9]],
  ['352', 'LU', 'Europe/Luxembourg'],
  ['353', 'IE', 'Europe/Dublin', T],
  ['354', 'IS', 'Atlantic/Reykjavik'],
  ['355', 'AL', 'Europe/Tirane', T],
  ['356', 'MT', 'Europe/Malta'],
  ['357', 'CY', 'Asia/Nicosia'],
  ['358', 'FI', 'Europe/Helsinki', T],
  ['359', 'BG', 'Europe/Sofia', T],
  ['370', 'LT', 'Europe/Vilnius'],
  ['371', 'LV', 'Europe/Riga'],
  ['372', 'EE', 'Europe/Tallinn'],
  ['373', 'MD', 'Europe/Chisinau', T],
  ['374', 'AM', 'Asia/Yerevan', T],
  ['375', 'BY', 'Europe/Minsk'],
  ['376', 'AD', 'Europe/Andorra'],
  ['377', 'MC', 'Europe/Monaco'],
  ['378', 'SM', 'Europe/San_Marino'],
  ['380', 'UA', 'Europe/Kyiv', T, [9]],
  ['381', 'RS', 'Europe/Belgrade', T],
  ['382', 'ME', 'Europe/Podgorica', T],
  ['383', 'XK', 'Europe/Belgrade', T],
  ['385', 'HR', 'Europe/Zagreb', T],
  ['386', 'SI', 'Europe/Ljubljana', T],
  ['387', 'BA', 'Europe/Sarajevo', T],
  ['389', 'MK', 'Europe/Skopje', T],
  ['420', 'CZ', 'Europe/Prague', false, [9]],
  ['421', 'SK', 'Europe/Bratislava', T],
  ['423', 'LI', 'Europe/Vaduz'],
  ['500', 'FK', 'Atlantic/Stanley'],
  ['501', 'BZ', 'America/Belize'],
  ['502', 'GT', 'America/Guatemala'],
  ['503', 'SV', 'America/El_Salvador'],
  ['504', 'HN', 'America/Tegucigalpa'],
  ['505', 'NI', 'America/Managua'],
  ['506', 'CR', 'America/Costa_Rica'],
  ['507', 'PA', 'America/Panama'],
  ['508', 'PM', 'America/Miquelon'],
  ['509', 'HT', 'America/Port-au-Prince'],
  ['590', 'GP', 'America/Guadeloupe', T, [9]],
  ['591', 'BO', 'America/La_Paz'],
  ['592', 'GY', 'America/Guyana'],
  ['593', 'EC', 'America/Guayaquil', T],
  ['594', 'GF', 'America/Cayenne', T, [9]],
  ['595', 'PY', 'America/Asuncion', T],
  ['596', 'MQ', 'America/Martinique', T, [9]],
  ['597', 'SR', 'America/Paramaribo'],
  ['598', 'UY', 'America/Montevideo'],
  ['599', 'CW', 'America/Curacao'],
  ['670', 'TL', 'Asia/Dili'],
  ['672', 'NF', 'Pacific/Norfolk'],
  ['673', 'BN', 'Asia/Brunei'],
  ['674', 'NR', 'Pacific/Nauru'],
  ['675', 'PG', 'Pacific/Port_Moresby'],
  ['676', 'TO', 'Pacific/Tongatapu'],
  ['677', 'SB', 'Pacific/Guadalcanal'],
  ['678', 'VU', 'Pacific/Efate'],
  ['679', 'FJ', 'Pacific/Fiji'],
  ['680', 'PW', 'Pacific/Palau'],
  ['681', 'WF', 'Pacific/Wallis'],
  ['682', 'CK', 'Pacific/Rarotonga'],
  ['683', 'NU', 'Pacific/Niue'],
  ['685', 'WS', 'Pacific/Apia'],
  ['686', 'KI', 'Pacific/Tarawa'],
  ['687', 'NC', 'Pacific/Noumea'],
  ['688', 'TV', 'Pacific/Funafuti'],
  ['689', 'PF', 'Pacific/Tahiti'],
  ['690', 'TK', 'Pacific/Fakaofo'],
  ['691', 'FM', 'Pacific/Pohnpei'],
  ['692', 'MH', 'Pacific/Majuro'],
  ['850', 'KP', 'Asia/Pyongyang'],
  ['852', 'HK', 'Asia/Hong_Kong', false, [8]],
  ['853', 'MO', 'Asia/Macau'],
  ['855', 'KH', 'Asia/Phnom_Penh', T],
  ['856', 'LA', 'Asia/Vientiane', T],
  ['880', 'BD', 'Asia/Dhaka', T],
  ['886', 'TW', 'Asia/Taipei', T],
  ['960', 'MV', 'Indian/Maldives'],
  ['961', 'LB', 'Asia/Beirut', T],
  ['962', 'JO', 'Asia/Amman', T],
  ['963', 'SY', 'Asia/Damascus', T],
  ['964', 'IQ', 'Asia/Baghdad', T],
  ['965', 'KW', 'Asia/Kuwait', false, [8]],
  ['966', 'SA', 'Asia/Riyadh', T, [9]],
  ['967', 'YE', 'Asia/Aden', T],
  ['968', 'OM', 'Asia/Muscat', false, [8]],
  ['970', 'PS', 'Asia/Hebron', T],
  ['971', 'AE', 'Asia/Dubai', T, [8, 9]],
  ['972', 'IL', 'Asia/Jerusalem', T],
  ['973', 'BH', 'Asia/Bahrain', false, [8]],
  ['974', 'QA', 'Asia/Qatar', false, [8]],
  ['975', 'BT', 'Asia/Thimphu'],
  ['976', 'MN', 'Asia/Ulaanbaatar'],
  ['977', 'NP', 'Asia/Kathmandu', T],
  ['992', 'TJ', 'Asia/Dushanbe'],
  ['993', 'TM', 'Asia/Ashgabat'],
  ['994', 'AZ', 'Asia/Baku', T],
  ['995', 'GE', 'Asia/Tbilisi', T],
  ['996', 'KG', 'Asia/Bishkek', T],
  ['998', 'UZ', 'Asia/Tashkent'],
];

const CALLING_CODES: ReadonlyMap<string, CallingCode> = new Map(
  ROWS.map(([code, country, timeZone, trunkZero, nationalLengths]) => [
    code,
    { country, timeZone, trunkZero: trunkZero === true, ...(nationalLengths ? { nationalLengths } : {}) },
  ]),
);

/** Every calling code this module knows, e.g. for a test or a country picker. */
export const KNOWN_CALLING_CODES: readonly string[] = ROWS.map((row) => row[0]);

interface CodeMatch {
  code: string;
  info: CallingCode;
}

/** Longest known calling code at the start of `digits` ('77…' is Kazakhstan before '7' Russia). */
function matchCallingCode(digits: string): CodeMatch | undefined {
  for (let len = 3; len >= 1; len--) {
    const code = digits.slice(0, len);
    const info = CALLING_CODES.get(code);
    if (info && code.length === len) return { code, info };
  }
  return undefined;
}

const ZONE_OF_COUNTRY: ReadonlyMap<string, string> = new Map(
  [...ROWS].reverse().map(([, country, timeZone]) => [country, timeZone] as const),
);

/** Main IANA zone of an ISO 3166-1 alpha-2 country ('CI' → 'Africa/Abidjan'); undefined when unknown. */
export function timeZoneForCountry(country: string): string | undefined {
  return ZONE_OF_COUNTRY.get(country.toUpperCase());
}

/** Main IANA zone for a calling code ('225' → 'Africa/Abidjan'); undefined when unknown. */
export function timeZoneForCountryCode(countryCode: string): string | undefined {
  const code = countryCode.replace(/^(\+|00)/, '');
  return CALLING_CODES.get(code)?.timeZone;
}

// Spaces (including the no-break spaces French formatting uses), dashes, dots, parentheses.
const SEPARATORS = /[\s\u00a0\u2007\u202f\-\u2010-\u2015.()]/g;

interface Cleaned {
  digits: string;
  international: boolean;
}

function clean(input: string): Cleaned {
  if (typeof input !== 'string') throw new PhoneError('phone number must be a string');
  const trimmed = input.trim();
  if (trimmed === '') throw new PhoneError('phone number is empty');
  if (trimmed.length > MAX_INPUT_CHARS) {
    throw new PhoneError(
      `phone number is ${trimmed.length} characters long; expected at most ${MAX_INPUT_CHARS}`,
    );
  }
  let international = trimmed.startsWith('+');
  // '+33 (0)6 12 34 56 78' is a common way to show the trunk 0 that must not be dialled.
  const body = (international ? trimmed.slice(1) : trimmed).replace(/\(\s*0\s*\)/g, '');
  const stripped = body.replace(SEPARATORS, '');
  const bad = stripped.match(/\D/);
  if (bad) {
    throw new PhoneError(
      `phone number contains '${bad[0]}'; only digits, a leading +, spaces, dashes, dots and parentheses are allowed`,
    );
  }
  let digits = stripped;
  if (!international && digits.startsWith('00')) {
    international = true;
    digits = digits.slice(2);
  }
  return { digits, international };
}

function checkLength(digits: string): void {
  if (digits.length < MIN_E164_DIGITS || digits.length > MAX_E164_DIGITS) {
    throw new PhoneError(
      `phone number has ${digits.length} digits; expected ${MIN_E164_DIGITS}–${MAX_E164_DIGITS} including the country code`,
    );
  }
}

function build(input: string): PhoneNumber {
  checkLength(input);
  if (input.startsWith('0')) {
    throw new PhoneError(
      'phone number has no country code; start it with + and the country code, or set a default',
    );
  }
  const match = matchCallingCode(input);
  if (!match)
    throw new PhoneError(`phone number starts with an unknown country code (+${input.slice(0, 3)}…)`);
  let digits = input;
  // '+33 06…' keeps a trunk 0 that is never dialled after the country code; where the country
  // uses one, its national numbers never start with 0, so dropping one is safe.
  if (match.info.trunkZero && digits[match.code.length] === '0') {
    digits = `${match.code}${digits.slice(match.code.length + 1)}`;
    if (digits[match.code.length] === '0') {
      throw new PhoneError(
        `numbers in +${match.code} (${match.info.country}) never start with 0 after the country code`,
      );
    }
    checkLength(digits);
  }
  return {
    e164: `+${digits}`,
    digits,
    countryCode: match.code,
    country: match.info.country,
    timeZone: match.info.timeZone,
  };
}

/**
 * A national number typed for the default country. '221771234567' with default '221' is either
 * a Senegalese number already carrying its code or a (too long) national number; the country's
 * usual national lengths decide, and without them the national reading wins unless it is too long.
 */
function fromNational(digits: string, defaultCode: string): string {
  const info = CALLING_CODES.get(defaultCode);
  if (!info) throw new PhoneError(`default country code +${defaultCode} is not a known calling code`);
  const national = info.trunkZero && digits.startsWith('0') ? digits.slice(1) : digits;
  if (digits.startsWith(defaultCode)) {
    const rest = digits.slice(defaultCode.length);
    const lengths = info.nationalLengths;
    const nationalFits = lengths ? lengths.includes(national.length) : true;
    const internationalFits = lengths ? lengths.includes(rest.length) : true;
    const nationalTooLong = defaultCode.length + national.length > MAX_E164_DIGITS;
    if (internationalFits && (!nationalFits || nationalTooLong)) return digits;
  }
  return `${defaultCode}${national}`;
}

/**
 * Normalizes a phone number to E.164. With '+' or '00' the number is international. Without,
 * `defaultCountryCode` ('225', '+225') makes it national for that country (FR '06…' → +336…;
 * CI keeps its leading 0: '07…' → +22507…); with no default the digits are taken as
 * international, as WhatsApp ids are. Throws PhoneError with a message meant for the seller.
 */
export function normalizePhone(input: string, defaultCountryCode?: string): PhoneNumber {
  const { digits, international } = clean(input);
  if (digits === '') throw new PhoneError('phone number has no digits');
  if (international || defaultCountryCode === undefined || defaultCountryCode === '') return build(digits);
  const defaultCode = defaultCountryCode.trim().replace(/^(\+|00)/, '');
  if (!/^[1-9]\d{0,2}$/.test(defaultCode)) {
    throw new PhoneError(
      `default country code '${defaultCountryCode}' must be 1 to 3 digits, like 225 or +225`,
    );
  }
  return build(fromNational(digits, defaultCode));
}

/** normalizePhone, but undefined instead of a PhoneError. */
export function tryNormalizePhone(input: string, defaultCountryCode?: string): PhoneNumber | undefined {
  try {
    return normalizePhone(input, defaultCountryCode);
  } catch (err) {
    if (err instanceof PhoneError) return undefined;
    throw err;
  }
}

/** Servers whose user part is a phone number: Baileys/Evolution use s.whatsapp.net, WAHA c.us. */
const PHONE_SERVERS = new Set(['s.whatsapp.net', 'c.us']);

/**
 * WhatsApp ids to a phone: '2250701020304@s.whatsapp.net', '…@c.us' (a ':12' device or '_1'
 * agent suffix is dropped), or a bare number ('2250701020304', '+225 07 01 02 03 04', '00225…').
 * Groups (@g.us), LIDs (@lid, which hide the number), @broadcast, @newsletter and unknown
 * servers give undefined, as does anything that is not a valid number.
 */
export function phoneFromWhatsAppId(id: string): PhoneNumber | undefined {
  if (typeof id !== 'string') return undefined;
  const trimmed = id.trim();
  const at = trimmed.lastIndexOf('@');
  if (at === -1) return tryNormalizePhone(trimmed);
  const server = trimmed.slice(at + 1).toLowerCase();
  if (!PHONE_SERVERS.has(server)) return undefined;
  const user = trimmed.slice(0, at).split(':')[0]!.split('_')[0]!;
  if (!/^\d+$/.test(user)) return undefined;
  return tryNormalizePhone(user);
}
