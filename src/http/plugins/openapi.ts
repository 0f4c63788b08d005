/**
 * The OpenAPI 3.1 document, built by @fastify/swagger from the route schemas (TypeBox schemas are
 * JSON Schema, so they appear as written), served at `GET /openapi.json`, with the Swagger UI at
 * `/docs`. Register it before the routes: @fastify/swagger collects them as they are added.
 *
 * Routes under /api are marked as needing an API key (`ApiKey` header or `Bearer` token) unless
 * their schema sets `security` itself, mirroring the one auth hook that guards /api.
 */

import { readFileSync } from 'node:fs';
import { fastifySwagger } from '@fastify/swagger';
import { fastifySwaggerUi } from '@fastify/swagger-ui';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { packagePath } from '../../package-root.ts';

export interface OpenapiPluginOptions {
  /** Document version. Default: the `version` of package.json. */
  version?: string;
  /** Where the Swagger UI lives, or false for none. Default `/docs`. */
  docsPrefix?: string | false;
  /** Prefix of the routes that need an API key. Default `/api`. */
  apiPrefix?: string;
  /** Base URLs to list in the document (`https://api.sellify.dev`). Default: none (same origin). */
  servers?: { url: string; description?: string }[];
}

export const OPENAPI_URL = '/openapi.json';
export const API_KEY_SECURITY: Record<string, string[]>[] = [{ ApiKey: [] }, { Bearer: [] }];

export function packageVersion(): string {
  const raw: unknown = JSON.parse(readFileSync(packagePath('package.json'), 'utf8'));
  const version =
    typeof raw === 'object' && raw !== null ? (raw as { version?: unknown }).version : undefined;
  if (typeof version !== 'string') throw new Error('package.json has no version');
  return version;
}

const openapiImpl: FastifyPluginAsync<OpenapiPluginOptions> = async (app, options) => {
  const apiPrefix = options.apiPrefix ?? '/api';
  const docsPrefix = options.docsPrefix ?? '/docs';

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Sellify',
        version: options.version ?? packageVersion(),
        description:
          'Deterministic sales automation for WhatsApp sellers. Errors are application/problem+json with a stable `code` (see docs/errors.md).',
      },
      ...(options.servers !== undefined ? { servers: options.servers } : {}),
      components: {
        securitySchemes: {
          ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key, `sk_…`.' },
          Bearer: { type: 'http', scheme: 'bearer', description: 'The same API key as a Bearer token.' },
        },
      },
    },
    transform: ({ schema, url }) => {
      const needsKey = url === apiPrefix || url.startsWith(`${apiPrefix}/`);
      if (!needsKey || (schema !== undefined && 'security' in schema)) return { schema, url };
      return { schema: { ...schema, security: API_KEY_SECURITY }, url };
    },
  });

  app.get(OPENAPI_URL, { schema: { hide: true } }, async () => app.swagger());

  if (docsPrefix !== false) {
    await app.register(fastifySwaggerUi, { routePrefix: docsPrefix });
  }
};

export const openapiPlugin = fp(openapiImpl, { name: 'sellify-openapi', fastify: '5.x' });
