/**
 * The seller's structured selling facts (issue 13): delivery zones with their fees and delays,
 * accepted payment methods, pick-up address. The bot may state a fact only when the seller gave it
 * here (or in the catalogue); one schema serves the decision context, the playbook API and storage.
 * Amounts are in minor units of the catalogue's currency.
 */

import { type Static, Type } from '@sinclair/typebox';

export const PAYMENT_METHODS = [
  'orange_money',
  'wave',
  'mtn_momo',
  'moov_money',
  'cash_on_delivery',
  'bank_transfer',
  'card',
] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

const Label = (description: string) =>
  Type.String({ minLength: 1, maxLength: 80, pattern: '^\\S(?:.*\\S)?$', description });
const Fee = Type.Integer({
  minimum: 0,
  maximum: 1e9,
  description: 'Delivery fee in minor units of the catalogue currency',
});
const Delay = Type.String({
  minLength: 1,
  maxLength: 120,
  description: 'Delivery delay as the seller says it, e.g. "24 h", "le jour même"',
});

export const DeliveryZoneSchema = Type.Object(
  {
    id: Type.String({
      pattern: '^[a-z0-9][a-z0-9_-]{0,39}$',
      description: 'Stable zone id, e.g. "yopougon"',
    }),
    name: Label('Zone or neighbourhood name, e.g. "Yopougon"'),
    aliases: Type.Optional(
      Type.Array(Label('Another spelling or a sub-area'), { maxItems: 20, uniqueItems: true }),
    ),
    fee: Fee,
    delay: Type.Optional(Delay),
  },
  { additionalProperties: false },
);

export const DeliveryFactsSchema = Type.Object(
  {
    zones: Type.Array(DeliveryZoneSchema, {
      maxItems: 200,
      description: 'Named zones with their fee and delay',
    }),
    default: Type.Optional(
      Type.Object(
        { fee: Fee, delay: Type.Optional(Delay) },
        {
          additionalProperties: false,
          description: 'Anywhere else the seller delivers (absent: only the named zones)',
        },
      ),
    ),
  },
  { additionalProperties: false, description: 'Where the seller delivers, for how much and how fast' },
);

export const PaymentFactsSchema = Type.Object(
  {
    methods: Type.Array(Type.Union(PAYMENT_METHODS.map((m) => Type.Literal(m))), {
      minItems: 1,
      maxItems: PAYMENT_METHODS.length,
      uniqueItems: true,
    }),
    details: Type.Optional(
      Type.Record(
        Type.String({ pattern: `^(${PAYMENT_METHODS.join('|')})$` }),
        Type.String({ minLength: 1, maxLength: 300 }),
        {
          description:
            'What the customer needs to pay by a method, e.g. {"orange_money": "07 07 07 07 07 (Awa K.)"}',
        },
      ),
    ),
  },
  { additionalProperties: false, description: 'Payment methods the seller accepts' },
);

export const PickupFactsSchema = Type.Object(
  {
    address: Type.String({ minLength: 1, maxLength: 300 }),
    hours: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false, description: 'Where and when customers can collect an order' },
);

export type DeliveryZone = Static<typeof DeliveryZoneSchema>;
export type DeliveryFacts = Static<typeof DeliveryFactsSchema>;
export type PaymentFacts = Static<typeof PaymentFactsSchema>;
export type PickupFacts = Static<typeof PickupFactsSchema>;

export const LlmSwitchesSchema = Type.Object(
  {
    classify: Type.Optional(
      Type.Boolean({ description: 'Ask the language model to read messages the intent engine is unsure of' }),
    ),
    rephrase: Type.Optional(
      Type.Boolean({
        description: "Let the language model reword replies in the customer's register (facts checked)",
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'The optional language model, per seller (off by default; the operator sets OPENAI_API_KEY)',
  },
);
export type LlmSwitches = Static<typeof LlmSwitchesSchema>;
