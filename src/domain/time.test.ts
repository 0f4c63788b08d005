import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  HOUR_MS,
  instantOfLocal,
  isoFromMs,
  isValidTimeZone,
  type LocalParts,
  localParts,
  msFromIso,
  nextLocalMidnight,
  startOfLocalDay,
  zoneOffsetMs,
} from './time.ts';

const at = (iso: string): number => Date.parse(iso);

// 10 March 2026 is a Tuesday. Paris changes to summer time on Sunday 29 March 2026 at 01:00 UTC
// (02:00 → 03:00) and back on Sunday 25 October 2026 at 01:00 UTC (03:00 → 02:00).
const localPartsCases: { name: string; atMs: number; timeZone: string; want: LocalParts }[] = [
  {
    name: 'reads UTC wall time in Africa/Abidjan (UTC+0)',
    atMs: at('2026-03-10T14:05:09Z'),
    timeZone: 'Africa/Abidjan',
    want: { year: 2026, month: 3, day: 10, hour: 14, minute: 5, second: 9, weekday: 2 },
  },
  {
    name: 'reads one hour ahead of UTC in Africa/Douala (UTC+1)',
    atMs: at('2026-03-10T14:05:09Z'),
    timeZone: 'Africa/Douala',
    want: { year: 2026, month: 3, day: 10, hour: 15, minute: 5, second: 9, weekday: 2 },
  },
  {
    name: 'crosses into the next year in Douala at 23:30 UTC on 31 December',
    atMs: at('2026-12-31T23:30:00Z'),
    timeZone: 'Africa/Douala',
    want: { year: 2027, month: 1, day: 1, hour: 0, minute: 30, second: 0, weekday: 5 },
  },
  {
    name: 'reports midnight as hour 0, not 24',
    atMs: at('2026-03-10T00:00:00Z'),
    timeZone: 'Africa/Dakar',
    want: { year: 2026, month: 3, day: 10, hour: 0, minute: 0, second: 0, weekday: 2 },
  },
  {
    name: 'reads 01:59 in Paris one minute before the spring change',
    atMs: at('2026-03-29T00:59:00Z'),
    timeZone: 'Europe/Paris',
    want: { year: 2026, month: 3, day: 29, hour: 1, minute: 59, second: 0, weekday: 0 },
  },
  {
    name: 'reads 03:00 in Paris at the spring change (02:00–02:59 does not exist)',
    atMs: at('2026-03-29T01:00:00Z'),
    timeZone: 'Europe/Paris',
    want: { year: 2026, month: 3, day: 29, hour: 3, minute: 0, second: 0, weekday: 0 },
  },
  {
    name: 'reads 02:30 summer time in Paris half an hour before the autumn change',
    atMs: at('2026-10-25T00:30:00Z'),
    timeZone: 'Europe/Paris',
    want: { year: 2026, month: 10, day: 25, hour: 2, minute: 30, second: 0, weekday: 0 },
  },
  {
    name: 'reads 02:30 again, winter time, in Paris half an hour after the autumn change',
    atMs: at('2026-10-25T01:30:00Z'),
    timeZone: 'Europe/Paris',
    want: { year: 2026, month: 10, day: 25, hour: 2, minute: 30, second: 0, weekday: 0 },
  },
];

