/**
 * Orders taken in chat or through the API (migrations 0001, 0010). Amounts in minor units of the
 * currency. An order has three independent states: the order itself (`status`), its payment
 * (`paymentStatus`) and its delivery (`fulfilmentStatus`). The delivery address can identify the
 * customer and is sealed.
 *
 * Stock: `place()` with status `confirmed` takes the stock of every line that tracks stock, in the
 * caller's transaction, never below zero (the row lock of the UPDATE serialises two customers
 * confirming the last item: one gets it, the other gets `out_of_stock`). `stockTaken` records that
 * the order holds stock, so a later cancellation knows what to give back.
 */

import {
  checkOrderChange,
  type FulfilmentStatus,
  ORDER_STATUSES,
  type OrderAxis,
  type OrderStateChange,
  type OrderStatus,
  type PaymentStatus,
  paymentStatusOf,
  type RefusedMove,
} from '../../domain/order-states.ts';
import type { PaymentMethod } from '../../domain/selling.ts';
import { newId } from '../ids.ts';
import {
  isoOf,
  isoOrNull,
  msOf,
  type Page,
  type PageOptions,
  pageQuery,
  type RepoContext,
  seal,
  unsealOrNull,
} from './common.ts';
import { eventsRepo, type NewEvent } from './events.ts';

export interface OrderItem {
  productId: string | null;
  name: string;
  quantity: number;
  /** Minor units. */
  unitPrice: number;
  /** Chosen variant values, e.g. {"colour": "noir", "size": "40"}. */
  variant?: Record<string, string>;
}

export {
  FULFILMENT_STATUSES,
  type FulfilmentStatus,
  ORDER_STATUSES,
  type OrderStatus,
  PAYMENT_STATUSES,
  type PaymentStatus,
} from '../../domain/order-states.ts';
export const ORDER_SOURCES = ['chat', 'api', 'dashboard'] as const;
export type OrderSource = (typeof ORDER_SOURCES)[number];

export interface OrderDelivery {
  /** Zone id from the playbook (`delivery.zones[].id`), or null for the default zone. */
  zone: string | null;
  /** The zone's name as the seller wrote it. */
  zoneName: string | null;
  /** Address as the customer gave it. */
  address: string | null;
}

export interface Order {
  id: string;
  tenantId: string;
  channelId: string;
  contactId: string;
  items: OrderItem[];
  /** Sum of the lines. */
  subtotal: number;
  deliveryFee: number;
  /** subtotal + deliveryFee. */
  total: number;
  currency: string;
  status: OrderStatus;
  paymentStatus: PaymentStatus;
  fulfilmentStatus: FulfilmentStatus;
  paymentMethod: string | null;
  delivery: OrderDelivery | null;
  source: OrderSource;
  sourceMessageId: string | null;
  stockTaken: boolean;
  confirmedAtMs: number | null;
  cancelledAtMs: number | null;
  /** Sum of the recorded payments, minor units. */
  amountPaid: number;
  createdAtMs: number;
  updatedAtMs: number;
}

/** A payment received for an order (mobile money, cash on delivery…). */
export interface OrderPayment {
  id: string;
  orderId: string;
  /** Minor units, positive. */
  amount: number;
  method: PaymentMethod;
  paidAtMs: number;
  /** The operator's transaction reference, as the seller typed it (sealed at rest). */
  reference: string | null;
  createdAtMs: number;
}

export interface NewPayment {
  amount: number;
  method: PaymentMethod;
  paidAtMs: number;
  reference?: string | null;
}

/** List filters; created times are a half-open range [createdFromMs, createdToMs). */
export interface OrderFilter {
  contactId?: string;
  channelId?: string;
  status?: OrderStatus;
  paymentStatus?: PaymentStatus;
  fulfilmentStatus?: FulfilmentStatus;
  createdFromMs?: number;
  createdToMs?: number;
}

/** What a change moved: the axes that changed, from and to. */
export type OrderChanges = Partial<Record<OrderAxis, { from: string; to: string }>>;

