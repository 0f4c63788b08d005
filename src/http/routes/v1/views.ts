/**
 * What the API returns for each stored thing: one TypeBox schema (the OpenAPI document and the
 * response serializer both use it) and one function from the store's record to it. Times leave
 * as ISO 8601 strings, like the decision context takes them; secrets (key hashes, channel
 * credentials) have no field here at all.
 */

import { type Static, Type } from '@sinclair/typebox';
import { FULFILMENT_STATUSES, ORDER_STATUSES, PAYMENT_STATUSES } from '../../../domain/order-states.ts';
import { PAYMENT_METHODS } from '../../../domain/selling.ts';
import { LanguageSchema, PresetSchema, StageSchema, TransportSchema } from '../../../engines/context.ts';
import type { HealthVerdict } from '../../../engines/health.ts';
import type {
  ApiKey,
  Channel,
  Contact,
  DecisionRecord,
  Message,
  Order,
  OrderPayment,
  ProductRecord,
  Tenant,
} from '../../../store/index.ts';
import { ORDER_SOURCES } from '../../../store/index.ts';
import { iso, isoOrNull, Nullable } from './common.ts';

const Time = (description: string) => Type.String({ format: 'date-time', description });
const NullableTime = (description: string) => Nullable(Type.String({ format: 'date-time', description }));

export const ReasonSchema = Type.Object(
  {
    engine: Type.String(),
    code: Type.String({ examples: ['quota.daily_cap'] }),
    detail: Type.String(),
  },
  { title: 'Reason' },
);

// ---------------------------------------------------------------------------------------------
// Channels

export const ChannelSettingsSchema = Type.Object(
  {
    language: Type.Optional(LanguageSchema),
  },
  {
    additionalProperties: false,
    description: 'Channel settings: `language` is the default for follow-ups and unclear messages',
  },
);

export const HealthSchema = Type.Object(
  {
    score: Type.Integer({ minimum: 0, maximum: 100, description: 'Risk score 0–100 from recent events' }),
    level: Type.Union(['low', 'medium', 'high', 'critical'].map((l) => Type.Literal(l))),
    paused: Type.Boolean(),
    allowed: Type.Boolean({ description: 'Whether the number may send now' }),
    timelockUntil: NullableTime('End of an active 463 reach-out lock'),
    retryAt: NullableTime('When sending may resume, when it can be computed'),
    reasons: Type.Array(ReasonSchema),
  },
  { title: 'ChannelHealth' },
);

export const ChannelSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    transport: TransportSchema,
    routeKey: Nullable(Type.String({ description: 'Webhook routing key, e.g. cloud:<phone_number_id>' })),
    timezone: Type.String(),
    preset: PresetSchema,
    settings: ChannelSettingsSchema,
    status: Type.String(),
    paused: Type.Boolean(),
    warmupStartedAt: NullableTime('Restart of the warm-up'),
    hasCredentials: Type.Boolean({ description: 'Credentials are write-only: they are never returned' }),
    createdAt: Time('When the channel was created (the warm-up counts from here)'),
    updatedAt: Time('Last change'),
    health: Type.Optional(HealthSchema),
    webhookPath: Nullable(
      Type.String({ description: 'Where the transport delivers webhooks (null: advisor-only channel)' }),
    ),
    webhookSecret: Type.Optional(
      Type.String({
        description: 'Generated sandbox webhook secret (X-Sellify-Token): shown only in the create response',
      }),
    ),
  },
  { title: 'Channel' },
);
export type ChannelView = Static<typeof ChannelSchema>;

export function channelView(c: Channel, health?: HealthVerdict): ChannelView {
  const language = c.settings.language;
  const view: ChannelView = {
    id: c.id,
    name: c.name,
    transport: c.transport,
    routeKey: c.routeKey,
    timezone: c.timezone,
    preset: c.preset,
    settings: language === 'fr' || language === 'en' ? { language } : {},
    status: c.status,
    paused: c.paused,
    warmupStartedAt: isoOrNull(c.warmupStartedAtMs),
    hasCredentials: c.hasCredentials,
    createdAt: iso(c.createdAtMs),
    updatedAt: iso(c.updatedAtMs),
    webhookPath:
      c.routeKey === null
        ? null
        : c.transport === 'cloud'
          ? '/webhooks/whatsapp'
          : `/webhooks/${c.transport}/${c.id}`,
  };
  if (health !== undefined) {
    view.health = {
      score: Math.round(health.score),
      level: health.level,
      paused: health.paused,
      allowed: health.allowed,
      timelockUntil: isoOrNull(health.timelockUntilMs),
      retryAt: isoOrNull(health.retryAtMs),
      reasons: health.reasons,
    };
  }
  return view;
}