const instantCases: {
  name: string;
  timeZone: string;
  local: [year: number, month: number, day: number, hour: number];
  wantMs: number;
}[] = [
  {
    name: 'maps 08:00 Abidjan to 08:00 UTC',
    timeZone: 'Africa/Abidjan',
    local: [2026, 3, 10, 8],
    wantMs: at('2026-03-10T08:00:00Z'),
  },
  {
    name: 'maps 08:00 Douala to 07:00 UTC',
    timeZone: 'Africa/Douala',
    local: [2026, 3, 10, 8],
    wantMs: at('2026-03-10T07:00:00Z'),
  },
  {
    name: 'maps 00:00 Dakar to 00:00 UTC',
    timeZone: 'Africa/Dakar',
    local: [2026, 3, 10, 0],
    wantMs: at('2026-03-10T00:00:00Z'),
  },
  {
    name: 'reads day 32 of January as 1 February',
    timeZone: 'Africa/Douala',
    local: [2026, 1, 32, 8],
    wantMs: at('2026-02-01T07:00:00Z'),
  },
  {
    name: 'reads day 32 of December as 1 January of the next year',
    timeZone: 'Africa/Abidjan',
    local: [2026, 12, 32, 0],
    wantMs: at('2027-01-01T00:00:00Z'),
  },
  {
    name: 'maps 08:00 Paris on the day before the spring change to 07:00 UTC (winter time)',
    timeZone: 'Europe/Paris',
    local: [2026, 3, 28, 8],
    wantMs: at('2026-03-28T07:00:00Z'),
  },
  {
    name: 'maps 08:00 Paris on the spring change day to 06:00 UTC (summer time)',
    timeZone: 'Europe/Paris',
    local: [2026, 3, 29, 8],
    wantMs: at('2026-03-29T06:00:00Z'),
  },
  {
    name: 'maps 00:00 Paris on the spring change day to 23:00 UTC the day before (still winter time)',
    timeZone: 'Europe/Paris',
    local: [2026, 3, 29, 0],
    wantMs: at('2026-03-28T23:00:00Z'),
  },
  {
    name: 'lands just after the gap for 02:00 Paris on the spring change day (03:00 summer time)',
    timeZone: 'Europe/Paris',
    local: [2026, 3, 29, 2],
    wantMs: at('2026-03-29T01:00:00Z'),
  },
  {
    name: 'maps 08:00 Paris on the autumn change day to 07:00 UTC (winter time)',
    timeZone: 'Europe/Paris',
    local: [2026, 10, 25, 8],
    wantMs: at('2026-10-25T07:00:00Z'),
  },
  {
    name: 'maps 00:00 Paris on the autumn change day to 22:00 UTC the day before (still summer time)',
    timeZone: 'Europe/Paris',
    local: [2026, 10, 25, 0],
    wantMs: at('2026-10-24T22:00:00Z'),
  },
];

const midnightCases: {
  name: string;
  atMs: number;
  timeZone: string;
  wantNextMs: number;
  wantStartMs: number;
}[] = [
  {
    name: 'gives the UTC midnights in Abidjan',
    atMs: at('2026-03-10T14:00:00Z'),
    timeZone: 'Africa/Abidjan',
    wantNextMs: at('2026-03-11T00:00:00Z'),
    wantStartMs: at('2026-03-10T00:00:00Z'),
  },
  {
    name: 'gives the next day, not the same instant, when called exactly at midnight',
    atMs: at('2026-03-10T00:00:00Z'),
    timeZone: 'Africa/Abidjan',
    wantNextMs: at('2026-03-11T00:00:00Z'),
    wantStartMs: at('2026-03-10T00:00:00Z'),
  },
  {
    name: 'gives Douala midnights at 23:00 UTC',
    atMs: at('2026-03-10T14:00:00Z'),
    timeZone: 'Africa/Douala',
    wantNextMs: at('2026-03-10T23:00:00Z'),
    wantStartMs: at('2026-03-09T23:00:00Z'),
  },
  {
    name: 'counts 23:30 UTC as the next local day in Douala',
    atMs: at('2026-03-10T23:30:00Z'),
    timeZone: 'Africa/Douala',
    wantNextMs: at('2026-03-11T23:00:00Z'),
    wantStartMs: at('2026-03-10T23:00:00Z'),
  },
  {
    name: 'ends the Paris day before the spring change at 23:00 UTC (winter midnight)',
    atMs: at('2026-03-28T12:00:00Z'),
    timeZone: 'Europe/Paris',
    wantNextMs: at('2026-03-28T23:00:00Z'),
    wantStartMs: at('2026-03-27T23:00:00Z'),
  },
  {
    name: 'makes the Paris spring change day 23 h long (ends at 22:00 UTC)',
    atMs: at('2026-03-29T12:00:00Z'),
    timeZone: 'Europe/Paris',
    wantNextMs: at('2026-03-29T22:00:00Z'),
    wantStartMs: at('2026-03-28T23:00:00Z'),
  },
  {
    name: 'finds the next Paris midnight from 01:30 on the spring change night, before the change',
    atMs: at('2026-03-29T00:30:00Z'),
    timeZone: 'Europe/Paris',
    wantNextMs: at('2026-03-29T22:00:00Z'),
    wantStartMs: at('2026-03-28T23:00:00Z'),
  },
  {
    name: 'makes the Paris autumn change day 25 h long (22:00 UTC to 23:00 UTC)',
    atMs: at('2026-10-25T12:00:00Z'),
    timeZone: 'Europe/Paris',
    wantNextMs: at('2026-10-25T23:00:00Z'),
    wantStartMs: at('2026-10-24T22:00:00Z'),
  },
  {
    name: 'finds the next Paris midnight from the repeated 02:30 hour after the autumn change',
    atMs: at('2026-10-25T01:30:00Z'),
    timeZone: 'Europe/Paris',
    wantNextMs: at('2026-10-25T23:00:00Z'),
    wantStartMs: at('2026-10-24T22:00:00Z'),
  },
];

