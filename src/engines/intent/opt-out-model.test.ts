import { describe, expect, it } from 'vitest';
import { biasModel as biasModelFor, unreadConsentAnalysis } from '../../../test/support/intent-model.ts';
import { normalizeText } from '../text.ts';
import { type Analysis, classify, detectIntent, OPT_OUT_MODEL_THRESHOLD } from './detect.ts';
import type { IntentModel } from './model.ts';
import { optOutLike } from './rules.ts';

// Written for these tests (none comes from a corpus): requests to stop in words no exact rule needs
// to know, and sentences with an opt-out word that are no such request.
const CUES = [
  'Franchement arrêtez, ça devient lourd tous les jours',
  'Je ne veux plus de ça sur mon téléphone',
  'Enough already, every single day',
  'Laissez-moi tranquille avec vos trucs',
  'Stop it, I am tired of this',
  'Please leave me alone',
  'Vous me dérangez chaque matin',
  'I will block this number',
];
const TRAPS = [
  'Je ne veux pas me désabonner, j’aime vos promos',
  'Please don’t stop sending the deals',
  'Je me suis désabonnée par erreur',
  'I unsubscribed by accident',
  'Vous vendez des caméras stop motion ?',
  'C’est loin de l’arrêt de bus ?',
  'La promo s’arrête quand ?',
  'When does the sale stop?',
  'Mon ventilateur s’est arrêté hier',
  'The blender stopped working after two days',
  'Il a arrêté de fonctionner',
  'Je viens retirer mon colis demain',
  'Supprimez le sac de ma commande',
  'Remboursez-moi, j’arrête avec vous',
  'Full stop. Best jollof in town',
  'I can’t stop wearing these shoes',
  'Stop the violence, share this message',
  'Arrête de me vouvoyer stp',
  'Arrêtez, vos robes sont trop belles',
  'Stop it, the price is too good',
  'Stop, tu me fais trop rire',
  'Remettez-moi dans la liste, je l’ai quittée',
];

describe('optOutLike', () => {
  for (const text of CUES)
    it(`reads an opt-out cue without a trap: ${text}`, () =>
      expect(optOutLike(normalizeText(text))).toBe(true));
  for (const text of TRAPS)
    it(`sees a trap or no cue: ${text}`, () => expect(optOutLike(normalizeText(text))).toBe(false));
});

function biasModel(probability: number): IntentModel {
  return biasModelFor('opt_out', probability);
}

function analysis(optOutLikeFlag: boolean): Analysis {
  return unreadConsentAnalysis(
    optOutLikeFlag ? 'Franchement arrêtez, ça devient lourd' : 'On se voit demain au marché',
  );
}

describe('model-backed opt-out on real text', () => {
  it('is not triggered by a joke with laughter', () =>
    expect(
      detectIntent({ text: 'Arrêtez de me demander si je suis satisfaite, oui je le suis 😂', catalog: [] })
        .intent,
    ).not.toBe('opt_out'));
});

describe('model-backed opt-out', () => {
  const cases: { name: string; like: boolean; p: number; want: string; code: string }[] = [
    {
      name: 'opts out with an opt-out cue and a model at the threshold',
      like: true,
      p: OPT_OUT_MODEL_THRESHOLD + 0.01,
      want: 'opt_out',
      code: 'intent.opt_out_model',
    },
    {
      name: 'only asks when the model is below the threshold',
      like: true,
      p: OPT_OUT_MODEL_THRESHOLD - 0.05,
      want: 'unknown',
      code: 'intent.model',
    },
    {
      name: 'never opts out without an opt-out cue, however sure the model',
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
      if (c.want !== 'opt_out') expect(out.unconfirmedConsent).toBe('opt_out');
    });
});

describe('a consent keyword broken by a space', () => {
  const cases: { text: string; want: string }[] = [
    { text: 'STO P', want: 'opt_out' },
    { text: 'st op', want: 'opt_out' },
    { text: 'Désabon ner', want: 'opt_out' },
    { text: 'Sta rt', want: 'opt_in' },
    { text: 'Bon jour', want: 'no consent' },
    { text: 'Ok merci', want: 'no consent' },
    { text: 'A plus', want: 'no consent' },
  ];
  for (const c of cases)
    it(`reads "${c.text}" as ${c.want}`, () => {
      const intent = detectIntent({ text: c.text, catalog: [] }).intent;
      if (c.want === 'no consent') expect(['opt_out', 'opt_in']).not.toContain(intent);
      else expect(intent).toBe(c.want);
    });
});
