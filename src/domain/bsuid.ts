/**
 * Business-scoped user ids (BSUID), the Cloud API's id of a user since 2026: an ISO 3166-1
 * country, a dot and up to 128 letters and digits ('CI.1502576394655843'). A user who adopts a
 * username may write without a phone number; the BSUID is then the only way to answer them. It is
 * scoped to the business portfolio and replaced when the user changes number.
 */
import { timeZoneForCountry } from './phone.ts';

export interface Bsuid {
  /** As Meta sends it. */
  value: string;
  /** ISO 3166-1 alpha-2 from the prefix, e.g. 'CI'. */
  country: string;
  /** Main zone of that country when known, e.g. 'Africa/Abidjan'. */
  timeZone?: string;
}

const BSUID = /^([A-Z]{2})\.[A-Za-z0-9]{1,128}$/;

export class BsuidError extends Error {
  readonly code = 'invalid_bsuid';

  constructor(message: string) {
    super(message);
    this.name = 'BsuidError';
  }
}

/** Parses a BSUID; a malformed one is a BsuidError that never quotes the input. */
export function parseBsuid(input: string): Bsuid {
  const match = BSUID.exec(input);
  if (!match) {
    throw new BsuidError('business-scoped user id must be a country code, a dot and 1–128 letters or digits');
  }
  const country = match[1]!;
  const timeZone = timeZoneForCountry(country);
  return { value: input, country, ...(timeZone === undefined ? {} : { timeZone }) };
}

export function tryParseBsuid(input: string): Bsuid | undefined {
  return BSUID.test(input) ? parseBsuid(input) : undefined;
}