// ---------------------------------------------------------------------------------------------
// Contacts and messages

export const ContactSchema = Type.Object(
  {
    id: Type.String(),
    channelId: Type.String(),
    phone: Nullable(Type.String(), {
      description: 'E.164; null for a Cloud username user known only by business-scoped user id',
    }),
    bsuid: Nullable(Type.String(), {
      description: "Cloud business-scoped user id ('CI.1502576394655843') when Meta sent one",
    }),
    name: Nullable(Type.String()),
    country: Nullable(Type.String(), {
      description: 'ISO 3166-1 alpha-2 from the calling code (or the BSUID prefix)',
    }),
    timezone: Nullable(Type.String(), {
      description: 'IANA zone from the calling code (or the BSUID country)',
    }),
    stage: StageSchema,
    optedOut: Type.Boolean(),
    optedIn: Type.Boolean(),
    optedOutAt: NullableTime('When the contact opted out'),
    lastInboundAt: NullableTime('Last message from the customer (opens the 24-hour window)'),
    lastOutboundAt: NullableTime('Last message to the customer'),
    followupsSent: Type.Integer({ minimum: 0 }),
    ownership: Type.Union(
      ['bot', 'human', 'waiting'].map((o) => Type.Literal(o)),
      {
        description:
          'Who answers: `bot`, `human` (a person took it over), `waiting` (the bot handed off, nobody took it yet)',
      },
    ),
    owner: Nullable(Type.String(), {
      description: "Who took it over: the name given to the API, or 'phone' for a reply typed on the phone",
    }),
    ownershipSince: NullableTime('Since when the current ownership holds'),
    lastHumanAt: NullableTime('Last message a person sent in this conversation'),
    createdAt: Time('First seen'),
    updatedAt: Time('Last change'),
  },
  { title: 'Contact' },
);
export type ContactView = Static<typeof ContactSchema>;

export function contactView(c: Contact): ContactView {
  return {
    id: c.id,
    channelId: c.channelId,
    phone: c.phone,
    bsuid: c.bsuid,
    name: c.name,
    country: c.country,
    timezone: c.timezone,
    stage: c.stage,
    optedOut: c.optedOut,
    optedIn: c.optedIn,
    optedOutAt: isoOrNull(c.optedOutAtMs),
    lastInboundAt: isoOrNull(c.lastInboundAtMs),
    lastOutboundAt: isoOrNull(c.lastOutboundAtMs),
    followupsSent: c.followupsSent,
    ownership: c.ownership,
    owner: c.owner,
    ownershipSince: isoOrNull(c.ownershipSinceMs),
    lastHumanAt: isoOrNull(c.lastHumanAtMs),
    createdAt: iso(c.createdAtMs),
    updatedAt: iso(c.updatedAtMs),
  };
}

export const MessageSchema = Type.Object(
  {
    id: Type.String(),
    channelId: Type.String(),
    contactId: Type.String(),
    direction: Type.Union([Type.Literal('in'), Type.Literal('out')]),
    kind: Type.Union(
      ['inbound', 'reply', 'followup', 'proactive', 'human'].map((k) => Type.Literal(k)),
      {
        description: '`human`: written by a person (typed on the seller phone, or sent through the API)',
      },
    ),
    providerId: Nullable(Type.String({ description: "The transport's message id" })),
    text: Nullable(Type.String()),
    type: Type.String({ description: 'text, image, audio… as the transport reports it' }),
    status: Type.Union(
      ['received', 'queued', 'sent', 'delivered', 'read', 'failed'].map((s) => Type.Literal(s)),
    ),
    errorCode: Nullable(Type.String()),
    isCold: Type.Boolean({ description: 'A first message to a contact with no history' }),
    decisionId: Nullable(Type.String()),
    createdAt: Time('When the message was written (inbound: when the customer sent it)'),
    sentAt: NullableTime('When an outbound message was sent'),
    updatedAt: Time('Last status change'),
  },
  { title: 'Message' },
);
export type MessageView = Static<typeof MessageSchema>;

export function messageView(m: Message): MessageView {
  return {
    id: m.id,
    channelId: m.channelId,
    contactId: m.contactId,
    direction: m.direction,
    kind: m.kind,
    providerId: m.providerId,
    text: m.body,
    type: m.type,
    status: m.status,
    errorCode: m.errorCode,
    isCold: m.isCold,
    decisionId: m.decisionId,
    createdAt: iso(m.createdAtMs),
    sentAt: isoOrNull(m.sentAtMs),
    updatedAt: iso(m.updatedAtMs),
  };
}

