/**
 * Orders (issue 13.4): created by advisor-mode bots and the dashboard (chat orders come from the
 * pipeline through `orders.place()`), moved on their three axes, paid, listed and exported.
 *
 * - POST /orders: lines by product id; unit prices come from the catalogue unless given, the
 *   delivery fee from the playbook's delivery zones unless given. `reference` (or the confirming
 *   message id of an advisor bot) makes the call idempotent: a second call returns the first order
 *   with 200. `Idempotency-Key` works as on every POST. Confirming (the default) takes the stock,
 *   all lines or none: 409 `out_of_stock` names the products that lack it.
 * - PATCH /orders/{id}: order, payment and fulfilment status under the rules of
 *   src/domain/order-states.ts; a forbidden move is 409 `order_transition_invalid` and changes
 *   nothing.
 * - POST /orders/{id}/payments: a payment received; the payment status follows the sum.
 * - GET /orders (filters, cursor pages) and GET /orders.csv (the same filters, one line per order).
 *
 * Every change appends `order.created` / `order.updated` to the event log in its transaction.
 */

import { type Static, Type } from '@sinclair/typebox';
import { isAcceptedInstant, isMessageTime } from '../../../domain/instants.ts';
import {
  FULFILMENT_STATUSES,
  ORDER_STATUSES,
  type OrderStateChange,
  PAYMENT_STATUSES,
} from '../../../domain/order-states.ts';
import { PAYMENT_METHODS } from '../../../domain/selling.ts';
import {
  type Contact,
  type Order,
  type OrderFilter,
  type OrderItem,
  orderCreatedEvent,
  type PlaceOrder,
  playbookFields,
  type TenantRepos,
} from '../../../store/index.ts';
import { ApiError, problemResponses } from '../../errors.ts';
import {
  type Api,
  DateTime,
  idParams,
  idSchema,
  invalidField,
  msOrUndefined,
  notFound,
  PageQueryProperties,
  pageSchema,
  type RouteContext,
  tx,
} from './common.ts';
import { OrderSchema, type OrderView, orderView } from './views.ts';

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

const OrderLineBody = Type.Object(
  {
    productId: idSchema('prd', 'A product of the catalogue'),
    quantity: Type.Integer({ minimum: 1, maximum: 100_000 }),
    variant: Type.Optional(
      Type.Record(
        Type.String({ minLength: 1, maxLength: 40 }),
        Type.String({ minLength: 1, maxLength: 80 }),
        {
          maxProperties: 10,
          description:
            'One value for each variant the product defines, e.g. {"size": "40"} (values as in the catalogue)',
        },
      ),
    ),
    unitPrice: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 1e12,
        description: "Minor units; default: the product's catalogue price (give it for a negotiated price)",
      }),
    ),
  },
  { additionalProperties: false },
);

const OrderCreateBody = Type.Object(
  {
    channelId: idSchema('chn', 'The channel the customer wrote on'),
    contactId: idSchema('ctc', 'The customer (a contact of that channel)'),
    items: Type.Array(OrderLineBody, { minItems: 1, maxItems: 100 }),
    delivery: Type.Optional(
      Type.Object(
        {
          zone: Type.Optional(
            Type.String({
              pattern: '^[a-z0-9][a-z0-9_-]{0,39}$',
              description: "A zone id of the playbook's delivery facts; absent: the default zone",
            }),
          ),
          address: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
          fee: Type.Optional(
            Type.Integer({
              minimum: 0,
              maximum: 1e9,
              description: "Minor units; default: the zone's fee (or the default zone's)",
            }),
          ),
        },
        { additionalProperties: false, description: 'Absent: no delivery (pick-up), no fee' },
      ),
    ),
    paymentMethod: Type.Optional(literals(PAYMENT_METHODS)),
    status: Type.Optional(
      Type.Union([Type.Literal('pending'), Type.Literal('confirmed')], {
        description: 'confirmed (default) takes the stock now; pending takes it when confirmed',
      }),
    ),
    source: Type.Optional(Type.Union([Type.Literal('api'), Type.Literal('dashboard')])),
    reference: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        pattern: '^[\\x21-\\x7e]+$',
        description:
          "Your id for this order, or the customer's confirming message id: one order per reference (a repeat returns it with 200)",
      }),
    ),
  },
  { additionalProperties: false },
);

