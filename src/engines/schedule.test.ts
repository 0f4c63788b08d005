import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localParts } from '../domain/time.ts';
import type { SendKind } from '../domain/types.ts';
import { PRESETS, type ScheduleConfig } from './config.ts';
import {
  type AwayInput,
  evaluateAway,
  evaluateSchedule,
  SCHEDULE_CODES,
  type ScheduleInput,
  type ScheduleVerdict,
} from './schedule.ts';

/** Moderate preset: window 08:00–21:00, weekend factor 0.5, night replies ×2, weekend proactive on. */
const moderate = PRESETS.moderate.schedule;
const noWeekend: ScheduleConfig = { ...moderate, weekendProactive: false };

/** An instant written in UTC ISO form, so every expectation is readable. */
const at = (iso: string): number => Date.parse(iso);

type Want = Partial<Omit<ScheduleVerdict, 'reasons'>> & { codes: string[] };
interface Case {
  name: string;
  input: ScheduleInput;
  config: ScheduleConfig;
  nowMs: number;
  want: Want;
}

const proactive = (timeZone: string): ScheduleInput => ({ kind: 'proactive', timeZone });
const reply = (timeZone: string): ScheduleInput => ({ kind: 'reply', timeZone });

// 10 March 2026 is a Tuesday; 13–16 March are Friday to Monday.
const cases: Case[] = [
  // Africa/Abidjan: UTC+0 all year.
  {
    name: 'defers a proactive send at 07:59 in Abidjan to 08:00 the same day',
    input: proactive('Africa/Abidjan'),
    config: moderate,
    nowMs: at('2026-03-10T07:59:00Z'),
    want: {
      allowed: false,
      sendAtMs: at('2026-03-10T08:00:00Z'),
      localHour: 7,
      delayFactor: 1,
      codes: ['schedule.outside_window'],
    },
  },
  {
    name: 'allows a proactive send at 08:00 sharp in Abidjan (the start hour is inside)',
    input: proactive('Africa/Abidjan'),
    config: moderate,
    nowMs: at('2026-03-10T08:00:00Z'),
    want: {
      allowed: true,
      sendAtMs: at('2026-03-10T08:00:00Z'),
      localHour: 8,
      delayFactor: 1,
      codes: ['schedule.inside_window'],
    },
  },
  {
    name: 'allows a proactive send at 20:59 in Abidjan',
    input: proactive('Africa/Abidjan'),
    config: moderate,
    nowMs: at('2026-03-10T20:59:59Z'),
    want: { allowed: true, localHour: 20, codes: ['schedule.inside_window'] },
  },
  {
    name: 'defers a proactive send at 21:00 sharp in Abidjan (the end hour is outside) to 08:00 the next day',
    input: proactive('Africa/Abidjan'),
    config: moderate,
    nowMs: at('2026-03-10T21:00:00Z'),
    want: {
      allowed: false,
      sendAtMs: at('2026-03-11T08:00:00Z'),
      localHour: 21,
      codes: ['schedule.outside_window'],
    },
  },
  {
    name: 'defers a follow-up at 22:30 in Abidjan to 08:00 the next day',
    input: { kind: 'followup', timeZone: 'Africa/Abidjan' },
    config: moderate,
    nowMs: at('2026-03-10T22:30:00Z'),
    want: {
      allowed: false,
      sendAtMs: at('2026-03-11T08:00:00Z'),
      localHour: 22,
      codes: ['schedule.outside_window'],
    },
  },
  {
    name: 'defers a proactive send at 22:30 on 31 January to 08:00 on 1 February (month overflow)',
    input: proactive('Africa/Dakar'),
    config: moderate,
    nowMs: at('2026-01-31T22:30:00Z'),
    want: {
      allowed: false,
      sendAtMs: at('2026-02-01T08:00:00Z'),
      codes: ['schedule.outside_window', 'schedule.weekend_slower'],
    },
  },
  // Africa/Douala: UTC+1 all year.
  {
    name: 'defers a proactive send at 22:30 in Douala to 08:00 Douala time the next day (07:00 UTC)',
    input: proactive('Africa/Douala'),
    config: moderate,
    nowMs: at('2026-03-10T21:30:00Z'),
    want: {
      allowed: false,
      sendAtMs: at('2026-03-11T07:00:00Z'),
      localHour: 22,
      codes: ['schedule.outside_window'],
    },
  },
  {
    name: 'allows a proactive send at 07:30 UTC, which is 08:30 in Douala',
    input: proactive('Africa/Douala'),
    config: moderate,
    nowMs: at('2026-03-10T07:30:00Z'),
    want: { allowed: true, localHour: 8, codes: ['schedule.inside_window'] },
  },
  {
    name: 'defers a proactive send at 06:30 in Douala to 07:00 UTC the same day',
    input: proactive('Africa/Douala'),
    config: moderate,
    nowMs: at('2026-03-10T05:30:00Z'),
    want: {
      allowed: false,
      sendAtMs: at('2026-03-10T07:00:00Z'),
      localHour: 6,
      codes: ['schedule.outside_window'],
    },
  },
  {
    name: 'defers a proactive send at 20:30 UTC in Douala, where it is already 21:30',
    input: proactive('Africa/Douala'),
    config: moderate,
    nowMs: at('2026-03-10T20:30:00Z'),
    want: {
      allowed: false,
      sendAtMs: at('2026-03-11T07:00:00Z'),
      localHour: 21,
      codes: ['schedule.outside_window'],
    },
  },
  // Europe/Paris around DST: 29 March 2026 (02:00 → 03:00) and 25 October 2026 (03:00 → 02:00).
  {
    name: 'defers a proactive send at 07:30 Paris winter time (06:30 UTC, Saturday before the change)',
    input: proactive('Europe/Paris'),
    config: moderate,
    nowMs: at('2026-03-28T06:30:00Z'),
    want: {
      allowed: false,
      sendAtMs: at('2026-03-28T07:00:00Z'),
      localHour: 7,
      weekend: true,
      codes: ['schedule.outside_window', 'schedule.weekend_slower'],
    },
  },
  {
    name: 'allows a proactive send at 06:30 UTC on the spring DST Sunday, which is 08:30 in Paris',
    input: proactive('Europe/Paris'),
    config: moderate,
    nowMs: at('2026-03-29T06:30:00Z'),
    want: {
      allowed: true,
      sendAtMs: at('2026-03-29T06:30:00Z'),
      localHour: 8,
      weekend: true,
      delayFactor: 2,
      codes: ['schedule.inside_window', 'schedule.weekend_slower'],
    },
  },
  {
    name: 'defers 22:30 Paris winter time on the eve of the spring change to 08:00 summer time (06:00 UTC)',
    input: proactive('Europe/Paris'),
    config: moderate,
    nowMs: at('2026-03-28T21:30:00Z'),
    want: {
      allowed: false,
      sendAtMs: at('2026-03-29T06:00:00Z'),
      localHour: 22,
      codes: ['schedule.outside_window', 'schedule.weekend_slower'],
    },
  },
  {
    name: 'defers a proactive send at 01:30 on the spring DST night to 08:00 summer time',
    input: proactive('Europe/Paris'),
    config: moderate,
    nowMs: at('2026-03-29T00:30:00Z'),
    want: {
      allowed: false,
      sendAtMs: at('2026-03-29T06:00:00Z'),
      localHour: 1,
      codes: ['schedule.outside_window', 'schedule.weekend_slower'],
    },
  },
  {
    name: 'defers 22:30 Paris summer time on the eve of the autumn change to 08:00 winter time (07:00 UTC)',
    input: proactive('Europe/Paris'),
    config: moderate,
    nowMs: at('2026-10-24T20:30:00Z'),
    want: {
      allowed: false,
      sendAtMs: at('2026-10-25T07:00:00Z'),
      localHour: 22,
      codes: ['schedule.outside_window', 'schedule.weekend_slower'],
    },
  },
  {
    name: 'defers a proactive send at 06:30 UTC on the autumn DST Sunday, which is 07:30 in Paris',
    input: proactive('Europe/Paris'),
    config: moderate,
    nowMs: at('2026-10-25T06:30:00Z'),
    want: {
      allowed: false,
      sendAtMs: at('2026-10-25T07:00:00Z'),
      localHour: 7,
      codes: ['schedule.outside_window', 'schedule.weekend_slower'],
    },
  },
  {
    name: 'defers 21:30 Paris winter time on the autumn DST Sunday to 08:00 Monday (07:00 UTC)',
    input: proactive('Europe/Paris'),
    config: moderate,
    nowMs: at('2026-10-25T20:30:00Z'),
    want: {
      allowed: false,
      sendAtMs: at('2026-10-26T07:00:00Z'),
      localHour: 21,
      weekend: true,
      delayFactor: 1,
      codes: ['schedule.outside_window'],
    },
  },
  // Weekends.
  {
    name: 'slows proactive sends on a Saturday by 1/weekendFactor (0.5 → ×2)',
    input: proactive('Africa/Abidjan'),
    config: moderate,
    nowMs: at('2026-03-14T10:00:00Z'),
    want: {
      allowed: true,
      weekend: true,
      delayFactor: 2,
      codes: ['schedule.inside_window', 'schedule.weekend_slower'],
    },
  },
  {
    name: 'paces a proactive send deferred from Friday night to Saturday morning as a weekend send',
    input: proactive('Africa/Abidjan'),
    config: moderate,
    nowMs: at('2026-03-13T22:30:00Z'),
    want: {
      allowed: false,
      sendAtMs: at('2026-03-14T08:00:00Z'),
      weekend: false,
      delayFactor: 2,
      codes: ['schedule.outside_window', 'schedule.weekend_slower'],
    },
  },
  {
    name: 'paces a proactive send deferred from Sunday night to Monday morning as a weekday send',
    input: proactive('Africa/Abidjan'),
    config: moderate,
    nowMs: at('2026-03-15T22:30:00Z'),
    want: {
      allowed: false,
      sendAtMs: at('2026-03-16T08:00:00Z'),
      weekend: true,
      delayFactor: 1,
      codes: ['schedule.outside_window'],
    },
  },
  {
    name: 'leaves weekend delays unchanged when weekendFactor is 1',
    input: proactive('Africa/Abidjan'),
    config: { ...moderate, weekendFactor: 1 },
    nowMs: at('2026-03-14T10:00:00Z'),
    want: { allowed: true, weekend: true, delayFactor: 1, codes: ['schedule.inside_window'] },
  },
  {
    name: 'defers a Friday 22:30 proactive send to Monday 08:00 when weekend sends are off',
    input: proactive('Africa/Abidjan'),
    config: noWeekend,
    nowMs: at('2026-03-13T22:30:00Z'),
    want: {
      allowed: false,
      sendAtMs: at('2026-03-16T08:00:00Z'),
      delayFactor: 1,
      codes: ['schedule.outside_window'],
    },
  },
  {
    name: 'refuses a Saturday 10:00 proactive send and defers it to Monday 08:00 when weekend sends are off',
    input: proactive('Africa/Douala'),
    config: noWeekend,
    nowMs: at('2026-03-14T09:00:00Z'),
    want: {
      allowed: false,
      sendAtMs: at('2026-03-16T07:00:00Z'),
      weekend: true,
      delayFactor: 1,
      codes: ['schedule.weekend_closed'],
    },
  },
  {
    name: 'defers a Sunday 07:00 proactive send to Monday 08:00 when weekend sends are off',
    input: proactive('Africa/Abidjan'),
    config: noWeekend,
    nowMs: at('2026-03-15T07:00:00Z'),
    want: {
      allowed: false,
      sendAtMs: at('2026-03-16T08:00:00Z'),
      codes: ['schedule.weekend_closed', 'schedule.outside_window'],
    },
  },
  {
    name: 'defers a proactive send on Friday 30 January 22:00 to Monday 2 February when weekend sends are off',
    input: proactive('Africa/Abidjan'),
    config: noWeekend,
    nowMs: at('2026-01-30T22:00:00Z'),
    want: { allowed: false, sendAtMs: at('2026-02-02T08:00:00Z'), codes: ['schedule.outside_window'] },
  },
  // Replies.
  {
    name: 'sends a weekday daytime reply at once with no slowdown',
    input: reply('Africa/Abidjan'),
    config: moderate,
    nowMs: at('2026-03-10T14:00:00Z'),
    want: {
      allowed: true,
      sendAtMs: at('2026-03-10T14:00:00Z'),
      delayFactor: 1,
      codes: ['schedule.inside_window'],
    },
  },
  {
    name: 'sends a reply at 23:00 at once but nightReplyDelayFactor (×2) slower',
    input: reply('Africa/Abidjan'),
    config: moderate,
    nowMs: at('2026-03-10T23:00:00Z'),
    want: {
      allowed: true,
      sendAtMs: at('2026-03-10T23:00:00Z'),
      localHour: 23,
      delayFactor: 2,
      codes: ['schedule.night_reply_slower'],
    },
  },
  {
    name: 'multiplies the night and weekend slowdowns for a Saturday 03:00 reply in Douala (×4)',
    input: reply('Africa/Douala'),
    config: moderate,
    nowMs: at('2026-03-14T02:00:00Z'),
    want: {
      allowed: true,
      weekend: true,
      localHour: 3,
      delayFactor: 4,
      codes: ['schedule.night_reply_slower', 'schedule.weekend_slower'],
    },
  },
  {
    name: 'sends a Sunday reply at once even when weekend proactive sends are off',
    input: reply('Africa/Abidjan'),
    config: noWeekend,
    nowMs: at('2026-03-15T11:00:00Z'),
    want: {
      allowed: true,
      sendAtMs: at('2026-03-15T11:00:00Z'),
      delayFactor: 2,
      codes: ['schedule.inside_window', 'schedule.weekend_slower'],
    },
  },
  {
    name: 'uses the conservative window 09:00–20:00: a proactive send at 08:30 waits until 09:00',
    input: proactive('Africa/Abidjan'),
    config: PRESETS.conservative.schedule,
    nowMs: at('2026-03-10T08:30:00Z'),
    want: { allowed: false, sendAtMs: at('2026-03-10T09:00:00Z'), codes: ['schedule.outside_window'] },
  },
];

