/**
 * API-key authentication: one onRequest hook for every route of the scope it is registered in
 * (the /api/v1 scope), never a check per route. Each route declares the scope it needs in its
 * config (`config: { scope: 'read' }`); a route without one refuses to register, so a new route
 * cannot be left open by mistake.
 *
 * A key travels in `X-API-Key` or as `Authorization: Bearer sk_…`. It is hashed (SHA-256) and
 * looked up by hash through the SECURITY DEFINER function behind `findApiKeyByHash`, so the
 * secret itself never reaches the database; `SELLIFY_API_KEY` is compared the same way, digest
 * against digest with timingSafeEqual. Missing, malformed, unknown and revoked keys all get the
 * same 401 `unauthorized` (the caller learns nothing about which), and each counts as a failed
 * authentication for the client's IP: past 20 a minute that IP gets 429 `auth_rate_limited`
 * before any look-up. Scopes nest: admin ⊇ write ⊇ read; a key without the route's scope gets
 * 403 `forbidden`. Each authenticated request then counts against the key's rate limit and against
 * its tenant's (SELLIFY_TENANT_RATE_LIMIT, which also caps every key's own limit).
 *
 * People signed in to the dashboard (issue 16) call the same routes with the session cookie
 * (`sellify_session`, HttpOnly, SameSite=Lax) instead of a key, when the request carries no key at
 * all: the session acts like a key with its role's scopes (owner → admin, agent → write, viewer →
 * read), and every state-changing request made with it must also carry `X-CSRF-Token` (the value
 * GET /api/session returns, derived from the session token, which a page on another site can neither
 * read nor guess), else 403 `csrf_failed`. An unknown, expired or revoked session is a failed
 * authentication like a bad key.
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { API_KEY_PATTERN } from '../../config.ts';
import {
  API_KEY_SCOPES,
  type ApiKeyLookup,
  type ApiKeyScope,
  type Db,
  findApiKeyByHash,
  findSessionByHash,
  hashApiKey,
  hashToken,
  type SessionLookup,
  type Store,
  type UserRole,
} from '../../store/index.ts';
import { ApiError } from '../errors.ts';
import { enforceRateLimits } from './rate-limit.ts';

/** Who is calling: the key, its tenant and what it may do. */
export interface Principal {
  /** The key's id (`key_…`), or `env` for SELLIFY_API_KEY. */
  keyId: string;
  tenantId: string;
  scopes: readonly ApiKeyScope[];
  /** Requests per minute for this key; null means the server default. */
  rateLimitPerMinute: number | null;
  /**
   * An admin key of the default tenant: the platform operator, who may create tenants and manage
   * the keys of any tenant. Admin keys of other tenants only ever see their own tenant.
   */
  platformAdmin: boolean;
  /** Set when a person signed in to the dashboard made the request (then keyId is the user id). */
  session?: { id: string; userId: string; role: UserRole };
}

export const ENV_KEY_ID = 'env';

/**
 * Requests per minute for one person's dashboard (all their tabs), within the tenant's budget: a
 * live screen reloads what an event changed, and a pairing screen polls its gateway, so a busy inbox
 * needs more than a machine key's default 100.
 */
export const SESSION_RATE_LIMIT_PER_MINUTE = 600;

/** The dashboard's session cookie (HttpOnly, SameSite=Lax, Secure in production). */
export const SESSION_COOKIE = 'sellify_session';
/** The header a state-changing request made with the session cookie must carry. */
export const CSRF_HEADER = 'x-csrf-token';
/** What each role may do through the API, as the scope of an API key. */
export const ROLE_SCOPE: Readonly<Record<UserRole, ApiKeyScope>> = {
  owner: 'admin',
  agent: 'write',
  viewer: 'read',
};
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SESSION_TOKEN = /^[0-9A-Za-z]{43}$/;

/**
 * The CSRF token of a session: a hash of the session token under its own label. The cookie is
 * HttpOnly, so only a page that asked GET /api/session (same origin) knows it; nothing is stored.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`sellify-csrf\0${sessionToken}`, 'utf8').digest('base64url');
}

/** The session token in the request's Cookie header, if any. */
export function sessionTokenOf(req: FastifyRequest): string | null {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    return SESSION_TOKEN.test(value) ? value : null;
  }
  return null;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** True when the request carries the CSRF token of this session token (compared in constant time). */
