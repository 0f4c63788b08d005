import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HealthEvent, HealthEventType } from '../domain/types.ts';
import { type HealthConfig, PRESETS } from './config.ts';
import {
  evaluateHealth,
  HEALTH_CODES,
  type HealthInput,
  type HealthVerdict,
  TIMELOCK_BUFFER_MS,
} from './health.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T = Date.UTC(2026, 10, 27, 12, 0, 0);
const moderate = PRESETS.moderate.health;

const ev = (type: HealthEventType, agoMs: number, untilMs?: number): HealthEvent =>
  untilMs === undefined ? { type, atMs: T - agoMs } : { type, atMs: T - agoMs, untilMs };

interface Case {
  name: string;
  input: Partial<HealthInput> & { events: HealthEvent[] };
  config?: HealthConfig;
  want: Partial<
    Pick<HealthVerdict, 'score' | 'level' | 'paused' | 'allowed' | 'timelockUntilMs' | 'retryAtMs'>
  > & {
    codes?: string[];
    absent?: string[];
    noRetry?: boolean;
  };
}

const cases: Case[] = [
  {
    name: 'scores a quiet number 0, low, allowed',
    input: { events: [] },
    want: { score: 0, level: 'low', paused: false, allowed: true, codes: ['health.ok', 'health.score'] },
  },
  {
    name: 'adds the delta of a fresh event (disconnected +15 → medium)',
    input: { events: [ev('disconnected', 0)] },
    want: { score: 15, level: 'medium', paused: false, allowed: true },
  },
  {
    name: 'decays 3 points per full 5 minutes up to now (40 an hour ago → 4)',
    input: { events: [ev('forbidden', HOUR)] },
    want: { score: 4, level: 'low' },
  },
  {
    name: 'does not decay for a partial period (40 four minutes ago stays 40)',
    input: { events: [ev('forbidden', 4 * MIN)] },
    want: { score: 40, level: 'high' },
  },
  {
    name: 'decays between events before adding the next delta (15, 10 min, +15 → 24)',
    input: { events: [ev('disconnected', 10 * MIN), ev('disconnected', 0)] },
    want: { score: 24, level: 'medium' },
  },
  {
    name: 'sorts events by time whatever the input order',
    input: { events: [ev('disconnected', 0), ev('disconnected', 10 * MIN)] },
    want: { score: 24 },
  },
  {
    name: 'ignores events after nowMs',
    input: { events: [ev('forbidden', -MIN)] },
    want: { score: 0, paused: false },
  },
  {
    name: 'forgets events older than memoryMs',
    input: { events: [ev('forbidden', 25 * HOUR), ev('disconnected', 23 * HOUR)] },
    config: { ...moderate, decayPoints: 0 },
    want: { score: 15 },
  },
  {
    name: 'caps the score at 100',
    input: { events: [0, 1, 2, 3].map((i) => ev('forbidden', i * 1000)) },
    want: { score: 100, level: 'critical', paused: true },
  },
  {
    name: 'never goes below 0 (connected on a clean number)',
    input: { events: [ev('connected', MIN), ev('send_ok', 0)] },
    want: { score: 0, level: 'low' },
  },
  {
    name: 'counts an event type missing from eventDeltas as 0',
    input: { events: [ev('forbidden', 0), ev('disconnected', 0)] },
    config: { ...moderate, eventDeltas: { forbidden: 40 } },
    want: { score: 40 },
  },
  {
    name: 'pauses at exactly pauseAtScore (70)',
    input: { events: [ev('forbidden', 0), ev('send_failed', 0), ev('send_failed', 0), ev('send_failed', 0)] },
    config: { ...moderate, eventDeltas: { forbidden: 40, send_failed: 10 } },
    want: { score: 70, paused: true, allowed: false, codes: ['health.paused'], absent: ['health.ok'] },
  },
  {
    name: 'does not pause at 69 when running',
    input: {
      events: [ev('forbidden', 0), ev('send_failed', 0), ev('send_failed', 0), ev('disconnected', 0)],
    },
    config: { ...moderate, eventDeltas: { forbidden: 40, send_failed: 10, disconnected: 9 } },
    want: { score: 69, paused: false, allowed: true },
  },
  {
    name: 'stays paused between resumeAtScore and pauseAtScore (hysteresis)',
    input: { events: [ev('forbidden', 0)], paused: true },
    want: { score: 40, paused: true, allowed: false, codes: ['health.paused'] },
  },
  {
    name: 'resumes at exactly resumeAtScore (30)',
    input: {
      events: [ev('forbidden', 0), ev('connected', 0), ev('disconnected', 0), ev('send_ok', 0)],
      paused: true,
    },
    config: { ...moderate, eventDeltas: { forbidden: 40, connected: -10 } },
    want: { score: 30, paused: false, allowed: true, codes: ['health.resumed', 'health.ok'] },
  },
  {
    name: 'gives retryAtMs as the instant decay reaches resumeAtScore (80 → 30 takes 17 periods)',
    input: { events: [ev('forbidden', 0), ev('spam_limit', 0)] },
    want: { score: 80, paused: true, retryAtMs: T + 17 * 5 * MIN },
  },
  {
    name: 'pauses on logged_out whatever the score, without retryAtMs',
    input: { events: [ev('connected', HOUR), ev('logged_out', 30 * MIN)] },
    want: { paused: true, allowed: false, codes: ['health.logged_out'], noRetry: true },
  },
  {
    name: 'keeps a logged-out number paused after the event left memory',
    input: { events: [ev('logged_out', 48 * HOUR)] },
    want: { score: 0, paused: true, allowed: false, codes: ['health.logged_out'] },
  },
  {
    name: 'lifts the log-out pause once a connected event follows, and resumes when the score allows',
    input: { events: [ev('logged_out', 10 * MIN), ev('connected', 5 * MIN)], paused: true },
    want: { paused: false, allowed: true, absent: ['health.logged_out'], codes: ['health.resumed'] },
  },
  {
    name: 'pauses on account_restricted with health.restricted',
    input: { events: [ev('account_restricted', MIN)] },
    want: { paused: true, allowed: false, codes: ['health.restricted'], noRetry: true },
  },
  {
    name: 'refuses a new contact during a 463 lock, default 60 s plus 10 s buffer',
    input: { events: [ev('reachout_timelock', 30_000)], isNewContact: true },
    want: {
      paused: false,
      allowed: false,
      timelockUntilMs: T + 40_000,
      retryAtMs: T + 40_000,
      codes: ['health.timelock_new_contact'],
    },
  },
  {
    name: 'allows an existing chat during a 463 lock',
    input: { events: [ev('reachout_timelock', 30_000)], isNewContact: false },
    want: { allowed: true, timelockUntilMs: T + 40_000, codes: ['health.timelock_active', 'health.ok'] },
  },
  {
    name: 'uses the lock end stated by the server, plus the buffer',
    input: { events: [ev('reachout_timelock', MIN, T + HOUR)], isNewContact: true },
    want: { allowed: false, timelockUntilMs: T + HOUR + TIMELOCK_BUFFER_MS },
  },
  {
    name: 'allows new contacts again once the lock and its buffer are over',
    input: { events: [ev('reachout_timelock', 70_000)], isNewContact: true },
    want: { allowed: true, timelockUntilMs: undefined, absent: ['health.timelock_new_contact'] },
  },
];

