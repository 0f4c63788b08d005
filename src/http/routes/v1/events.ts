/**
 * The tenant's event log for people and systems (issue 15, item 5): a Server-Sent Events stream for
 * dashboards (resumable with `Last-Event-ID`), a JSON page for pollers, and the outgoing webhooks
 * integrators register (n8n, Make, their own servers): CRUD, the deliveries with their attempts,
 * and the replay of a dead (or delivered) one. Deliveries themselves are made by the fan-out
 * (src/pipeline/fanout.ts) on the durable queue.
 */

import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { EVENT_TYPES, type EventType } from '../../../domain/events.ts';
import { DEFAULT_SETTLE_MS, EventTail, eventPayload } from '../../../pipeline/index.ts';
import type { DeliveryStatus, WebhookDelivery, WebhookEndpoint } from '../../../store/index.ts';
import { checkHost, refusalText } from '../../../whatsapp/shared/egress.ts';
import { ApiError, problemResponses } from '../../errors.ts';
import { principalOf } from '../../plugins/auth.ts';
import {
  type Api,
  idParams,
  invalidField,
  iso,
  isoOrNull,
  Nullable,
  notFound,
  PageQueryProperties,
  pageSchema,
  type RouteContext,
  tx,
  txFor,
} from './common.ts';

/** Heartbeat comment on an idle stream, so proxies keep it open. */
const HEARTBEAT_MS = 15_000;
/** Poll for events committed by other processes (this process's commits wake the stream at once). */
const STREAM_POLL_MS = 1_000;

const EventTypeSchema = Type.Union(
  EVENT_TYPES.map((t) => Type.Literal(t)),
  { description: 'An event type (docs/INTEGRATION_GUIDE.md, "Events")' },
);

const EventSchema = Type.Object(
  {
    id: Type.String(),
    seq: Type.Integer({ description: 'Position in the tenant log (the SSE id)' }),
    type: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    channelId: Nullable(Type.String()),
    contactId: Nullable(Type.String()),
    subjectId: Nullable(Type.String({ description: 'An order id, a message id, a decision id' })),
    data: Type.Record(Type.String(), Type.Unknown()),
  },
  { title: 'Event' },
);

const TypesQuery = Type.Optional(
  Type.String({
    pattern: '^[a-z_.,]{1,600}$',
    description: 'Comma-separated event types to keep (default: all)',
  }),
);

function parseTypes(raw: string | undefined): EventType[] | undefined {
  if (raw === undefined) return undefined;
  const types = raw.split(',').filter((t) => t !== '');
  const unknown = types.filter((t) => !(EVENT_TYPES as readonly string[]).includes(t));
  if (unknown.length > 0) throw invalidField('query.types', `unknown event type: ${unknown[0]}`);
  return types as EventType[];
}

const EndpointSchema = Type.Object(
  {
    id: Type.String(),
    url: Type.String(),
    events: Type.Array(Type.String(), { description: 'Delivered event types; empty: every type' }),
    description: Nullable(Type.String()),
    enabled: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    secret: Type.Optional(
      Type.String({ description: 'Signing secret (`whsec_…`): shown only in the create response' }),
    ),
  },
  { title: 'WebhookEndpoint' },
);

