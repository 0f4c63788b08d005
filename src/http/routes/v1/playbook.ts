/**
 * The seller's playbook: answer templates per intent and language, facts (location, hours,
 * delivery, payment), the follow-up ladder, the approved Cloud API template for follow-ups after
 * 24 hours, and an away message. The shape is the decision context's `playbook` (so what is
 * stored is exactly what decide() gets), `awayMessage` included. Every template is checked with
 * validateTemplate before it is saved.
 *
 * Storage: the store's playbook row has columns for templates, the ladder, the away message and
 * a JSON `info` object; `sellerName` and `followupTemplate` have no column yet, so they are kept
 * inside `info` beside the facts (toStored here, playbookFields in the store). A migration giving
 * them columns would only change those two functions.
 */

import { type Static, Type } from '@sinclair/typebox';
import { NOTIFIABLE_EVENT_TYPES } from '../../../domain/events.ts';
import {
  DeliveryFactsSchema,
  LlmSwitchesSchema,
  PaymentFactsSchema,
  PickupFactsSchema,
} from '../../../domain/selling.ts';
import { ExperimentSchema } from '../../../engines/experiments.ts';
import { validateTemplate } from '../../../engines/variation.ts';
import {
  defaultPlaybook,
  EXPERIMENTS_INFO_KEY,
  PLAYBOOK_INFO_KEYS,
  type Playbook,
  type PlaybookPatch,
  playbookFields,
  STRUCTURED_INFO_KEYS,
} from '../../../store/index.ts';
import type { FieldError } from '../../errors.ts';
import { ApiError, problemResponses } from '../../errors.ts';
import { type Api, isoOrNull, Nullable, type RouteContext, tx } from './common.ts';

/**
 * The stored ladder is a 32-bit integer array (ms), so a step may not exceed 2^31 − 1 ms (about
 * 24.8 days), less than the 30 days a decision context accepts; a longer step was a 500.
 */
const MAX_STORED_STEP_MS = 2_147_483_647;
const StoredLadder = Type.Array(Type.Integer({ minimum: 60_000, maximum: MAX_STORED_STEP_MS }), {
  minItems: 0,
  maxItems: 10,
  description: 'Delays of the follow-up steps in ms, each from 1 minute to 2^31 − 1 ms (about 24.8 days)',
});
const LocalizedText = Type.Object(
  {
    fr: Type.Optional(
      Type.Union([
        Type.String({ maxLength: 4096 }),
        Type.Array(Type.String({ maxLength: 4096 }), { maxItems: 20 }),
      ]),
    ),
    en: Type.Optional(
      Type.Union([
        Type.String({ maxLength: 4096 }),
        Type.Array(Type.String({ maxLength: 4096 }), { maxItems: 20 }),
      ]),
    ),
  },
  { additionalProperties: false },
);
const Templates = Type.Record(Type.String({ pattern: '^[a-z_]{1,64}$' }), LocalizedText, {
  maxProperties: 100,
  description:
    'Templates per key (an intent, followup_1…3, out_of_stock, unknown_product…) and language: spintax {a|b} and {{variables}}',
});
const Info = Type.Object(
  {
    location: Type.Optional(LocalizedText),
    hours: Type.Optional(LocalizedText),
    delivery: Type.Optional(LocalizedText),
    payment: Type.Optional(LocalizedText),
  },
  { additionalProperties: false },
);
const FollowupTemplate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 512 }),
    language: Type.String({ minLength: 2, maxLength: 15 }),
  },
  {
    additionalProperties: false,
    description: 'Approved Cloud API template for follow-ups outside the 24-hour window',
  },
);

const HandoffSettings = Type.Object(
  {
    autoReturnAfterMs: Nullable(
      Type.Integer({
        minimum: 60_000,
        maximum: 30 * 24 * 3_600_000,
        description:
          'The bot takes the conversation back after this long without a message from the person (1 minute to 30 days); null: never (default)',
      }),
    ),
  },
  { additionalProperties: false, description: 'Hand-off to a person and return to the bot' },
);
const NotificationSettings = Type.Object(
  {
    to: Type.String({
      pattern: '^\\+[1-9][0-9]{6,14}$',
      description: "The seller's own WhatsApp number, E.164 (+2250700000001)",
    }),
    events: Type.Array(Type.Union(NOTIFIABLE_EVENT_TYPES.map((t) => Type.Literal(t))), {
      minItems: 1,
      maxItems: 50,
      uniqueItems: true,
      description: 'The event types the seller is told about on WhatsApp (opt-in per type)',
    }),
  },
  {
    additionalProperties: false,
    description:
      "Short WhatsApp texts to the seller's own number through the event's channel (with a link when SELLIFY_DASHBOARD_URL is set)",
  },
);

