/**
 * The seller dashboard's files (src/web: plain ES modules and CSS, no bundler), served by the API
 * server itself: `/` is the app shell, `/ui/<path>` everything it loads. The files are read once
 * when the app is built, with their gzip form and an ETag, and each gets a route of its own, so no
 * request path ever reaches the file system. A source checkout serves src/web as it is (nothing is
 * generated); the Docker image, which has no src/, serves the copy `npm run build` puts in dist/web.
 *
 * Responses carry WEB_CSP: scripts, styles, images and requests from this origin only, no inline
 * script, no framing. `Cache-Control: no-cache` with an ETag: a phone revalidates (a 304 costs a
 * few hundred bytes) and never runs an old app against a new API.
 */

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { packagePath } from '../../package-root.ts';

export const WEB_CSP = [
  "default-src 'self'",
  "base-uri 'none'",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "img-src 'self' data:",
  "manifest-src 'self'",
  "object-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self'",
].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
};

export interface WebFile {
  /** URL path: `/` for index.html, else `/ui/<relative path>`. */
  url: string;
  type: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

/** src/web in a checkout, else dist/web (the image); undefined when neither exists. */
export function webRoot(): string | undefined {
  for (const dir of [packagePath('src', 'web'), packagePath('dist', 'web')]) {
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return undefined;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else if (
      statSync(path).isFile() &&
      TYPES[extname(entry.name)] !== undefined &&
      !entry.name.endsWith('.md')
    )
      out.push(path);
  }
  return out;
}

export function loadWebFiles(root: string): WebFile[] {
  return walk(root).map((path) => {
    const rel = relative(root, path).split(sep).join('/');
    const body = readFileSync(path);
    return {
      url: rel === 'index.html' ? '/' : `/ui/${rel}`,
      type: TYPES[extname(path)]!,
      body,
      gzip: gzipSync(body, { level: 9 }),
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    };
  });
}

export function webRoutes(app: FastifyInstance, files: readonly WebFile[]): void {
  for (const file of files) {
    app.get(file.url, { schema: { hide: true } }, async (req, reply) => {
      reply
        .header('content-security-policy', WEB_CSP)
        .header('cache-control', 'no-cache')
        .header('etag', file.etag)
        .header('vary', 'accept-encoding')
        .type(file.type);
      if (req.headers['if-none-match'] === file.etag) return reply.code(304).send();
      const accepts = req.headers['accept-encoding'];
      if (typeof accepts === 'string' && /\bgzip\b/.test(accepts)) {
        return reply.header('content-encoding', 'gzip').send(file.gzip);
      }
      return reply.send(file.body);
    });
  }
}
