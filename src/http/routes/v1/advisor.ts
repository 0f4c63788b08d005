/**
 * POST /decision (advisor mode) and POST /validate.
 *
 * A decision request is a decision context (docs/API.md) in which everything the server already
 * knows may be left out: with `channelId`, the channel's settings, health events, send counters,
 * catalogue and playbook come from storage; with `contactId`, the contact's phone, stage, consent
 * and last messages do. Fields given in the request override the stored ones (`channel`,
 * `contact` and `stats` field by field, `catalog` as a whole, `playbook` field by field), `now`
 * defaults to the server clock, and the merged context is validated like any other (a missing
 * or bad field → 400 naming it). Without ids the request is a complete context, as for
 * `sellify decide`.
 *
 * The decision is stored for audit (`id: dec_…`) and counted in the metrics; nothing else is
 * written: the caller sends the message itself, then records it with POST /messages.
 */

import { type Static, Type } from '@sinclair/typebox';
import { isValidTimeZone } from '../../../domain/time.ts';
import type { Reason } from '../../../domain/types.ts';
import { presetConfig } from '../../../engines/config.ts';
import { evaluateContent } from '../../../engines/content.ts';
import {
  ContextError,
  type DecisionContext,
  DecisionContextSchema,
  PresetSchema,
  parseContext,
} from '../../../engines/context.ts';
import type { Decision } from '../../../engines/decide.ts';
import { decisionRecord } from '../../../pipeline/act.ts';
import { withAssist } from '../../../pipeline/assist.ts';
import {
  catalogPart,
  channelPart,
  contactPart,
  conversationPart,
  statsPart,
} from '../../../pipeline/context.ts';
import { contextPlaybook } from '../../../pipeline/playbook.ts';
import { createGroupWriter } from '../../../store/group-commit.ts';
import {
  type Channel,
  type Contact,
  type NewDecision,
  newId,
  type TenantRepos,
} from '../../../store/index.ts';
import { detailsJsonOf } from '../../../store/repos/decisions.ts';
import { ApiError, problemResponses } from '../../errors.ts';
import { principalOf } from '../../plugins/auth.ts';
import { type AppMetrics, recordDecision } from '../../plugins/metrics.ts';
import { type Api, idSchema, iso, mapStoreError, notFound, type RouteContext, tx } from './common.ts';
import { ReasonSchema } from './views.ts';

const ctxProps = DecisionContextSchema.properties;

export const DecisionBody = Type.Object(
  {
    now: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'The instant of the decision; default the server clock',
      }),
    ),
    channelId: Type.Optional(idSchema('chn', 'A stored channel: fills channel, stats, catalog and playbook')),
    contactId: Type.Optional(
      idSchema('ctc', "A stored contact: fills contact (and channelId, from the contact's channel)"),
    ),
    channel: Type.Optional(
      Type.Partial(ctxProps.channel, { description: 'Overrides the stored channel fields' }),
    ),
    contact: Type.Optional(
      Type.Partial(ctxProps.contact, { description: 'Overrides the stored contact fields' }),
    ),
    message: ctxProps.message,
    outbound: ctxProps.outbound,
    catalog: ctxProps.catalog,
    stats: ctxProps.stats,
    playbook: ctxProps.playbook,
    conversation: Type.Optional(
      Type.Union([ctxProps.conversation, Type.Null()], {
        description:
          "The order dialogue's state; default the stored one of `contactId`; null decides as if there were none",
      }),
    ),
  },
  { additionalProperties: false, title: 'DecisionRequest' },
);
export type DecisionBodyInput = Static<typeof DecisionBody>;

