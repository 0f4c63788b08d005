/**
 * Sign-in for people (issue 16): the dashboard's session routes, outside /api/v1 because they are
 * how a person gets a credential, not calls made with one.
 *
 *   POST   /api/session          sign in with email and password → session cookie + CSRF token
 *   GET    /api/session          who is signed in (or {signedIn: false}), and the CSRF token
 *   DELETE /api/session          sign out (`?everywhere=true`: every session of this person)
 *   POST   /api/session/invite   accept an invite link: create the account and sign in
 *
 * The cookie is HttpOnly, SameSite=Lax, Path=/, Secure in production, and lives SESSION_TTL_MS.
 * Failed sign-ins are counted per account (5 in 15 minutes) and per address (20 in 15 minutes) on
 * the app's rate limiter (src/ratelimit); past either, 429 `login_rate_limited` until the window
 * clears, even with the right password. An unknown email costs the same scrypt time as a wrong
 * password, and both get the same 401 `invalid_credentials`.
 */

import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  decoyHash,
  hashPassword,
  MAX_PASSWORD_CHARS,
  passwordProblem,
  verifyPassword,
} from '../../crypto/password.ts';
import {
  EMAIL_BIDX_SCOPE,
  findInviteByHash,
  findSessionByHash,
  findUserByEmail,
  hashToken,
  newToken,
  normalizeEmail,
  type SessionLookup,
  type Store,
  type User,
} from '../../store/index.ts';
import { ApiError, problemResponses } from '../errors.ts';
import { CSRF_HEADER, csrfMatches, csrfTokenFor, SESSION_COOKIE, sessionTokenOf } from '../plugins/auth.ts';
import { RATE_WINDOW_MS } from '../plugins/rate-limit.ts';
import { type Api, invalidField, iso, mapStoreError } from './v1/common.ts';

export const SESSION_TTL_MS = 30 * 24 * 3600_000;
/** Failed sign-ins allowed per account, and per client address, in LOGIN_WINDOW_MS. */
export const LOGIN_FAILURES_PER_ACCOUNT = 5;
export const LOGIN_FAILURES_PER_IP = 20;
export const LOGIN_WINDOW_MS = 15 * RATE_WINDOW_MS;

export interface SessionRouteOptions {
  store: Store;
  clock: () => number;
  /** Adds `Secure` to the cookie (NODE_ENV=production: the dashboard is served over HTTPS there). */
  secureCookies: boolean;
}

const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' });
const Password = Type.String({ minLength: 1, maxLength: MAX_PASSWORD_CHARS });

const SessionView = Type.Object(
  {
    signedIn: Type.Literal(true),
    user: Type.Object({
      id: Type.String(),
      email: Type.String(),
      role: Type.Union([Type.Literal('owner'), Type.Literal('agent'), Type.Literal('viewer')]),
    }),
    tenantId: Type.String(),
    csrfToken: Type.String({ description: `Send it in ${CSRF_HEADER} on every POST, PUT, PATCH and DELETE` }),
    expiresAt: Type.String({ format: 'date-time' }),
  },
  { title: 'Session' },
);

const SignedOut = Type.Object({ signedIn: Type.Literal(false) }, { title: 'SignedOut' });