describe('evaluateSchedule', () => {
  it.each(cases)('$name', ({ input, config, nowMs, want }) => {
    const verdict = evaluateSchedule(input, config, nowMs);
    const { codes, ...fields } = want;
    expect(verdict).toMatchObject(fields);
    expect(verdict.reasons.map((r) => r.code)).toEqual(codes);
    for (const r of verdict.reasons) {
      expect(r.engine).toBe('schedule');
      expect(SCHEDULE_CODES).toContain(r.code);
    }
  });

  const zones = ['Africa/Abidjan', 'Africa/Douala', 'Africa/Dakar', 'Europe/Paris'];
  it('defers business-initiated sends to a future window start, on a weekday when weekend sends are off', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.constantFrom<SendKind>('followup', 'proactive'),
        fc.boolean(),
        fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 0, 1) }),
        (timeZone, kind, weekendProactive, nowMs) => {
          const config = { ...moderate, weekendProactive };
          const verdict = evaluateSchedule({ kind, timeZone }, config, nowMs);
          const local = localParts(verdict.sendAtMs, timeZone);
          if (verdict.allowed) {
            expect(verdict.sendAtMs).toBe(nowMs);
            expect(local.hour >= config.windowStartHour && local.hour < config.windowEndHour).toBe(true);
          } else {
            expect(verdict.sendAtMs).toBeGreaterThan(nowMs);
            expect([local.hour, local.minute, local.second]).toEqual([config.windowStartHour, 0, 0]);
            // The next window is never more than three days away (Friday night → Monday morning).
            expect(verdict.sendAtMs - nowMs).toBeLessThanOrEqual(3 * 24 * 3_600_000);
          }
          if (!weekendProactive) expect([0, 6]).not.toContain(local.weekday);
          expect(verdict.delayFactor).toBeGreaterThanOrEqual(1);
        },
      ),
    );
  });

  it('always allows replies at once with a delay factor of at least 1', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 0, 1) }),
        (timeZone, nowMs) => {
          const verdict = evaluateSchedule({ kind: 'reply', timeZone }, moderate, nowMs);
          expect(verdict.allowed).toBe(true);
          expect(verdict.sendAtMs).toBe(nowMs);
          expect(verdict.delayFactor).toBeGreaterThanOrEqual(1);
        },
      ),
    );
  });

  it.each([
    {
      name: 'throws when the window is empty (start ≥ end)',
      config: { ...moderate, windowStartHour: 21, windowEndHour: 8 },
    },
    {
      name: 'throws when weekendFactor is 0, which would mean an infinite delay',
      config: { ...moderate, weekendFactor: 0 },
    },
    {
      name: 'throws when weekendFactor exceeds 1, which would speed sends up',
      config: { ...moderate, weekendFactor: 2 },
    },
    {
      name: 'throws when nightReplyDelayFactor is below 1',
      config: { ...moderate, nightReplyDelayFactor: 0.5 },
    },
  ])('$name', ({ config }) => {
    expect(() => evaluateSchedule(reply('Africa/Abidjan'), config, at('2026-03-10T12:00:00Z'))).toThrow(
      RangeError,
    );
  });

  it('throws on an unknown time zone', () => {
    expect(() => evaluateSchedule(reply('Nowhere/Atlantis'), moderate, at('2026-03-10T12:00:00Z'))).toThrow(
      RangeError,
    );
  });
});