/** What the customer asked about: the products (with quantity and variant), a missing product, a category. */
export const EntitiesSchema = Type.Object(
  {
    products: Type.Array(
      Type.Object({
        productId: Type.String({ description: 'Catalogue id' }),
        name: Type.String(),
        matched: Type.String({ description: 'The words of the message that named it' }),
        score: Type.Number({
          description: '1 exact name or alias, lower a typo; below 0.5 one of several products that match',
        }),
        quantity: Type.Optional(Type.Integer({ minimum: 1, description: 'How many the customer stated' })),
        variant: Type.Optional(
          Type.Record(Type.String(), Type.String(), {
            description:
              'Variant values chosen, in the catalogue spelling: {"size": "42", "colour": "rouge"} (names and values from the product variants)',
          }),
        ),
        unavailable: Type.Optional(
          Type.Record(Type.String(), Type.String(), {
            description: 'Variant values asked for that the product does not come in: {"colour": "marron"}',
          }),
        ),
      }),
    ),
    quantity: Type.Optional(Type.Integer({ minimum: 1, description: 'A quantity stated without a product' })),
    unknownProduct: Type.Optional(Type.String({ description: 'Words naming an item the catalogue lacks' })),
    category: Type.Optional(Type.String({ description: 'The catalogue category the message names' })),
  },
  { title: 'Entities' },
);

/** The order a confirmation creates: lines at catalogue prices, the zone's fee, the total. */
const OrderDraftSchema = Type.Object(
  {
    items: Type.Array(
      Type.Object({
        productId: Type.String(),
        name: Type.String(),
        quantity: Type.Integer({ minimum: 1 }),
        unitPrice: Type.Integer({ minimum: 0, description: 'Catalogue price, minor units' }),
        variant: Type.Optional(Type.Record(Type.String(), Type.String())),
      }),
    ),
    currency: Type.String(),
    subtotal: Type.Integer(),
    deliveryFee: Type.Integer(),
    total: Type.Integer(),
    delivery: Type.Object({
      zone: Type.Union([Type.String(), Type.Null()]),
      zoneName: Type.Union([Type.String(), Type.Null()]),
      address: Type.Union([Type.String(), Type.Null()]),
      pickup: Type.Boolean(),
    }),
    paymentMethod: Type.Union([Type.String(), Type.Null()]),
    sourceMessageId: Type.String(),
  },
  { title: 'OrderDraft' },
);

export const DecisionResponse = Type.Object(
  {
    id: Type.String({ description: 'The stored decision (GET /api/v1/decisions/{id})' }),
    action: Type.Union(['reply', 'send', 'defer', 'skip', 'handoff', 'block'].map((a) => Type.Literal(a))),
    kind: Type.Union(['reply', 'followup', 'proactive'].map((k) => Type.Literal(k))),
    text: Type.Optional(Type.String()),
    template: Type.Optional(Type.Object({ name: Type.String(), language: Type.String() })),
    experiment: Type.Optional(
      Type.Object(
        { id: Type.String(), variantId: Type.String() },
        { description: 'The A/B variant the text uses: pass both to POST /messages when you send it' },
      ),
    ),
    sendAtMs: Type.Optional(Type.Number()),
    sendAt: Type.Optional(Type.String({ format: 'date-time' })),
    delayMs: Type.Number(),
    typingMs: Type.Number(),
    readDelayMs: Type.Number(),
    intent: Type.Union([Type.String(), Type.Null()]),
    intents: Type.Array(Type.String()),
    confidence: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], {
      description:
        'How sure the intent engine is of `intent` (1 for an exact rule such as STOP); below 0.45 the reply asks instead of guessing. Null when no message was read',
    }),
    language: Type.String(),
    entities: EntitiesSchema,
    stage: Type.String(),
    contactUpdate: Type.Object({
      stage: Type.String(),
      optedOut: Type.Boolean(),
      optedIn: Type.Boolean(),
      followupsSent: Type.Integer(),
    }),
    restartWarmup: Type.Boolean(),
    assisted: Type.Object(
      {
        classification: Type.Union([Type.Literal('used'), Type.Literal('rejected'), Type.Null()]),
        rephrase: Type.Union([Type.Literal('used'), Type.Literal('rejected'), Type.Null()]),
      },
      {
        description:
          "What came from the language model (context.assist): the model's classification or rewording was used, rejected by the gate, or not asked (null)",
      },
    ),
    conversation: Type.Optional(
      Type.Union([ctxProps.conversation, Type.Null()], {
        description:
          "The order dialogue's state after this message (null: none). Absent: unchanged. Stored when the message is recorded with POST /messages",
      }),
    ),
    order: Type.Optional(
      Type.Object(
        {
          draft: OrderDraftSchema,
          ifOutOfStock: Type.Object({ conversation: ctxProps.conversation, stage: Type.String() }),
        },
        {
          description:
            'The customer confirmed the summary: recording the message with POST /messages places this order (once per message)',
        },
      ),
    ),
    reasons: Type.Array(ReasonSchema),
    questionForSeller: Type.Optional(
      Type.Object(
        {
          topics: Type.Array(
            Type.Union(['delivery', 'payment', 'location', 'hours', 'catalog'].map((t) => Type.Literal(t))),
          ),
        },
        {
          description:
            'The reply says the bot will check these topics with the seller (the playbook does not say): pass the question on to the seller',
        },
      ),
    ),
    verdicts: Type.Record(Type.String(), Type.Unknown(), { description: "Each engine's full verdict" }),
  },
  { title: 'Decision' },
);

