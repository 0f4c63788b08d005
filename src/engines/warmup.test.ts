import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../domain/time.ts';
import type { SendKind, SendStats } from '../domain/types.ts';
import { PRESETS, type WarmupConfig } from './config.ts';
import { evaluateWarmup, WARMUP_CODES, type WarmupInput, type WarmupVerdict } from './warmup.ts';

const moderate = PRESETS.moderate.warmup;
/** The channel was created on Monday 2 March 2026 at 09:00 UTC. */
const CREATED_MS = Date.UTC(2026, 2, 2, 9, 0, 0);

function stats(partial: Partial<SendStats> = {}): SendStats {
  return { sentLastMinute: 0, sentLastHour: 0, sentToday: 0, coldToday: 0, identicalLastHour: 0, ...partial };
}

function input(partial: Partial<WarmupInput> & { stats?: SendStats } = {}): WarmupInput {
  return {
    kind: 'proactive',
    channelCreatedAtMs: CREATED_MS,
    isColdContact: false,
    timeZone: 'Africa/Abidjan',
    stats: stats(),
    ...partial,
  };
}

type Want = Partial<Omit<WarmupVerdict, 'reasons'>> & { codes: string[] };
interface Case {
  name: string;
  input: WarmupInput;
  config: WarmupConfig;
  nowMs: number;
  want: Want;
}

/** The moderate ramp from OpenWA's schedule; the last entry holds from day 6 on. */
const MODERATE_RAMP = [
  { dayIndex: 0, dailyCap: 20, coldCap: 5 },
  { dayIndex: 1, dailyCap: 40, coldCap: 10 },
  { dayIndex: 2, dailyCap: 80, coldCap: 20 },
  { dayIndex: 3, dailyCap: 160, coldCap: 40 },
  { dayIndex: 4, dailyCap: 320, coldCap: 60 },
  { dayIndex: 5, dailyCap: 640, coldCap: 80 },
  { dayIndex: 6, dailyCap: 1000, coldCap: 100 },
  { dayIndex: 7, dailyCap: 1000, coldCap: 100 },
  { dayIndex: 8, dailyCap: 1000, coldCap: 100 },
];

const rampCases: Case[] = MODERATE_RAMP.map(({ dayIndex, dailyCap, coldCap }) => ({
  name: `caps warm-up day ${dayIndex} at ${dailyCap} sends and ${coldCap} cold contacts (moderate)`,
  input: input(),
  config: moderate,
  nowMs: CREATED_MS + dayIndex * DAY_MS + 3 * HOUR_MS,
  want: { allowed: true, dayIndex, dailyCap, coldCap, restartWarmup: false, codes: ['warmup.ok'] },
}));

/** Day 2 of the moderate ramp: 80 sends, 20 cold contacts. Thursday 4 March 2026, 12:00 UTC. */
const DAY2_MS = CREATED_MS + 2 * DAY_MS + 3 * HOUR_MS;
const ABIDJAN_MIDNIGHT_AFTER_DAY2_MS = Date.UTC(2026, 2, 5, 0, 0, 0);
const KINDS: SendKind[] = ['followup', 'proactive'];

const capCases: Case[] = KINDS.flatMap((kind): Case[] => [
  {
    name: `allows a ${kind} as the 80th send of day 2 when the day-2 cap is 80`,
    input: input({ kind, stats: stats({ sentToday: 79 }) }),
    config: moderate,
    nowMs: DAY2_MS,
    want: { allowed: true, dayIndex: 2, codes: ['warmup.ok'] },
  },
  {
    name: `denies a ${kind} as the 81st send of day 2 until local midnight when the day-2 cap is 80`,
    input: input({ kind, stats: stats({ sentToday: 80 }) }),
    config: moderate,
    nowMs: DAY2_MS,
    want: {
      allowed: false,
      dayIndex: 2,
      retryAtMs: ABIDJAN_MIDNIGHT_AFTER_DAY2_MS,
      codes: ['warmup.daily_cap'],
    },
  },
  {
    name: `allows a ${kind} to the 20th stranger of day 2 when the day-2 cold cap is 20`,
    input: input({ kind, isColdContact: true, stats: stats({ sentToday: 30, coldToday: 19 }) }),
    config: moderate,
    nowMs: DAY2_MS,
    want: { allowed: true, codes: ['warmup.ok'] },
  },
  {
    name: `denies a ${kind} to the 21st stranger of day 2 until local midnight when the day-2 cold cap is 20`,
    input: input({ kind, isColdContact: true, stats: stats({ sentToday: 30, coldToday: 20 }) }),
    config: moderate,
    nowMs: DAY2_MS,
    want: { allowed: false, retryAtMs: ABIDJAN_MIDNIGHT_AFTER_DAY2_MS, codes: ['warmup.cold_cap'] },
  },
]);