// ---------------------------------------------------------------------------------------------
// Products, orders

export const ProductSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    aliases: Type.Array(Type.String()),
    price: Type.Integer({ minimum: 0, description: 'Minor units of the currency (15000 XOF = 15000)' }),
    currency: Type.String({ description: 'ISO 4217, upper case' }),
    stock: Nullable(Type.Integer({ minimum: 0, description: 'Null: not tracked' })),
    category: Nullable(Type.String({ description: 'Null: no category' })),
    variants: Type.Record(Type.String(), Type.Array(Type.String()), {
      description: 'Variant name → allowed values; {} when the product comes in one version',
    }),
    createdAt: Time('Created'),
    updatedAt: Time('Last change'),
  },
  { title: 'Product' },
);
export type ProductView = Static<typeof ProductSchema>;

export function productView(p: ProductRecord): ProductView {
  return {
    id: p.id,
    name: p.name,
    aliases: p.aliases,
    price: p.price,
    currency: p.currency,
    stock: p.stock,
    category: p.category,
    variants: p.variants,
    createdAt: iso(p.createdAtMs),
    updatedAt: iso(p.updatedAtMs),
  };
}

export const OrderItemSchema = Type.Object(
  {
    productId: Nullable(Type.String()),
    name: Type.String(),
    quantity: Type.Integer({ minimum: 1 }),
    unitPrice: Type.Integer({ minimum: 0, description: 'Minor units' }),
    variant: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'Chosen variant values, e.g. {"size": "40"}',
      }),
    ),
  },
  { title: 'OrderItem' },
);

export const OrderPaymentSchema = Type.Object(
  {
    id: Type.String(),
    amount: Type.Integer({ minimum: 1, description: 'Minor units' }),
    method: Type.Union(PAYMENT_METHODS.map((m) => Type.Literal(m))),
    paidAt: Time('When the money was received'),
    reference: Nullable(Type.String({ description: "The operator's transaction reference" })),
    createdAt: Time('Recorded'),
  },
  { title: 'OrderPayment' },
);
export type OrderPaymentView = Static<typeof OrderPaymentSchema>;

export function orderPaymentView(p: OrderPayment): OrderPaymentView {
  return {
    id: p.id,
    amount: p.amount,
    method: p.method,
    paidAt: iso(p.paidAtMs),
    reference: p.reference,
    createdAt: iso(p.createdAtMs),
  };
}

export const OrderSchema = Type.Object(
  {
    id: Type.String(),
    channelId: Type.String(),
    contactId: Type.String(),
    items: Type.Array(OrderItemSchema),
    subtotal: Type.Integer({ minimum: 0, description: 'Sum of the lines, minor units' }),
    deliveryFee: Type.Integer({ minimum: 0, description: 'Minor units' }),
    total: Type.Integer({ minimum: 0, description: 'subtotal + deliveryFee, minor units' }),
    amountPaid: Type.Integer({ minimum: 0, description: 'Sum of the recorded payments, minor units' }),
    currency: Type.String(),
    status: Type.Union(ORDER_STATUSES.map((s) => Type.Literal(s))),
    paymentStatus: Type.Union(PAYMENT_STATUSES.map((s) => Type.Literal(s))),
    fulfilmentStatus: Type.Union(FULFILMENT_STATUSES.map((s) => Type.Literal(s))),
    paymentMethod: Nullable(Type.String({ description: 'How the customer said they would pay' })),
    delivery: Nullable(
      Type.Object({
        zone: Nullable(Type.String({ description: 'Zone id from the playbook; null: the default zone' })),
        zoneName: Nullable(Type.String()),
        address: Nullable(Type.String()),
      }),
      { description: 'Null: no delivery (pick-up, or not given)' },
    ),
    source: Type.Union(ORDER_SOURCES.map((s) => Type.Literal(s))),
    reference: Nullable(
      Type.String({ description: 'The confirming customer message id (chat) or the caller reference (API)' }),
    ),
    stockTaken: Type.Boolean({ description: "Whether the order currently holds its lines' stock" }),
    confirmedAt: NullableTime('Confirmed'),
    cancelledAt: NullableTime('Cancelled'),
    payments: Type.Optional(
      Type.Array(OrderPaymentSchema, {
        description: 'Recorded payments, oldest first (single-order responses)',
      }),
    ),
    createdAt: Time('Created'),
    updatedAt: Time('Last change'),
  },
  { title: 'Order' },
);
export type OrderView = Static<typeof OrderSchema>;

