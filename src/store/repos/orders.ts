/** Orders captured from conversations. Amounts in minor units of the currency. */

import { newId } from '../ids.ts';
import { isoOrNull, msOf, type Page, type PageOptions, pageQuery, type RepoContext } from './common.ts';

export interface OrderItem {
  productId: string | null;
  name: string;
  quantity: number;
  /** Minor units. */
  unitPrice: number;
}

export type OrderStatus = 'pending' | 'confirmed' | 'paid' | 'fulfilled' | 'cancelled';
export const ORDER_STATUSES: readonly OrderStatus[] = [
  'pending',
  'confirmed',
  'paid',
  'fulfilled',
  'cancelled',
];

export interface Order {
  id: string;
  tenantId: string;
  channelId: string;
  contactId: string;
  items: OrderItem[];
  total: number;
  currency: string;
  status: OrderStatus;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface NewOrder {
  channelId: string;
  contactId: string;
  items: readonly OrderItem[];
  /** Default: the sum of quantity × unitPrice. */
  total?: number;
  currency: string;
  status?: OrderStatus;
  createdAtMs?: number;
}

export interface OrdersRepo {
  create(input: NewOrder): Promise<Order>;
  get(id: string): Promise<Order | null>;
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
  total: number;
  currency: string;
  status: OrderStatus;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'id, tenant_id, channel_id, contact_id, items, total, currency, status, created_at, updated_at';

function toOrder(r: OrderRow): Order {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    channelId: r.channel_id,
    contactId: r.contact_id,
    items: r.items,
    total: Number(r.total),
    currency: r.currency,
    status: r.status,
    createdAtMs: msOf(r.created_at),
    updatedAtMs: msOf(r.updated_at),
  };
}

export function ordersRepo(c: RepoContext): OrdersRepo {
  return {
    async create(input) {
      for (const item of input.items) {
        if (!Number.isInteger(item.quantity) || item.quantity <= 0)
          throw new RangeError('order quantity must be a positive integer');
        if (!Number.isSafeInteger(item.unitPrice) || item.unitPrice < 0) {
          throw new RangeError('unit price must be a non-negative integer in minor units');
        }
      }
      const total = input.total ?? input.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
      if (!Number.isSafeInteger(total) || total < 0)
        throw new RangeError('order total must be a non-negative integer');
      const status = input.status ?? 'pending';
      if (!ORDER_STATUSES.includes(status)) throw new RangeError(`unknown order status '${status}'`);
      const { rows } = await c.tx.query<OrderRow>(
        `INSERT INTO orders (id, tenant_id, channel_id, contact_id, items, total, currency, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, coalesce($9::timestamptz, now()), coalesce($9::timestamptz, now()))
         RETURNING ${COLUMNS}`,
        [
          newId('ord'),
          c.tenantId,
          input.channelId,
          input.contactId,
          JSON.stringify(input.items),
          total,
          input.currency.toUpperCase(),
          status,
          isoOrNull(input.createdAtMs),
        ],
      );
      return toOrder(rows[0]!);
    },

    async get(id) {
      const { rows } = await c.tx.query<OrderRow>(
        `SELECT ${COLUMNS} FROM orders WHERE tenant_id = $1 AND id = $2`,
        [c.tenantId, id],
      );
      return rows[0] ? toOrder(rows[0]) : null;
    },

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
