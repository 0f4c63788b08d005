import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STAGES, type Transport } from '../domain/types.ts';
import { PRESETS } from './config.ts';
import { FOLLOWUP_CODES, type FollowupInput, type FollowupVerdict, planFollowup } from './followup.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T = Date.UTC(2026, 10, 27, 12, 0, 0);
const config = PRESETS.moderate.followup;

interface Case {
  name: string;
  input: Partial<FollowupInput>;
  want: Partial<Omit<FollowupVerdict, 'reasons'>> & { code: string };
}

/** A customer who wrote 30 min ago, answered 20 min ago, with no follow-up yet: step 0 due at +15 min. */
const base: FollowupInput = {
  transport: 'evolution',
  stage: 'interested',
  optedOut: false,
  followupsSent: 0,
  lastInboundAtMs: T - 30 * MIN,
  lastOutboundAtMs: T - 20 * MIN,
  hasTemplate: false,
};

const cases: Case[] = [
  {
    name: 'is due 15 min after our last message',
    input: {},
    want: { due: true, step: 0, dueAtMs: T - 5 * MIN, code: 'followup.due' },
  },
  {
    name: 'is not due at 14 min, and says when',
    input: { lastOutboundAtMs: T - 14 * MIN },
    want: { due: false, dueAtMs: T + MIN, code: 'followup.not_yet' },
  },
  {
    name: 'is due at exactly +15 min',
    input: { lastOutboundAtMs: T - 15 * MIN },
    want: { due: true, code: 'followup.due' },
  },
  {
    name: 'waits 1 h for the second step',
    input: { followupsSent: 1, lastOutboundAtMs: T - 30 * MIN },
    want: { due: false, step: 1, dueAtMs: T + 30 * MIN, code: 'followup.not_yet' },
  },
  {
    name: 'sends the third step 24 h after our last message',
    input: { followupsSent: 2, lastInboundAtMs: T - 25 * HOUR, lastOutboundAtMs: T - 24 * HOUR },
    want: { due: true, step: 2, code: 'followup.due' },
  },
  {
    name: 'is exhausted after the last step of the ladder',
    input: { followupsSent: 3 },
    want: { due: false, exhausted: true, code: 'followup.exhausted' },
  },
  {
    name: 'never nudges an opted-out contact',
    input: { optedOut: true },
    want: { due: false, code: 'followup.opted_out' },
  },
  {
    name: 'stops once the customer ordered',
    input: { stage: 'ordered' },
    want: { due: false, code: 'followup.converted' },
  },
  {
    name: 'stops once the customer paid',
    input: { stage: 'paid' },
    want: { due: false, code: 'followup.converted' },
  },
  {
    name: 'stops on a lost conversation',
    input: { stage: 'lost' },
    want: { due: false, code: 'followup.closed' },
  },
  {
    name: 'stops on an opted-out stage',
    input: { stage: 'opted_out' },
    want: { due: false, code: 'followup.closed' },
  },
  {
    name: 'has nothing to follow before our first message',
    input: { lastOutboundAtMs: undefined },
    want: { due: false, code: 'followup.nothing_to_follow' },
  },
  {
    name: 'does not nudge when the customer wrote last',
    input: { lastInboundAtMs: T - 10 * MIN },
    want: { due: false, code: 'followup.customer_replied' },
  },
  {
    name: 'sends a free-form follow-up on the Cloud API inside the 24 h window',
    input: { transport: 'cloud' },
    want: { due: true, requiresTemplate: false, code: 'followup.due' },
  },
  {
    name: 'requires a template on the Cloud API after 24 h and sends it when one exists',
    input: {
      transport: 'cloud',
      followupsSent: 2,
      lastInboundAtMs: T - 25 * HOUR,
      lastOutboundAtMs: T - 24 * HOUR,
      hasTemplate: true,
    },
    want: { due: true, requiresTemplate: true, code: 'followup.due_template' },
  },
  {
    name: 'does not send on the Cloud API after 24 h without an approved template',
    input: {
      transport: 'cloud',
      followupsSent: 2,
      lastInboundAtMs: T - 25 * HOUR,
      lastOutboundAtMs: T - 24 * HOUR,
    },
    want: { due: false, requiresTemplate: true, code: 'followup.window_closed_no_template' },
  },
  {
    name: 'requires a template on the Cloud API when the customer never wrote',
    input: { transport: 'cloud', lastInboundAtMs: undefined, hasTemplate: true },
    want: { due: true, requiresTemplate: true, code: 'followup.due_template' },
  },
  {
    name: 'needs no template on other transports after 24 h',
    input: {
      transport: 'waha',
      followupsSent: 2,
      lastInboundAtMs: T - 25 * HOUR,
      lastOutboundAtMs: T - 24 * HOUR,
    },
    want: { due: true, requiresTemplate: false, code: 'followup.due' },
  },
];

describe('planFollowup', () => {
  it.each(cases)('$name', ({ input, want }) => {
    const v = planFollowup({ ...base, ...input }, config, T);
    const { code, ...values } = want;
    for (const [key, value] of Object.entries(values))
      expect(v[key as keyof typeof values], key).toEqual(value);
    expect(v.reasons.map((r) => r.code)).toEqual([code]);
    expect(v.reasons[0]?.engine).toBe('followup');
  });

  it('is never due when opted out or converted, and emits only listed codes (property)', () => {
    const time = fc.option(fc.integer({ min: T - 48 * HOUR, max: T + HOUR }), { nil: undefined });
    fc.assert(
      fc.property(
        fc.record({
          transport: fc.constantFrom<Transport>('cloud', 'evolution', 'waha', 'sandbox'),
          stage: fc.constantFrom(...STAGES),
          optedOut: fc.boolean(),
          followupsSent: fc.nat(5),
          lastInboundAtMs: time,
          lastOutboundAtMs: time,
          hasTemplate: fc.boolean(),
        }),
        (input) => {
          const v = planFollowup(input, config, T);
          if (input.optedOut || ['ordered', 'paid', 'fulfilled'].includes(input.stage))
            expect(v.due).toBe(false);
          if (v.due) {
            expect(v.dueAtMs).toBeLessThanOrEqual(T);
            if (v.requiresTemplate) expect(input.hasTemplate).toBe(true);
          }
          for (const r of v.reasons) expect(FOLLOWUP_CODES).toContain(r.code);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