type DecisionResponseBody = Static<typeof DecisionResponse>;

/**
 * The response schema's serializer (fast-json-stringify) writes the required fields in schema
 * order, then the optional ones. The two last required fields are the reasons and the verdicts,
 * which `decisionResponseJson` writes itself between the two parts below.
 */
const requiredKeys = DecisionResponse.required as string[];
if (requiredKeys.slice(-2).join() !== 'reasons,verdicts') {
  throw new Error(
    'DecisionResponse must end its required fields with reasons, verdicts (decisionResponseJson)',
  );
}
/** The required fields of the response but the reasons and the verdicts. */
export const DecisionResponseHead = Type.Pick(DecisionResponse, requiredKeys.slice(0, -2));
/** The optional fields of the response. */
export const DecisionResponseTail = Type.Pick(
  DecisionResponse,
  Object.keys(DecisionResponse.properties).filter((k) => !requiredKeys.includes(k)),
);

/** JSON of reasons as the response schema writes them (engine, code, detail), without a schema pass. */
export function reasonsJson(reasons: readonly Reason[]): string {
  let out = '[';
  for (let i = 0; i < reasons.length; i++) {
    const r = reasons[i]!;
    out += `${i === 0 ? '' : ','}{"engine":${JSON.stringify(r.engine)},"code":${JSON.stringify(r.code)},"detail":${JSON.stringify(r.detail)}}`;
  }
  return `${out}]`;
}

const REASON_KEYS = ['engine', 'code', 'detail'];

/** True when JSON.stringify(reasons) is reasonsJson(reasons): every reason is exactly {engine, code, detail}, strings. */
export function plainReasons(reasons: readonly Reason[]): boolean {
  for (const r of reasons) {
    let i = 0;
    for (const key in r) {
      if (key !== REASON_KEYS[i]) return false;
      i++;
    }
    if (i !== 3 || typeof r.engine !== 'string' || typeof r.code !== 'string' || typeof r.detail !== 'string')
      return false;
  }
  return true;
}

/**
 * The 200 body of POST /decision, the same bytes the route's response schema would write (tested),
 * with the reasons and the verdicts written from the JSON the audit row is made of: issue 17,
 * the schema serializer walked the ~4 KB of reasons and verdicts a second time. `head` and `tail`
 * are the schema serializers of DecisionResponseHead and DecisionResponseTail.
 */
export function decisionResponseJson(
  head: (value: { [key: string]: unknown }) => string,
  tail: (value: { [key: string]: unknown }) => string,
  body: { id: string } & Decision,
  json: { reasons: string; verdicts: string },
): string {
  const value = body as unknown as { [key: string]: unknown };
  const start = head(value);
  const end = tail(value);
  return `${start.slice(0, -1)},"reasons":${json.reasons},"verdicts":${json.verdicts}${end === '{}' ? '}' : `,${end.slice(1)}`}`;
}

const ValidateBody = Type.Object(
  {
    text: Type.String({ maxLength: 65_536, description: 'The text you are about to send' }),
    identicalLastHour: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'How often you sent exactly this text in the last hour; default 0',
      }),
    ),
    preset: Type.Optional(PresetSchema),
  },
  { additionalProperties: false },
);

