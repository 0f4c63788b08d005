/**
 * The decision context: one JSON document that carries everything decide() needs. The schema is
 * the single source for the CLI's validation, the HTTP API's validation and the OpenAPI document.
 */
import { FormatRegistry, type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { GetErrorFunction, SetErrorFunction, ValueErrorType } from '@sinclair/typebox/errors';
import { INSTANT_RANGE_TEXT, isAcceptedInstant } from '../domain/instants.ts';
import {
  DeliveryFactsSchema,
  LlmSwitchesSchema,
  PAYMENT_METHODS,
  PaymentFactsSchema,
  PickupFactsSchema,
} from '../domain/selling.ts';
import { isValidTimeZone } from '../domain/time.ts';
import { INTENTS, STAGES } from '../domain/types.ts';
import { AssistContextSchema } from './assist.ts';
import { CATALOG_LIMITS, catalogLabelChars } from './catalog.ts';
import { ExperimentSchema } from './experiments.ts';

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Every `date-time` of the API and the decision context: ISO 8601 with a zone, inside the range
 * the whole system handles (src/domain/instants.ts). Year 0000 or 9999 is valid ISO but not a
 * time Sellify can store or decide at (both were 500s); here they are a 400 naming the field.
 */
export function isAcceptedDateTime(value: string): boolean {
  return ISO_DATE_TIME.test(value) && isAcceptedInstant(Date.parse(value));
}

/** What a refused date-time is told, wherever the schema is checked (HTTP, CLI). */
export const DATE_TIME_MESSAGE = `must be an ISO 8601 date-time with a time zone, ${INSTANT_RANGE_TEXT}`;

if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', isAcceptedDateTime);
  const fallback = GetErrorFunction();
  const isDateTime = (schema: unknown) => (schema as { format?: unknown }).format === 'date-time';
  SetErrorFunction((error) => {
    if (error.errorType === ValueErrorType.StringFormat && isDateTime(error.schema)) return DATE_TIME_MESSAGE;
    // A nullable date-time (`warmupStartedAt: null` clears it) given a string that is not one.
    const anyOf = (error.schema as { anyOf?: unknown[] }).anyOf;
    if (
      error.errorType === ValueErrorType.Union &&
      typeof error.value === 'string' &&
      anyOf?.some(isDateTime)
    )
      return DATE_TIME_MESSAGE;
    return fallback(error);
  });
}

const DateTime = (description: string) => Type.String({ format: 'date-time', description });
const Id = (description: string) => Type.String({ minLength: 1, maxLength: 200, description });

export const IntentSchema = Type.Union(INTENTS.map((v) => Type.Literal(v)));

export const StageSchema = Type.Union(STAGES.map((v) => Type.Literal(v)));

export const PresetSchema = Type.Union([
  Type.Literal('conservative'),
  Type.Literal('moderate'),
  Type.Literal('aggressive'),
]);
export const TransportSchema = Type.Union([
  Type.Literal('cloud'),
  Type.Literal('evolution'),
  Type.Literal('waha'),
  Type.Literal('sandbox'),
]);
export const LanguageSchema = Type.Union([Type.Literal('fr'), Type.Literal('en')]);

/** A shelf of the catalogue ("sacs", "téléphones"): a customer asking for it gets that shelf listed. */
export const CategorySchema = Type.String({
  minLength: 1,
  maxLength: 100,
  description: 'Category of the product, as customers name it ("sacs", "téléphones")',
});

/**
 * The choices a product comes in: a map from a variant name to its allowed values, e.g.
 * `{"size": ["39", "40"], "colour": ["noir", "rouge"]}`. `size` and `colour` are understood in
 * customers' words (sizes after "taille"/"en"/"size", colour names in French and English); any other
 * name (`material`, `length`…) is matched by its values. An order line stores the chosen value per name.
 */
export const VariantsSchema = Type.Record(
  Type.String({ pattern: '^[a-z][a-z0-9_]{0,29}$' }),
  Type.Array(Type.String({ minLength: 1, maxLength: 60, pattern: '^\\S(?:.*\\S)?$' }), {
    minItems: 1,
    maxItems: 50,
    uniqueItems: true,
  }),
  {
    maxProperties: 10,
    additionalProperties: false,
    description: 'Variant name → allowed values, e.g. {"size": ["39", "40"], "colour": ["noir", "rouge"]}',
  },
);