/** The order as the API shows it; `payments` only where one order is returned. */
export function orderView(o: Order, payments?: readonly OrderPayment[]): OrderView {
  const view: OrderView = {
    id: o.id,
    channelId: o.channelId,
    contactId: o.contactId,
    items: o.items,
    subtotal: o.subtotal,
    deliveryFee: o.deliveryFee,
    total: o.total,
    amountPaid: o.amountPaid,
    currency: o.currency,
    status: o.status,
    paymentStatus: o.paymentStatus,
    fulfilmentStatus: o.fulfilmentStatus,
    paymentMethod: o.paymentMethod,
    delivery: o.delivery,
    source: o.source,
    reference: o.sourceMessageId,
    stockTaken: o.stockTaken,
    confirmedAt: isoOrNull(o.confirmedAtMs),
    cancelledAt: isoOrNull(o.cancelledAtMs),
    createdAt: iso(o.createdAtMs),
    updatedAt: iso(o.updatedAtMs),
  };
  if (payments !== undefined) view.payments = payments.map(orderPaymentView);
  return view;
}

// ---------------------------------------------------------------------------------------------
// Decisions (audit)

export const DecisionRecordSchema = Type.Object(
  {
    id: Type.String(),
    channelId: Nullable(Type.String({ description: 'Set when the decision used a stored channel' })),
    contactId: Nullable(Type.String({ description: 'Set when the decision used a stored contact' })),
    messageId: Nullable(Type.String()),
    action: Type.Union(['reply', 'send', 'defer', 'skip', 'handoff', 'block'].map((a) => Type.Literal(a))),
    intent: Nullable(Type.String()),
    stage: Nullable(Type.String()),
    text: Nullable(Type.String()),
    sendAt: NullableTime('When to send, or to decide again'),
    delayMs: Nullable(Type.Integer()),
    typingMs: Nullable(Type.Integer()),
    reasons: Type.Array(ReasonSchema),
    verdicts: Type.Optional(
      Nullable(
        Type.Record(Type.String(), Type.Unknown(), { description: 'Full engine verdicts (GET one only)' }),
      ),
    ),
    createdAt: Time('When the decision was made'),
  },
  { title: 'DecisionRecord' },
);
export type DecisionRecordView = Static<typeof DecisionRecordSchema>;

export function decisionRecordView(d: DecisionRecord, withVerdicts: boolean): DecisionRecordView {
  const view: DecisionRecordView = {
    id: d.id,
    channelId: d.channelId,
    contactId: d.contactId,
    messageId: d.messageId,
    action: d.action,
    intent: d.intent,
    stage: d.stage,
    text: d.text,
    sendAt: isoOrNull(d.sendAtMs),
    delayMs: d.delayMs,
    typingMs: d.typingMs,
    reasons: d.reasons,
    createdAt: iso(d.createdAtMs),
  };
  if (withVerdicts) view.verdicts = d.verdicts;
  return view;
}

// ---------------------------------------------------------------------------------------------
// Keys and tenants

export const ApiKeySchema = Type.Object(
  {
    id: Type.String(),
    tenantId: Type.String(),
    name: Type.String(),
    prefix: Type.String({ description: 'First characters of the key, to recognise it in a list' }),
    scopes: Type.Array(Type.Union([Type.Literal('admin'), Type.Literal('write'), Type.Literal('read')])),
    rateLimitPerMinute: Nullable(
      Type.Integer({ description: 'Null: the server default (SELLIFY_RATE_LIMIT)' }),
    ),
    createdAt: Time('Created'),
    lastUsedAt: NullableTime('Last authenticated request (recorded at most once a minute)'),
    revokedAt: NullableTime('Revoked keys are refused at once'),
  },
  { title: 'ApiKey' },
);
export type ApiKeyView = Static<typeof ApiKeySchema>;

export function apiKeyView(k: ApiKey): ApiKeyView {
  return {
    id: k.id,
    tenantId: k.tenantId,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes.filter(
      (s): s is 'admin' | 'write' | 'read' => s === 'admin' || s === 'write' || s === 'read',
    ),
    rateLimitPerMinute: k.rateLimitPerMinute,
    createdAt: iso(k.createdAtMs),
    lastUsedAt: isoOrNull(k.lastUsedAtMs),
    revokedAt: isoOrNull(k.revokedAtMs),
  };
}

export const TenantSchema = Type.Object(
  { id: Type.String(), name: Type.String(), createdAt: Time('Created') },
  { title: 'Tenant' },
);

export function tenantView(t: Tenant): Static<typeof TenantSchema> {
  return { id: t.id, name: t.name, createdAt: iso(t.createdAtMs) };
}

