/**
 * `Idempotency-Key` on POST requests with side effects: a client that retries after a timeout
 * gets the first response again instead of a second product, message or decision.
 *
 * Every POST route in the scope takes part unless its config says `idempotent: false` (POST
 * /validate, which changes nothing). The key is scoped to the API key that sent it (never to the
 * whole tenant: a second key replaying a first key's Idempotency-Key and body must not get the
 * first key's response); the request is identified by a SHA-256 of method, path and the canonical
 * JSON of the body (keys sorted), so a reordered body is the same request and a different body
 * is not.
 *
 * A route whose response carries a secret shown only once (a new API key, a generated webhook
 * secret) names those fields in `config.oneTimeSecrets`. The response is stored without them, and
 * a replay is refused with 409 `idempotency_secret_withheld` naming what the first request created:
 * a secret is never written to the idempotency table, so nobody can read it back from there.
 *
 * - first use: the key is claimed in its own committed transaction (so a concurrent duplicate
 *   sees it), the handler runs, and a 2xx response is stored for replay;
 * - replay: same status and body, with `Idempotent-Replayed: true`;
 * - same key, different request: 422 `idempotency_mismatch`;
 * - same key while the first is still running: 409 `idempotency_in_flight`;
 * - a failed request (4xx or 5xx) releases the key: nothing was done, so a retry may run again.
 *
 * Keys are kept `ttlMs` (7 days); server.ts purges expired ones at start and every hour.
 */

import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { IdempotencyKey, Store } from '../../store/index.ts';
import { ApiError } from '../errors.ts';
import { principalOf } from './auth.ts';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
/** Printable ASCII without spaces, 1–255 characters (a UUID is the usual choice). */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** False for a POST route without side effects; every other POST takes Idempotency-Key. */
    idempotent?: boolean;
    /** Top-level response fields holding a secret shown only once: never stored, never replayed. */
    oneTimeSecrets?: readonly string[];
  }
}

export interface IdempotencyPluginOptions {
  store: Store;
  /** How long a key is remembered, in milliseconds. */
  ttlMs: number;
}

/** JSON with object keys sorted at every level: two bodies that differ only in key order hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method}\n${path}\n${canonicalJson(body ?? null)}`, 'utf8')
    .digest('hex');
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function keyOf(req: FastifyRequest): string | undefined {
  if (req.method !== 'POST' || req.routeOptions.config.idempotent === false) return undefined;
  const raw = req.headers[IDEMPOTENCY_HEADER];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !KEY_PATTERN.test(raw)) {
    throw new ApiError('validation_failed', 'Idempotency-Key must be 1 to 255 printable ASCII characters.', {
      errors: [{ field: 'headers.idempotency-key', message: 'must be 1 to 255 printable ASCII characters' }],
    });
  }
  return raw;
}

/** The body to store: the one-time secret fields removed, and whether any was there. */
function withoutSecrets(body: unknown, fields: readonly string[]): { stored: unknown; withheld: boolean } {
  if (fields.length === 0 || body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { stored: body, withheld: false };
  }
  const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  let withheld = false;
  for (const field of fields) {
    if (field in copy) {
      delete copy[field];
      withheld = true;
    }
  }
  return { stored: copy, withheld };
}

/** The `id` of what the first response created, to name it in the refusal (ids are not secret). */
function createdId(body: unknown): string | undefined {
  const id = body !== null && typeof body === 'object' ? (body as { id?: unknown }).id : undefined;
  return typeof id === 'string' && /^[a-z]{3}_[0-9A-Za-z]{1,64}$/.test(id) ? id : undefined;
}

const idempotencyImpl: FastifyPluginAsync<IdempotencyPluginOptions> = async (app, options) => {
  const { store, ttlMs } = options;
  const claims = new WeakMap<FastifyRequest, { tenantId: string; key: IdempotencyKey }>();

  // preHandler: after authentication and validation, so only well-formed, authorized requests claim a key.
  app.addHook('preHandler', async (req, reply) => {
    const raw = keyOf(req);
    if (raw === undefined) return;
    const { tenantId, keyId } = principalOf(req);
    const key: IdempotencyKey = { apiKeyId: keyId, key: raw };
    const hash = requestHash(req.method, pathOf(req.url), req.body);
    const result = await store.tx(tenantId, (r) => r.idempotency.begin(key, hash, { ttlMs }));
    if (result === 'new') {
      claims.set(req, { tenantId, key });
      return;
    }
    if (result === 'in_flight') {
      throw new ApiError(
        'idempotency_in_flight',
        'A request with this Idempotency-Key is still running; retry later.',
      );
    }
    if (result === 'mismatch') {
      throw new ApiError(
        'idempotency_mismatch',
        'This Idempotency-Key was already used for a different request; use a new key for a new request.',
      );
    }
    if (result.replay.secretWithheld) {
      const created = createdId(result.replay.body);
      throw new ApiError(
        'idempotency_secret_withheld',
        `The first request with this Idempotency-Key succeeded${created ? ` and created ${created}` : ''}; ` +
          'the secret in its response is shown only once and never stored, so it cannot be replayed. ' +
          'If that response was lost, revoke or replace what it created and retry with a new Idempotency-Key.',
      );
    }
    reply.header(REPLAYED_HEADER, 'true').code(result.replay.statusCode);
    return result.replay.body === null ? reply.send() : reply.send(result.replay.body);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const claim = claims.get(req);
    if (claim === undefined) return payload;
    claims.delete(req);
    const status = reply.statusCode;
    try {
      if (status >= 200 && status < 300) {
        const body = typeof payload === 'string' && payload !== '' ? (JSON.parse(payload) as unknown) : null;
        const { stored, withheld } = withoutSecrets(body, req.routeOptions.config.oneTimeSecrets ?? []);
        await store.tx(claim.tenantId, (r) =>
          r.idempotency.complete(claim.key, status, stored, { secretWithheld: withheld }),
        );
      } else {
        await store.tx(claim.tenantId, (r) => r.idempotency.abandon(claim.key));
      }
    } catch (err) {
      // The response itself is fine; an unrecorded key is taken over after the stale delay (60 s).
      req.log.error({ err }, 'could not record the idempotent response');
    }
    return payload;
  });
};

/** Register inside the /api scope, after the auth plugin. */
export const idempotencyPlugin = fp(idempotencyImpl, { name: 'sellify-idempotency', fastify: '5.x' });
