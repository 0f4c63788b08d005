/** The seller's catalogue. Prices are integers in minor units (15000 XOF = 15000; 1550 EUR = 15,50 €). */

import { Type } from '@sinclair/typebox';
import { CategorySchema, VariantsSchema } from '../../../engines/context.ts';
import type { NewProduct, ProductPatch } from '../../../store/index.ts';
import { problemResponses } from '../../errors.ts';
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
  name: Type.String({ minLength: 1, maxLength: 200 }),
  aliases: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
    maxItems: 50,
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
          ...problemResponses('validation_failed', 'idempotency_mismatch', 'idempotency_in_flight'),
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
      const product = await tx(ctx, req, (r) => r.products.create(input));
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
        response: { 200: ProductSchema, ...problemResponses('validation_failed', 'not_found') },
      },
    },
    async (req) => {
      const patch: ProductPatch = { ...req.body };
      const product = await tx(ctx, req, (r) => r.products.update(req.params.id, patch));
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
