import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INTENTS, type SendKind } from '../domain/types.ts';
import { CONSENT_CODES, type ConsentAction, type ConsentInput, evaluateConsent } from './consent.ts';

interface Case {
  name: string;
  input: ConsentInput;
  want: { allowed: boolean; action: ConsentAction; optedOut: boolean; code: string };
}

const base = { optedOut: false, optedIn: false, hasHistory: true };

const cases: Case[] = [
  {
    name: 'confirms an opt-out once and records it',
    input: { ...base, kind: 'reply', inboundIntent: 'opt_out' },
    want: { allowed: true, action: 'confirm_opt_out', optedOut: true, code: 'consent.opt_out_confirm' },
  },
  {
    name: 'stays silent on a second STOP from an opted-out contact',
    input: { ...base, kind: 'reply', optedOut: true, inboundIntent: 'opt_out' },
    want: { allowed: false, action: 'silent', optedOut: true, code: 'consent.already_opted_out' },
  },
  {
    name: 'confirms an opt-in from an opted-out contact and clears the opt-out',
    input: { ...base, kind: 'reply', optedOut: true, inboundIntent: 'opt_in' },
    want: { allowed: true, action: 'confirm_opt_in', optedOut: false, code: 'consent.opt_in_confirm' },
  },
  {
    name: 'confirms an opt-in from a contact who never opted out',
    input: { ...base, kind: 'reply', inboundIntent: 'opt_in' },
    want: { allowed: true, action: 'confirm_opt_in', optedOut: false, code: 'consent.opt_in_confirm' },
  },
  {
    name: 'answers a question from an opted-out contact and keeps them opted out',
    input: { ...base, kind: 'reply', optedOut: true, inboundIntent: 'price' },
    want: { allowed: true, action: 'reply_only', optedOut: true, code: 'consent.opted_out_reply_only' },
  },
  {
    name: 'stays silent when an opted-out contact only says thank you (it acknowledges the confirmation)',
    input: { ...base, kind: 'reply', optedOut: true, inboundIntent: 'thanks' },
    want: { allowed: false, action: 'silent', optedOut: true, code: 'consent.opted_out_thanks' },
  },
  {
    name: 'answers a greeting from an opted-out contact: they may be coming back',
    input: { ...base, kind: 'reply', optedOut: true, inboundIntent: 'greeting' },
    want: { allowed: true, action: 'reply_only', optedOut: true, code: 'consent.opted_out_reply_only' },
  },
  {
    name: 'allows an ordinary reply',
    input: { ...base, kind: 'reply', inboundIntent: 'greeting' },
    want: { allowed: true, action: 'allow', optedOut: false, code: 'consent.ok' },
  },
  {
    name: 'allows a reply when the intent is not known',
    input: { ...base, kind: 'reply' },
    want: { allowed: true, action: 'allow', optedOut: false, code: 'consent.ok' },
  },
  {
    name: 'blocks a follow-up to an opted-out contact',
    input: { ...base, kind: 'followup', optedOut: true },
    want: { allowed: false, action: 'block', optedOut: true, code: 'consent.opted_out' },
  },
  {
    name: 'blocks a proactive message to an opted-out contact even with an old opt-in',
    input: { ...base, kind: 'proactive', optedOut: true, optedIn: true },
    want: { allowed: false, action: 'block', optedOut: true, code: 'consent.opted_out' },
  },
  {
    name: 'blocks a cold proactive message without opt-in',
    input: { kind: 'proactive', optedOut: false, optedIn: false, hasHistory: false },
    want: { allowed: false, action: 'block', optedOut: false, code: 'consent.cold_needs_opt_in' },
  },
  {
    name: 'allows a cold proactive message with opt-in',
    input: { kind: 'proactive', optedOut: false, optedIn: true, hasHistory: false },
    want: { allowed: true, action: 'allow', optedOut: false, code: 'consent.ok' },
  },
  {
    name: 'allows a proactive message to a contact with history',
    input: { ...base, kind: 'proactive' },
    want: { allowed: true, action: 'allow', optedOut: false, code: 'consent.ok' },
  },
  {
    name: 'allows a follow-up to a contact who did not opt out',
    input: { ...base, kind: 'followup' },
    want: { allowed: true, action: 'allow', optedOut: false, code: 'consent.ok' },
  },
];

describe('evaluateConsent', () => {
  it.each(cases)('$name', ({ input, want }) => {
    const v = evaluateConsent(input);
    expect({ allowed: v.allowed, action: v.action, optedOut: v.optedOut, code: v.reasons[0]?.code }).toEqual(
      want,
    );
    expect(v.reasons[0]?.engine).toBe('consent');
  });

  it('never allows a follow-up or proactive send to an opted-out contact, and emits only listed codes (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<SendKind>('reply', 'followup', 'proactive'),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.option(fc.constantFrom(...INTENTS), { nil: undefined }),
        (kind, optedOut, optedIn, hasHistory, inboundIntent) => {
          const v = evaluateConsent({ kind, optedOut, optedIn, hasHistory, inboundIntent });
          if (optedOut && kind !== 'reply') expect(v.allowed).toBe(false);
          // Only an opt-in clears an opt-out.
          if (optedOut && inboundIntent !== 'opt_in') expect(v.optedOut).toBe(true);
          for (const r of v.reasons) expect(CONSENT_CODES).toContain(r.code);
        },
      ),
      { numRuns: 500 },
    );
  });
});
