import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PacingConfig, PRESETS } from './config.ts';
import {
  evaluatePacing,
  PACING_CODES,
  type PacingInput,
  type PacingVerdict,
  pacingBounds,
} from './pacing.ts';

const moderate = PRESETS.moderate.pacing;
const NOW_MS = Date.UTC(2026, 2, 10, 14, 0, 0);

function input(partial: Partial<PacingInput> = {}): PacingInput {
  return {
    seed: 'chn_1|ctc_1|msg_1',
    textLength: 40,
    isNewChat: false,
    delayFactor: 1,
    includeReadDelay: false,
    pairMinGapMs: 6000,
    ...partial,
  };
}

/** Each case checks its guarantee on the verdict; `codes` lists the reasons expected, in order. */
interface Case {
  name: string;
  input: PacingInput;
  config: PacingConfig;
  nowMs: number;
  codes: string[];
  check: (v: PacingVerdict) => void;
}

const unconstrainedSum = (v: PacingVerdict): number =>
  v.readDelayMs + v.gapMs + v.newChatExtraMs + v.typingMs;

const cases: Case[] = [
  {
    name: 'sends a business-initiated message after gap + typing, with no read delay',
    input: input(),
    config: moderate,
    nowMs: NOW_MS,
    codes: ['pacing.gap', 'pacing.typing'],
    check: (v) => {
      expect(v.readDelayMs).toBe(0);
      expect(v.newChatExtraMs).toBe(0);
      expect(v.sendAtMs).toBe(NOW_MS + v.gapMs + v.typingMs);
      expect(v.delayMs).toBe(v.sendAtMs - NOW_MS);
    },
  },
  {
    name: 'adds a read delay within [200, 8000] ms before a reply',
    input: input({ includeReadDelay: true }),
    config: moderate,
    nowMs: NOW_MS,
    codes: ['pacing.read_delay', 'pacing.gap', 'pacing.typing'],
    check: (v) => {
      expect(v.readDelayMs).toBeGreaterThanOrEqual(200);
      expect(v.readDelayMs).toBeLessThanOrEqual(8000);
      expect(v.delayMs).toBe(unconstrainedSum(v));
    },
  },
  {
    name: 'adds 2–4 s before the first message to a new chat',
    input: input({ isNewChat: true }),
    config: moderate,
    nowMs: NOW_MS,
    codes: ['pacing.gap', 'pacing.new_chat', 'pacing.typing'],
    check: (v) => {
      expect(v.newChatExtraMs).toBeGreaterThanOrEqual(2000);
      expect(v.newChatExtraMs).toBeLessThanOrEqual(4000);
      expect(v.delayMs).toBe(unconstrainedSum(v));
    },
  },
  {
    name: 'types between typingMinMs and typingMinMs + 15 % for an empty text',
    input: input({ textLength: 0 }),
    config: moderate,
    nowMs: NOW_MS,
    codes: ['pacing.gap', 'pacing.typing'],
    // 500 ms planned is raised to the 600 ms floor, then jittered by ±15 % and floored again.
    check: (v) => {
      expect(v.typingMs).toBeGreaterThanOrEqual(600);
      expect(v.typingMs).toBeLessThanOrEqual(690);
    },
  },
  {
    name: 'caps typing at typingMaxMs for a very long text',
    input: input({ textLength: 4096 }),
    config: moderate,
    nowMs: NOW_MS,
    codes: ['pacing.gap', 'pacing.typing'],
    check: (v) => {
      expect(v.typingMs).toBeGreaterThanOrEqual(6800);
      expect(v.typingMs).toBeLessThanOrEqual(8000);
    },
  },
  {
    name: 'types 500 + 45 ms per character within ±15 % for a 100-character text',
    input: input({ textLength: 100 }),
    config: moderate,
    nowMs: NOW_MS,
    codes: ['pacing.gap', 'pacing.typing'],
    check: (v) => {
      expect(v.typingMs).toBeGreaterThanOrEqual(Math.round(5000 * 0.85));
      expect(v.typingMs).toBeLessThanOrEqual(Math.round(5000 * 1.15));
    },
  },
  {
    name: 'starts counting at startAtMs when the window opens later, and says so',
    input: input({ startAtMs: NOW_MS + 3_600_000 }),
    config: moderate,
    nowMs: NOW_MS,
    codes: ['pacing.window_start', 'pacing.gap', 'pacing.typing'],
    check: (v) => {
      expect(v.sendAtMs).toBe(NOW_MS + 3_600_000 + v.gapMs + v.typingMs);
      expect(v.delayMs).toBe(3_600_000 + v.gapMs + v.typingMs);
    },
  },
  {
    name: 'ignores a startAtMs in the past',
    input: input({ startAtMs: NOW_MS - 60_000 }),
    config: moderate,
    nowMs: NOW_MS,
    codes: ['pacing.gap', 'pacing.typing'],
    check: (v) => expect(v.sendAtMs).toBe(NOW_MS + v.gapMs + v.typingMs),
  },
  {
    name: 'keeps the channel gap after a send already scheduled 30 s from now',
    input: input({ lastSentAtMs: NOW_MS + 30_000, includeReadDelay: true }),
    config: moderate,
    nowMs: NOW_MS,
    codes: ['pacing.read_delay', 'pacing.gap', 'pacing.typing', 'pacing.channel_gap'],
    check: (v) => expect(v.sendAtMs).toBe(NOW_MS + 30_000 + v.gapMs + v.typingMs),
  },
  {
    name: 'does not report the channel gap when the last send was long ago',
    input: input({ lastSentAtMs: NOW_MS - 600_000 }),
    config: moderate,
    nowMs: NOW_MS,
    codes: ['pacing.gap', 'pacing.typing'],
    check: (v) => expect(v.sendAtMs).toBe(NOW_MS + v.gapMs + v.typingMs),
  },
  {
    name: 'waits for the pair gap when the recipient got a message just now and the pair gap is 60 s',
    input: input({ recipientLastOutboundAtMs: NOW_MS, pairMinGapMs: 60_000 }),
    config: moderate,
    nowMs: NOW_MS,
    codes: ['pacing.gap', 'pacing.typing', 'pacing.pair_gap'],
    check: (v) => {
      expect(v.sendAtMs).toBe(NOW_MS + 60_000);
      expect(v.delayMs).toBe(60_000);
    },
  },
  {
    name: 'reports the later of the channel and pair constraints when both push the send back',
    input: input({
      lastSentAtMs: NOW_MS + 30_000,
      recipientLastOutboundAtMs: NOW_MS + 30_000,
      pairMinGapMs: 120_000,
    }),
    config: moderate,
    nowMs: NOW_MS,
    codes: ['pacing.gap', 'pacing.typing', 'pacing.pair_gap'],
    check: (v) => expect(v.sendAtMs).toBe(NOW_MS + 150_000),
  },
  {
    name: 'does not report the pair gap when the recipient last got a message long ago',
    input: input({ recipientLastOutboundAtMs: NOW_MS - 60_000 }),
    config: moderate,
    nowMs: NOW_MS,
    codes: ['pacing.gap', 'pacing.typing'],
    check: (v) => expect(v.sendAtMs).toBe(NOW_MS + v.gapMs + v.typingMs),
  },
  {
    name: 'uses the conservative gap range of 3–9 s',
    input: input(),
    config: PRESETS.conservative.pacing,
    nowMs: NOW_MS,
    codes: ['pacing.gap', 'pacing.typing'],
    check: (v) => {
      expect(v.gapMs).toBeGreaterThanOrEqual(3000);
      expect(v.gapMs).toBeLessThanOrEqual(9000);
    },
  },
];