export type ChangeResult =
  | { outcome: 'updated'; order: Order; changes: OrderChanges }
  /** Every given value was already the current one: nothing written, no event. */
  | { outcome: 'unchanged'; order: Order }
  | { outcome: 'not_found' }
  /** A move the rules forbid (domain/order-states.ts): nothing changed. */
  | { outcome: 'refused'; refusal: RefusedMove }
  /** Confirming needs stock these products lack: nothing changed. */
  | { outcome: 'out_of_stock'; productIds: string[] };

export type PaymentResult =
  | { outcome: 'recorded'; order: Order; payment: OrderPayment }
  | { outcome: 'not_found' }
  /** Nothing recorded: the order is cancelled or refunded, or the amount passes the balance. */
  | { outcome: 'refused'; reason: 'cancelled' | 'refunded' | 'over_balance'; detail: string };

export interface NewOrder {
  channelId: string;
  contactId: string;
  items: readonly OrderItem[];
  /** Default: the sum of quantity × unitPrice plus the delivery fee. */
  total?: number;
  currency: string;
  status?: OrderStatus;
  createdAtMs?: number;
}

export interface PlaceOrder {
  channelId: string;
  contactId: string;
  currency: string;
  items: readonly OrderItem[];
  deliveryFee?: number;
  delivery?: OrderDelivery | null;
  paymentMethod?: string | null;
  source: OrderSource;
  /** The confirming customer message (chat) or the caller's reference: one order per id. */
  sourceMessageId?: string | null;
  /** `confirmed` (default) takes the stock; `pending` does not. */
  status?: 'pending' | 'confirmed';
  atMs?: number;
}

export type PlaceResult =
  | { outcome: 'created'; order: Order }
  /** An order already exists for this sourceMessageId: nothing changed. */
  | { outcome: 'existing'; order: Order }
  /** Not enough stock for these products: nothing changed. */
  | { outcome: 'out_of_stock'; productIds: string[] };

export interface OrdersRepo {
  /** A plain insert, no stock change (fixtures, imports). */
  create(input: NewOrder): Promise<Order>;
  /** Creates an order, idempotent on sourceMessageId, taking stock when confirmed. */
  place(input: PlaceOrder): Promise<PlaceResult>;
  get(id: string): Promise<Order | null>;
  getBySourceMessage(sourceMessageId: string): Promise<Order | null>;
  /** Newest first, filtered. */
  list(options?: PageOptions & OrderFilter): Promise<Page<Order>>;
  /** Sets the order status without any check or stock change (fixtures, imports). */
  setStatus(id: string, status: OrderStatus): Promise<Order | null>;
  /**
   * Moves an order on one or more axes under the rules of domain/order-states.ts, with the row
   * locked: confirming takes the stock (all lines or none), cancelling gives it back when the order
   * holds it (never twice). Appends `order.updated` when something changed.
   */
  changeStatus(id: string, change: OrderStateChange, atMs: number): Promise<ChangeResult>;
  /**
   * Records a payment and derives the payment status from the sum of payments (partial, paid).
   * Refused on a cancelled or refunded order and past the balance. Appends `order.updated`.
   */
  recordPayment(orderId: string, input: NewPayment, atMs: number): Promise<PaymentResult>;
  /** The order's payments, oldest first. */
  payments(orderId: string): Promise<OrderPayment[]>;
}

/** The `order.created` event of a new order (place() does not append it: its caller does, in the same transaction). */
export function orderCreatedEvent(order: Order, atMs: number): NewEvent {
  return {
    type: 'order.created',
    channelId: order.channelId,
    contactId: order.contactId,
    subjectId: order.id,
    data: {
      orderId: order.id,
      source: order.source,
      status: order.status,
      paymentStatus: order.paymentStatus,
      fulfilmentStatus: order.fulfilmentStatus,
      total: order.total,
      currency: order.currency,
      items: order.items.map((i) => ({ productId: i.productId, name: i.name, quantity: i.quantity })),
    },
    atMs,
  };
}

function orderUpdatedEvent(order: Order, changes: OrderChanges, atMs: number, extra = {}): NewEvent {
  return {
    type: 'order.updated',
    channelId: order.channelId,
    contactId: order.contactId,
    subjectId: order.id,
    data: {
      orderId: order.id,
      status: order.status,
      paymentStatus: order.paymentStatus,
      fulfilmentStatus: order.fulfilmentStatus,
      total: order.total,
      amountPaid: order.amountPaid,
      currency: order.currency,
      changes,
      ...extra,
    },
    atMs,
  };
}