describe('localParts', () => {
  it.each(localPartsCases)('$name', ({ atMs, timeZone, want }) => {
    expect(localParts(atMs, timeZone)).toEqual(want);
  });
});

describe('instantOfLocal', () => {
  it.each(instantCases)('$name', ({ timeZone, local, wantMs }) => {
    expect(instantOfLocal(timeZone, ...local)).toBe(wantMs);
  });
});

describe('nextLocalMidnight and startOfLocalDay', () => {
  it.each(midnightCases)('$name', ({ atMs, timeZone, wantNextMs, wantStartMs }) => {
    expect(nextLocalMidnight(atMs, timeZone)).toBe(wantNextMs);
    expect(startOfLocalDay(atMs, timeZone)).toBe(wantStartMs);
  });
});

describe('zoneOffsetMs and isValidTimeZone', () => {
  it.each([
    {
      name: 'gives Abidjan an offset of 0',
      atMs: at('2026-07-01T12:00:00Z'),
      timeZone: 'Africa/Abidjan',
      wantMs: 0,
    },
    {
      name: 'gives Douala +1 h in July (no DST)',
      atMs: at('2026-07-01T12:00:00Z'),
      timeZone: 'Africa/Douala',
      wantMs: HOUR_MS,
    },
    {
      name: 'gives Paris +1 h in winter',
      atMs: at('2026-01-15T12:00:00Z'),
      timeZone: 'Europe/Paris',
      wantMs: HOUR_MS,
    },
    {
      name: 'gives Paris +2 h in summer',
      atMs: at('2026-07-01T12:00:00Z'),
      timeZone: 'Europe/Paris',
      wantMs: 2 * HOUR_MS,
    },
    {
      name: 'ignores the milliseconds of the instant',
      atMs: at('2026-07-01T12:00:00.999Z'),
      timeZone: 'Europe/Paris',
      wantMs: 2 * HOUR_MS,
    },
  ])('$name', ({ atMs, timeZone, wantMs }) => {
    expect(zoneOffsetMs(atMs, timeZone)).toBe(wantMs);
  });

  it.each([
    { timeZone: 'Africa/Douala', want: true },
    { timeZone: 'Europe/Paris', want: true },
    { timeZone: 'Mars/Olympus_Mons', want: false },
  ])('says whether the runtime knows $timeZone ($want)', ({ timeZone, want }) => {
    expect(isValidTimeZone(timeZone)).toBe(want);
  });
});

