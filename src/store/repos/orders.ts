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

import { newId } from '../ids.ts';
import {
  isoOrNull,
  msOf,
  type Page,
  type PageOptions,
  pageQuery,
  type RepoContext,
  seal,
  unsealOrNull,
} from './common.ts';

export interface OrderItem {
  productId: string | null;
  name: string;
  quantity: number;
  /** Minor units. */
  unitPrice: number;
  /** Chosen variant values, e.g. {"colour": "noir", "size": "40"}. */
  variant?: Record<string, string>;
}

export const ORDER_STATUSES = ['pending', 'confirmed', 'completed', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const PAYMENT_STATUSES = ['unpaid', 'partial', 'paid', 'refunded'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
export const FULFILMENT_STATUSES = [
  'unfulfilled',
  'ready',
  'out_for_delivery',
  'delivered',
  'returned',
] as const;
export type FulfilmentStatus = (typeof FULFILMENT_STATUSES)[number];
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
  createdAtMs: number;
  updatedAtMs: number;
}

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
  /** Newest first, optionally for one contact. */
  list(options?: PageOptions & { contactId?: string }): Promise<Page<Order>>;
  setStatus(id: string, status: OrderStatus): Promise<Order | null>;
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
  created_at: Date;
  updated_at: Date;
}

const TABLE = 'orders';
const COLUMNS =
  'id, tenant_id, channel_id, contact_id, items, subtotal, delivery_fee, total, currency, status, payment_status, fulfilment_status, payment_method, delivery_enc, source, source_message_id, stock_taken, confirmed_at, cancelled_at, created_at, updated_at';

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
      createdAtMs: msOf(r.created_at),
      updatedAtMs: msOf(r.updated_at),
    };
  }

  async function getBySourceMessage(sourceMessageId: string): Promise<Order | null> {
    const { rows } = await c.tx.query<OrderRow>(
      `SELECT ${COLUMNS} FROM orders WHERE tenant_id = $1 AND source_message_id = $2`,
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
        `SELECT ${COLUMNS} FROM orders WHERE tenant_id = $1 AND id = $2`,
        [c.tenantId, id],
      );
      return rows[0] ? toOrder(rows[0]) : null;
    },

    getBySourceMessage,

    async list(options = {}) {
      const where = ['tenant_id = $1'];
      const params: unknown[] = [c.tenantId];
      if (options.contactId !== undefined) {
        params.push(options.contactId);
        where.push(`contact_id = $${params.length}`);
      }
      const page = await pageQuery<OrderRow & { cursor_at: string }>(
        c,
        { select: COLUMNS, from: 'orders', where },
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
  };
}