function cookie(value: string, maxAgeS: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    `Max-Age=${maxAgeS}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

function sessionView(user: User, token: string, expiresAtMs: number) {
  return {
    signedIn: true as const,
    user: { id: user.id, email: user.email, role: user.role },
    tenantId: user.tenantId,
    csrfToken: csrfTokenFor(token),
    expiresAt: iso(expiresAtMs),
  };
}

export function sessionRoutes(api: Api, options: SessionRouteOptions): void {
  const { store, clock } = options;
  const tags = ['session'];

  function limiter(req: FastifyRequest) {
    return req.server.rateLimit.limiter;
  }

  /** 429 when the account or the address failed too often; never counts a hit itself. */
  async function checkThrottle(req: FastifyRequest, accountKey: string | null): Promise<void> {
    const checks: [string, number][] = [[`login-ip:${req.ip}`, LOGIN_FAILURES_PER_IP]];
    if (accountKey !== null) checks.push([`login-account:${accountKey}`, LOGIN_FAILURES_PER_ACCOUNT]);
    for (const [key, limit] of checks) {
      let d: Awaited<ReturnType<ReturnType<typeof limiter>['peek']>>;
      try {
        d = await limiter(req).peek(key, limit, LOGIN_WINDOW_MS);
      } catch (err) {
        req.log.error({ err }, 'login limiter failed; attempt let through');
        continue;
      }
      if (!d.allowed) {
        const retryAfterS = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
        throw new ApiError('login_rate_limited', `Too many failed sign-ins; retry in ${retryAfterS} s.`, {
          headers: { 'retry-after': String(retryAfterS) },
        });
      }
    }
  }

  async function recordFailure(req: FastifyRequest, accountKey: string | null): Promise<void> {
    try {
      await limiter(req).hit(`login-ip:${req.ip}`, LOGIN_FAILURES_PER_IP, LOGIN_WINDOW_MS);
      if (accountKey !== null)
        await limiter(req).hit(`login-account:${accountKey}`, LOGIN_FAILURES_PER_ACCOUNT, LOGIN_WINDOW_MS);
    } catch (err) {
      req.log.error({ err }, 'login limiter failed; failure not counted');
    }
  }

  async function startSession(reply: FastifyReply, user: User) {
    const { token, tokenHash } = newToken();
    const expiresAtMs = clock() + SESSION_TTL_MS;
    await store.tx(user.tenantId, (r) => r.users.createSession(user.id, tokenHash, expiresAtMs));
    reply.header('set-cookie', cookie(token, Math.floor(SESSION_TTL_MS / 1000), options.secureCookies));
    return sessionView(user, token, expiresAtMs);
  }

  /** The request's live session and its token, or null. */
  async function currentSession(
    req: FastifyRequest,
  ): Promise<{ token: string; session: SessionLookup } | null> {
    const token = sessionTokenOf(req);
    if (token === null) return null;
    const session = await findSessionByHash(store.db, hashToken(token));
    if (session === null || session.revokedAtMs !== null || session.disabledAtMs !== null) return null;
    if (session.expiresAtMs <= clock()) return null;
    return { token, session };
  }

  api.post(
    '/api/session',
    {
      schema: {
        // The browser's routes, not the SDK's: documented in docs/API.md, left out of the OpenAPI document.
        hide: true,
        tags,
        summary: 'Sign in to the dashboard (sets the session cookie)',
        body: Type.Object({ email: Email, password: Password }, { additionalProperties: false }),
        response: {
          200: SessionView,
          ...problemResponses('validation_failed', 'invalid_credentials', 'login_rate_limited'),
        },
      },
    },
    async (req, reply) => {
      const email = normalizeEmail(req.body.email);
      const accountKey = store.keyring.blindIndex(email, EMAIL_BIDX_SCOPE);
      await checkThrottle(req, accountKey);
      const found = await findUserByEmail(store.db, store.keyring, email);
      const ok = await verifyPassword(req.body.password, found?.passwordHash ?? (await decoyHash()));
      if (found === null || !ok || found.disabledAtMs !== null) {
        await recordFailure(req, accountKey);
        throw new ApiError('invalid_credentials');
      }
      const user = await store.tx(found.tenantId, (r) => r.users.get(found.id));
      if (user === null) throw new ApiError('invalid_credentials');
      return startSession(reply, user);
    },
  );

  api.get(
    '/api/session',
    {
      schema: {
        // The browser's routes, not the SDK's: documented in docs/API.md, left out of the OpenAPI document.
        hide: true,
        tags,
        summary: 'The signed-in person and the CSRF token ({"signedIn": false} when nobody is)',
        // 200 either way: the dashboard asks at every start, and a 401 would be a console error.
        response: { 200: Type.Union([SessionView, SignedOut]) },
      },
    },
    async (req) => {
      const current = await currentSession(req);
      if (current === null) return { signedIn: false as const };
      const { session, token } = current;
      const user = await store.tx(session.tenantId, (r) => r.users.get(session.userId));
      if (user === null) return { signedIn: false as const };
      return sessionView(user, token, session.expiresAtMs);
    },
  );

  api.delete(
    '/api/session',
    {
      schema: {
        // The browser's routes, not the SDK's: documented in docs/API.md, left out of the OpenAPI document.
        hide: true,
        tags,
        summary: 'Sign out (everywhere=true: every session of this person)',
        querystring: Type.Object(
          { everywhere: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ revoked: Type.Integer({ description: 'Sessions ended' }) }),
          ...problemResponses('unauthorized', 'csrf_failed'),
        },
      },
    },
    async (req, reply) => {
      const current = await currentSession(req);
      if (current === null) throw new ApiError('unauthorized', 'Not signed in.');
      if (!csrfMatches(req, current.token)) throw new ApiError('csrf_failed');
      const { session } = current;
      const nowMs = clock();
      const revoked = await store.tx(session.tenantId, async (r) => {
        if (req.query.everywhere === true) return r.users.revokeAllSessions(session.userId, nowMs);
        await r.users.revokeSession(session.id, nowMs);
        return 1;
      });
      reply.header('set-cookie', cookie('', 0, options.secureCookies));
      return { revoked };
    },
  );

  api.post(
    '/api/session/invite',
    {
      schema: {
        // The browser's routes, not the SDK's: documented in docs/API.md, left out of the OpenAPI document.
        hide: true,
        tags,
        summary: 'Accept an invite link: create the account and sign in',
        body: Type.Object(
          { token: Type.String({ minLength: 1, maxLength: 100 }), email: Email, password: Password },
          { additionalProperties: false },
        ),
        response: {
          200: SessionView,
          ...problemResponses('validation_failed', 'invite_invalid', 'conflict', 'login_rate_limited'),
        },
      },
    },
    async (req, reply) => {
      await checkThrottle(req, null);
      const problem = passwordProblem(req.body.password);
      if (problem !== null) throw invalidField('body.password', problem);
      const invite = await findInviteByHash(store.db, hashToken(req.body.token));
      const nowMs = clock();
      if (invite === null || invite.usedAtMs !== null || invite.expiresAtMs <= nowMs) {
        // Guessing invite tokens counts like guessing passwords.
        await recordFailure(req, null);
        throw new ApiError('invite_invalid');
      }
      const passwordHash = await hashPassword(req.body.password);
      let user: User;
      try {
        user = await store.tx(invite.tenantId, async (r) => {
          const created = await r.users.create({ email: req.body.email, role: invite.role, passwordHash });
          // Inside the same transaction: a lost race rolls the account back.
          if (!(await r.users.useInvite(invite.id, created.id, nowMs))) throw new ApiError('invite_invalid');
          return created;
        });
      } catch (err) {
        throw mapStoreError(err);
      }
      return startSession(reply, user);
    },
  );
}
