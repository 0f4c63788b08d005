/**
 * Response headers that protect callers: helmet's set, tuned for a JSON API (a Content-Security-
 * Policy that allows nothing, no framing, no referrer), a looser policy for the Swagger UI under
 * /docs so it can load its own scripts and styles, CORS only for the configured origins, and
 * `Cache-Control: no-store` on /api so no shared cache keeps a tenant's data.
 */

import { fastifyCors } from '@fastify/cors';
import { fastifyHelmet } from '@fastify/helmet';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

export interface SecurityPluginOptions {
  /**
   * Browser origins allowed to call the API (`https://shop.example`). Default none: no CORS
   * headers at all, so browsers on other sites cannot read responses. `*` allows any origin.
   */
  corsOrigins?: readonly string[];
  /** Prefix whose responses get `Cache-Control: no-store`. Default `/api`. */
  apiPrefix?: string;
  /** Prefix of the Swagger UI, which gets DOCS_CSP instead of the API's deny-all policy. Default `/docs`. */
  docsPrefix?: string;
}

/**
 * Swagger UI serves its scripts and styles from /docs/static and sets inline styles from React;
 * it fetches the document from the same origin. Nothing from other origins, no inline scripts.
 */
export const DOCS_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "connect-src 'self'",
  "font-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "img-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
].join('; ');

/** Request headers a browser client may send, and response headers it may read. */
export const CORS_ALLOWED_HEADERS = [
  'Content-Type',
  'Authorization',
  'X-API-Key',
  'X-Request-Id',
  'Idempotency-Key',
];
export const CORS_EXPOSED_HEADERS = [
  'X-Request-Id',
  'Retry-After',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'RateLimit-Policy',
  'Idempotent-Replayed',
];

function assertOrigin(origin: string): void {
  if (origin === '*') return;
  let parsed: URL | undefined;
  try {
    parsed = new URL(origin);
  } catch {
    parsed = undefined;
  }
  // An origin is scheme://host[:port] exactly: a path or trailing slash would never match a browser's Origin.
  if (parsed === undefined || parsed.origin !== origin) {
    throw new Error(`CORS origin ${JSON.stringify(origin)} is not an origin like https://shop.example`);
  }
}

function underPrefix(url: string, prefix: string): boolean {
  return url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`);
}

const securityImpl: FastifyPluginAsync<SecurityPluginOptions> = async (app, options) => {
  const apiPrefix = options.apiPrefix ?? '/api';
  const docsPrefix = options.docsPrefix ?? '/docs';
  const origins = options.corsOrigins ?? [];
  for (const origin of origins) assertOrigin(origin);

  await app.register(fastifyHelmet, {
    global: true,
    // A JSON API loads nothing and is framed by nobody.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });

  if (origins.length > 0) {
    await app.register(fastifyCors, {
      origin: origins.includes('*') ? '*' : [...origins],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: CORS_ALLOWED_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      // API keys travel in headers, never cookies, so credentials are never needed.
      credentials: false,
      maxAge: 600,
    });
  }

  app.addHook('onSend', async (req, reply, payload) => {
    if (underPrefix(req.url, apiPrefix)) reply.header('cache-control', 'no-store');
    else if (underPrefix(req.url, docsPrefix)) reply.header('content-security-policy', DOCS_CSP);
    return payload;
  });
};

export const securityPlugin = fp(securityImpl, { name: 'sellify-security', fastify: '5.x' });