describe('time properties', () => {
  const zones = ['Africa/Abidjan', 'Africa/Douala', 'Africa/Dakar', 'Europe/Paris'];
  const instantArb = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) });

  it('puts the next local midnight strictly after the instant, at 00:00 local, at most 25 h later', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), instantArb, (timeZone, atMs) => {
        const next = nextLocalMidnight(atMs, timeZone);
        const start = startOfLocalDay(atMs, timeZone);
        expect(next).toBeGreaterThan(atMs);
        expect(next - atMs).toBeLessThanOrEqual(DAY_MS + HOUR_MS);
        expect(start).toBeLessThanOrEqual(atMs);
        const p = localParts(next, timeZone);
        expect([p.hour, p.minute, p.second]).toEqual([0, 0, 0]);
        expect(localParts(start, timeZone).day).toBe(localParts(atMs, timeZone).day);
      }),
    );
  });

  it('round-trips a local hour that exists once (03:00–23:00) through instantOfLocal and localParts', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: 2020, max: 2030 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 3, max: 23 }),
        (timeZone, year, month, day, hour) => {
          const p = localParts(instantOfLocal(timeZone, year, month, day, hour), timeZone);
          expect([p.year, p.month, p.day, p.hour, p.minute]).toEqual([year, month, day, hour, 0]);
        },
      ),
    );
  });
});

describe('time zones that skip midnight', () => {
  it('always puts the next local midnight strictly after the instant (America/Santiago, DST at midnight)', () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    for (let t = start; t < start + 365 * DAY_MS; t += 3 * HOUR_MS + 17 * 60_000) {
      expect(nextLocalMidnight(t, 'America/Santiago')).toBeGreaterThan(t);
      expect(startOfLocalDay(t, 'America/Santiago')).toBeLessThanOrEqual(t);
    }
  });
});

describe('localParts reads the same wall time as Intl, around every kind of offset change', () => {
  // An oracle of its own: Intl's parts, read without the quarter-hour offset cache.
  const formats = new Map<string, Intl.DateTimeFormat>();
  const oracle = (atMs: number, timeZone: string): LocalParts => {
    const parts: Record<string, string> = {};
    const f =
      formats.get(timeZone) ??
      new Intl.DateTimeFormat('en-US', {
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
    formats.set(timeZone, f);
    for (const p of f.formatToParts(new Date(atMs))) parts[p.type] = p.value;
    const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    return {
      year: Number(parts.year),
      month: Number(parts.month),
      day: Number(parts.day),
      hour: Number(parts.hour),
      minute: Number(parts.minute),
      second: Number(parts.second),
      weekday: weekdays.indexOf(parts.weekday ?? ''),
    };
  };
  // DST at 01:00 UTC, 02:00 local, half-hour DST (Lord Howe), quarter-hour offsets (Kathmandu,
  // Chatham), zones that changed their standard offset (Casablanca's Ramadan changes, Caracas 2016).
  const zones = [
    'Africa/Abidjan',
    'Africa/Lagos',
    'Europe/Paris',
    'America/New_York',
    'America/Sao_Paulo',
    'Australia/Lord_Howe',
    'Asia/Kathmandu',
    'Pacific/Chatham',
    'Africa/Casablanca',
    'America/Caracas',
  ];

  it('agrees on random instants from 2009 to 2100 (milliseconds included)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2009, 0, 1), max: Date.UTC(2100, 11, 31) }),
        fc.constantFrom(...zones),
        (atMs, zone) => {
          expect(localParts(atMs, zone)).toEqual(oracle(atMs, zone));
        },
      ),
      { numRuns: 3000 },
    );
  });

  // From year 987 (the zone offsets, read through Intl and Date.UTC, are wrong before year 100,
  // which no accepted instant reaches) to past year 10000 (where localParts leaves the arithmetic).
  it('reads the calendar as Date does for UTC instants of years 987 to 11159, fractions of a millisecond dropped', () => {
    const viaDate = (ms: number): LocalParts => {
      const d = new Date(ms);
      return {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
        minute: d.getUTCMinutes(),
        second: d.getUTCSeconds(),
        weekday: d.getUTCDay(),
      };
    };
    fc.assert(
      fc.property(fc.double({ min: -3.1e13, max: 2.9e14, noNaN: true }), (ms) => {
        expect(localParts(ms, 'UTC')).toEqual(viaDate(ms));
      }),
      { numRuns: 3000 },
    );
    for (const ms of [-0.5, 0.5, -1, Date.UTC(2024, 1, 29, 23, 59, 59, 999.9), Date.UTC(1969, 11, 31, 23)])
      expect(localParts(ms, 'UTC'), String(ms)).toEqual(viaDate(ms));
  });

  it('agrees every 7 s around the offset changes of 2026 and 2027', () => {
    for (const zone of zones) {
      // Walk two years hour by hour; where the offset changes, check each second of the hours around it.
      let previous = zoneOffsetMs(Date.UTC(2026, 0, 1), zone);
      for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2028, 0, 1); t += HOUR_MS) {
        const offset = zoneOffsetMs(t, zone);
        if (offset === previous) continue;
        previous = offset;
        for (let s = t - 2 * HOUR_MS; s <= t + HOUR_MS; s += 7_000)
          expect(localParts(s, zone), zone).toEqual(oracle(s, zone));
      }
    }
  });
});

