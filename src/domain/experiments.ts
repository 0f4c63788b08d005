/**
 * A/B experiments on the seller's templates (issue 15.7): the shape the playbook stores and the API
 * validates. Assignment and outcomes are in src/engines/experiments.ts.
 */

import { type Static, Type } from '@sinclair/typebox';

const TemplateText = Type.Union([
  Type.String({ minLength: 1, maxLength: 4096 }),
  Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), { minItems: 1, maxItems: 20 }),
]);

export const ExperimentVariantSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,19}$', description: 'Stable variant id, e.g. "a"' }),
    text: Type.Object(
      { fr: Type.Optional(TemplateText), en: Type.Optional(TemplateText) },
      { additionalProperties: false, description: 'The template text of this variant per language' },
    ),
    weight: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 100, description: 'Relative share; default 1' }),
    ),
  },
  { additionalProperties: false },
);

export const ExperimentSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$', description: 'Stable experiment id' }),
    template: Type.String({
      pattern: '^[a-z_0-9]+$',
      description: 'The template it replaces: an intent (price, order…) or followup_1…3',
    }),
    variants: Type.Array(ExperimentVariantSchema, { minItems: 2, maxItems: 5 }),
    active: Type.Optional(
      Type.Boolean({ description: 'Default true; false stops assigning, keeps results' }),
    ),
    minSample: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100_000,
        description: 'Contacts per variant before a verdict; default 30',
      }),
    ),
    orderWindowDays: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 90,
        description: 'An order within this many days counts; default 7',
      }),
    ),
  },
  { additionalProperties: false },
);

export type ExperimentVariant = Static<typeof ExperimentVariantSchema>;
export type Experiment = Static<typeof ExperimentSchema>;

/** What the store counts for one variant of an experiment (engines/experiments.ts judges it). */
export interface VariantCounts {
  variantId: string;
  /** Contacts who received this variant. */
  contacts: number;
  repliedWithin24h: number;
  orderedWithinWindow: number;
  optedOut: number;
}
