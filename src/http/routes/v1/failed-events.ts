/**
 * Parked webhook events (issue 11.19): an event whose processing threw is stored sealed instead
 * of failing its webhook forever. Admins list them, read one (the event and the error, decrypted),
 * and replay it through the same inbound pipeline once the cause is fixed. A replay that fails
 * again counts another attempt on the same record.
 */

import { type Static, Type } from '@sinclair/typebox';
import type { FailedEvent } from '../../../store/index.ts';
import type { InboundEvent } from '../../../whatsapp/index.ts';
import { ApiError, problemResponses } from '../../errors.ts';
import { principalOf } from '../../plugins/auth.ts';
import {
  type Api,
  DateTime,
  idParams,
  idSchema,
  iso,
  isoOrNull,
  Nullable,
  notFound,
  PageQueryProperties,
  pageSchema,
  type RouteContext,
  refuseBody,
  tx,
} from './common.ts';

const FailedEventSchema = Type.Object(
  {
    id: idSchema('fev'),
    channelId: idSchema('chn'),
    transport: Type.String(),
    eventKind: Type.String({ description: 'message, status or health' }),
    errorCode: Type.String({
      description: 'Stable code of the error (invalid_phone, sql_22001, typeerror…)',
    }),
    state: Type.Union([Type.Literal('failed'), Type.Literal('replayed')]),
    attempts: Type.Integer({ minimum: 1, description: 'Deliveries and replays that failed' }),
    createdAt: DateTime('First failure'),
    lastFailedAt: DateTime('Latest failure'),
    replayedAt: Nullable(DateTime('When a replay succeeded')),
  },
  { title: 'FailedEvent' },
);

const FailedEventDetailSchema = Type.Composite(
  [
    FailedEventSchema,
    Type.Object({
      event: Type.Unknown({
        description: 'The normalized event as the pipeline received it (customer data)',
      }),
      error: Type.Object({ name: Type.String(), message: Type.String() }),
    }),
  ],
  { title: 'FailedEventDetail' },
);

const ReplaySchema = Type.Object(
  {
    replayed: Type.Boolean({ description: 'True when the pipeline took the event this time' }),
    failedEvent: FailedEventSchema,
  },
  { title: 'FailedEventReplay' },
);

const ListQuery = Type.Object(
  {
    ...PageQueryProperties,
    state: Type.Optional(Type.Union([Type.Literal('failed'), Type.Literal('replayed')])),
    channelId: Type.Optional(idSchema('chn', 'Only events of this channel')),
  },
  { additionalProperties: false },
);

function view(f: FailedEvent): Static<typeof FailedEventSchema> {
  return {
    id: f.id,
    channelId: f.channelId,
    transport: f.transport,
    eventKind: f.eventKind,
    errorCode: f.errorCode,
    state: f.state,
    attempts: f.attempts,
    createdAt: iso(f.createdAtMs),
    lastFailedAt: iso(f.lastFailedAtMs),
    replayedAt: isoOrNull(f.replayedAtMs),
  };
}

export function failedEventRoutes(api: Api, ctx: RouteContext): void {
  const tags = ['failed events'];

  api.get(
    '/failed-events',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'List webhook events that failed and were parked (newest first)',
        querystring: ListQuery,
        response: {
          200: pageSchema(FailedEventSchema, 'FailedEventPage'),
          ...problemResponses('validation_failed'),
        },
      },
    },
    async (req) => {
      const { limit, cursor, state, channelId } = req.query;
      const page = await tx(ctx, req, (r) => r.failedEvents.list({ limit, cursor, state, channelId }));
      return { items: page.items.map(view), nextCursor: page.nextCursor };
    },
  );

  api.get(
    '/failed-events/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Get a parked event with the event itself and its error',
        params: idParams('fev'),
        response: { 200: FailedEventDetailSchema, ...problemResponses('not_found') },
      },
    },
    async (req) => {
      const found = await tx(ctx, req, async (r) => {
        const record = await r.failedEvents.get(req.params.id);
        return record === null ? null : { record, payload: await r.failedEvents.payload(record.id) };
      });
      if (found === null || found.payload === null) throw notFound('failed event');
      return { ...view(found.record), event: found.payload.event, error: found.payload.error };
    },
  );

  api.post(
    '/failed-events/:id/replay',
    {
      config: { scope: 'admin' },
      preValidation: refuseBody,
      schema: {
        tags,
        summary: 'Run a parked event through the inbound pipeline again',
        params: idParams('fev'),
        response: { 200: ReplaySchema, ...problemResponses('not_found', 'unavailable') },
      },
    },
    async (req) => {
      const processEvents = ctx.processEvents;
      if (processEvents === undefined)
        throw new ApiError('unavailable', 'This instance does not run the inbound pipeline.');
      const found = await tx(ctx, req, async (r) => {
        const record = await r.failedEvents.get(req.params.id);
        return record === null ? null : { record, payload: await r.failedEvents.payload(record.id) };
      });
      if (found === null || found.payload === null) throw notFound('failed event');
      const { record } = found;
      // Idempotent like a redelivery: a message or status already stored is a duplicate, not a second copy.
      const outcome = await processEvents(
        { tenantId: principalOf(req).tenantId, channelId: record.channelId, transport: record.transport },
        [found.payload.event as InboundEvent],
      );
      const replayed = outcome.failed === 0;
      const after = await tx(ctx, req, (r) =>
        replayed ? r.failedEvents.markReplayed(record.id, ctx.clock()) : r.failedEvents.get(record.id),
      );
      if (after === null) throw notFound('failed event');
      return { replayed, failedEvent: view(after) };
    },
  );
}