const OrderPatchBody = Type.Object(
  {
    status: Type.Optional(literals(ORDER_STATUSES)),
    paymentStatus: Type.Optional(literals(PAYMENT_STATUSES)),
    fulfilmentStatus: Type.Optional(literals(FULFILMENT_STATUSES)),
  },
  { additionalProperties: false, minProperties: 1 },
);

const PaymentBody = Type.Object(
  {
    amount: Type.Integer({ minimum: 1, maximum: 1e12, description: 'Minor units' }),
    method: literals(PAYMENT_METHODS),
    paidAt: Type.Optional(DateTime('When the money was received; default: now')),
    reference: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: "The operator's transaction reference" }),
    ),
  },
  { additionalProperties: false },
);

const OrderFilterProperties = {
  status: Type.Optional(literals(ORDER_STATUSES)),
  paymentStatus: Type.Optional(literals(PAYMENT_STATUSES)),
  fulfilmentStatus: Type.Optional(literals(FULFILMENT_STATUSES)),
  contactId: Type.Optional(idSchema('ctc', 'Only orders of this contact')),
  channelId: Type.Optional(idSchema('chn', 'Only orders on this channel')),
  createdFrom: Type.Optional(DateTime('Only orders created at or after this instant')),
  createdTo: Type.Optional(DateTime('Only orders created before this instant')),
};
const OrderListQuery = Type.Object(
  { ...PageQueryProperties, ...OrderFilterProperties },
  { additionalProperties: false },
);
const OrderCsvQuery = Type.Object(
  { cursor: PageQueryProperties.cursor, ...OrderFilterProperties },
  { additionalProperties: false },
);

/** Rows in one CSV response; past that the `Sellify-Next-Cursor` header continues. */
export const CSV_MAX_ROWS = 10_000;
export const CSV_NEXT_CURSOR_HEADER = 'sellify-next-cursor';

function filterOf(q: Static<typeof OrderCsvQuery>): OrderFilter {
  const filter: OrderFilter = {};
  if (q.status !== undefined) filter.status = q.status;
  if (q.paymentStatus !== undefined) filter.paymentStatus = q.paymentStatus;
  if (q.fulfilmentStatus !== undefined) filter.fulfilmentStatus = q.fulfilmentStatus;
  if (q.contactId !== undefined) filter.contactId = q.contactId;
  if (q.channelId !== undefined) filter.channelId = q.channelId;
  const from = msOrUndefined(q.createdFrom);
  const to = msOrUndefined(q.createdTo);
  if (from !== undefined) filter.createdFromMs = from;
  if (to !== undefined) filter.createdToMs = to;
  if (from !== undefined && to !== undefined && from > to)
    throw invalidField('query.createdTo', 'must not be before createdFrom');
  return filter;
}

/** The order's lines from the catalogue: names, prices, checked variants, one currency. */
async function linesOf(r: TenantRepos, body: Static<typeof OrderCreateBody>) {
  const items: OrderItem[] = [];
  const currencies = new Set<string>();
  for (const [i, line] of body.items.entries()) {
    const field = `body.items[${i}]`;
    const product = await r.products.get(line.productId);
    if (product === null) throw invalidField(`${field}.productId`, 'is not a product of this catalogue');
    currencies.add(product.currency);
    const item: OrderItem = {
      productId: product.id,
      name: product.name,
      quantity: line.quantity,
      unitPrice: line.unitPrice ?? product.price,
    };
    const chosen: Record<string, string> = {};
    const given = line.variant ?? {};
    for (const [name, value] of Object.entries(given)) {
      const allowed = product.variants[name];
      if (allowed === undefined) {
        const names = Object.keys(product.variants);
        throw invalidField(
          `${field}.variant.${name}`,
          names.length === 0
            ? 'this product has no variants'
            : `is not a variant of this product (it has ${names.join(', ')})`,
        );
      }
      const match = allowed.find((v) => v.toLowerCase() === value.toLowerCase());
      if (match === undefined)
        throw invalidField(`${field}.variant.${name}`, `must be one of ${allowed.join(', ')}`);
      chosen[name] = match;
    }
    for (const [name, allowed] of Object.entries(product.variants)) {
      if (chosen[name] === undefined && allowed.length > 0)
        throw invalidField(`${field}.variant.${name}`, `is required: one of ${allowed.join(', ')}`);
    }
    if (Object.keys(chosen).length > 0) item.variant = chosen;
    items.push(item);
  }
  if (currencies.size > 1) {
    throw new ApiError(
      'unprocessable',
      `The products are priced in different currencies (${[...currencies].join(', ')}); one order has one currency.`,
    );
  }
  return { items, currency: [...currencies][0] as string };
}

