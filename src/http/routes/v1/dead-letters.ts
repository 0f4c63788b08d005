/**
 * Dead-lettered jobs (issue 12.11): a send, follow-up, delivery or other job that failed its last
 * attempt waits in a dead-letter queue. A tenant's admin lists its own (ids, queue, the masked last
 * error; never a customer's data) and replays one once the cause is fixed, through the same
 * pipeline functions as `sellify dead-letters`. Another tenant's dead letter does not exist here.
 */

import { type Static, Type } from '@sinclair/typebox';
import { type DeadLetterSummary, listDeadLetters, replayDeadLetter } from '../../../pipeline/index.ts';
import { QUEUE_NAMES } from '../../../queue/index.ts';
import { ApiError, problemResponses } from '../../errors.ts';
import { principalOf } from '../../plugins/auth.ts';
import {
  type Api,
  DateTime,
  iso,
  mapStoreError,
  Nullable,
  notFound,
  PageQueryProperties,
  pageSchema,
  type RouteContext,
  refuseBody,
} from './common.ts';

const DeadLetterId = Type.String({
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
  description: 'A dead letter id (a UUID)',
  examples: ['0b7f4c2e-5d1a-4e8b-9c3f-2a6d8e1f4b7c'],
});

const DeadLetterSchema = Type.Object(
  {
    id: DeadLetterId,
    queue: Type.Union(
      QUEUE_NAMES.map((q) => Type.Literal(q)),
      { description: 'The queue the job ran in (outbound: a send; followup; webhook: a delivery…)' },
    ),
    refs: Type.Record(Type.String(), Type.String(), {
      description:
        'The ids the job carried (messageId, contactId, decisionId, deliveryId, eventId…); never customer data',
    }),
    originalJobId: Nullable(Type.String(), { description: 'The id of the job that failed, when known' }),
    error: Nullable(Type.String(), {
      description: 'The last error, digit runs masked and at most 300 characters',
    }),
    failedAt: DateTime('When the last attempt failed'),
  },
  { title: 'DeadLetter' },
);

const ReplaySchema = Type.Object(
  {
    jobId: Nullable(Type.String(), { description: 'The job now waiting in the queue' }),
    deadLetter: DeadLetterSchema,
  },
  { title: 'DeadLetterReplay' },
);

const ListQuery = Type.Object(PageQueryProperties, { additionalProperties: false });

function view(d: DeadLetterSummary): Static<typeof DeadLetterSchema> {
  return {
    id: d.id,
    queue: d.queue,
    refs: d.refs,
    originalJobId: d.originalJobId,
    error: d.error,
    failedAt: iso(d.failedAtMs),
  };
}

export function deadLetterRoutes(api: Api, ctx: RouteContext): void {
  const tags = ['dead letters'];

  api.get(
    '/dead-letters',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: "List this tenant's jobs that failed their last attempt (newest first)",
        querystring: ListQuery,
        response: {
          200: pageSchema(DeadLetterSchema, 'DeadLetterPage'),
          ...problemResponses('validation_failed', 'unavailable'),
        },
      },
    },
    async (req) => {
      const queue = ctx.queue;
      if (!queue) throw new ApiError('unavailable', 'The job queue is not running on this server.');
      const { limit, cursor } = req.query;
      try {
        const page = await listDeadLetters(
          { queue },
          {
            tenantId: principalOf(req).tenantId,
            limit: limit ?? 50,
            ...(cursor !== undefined ? { cursor } : {}),
          },
        );
        return { items: page.items.map(view), nextCursor: page.nextCursor };
      } catch (err) {
        throw mapStoreError(err);
      }
    },
  );

  api.post(
    '/dead-letters/:id/replay',
    {
      config: { scope: 'admin' },
      preValidation: refuseBody,
      schema: {
        tags,
        summary: 'Put a dead-lettered job back in its queue, with fresh attempts',
        description:
          'A send goes out again only if it never reached WhatsApp (409 `conflict` otherwise). ' +
          'Replaying one dead letter enqueues one job, even when two calls race; once replayed the ' +
          'dead letter is gone, so a second call answers 404 (send an `Idempotency-Key` to get the ' +
          'first answer again).',
        params: Type.Object({ id: DeadLetterId }, { additionalProperties: false }),
        response: {
          202: ReplaySchema,
          ...problemResponses('validation_failed', 'not_found', 'conflict', 'unavailable'),
        },
      },
    },
    async (req, reply) => {
      const queue = ctx.queue;
      if (!queue) throw new ApiError('unavailable', 'The job queue is not running on this server.');
      const outcome = await replayDeadLetter(
        { store: ctx.store, queue },
        req.params.id.toLowerCase(),
        principalOf(req).tenantId,
      );
      if (!outcome.replayed && outcome.reason === 'already_sent') {
        throw new ApiError(
          'conflict',
          'This send reached WhatsApp before it failed: replaying it would send the message twice.',
        );
      }
      if (!outcome.replayed) throw notFound('dead letter');
      return reply.code(202).send({ jobId: outcome.jobId, deadLetter: view(outcome.deadLetter) });
    },
  );
}