const ValidateResponse = Type.Object(
  {
    allowed: Type.Boolean(),
    score: Type.Integer({ minimum: 0, maximum: 100, description: 'Spam score; the sum of the problems' }),
    problems: Type.Array(Type.Object({ code: Type.String(), detail: Type.String() })),
    suggestions: Type.Array(Type.String()),
    reasons: Type.Array(ReasonSchema),
  },
  { title: 'ContentVerdict' },
);

type ContextChannel = DecisionContext['channel'];
type ContextContact = DecisionContext['contact'];

interface Stored {
  channel?: Channel;
  contact?: Contact;
  channelPart?: ContextChannel;
  contactPart?: ContextContact;
  stats?: NonNullable<DecisionContext['stats']>;
  catalog?: NonNullable<DecisionContext['catalog']>;
  playbook?: NonNullable<DecisionContext['playbook']>;
  conversation?: DecisionContext['conversation'];
  messageId?: string;
}

/** Everything storage knows for this request, read in one tenant transaction (the pipelines use the same parts). */
async function loadStored(r: TenantRepos, body: DecisionBodyInput, nowMs: number): Promise<Stored> {
  const stored: Stored = {};
  let channelId = body.channelId;
  if (body.contactId !== undefined) {
    const contact = await r.contacts.get(body.contactId);
    if (contact === null || (channelId !== undefined && contact.channelId !== channelId))
      throw notFound('contact');
    stored.contact = contact;
    stored.contactPart = contactPart(contact);
    stored.conversation = await conversationPart(r, contact.id);
    channelId = contact.channelId;
  }
  if (channelId === undefined) return stored;

  const channel = await r.channels.get(channelId);
  if (channel === null) throw notFound('channel');
  stored.channel = channel;
  stored.channelPart = await channelPart(r, channel, nowMs);
  const zone = body.channel?.timezone;
  const timeZone = zone !== undefined && isValidTimeZone(zone) ? zone : channel.timezone;
  stored.stats = await statsPart(r, channel, nowMs, timeZone, body.outbound?.text);
  if (body.catalog === undefined) stored.catalog = await catalogPart(r);
  stored.playbook = contextPlaybook(await r.playbook.get());
  if (body.message !== undefined) {
    const inbound = await r.messages.getByProviderId(channel.id, body.message.id);
    if (inbound !== null) stored.messageId = inbound.id;
  }
  return stored;
}

/** Drops undefined values so the merged context holds only what someone actually set. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The request over what storage knows; the result is checked by parseContext. */
export function mergeContext(body: DecisionBodyInput, stored: Stored, nowIso: string): unknown {
  const merged: Record<string, unknown> = { now: body.now ?? nowIso };
  if (stored.channelPart !== undefined || body.channel !== undefined) {
    merged.channel = defined({ ...stored.channelPart, ...body.channel });
  }
  if (stored.contactPart !== undefined || body.contact !== undefined) {
    merged.contact = defined({ ...stored.contactPart, ...body.contact });
  }
  if (body.message !== undefined) merged.message = body.message;
  if (body.outbound !== undefined) merged.outbound = body.outbound;
  const catalog = body.catalog ?? stored.catalog;
  if (catalog !== undefined) merged.catalog = catalog;
  if (stored.stats !== undefined || body.stats !== undefined)
    merged.stats = defined({ ...stored.stats, ...body.stats });
  if (stored.playbook !== undefined || body.playbook !== undefined) {
    merged.playbook = defined({ ...stored.playbook, ...body.playbook });
  }
  const conversation = body.conversation === undefined ? stored.conversation : body.conversation;
  if (conversation !== undefined && conversation !== null) merged.conversation = conversation;
  return merged;
}

function validContext(value: unknown): DecisionContext {
  try {
    return parseContext(value);
  } catch (err) {
    if (!(err instanceof ContextError)) throw err;
    const field = err.field === '(root)' ? 'body' : `body.${err.field}`;
    const message = err.message.startsWith(`${err.field}: `)
      ? err.message.slice(err.field.length + 2)
      : err.message;
    throw new ApiError('validation_failed', `${field}: ${message}`, { errors: [{ field, message }] });
  }
}

