import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INTENTS, STAGES, type Stage } from '../domain/types.ts';
import { advanceFunnel, FUNNEL_CODES, type FunnelInput, STAGE_RANK } from './funnel.ts';

interface Case {
  name: string;
  input: FunnelInput;
  want: { stage: Stage; code: string };
}

const inbound = (stage: Stage, intents: FunnelInput['intents'], hasProduct = false): FunnelInput => ({
  stage,
  direction: 'inbound',
  intents,
  hasProduct,
});

const cases: Case[] = [
  {
    name: 'engages a new contact who writes',
    input: inbound('new', ['greeting']),
    want: { stage: 'engaged', code: 'funnel.advanced' },
  },
  {
    name: 'moves to interested on a price question',
    input: inbound('new', ['price']),
    want: { stage: 'interested', code: 'funnel.advanced' },
  },
  {
    name: 'moves to interested on an availability question',
    input: inbound('engaged', ['availability']),
    want: { stage: 'interested', code: 'funnel.advanced' },
  },
  {
    name: 'moves to interested on a catalogue request',
    input: inbound('engaged', ['catalog']),
    want: { stage: 'interested', code: 'funnel.advanced' },
  },
  {
    name: 'moves to interested when a product is named',
    input: inbound('engaged', ['unknown'], true),
    want: { stage: 'interested', code: 'funnel.advanced' },
  },
  {
    name: 'moves to negotiating on a negotiation',
    input: inbound('interested', ['negotiate'], true),
    want: { stage: 'negotiating', code: 'funnel.advanced' },
  },
  {
    name: 'moves to ordered on an order for a known product',
    input: inbound('interested', ['order'], true),
    want: { stage: 'ordered', code: 'funnel.advanced' },
  },
  {
    name: 'jumps from new straight to ordered',
    input: inbound('new', ['greeting', 'order'], true),
    want: { stage: 'ordered', code: 'funnel.advanced' },
  },
  {
    name: 'stops at interested on an order without a product, and says a product is needed',
    input: inbound('engaged', ['order']),
    want: { stage: 'interested', code: 'funnel.order_needs_product' },
  },
  {
    name: 'keeps ordered on a later price question',
    input: inbound('ordered', ['price'], true),
    want: { stage: 'ordered', code: 'funnel.kept' },
  },
  {
    name: 'keeps negotiating on a greeting',
    input: inbound('negotiating', ['greeting']),
    want: { stage: 'negotiating', code: 'funnel.kept' },
  },
  {
    name: 'keeps engaged on another greeting',
    input: inbound('engaged', ['greeting']),
    want: { stage: 'engaged', code: 'funnel.unchanged' },
  },
  {
    name: 'leaves paid alone on a new order',
    input: inbound('paid', ['order'], true),
    want: { stage: 'paid', code: 'funnel.kept' },
  },
  {
    name: 'leaves fulfilled alone on thanks',
    input: inbound('fulfilled', ['thanks']),
    want: { stage: 'fulfilled', code: 'funnel.kept' },
  },
  {
    name: 'opts out from ordered',
    input: inbound('ordered', ['opt_out']),
    want: { stage: 'opted_out', code: 'funnel.opted_out' },
  },
  {
    name: 'opts out from fulfilled',
    input: inbound('fulfilled', ['opt_out']),
    want: { stage: 'opted_out', code: 'funnel.opted_out' },
  },
  {
    name: 'opts out from new',
    input: inbound('new', ['opt_out']),
    want: { stage: 'opted_out', code: 'funnel.opted_out' },
  },
  {
    name: 'leaves opted_out on opt-in, to engaged',
    input: inbound('opted_out', ['opt_in']),
    want: { stage: 'engaged', code: 'funnel.opted_in' },
  },
  {
    name: 'keeps an opted-out contact opted out when they ask a price',
    input: inbound('opted_out', ['price'], true),
    want: { stage: 'opted_out', code: 'funnel.stays_opted_out' },
  },
  {
    name: 'engages again a lost contact who writes',
    input: inbound('lost', ['greeting']),
    want: { stage: 'engaged', code: 'funnel.reengaged' },
  },
  {
    name: 'brings a lost contact back to interested on a price question',
    input: inbound('lost', ['price']),
    want: { stage: 'interested', code: 'funnel.reengaged' },
  },
  {
    name: 'marks lost when follow-ups are exhausted below ordered',
    input: {
      stage: 'interested',
      direction: 'outbound',
      intents: [],
      hasProduct: false,
      followupsExhausted: true,
    },
    want: { stage: 'lost', code: 'funnel.lost' },
  },
  {
    name: 'does not mark an ordered customer lost when follow-ups are exhausted',
    input: {
      stage: 'ordered',
      direction: 'outbound',
      intents: [],
      hasProduct: true,
      followupsExhausted: true,
    },
    want: { stage: 'ordered', code: 'funnel.unchanged' },
  },
  {
    name: 'does not mark an opted-out contact lost',
    input: {
      stage: 'opted_out',
      direction: 'outbound',
      intents: [],
      hasProduct: false,
      followupsExhausted: true,
    },
    want: { stage: 'opted_out', code: 'funnel.unchanged' },
  },
  {
    name: 'does not move on an ordinary outbound message',
    input: { stage: 'engaged', direction: 'outbound', intents: ['price'], hasProduct: true },
    want: { stage: 'engaged', code: 'funnel.unchanged' },
  },
];

describe('advanceFunnel', () => {
  it.each(cases)('$name', ({ input, want }) => {
    const v = advanceFunnel(input);
    expect(v.stage).toBe(want.stage);
    expect(v.previous).toBe(input.stage);
    expect(v.changed).toBe(want.stage !== input.stage);
    expect(v.reasons.map((r) => r.code)).toContain(want.code);
  });

  it('ranks the forward stages in order', () => {
    const forward: Stage[] = ['new', 'engaged', 'interested', 'negotiating', 'ordered', 'paid', 'fulfilled'];
    for (let i = 1; i < forward.length; i++) {
      expect(STAGE_RANK[forward[i] as Stage]).toBeGreaterThan(STAGE_RANK[forward[i - 1] as Stage]);
    }
  });

  it('never lowers STAGE_RANK except to opted_out or lost (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...STAGES),
        fc.constantFrom<FunnelInput['direction']>('inbound', 'outbound'),
        fc.uniqueArray(fc.constantFrom(...INTENTS), { maxLength: 4 }),
        fc.boolean(),
        fc.option(fc.boolean(), { nil: undefined }),
        (stage, direction, intents, hasProduct, followupsExhausted) => {
          const v = advanceFunnel({ stage, direction, intents, hasProduct, followupsExhausted });
          if (v.stage !== 'opted_out' && v.stage !== 'lost') {
            expect(STAGE_RANK[v.stage]).toBeGreaterThanOrEqual(STAGE_RANK[stage]);
          }
          // opted_out is only left through an opt-in.
          if (stage === 'opted_out' && v.stage !== 'opted_out') expect(intents).toContain('opt_in');
          for (const r of v.reasons) expect(FUNNEL_CODES).toContain(r.code);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