describe('evaluatePacing', () => {
  it.each(cases)('$name', ({ input: caseInput, config, nowMs, codes, check }) => {
    const verdict = evaluatePacing(caseInput, config, nowMs);
    expect(verdict.reasons.map((r) => r.code)).toEqual(codes);
    for (const r of verdict.reasons) {
      expect(r.engine).toBe('pacing');
      expect(PACING_CODES).toContain(r.code);
    }
    for (const ms of [
      verdict.readDelayMs,
      verdict.gapMs,
      verdict.newChatExtraMs,
      verdict.typingMs,
      verdict.sendAtMs,
    ]) {
      expect(Number.isInteger(ms)).toBe(true);
    }
    check(verdict);
  });

  it('gives the same verdict for the same seed', () => {
    const a = evaluatePacing(input({ includeReadDelay: true, isNewChat: true }), moderate, NOW_MS);
    const b = evaluatePacing(input({ includeReadDelay: true, isNewChat: true }), moderate, NOW_MS);
    expect(b).toEqual(a);
  });

  it('draws different timings for different seeds', () => {
    const verdicts = Array.from({ length: 50 }, (_, i) =>
      evaluatePacing(
        input({ seed: `chn_1|ctc_1|msg_${i}`, includeReadDelay: true, isNewChat: true }),
        moderate,
        NOW_MS,
      ),
    );
    for (const field of ['readDelayMs', 'gapMs', 'typingMs', 'newChatExtraMs'] as const) {
      expect(new Set(verdicts.map((v) => v[field])).size).toBeGreaterThan(40);
    }
  });

  it('keeps the gap of a seed when the read delay or the new-chat wait is switched on', () => {
    const plain = evaluatePacing(input(), moderate, NOW_MS);
    const full = evaluatePacing(input({ includeReadDelay: true, isNewChat: true }), moderate, NOW_MS);
    expect(full.gapMs).toBe(plain.gapMs);
    expect(full.typingMs).toBe(plain.typingMs);
  });

  it('never types a longer text faster than a shorter one for the same seed', () => {
    const typing = [0, 10, 50, 100, 200, 500].map(
      (textLength) => evaluatePacing(input({ textLength }), moderate, NOW_MS).typingMs,
    );
    expect(typing).toEqual([...typing].sort((x, y) => x - y));
    expect(typing[0]).toBeLessThan(typing[typing.length - 1] ?? 0);
  });

  it('doubles the gap, within rounding, when the delay factor is 2', () => {
    const once = evaluatePacing(input(), moderate, NOW_MS);
    const twice = evaluatePacing(input({ delayFactor: 2 }), moderate, NOW_MS);
    expect(Math.abs(twice.gapMs - 2 * once.gapMs)).toBeLessThanOrEqual(1);
  });

  it.each([
    {
      name: 'throws on a delay factor below 1, which would pace under the minimum gap',
      patch: { delayFactor: 0.5 },
    },
    { name: 'throws on a NaN delay factor', patch: { delayFactor: Number.NaN } },
    { name: 'throws on a negative text length', patch: { textLength: -1 } },
  ])('$name', ({ patch }) => {
    expect(() => evaluatePacing(input(patch), moderate, NOW_MS)).toThrow(RangeError);
  });

  it('reaches but never crosses the edges of each range over 5000 seeds (the clamps are real)', () => {
    const verdicts = Array.from({ length: 5000 }, (_, i) =>
      evaluatePacing(
        input({ seed: `edge_${i}`, includeReadDelay: true, isNewChat: true, textLength: 170 }),
        moderate,
        NOW_MS,
      ),
    );
    const range = (field: 'readDelayMs' | 'gapMs' | 'typingMs') => {
      const values = verdicts.map((v) => v[field]);
      return [Math.min(...values), Math.max(...values)];
    };
    // N(1500, 800) falls under 200 ms about 5 % of the time: those draws sit exactly on the floor.
    expect(range('readDelayMs')[0]).toBe(200);
    expect(range('readDelayMs')[1]).toBeLessThanOrEqual(8000);
    // The truncated Gaussian is clamped at ±3 sd: a few draws in 5000 land on each edge.
    expect(range('gapMs')).toEqual([2500, 7000]);
    // 500 + 45 × 170 = 8150 ms is over the 8000 ms cap before jitter; jitter up is clamped back to it.
    expect(range('typingMs')[1]).toBe(8000);
    expect(range('typingMs')[0]).toBeGreaterThanOrEqual(6800);
  });

  it('throws on a config whose gap minimum exceeds its maximum', () => {
    expect(() => evaluatePacing(input(), { ...moderate, gapMinMs: 8000 }, NOW_MS)).toThrow(RangeError);
  });
});