function count(metrics: AppMetrics, decision: Decision): void {
  recordDecision(metrics, 'advisor', decision);
}

export function advisorRoutes(api: Api, ctx: RouteContext): void {
  const audit = createGroupWriter<NewDecision & { id: string }>((tenantId, items) =>
    ctx.store.tx(tenantId, (r) => r.decisions.insertMany(items)),
  );
  api.post(
    '/decision',
    {
      config: { scope: 'write' },
      schema: {
        tags: ['advisor'],
        summary: 'Decide what to send (advisor mode)',
        description:
          'Runs the engines over a decision context completed from storage (`channelId`, `contactId`) and stores the decision. Send the message yourself, then record it with POST /api/v1/messages.',
        body: DecisionBody,
        response: {
          200: DecisionResponse,
          ...problemResponses(
            'validation_failed',
            'not_found',
            'idempotency_mismatch',
            'idempotency_in_flight',
          ),
        },
      },
    },
    async (req, reply) => {
      const body = req.body;
      const nowIso = body.now ?? iso(ctx.clock());
      const nowMs = Date.parse(nowIso);
      const needsStorage = body.channelId !== undefined || body.contactId !== undefined;
      const stored = needsStorage ? await tx(ctx, req, (r) => loadStored(r, body, nowMs)) : {};
      // With the language model on (operator key + the seller's switch), its answers join the context.
      const { context, decision } = await withAssist(validContext(mergeContext(body, stored, nowIso)), {
        llm: ctx.llm,
        ...(ctx.llmMetrics !== undefined ? { metrics: ctx.llmMetrics } : {}),
        tenantId: principalOf(req).tenantId,
        // Real time, not the decision clock (callers may decide "as of" another instant).
        deadlineMs: Date.now() + (ctx.config.llm?.timeoutMs ?? 0) + 1_000,
      });
      const id = newId('dec');
      const record = decisionRecord(
        decision,
        {
          channelId: stored.channel?.id ?? null,
          contactId: stored.contact?.id ?? null,
          messageId: stored.messageId ?? null,
          nowMs,
        },
        context.assist,
      );
      // The reasons and the verdicts are serialized once, for the audit row and for the response.
      const json = { reasons: reasonsJson(decision.reasons), verdicts: JSON.stringify(decision.verdicts) };
      const detailsJson =
        record.verdicts === null || record.verdicts === undefined
          ? undefined
          : detailsJsonOf(
              plainReasons(decision.reasons) ? json.reasons : JSON.stringify(decision.reasons),
              json.verdicts,
              decision.verdicts,
              record.verdicts,
            );
      // Answered only once the decision is committed; concurrent requests share the transaction.
      await audit
        .write(principalOf(req).tenantId, {
          id,
          ...record,
          ...(detailsJson === undefined ? {} : { detailsJson }),
        })
        .catch((err: unknown) => {
          throw mapStoreError(err);
        });
      count(req.server.metrics, decision);
      const payload = decisionResponseJson(
        reply.compileSerializationSchema(DecisionResponseHead),
        reply.compileSerializationSchema(DecisionResponseTail),
        { id, ...decision },
        json,
      );
      // A string is sent as it is (the schema serializer is skipped); the type provider expects the object.
      return reply.type('application/json; charset=utf-8').send(payload as unknown as DecisionResponseBody);
    },
  );

  api.post(
    '/validate',
    {
      config: { scope: 'read', idempotent: false },
      schema: {
        tags: ['advisor'],
        summary: 'Check a text before sending it',
        description:
          'The content engine: spam score, problems with suggestions, and whether the text may be sent.',
        body: ValidateBody,
        response: { 200: ValidateResponse, ...problemResponses('validation_failed') },
      },
    },
    async (req) => {
      const { text, identicalLastHour, preset } = req.body;
      const verdict = evaluateContent(
        { text, identicalLastHour: identicalLastHour ?? 0 },
        presetConfig(preset).content,
        ctx.clock(),
      );
      return {
        allowed: verdict.allowed,
        score: Math.round(verdict.score),
        problems: verdict.problems,
        suggestions: verdict.suggestions,
        reasons: verdict.reasons,
      };
    },
  );
}