const DeliverySchema = Type.Object(
  {
    id: Type.String(),
    endpointId: Type.String(),
    eventId: Type.String(),
    eventType: Type.String(),
    status: Type.Union(['pending', 'delivered', 'dead'].map((s) => Type.Literal(s))),
    attempts: Type.Integer({ minimum: 0 }),
    lastStatusCode: Nullable(Type.Integer()),
    lastError: Nullable(Type.String()),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    deliveredAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { title: 'WebhookDelivery' },
);

function endpointView(e: WebhookEndpoint) {
  return {
    id: e.id,
    url: e.url,
    events: e.eventTypes,
    description: e.description,
    enabled: e.enabled,
    createdAt: iso(e.createdAtMs),
    updatedAt: iso(e.updatedAtMs),
  };
}

function deliveryView(d: WebhookDelivery) {
  return {
    id: d.id,
    endpointId: d.endpointId,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    createdAt: iso(d.createdAtMs),
    updatedAt: iso(d.updatedAtMs),
    deliveredAt: isoOrNull(d.deliveredAtMs),
  };
}

const WebhookUrl = Type.String({
  minLength: 8,
  maxLength: 2000,
  description:
    'Where events are POSTed (http or https; private addresses need SELLIFY_ALLOW_PRIVATE_GATEWAYS)',
});

/** Syntax (http/https, no user:password@) and host: the same SSRF rules as gateway base URLs. */
async function checkWebhookUrl(raw: string, ctx: RouteContext): Promise<void> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidField('body.url', 'is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalidField('body.url', 'must start with http:// or https://');
  if (url.username !== '' || url.password !== '')
    throw invalidField('body.url', 'must not contain a user name or password');
  const refusal = await checkHost(url.hostname, ctx.egress);
  if (refusal !== null) throw invalidField('body.url', refusalText(refusal));
}

export function eventRoutes(api: Api, ctx: RouteContext): void {
  const tags = ['events'];
  // Open streams never finish by themselves: a graceful shutdown ends them first (clients
  // reconnect elsewhere with Last-Event-ID), or the server would wait for them until its timeout.
  const openStreams = new Set<() => void>();
  api.addHook('preClose', async () => {
    for (const close of [...openStreams]) close();
  });

  api.get(
    '/events',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Events after a position in the log, oldest first (for pollers)',
        querystring: Type.Object(
          {
            after: Type.Optional(
              Type.Integer({ minimum: 0, description: 'A `seq` already seen; default 0' }),
            ),
            types: TypesQuery,
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Default 200' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object(
            {
              items: Type.Array(EventSchema),
              nextAfter: Type.Integer({ description: 'Pass as `after` for the next call' }),
            },
            { title: 'EventPage' },
          ),
          ...problemResponses('validation_failed'),
        },
      },
    },
    async (req) => {
      const types = parseTypes(req.query.types);
      const after = req.query.after ?? 0;
      const events = await tx(ctx, req, (r) =>
        r.events.listAfter(after, { limit: req.query.limit ?? 200, ...(types ? { types } : {}) }),
      );
      return { items: events.map(eventPayload), nextAfter: events.at(-1)?.seq ?? after };
    },
  );

  api.get(
    '/events/stream',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Server-Sent Events: each event as it happens (resume with Last-Event-ID)',
        description:
          'text/event-stream. Each message has `id` (the seq), `event` (the type) and `data` (the Event JSON). Without Last-Event-ID or `after`, the stream starts with the next event. Delivery is at least once: skip ids you have seen.',
        querystring: Type.Object(
          {
            after: Type.Optional(
              Type.Integer({
                minimum: 0,
                description: 'Start after this seq (Last-Event-ID wins when sent)',
              }),
            ),
            types: TypesQuery,
            follow: Type.Optional(
              Type.Boolean({
                description: 'false: send what is already in the log, then close. Default true',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.String({ description: 'text/event-stream: `id`, `event` and `data` lines per event' }),
          ...problemResponses('validation_failed'),
        },
      },
    },
    async (req, reply) => {
      const types = parseTypes(req.query.types);
      const tenantId = principalOf(req).tenantId;
      const header = req.headers['last-event-id'];
      const lastEventId =
        typeof header === 'string' && /^\d{1,18}$/.test(header) ? Number(header) : undefined;
      const start =
        lastEventId ?? req.query.after ?? (await txFor(ctx, tenantId, (r) => r.webhooksOut.lastEventSeq()));
      const tail = new EventTail(start, DEFAULT_SETTLE_MS);
      const raw = reply.raw;
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': String(req.id),
      });
      raw.write('retry: 2000\n\n');

      let closed = false;
      let pumping: Promise<void> | null = null;
      let again = false;
      const pumpOnce = async () => {
        const events = await txFor(ctx, tenantId, (r) =>
          tail.poll(
            (after) => r.events.listAfter(after, { limit: 200, ...(types ? { types } : {}) }),
            ctx.clock(),
          ),
        );
        for (const e of events) {
          if (closed) return;
          raw.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(eventPayload(e))}\n\n`);
        }
      };
      const pump = (): Promise<void> => {
        if (pumping) {
          again = true;
          return pumping;
        }
        pumping = (async () => {
          try {
            do {
              again = false;
              if (!closed) await pumpOnce();
            } while (again);
          } catch (err) {
            req.log.warn({ err }, 'event stream read failed');
          } finally {
            pumping = null;
          }
        })();
        return pumping;
      };

      if (req.query.follow === false) {
        await pump();
        raw.end();
        return;
      }
      const unsubscribe = ctx.store.onEventsCommitted((t) => {
        if (t === tenantId) void pump();
      });
      const poll = setInterval(() => void pump(), STREAM_POLL_MS);
      const heartbeat = setInterval(() => raw.write(': ping\n\n'), HEARTBEAT_MS);
      const close = () => {
        if (closed) return;
        closed = true;
        openStreams.delete(close);
        unsubscribe();
        clearInterval(poll);
        clearInterval(heartbeat);
        raw.end();
      };
      openStreams.add(close);
      req.raw.on('close', close);
      raw.on('close', close);
      await pump();
    },
  );

  const hooks = ['webhooks'];
  const EndpointParams = idParams('whe');

  api.post(
    '/webhook-endpoints',
    {
      config: { scope: 'admin', oneTimeSecrets: ['secret'] },
      schema: {
        tags: hooks,
        summary: 'Register an outgoing webhook (the signing secret is shown once)',
        body: Type.Object(
          {
            url: WebhookUrl,
            events: Type.Optional(Type.Array(EventTypeSchema, { maxItems: 50, uniqueItems: true })),
            description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
          },
          { additionalProperties: false },
        ),
        response: { 201: EndpointSchema, ...problemResponses('validation_failed') },
      },
    },
    async (req, reply) => {
      await checkWebhookUrl(req.body.url, ctx);
      const secret = `whsec_${randomBytes(32).toString('base64url')}`;
      const endpoint = await tx(ctx, req, (r) =>
        r.webhooksOut.createEndpoint({
          url: req.body.url,
          secret,
          eventTypes: req.body.events ?? [],
          description: req.body.description ?? null,
        }),
      );
      return reply.code(201).send({ ...endpointView(endpoint), secret });
    },
  );

  api.get(
    '/webhook-endpoints',
    {
      config: { scope: 'read' },
      schema: {
        tags: hooks,
        summary: 'List outgoing webhooks',
        response: {
          200: Type.Object({ items: Type.Array(EndpointSchema) }, { title: 'WebhookEndpointList' }),
        },
      },
    },
    async (req) => {
      const items = await tx(ctx, req, (r) => r.webhooksOut.listEndpoints());
      return { items: items.map(endpointView) };
    },
  );

  api.get(
    '/webhook-endpoints/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags: hooks,
        summary: 'Get an outgoing webhook',
        params: EndpointParams,
        response: { 200: EndpointSchema, ...problemResponses('not_found') },
      },
    },
    async (req) => {
      const endpoint = await tx(ctx, req, (r) => r.webhooksOut.getEndpoint(req.params.id));
      if (!endpoint) throw notFound('webhook endpoint');
      return endpointView(endpoint);
    },
  );

  api.patch(
    '/webhook-endpoints/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags: hooks,
        summary: 'Change an outgoing webhook (URL, event types, description, enabled)',
        params: EndpointParams,
        body: Type.Object(
          {
            url: Type.Optional(WebhookUrl),
            events: Type.Optional(Type.Array(EventTypeSchema, { maxItems: 50, uniqueItems: true })),
            description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
            enabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: EndpointSchema, ...problemResponses('validation_failed', 'not_found') },
      },
    },
    async (req) => {
      if (req.body.url !== undefined) await checkWebhookUrl(req.body.url, ctx);
      const b = req.body;
      const endpoint = await tx(ctx, req, (r) =>
        r.webhooksOut.updateEndpoint(req.params.id, {
          ...(b.url !== undefined ? { url: b.url } : {}),
          ...(b.events !== undefined ? { eventTypes: b.events } : {}),
          ...(b.description !== undefined ? { description: b.description } : {}),
          ...(b.enabled !== undefined ? { enabled: b.enabled } : {}),
        }),
      );
      if (!endpoint) throw notFound('webhook endpoint');
      return endpointView(endpoint);
    },
  );

  api.delete(
    '/webhook-endpoints/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags: hooks,
        summary: 'Delete an outgoing webhook (and its delivery history)',
        params: EndpointParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses('not_found') },
      },
    },
    async (req, reply) => {
      const deleted = await tx(ctx, req, (r) => r.webhooksOut.deleteEndpoint(req.params.id));
      if (!deleted) throw notFound('webhook endpoint');
      return reply.code(204).send(null);
    },
  );

  api.get(
    '/webhook-endpoints/:id/deliveries',
    {
      config: { scope: 'read' },
      schema: {
        tags: hooks,
        summary: "An outgoing webhook's deliveries, newest first (status=dead: the dead letters)",
        params: EndpointParams,
        querystring: Type.Object(
          {
            ...PageQueryProperties,
            status: Type.Optional(Type.Union(['pending', 'delivered', 'dead'].map((s) => Type.Literal(s)))),
          },
          { additionalProperties: false },
        ),
        response: {
          200: pageSchema(DeliverySchema, 'WebhookDeliveryPage'),
          ...problemResponses('validation_failed', 'not_found'),
        },
      },
    },
    async (req) => {
      const { limit, cursor, status } = req.query;
      const page = await tx(ctx, req, async (r) => {
        if (!(await r.webhooksOut.getEndpoint(req.params.id))) return null;
        return r.webhooksOut.listDeliveries({
          endpointId: req.params.id,
          ...(limit !== undefined ? { limit } : {}),
          ...(cursor !== undefined ? { cursor } : {}),
          ...(status !== undefined ? { status: status as DeliveryStatus } : {}),
        });
      });
      if (page === null) throw notFound('webhook endpoint');
      return { items: page.items.map(deliveryView), nextCursor: page.nextCursor };
    },
  );

  api.post(
    '/webhook-deliveries/:id/replay',
    {
      config: { scope: 'admin' },
      schema: {
        tags: hooks,
        summary: 'Deliver a dead (or delivered) event again, with a fresh set of retries',
        params: idParams('whd'),
        response: { 202: DeliverySchema, ...problemResponses('not_found', 'conflict', 'unavailable') },
      },
    },
    async (req, reply) => {
      const queue = ctx.queue;
      if (!queue) throw new ApiError('unavailable', 'The job queue is not running on this server.');
      const result = await tx(ctx, req, async (r) => {
        const found = await r.webhooksOut.getDelivery(req.params.id);
        if (!found) return null;
        const reset = await r.webhooksOut.resetForReplay(found.id);
        if (!reset) return 'pending' as const;
        await queue.enqueueIn(r.sql, {
          name: 'webhook',
          data: { tenantId: r.tenantId, deliveryId: reset.id },
          singletonKey: `webhook:${reset.id}:replay:${ctx.clock().toString(36)}`,
        });
        return reset;
      });
      if (result === null) throw notFound('webhook delivery');
      if (result === 'pending')
        throw new ApiError('conflict', 'This delivery is still pending: it will be retried.');
      return reply.code(202).send(deliveryView(result));
    },
  );
}