describe('evaluateAway — the away message opens the first reply of a quiet period', () => {
  const abidjan = (lastOutbound?: string): AwayInput => ({
    timeZone: 'Africa/Abidjan',
    lastOutboundAtMs: lastOutbound === undefined ? undefined : at(lastOutbound),
  });
  const cases: {
    name: string;
    input: AwayInput;
    config?: ScheduleConfig;
    nowMs: number;
    want: boolean;
    since?: number;
  }[] = [
    {
      name: 'is not due inside the hours (12:00 in Abidjan), even for a contact never written to',
      input: abidjan(),
      nowMs: at('2026-03-10T12:00:00Z'),
      want: false,
    },
    {
      name: 'is not due at 20:59, the last minute of the window',
      input: abidjan('2026-03-10T09:00:00Z'),
      nowMs: at('2026-03-10T20:59:00Z'),
      want: false,
    },
    {
      name: 'is due at 21:00 when the last message to the contact went before the window closed',
      input: abidjan('2026-03-10T20:59:59Z'),
      nowMs: at('2026-03-10T21:00:00Z'),
      want: true,
      since: at('2026-03-10T21:00:00Z'),
    },
    {
      name: 'is due at 23:30 for a contact never written to',
      input: abidjan(),
      nowMs: at('2026-03-10T23:30:00Z'),
      want: true,
      since: at('2026-03-10T21:00:00Z'),
    },
    {
      name: 'is not due for the second message of the night (the first answer went at 21:05)',
      input: abidjan('2026-03-10T21:05:00Z'),
      nowMs: at('2026-03-10T23:30:00Z'),
      want: false,
      since: at('2026-03-10T21:00:00Z'),
    },
    {
      name: 'counts the night from the evening before: at 06:00 an answer sent at 22:00 the day before counts',
      input: abidjan('2026-03-10T22:00:00Z'),
      nowMs: at('2026-03-11T06:00:00Z'),
      want: false,
      since: at('2026-03-10T21:00:00Z'),
    },
    {
      name: 'is due again the next night: the answer of the previous night does not count',
      input: abidjan('2026-03-10T22:00:00Z'),
      nowMs: at('2026-03-11T21:30:00Z'),
      want: true,
      since: at('2026-03-11T21:00:00Z'),
    },
    {
      name: 'reads the hours in the given zone: 21:30 UTC is 22:30 in Paris (winter), night since 20:00 UTC',
      input: { timeZone: 'Europe/Paris', lastOutboundAtMs: at('2026-03-10T19:59:00Z') },
      nowMs: at('2026-03-10T21:30:00Z'),
      want: true,
      since: at('2026-03-10T20:00:00Z'),
    },
    {
      name: 'reads the hours in the given zone: 20:30 UTC is 21:30 in Paris, an answer at 20:10 UTC is after closing',
      input: { timeZone: 'Europe/Paris', lastOutboundAtMs: at('2026-03-10T20:10:00Z') },
      nowMs: at('2026-03-10T20:30:00Z'),
      want: false,
      since: at('2026-03-10T20:00:00Z'),
    },
    {
      name: 'is not due at 07:30 UTC in Paris (08:30 local, inside the hours) though it is night in Abidjan',
      input: { timeZone: 'Europe/Paris', lastOutboundAtMs: undefined },
      nowMs: at('2026-03-10T07:30:00Z'),
      want: false,
    },
    {
      name: 'follows a window ending at midnight: at 05:00 the night began at 00:00',
      input: abidjan('2026-03-10T23:59:00Z'),
      config: { ...moderate, windowStartHour: 7, windowEndHour: 24 },
      nowMs: at('2026-03-11T05:00:00Z'),
      want: true,
      since: at('2026-03-11T00:00:00Z'),
    },
  ];

  it.each(cases)('$name', ({ input, config, nowMs, want, since }) => {
    const verdict = evaluateAway(input, config ?? moderate, nowMs);
    expect(verdict.due).toBe(want);
    expect(verdict.quietSinceMs).toBe(since);
    expect(verdict.reasons.map((r) => r.code)).toEqual(want ? ['schedule.away_message'] : []);
    for (const r of verdict.reasons) expect(SCHEDULE_CODES).toContain(r.code);
  });

  it('is due for exactly the first reply of every quiet period, over any instants and last sends', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at('2026-01-01T00:00:00Z'), max: at('2026-12-31T00:00:00Z') }),
        fc.option(fc.integer({ min: 0, max: 3 * 86_400_000 }), { nil: undefined }),
        fc.constantFrom('Africa/Abidjan', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata'),
        (nowMs, sinceLastMs, timeZone) => {
          const lastOutboundAtMs = sinceLastMs === undefined ? undefined : nowMs - sinceLastMs;
          const v = evaluateAway({ timeZone, lastOutboundAtMs }, moderate, nowMs);
          const hour = localParts(nowMs, timeZone).hour;
          const outside = hour < moderate.windowStartHour || hour >= moderate.windowEndHour;
          if (!outside) {
            expect(v.due).toBe(false);
            return;
          }
          const since = v.quietSinceMs ?? Number.NaN;
          // The quiet period began at most a day ago, at a window end, and not after now.
          expect(since).toBeLessThanOrEqual(nowMs);
          expect(nowMs - since).toBeLessThan(86_400_000);
          expect(localParts(since, timeZone).hour).toBe(moderate.windowEndHour);
          expect(v.due).toBe(lastOutboundAtMs === undefined || lastOutboundAtMs < since);
        },
      ),
    );
  });
});
