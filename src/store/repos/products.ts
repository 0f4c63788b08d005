/**
 * The seller's catalogue. Prices are integers in minor units of the currency (XOF and XAF have
 * none: 15000 XOF is stored as 15000).
 */

import type { Product } from '../../domain/types.ts';
import { newId } from '../ids.ts';
import { msOf, type RepoContext } from './common.ts';

export interface ProductRecord extends Product {
  aliases: string[];
  stock: number | null;
  /** Null: no category. */
  category: string | null;
  /** Variant name → allowed values; `{}` when the product comes in one version. */
  variants: Record<string, string[]>;
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
  /** Null or absent: no category. */
  category?: string | null;
  /** Variant name → allowed values (`{size: ['39', '40'], colour: ['noir']}`); absent or `{}`: none. */
  variants?: Readonly<Record<string, readonly string[]>>;
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
  category: string | null;
  variants: Record<string, string[]> | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, name, aliases, price, currency, stock, category, variants, created_at, updated_at';
const MAX_PRODUCTS = 5000;

function toProduct(r: ProductRow): ProductRecord {
  return {
    id: r.id,
    name: r.name,
    aliases: r.aliases,
    price: Number(r.price),
    currency: r.currency,
    stock: r.stock,
    category: r.category,
    variants: r.variants ?? {},
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

/** Variant names are short identifiers; values are non-empty, without surrounding spaces, listed once. */
const VARIANT_NAME_RE = /^[a-z][a-z0-9_]{0,29}$/;
export const MAX_VARIANT_NAMES = 10;
export const MAX_VARIANT_VALUES = 50;

function checkVariants(variants: Readonly<Record<string, readonly string[]>>): Record<string, string[]> {
  const names = Object.keys(variants);
  if (names.length > MAX_VARIANT_NAMES) throw new RangeError(`at most ${MAX_VARIANT_NAMES} variant names`);
  const out: Record<string, string[]> = {};
  for (const name of names) {
    if (!VARIANT_NAME_RE.test(name))
      throw new RangeError(`variant name "${name}" must match ${VARIANT_NAME_RE}`);
    const values = variants[name] ?? [];
    if (values.length === 0 || values.length > MAX_VARIANT_VALUES)
      throw new RangeError(`variant "${name}" needs 1 to ${MAX_VARIANT_VALUES} values`);
    for (const value of values) {
      if (value === '' || value.length > 60 || value.trim() !== value)
        throw new RangeError(`variant "${name}" values are 1 to 60 characters without surrounding spaces`);
    }
    if (new Set(values).size !== values.length) throw new RangeError(`variant "${name}" lists a value twice`);
    out[name] = [...values];
  }
  return out;
}

function checkCategory(category: string | null | undefined): string | null {
  if (category === null || category === undefined) return null;
  if (category === '' || category.length > 100) throw new RangeError('category must be 1 to 100 characters');
  return category;
}

export function productsRepo(c: RepoContext): ProductsRepo {
  return {
    async create(input) {
      checkPrice(input.price);
      checkStock(input.stock);
      const { rows } = await c.tx.query<ProductRow>(
        `INSERT INTO products (id, tenant_id, name, aliases, price, currency, stock, category, variants)
         VALUES ($1, $2, $3, $4::text[], $5, $6, $7, $8, $9::jsonb) RETURNING ${COLUMNS}`,
        [
          newId('prd'),
          c.tenantId,
          input.name,
          [...(input.aliases ?? [])],
          input.price,
          checkCurrency(input.currency),
          input.stock ?? null,
          checkCategory(input.category),
          JSON.stringify(checkVariants(input.variants ?? {})),
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
      if (patch.category !== undefined) set('category', checkCategory(patch.category));
      if (patch.variants !== undefined)
        set('variants', JSON.stringify(checkVariants(patch.variants)), '::jsonb');
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