describe('pacingBounds', () => {
  it.each([
    {
      name: 'bounds the moderate delay to 3.1–27 s at factor 1',
      config: moderate,
      f: 1,
      want: { minDelayMs: 3100, maxDelayMs: 27_000 },
    },
    {
      name: 'scales only the gap part of the bounds by the factor (×1.5)',
      config: moderate,
      f: 1.5,
      want: { minDelayMs: 4350, maxDelayMs: 30_500 },
    },
    {
      name: 'bounds the conservative delay to 3.6–29 s at factor 1',
      config: PRESETS.conservative.pacing,
      f: 1,
      want: { minDelayMs: 3600, maxDelayMs: 29_000 },
    },
    {
      name: 'rounds fractional gap bounds inward (2500 × 1.0001 → 2501)',
      config: moderate,
      f: 1.0001,
      want: { minDelayMs: 3101, maxDelayMs: 27_000 },
    },
  ])('$name', ({ config, f, want }) => {
    expect(pacingBounds(config, f)).toEqual(want);
  });
});

describe('pacing properties', () => {
  const presetArb = fc.constantFrom(
    PRESETS.conservative.pacing,
    PRESETS.moderate.pacing,
    PRESETS.aggressive.pacing,
  );
  const inputArb = fc.record({
    seed: fc.string({ minLength: 1, maxLength: 40 }),
    textLength: fc.nat(5000),
    isNewChat: fc.boolean(),
    delayFactor: fc.double({ min: 1, max: 8, noNaN: true }),
    includeReadDelay: fc.boolean(),
    pairMinGapMs: fc.integer({ min: 0, max: 60_000 }),
  });
  const nowArb = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 0, 1) });

  it('keeps every component inside its configured range and the delay inside pacingBounds when unconstrained', () => {
    fc.assert(
      fc.property(presetArb, inputArb, nowArb, (config, pacingInput, nowMs) => {
        const v = evaluatePacing(pacingInput, config, nowMs);
        const f = pacingInput.delayFactor;
        expect(v.typingMs).toBeGreaterThanOrEqual(config.typingMinMs);
        expect(v.typingMs).toBeLessThanOrEqual(config.typingMaxMs);
        if (pacingInput.includeReadDelay) {
          expect(v.readDelayMs).toBeGreaterThanOrEqual(config.readDelayMinMs);
          expect(v.readDelayMs).toBeLessThanOrEqual(config.readDelayMaxMs);
        } else {
          expect(v.readDelayMs).toBe(0);
        }
        expect(v.gapMs).toBeGreaterThanOrEqual(config.gapMinMs * f);
        expect(v.gapMs).toBeLessThanOrEqual(config.gapMaxMs * f);
        const { minDelayMs, maxDelayMs } = pacingBounds(config, f);
        expect(v.delayMs).toBeGreaterThanOrEqual(minDelayMs);
        expect(v.delayMs).toBeLessThanOrEqual(maxDelayMs);
        expect(v.typingMs).toBeLessThanOrEqual(v.delayMs);
      }),
      { numRuns: 1000 },
    );
  });

  it('never sends to a recipient before its pair gap, nor before the channel gap, nor before the typing time', () => {
    fc.assert(
      fc.property(
        presetArb,
        inputArb,
        nowArb,
        fc.integer({ min: -120_000, max: 120_000 }),
        fc.integer({ min: -120_000, max: 120_000 }),
        fc.integer({ min: -120_000, max: 3_600_000 }),
        (config, pacingInput, nowMs, recipientOffsetMs, channelOffsetMs, startOffsetMs) => {
          const recipientLastOutboundAtMs = nowMs + recipientOffsetMs;
          const lastSentAtMs = nowMs + channelOffsetMs;
          const startAtMs = nowMs + startOffsetMs;
          const v = evaluatePacing(
            { ...pacingInput, recipientLastOutboundAtMs, lastSentAtMs, startAtMs },
            config,
            nowMs,
          );
          expect(v.sendAtMs).toBeGreaterThanOrEqual(recipientLastOutboundAtMs + pacingInput.pairMinGapMs);
          expect(v.sendAtMs).toBeGreaterThanOrEqual(lastSentAtMs + v.gapMs + v.typingMs);
          expect(v.sendAtMs).toBeGreaterThanOrEqual(Math.max(nowMs, startAtMs) + unconstrainedSum(v));
          expect(v.typingMs).toBeLessThanOrEqual(v.delayMs);
          expect(v.delayMs).toBe(v.sendAtMs - nowMs);
        },
      ),
    );
  });

  it('gives the same verdict twice for any seed', () => {
    fc.assert(
      fc.property(presetArb, inputArb, nowArb, (config, pacingInput, nowMs) => {
        expect(evaluatePacing(pacingInput, config, nowMs)).toEqual(
          evaluatePacing(pacingInput, config, nowMs),
        );
      }),
    );
  });
});
