/**
 * Contacts (customers on a channel) and their conversation history. Contacts are created by
 * recorded messages (POST /messages) and, later, webhooks; the seller can change consent and the
 * funnel stage by hand here.
 */

import { Type } from '@sinclair/typebox';
import type { Stage } from '../../../domain/types.ts';
import { StageSchema } from '../../../engines/context.ts';
import { handBack, takeOver } from '../../../pipeline/index.ts';
import type { ContactPatch } from '../../../store/index.ts';
import { ApiError, problemResponses } from '../../errors.ts';
import {
  type Api,
  idParams,
  idSchema,
  Nullable,
  notFound,
  PageQuery,
  PageQueryProperties,
  pageSchema,
  type RouteContext,
  tx,
} from './common.ts';
import { ContactSchema, contactView, MessageSchema, messageView } from './views.ts';

const ContactPatchBody = Type.Object(
  {
    optedOut: Type.Optional(Type.Boolean({ description: 'true records an opt-out now; false clears it' })),
    optedIn: Type.Optional(Type.Boolean({ description: 'Explicit consent to business-initiated messages' })),
    stage: Type.Optional(StageSchema),
    name: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    handoff: Type.Optional(
      Type.Boolean({
        description:
          'false hands the conversation back to the bot; true has a person take it over (as POST /conversations/{id}/takeover)',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

const ContactListQuery = Type.Object(
  { ...PageQueryProperties, channelId: Type.Optional(idSchema('chn', 'Only contacts of this channel')) },
  { additionalProperties: false },
);

export function contactRoutes(api: Api, ctx: RouteContext): void {
  const tags = ['contacts'];
  const ContactParams = idParams('ctc');

  api.get(
    '/contacts',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'List contacts (newest first)',
        querystring: ContactListQuery,
        response: { 200: pageSchema(ContactSchema, 'ContactPage'), ...problemResponses('validation_failed') },
      },
    },
    async (req) => {
      const { limit, cursor, channelId } = req.query;
      const page = await tx(ctx, req, (r) => r.contacts.list({ limit, cursor, channelId }));
      return { items: page.items.map(contactView), nextCursor: page.nextCursor };
    },
  );

  api.get(
    '/contacts/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Get a contact',
        params: ContactParams,
        response: { 200: ContactSchema, ...problemResponses('not_found') },
      },
    },
    async (req) => {
      const contact = await tx(ctx, req, (r) => r.contacts.get(req.params.id));
      if (contact === null) throw notFound('contact');
      return contactView(contact);
    },
  );

  api.patch(
    '/contacts/:id',
    {
      config: { scope: 'write' },
      schema: {
        tags,
        summary: 'Change consent, funnel stage, name, or who answers (handoff)',
        params: ContactParams,
        body: ContactPatchBody,
        response: { 200: ContactSchema, ...problemResponses('validation_failed', 'not_found') },
      },
    },
    async (req) => {
      const b = req.body;
      const patch: ContactPatch = {};
      if (b.optedOut !== undefined) patch.optedOut = b.optedOut;
      if (b.optedIn !== undefined) patch.optedIn = b.optedIn;
      if (b.stage !== undefined) patch.stage = b.stage as Stage;
      if (b.name !== undefined) patch.name = b.name;
      const queue = ctx.queue;
      if (b.handoff === true && !queue)
        throw new ApiError('unavailable', 'The job queue is not running on this server.');
      const contact = await tx(ctx, req, async (r) => {
        let found = await r.contacts.get(req.params.id);
        if (found === null) return null;
        const atMs = ctx.clock();
        if (b.handoff === false) found = await handBack(r, found, { atMs, reason: 'api' });
        if (b.handoff === true && queue)
          found = (await takeOver({ queue }, r, found, { atMs, via: 'api' })).contact;
        return Object.keys(patch).length > 0 ? r.contacts.patch(found.id, patch) : found;
      });
      if (contact === null) throw notFound('contact');
      return contactView(contact);
    },
  );

  api.get(
    '/contacts/:id/messages',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: "A contact's conversation (newest first)",
        params: ContactParams,
        querystring: PageQuery,
        response: {
          200: pageSchema(MessageSchema, 'MessagePage'),
          ...problemResponses('validation_failed', 'not_found'),
        },
      },
    },
    async (req) => {
      const page = await tx(ctx, req, async (r) => {
        if ((await r.contacts.get(req.params.id)) === null) return null;
        return r.messages.history(req.params.id, req.query);
      });
      if (page === null) throw notFound('contact');
      return { items: page.items.map(messageView), nextCursor: page.nextCursor };
    },
  );
}