interface OrderRow {
  id: string;
  tenant_id: string;
  channel_id: string;
  contact_id: string;
  items: OrderItem[];
  subtotal: string | number;
  delivery_fee: string | number;
  total: string | number;
  currency: string;
  status: OrderStatus;
  payment_status: PaymentStatus;
  fulfilment_status: FulfilmentStatus;
  payment_method: string | null;
  delivery_enc: string | null;
  source: OrderSource;
  source_message_id: string | null;
  stock_taken: boolean;
  confirmed_at: Date | null;
  cancelled_at: Date | null;
  /** Present on SELECTs (SELECT_COLUMNS), absent on RETURNING of a new order (nothing paid yet). */
  amount_paid?: string | number;
  created_at: Date;
  updated_at: Date;
}

interface PaymentRow {
  id: string;
  order_id: string;
  amount: string | number;
  method: PaymentMethod;
  paid_at: Date;
  reference_enc: string | null;
  created_at: Date;
}

const TABLE = 'orders';
const PAYMENTS_TABLE = 'order_payments';
const COLUMNS =
  'id, tenant_id, channel_id, contact_id, items, subtotal, delivery_fee, total, currency, status, payment_status, fulfilment_status, payment_method, delivery_enc, source, source_message_id, stock_taken, confirmed_at, cancelled_at, created_at, updated_at';
const SELECT_COLUMNS = `${COLUMNS}, (SELECT coalesce(sum(p.amount), 0) FROM order_payments p
   WHERE p.tenant_id = orders.tenant_id AND p.order_id = orders.id) AS amount_paid`;
const PAYMENT_COLUMNS = 'id, order_id, amount, method, paid_at, reference_enc, created_at';

function checkItems(items: readonly OrderItem[], allowEmpty = false): number {
  if (items.length === 0 && !allowEmpty) throw new RangeError('an order needs at least one line');
  let subtotal = 0;
  for (const item of items) {
    if (!Number.isSafeInteger(item.quantity) || item.quantity <= 0)
      throw new RangeError('order quantity must be a positive integer');
    if (!Number.isSafeInteger(item.unitPrice) || item.unitPrice < 0)
      throw new RangeError('unit price must be a non-negative integer in minor units');
    subtotal += item.quantity * item.unitPrice;
  }
  if (!Number.isSafeInteger(subtotal)) throw new RangeError('order total is too large');
  return subtotal;
}

