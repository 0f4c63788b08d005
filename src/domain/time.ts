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
