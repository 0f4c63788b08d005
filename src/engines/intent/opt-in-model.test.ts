import { describe, expect, it } from 'vitest';
import { biasModel as biasModelFor, unreadConsentAnalysis } from '../../../test/support/intent-model.ts';
import { normalizeText } from '../text.ts';
import { type Analysis, classify, OPT_IN_MODEL_THRESHOLD } from './detect.ts';
import type { IntentModel } from './model.ts';
import { optInLike } from './rules.ts';

// Written for these tests (none comes from a corpus): requests to receive our promotions in words no
// exact rule needs to know, and sentences naming promotions that are no such request.
const CUES = [
  'Je veux bénéficier des promos par WhatsApp',
  'Send me promo updates',
  'Ma voisine reçoit vos promos, moi aussi je veux',
  'Please include me when you send the next promo',
  'Je veux suivre vos soldes',
];
const TRAPS = [
  'Je ne veux plus de vos promos',
  'No more promo updates please',
  'Stop the promos',
  'La promo est à combien ?',
  'How much is the discount on the fan?',
  'La promo finit jusqu’à quand ?',
  'Retirez-moi de la liste des promos',
  'Je veux la robe rouge',
  'Vous avez reçu mon paiement ?',
];

describe('optInLike', () => {
  for (const text of CUES)
    it(`reads an opt-in cue without a trap: ${text}`, () =>
      expect(optInLike(normalizeText(text))).toBe(true));
  for (const text of TRAPS)
    it(`sees a trap or no cue: ${text}`, () => expect(optInLike(normalizeText(text))).toBe(false));
});

function biasModel(probability: number): IntentModel {
  return biasModelFor('opt_in', probability);
}

function analysis(like: boolean): Analysis {
  return unreadConsentAnalysis(
    like ? 'Je veux bénéficier des promos par WhatsApp' : 'On se voit demain au marché',
  );
}

describe('model-backed opt-in', () => {
  const cases: { name: string; like: boolean; p: number; want: string; code: string }[] = [
    {
      name: 'opts in with an opt-in cue and a model at the threshold',
      like: true,
      p: OPT_IN_MODEL_THRESHOLD + 0.01,
      want: 'opt_in',
      code: 'intent.opt_in_model',
    },
    {
      name: 'only asks when the model is below the threshold',
      like: true,
      p: OPT_IN_MODEL_THRESHOLD - 0.05,
      want: 'unknown',
      code: 'intent.model',
    },
    {
      name: 'never opts in without an opt-in cue, however sure the model',
      like: false,
      p: 0.99,
      want: 'unknown',
      code: 'intent.model',
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const out = classify(analysis(c.like), biasModel(c.p));
      expect(out.intent).toBe(c.want);
      expect(out.reason.code).toBe(c.code);
      if (c.want !== 'opt_in') expect(out.unconfirmedConsent).toBe('opt_in');
    });
});