/** The delivery fee and zone: explicit, else the playbook's zone, else its default zone. */
async function deliveryOf(r: TenantRepos, delivery: Static<typeof OrderCreateBody>['delivery']) {
  if (delivery === undefined) return { deliveryFee: 0, delivery: null };
  const facts = playbookFields(await r.playbook.get()).delivery;
  let zone: { id: string; name: string; fee: number } | null = null;
  if (delivery.zone !== undefined) {
    zone = facts?.zones.find((z) => z.id === delivery.zone) ?? null;
    if (zone === null)
      throw invalidField('body.delivery.zone', "is not a zone of the playbook's delivery facts");
  }
  const fee = delivery.fee ?? zone?.fee ?? facts?.default?.fee;
  if (fee === undefined) {
    throw new ApiError(
      'unprocessable',
      'No delivery fee is known for this order: the playbook has no default delivery zone. Give delivery.zone or delivery.fee.',
    );
  }
  return {
    deliveryFee: fee,
    delivery: { zone: zone?.id ?? null, zoneName: zone?.name ?? null, address: delivery.address ?? null },
  };
}

function outOfStock(productIds: readonly string[], field: (productId: string) => string): ApiError {
  return new ApiError('out_of_stock', `Not enough stock for ${productIds.join(', ')}; nothing was changed.`, {
    errors: productIds.map((id) => ({ field: field(id), message: `${id} is out of stock` })),
  });
}

// ---------------------------------------------------------------------------------------------
// CSV