describe('isoFromMs and msFromIso', () => {
  const YEAR_0 = Date.UTC(2000, 0, 1) - 730_485 * DAY_MS;
  const YEAR_10000 = Date.UTC(9999, 11, 31) + DAY_MS;

  it('isoFromMs writes what toISOString writes, at the edges of four-digit years and beyond', () => {
    for (const ms of [
      0,
      -1,
      1.5,
      -1.5,
      -0,
      YEAR_0,
      YEAR_0 - 1,
      YEAR_10000 - 1,
      YEAR_10000,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(2100, 1, 28, 12),
      8.64e15,
      -8.64e15,
    ]) {
      expect(isoFromMs(ms), String(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('isoFromMs throws on an invalid time as toISOString does', () => {
    expect(() => isoFromMs(Number.NaN)).toThrow(RangeError);
    expect(() => isoFromMs(8.64e15 + 1)).toThrow(RangeError);
  });

  it('isoFromMs writes what toISOString writes for any instant', () => {
    fc.assert(
      fc.property(fc.double({ min: -8.64e15, max: 8.64e15, noNaN: true }), (ms) => {
        expect(isoFromMs(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: YEAR_0 - DAY_MS, max: YEAR_10000 + DAY_MS }), (ms) => {
        expect(isoFromMs(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 5000 },
    );
  });

  it('msFromIso reads what Date.parse reads, on its fast path and off it', () => {
    for (const text of [
      '2026-03-02T10:15:00Z',
      '2026-03-02T10:15:00.123Z',
      '2026-02-29T00:00:00Z', // not a leap year: Date.parse rolls over to 1 March
      '2026-02-28T24:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-01-01T00:00:60Z',
      '2026-01-01T00:00:00.5Z',
      '2026-01-01T00:00:00+01:00',
      '2026-01-01T00:00:00',
      '2026-01-01',
      '0099-01-01T00:00:00Z',
      '0000-01-01T00:00:00Z',
      '+002026-01-01T00:00:00Z',
      '2026-0a-01T00:00:00Z',
      'not a date',
      '',
    ]) {
      expect(msFromIso(text), text).toEqual(Date.parse(text));
    }
  });

  it('msFromIso reads what Date.parse reads for any ISO string of the forms the system writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: YEAR_0, max: YEAR_10000 - 1 }), fc.boolean(), (ms, withMillis) => {
        const iso = new Date(ms).toISOString();
        const text = withMillis ? iso : `${iso.slice(0, 19)}Z`;
        expect(msFromIso(text)).toEqual(Date.parse(text));
      }),
      { numRuns: 5000 },
    );
    const digits = fc.constantFrom(...'0123456789');
    fc.assert(
      fc.property(fc.array(digits, { minLength: 17, maxLength: 17 }), (d) => {
        const text = `${d.slice(0, 4).join('')}-${d[4]}${d[5]}-${d[6]}${d[7]}T${d[8]}${d[9]}:${d[10]}${d[11]}:${d[12]}${d[13]}.${d[14]}${d[15]}${d[16]}Z`;
        expect(msFromIso(text), text).toEqual(Date.parse(text));
      }),
      { numRuns: 5000 },
    );
  });
});
