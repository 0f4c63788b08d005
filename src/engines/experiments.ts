/**
 * A/B messages (issue 15.7): a seller tries two or more wordings of one reply or follow-up template
 * and reads which one sells. This is not the anti-ban wording variation (variation.ts), which
 * spins each text so that no two sends are identical; an experiment holds one contact to one
 * variant for the whole conversation and measures outcomes per variant.
 *
 * - Assignment is deterministic per contact: a seeded draw from (experiment id, contact id) picks a
 *   variant by weight, so the same customer always gets the same wording, on every instance, and a
 *   restart changes nothing.
 * - Outcomes per variant: the contacts who received it (first send of the variant to them counts),
 *   how many replied within 24 h, ordered within `orderWindowDays`, or opted out. Below
 *   `minSample` contacts per variant, the verdict says "not enough data yet" instead of a winner.
 *
 * Pure: the store counts, this file decides.
 */

import { createRng } from './prng.ts';

export {
  type Experiment,
  ExperimentSchema,
  type ExperimentVariant,
  ExperimentVariantSchema,
  type VariantCounts,
} from '../domain/experiments.ts';

import type { Experiment, ExperimentVariant, VariantCounts } from '../domain/experiments.ts';

export const DEFAULT_MIN_SAMPLE = 30;
export const DEFAULT_ORDER_WINDOW_DAYS = 7;
export const REPLY_WINDOW_MS = 24 * 60 * 60_000;

/** The variant a contact gets: the same for the same (experiment, contact), weighted. */
export function assignVariant(experiment: Experiment, contactId: string): ExperimentVariant {
  const weights = experiment.variants.map((v) => v.weight ?? 1);
  const total = weights.reduce((a, b) => a + b, 0);
  let draw = createRng('experiment', experiment.id, contactId).next() * total;
  for (const [i, variant] of experiment.variants.entries()) {
    draw -= weights[i] ?? 1;
    if (draw < 0) return variant;
  }
  const last = experiment.variants[experiment.variants.length - 1];
  if (last === undefined) throw new RangeError(`experiment ${experiment.id} has no variants`);
  return last;
}

/** The active experiment on a template, if any (the first one listed wins). */
export function experimentFor(experiments: readonly Experiment[], template: string): Experiment | null {
  return experiments.find((e) => e.template === template && e.active !== false) ?? null;
}

/** What the store counted for one variant. */
export interface VariantOutcome extends VariantCounts {
  /** Shares of `contacts`, 0–1; null without contacts. */
  replyRate: number | null;
  orderRate: number | null;
  optOutRate: number | null;
}

export interface ExperimentVerdict {
  experimentId: string;
  /** `not_enough_data` until every variant has minSample contacts. */
  status: 'not_enough_data' | 'ready';
  minSample: number;
  variants: VariantOutcome[];
  /** With status ready: the variant with the best order rate (then reply rate), null on a tie. */
  leader: string | null;
}

const rate = (n: number, of: number): number | null => (of === 0 ? null : n / of);

export function evaluateExperiment(
  experiment: Experiment,
  counts: readonly VariantCounts[],
): ExperimentVerdict {
  const minSample = experiment.minSample ?? DEFAULT_MIN_SAMPLE;
  const variants: VariantOutcome[] = experiment.variants.map((v) => {
    const c = counts.find((x) => x.variantId === v.id) ?? {
      variantId: v.id,
      contacts: 0,
      repliedWithin24h: 0,
      orderedWithinWindow: 0,
      optedOut: 0,
    };
    return {
      ...c,
      replyRate: rate(c.repliedWithin24h, c.contacts),
      orderRate: rate(c.orderedWithinWindow, c.contacts),
      optOutRate: rate(c.optedOut, c.contacts),
    };
  });
  const ready = variants.every((v) => v.contacts >= minSample);
  let leader: string | null = null;
  if (ready) {
    const score = (v: VariantOutcome) => [v.orderRate ?? 0, v.replyRate ?? 0] as const;
    const sorted = [...variants].sort((a, b) => {
      const [ao, ar] = score(a);
      const [bo, br] = score(b);
      return bo - ao || br - ar;
    });
    const [first, second] = sorted;
    if (first && second) {
      const [fo, fr] = score(first);
      const [so, sr] = score(second);
      leader = fo === so && fr === sr ? null : first.variantId;
    }
  }
  return {
    experimentId: experiment.id,
    status: ready ? 'ready' : 'not_enough_data',
    minSample,
    variants,
    leader,
  };
}