/** Cells a spreadsheet would run as a formula (OWASP CSV injection) start with one of these. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One RFC 4180 field: formula-looking text prefixed with ', quoted when it holds , " CR or LF. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: ReadonlyArray<string | number | null | undefined>): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export const CSV_COLUMNS = [
  'id',
  'createdAt',
  'status',
  'paymentStatus',
  'fulfilmentStatus',
  'channelId',
  'contactId',
  'contactName',
  'contactPhone',
  'items',
  'subtotal',
  'deliveryFee',
  'total',
  'amountPaid',
  'currency',
  'paymentMethod',
  'deliveryZone',
  'deliveryAddress',
  'source',
  'reference',
] as const;

function itemsText(items: readonly OrderItem[]): string {
  return items
    .map((i) => {
      const variant = i.variant ? Object.values(i.variant).join(' ') : '';
      return `${i.quantity} x ${i.name}${variant ? ` (${variant})` : ''}`;
    })
    .join('; ');
}

export function orderCsvLine(o: Order, contact: Contact | undefined): string {
  return csvLine([
    o.id,
    new Date(o.createdAtMs).toISOString(),
    o.status,
    o.paymentStatus,
    o.fulfilmentStatus,
    o.channelId,
    o.contactId,
    contact?.name ?? null,
    contact?.phone ?? null,
    itemsText(o.items),
    o.subtotal,
    o.deliveryFee,
    o.total,
    o.amountPaid,
    o.currency,
    o.paymentMethod,
    o.delivery?.zoneName ?? o.delivery?.zone ?? null,
    o.delivery?.address ?? null,
    o.source,
    o.sourceMessageId,
  ]);
}

// ---------------------------------------------------------------------------------------------

export function orderRoutes(api: Api, ctx: RouteContext): void {
  const tags = ['orders'];

  api.post(
    '/orders',
    {
      config: { scope: 'write' },
      schema: {
        tags,
        summary: 'Create an order (advisor-mode bots, dashboards)',
        body: OrderCreateBody,
        response: {
          200: OrderSchema,
          201: OrderSchema,
          ...problemResponses(
            'validation_failed',
            'not_found',
            'out_of_stock',
            'unprocessable',
            'idempotency_mismatch',
            'idempotency_in_flight',
          ),
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const nowMs = ctx.clock();
      const result = await tx(ctx, req, async (r): Promise<{ created: boolean; view: OrderView }> => {
        const channel = await r.channels.get(b.channelId);
        if (channel === null) throw notFound('channel');
        const contact = await r.contacts.get(b.contactId);
        if (contact === null || contact.channelId !== channel.id) throw notFound('contact');
        if (b.reference !== undefined) {
          const existing = await r.orders.getBySourceMessage(b.reference);
          if (existing !== null) {
            if (existing.contactId !== contact.id)
              throw new ApiError('conflict', 'Conflict: this reference belongs to another order.');
            return { created: false, view: orderView(existing, await r.orders.payments(existing.id)) };
          }
        }
        const { items, currency } = await linesOf(r, b);
        const input: PlaceOrder = {
          channelId: channel.id,
          contactId: contact.id,
          currency,
          items,
          ...(await deliveryOf(r, b.delivery)),
          paymentMethod: b.paymentMethod ?? null,
          source: b.source ?? 'api',
          sourceMessageId: b.reference ?? null,
          status: b.status ?? 'confirmed',
          atMs: nowMs,
        };
        const placed = await r.orders.place(input);
        if (placed.outcome === 'out_of_stock') {
          throw outOfStock(
            placed.productIds,
            (id) => `body.items[${b.items.findIndex((l) => l.productId === id)}].productId`,
          );
        }
        if (placed.outcome === 'existing')
          return { created: false, view: orderView(placed.order, await r.orders.payments(placed.order.id)) };
        await r.events.append(orderCreatedEvent(placed.order, nowMs));
        return { created: true, view: orderView(placed.order, []) };
      });
      return reply.code(result.created ? 201 : 200).send(result.view);
    },
  );

  api.get(
    '/orders',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'List orders (newest first, filtered)',
        querystring: OrderListQuery,
        response: { 200: pageSchema(OrderSchema, 'OrderPage'), ...problemResponses('validation_failed') },
      },
    },
    async (req) => {
      const { limit, cursor } = req.query;
      const filter = filterOf(req.query);
      const page = await tx(ctx, req, (r) => r.orders.list({ ...filter, limit, cursor }));
      return { items: page.items.map((o) => orderView(o)), nextCursor: page.nextCursor };
    },
  );

  api.get(
    '/orders.csv',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: `Export orders as CSV (newest first, the list's filters, at most ${CSV_MAX_ROWS} rows a response)`,
        description:
          'RFC 4180 (CRLF, quoted fields, UTF-8 with a byte order mark for spreadsheets), one line per order after a header row; amounts in minor units. Cells starting with = + - @ get a leading apostrophe so a spreadsheet never runs them. When more orders match, the `Sellify-Next-Cursor` header holds the `cursor` of the next export.',
        querystring: OrderCsvQuery,
        response: {
          200: {
            description: 'The orders, one per line',
            content: { 'text/csv': { schema: Type.String() } },
          },
          ...problemResponses('validation_failed'),
        },
      },
    },
    async (req, reply) => {
      const filter = filterOf(req.query);
      const { orders, contacts, nextCursor } = await tx(ctx, req, async (r) => {
        const orders: Order[] = [];
        let cursor: string | null = req.query.cursor ?? null;
        do {
          const page = await r.orders.list({ ...filter, cursor, limit: 200 });
          orders.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor !== null && orders.length < CSV_MAX_ROWS);
        const contacts = new Map<string, Contact>();
        for (const id of new Set(orders.map((o) => o.contactId))) {
          const contact = await r.contacts.get(id);
          if (contact !== null) contacts.set(id, contact);
        }
        return { orders, contacts, nextCursor: cursor };
      });
      let csv = `\uFEFF${csvLine(CSV_COLUMNS)}`;
      for (const o of orders) csv += orderCsvLine(o, contacts.get(o.contactId));
      if (nextCursor !== null) reply.header(CSV_NEXT_CURSOR_HEADER, nextCursor);
      return reply
        .type('text/csv; charset=utf-8; header=present')
        .header('content-disposition', 'attachment; filename="orders.csv"')
        .send(csv);
    },
  );

  api.get(
    '/orders/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Get an order with its payments',
        params: idParams('ord'),
        response: { 200: OrderSchema, ...problemResponses('not_found') },
      },
    },
    async (req) => {
      const view = await tx(ctx, req, async (r) => {
        const order = await r.orders.get(req.params.id);
        return order === null ? null : orderView(order, await r.orders.payments(order.id));
      });
      if (view === null) throw notFound('order');
      return view;
    },
  );

  api.patch(
    '/orders/:id',
    {
      config: { scope: 'write' },
      schema: {
        tags,
        summary: 'Move an order: order, payment (refunded only) and fulfilment status',
        description:
          'Order: pending → confirmed (takes the stock) → completed; pending or confirmed → cancelled (gives the stock back). Completed and cancelled are final. Fulfilment moves forward only (unfulfilled → ready → out_for_delivery → delivered; out_for_delivery or delivered → returned, final) and not on a cancelled order. The payment status follows the recorded payments; only `refunded` (from partial or paid) is set here. A value equal to the current one changes nothing.',
        params: idParams('ord'),
        body: OrderPatchBody,
        response: {
          200: OrderSchema,
          ...problemResponses('validation_failed', 'not_found', 'order_transition_invalid', 'out_of_stock'),
        },
      },
    },
    async (req) => {
      const change: OrderStateChange = { ...req.body };
      const view = await tx(ctx, req, async (r) => {
        const result = await r.orders.changeStatus(req.params.id, change, ctx.clock());
        switch (result.outcome) {
          case 'not_found':
            throw notFound('order');
          case 'refused':
            throw new ApiError(
              'order_transition_invalid',
              `Not allowed: ${result.refusal.detail}. Nothing was changed.`,
              { errors: [{ field: `body.${result.refusal.axis}`, message: result.refusal.reason }] },
            );
          case 'out_of_stock':
            throw outOfStock(result.productIds, () => 'body.status');
          default:
            return orderView(result.order, await r.orders.payments(result.order.id));
        }
      });
      return view;
    },
  );

  api.post(
    '/orders/:id/payments',
    {
      config: { scope: 'write' },
      schema: {
        tags,
        summary: 'Record a payment received (the payment status becomes partial or paid)',
        params: idParams('ord'),
        body: PaymentBody,
        response: {
          201: OrderSchema,
          ...problemResponses(
            'validation_failed',
            'not_found',
            'conflict',
            'unprocessable',
            'idempotency_mismatch',
            'idempotency_in_flight',
          ),
        },
      },
    },
    async (req, reply) => {
      const nowMs = ctx.clock();
      const paidAtMs = msOrUndefined(req.body.paidAt) ?? nowMs;
      if (!isAcceptedInstant(paidAtMs) || !isMessageTime(paidAtMs, nowMs) || paidAtMs > nowMs)
        throw invalidField('body.paidAt', 'must not be in the future');
      const view = await tx(ctx, req, async (r) => {
        const result = await r.orders.recordPayment(
          req.params.id,
          {
            amount: req.body.amount,
            method: req.body.method,
            paidAtMs,
            reference: req.body.reference ?? null,
          },
          nowMs,
        );
        if (result.outcome === 'not_found') throw notFound('order');
        if (result.outcome === 'refused') {
          if (result.reason === 'over_balance')
            throw new ApiError('unprocessable', `Not recorded: ${result.detail}.`);
          throw new ApiError('conflict', `Conflict: ${result.detail}; no payment can be recorded.`);
        }
        return orderView(result.order, await r.orders.payments(result.order.id));
      });
      return reply.code(201).send(view);
    },
  );
}
