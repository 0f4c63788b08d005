/**
 * The seller's catalogue. Prices are integers in minor units (15000 XOF = 15000; 1550 EUR = 15,50 €).
 * A catalogue holds at most CATALOG_LIMITS (src/engines/catalog.ts): what the intent engine indexes.
 */

import { Type } from '@sinclair/typebox';
import { CATALOG_LIMITS, catalogLabelChars, productLabelChars } from '../../../engines/catalog.ts';
import { CategorySchema, VariantsSchema } from '../../../engines/context.ts';
import type { NewProduct, ProductPatch, ProductRecord, TenantRepos } from '../../../store/index.ts';
import { ApiError, problemResponses } from '../../errors.ts';
import {
  type Api,
  idParams,
  Nullable,
  notFound,
  PageQuery,
  pageInMemory,
  pageSchema,
  type RouteContext,
  tx,
} from './common.ts';
import { ProductSchema, productView } from './views.ts';

const ProductFields = {
  name: Type.String({ minLength: 1, maxLength: CATALOG_LIMITS.labelChars }),
  aliases: Type.Array(Type.String({ minLength: 1, maxLength: CATALOG_LIMITS.labelChars }), {
    maxItems: CATALOG_LIMITS.aliasesPerProduct,
    description: 'Other names customers use ("sac a main noir")',
  }),
  price: Type.Integer({ minimum: 0, maximum: 1e12, description: 'Minor units of the currency' }),
  currency: Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217: XOF, XAF, EUR…' }),
  stock: Nullable(
    Type.Integer({ minimum: 0, maximum: 1e9, description: 'Units in stock; null = not tracked' }),
  ),
  category: Nullable(CategorySchema),
  variants: VariantsSchema,
};

const ProductCreateBody = Type.Object(
  {
    name: ProductFields.name,
    aliases: Type.Optional(ProductFields.aliases),
    price: ProductFields.price,
    currency: ProductFields.currency,
    stock: Type.Optional(ProductFields.stock),
    category: Type.Optional(ProductFields.category),
    variants: Type.Optional(ProductFields.variants),
  },
  { additionalProperties: false },
);

const ProductPatchBody = Type.Object(
  {
    name: Type.Optional(ProductFields.name),
    aliases: Type.Optional(ProductFields.aliases),
    price: Type.Optional(ProductFields.price),
    currency: Type.Optional(ProductFields.currency),
    stock: Type.Optional(ProductFields.stock),
    category: Type.Optional(ProductFields.category),
    variants: Type.Optional(ProductFields.variants),
  },
  { additionalProperties: false, minProperties: 1 },
);

/**
 * Refuses a product that would take the catalogue past CATALOG_LIMITS: the intent engine reads
 * only that much of a catalogue, so a product beyond it would never be recognised in a message.
 * `replacing` is the stored product a change replaces. A change that does not grow the catalogue
 * is always accepted, so a catalogue stored before the limits can still be trimmed.
 */
async function checkCatalogRoom(r: TenantRepos, next: NewProduct, replacing?: ProductRecord): Promise<void> {
  const all = await r.products.list();
  if (replacing === undefined && all.length >= CATALOG_LIMITS.products) {
    throw new ApiError(
      'unprocessable',
      `The catalogue already holds the maximum of ${CATALOG_LIMITS.products} products; delete one first.`,
    );
  }
  const before = replacing === undefined ? 0 : productLabelChars(replacing);
  const after = productLabelChars(next);
  if (after > before && catalogLabelChars(all) - before + after > CATALOG_LIMITS.totalLabelChars) {
    throw new ApiError(
      'unprocessable',
      `The names and aliases of the catalogue would pass ${CATALOG_LIMITS.totalLabelChars} characters in all; shorten or remove some aliases first.`,
    );
  }
}

export function productRoutes(api: Api, ctx: RouteContext): void {
  const tags = ['products'];
  const ProductParams = idParams('prd');

  api.post(
    '/products',
    {
      config: { scope: 'write' },
      schema: {
        tags,
        summary: 'Add a product',
        body: ProductCreateBody,
        response: {
          201: ProductSchema,
          ...problemResponses(
            'validation_failed',
            'unprocessable',
            'idempotency_mismatch',
            'idempotency_in_flight',
          ),
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const input: NewProduct = { name: b.name, price: b.price, currency: b.currency };
      if (b.aliases !== undefined) input.aliases = b.aliases;
      if (b.stock !== undefined) input.stock = b.stock;
      if (b.category !== undefined) input.category = b.category;
      if (b.variants !== undefined) input.variants = b.variants;
      const product = await tx(ctx, req, async (r) => {
        await checkCatalogRoom(r, input);
        return r.products.create(input);
      });
      return reply.code(201).send(productView(product));
    },
  );

  api.get(
    '/products',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'List the catalogue (by name)',
        querystring: PageQuery,
        response: { 200: pageSchema(ProductSchema, 'ProductPage'), ...problemResponses('validation_failed') },
      },
    },
    async (req) => {
      const all = await tx(ctx, req, (r) => r.products.list());
      const page = pageInMemory(all, (p) => `${p.name}\u0000${p.id}`, req.query);
      return { items: page.items.map(productView), nextCursor: page.nextCursor };
    },
  );

  api.get(
    '/products/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Get a product',
        params: ProductParams,
        response: { 200: ProductSchema, ...problemResponses('not_found') },
      },
    },
    async (req) => {
      const product = await tx(ctx, req, (r) => r.products.get(req.params.id));
      if (product === null) throw notFound('product');
      return productView(product);
    },
  );

  api.patch(
    '/products/:id',
    {
      config: { scope: 'write' },
      schema: {
        tags,
        summary: 'Change a product',
        params: ProductParams,
        body: ProductPatchBody,
        response: {
          200: ProductSchema,
          ...problemResponses('validation_failed', 'not_found', 'unprocessable'),
        },
      },
    },
    async (req) => {
      const patch: ProductPatch = { ...req.body };
      const product = await tx(ctx, req, async (r) => {
        if (patch.name !== undefined || patch.aliases !== undefined) {
          const current = await r.products.get(req.params.id);
          if (current === null) return null;
          await checkCatalogRoom(
            r,
            { ...current, name: patch.name ?? current.name, aliases: patch.aliases ?? current.aliases },
            current,
          );
        }
        return r.products.update(req.params.id, patch);
      });
      if (product === null) throw notFound('product');
      return productView(product);
    },
  );

  api.delete(
    '/products/:id',
    {
      config: { scope: 'write' },
      schema: {
        tags,
        summary: 'Delete a product',
        params: ProductParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses('not_found') },
      },
    },
    async (req, reply) => {
      const deleted = await tx(ctx, req, (r) => r.products.delete(req.params.id));
      if (!deleted) throw notFound('product');
      return reply.code(204).send(null);
    },
  );
}