export const ProductSchema = Type.Object(
  {
    id: Id('Catalogue id of the product'),
    name: Type.String({ minLength: 1, maxLength: CATALOG_LIMITS.labelChars }),
    aliases: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: CATALOG_LIMITS.labelChars }), {
        maxItems: CATALOG_LIMITS.aliasesPerProduct,
      }),
    ),
    price: Type.Integer({
      minimum: 0,
      maximum: 1e12,
      description: 'Price in minor units of the currency (15000 XOF = 15000)',
    }),
    currency: Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217 code, e.g. XOF, XAF, EUR' }),
    stock: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
        description: 'Units in stock; absent or null = not tracked',
      }),
    ),
    category: Type.Optional(CategorySchema),
    variants: Type.Optional(VariantsSchema),
  },
  { additionalProperties: false },
);

export const HealthEventSchema = Type.Object(
  {
    type: Type.Union(
      [
        'logged_out',
        'forbidden',
        'reachout_timelock',
        'disconnected',
        'connected',
        'send_failed',
        'send_ok',
        'spam_limit',
        'pair_limit',
        'throughput_limit',
        'account_restricted',
        'quality_low',
        'quality_ok',
      ].map((v) => Type.Literal(v)),
    ),
    at: DateTime('When it happened'),
    until: Type.Optional(DateTime('For reachout_timelock: when the lock ends')),
  },
  { additionalProperties: false },
);

const TemplateText = Type.Union([
  Type.String({ maxLength: 4096 }),
  Type.Array(Type.String({ maxLength: 4096 }), { maxItems: 20 }),
]);
const LocalizedTemplate = Type.Object(
  { fr: Type.Optional(TemplateText), en: Type.Optional(TemplateText) },
  { additionalProperties: false },
);

export const PlaybookSchema = Type.Object(
  {
    sellerName: Type.Optional(Type.String({ maxLength: 200 })),
    templates: Type.Optional(
      Type.Record(Type.String({ pattern: '^[a-z_]+$' }), LocalizedTemplate, {
        description:
          'Answer templates per intent (or followup_1…3, out_of_stock, unknown_product…) and language: spintax {a|b} and {{variables}}',
      }),
    ),
    info: Type.Optional(
      Type.Object(
        {
          location: Type.Optional(LocalizedTemplate),
          hours: Type.Optional(LocalizedTemplate),
          delivery: Type.Optional(LocalizedTemplate),
          payment: Type.Optional(LocalizedTemplate),
        },
        { additionalProperties: false },
      ),
    ),
    followupTemplate: Type.Optional(
      Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 512 }),
          language: Type.String({ minLength: 2, maxLength: 15 }),
        },
        {
          additionalProperties: false,
          description: 'Approved Cloud API template for follow-ups outside the 24-hour window',
        },
      ),
    ),
    followupLadderMs: Type.Optional(
      Type.Array(Type.Integer({ minimum: 60_000, maximum: 30 * 86_400_000 }), { minItems: 0, maxItems: 10 }),
    ),
    awayMessage: Type.Optional(
      Type.String({
        maxLength: 4096,
        description:
          "Sent outside the active hours (the sending window, in the seller's zone): the first reply of a quiet period to each contact opens with it. Spintax and {{variables}} as in templates",
      }),
    ),
    delivery: Type.Optional(DeliveryFactsSchema),
    payment: Type.Optional(PaymentFactsSchema),
    pickup: Type.Optional(PickupFactsSchema),
    llm: Type.Optional(LlmSwitchesSchema),
    experiments: Type.Optional(
      Type.Array(ExperimentSchema, { maxItems: 20, description: 'A/B tests of template wordings' }),
    ),
  },
  { additionalProperties: false },
);

/** What the order dialogue waits for from the customer (src/engines/order.ts). */
export const AWAITING = ['product', 'variant', 'address', 'payment', 'confirmation'] as const;

