/**
 * The seller's catalogue. Prices are integers in minor units of the currency (XOF and XAF have
 * none: 15000 XOF is stored as 15000).
 */

import type { Product } from '../../engines/types.ts';
import { newId } from '../ids.ts';
import { msOf, type RepoContext } from './common.ts';

export interface ProductRecord extends Product {
  aliases: string[];
  stock: number | null;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface NewProduct {
  name: string;
  aliases?: readonly string[];
  price: number;
  currency: string;
  /** Null or absent: stock not tracked. */
  stock?: number | null;
}

export type ProductPatch = Partial<NewProduct>;

export interface ProductsRepo {
  create(input: NewProduct): Promise<ProductRecord>;
  get(id: string): Promise<ProductRecord | null>;
  /** The whole catalogue by name (catalogues are small; capped at 5000). */
  list(): Promise<ProductRecord[]>;
  update(id: string, patch: ProductPatch): Promise<ProductRecord | null>;
  delete(id: string): Promise<boolean>;
}

interface ProductRow {
  id: string;
  name: string;
  aliases: string[];
  price: number;
  currency: string;
  stock: number | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, name, aliases, price, currency, stock, created_at, updated_at';
const MAX_PRODUCTS = 5000;

function toProduct(r: ProductRow): ProductRecord {
  return {
    id: r.id,
    name: r.name,
    aliases: r.aliases,
    price: Number(r.price),
    currency: r.currency,
    stock: r.stock,
    createdAtMs: msOf(r.created_at),
    updatedAtMs: msOf(r.updated_at),
  };
}

function checkPrice(price: number): void {
  if (!Number.isSafeInteger(price) || price < 0)
    throw new RangeError('price must be a non-negative integer in minor units');
}

function checkCurrency(currency: string): string {
  const upper = currency.toUpperCase();
  if (!/^[A-Z]{3}$/.test(upper)) throw new RangeError('currency must be a 3-letter ISO 4217 code');
  return upper;
}

function checkStock(stock: number | null | undefined): void {
  if (stock !== null && stock !== undefined && (!Number.isInteger(stock) || stock < 0)) {
    throw new RangeError('stock must be a non-negative integer or null');
  }
}

export function productsRepo(c: RepoContext): ProductsRepo {
  return {
    async create(input) {
      checkPrice(input.price);
      checkStock(input.stock);
      const { rows } = await c.tx.query<ProductRow>(
        `INSERT INTO products (id, tenant_id, name, aliases, price, currency, stock)
         VALUES ($1, $2, $3, $4::text[], $5, $6, $7) RETURNING ${COLUMNS}`,
        [
          newId('prd'),
          c.tenantId,
          input.name,
          [...(input.aliases ?? [])],
          input.price,
          checkCurrency(input.currency),
          input.stock ?? null,
        ],
      );
      return toProduct(rows[0]!);
    },

    async get(id) {
      const { rows } = await c.tx.query<ProductRow>(
        `SELECT ${COLUMNS} FROM products WHERE tenant_id = $1 AND id = $2`,
        [c.tenantId, id],
      );
      return rows[0] ? toProduct(rows[0]) : null;
    },

    async list() {
      const { rows } = await c.tx.query<ProductRow>(
        `SELECT ${COLUMNS} FROM products WHERE tenant_id = $1 ORDER BY name, id LIMIT ${MAX_PRODUCTS}`,
        [c.tenantId],
      );
      return rows.map(toProduct);
    },

    async update(id, patch) {
      const sets: string[] = [];
      const params: unknown[] = [c.tenantId, id];
      const set = (column: string, value: unknown, cast = '') => {
        params.push(value);
        sets.push(`${column} = $${params.length}${cast}`);
      };
      if (patch.name !== undefined) set('name', patch.name);
      if (patch.aliases !== undefined) set('aliases', [...patch.aliases], '::text[]');
      if (patch.price !== undefined) {
        checkPrice(patch.price);
        set('price', patch.price);
      }
      if (patch.currency !== undefined) set('currency', checkCurrency(patch.currency));
      if (patch.stock !== undefined) {
        checkStock(patch.stock);
        set('stock', patch.stock);
      }
      sets.push('updated_at = now()');
      const { rows } = await c.tx.query<ProductRow>(
        `UPDATE products SET ${sets.join(', ')} WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        params,
      );
      return rows[0] ? toProduct(rows[0]) : null;
    },

    async delete(id) {
      const r = await c.tx.query('DELETE FROM products WHERE tenant_id = $1 AND id = $2', [c.tenantId, id]);
      return (r.affectedRows ?? 0) > 0;
    },
  };
}