export function ordersRepo(c: RepoContext): OrdersRepo {
  function toOrder(r: OrderRow): Order {
    const delivery = unsealOrNull(c, TABLE, 'delivery_enc', r.id, r.delivery_enc);
    return {
      id: r.id,
      tenantId: r.tenant_id,
      channelId: r.channel_id,
      contactId: r.contact_id,
      items: r.items,
      subtotal: Number(r.subtotal),
      deliveryFee: Number(r.delivery_fee),
      total: Number(r.total),
      currency: r.currency,
      status: r.status,
      paymentStatus: r.payment_status,
      fulfilmentStatus: r.fulfilment_status,
      paymentMethod: r.payment_method,
      delivery: delivery === null ? null : (JSON.parse(delivery) as OrderDelivery),
      source: r.source,
      sourceMessageId: r.source_message_id,
      stockTaken: r.stock_taken,
      confirmedAtMs: r.confirmed_at ? msOf(r.confirmed_at) : null,
      cancelledAtMs: r.cancelled_at ? msOf(r.cancelled_at) : null,
      amountPaid: Number(r.amount_paid ?? 0),
      createdAtMs: msOf(r.created_at),
      updatedAtMs: msOf(r.updated_at),
    };
  }

  async function getBySourceMessage(sourceMessageId: string): Promise<Order | null> {
    const { rows } = await c.tx.query<OrderRow>(
      `SELECT ${SELECT_COLUMNS} FROM orders WHERE tenant_id = $1 AND source_message_id = $2`,
      [c.tenantId, sourceMessageId],
    );
    return rows[0] ? toOrder(rows[0]) : null;
  }

  /** Quantity per tracked product id, summed over lines (two lines of one product count together). */
  function stockNeeds(items: readonly OrderItem[]): Map<string, number> {
    const needs = new Map<string, number>();
    for (const item of items) {
      if (item.productId !== null)
        needs.set(item.productId, (needs.get(item.productId) ?? 0) + item.quantity);
    }
    return needs;
  }

  async function changeStock(productId: string, delta: number): Promise<boolean> {
    // Untracked stock (NULL) always succeeds; a decrement never goes below zero.
    const { rows } = await c.tx.query(
      `UPDATE products SET stock = CASE WHEN stock IS NULL THEN NULL ELSE stock + $3 END, updated_at = now()
        WHERE tenant_id = $1 AND id = $2 AND (stock IS NULL OR stock + $3 >= 0)
        RETURNING id`,
      [c.tenantId, productId, delta],
    );
    return rows.length > 0;
  }

  /** Takes the stock of every line, or nothing: returns the products that lacked stock. */
  async function takeStock(items: readonly OrderItem[]): Promise<string[]> {
    const taken: Array<[string, number]> = [];
    const missing: string[] = [];
    // A fixed order (sorted ids) so two orders never lock the same products in opposite orders.
    for (const [productId, quantity] of [...stockNeeds(items)].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (await changeStock(productId, -quantity)) taken.push([productId, quantity]);
      else missing.push(productId);
    }
    if (missing.length > 0) for (const [productId, quantity] of taken) await changeStock(productId, quantity);
    return missing;
  }

  function toPayment(r: PaymentRow): OrderPayment {
    return {
      id: r.id,
      orderId: r.order_id,
      amount: Number(r.amount),
      method: r.method,
      paidAtMs: msOf(r.paid_at),
      reference: unsealOrNull(c, PAYMENTS_TABLE, 'reference_enc', r.id, r.reference_enc),
      createdAtMs: msOf(r.created_at),
    };
  }

  /** The order with its row locked until the transaction ends: changes to one order take turns. */
  async function lockOrder(id: string): Promise<Order | null> {
    const { rows } = await c.tx.query<OrderRow>(
      `SELECT ${SELECT_COLUMNS} FROM orders WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
      [c.tenantId, id],
    );
    return rows[0] ? toOrder(rows[0]) : null;
  }

  async function mustGet(id: string): Promise<Order> {
    const { rows } = await c.tx.query<OrderRow>(
      `SELECT ${SELECT_COLUMNS} FROM orders WHERE tenant_id = $1 AND id = $2`,
      [c.tenantId, id],
    );
    if (!rows[0]) throw new Error(`order ${id} vanished inside its own transaction`);
    return toOrder(rows[0]);
  }

  return {
    async create(input) {
      const subtotal = checkItems(input.items, true);
      const total = input.total ?? subtotal;
      if (!Number.isSafeInteger(total) || total < 0)
        throw new RangeError('order total must be a non-negative integer');
      const status = input.status ?? 'pending';
      if (!ORDER_STATUSES.includes(status)) throw new RangeError(`unknown order status '${status}'`);
      const { rows } = await c.tx.query<OrderRow>(
        `INSERT INTO orders (id, tenant_id, channel_id, contact_id, items, subtotal, delivery_fee, total, currency, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, coalesce($11::timestamptz, now()), coalesce($11::timestamptz, now()))
         RETURNING ${COLUMNS}`,
        [
          newId('ord'),
          c.tenantId,
          input.channelId,
          input.contactId,
          JSON.stringify(input.items),
          Math.min(subtotal, total),
          Math.max(0, total - subtotal),
          total,
          input.currency.toUpperCase(),
          status,
          isoOrNull(input.createdAtMs),
        ],
      );
      return toOrder(rows[0]!);
    },

    async place(input) {
      const subtotal = checkItems(input.items);
      const deliveryFee = input.deliveryFee ?? 0;
      if (!Number.isSafeInteger(deliveryFee) || deliveryFee < 0)
        throw new RangeError('delivery fee must be a non-negative integer in minor units');
      const total = subtotal + deliveryFee;
      if (!Number.isSafeInteger(total)) throw new RangeError('order total is too large');
      const status = input.status ?? 'confirmed';
      const sourceMessageId = input.sourceMessageId ?? null;
      if (sourceMessageId !== null) {
        const existing = await getBySourceMessage(sourceMessageId);
        if (existing) return { outcome: 'existing', order: existing };
      }
      const confirmed = status === 'confirmed';
      if (confirmed) {
        const missing = await takeStock(input.items);
        if (missing.length > 0) return { outcome: 'out_of_stock', productIds: missing };
      }
      const id = newId('ord');
      const at = isoOrNull(input.atMs);
      const { rows } = await c.tx.query<OrderRow>(
        `INSERT INTO orders (id, tenant_id, channel_id, contact_id, items, subtotal, delivery_fee, total, currency,
                             status, payment_method, delivery_enc, source, source_message_id, stock_taken,
                             confirmed_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                 CASE WHEN $15 THEN coalesce($16::timestamptz, now()) END,
                 coalesce($16::timestamptz, now()), coalesce($16::timestamptz, now()))
         ON CONFLICT (tenant_id, source_message_id) WHERE source_message_id IS NOT NULL DO NOTHING
         RETURNING ${COLUMNS}`,
        [
          id,
          c.tenantId,
          input.channelId,
          input.contactId,
          JSON.stringify(input.items),
          subtotal,
          deliveryFee,
          total,
          input.currency.toUpperCase(),
          status,
          input.paymentMethod ?? null,
          input.delivery ? seal(c, TABLE, 'delivery_enc', id, JSON.stringify(input.delivery)) : null,
          input.source,
          sourceMessageId,
          confirmed,
          at,
        ],
      );
      if (rows[0]) return { outcome: 'created', order: toOrder(rows[0]) };
      // A concurrent transaction placed the same message's order first: give the stock back.
      if (confirmed)
        for (const [productId, quantity] of stockNeeds(input.items)) await changeStock(productId, quantity);
      const existing = await getBySourceMessage(sourceMessageId ?? '');
      if (!existing) throw new Error('order conflict without an existing order');
      return { outcome: 'existing', order: existing };
    },

    async get(id) {
      const { rows } = await c.tx.query<OrderRow>(
        `SELECT ${SELECT_COLUMNS} FROM orders WHERE tenant_id = $1 AND id = $2`,
        [c.tenantId, id],
      );
      return rows[0] ? toOrder(rows[0]) : null;
    },

    getBySourceMessage,

    async list(options = {}) {
      const where = ['tenant_id = $1'];
      const params: unknown[] = [c.tenantId];
      const equals: Array<[string, unknown]> = [
        ['contact_id', options.contactId],
        ['channel_id', options.channelId],
        ['status', options.status],
        ['payment_status', options.paymentStatus],
        ['fulfilment_status', options.fulfilmentStatus],
      ];
      for (const [column, value] of equals) {
        if (value === undefined) continue;
        params.push(value);
        where.push(`${column} = $${params.length}`);
      }
      if (options.createdFromMs !== undefined) {
        params.push(isoOf(options.createdFromMs));
        where.push(`created_at >= $${params.length}::timestamptz`);
      }
      if (options.createdToMs !== undefined) {
        params.push(isoOf(options.createdToMs));
        where.push(`created_at < $${params.length}::timestamptz`);
      }
      const page = await pageQuery<OrderRow & { cursor_at: string }>(
        c,
        { select: SELECT_COLUMNS, from: 'orders', where },
        params,
        options,
      );
      return { items: page.rows.map(toOrder), nextCursor: page.nextCursor };
    },

    async setStatus(id, status) {
      if (!ORDER_STATUSES.includes(status)) throw new RangeError(`unknown order status '${status}'`);
      const { rows } = await c.tx.query<OrderRow>(
        `UPDATE orders SET status = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        [c.tenantId, id, status],
      );
      return rows[0] ? toOrder(rows[0]) : null;
    },

    async changeStatus(id, change, atMs) {
      const current = await lockOrder(id);
      if (current === null) return { outcome: 'not_found' };
      const refusal = checkOrderChange(current, change);
      if (refusal !== null) return { outcome: 'refused', refusal };
      const changes: OrderChanges = {};
      for (const axis of ['status', 'paymentStatus', 'fulfilmentStatus'] as const) {
        const to = change[axis];
        if (to !== undefined && to !== current[axis]) changes[axis] = { from: current[axis], to };
      }
      if (Object.keys(changes).length === 0) return { outcome: 'unchanged', order: current };

      const status = change.status ?? current.status;
      let stockTaken = current.stockTaken;
      if (status === 'confirmed' && current.status === 'pending' && !stockTaken) {
        const missing = await takeStock(current.items);
        if (missing.length > 0) return { outcome: 'out_of_stock', productIds: missing };
        stockTaken = true;
      }
      if (status === 'cancelled' && stockTaken) {
        for (const [productId, quantity] of stockNeeds(current.items)) await changeStock(productId, quantity);
        stockTaken = false;
      }
      await c.tx.query(
        `UPDATE orders SET status = $3, payment_status = $4, fulfilment_status = $5, stock_taken = $6,
            confirmed_at = CASE WHEN $3 = 'confirmed' AND confirmed_at IS NULL THEN $7::timestamptz ELSE confirmed_at END,
            cancelled_at = CASE WHEN $3 = 'cancelled' AND cancelled_at IS NULL THEN $7::timestamptz ELSE cancelled_at END,
            updated_at = $7::timestamptz
          WHERE tenant_id = $1 AND id = $2`,
        [
          c.tenantId,
          id,
          status,
          change.paymentStatus ?? current.paymentStatus,
          change.fulfilmentStatus ?? current.fulfilmentStatus,
          stockTaken,
          isoOf(atMs),
        ],
      );
      const order = await mustGet(id);
      await eventsRepo(c).append(orderUpdatedEvent(order, changes, atMs));
      return { outcome: 'updated', order, changes };
    },

    async recordPayment(orderId, input, atMs) {
      if (!Number.isSafeInteger(input.amount) || input.amount <= 0)
        throw new RangeError('payment amount must be a positive integer in minor units');
      const current = await lockOrder(orderId);
      if (current === null) return { outcome: 'not_found' };
      if (current.status === 'cancelled')
        return { outcome: 'refused', reason: 'cancelled', detail: 'the order is cancelled' };
      if (current.paymentStatus === 'refunded')
        return { outcome: 'refused', reason: 'refunded', detail: 'the order was refunded' };
      const balance = current.total - current.amountPaid;
      if (input.amount > balance) {
        return {
          outcome: 'refused',
          reason: 'over_balance',
          detail: `the payment (${input.amount}) is more than what is left to pay (${balance} ${current.currency})`,
        };
      }
      const id = newId('pay');
      const { rows } = await c.tx.query<PaymentRow>(
        `INSERT INTO order_payments (id, tenant_id, order_id, amount, method, paid_at, reference_enc)
         VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7)
         RETURNING ${PAYMENT_COLUMNS}`,
        [
          id,
          c.tenantId,
          orderId,
          input.amount,
          input.method,
          isoOf(input.paidAtMs),
          input.reference ? seal(c, PAYMENTS_TABLE, 'reference_enc', id, input.reference) : null,
        ],
      );
      const paymentStatus = paymentStatusOf(
        current.paymentStatus,
        current.amountPaid + input.amount,
        current.total,
      );
      await c.tx.query(
        `UPDATE orders SET payment_status = $3, updated_at = $4::timestamptz WHERE tenant_id = $1 AND id = $2`,
        [c.tenantId, orderId, paymentStatus, isoOf(atMs)],
      );
      const order = await mustGet(orderId);
      const payment = toPayment(rows[0]!);
      const changes: OrderChanges =
        paymentStatus === current.paymentStatus
          ? {}
          : { paymentStatus: { from: current.paymentStatus, to: paymentStatus } };
      await eventsRepo(c).append(
        orderUpdatedEvent(order, changes, atMs, {
          payment: { id: payment.id, amount: payment.amount, method: payment.method },
        }),
      );
      return { outcome: 'recorded', order, payment };
    },

    async payments(orderId) {
      const { rows } = await c.tx.query<PaymentRow>(
        `SELECT ${PAYMENT_COLUMNS} FROM order_payments WHERE tenant_id = $1 AND order_id = $2
          ORDER BY paid_at, created_at, id`,
        [c.tenantId, orderId],
      );
      return rows.map(toPayment);
    },
  };
}
