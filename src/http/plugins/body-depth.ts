/**
 * A bound on how deeply a JSON request body may nest. `JSON.parse` takes a body of 5,000 nested
 * arrays without trouble, but every recursive walk after it does not: the idempotency hash
 * (`canonicalJson`) overflowed the stack on `POST /channels/{id}/pairing/logout` with an
 * Idempotency-Key, a route without a body schema, so nothing refused the body first (issue 15,
 * found by test/reliability/fuzz-api.test.ts). Checking the depth once, before validation and
 * before any hook or handler reads the body, keeps every later walk safe, on every route.
 *
 * The walk itself is iterative. A body deeper than `MAX_BODY_DEPTH` is a 400 `validation_failed`
 * naming `body`; the deepest body a route documents (an advisor decision's context) nests eight
 * levels (test/http/body-depth.test.ts keeps every documented body under half the limit).
 */

import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.ts';

/** Levels of arrays and objects a JSON body may nest (the top-level value is level 1). */
export const MAX_BODY_DEPTH = 32;

/** Whether a parsed JSON value nests arrays and objects deeper than `limit` levels (no recursion). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (depth > limit) return true;
    const children = Array.isArray(current) ? current : Object.values(current as Record<string, unknown>);
    for (const child of children) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

const bodyDepthImpl: FastifyPluginAsync = async (app) => {
  app.addHook('preValidation', async (req) => {
    const body: unknown = req.body;
    // Webhook routes keep the raw bytes (a Buffer): their parsers bound what they read themselves.
    if (body === null || typeof body !== 'object' || ArrayBuffer.isView(body)) return;
    if (nestsDeeperThan(body, MAX_BODY_DEPTH)) {
      throw new ApiError('validation_failed', `The body nests deeper than ${MAX_BODY_DEPTH} levels.`, {
        errors: [
          { field: 'body', message: `must not nest arrays and objects deeper than ${MAX_BODY_DEPTH} levels` },
        ],
      });
    }
  });
};

/** Register on the root app, before the routes. */
export const bodyDepthPlugin = fp(bodyDepthImpl, { name: 'sellify-body-depth', fastify: '5.x' });
