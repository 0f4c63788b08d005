/**
 * The human loop's API (issue 15): the conversation inbox (newest first, with the last message,
 * unread count, who answers, stage and open order), one conversation's thread with status ticks
 * and, for the bot's messages, the decision's reasons; taking a conversation over, handing it back
 * to the bot, and replying as a person through the channel's transport.
 *
 * A conversation is identified by its contact id: one contact is one chat on one channel.
 */

import { Type } from '@sinclair/typebox';
import { handBack, sendAsHuman, takeOver } from '../../../pipeline/index.ts';
import type { Contact, DecisionRecord, Message, Ownership, TenantRepos } from '../../../store/index.ts';
import { ApiError, problemResponses } from '../../errors.ts';
import {
  type Api,
  idParams,
  idSchema,
  iso,
  isoOrNull,
  Nullable,
  notFound,
  PageQueryProperties,
  pageSchema,
  type RouteContext,
  tx,
} from './common.ts';
import { ContactSchema, contactView, MessageSchema, messageView, ReasonSchema } from './views.ts';

/** Characters of the last message shown in the inbox. */
const PREVIEW_CHARS = 120;

const FILTERS: Record<string, readonly Ownership[] | undefined> = {
  all: undefined,
  waiting: ['waiting'],
  human: ['human'],
  bot: ['bot'],
  people: ['waiting', 'human'],
};

const InboxQuery = Type.Object(
  {
    ...PageQueryProperties,
    filter: Type.Optional(
      Type.Union(
        Object.keys(FILTERS).map((f) => Type.Literal(f)),
        {
          description:
            '`waiting`: handed off, waiting for a person; `human`: a person answers; `bot`: the bot answers; `people`: waiting or human; `all` (default)',
        },
      ),
    ),
    channelId: Type.Optional(idSchema('chn', 'Only conversations of this channel')),
  },
  { additionalProperties: false },
);

const LastMessageSchema = Type.Object({
  id: Type.String(),
  direction: Type.Union([Type.Literal('in'), Type.Literal('out')]),
  kind: Type.String(),
  preview: Nullable(Type.String({ description: `The first ${PREVIEW_CHARS} characters of the text` })),
  type: Type.String(),
  status: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});

const ConversationSchema = Type.Object(
  {
    contactId: Type.String(),
    channelId: Type.String(),
    contact: ContactSchema,
    ownership: Type.Union(['bot', 'human', 'waiting'].map((o) => Type.Literal(o))),
    owner: Nullable(Type.String()),
    ownershipSince: Nullable(Type.String({ format: 'date-time' })),
    stage: Type.String(),
    lastMessage: LastMessageSchema,
    unread: Type.Integer({
      minimum: 0,
      description: 'Customer messages since the last outbound message that did not fail',
    }),
    openOrderId: Nullable(Type.String({ description: 'The newest order still pending, confirmed or paid' })),
    lastActivityAt: Type.String({ format: 'date-time' }),
  },
  { title: 'Conversation' },
);

const ThreadDecisionSchema = Type.Object(
  {
    id: Type.String(),
    action: Type.String(),
    intent: Nullable(Type.String()),
    reasons: Type.Array(ReasonSchema),
  },
  { title: 'ThreadDecision', description: 'Why the bot said this (or stayed quiet)' },
);

const ThreadItemSchema = Type.Object(
  {
    ...MessageSchema.properties,
    sentBy: Type.Union(['customer', 'bot', 'human'].map((s) => Type.Literal(s))),
    ticks: Type.Integer({
      minimum: 0,
      maximum: 3,
      description: 'WhatsApp ticks of an outbound message: 0 queued or failed, 1 sent, 2 delivered, 3 read',
    }),
    decision: Nullable(ThreadDecisionSchema, {
      description:
        "For the bot's messages, the decision that wrote it; for a customer's message, the decision taken on it",
    }),
  },
  { title: 'ThreadMessage' },
);

const HumanMessageBody = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 4096 }),
    owner: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Who writes (shown as the owner)' }),
    ),
  },
  { additionalProperties: false },
);