describe('evaluateHealth', () => {
  it.each(cases)('$name', ({ input, config, want }) => {
    const v = evaluateHealth({ paused: false, isNewContact: false, ...input }, config ?? moderate, T);
    const { codes, absent, noRetry, ...values } = want;
    for (const [key, value] of Object.entries(values)) {
      expect(v[key as keyof typeof values], key).toEqual(value);
    }
    const got = v.reasons.map((r) => r.code);
    for (const code of codes ?? []) expect(got).toContain(code);
    for (const code of absent ?? []) expect(got).not.toContain(code);
    if (noRetry) expect(v.retryAtMs).toBeUndefined();
    for (const code of got) expect(HEALTH_CODES).toContain(code);
  });

  it('throws when resumeAtScore is above pauseAtScore', () => {
    expect(() =>
      evaluateHealth(
        { events: [], paused: false, isNewContact: false },
        { ...moderate, resumeAtScore: 80 },
        T,
      ),
    ).toThrow(/resumeAtScore/);
  });
});

const EVENT_TYPES: HealthEventType[] = [
  'logged_out',
  'forbidden',
  'reachout_timelock',
  'disconnected',
  'connected',
  'send_failed',
  'send_ok',
  'spam_limit',
  'pair_limit',
  'throughput_limit',
  'account_restricted',
  'quality_low',
  'quality_ok',
];
const eventArb = fc.record({
  type: fc.constantFrom(...EVENT_TYPES),
  atMs: fc.integer({ min: T - 30 * HOUR, max: T + HOUR }),
});
const blockedBy = (events: readonly HealthEvent[]): boolean => {
  let blocked = false;
  for (const e of [...events].filter((x) => x.atMs <= T).sort((a, b) => a.atMs - b.atMs)) {
    if (e.type === 'connected') blocked = false;
    if (e.type === 'logged_out' || e.type === 'account_restricted') blocked = true;
  }
  return blocked;
};

describe('evaluateHealth properties', () => {
  it('keeps the score in [0, 100] and respects the pause hysteresis', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 40 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(...Object.values(PRESETS).map((p) => p.health)),
        (events, paused, isNewContact, config) => {
          const v = evaluateHealth({ events, paused, isNewContact }, config, T);
          expect(v.score).toBeGreaterThanOrEqual(0);
          expect(v.score).toBeLessThanOrEqual(100);
          if (blockedBy(events)) {
            expect(v.paused).toBe(true);
          } else if (paused) {
            expect(v.paused).toBe(v.score > config.resumeAtScore);
          } else {
            expect(v.paused).toBe(v.score >= config.pauseAtScore);
          }
          if (v.paused) expect(v.allowed).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('resumes exactly at retryAtMs when nothing else happens', () => {
    const config: HealthConfig = { ...moderate, memoryMs: Number.MAX_SAFE_INTEGER };
    // Recent and mostly harmful events, so that most runs start paused.
    const noBlock = fc.record({
      type: fc.constantFrom<HealthEventType>(
        'forbidden',
        'spam_limit',
        'quality_low',
        'disconnected',
        'connected',
        'send_ok',
      ),
      atMs: fc.integer({ min: T - 3 * HOUR, max: T }),
    });
    fc.assert(
      fc.property(fc.array(noBlock, { maxLength: 30 }), (events) => {
        const v = evaluateHealth({ events, paused: true, isNewContact: false }, config, T);
        if (!v.paused) return;
        const retryAtMs = v.retryAtMs as number;
        expect(retryAtMs).toBeGreaterThan(T);
        const after = evaluateHealth({ events, paused: true, isNewContact: false }, config, retryAtMs);
        const before = evaluateHealth({ events, paused: true, isNewContact: false }, config, retryAtMs - 1);
        expect(after.paused).toBe(false);
        expect(before.paused).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
