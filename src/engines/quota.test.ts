import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../domain/time.ts';
import type { PresetName, SendKind, SendStats } from '../domain/types.ts';
import { PRESETS, type QuotaConfig } from './config.ts';
import { evaluateQuota, QUOTA_CODES, type QuotaInput, type QuotaVerdict } from './quota.ts';

const moderate = PRESETS.moderate.quota;
/** Tuesday 10 March 2026, 14:00 UTC = 15:00 in Douala (UTC+1, no DST). */
const NOW_MS = Date.UTC(2026, 2, 10, 14, 0, 0);
/** Next midnight in Douala: 11 March 00:00 local = 10 March 23:00 UTC. */
const DOUALA_MIDNIGHT_MS = Date.UTC(2026, 2, 10, 23, 0, 0);

function stats(partial: Partial<SendStats>): SendStats {
  return { sentLastMinute: 0, sentLastHour: 0, sentToday: 0, coldToday: 0, identicalLastHour: 0, ...partial };
}

function input(kind: SendKind, partial: Partial<SendStats>, timeZone = 'Africa/Douala'): QuotaInput {
  return { kind, stats: stats(partial), timeZone };
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

type Want = Partial<Pick<QuotaVerdict, 'allowed' | 'retryAtMs' | 'remaining'>> & { codes: string[] };
interface Case {
  name: string;
  input: QuotaInput;
  config: QuotaConfig;
  nowMs: number;
  want: Want;
}

const KINDS: SendKind[] = ['reply', 'followup', 'proactive'];
const CAP_FIELDS = [
  {
    cap: 'perMinute',
    stat: 'sentLastMinute',
    unit: 'minute',
    code: 'quota.minute_cap',
    retryAtMs: NOW_MS + MINUTE_MS,
  },
  {
    cap: 'perHour',
    stat: 'sentLastHour',
    unit: 'hour',
    code: 'quota.hour_cap',
    retryAtMs: NOW_MS + 10 * MINUTE_MS,
  },
  { cap: 'perDay', stat: 'sentToday', unit: 'day', code: 'quota.daily_cap', retryAtMs: DOUALA_MIDNIGHT_MS },
] as const;

/** For every kind and every cap: the last message under the cap passes, the next one is refused. */
const boundaryCases: Case[] = KINDS.flatMap((kind) => {
  const caps = kind === 'reply' ? moderate.reply : moderate.proactive;
  return CAP_FIELDS.flatMap(({ cap, stat, unit, code, retryAtMs }): Case[] => {
    const n = caps[cap];
    return [
      {
        name: `allows a ${kind} as the ${ordinal(n)} message in a ${unit} when the ${unit} cap is ${n}`,
        input: input(kind, { [stat]: n - 1 }),
        config: moderate,
        nowMs: NOW_MS,
        want: { allowed: true, codes: ['quota.ok'] },
      },
      {
        name: `denies a ${kind} as the ${ordinal(n + 1)} message in a ${unit} when the ${unit} cap is ${n}`,
        input: input(kind, { [stat]: n }),
        config: moderate,
        nowMs: NOW_MS,
        want: { allowed: false, retryAtMs, codes: [code] },
      },
    ];
  });
});

const cases: Case[] = [
  ...boundaryCases,
  {
    name: 'gives replies the reply caps: 10 sends in the last minute still allow a reply when the reply cap is 30',
    input: input('reply', { sentLastMinute: 10 }),
    config: moderate,
    nowMs: NOW_MS,
    want: { allowed: true, remaining: { minute: 20, hour: 800, day: 4000 }, codes: ['quota.ok'] },
  },
  {
    name: 'gives follow-ups the business-initiated caps, counted against all sends of the channel',
    input: input('followup', { sentLastMinute: 10, sentLastHour: 10, sentToday: 10 }),
    config: moderate,
    nowMs: NOW_MS,
    want: { allowed: false, retryAtMs: NOW_MS + MINUTE_MS, codes: ['quota.minute_cap'] },
  },
  {
    name: 'reports the hour wait, not the minute wait, when both caps are hit',
    input: input('proactive', { sentLastMinute: 10, sentLastHour: 300, sentToday: 300 }),
    config: moderate,
    nowMs: NOW_MS,
    want: {
      allowed: false,
      retryAtMs: NOW_MS + 10 * MINUTE_MS,
      codes: ['quota.hour_cap', 'quota.minute_cap'],
    },
  },
  {
    name: 'reports the wait until local midnight when all three caps are hit in the afternoon',
    input: input('proactive', { sentLastMinute: 10, sentLastHour: 300, sentToday: 1500 }),
    config: moderate,
    nowMs: NOW_MS,
    want: {
      allowed: false,
      retryAtMs: DOUALA_MIDNIGHT_MS,
      codes: ['quota.daily_cap', 'quota.hour_cap', 'quota.minute_cap'],
    },
  },
  {
    name: 'reports the 10 min hour re-check when local midnight (5 min away) comes sooner',
    input: input('proactive', { sentLastHour: 300, sentToday: 1500 }),
    config: moderate,
    // 23:55 in Douala.
    nowMs: DOUALA_MIDNIGHT_MS - 5 * MINUTE_MS,
    want: {
      allowed: false,
      retryAtMs: DOUALA_MIDNIGHT_MS + 5 * MINUTE_MS,
      codes: ['quota.hour_cap', 'quota.daily_cap'],
    },
  },
  {
    name: 'retries a daily cap at local midnight in Africa/Abidjan (UTC+0)',
    input: input('proactive', { sentToday: 1500 }, 'Africa/Abidjan'),
    config: moderate,
    nowMs: NOW_MS,
    want: { allowed: false, retryAtMs: Date.UTC(2026, 2, 11, 0, 0, 0), codes: ['quota.daily_cap'] },
  },
  {
    name: 'retries a daily cap at Paris midnight after the spring DST change (22:00 UTC, not 23:00)',
    input: input('proactive', { sentToday: 1500 }, 'Europe/Paris'),
    config: moderate,
    nowMs: Date.UTC(2026, 2, 29, 12, 0, 0),
    want: { allowed: false, retryAtMs: Date.UTC(2026, 2, 29, 22, 0, 0), codes: ['quota.daily_cap'] },
  },
  {
    name: 'never reports negative remaining sends when counts exceed the caps',
    input: input('proactive', { sentLastMinute: 50, sentLastHour: 900, sentToday: 9000 }),
    config: moderate,
    nowMs: NOW_MS,
    want: {
      allowed: false,
      remaining: { minute: 0, hour: 0, day: 0 },
      codes: ['quota.daily_cap', 'quota.hour_cap', 'quota.minute_cap'],
    },
  },
  {
    name: 'reports the sends left under each cap',
    input: input('proactive', { sentLastMinute: 3, sentLastHour: 100, sentToday: 1000 }),
    config: moderate,
    nowMs: NOW_MS,
    want: { allowed: true, remaining: { minute: 7, hour: 200, day: 500 }, codes: ['quota.ok'] },
  },
];

describe('evaluateQuota', () => {
  it.each(cases)('$name', ({ input: caseInput, config, nowMs, want }) => {
    const verdict = evaluateQuota(caseInput, config, nowMs);
    expect(verdict.allowed).toBe(want.allowed);
    expect(verdict.reasons.map((r) => r.code)).toEqual(want.codes);
    if (want.retryAtMs !== undefined) expect(verdict.retryAtMs).toBe(want.retryAtMs);
    if (want.allowed) expect(verdict.retryAtMs).toBeUndefined();
    if (want.remaining) expect(verdict.remaining).toEqual(want.remaining);
    expect(verdict.caps).toEqual(caseInput.kind === 'reply' ? config.reply : config.proactive);
    for (const r of verdict.reasons) {
      expect(r.engine).toBe('quota');
      expect(QUOTA_CODES).toContain(r.code);
      expect(r.detail.length).toBeGreaterThan(0);
    }
  });

  const presetNames = Object.keys(PRESETS) as PresetName[];
  it.each(presetNames)(
    'gives replies larger caps than business-initiated sends in the %s preset',
    (preset) => {
      const { reply, proactive } = PRESETS[preset].quota;
      expect(reply.perMinute).toBeGreaterThan(proactive.perMinute);
      expect(reply.perHour).toBeGreaterThan(proactive.perHour);
      expect(reply.perDay).toBeGreaterThan(proactive.perDay);
    },
  );

  it('allows exactly when every count is under its cap, and never reports negative remaining sends', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<PresetName>('conservative', 'moderate', 'aggressive'),
        fc.constantFrom<SendKind>(...KINDS),
        fc.nat(12_000),
        fc.nat(12_000),
        fc.nat(12_000),
        fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 0, 1) }),
        (preset, kind, sentLastMinute, sentLastHour, sentToday, nowMs) => {
          const config = PRESETS[preset].quota;
          const verdict = evaluateQuota(
            input(kind, { sentLastMinute, sentLastHour, sentToday }),
            config,
            nowMs,
          );
          const caps = kind === 'reply' ? config.reply : config.proactive;
          const under =
            sentLastMinute < caps.perMinute && sentLastHour < caps.perHour && sentToday < caps.perDay;
          expect(verdict.allowed).toBe(under);
          expect(
            Math.min(verdict.remaining.minute, verdict.remaining.hour, verdict.remaining.day),
          ).toBeGreaterThanOrEqual(0);
          if (!verdict.allowed) expect(verdict.retryAtMs).toBeGreaterThan(nowMs);
        },
      ),
    );
  });

  it.each([
    {
      name: 'throws on a negative count, which means broken stats',
      stats: { sentToday: -1 },
      timeZone: 'Africa/Dakar',
    },
    {
      name: 'throws on an unknown time zone even when no cap is hit',
      stats: {},
      timeZone: 'Mars/Olympus_Mons',
    },
  ])('$name', ({ stats: partial, timeZone }) => {
    expect(() => evaluateQuota(input('proactive', partial, timeZone), moderate, NOW_MS)).toThrow(RangeError);
  });
});