const TakeOverBody = Type.Object(
  { owner: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Who takes it over' })) },
  { additionalProperties: false },
);

const TICKS: Record<string, number> = { sent: 1, delivered: 2, read: 3 };

function sentBy(m: Message): 'customer' | 'bot' | 'human' {
  if (m.direction === 'in') return 'customer';
  return m.kind === 'human' ? 'human' : 'bot';
}

function decisionPart(d: DecisionRecord | undefined) {
  return d ? { id: d.id, action: d.action, intent: d.intent, reasons: d.reasons } : null;
}

async function summary(
  r: TenantRepos,
  row: { contactId: string; lastMessageId: string; unread: number; openOrderId: string | null },
) {
  const contact = await r.contacts.get(row.contactId);
  const last = await r.messages.get(row.lastMessageId);
  if (!contact || !last) return null;
  return {
    contactId: contact.id,
    channelId: contact.channelId,
    contact: contactView(contact),
    ownership: contact.ownership,
    owner: contact.owner,
    ownershipSince: isoOrNull(contact.ownershipSinceMs),
    stage: contact.stage,
    lastMessage: {
      id: last.id,
      direction: last.direction,
      kind: last.kind,
      preview: last.body === null ? null : last.body.slice(0, PREVIEW_CHARS),
      type: last.type,
      status: last.status,
      createdAt: iso(last.createdAtMs),
    },
    unread: row.unread,
    openOrderId: row.openOrderId,
    lastActivityAt: iso(last.createdAtMs),
  };
}

export function conversationRoutes(api: Api, ctx: RouteContext): void {
  const tags = ['conversations'];
  const Params = idParams('ctc');

  api.get(
    '/conversations',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'The conversation inbox (newest activity first)',
        querystring: InboxQuery,
        response: {
          200: pageSchema(ConversationSchema, 'ConversationPage'),
          ...problemResponses('validation_failed'),
        },
      },
    },
    async (req) => {
      const { limit, cursor, channelId, filter } = req.query;
      const ownership = FILTERS[filter ?? 'all'];
      return tx(ctx, req, async (r) => {
        const page = await r.conversations.list({
          ...(limit !== undefined ? { limit } : {}),
          ...(cursor !== undefined ? { cursor } : {}),
          ...(channelId !== undefined ? { channelId } : {}),
          ...(ownership !== undefined ? { ownership } : {}),
        });
        const items = [];
        for (const row of page.items) {
          const item = await summary(r, row);
          if (item) items.push(item);
        }
        return { items, nextCursor: page.nextCursor };
      });
    },
  );

  api.get(
    '/conversations/:id/messages',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: "A conversation's thread (newest first), with ticks and the bot's reasons",
        params: Params,
        querystring: Type.Object(PageQueryProperties, { additionalProperties: false }),
        response: {
          200: pageSchema(ThreadItemSchema, 'ThreadPage'),
          ...problemResponses('validation_failed', 'not_found'),
        },
      },
    },
    async (req) => {
      const out = await tx(ctx, req, async (r) => {
        if ((await r.contacts.get(req.params.id)) === null) return null;
        const page = await r.messages.history(req.params.id, req.query);
        const decisions = await r.decisions.list({ contactId: req.params.id, limit: 200 });
        const byId = new Map(decisions.items.map((d) => [d.id, d]));
        const byMessage = new Map<string, DecisionRecord>();
        // Newest first: the first decision seen for a message is its latest.
        for (const d of decisions.items)
          if (d.messageId && !byMessage.has(d.messageId)) byMessage.set(d.messageId, d);
        const items = [];
        for (const m of page.items) {
          let decision = m.decisionId ? byId.get(m.decisionId) : undefined;
          if (decision === undefined && m.decisionId)
            decision = (await r.decisions.get(m.decisionId)) ?? undefined;
          if (decision === undefined && m.direction === 'in') decision = byMessage.get(m.id);
          items.push({
            ...messageView(m),
            sentBy: sentBy(m),
            ticks: m.direction === 'out' ? (TICKS[m.status] ?? 0) : 0,
            decision: decisionPart(decision),
          });
        }
        return { items, nextCursor: page.nextCursor };
      });
      if (out === null) throw notFound('conversation');
      return out;
    },
  );

  api.post(
    '/conversations/:id/takeover',
    {
      config: { scope: 'write' },
      // The body is optional: a bare POST takes over without a name.
      preValidation: async (req) => {
        if (req.body === undefined || req.body === null) req.body = {};
      },
      schema: {
        tags,
        summary: 'A person takes the conversation over: the bot stops answering',
        params: Params,
        body: TakeOverBody,
        response: { 200: ContactSchema, ...problemResponses('validation_failed', 'not_found') },
      },
    },
    async (req) => {
      const queue = ctx.queue;
      if (!queue) throw new ApiError('unavailable', 'The job queue is not running on this server.');
      const contact = await tx(ctx, req, async (r): Promise<Contact | null> => {
        const found = await r.contacts.get(req.params.id);
        if (!found) return null;
        const { contact: owned } = await takeOver({ queue }, r, found, {
          atMs: ctx.clock(),
          via: 'api',
          owner: req.body.owner ?? null,
        });
        return owned;
      });
      if (contact === null) throw notFound('conversation');
      return contactView(contact);
    },
  );

  api.post(
    '/conversations/:id/handback',
    {
      config: { scope: 'write' },
      schema: {
        tags,
        summary: 'Hand the conversation back to the bot',
        params: Params,
        response: { 200: ContactSchema, ...problemResponses('validation_failed', 'not_found') },
      },
    },
    async (req) => {
      const contact = await tx(ctx, req, async (r) => {
        const found = await r.contacts.get(req.params.id);
        return found ? handBack(r, found, { atMs: ctx.clock(), reason: 'api' }) : null;
      });
      if (contact === null) throw notFound('conversation');
      return contactView(contact);
    },
  );

  api.post(
    '/conversations/:id/messages',
    {
      config: { scope: 'write' },
      schema: {
        tags,
        summary:
          'Reply as a person: sent through the channel on the durable queue (takes the conversation over)',
        params: Params,
        body: HumanMessageBody,
        response: {
          202: MessageSchema,
          ...problemResponses(
            'validation_failed',
            'not_found',
            'contact_opted_out',
            'service_window_closed',
            'unavailable',
          ),
        },
      },
    },
    async (req, reply) => {
      const queue = ctx.queue;
      if (!queue) throw new ApiError('unavailable', 'The job queue is not running on this server.');
      const result = await tx(ctx, req, (r) =>
        sendAsHuman({ queue }, r, {
          contactId: req.params.id,
          text: req.body.text,
          owner: req.body.owner ?? null,
          nowMs: ctx.clock(),
        }),
      );
      if (!result.ok) {
        if (result.refusal === 'not_found') throw notFound('conversation');
        if (result.refusal === 'opted_out')
          throw new ApiError('contact_opted_out', 'This customer opted out: nothing may be sent to them.');
        throw new ApiError(
          'service_window_closed',
          'The customer last wrote more than 24 hours ago: the Cloud API only accepts an approved template now.',
        );
      }
      return reply.code(202).send(messageView(result.message));
    },
  );
}
