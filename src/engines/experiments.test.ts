import { describe, expect, it } from 'vitest';
import { parseContext } from './context.ts';
import { decide } from './decide.ts';
import {
  assignVariant,
  type Experiment,
  evaluateExperiment,
  experimentFor,
  type VariantCounts,
} from './experiments.ts';

const experiment: Experiment = {
  id: 'prix-2026',
  template: 'price',
  variants: [
    { id: 'a', text: { fr: 'Le {{product}} est à {{price}}.' } },
    { id: 'b', text: { fr: '{{product}} : {{price}}, livré demain !' } },
  ],
  minSample: 3,
};

const counts = (variantId: string, contacts: number, replied: number, ordered: number): VariantCounts => ({
  variantId,
  contacts,
  repliedWithin24h: replied,
  orderedWithinWindow: ordered,
  optedOut: 0,
});

describe('assignVariant', () => {
  it('gives a contact the same variant every time', () => {
    for (let i = 0; i < 50; i++) {
      const id = `ctc_${i}`;
      expect(assignVariant(experiment, id).id).toBe(assignVariant(experiment, id).id);
    }
  });

  it('splits contacts about evenly, and by weight when weights are given', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `ctc_contact${i}`);
    const share = (e: Experiment, variant: string) =>
      ids.filter((id) => assignVariant(e, id).id === variant).length / ids.length;
    expect(share(experiment, 'a')).toBeGreaterThan(0.45);
    expect(share(experiment, 'a')).toBeLessThan(0.55);
    const weighted: Experiment = {
      ...experiment,
      variants: [
        { id: 'a', text: { fr: 'x' }, weight: 3 },
        { id: 'b', text: { fr: 'y' }, weight: 1 },
      ],
    };
    expect(share(weighted, 'a')).toBeGreaterThan(0.7);
    expect(share(weighted, 'a')).toBeLessThan(0.8);
  });

  it('draws independently per experiment (the same contact is not always in the first arm)', () => {
    const other = { ...experiment, id: 'relance-2026' };
    const ids = Array.from({ length: 400 }, (_, i) => `ctc_${i}`);
    const same = ids.filter((id) => assignVariant(experiment, id).id === assignVariant(other, id).id).length;
    expect(same / ids.length).toBeGreaterThan(0.35);
    expect(same / ids.length).toBeLessThan(0.65);
  });
});

describe('experimentFor', () => {
  it('finds the active experiment on a template, never a stopped one', () => {
    expect(experimentFor([experiment], 'price')?.id).toBe('prix-2026');
    expect(experimentFor([{ ...experiment, active: false }], 'price')).toBeNull();
    expect(experimentFor([experiment], 'followup_1')).toBeNull();
  });
});

describe('evaluateExperiment', () => {
  it('says not enough data while a variant is below the minimum sample, and names no leader', () => {
    const verdict = evaluateExperiment(experiment, [counts('a', 3, 3, 3), counts('b', 2, 0, 0)]);
    expect(verdict).toMatchObject({ status: 'not_enough_data', leader: null, minSample: 3 });
  });

  it('counts a variant nobody received as zero contacts with no rates', () => {
    const verdict = evaluateExperiment(experiment, [counts('a', 5, 1, 0)]);
    expect(verdict.variants[1]).toMatchObject({
      variantId: 'b',
      contacts: 0,
      replyRate: null,
      orderRate: null,
    });
    expect(verdict.status).toBe('not_enough_data');
  });

  it('leads with the best order rate, then the best reply rate, and names none on a tie', () => {
    expect(evaluateExperiment(experiment, [counts('a', 10, 9, 1), counts('b', 10, 2, 3)])).toMatchObject({
      status: 'ready',
      leader: 'b',
    });
    expect(evaluateExperiment(experiment, [counts('a', 10, 9, 2), counts('b', 20, 4, 4)]).leader).toBe('a');
    expect(evaluateExperiment(experiment, [counts('a', 10, 5, 2), counts('b', 20, 10, 4)]).leader).toBeNull();
  });

  it('gives rates as shares of the contacts', () => {
    const [a] = evaluateExperiment(experiment, [{ ...counts('a', 4, 2, 1), optedOut: 1 }]).variants;
    expect(a).toMatchObject({ replyRate: 0.5, orderRate: 0.25, optOutRate: 0.25 });
  });
});

describe('decide() with an experiment on a template', () => {
  const ab: Experiment = {
    id: 'accueil',
    template: 'greeting',
    variants: [
      { id: 'a', text: { fr: 'VARIANTE-A Bonjour !' } },
      { id: 'b', text: { fr: 'VARIANTE-B Bienvenue !' } },
    ],
  };
  const decideFor = (contactId: string, experiments: Experiment[]) =>
    decide(
      parseContext({
        now: '2026-11-27T10:15:00Z',
        channel: { id: 'chn_1', createdAt: '2026-09-01T08:00:00Z', timezone: 'Africa/Abidjan' },
        contact: { id: contactId, phone: '+2250701020304' },
        message: { id: `wamid.${contactId}`, text: 'Bonjour' },
        catalog: [{ id: 'prd_sac', name: 'Sac noir', price: 15000, currency: 'XOF', stock: 3 }],
        playbook: { experiments },
      }),
    );

  it("answers with the contact's assigned variant and says which in the decision", () => {
    for (const contactId of ['ctc_1', 'ctc_2', 'ctc_3', 'ctc_4', 'ctc_5', 'ctc_6']) {
      const d = decideFor(contactId, [ab]);
      const variant = assignVariant(ab, contactId).id;
      expect(d.experiment).toEqual({ id: 'accueil', variantId: variant });
      expect(d.text).toContain(`VARIANTE-${variant.toUpperCase()}`);
    }
  });

  it('uses the normal template and records no variant when the experiment is stopped', () => {
    const d = decideFor('ctc_1', [{ ...ab, active: false }]);
    expect(d.experiment).toBeUndefined();
    expect(d.text).not.toContain('VARIANTE');
  });
});
