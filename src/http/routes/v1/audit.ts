/** The decision audit: every decision POST /decision made, newest first. */

import { Type } from '@sinclair/typebox';
import { problemResponses } from '../../errors.ts';
import {
  type Api,
  idParams,
  idSchema,
  notFound,
  PageQueryProperties,
  pageSchema,
  type RouteContext,
  tx,
} from './common.ts';
import { DecisionRecordSchema, decisionRecordView } from './views.ts';

const DecisionListQuery = Type.Object(
  {
    ...PageQueryProperties,
    channelId: Type.Optional(idSchema('chn', 'Only decisions about this channel')),
    contactId: Type.Optional(idSchema('ctc', 'Only decisions about this contact')),
  },
  { additionalProperties: false },
);

export function auditRoutes(api: Api, ctx: RouteContext): void {
  api.get(
    '/decisions',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['audit'],
        summary: 'List decisions (newest first; verdicts only on GET one)',
        querystring: DecisionListQuery,
        response: {
          200: pageSchema(DecisionRecordSchema, 'DecisionPage'),
          ...problemResponses('validation_failed'),
        },
      },
    },
    async (req) => {
      const { limit, cursor, channelId, contactId } = req.query;
      const page = await tx(ctx, req, (r) => r.decisions.list({ limit, cursor, channelId, contactId }));
      return { items: page.items.map((d) => decisionRecordView(d, false)), nextCursor: page.nextCursor };
    },
  );

  api.get(
    '/decisions/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['audit'],
        summary: 'Get a decision with its engine verdicts',
        params: idParams('dec'),
        response: { 200: DecisionRecordSchema, ...problemResponses('not_found') },
      },
    },
    async (req) => {
      const decision = await tx(ctx, req, (r) => r.decisions.get(req.params.id));
      if (decision === null) throw notFound('decision');
      return decisionRecordView(decision, true);
    },
  );
}