const cases: Case[] = [
  ...rampCases,
  ...capCases,
  {
    name: 'counts day 0 until a full 24 h has passed since creation',
    input: input(),
    config: moderate,
    nowMs: CREATED_MS + DAY_MS - 1,
    want: { dayIndex: 0, dailyCap: 20, codes: ['warmup.ok'] },
  },
  {
    name: 'counts day 1 from exactly 24 h after creation',
    input: input(),
    config: moderate,
    nowMs: CREATED_MS + DAY_MS,
    want: { dayIndex: 1, dailyCap: 40, codes: ['warmup.ok'] },
  },
  {
    name: 'counts days from a restarted warm-up rather than from the channel creation',
    input: input({ warmupStartedAtMs: CREATED_MS + 10 * DAY_MS }),
    config: moderate,
    nowMs: CREATED_MS + 11 * DAY_MS + HOUR_MS,
    want: { dayIndex: 1, dailyCap: 40, coldCap: 10, codes: ['warmup.ok'] },
  },
  {
    name: 'treats a creation time in the future (clock skew) as day 0',
    input: input({ channelCreatedAtMs: DAY2_MS + HOUR_MS }),
    config: moderate,
    nowMs: DAY2_MS,
    want: { dayIndex: 0, dailyCap: 20, coldCap: 5, codes: ['warmup.ok'] },
  },
  {
    name: 'lets a message to a known contact through when the cold cap is used up',
    input: input({ isColdContact: false, stats: stats({ sentToday: 30, coldToday: 20 }) }),
    config: moderate,
    nowMs: DAY2_MS,
    want: { allowed: true, codes: ['warmup.ok'] },
  },
  {
    name: 'reports both caps when a message to a stranger exceeds the daily and the cold cap',
    input: input({ isColdContact: true, stats: stats({ sentToday: 80, coldToday: 20 }) }),
    config: moderate,
    nowMs: DAY2_MS,
    want: {
      allowed: false,
      retryAtMs: ABIDJAN_MIDNIGHT_AFTER_DAY2_MS,
      codes: ['warmup.daily_cap', 'warmup.cold_cap'],
    },
  },
  {
    name: 'exempts replies from the daily cap but still reports the day and its caps',
    input: input({ kind: 'reply', stats: stats({ sentToday: 5000, coldToday: 500 }) }),
    config: moderate,
    nowMs: DAY2_MS,
    want: { allowed: true, dayIndex: 2, dailyCap: 80, coldCap: 20, codes: ['warmup.reply_exempt'] },
  },
  {
    name: 'exempts replies from the cold cap on day 0',
    input: input({ kind: 'reply', isColdContact: true, stats: stats({ sentToday: 20, coldToday: 5 }) }),
    config: moderate,
    nowMs: CREATED_MS + HOUR_MS,
    want: { allowed: true, dayIndex: 0, dailyCap: 20, coldCap: 5, codes: ['warmup.reply_exempt'] },
  },
  {
    name: 'restarts the warm-up at day 0 after 72 h without a send',
    input: input({ lastSentAtMs: CREATED_MS + 20 * DAY_MS - 72 * HOUR_MS }),
    config: moderate,
    nowMs: CREATED_MS + 20 * DAY_MS,
    want: {
      allowed: true,
      restartWarmup: true,
      dayIndex: 0,
      dailyCap: 20,
      coldCap: 5,
      codes: ['warmup.rewarm', 'warmup.ok'],
    },
  },
  {
    name: 'does not restart the warm-up 1 ms before 72 h without a send',
    input: input({ lastSentAtMs: CREATED_MS + 20 * DAY_MS - 72 * HOUR_MS + 1 }),
    config: moderate,
    nowMs: CREATED_MS + 20 * DAY_MS,
    want: { restartWarmup: false, dayIndex: 20, dailyCap: 1000, coldCap: 100, codes: ['warmup.ok'] },
  },
  {
    name: 'applies the day-0 cap at once when the warm-up restarts (20 sent today refuses the 21st)',
    input: input({ lastSentAtMs: CREATED_MS + 10 * DAY_MS, stats: stats({ sentToday: 20 }) }),
    config: moderate,
    nowMs: CREATED_MS + 20 * DAY_MS,
    want: {
      allowed: false,
      restartWarmup: true,
      dayIndex: 0,
      dailyCap: 20,
      codes: ['warmup.rewarm', 'warmup.daily_cap'],
    },
  },
  {
    name: 'restarts the warm-up for a reply too, since the number itself was idle',
    input: input({ kind: 'reply', lastSentAtMs: CREATED_MS + 10 * DAY_MS }),
    config: moderate,
    nowMs: CREATED_MS + 20 * DAY_MS,
    want: {
      allowed: true,
      restartWarmup: true,
      dayIndex: 0,
      codes: ['warmup.rewarm', 'warmup.reply_exempt'],
    },
  },
  {
    name: 'does not restart a warm-up that is still on day 0',
    input: input({ warmupStartedAtMs: CREATED_MS + 20 * DAY_MS - HOUR_MS, lastSentAtMs: CREATED_MS }),
    config: moderate,
    nowMs: CREATED_MS + 20 * DAY_MS,
    want: { restartWarmup: false, dayIndex: 0, codes: ['warmup.ok'] },
  },
  {
    name: 'restarts after 48 h idle in the aggressive preset',
    input: input({ lastSentAtMs: CREATED_MS + 20 * DAY_MS - 48 * HOUR_MS }),
    config: PRESETS.aggressive.warmup,
    nowMs: CREATED_MS + 20 * DAY_MS,
    want: {
      restartWarmup: true,
      dayIndex: 0,
      dailyCap: 35,
      coldCap: 10,
      codes: ['warmup.rewarm', 'warmup.ok'],
    },
  },
  {
    name: 'holds the last conservative entry (800) once its 8-day ramp is over',
    input: input(),
    config: PRESETS.conservative.warmup,
    nowMs: CREATED_MS + 30 * DAY_MS,
    want: { dayIndex: 30, dailyCap: 800, coldCap: 50, codes: ['warmup.ok'] },
  },
  {
    name: 'retries a refused send at local midnight in Africa/Douala (23:00 UTC)',
    input: input({ timeZone: 'Africa/Douala', stats: stats({ sentToday: 80 }) }),
    config: moderate,
    nowMs: DAY2_MS,
    want: { allowed: false, retryAtMs: Date.UTC(2026, 2, 4, 23, 0, 0), codes: ['warmup.daily_cap'] },
  },
];

describe('evaluateWarmup', () => {
  it.each(cases)('$name', ({ input: caseInput, config, nowMs, want }) => {
    const verdict = evaluateWarmup(caseInput, config, nowMs);
    const { codes, ...fields } = want;
    expect(verdict).toMatchObject(fields);
    expect(verdict.reasons.map((r) => r.code)).toEqual(codes);
    if (verdict.allowed) expect(verdict.retryAtMs).toBeUndefined();
    for (const r of verdict.reasons) {
      expect(r.engine).toBe('warmup');
      expect(WARMUP_CODES).toContain(r.code);
    }
  });

  it('throws on an empty cap list, which is a broken config', () => {
    const config: WarmupConfig = { ...moderate, dailyCaps: [] };
    expect(() => evaluateWarmup(input(), config, DAY2_MS)).toThrow(RangeError);
  });

  it('throws on an unknown time zone', () => {
    expect(() =>
      evaluateWarmup(input({ timeZone: 'Nowhere/Atlantis' }), moderate, DAY2_MS + MINUTE_MS),
    ).toThrow(RangeError);
  });
});