// ---------------------------------------------------------------------------------------------
// Stats

const ResponseTimesSchema = Type.Object({
  answered: Type.Integer({ minimum: 0, description: 'Customer turns answered in the period' }),
  medianMs: Nullable(Type.Integer({ minimum: 0, description: 'Median first response time; null: none' })),
});

export const StatsSchema = Type.Object(
  {
    from: Time('Start of the period (inclusive)'),
    to: Time('End of the period (exclusive)'),
    channelId: Nullable(Type.String({ description: 'The channel asked for; null: every channel' })),
    conversations: Type.Integer({
      minimum: 0,
      description: 'Contacts with at least one message in the period',
    }),
    messages: Type.Object({
      in: Type.Integer({ minimum: 0, description: 'Customer messages received' }),
      out: Type.Integer({ minimum: 0, description: 'Messages sent (bot and people; not queued or failed)' }),
    }),
    handoffs: Type.Integer({
      minimum: 0,
      description: 'Conversations handed to a person (handoff.requested)',
    }),
    optOuts: Type.Integer({ minimum: 0, description: 'Contacts who opted out in the period and still are' }),
    orders: Type.Array(
      Type.Object({
        currency: Type.String(),
        created: Type.Integer({ minimum: 0 }),
        confirmed: Type.Integer({
          minimum: 0,
          description: 'Created in the period, confirmed or completed now',
        }),
        cancelled: Type.Integer({ minimum: 0 }),
        revenue: Type.Integer({ minimum: 0, description: 'Totals of the confirmed ones, minor units' }),
        collected: Type.Integer({ minimum: 0, description: 'Payments received in the period, minor units' }),
      }),
      { description: 'One entry per currency' },
    ),
    firstResponse: Type.Object(
      { bot: ResponseTimesSchema, human: ResponseTimesSchema },
      {
        description:
          'From the first customer message of a turn to the first answer sent; bot = an answer with a decision',
      },
    ),
    channels: Type.Array(
      Type.Object({
        id: Type.String(),
        name: Type.String(),
        sentToday: Type.Integer({ minimum: 0, description: "Sends since the channel's local midnight" }),
        quota: Type.Object({
          proactivePerDay: Type.Integer({
            description: "The preset's daily cap on business-initiated sends",
          }),
          replyPerDay: Type.Integer({ description: "The preset's daily cap on replies" }),
        }),
        warmup: Type.Object({
          day: Type.Integer({ minimum: 0, description: 'Warm-up day (0 = first)' }),
          dailyCap: Type.Integer({ description: 'Business-initiated sends allowed today' }),
          coldCap: Type.Integer({ description: 'First messages to strangers allowed today' }),
          coldSentToday: Type.Integer({ minimum: 0 }),
        }),
        proactiveLeftToday: Type.Integer({
          minimum: 0,
          description: 'Business-initiated sends left today under both the quota and the warm-up',
        }),
        health: Type.Object({
          score: Type.Number({ minimum: 0, maximum: 100, description: '0 = healthy, 100 = at risk' }),
          level: Type.String(),
          paused: Type.Boolean(),
        }),
      }),
      { description: 'Each channel now (not over the period)' },
    ),
  },
  { title: 'Stats' },
);
export type StatsView = Static<typeof StatsSchema>;

const Rate = (description: string) => Nullable(Type.Number({ minimum: 0, maximum: 1, description }));

export const ExperimentResultSchema = Type.Object(
  {
    id: Type.String(),
    template: Type.String(),
    active: Type.Boolean(),
    orderWindowDays: Type.Integer(),
    status: Type.Union([Type.Literal('not_enough_data'), Type.Literal('ready')], {
      description: 'not_enough_data until every variant reached minSample contacts',
    }),
    minSample: Type.Integer(),
    leader: Nullable(
      Type.String({ description: 'Best order rate (then reply rate) once ready; null on a tie' }),
    ),
    variants: Type.Array(
      Type.Object({
        variantId: Type.String(),
        contacts: Type.Integer({ minimum: 0, description: 'Contacts who received this variant' }),
        repliedWithin24h: Type.Integer({ minimum: 0 }),
        orderedWithinWindow: Type.Integer({ minimum: 0 }),
        optedOut: Type.Integer({ minimum: 0 }),
        replyRate: Rate('repliedWithin24h / contacts'),
        orderRate: Rate('orderedWithinWindow / contacts'),
        optOutRate: Rate('optedOut / contacts'),
      }),
    ),
  },
  { title: 'ExperimentResult' },
);