export const PlaybookBody = Type.Object(
  {
    sellerName: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    templates: Type.Optional(Templates),
    info: Type.Optional(Info),
    followupTemplate: Type.Optional(Nullable(FollowupTemplate)),
    followupLadderMs: Type.Optional(StoredLadder),
    awayMessage: Type.Optional(Nullable(Type.String({ maxLength: 4096 }))),
    delivery: Type.Optional(Nullable(DeliveryFactsSchema)),
    payment: Type.Optional(Nullable(PaymentFactsSchema)),
    pickup: Type.Optional(Nullable(PickupFactsSchema)),
    llm: Type.Optional(Nullable(LlmSwitchesSchema)),
    handoff: Type.Optional(HandoffSettings),
    notifications: Type.Optional(Nullable(NotificationSettings)),
    experiments: Type.Optional(
      Type.Array(ExperimentSchema, {
        maxItems: 20,
        description: 'A/B tests of template wordings (one variant per contact, outcomes in GET /experiments)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type PlaybookBodyInput = Static<typeof PlaybookBody>;

export const PlaybookViewSchema = Type.Object(
  {
    sellerName: Nullable(Type.String()),
    templates: Templates,
    info: Info,
    followupTemplate: Nullable(FollowupTemplate),
    followupLadderMs: Type.Array(Type.Integer(), { description: 'Delays of the follow-up steps, ms' }),
    awayMessage: Nullable(Type.String()),
    delivery: Nullable(DeliveryFactsSchema),
    payment: Nullable(PaymentFactsSchema),
    pickup: Nullable(PickupFactsSchema),
    llm: Nullable(LlmSwitchesSchema),
    handoff: HandoffSettings,
    notifications: Nullable(NotificationSettings),
    experiments: Type.Array(ExperimentSchema),
    updatedAt: Nullable(
      Type.String({ format: 'date-time', description: 'Null while the defaults are in use' }),
    ),
  },
  { title: 'Playbook' },
);
export type PlaybookView = Static<typeof PlaybookViewSchema>;

type Localized = Static<typeof LocalizedText>;
const INFO_KEYS = PLAYBOOK_INFO_KEYS;

function fromStored(p: Playbook): PlaybookView {
  return { ...playbookFields(p), updatedAt: isoOrNull(p.updatedAtMs) };
}

/** PUT replaces the playbook: a field left out goes back to its default. */
function toStored(body: PlaybookBodyInput): PlaybookPatch {
  const defaults = defaultPlaybook();
  const info: Record<string, unknown> = { ...(body.info ?? {}) };
  if (body.sellerName !== undefined && body.sellerName !== null) info.sellerName = body.sellerName;
  if (body.followupTemplate !== undefined && body.followupTemplate !== null) {
    info.followupTemplate = body.followupTemplate;
  }
  for (const key of ['delivery', 'payment', 'pickup', 'llm'] as const) {
    const value = body[key];
    if (value !== undefined && value !== null) info[STRUCTURED_INFO_KEYS[key]] = value;
  }
  // Like sellerName, the human-loop settings have no column: they live in `info`.
  if (body.handoff !== undefined && body.handoff.autoReturnAfterMs !== null) info.handoff = body.handoff;
  if (body.notifications !== undefined && body.notifications !== null)
    info.notifications = body.notifications;
  if (body.experiments !== undefined && body.experiments.length > 0)
    info[EXPERIMENTS_INFO_KEY] = body.experiments;
  return {
    templates: body.templates ?? {},
    info: info as Playbook['info'],
    followupLadderMs: body.followupLadderMs ?? defaults.followupLadderMs,
    awayMessage: body.awayMessage ?? null,
    businessHours: null,
  };
}

/** Every template text with its field name, for validation. */
function templateTexts(body: PlaybookBodyInput): { field: string; text: string }[] {
  const out: { field: string; text: string }[] = [];
  const addLocalized = (prefix: string, value: Localized | undefined) => {
    if (value === undefined) return;
    for (const lang of ['fr', 'en'] as const) {
      const t = value[lang];
      if (typeof t === 'string') out.push({ field: `${prefix}.${lang}`, text: t });
      else if (Array.isArray(t)) {
        for (const [i, text] of t.entries()) out.push({ field: `${prefix}.${lang}[${i}]`, text });
      }
    }
  };
  for (const [key, value] of Object.entries(body.templates ?? {}))
    addLocalized(`body.templates.${key}`, value);
  for (const key of INFO_KEYS) addLocalized(`body.info.${key}`, body.info?.[key]);
  if (typeof body.awayMessage === 'string') out.push({ field: 'body.awayMessage', text: body.awayMessage });
  for (const [i, experiment] of (body.experiments ?? []).entries()) {
    for (const [j, variant] of experiment.variants.entries())
      addLocalized(`body.experiments[${i}].variants[${j}].text`, variant.text);
  }
  return out;
}

export function checkTemplates(body: PlaybookBodyInput): void {
  const errors: FieldError[] = [];
  const experimentIds = new Set<string>();
  for (const [i, experiment] of (body.experiments ?? []).entries()) {
    if (experimentIds.has(experiment.id))
      errors.push({ field: `body.experiments[${i}].id`, message: 'is used by another experiment' });
    experimentIds.add(experiment.id);
    const variantIds = new Set(experiment.variants.map((v) => v.id));
    if (variantIds.size !== experiment.variants.length)
      errors.push({ field: `body.experiments[${i}].variants`, message: 'variant ids must be unique' });
  }
  for (const { field, text } of templateTexts(body)) {
    for (const problem of validateTemplate(text).problems)
      errors.push({ field, message: `${problem.code}: ${problem.detail}` });
  }
  if (errors.length > 0) {
    throw new ApiError('validation_failed', `Invalid templates (${errors.map((e) => e.field).join(', ')}).`, {
      errors,
    });
  }
}

export function playbookRoutes(api: Api, ctx: RouteContext): void {
  const tags = ['playbook'];

  api.get(
    '/playbook',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Get the playbook (defaults until one is saved)',
        response: { 200: PlaybookViewSchema },
      },
    },
    async (req) => fromStored(await tx(ctx, req, (r) => r.playbook.get())),
  );

  api.put(
    '/playbook',
    {
      config: { scope: 'write' },
      schema: {
        tags,
        summary: 'Replace the playbook (fields left out go back to their defaults)',
        body: PlaybookBody,
        response: { 200: PlaybookViewSchema, ...problemResponses('validation_failed') },
      },
    },
    async (req) => {
      checkTemplates(req.body);
      return fromStored(await tx(ctx, req, (r) => r.playbook.put(toStored(req.body))));
    },
  );
}