/** One line of the cart: a catalogue product, how many, and the variant values chosen. */
export const CartLineSchema = Type.Object(
  {
    productId: Id('Catalogue id of the product'),
    quantity: Type.Integer({ minimum: 1, maximum: 10_000 }),
    variant: Type.Optional(
      Type.Record(Type.String({ maxLength: 30 }), Type.String({ maxLength: 60 }), {
        maxProperties: 10,
        description: 'Variant values chosen, in the catalogue spelling: {"colour": "noir"}',
      }),
    ),
  },
  { additionalProperties: false },
);

/**
 * The conversation state of one contact: the order being taken. Carried in the decision context and
 * returned, changed, in the decision (`conversation`), so a bot in advisor mode can keep it too.
 * Holds customer data (an address): stored sealed.
 */
export const ConversationSchema = Type.Object(
  {
    cart: Type.Array(CartLineSchema, { maxItems: 20 }),
    /** Products the last answer offered (a price question): a bare "oui" or "je prends" orders them. */
    offered: Type.Optional(Type.Array(Id('Catalogue id of an offered product'), { maxItems: 5 })),
    delivery: Type.Optional(
      Type.Object(
        {
          zone: Type.Union([Type.String({ maxLength: 40 }), Type.Null()], {
            description:
              'Zone id from playbook.delivery.zones; null: the default zone, or no delivery facts configured',
          }),
          address: Type.String({ minLength: 1, maxLength: 500, description: 'As the customer wrote it' }),
          pickup: Type.Optional(
            Type.Boolean({ description: 'The customer collects at the pick-up address' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    payment: Type.Optional(Type.Union(PAYMENT_METHODS.map((m) => Type.Literal(m)))),
    awaiting: Type.Optional(
      Type.Union(
        AWAITING.map((a) => Type.Literal(a)),
        { description: 'What the bot asked for last; confirmation: the summary was shown' },
      ),
    ),
    language: Type.Optional(LanguageSchema),
    updatedAt: Type.Optional(DateTime('Last change: a cart left alone for 3 days is dropped')),
    consentQuestion: Type.Optional(
      Type.Literal('opt_out', {
        description:
          'The bot asked whether the customer wants to stop our messages (a possible opt-out no rule confirmed): nothing business-initiated goes out until they answer; a bare "oui"/"yes" confirms',
      }),
    ),
  },
  { additionalProperties: false },
);

export const DecisionContextSchema = Type.Object(
  {
    now: DateTime('The instant the decision is made (the engines never read the clock)'),
    channel: Type.Object(
      {
        id: Id('Channel id (seeds the randomness)'),
        createdAt: DateTime('When the number started sending: the warm-up counts days from here'),
        timezone: Type.Optional(
          Type.String({
            minLength: 1,
            maxLength: 64,
            description: 'IANA zone of the seller; default Africa/Abidjan',
          }),
        ),
        preset: Type.Optional(PresetSchema),
        transport: Type.Optional(TransportSchema),
        language: Type.Optional(LanguageSchema),
        warmupStartedAt: Type.Optional(DateTime('Restart of the warm-up after a long idle period')),
        paused: Type.Optional(Type.Boolean({ description: 'Currently paused by the health engine' })),
        healthEvents: Type.Optional(Type.Array(HealthEventSchema, { maxItems: 1000 })),
      },
      { additionalProperties: false },
    ),
    contact: Type.Object(
      {
        id: Id('Contact id (seeds the randomness)'),
        phone: Type.Optional(
          Type.String({
            minLength: 3,
            maxLength: 40,
            description:
              'Phone number, E.164 preferred; absent for a username user known only by BSUID (then give timezone)',
          }),
        ),
        name: Type.Optional(Type.String({ maxLength: 200 })),
        timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        stage: Type.Optional(StageSchema),
        optedOut: Type.Optional(Type.Boolean()),
        optedIn: Type.Optional(Type.Boolean()),
        lastInboundAt: Type.Optional(DateTime('Last message from the customer')),
        lastOutboundAt: Type.Optional(DateTime('Last message to the customer')),
        followupsSent: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
        ownership: Type.Optional(
          Type.Union([Type.Literal('bot'), Type.Literal('human'), Type.Literal('waiting')], {
            description:
              'Who answers this conversation: the bot (default), a person, or nobody yet after a hand-off. Only `bot` lets the bot answer',
          }),
        ),
      },
      { additionalProperties: false },
    ),
    message: Type.Optional(
      Type.Object(
        {
          id: Id('Provider or caller id of the inbound message'),
          text: Type.String({ maxLength: 65536 }),
        },
        {
          additionalProperties: false,
          description: 'The inbound message to answer; absent for a follow-up or proactive decision',
        },
      ),
    ),
    outbound: Type.Optional(
      Type.Object(
        {
          kind: Type.Union([Type.Literal('followup'), Type.Literal('proactive')]),
          id: Type.Optional(Id('Caller id of the outbound message (seeds the randomness)')),
          text: Type.Optional(Type.String({ maxLength: 65536 })),
        },
        {
          additionalProperties: false,
          description: 'A business-initiated send to evaluate (default when no message: a follow-up)',
        },
      ),
    ),
    catalog: Type.Optional(
      Type.Array(ProductSchema, {
        maxItems: CATALOG_LIMITS.products,
        description: `Names and aliases hold at most ${CATALOG_LIMITS.totalLabelChars.toLocaleString('en-US')} characters in all`,
      }),
    ),
    stats: Type.Optional(
      Type.Object(
        {
          sentLastMinute: Type.Optional(Type.Integer({ minimum: 0 })),
          sentLastHour: Type.Optional(Type.Integer({ minimum: 0 })),
          sentToday: Type.Optional(Type.Integer({ minimum: 0 })),
          coldToday: Type.Optional(Type.Integer({ minimum: 0 })),
          identicalLastHour: Type.Optional(Type.Integer({ minimum: 0 })),
          lastSentAt: Type.Optional(DateTime('Last send of the channel')),
        },
        { additionalProperties: false },
      ),
    ),
    playbook: Type.Optional(PlaybookSchema),
    assist: Type.Optional(AssistContextSchema),
    conversation: Type.Optional(ConversationSchema),
  },
  { additionalProperties: false },
);

export type Conversation = Static<typeof ConversationSchema>;
export type CartLine = Static<typeof CartLineSchema>;
export type Awaiting = (typeof AWAITING)[number];
export type DecisionContext = Static<typeof DecisionContextSchema>;
export type PlaybookInput = Static<typeof PlaybookSchema>;

const compiled = TypeCompiler.Compile(DecisionContextSchema);
const compiledConversation = TypeCompiler.Compile(ConversationSchema);

/**
 * A stored conversation state as the decision context takes it, or undefined when it does not fit
 * the schema (a state written by an older version is dropped rather than failing every decision).
 */
export function parseConversation(value: unknown): Conversation | undefined {
  return value !== null && compiledConversation.Check(value) ? value : undefined;
}

export class ContextError extends Error {
  readonly code = 'invalid_context';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function fieldName(path: string): string {
  // TypeBox paths look like /channel/createdAt; people read channel.createdAt.
  const name = path.replace(/^\//, '').replaceAll('/', '.');
  return name === '' ? '(root)' : name;
}

/** Validates an unknown value as a decision context; throws ContextError naming the first bad field. */
export function parseContext(value: unknown): DecisionContext {
  if (!compiled.Check(value)) {
    const first = compiled.Errors(value).First();
    const field = fieldName(first?.path ?? '');
    throw new ContextError(field, `${field}: ${first?.message ?? 'invalid'}`);
  }
  const ctx = value as DecisionContext;
  for (const [field, zone] of [
    ['channel.timezone', ctx.channel.timezone],
    ['contact.timezone', ctx.contact.timezone],
  ] as const) {
    if (zone !== undefined && !isValidTimeZone(zone))
      throw new ContextError(field, `${field}: unknown time zone "${zone}"`);
  }
  if (ctx.catalog !== undefined && catalogLabelChars(ctx.catalog) > CATALOG_LIMITS.totalLabelChars) {
    throw new ContextError(
      'catalog',
      `catalog: names and aliases hold more than ${CATALOG_LIMITS.totalLabelChars} characters in all`,
    );
  }
  return ctx;
}
