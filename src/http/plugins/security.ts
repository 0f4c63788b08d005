/**
 * Response headers that protect callers: helmet's set, tuned for a JSON API (a Content-Security-
 * Policy that allows nothing, no framing, no referrer), a looser policy for the Swagger UI under
 * /docs so it can load its own scripts and styles, CORS only for the configured origins, and
 * `Cache-Control: no-store` on /api so no shared cache keeps a tenant's data.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { fastifyCors } from '@fastify/cors';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

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

/** Helmet's set, tuned for a JSON API: it loads nothing and is framed by nobody. */
export const HELMET_OPTIONS: Readonly<HelmetOptions> = {
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
};

/**
 * The headers helmet's middleware sets for these options, in its order, taken by running it once
 * against a response that only records them. Throws when helmet does anything else (reads the
 * request, removes a header other than X-Powered-By): then the headers could differ per request.
 */
export function helmetHeaders(options: Readonly<HelmetOptions>): [string, string][] {
  const set: [string, string][] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set.push([name, String(value)]);
      return recorder;
    },
    removeHeader(name: string) {
      if (name.toLowerCase() !== 'x-powered-by')
        throw new Error(`helmet removed ${name}: headers are per request`);
    },
  };
  const request = new Proxy({} as IncomingMessage, {
    get(_target, property) {
      throw new Error(`helmet read request.${String(property)}: headers are per request`);
    },
  });
  helmet(options)(request, recorder as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
  });
  return set;
}

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

  // Helmet's headers do not depend on the request; they are computed once here and set on every
  // response. @fastify/helmet rebuilt helmet's middleware on each request (~70 µs, issue 17).
  const headers = helmetHeaders(HELMET_OPTIONS);
  app.addHook('onRequest', (_req, reply, done) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
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
