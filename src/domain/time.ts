/**
 * Calendar arithmetic in a time zone, without reading the clock: every function takes the instant.
 * Formatters are cached per zone because building an Intl.DateTimeFormat costs far more than using one.
 */

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows this IANA zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Local parts read through Intl (exact, but about 20 µs a call). */
function intlParts(atMs: number, timeZone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(atMs))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday ?? 'Sun'] ?? 0,
  };
}

function intlOffsetMs(atMs: number, timeZone: string): number {
  const p = intlParts(atMs, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(atMs / 1000) * 1000;
}

/**
 * Zone offsets per quarter hour of UTC. Every offset change (DST or a zone's new standard time)
 * happens at a wall-clock quarter hour of an offset that is itself a whole number of quarter
 * hours, so it falls on a UTC quarter hour; a quarter whose two ends share an offset has it
 * throughout. A quarter whose ends differ (a change inside it, e.g. an old local mean time in
 * seconds) is never cached: each call reads Intl. Bounded: cleared when full.
 */
const OFFSET_QUARTER_MS = 15 * MINUTE_MS;
const OFFSET_CACHE_MAX = 4096;
const offsetCache = new Map<string, number | null>();

function cachedOffsetMs(atMs: number, timeZone: string): number | null {
  const quarter = Math.floor(atMs / OFFSET_QUARTER_MS);
  const key = `${quarter}|${timeZone}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    const start = quarter * OFFSET_QUARTER_MS;
    const first = intlOffsetMs(start, timeZone);
    offset = intlOffsetMs(start + OFFSET_QUARTER_MS - SECOND_MS, timeZone) === first ? first : null;
    if (offsetCache.size >= OFFSET_CACHE_MAX) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  return offset;
}

export function localParts(atMs: number, timeZone: string): LocalParts {
  const offset = cachedOffsetMs(atMs, timeZone);
  if (offset === null) return intlParts(atMs, timeZone);
  if (hasFourDigitYear(atMs + offset)) {
    const { year, month, day, hour, minute, second, weekday } = utcParts(atMs + offset);
    return { year, month, day, hour, minute, second, weekday };
  }
  const local = new Date(atMs + offset);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    weekday: local.getUTCDay(),
  };
}

/** Offset of the zone from UTC at that instant, in ms (Paris in winter: +3 600 000). */
export function zoneOffsetMs(atMs: number, timeZone: string): number {
  const p = localParts(atMs, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(atMs / 1000) * 1000;
}

/**
 * The instant of local wall-clock time (year, month, day, hour:00) in the zone. Day overflow is
 * allowed (day 32 is the next month). An hour that a DST change skips maps to the instant just
 * after the gap; an hour that happens twice maps to its first occurrence.
 */
export function instantOfLocal(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
): number {
  const wall = Date.UTC(year, month - 1, day, hour, 0, 0);
  // The offsets a day before and after bracket any DST change near that wall time.
  const offsetBefore = zoneOffsetMs(wall - DAY_MS, timeZone);
  const offsetAfter = zoneOffsetMs(wall + DAY_MS, timeZone);
  const early = wall - offsetBefore;
  if (offsetBefore === offsetAfter) return early;
  const late = wall - offsetAfter;
  const earlyValid = zoneOffsetMs(early, timeZone) === offsetBefore;
  const lateValid = zoneOffsetMs(late, timeZone) === offsetAfter;
  if (earlyValid && lateValid) return Math.min(early, late);
  if (lateValid) return late;
  // Inside a gap: read with the earlier offset, the instant lands just after the gap.
  return early;
}

/** Start of the local day that contains atMs. */
export function startOfLocalDay(atMs: number, timeZone: string): number {
  const p = localParts(atMs, timeZone);
  return instantOfLocal(timeZone, p.year, p.month, p.day, 0);
}

/** Next local midnight strictly after atMs. */
export function nextLocalMidnight(atMs: number, timeZone: string): number {
  const p = localParts(atMs, timeZone);
  return instantOfLocal(timeZone, p.year, p.month, p.day + 1, 0);
}

/** "00" … "99": two-digit fields of an ISO string without padStart. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
/** 1 January of year 0 and of year 10000, UTC: ISO strings between them have four-digit years. */
const YEAR_0_MS = Date.UTC(2000, 0, 1) - 730_485 * DAY_MS;
const YEAR_10000_MS = Date.UTC(9999, 11, 31) + DAY_MS;

/**
 * The UTC calendar fields of an instant with a four-digit year, by Howard Hinnant's
 * civil-from-days arithmetic instead of a Date and its getters (localParts runs three times per
 * reply decision). Fractions of a millisecond are dropped as the Date constructor drops them.
 */
function utcParts(ms: number): LocalParts & { millisecond: number } {
  const t = Math.trunc(ms);
  const days = Math.floor(t / DAY_MS);
  let rest = t - days * DAY_MS;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  const hour = Math.floor(rest / HOUR_MS);
  rest -= hour * HOUR_MS;
  const minute = Math.floor(rest / MINUTE_MS);
  rest -= minute * MINUTE_MS;
  const second = Math.floor(rest / SECOND_MS);
  return {
    year: yoe + era * 400 + (month <= 2 ? 1 : 0),
    month,
    day: doy - Math.floor((153 * mp + 2) / 5) + 1,
    hour,
    minute,
    second,
    // 1 January 1970 was a Thursday.
    weekday: (((days + 4) % 7) + 7) % 7,
    millisecond: rest - second * SECOND_MS,
  };
}

/** True when utcParts handles the instant (a four-digit year). */
function hasFourDigitYear(ms: number): boolean {
  return ms >= YEAR_0_MS && ms < YEAR_10000_MS;
}

/**
 * `new Date(ms).toISOString()` without the Date: a decision formats two or three instants and
 * V8's toISOString costs about 1.7 µs a call on this machine (profile of decide(), issue 14),
 * this well under half of it. Identical output for every instant with a four-digit year;
 * anything else (and NaN, which throws) goes to toISOString.
 */
export function isoFromMs(ms: number): string {
  if (!hasFourDigitYear(ms)) return new Date(ms).toISOString();
  const { year, month, day, hour, minute, second, millisecond } = utcParts(ms);
  return `${TWO_DIGITS[Math.floor(year / 100)]}${TWO_DIGITS[year % 100]}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T${
    TWO_DIGITS[hour]
  }:${TWO_DIGITS[minute]}:${TWO_DIGITS[second]}.${millisecond < 100 ? '0' : ''}${millisecond < 10 ? '0' : ''}${millisecond}Z`;
}

/** Digit value of the character at i, or -1. */
function digitAt(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** Two digits at i as a number, or -1. */
function twoDigitsAt(s: string, i: number): number {
  const a = digitAt(s, i);
  const b = digitAt(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/**
 * `Date.parse(iso)` with a fast path for the form the system writes, `YYYY-MM-DDTHH:MM:SSZ` or
 * `YYYY-MM-DDTHH:MM:SS.sssZ` (a decision parses up to eight instants; Date.parse costs about
 * 0.45 µs each). Anything else (offsets, other precisions, days after the 28th, hour 24, years
 * before 100) is left to Date.parse, so the result is always Date.parse's.
 */
export function msFromIso(iso: string): number {
  const n = iso.length;
  if (
    (n === 20 || (n === 24 && iso.charCodeAt(19) === 46)) &&
    iso.charCodeAt(n - 1) === 90 &&
    iso.charCodeAt(4) === 45 &&
    iso.charCodeAt(7) === 45 &&
    iso.charCodeAt(10) === 84 &&
    iso.charCodeAt(13) === 58 &&
    iso.charCodeAt(16) === 58
  ) {
    const century = twoDigitsAt(iso, 0);
    const yy = twoDigitsAt(iso, 2);
    const month = twoDigitsAt(iso, 5);
    const day = twoDigitsAt(iso, 8);
    const hour = twoDigitsAt(iso, 11);
    const minute = twoDigitsAt(iso, 14);
    const second = twoDigitsAt(iso, 17);
    const milliHigh = n === 24 ? digitAt(iso, 20) : 0;
    const milliLow = n === 24 ? twoDigitsAt(iso, 21) : 0;
    if (
      century >= 1 &&
      yy >= 0 &&
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= 28 &&
      hour >= 0 &&
      hour <= 23 &&
      minute >= 0 &&
      minute <= 59 &&
      second >= 0 &&
      second <= 59 &&
      milliHigh >= 0 &&
      milliLow >= 0
    ) {
      // Hinnant's days-from-civil (Date.UTC costs about as much as the parse it would replace).
      const y = century * 100 + yy - (month <= 2 ? 1 : 0);
      const era = Math.floor(y / 400);
      const yoe = y - era * 400;
      const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
      const days = era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
      return (
        days * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS + second * SECOND_MS + milliHigh * 100 + milliLow
      );
    }
  }
  return Date.parse(iso);
}