export function csrfMatches(req: FastifyRequest, sessionToken: string): boolean {
  const sent = req.headers[CSRF_HEADER];
  return typeof sent === 'string' && sameText(sent, csrfTokenFor(sessionToken));
}

/** The route's guard: the scope a key needs for it. */
export interface GuardedRoute {
  method: string;
  url: string;
  scope: ApiKeyScope;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The API-key scope this route needs (routes under /api/v1 must set it). */
    scope?: ApiKeyScope;
  }
  interface FastifyRequest {
    /** Set by the auth hook on authenticated routes. */
    principal: Principal | null;
  }
}

const RANK: Readonly<Record<ApiKeyScope, number>> = { read: 1, write: 2, admin: 3 };

/** Scopes nest: an admin key may do what a write key may, which may do what a read key may. */
export function hasScope(scopes: readonly string[], needed: ApiKeyScope): boolean {
  return scopes.some((s) => (RANK[s as ApiKeyScope] ?? 0) >= RANK[needed]);
}

/** The principal the auth hook set; a route that needs one and finds none is a wiring bug. */
export function principalOf(req: FastifyRequest): Principal {
  if (req.principal === null || req.principal === undefined) {
    throw new Error(`route ${req.method} ${req.routeOptions.url} ran without authentication`);
  }
  return req.principal;
}

export interface AuthenticatorOptions {
  db: Db;
  defaultTenantId: string;
  /** SELLIFY_API_KEY: accepted as an admin key of the default tenant. */
  envApiKey?: string;
  /** Looks a key up by its hash. Default findApiKeyByHash(db, hash). */
  lookup?: (keyHash: string) => Promise<ApiKeyLookup | null>;
  /** Looks a dashboard session up by its token's hash. Default findSessionByHash(db, hash). */
  findSession?: (tokenHash: string) => Promise<SessionLookup | null>;
  /** Records "last used" (at most once a minute per key). Default: apiKeys.touch through the store. */
  store?: Store;
  clock?: () => number;
}

export interface Authenticator {
  /** The principal of the request's key; throws 401/429 ApiErrors and counts failures per IP. */
  authenticate(req: FastifyRequest): Promise<Principal>;
}

/** How often "last used" is written per key: a write per request would double the database load. */
const TOUCH_EVERY_MS = 60_000;
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** The key the request carries, or null when there is none or the two headers disagree. */
function credentialOf(req: FastifyRequest): string | null {
  const header = req.headers['x-api-key'];
  const fromHeader = typeof header === 'string' ? header.trim() : undefined;
  const auth = req.headers.authorization;
  const fromBearer = typeof auth === 'string' ? BEARER.exec(auth)?.[1] : undefined;
  if (fromHeader !== undefined && fromBearer !== undefined && fromHeader !== fromBearer) return null;
  return fromHeader ?? fromBearer ?? null;
}

function digest(secret: string): Buffer {
  return Buffer.from(hashApiKey(secret), 'hex');
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const lookup = options.lookup ?? ((hash: string) => findApiKeyByHash(options.db, hash));
  const findSession = options.findSession ?? ((hash: string) => findSessionByHash(options.db, hash));
  const clock = options.clock ?? Date.now;
  const envDigest = options.envApiKey === undefined ? undefined : digest(options.envApiKey);
  const lastTouchMs = new Map<string, number>();

  async function touch(req: FastifyRequest, key: ApiKeyLookup): Promise<void> {
    const store = options.store;
    if (store === undefined) return;
    const nowMs = clock();
    if (nowMs - (lastTouchMs.get(key.id) ?? Number.NEGATIVE_INFINITY) < TOUCH_EVERY_MS) return;
    lastTouchMs.set(key.id, nowMs);
    if (lastTouchMs.size > 100_000) lastTouchMs.clear();
    try {
      await store.tx(key.tenantId, (r) => r.apiKeys.touch(key.id, nowMs));
    } catch (err) {
      // "Last used" is informational: failing to record it must not fail the request.
      req.log.warn({ err }, 'could not record API key use');
    }
  }

  async function fail(req: FastifyRequest): Promise<never> {
    await req.server.rateLimit.recordAuthFailure(req.ip);
    throw new ApiError('unauthorized');
  }

  return {
    async authenticate(req) {
      await req.server.rateLimit.checkAuthFailures(req.ip);
      const noKey = req.headers['x-api-key'] === undefined && req.headers.authorization === undefined;
      const sessionToken = noKey ? sessionTokenOf(req) : null;
      if (sessionToken !== null) {
        const session = await findSession(hashToken(sessionToken));
        if (
          session === null ||
          session.revokedAtMs !== null ||
          session.disabledAtMs !== null ||
          session.expiresAtMs <= clock()
        )
          return fail(req);
        if (!SAFE_METHODS.has(req.method) && !csrfMatches(req, sessionToken))
          throw new ApiError('csrf_failed');
        return {
          keyId: session.userId,
          tenantId: session.tenantId,
          scopes: [ROLE_SCOPE[session.role]],
          rateLimitPerMinute: SESSION_RATE_LIMIT_PER_MINUTE,
          // A person is never the platform operator: operator routes stay with the operator's key.
          platformAdmin: false,
          session: { id: session.id, userId: session.userId, role: session.role },
        };
      }
      const secret = credentialOf(req);
      if (secret === null || !API_KEY_PATTERN.test(secret)) return fail(req);
      const hashed = digest(secret);
      if (envDigest !== undefined && timingSafeEqual(hashed, envDigest)) {
        return {
          keyId: ENV_KEY_ID,
          tenantId: options.defaultTenantId,
          scopes: ['admin'],
          rateLimitPerMinute: null,
          platformAdmin: true,
        };
      }
      const key = await lookup(hashed.toString('hex'));
      if (key === null || key.revokedAtMs !== null) return fail(req);
      await touch(req, key);
      const scopes = API_KEY_SCOPES.filter((s) => key.scopes.includes(s));
      return {
        keyId: key.id,
        tenantId: key.tenantId,
        scopes,
        rateLimitPerMinute: key.rateLimitPerMinute,
        platformAdmin: key.tenantId === options.defaultTenantId && scopes.includes('admin'),
      };
    },
  };
}

export interface AuthState {
  /** Every route the hook guards, with its scope, in registration order (the security suite walks it). */
  readonly routes: GuardedRoute[];
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Decorated on the root app by app.ts, so tests and tooling can see the guarded routes. */
    auth: AuthState;
  }
}

export interface AuthPluginOptions {
  authenticator: Authenticator;
  /** Requests per minute for keys without their own limit (SELLIFY_RATE_LIMIT). */
  defaultRateLimitPerMinute: number;
  /**
   * Requests per minute for all keys of a tenant together (SELLIFY_TENANT_RATE_LIMIT); also caps
   * each key's own limit, so no key a tenant made itself can outrun what the operator allows.
   */
  tenantRateLimitPerMinute: number;
  /** Receives each guarded route as it registers. */
  state: AuthState;
}

const authImpl: FastifyPluginAsync<AuthPluginOptions> = async (app, options) => {
  const { routes } = options.state;
  app.decorateRequest('principal', null);

  app.addHook('onRoute', (route) => {
    const scope = route.config?.scope;
    if (scope === undefined || !API_KEY_SCOPES.includes(scope)) {
      throw new Error(
        `route ${String(route.method)} ${route.url} must declare config.scope (admin, write or read)`,
      );
    }
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      if (method !== 'HEAD') routes.push({ method, url: route.url, scope });
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    const scope = req.routeOptions.config.scope;
    if (scope === undefined) return;
    const principal = await options.authenticator.authenticate(req);
    req.principal = principal;
    // Counted before the scope check: a key hammering a route it may not use is still limited.
    // The key's own budget first (a key over it does not eat into its tenant's), then the tenant's:
    // N keys of one tenant share one budget, whatever limits they were given.
    const tenantLimit = options.tenantRateLimitPerMinute;
    const keyLimit = Math.min(principal.rateLimitPerMinute ?? options.defaultRateLimitPerMinute, tenantLimit);
    await enforceRateLimits(req, reply, [
      { key: `key:${principal.keyId}`, limit: keyLimit, label: 'for this API key' },
      {
        key: `tenant:${principal.tenantId}`,
        limit: tenantLimit,
        label: "for this key's tenant (all its keys)",
      },
    ]);
    if (!hasScope(principal.scopes, scope)) {
      throw new ApiError('forbidden', `This operation needs an API key with the ${scope} scope.`);
    }
  });
};

/** Register inside the /api scope, before its routes. */
export const authPlugin = fp(authImpl, { name: 'sellify-auth', fastify: '5.x' });
