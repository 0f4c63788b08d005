/**
 * Sign-in for people (issue 16) through the real app: accounts, the session cookie acting like a
 * key with its role's scopes, CSRF on writes, sign-in throttling per account and per address, sign
 * out and sign out everywhere, invites. API keys keep working unchanged beside it.
 */

import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/crypto/password.ts';
import { SESSION_RATE_LIMIT_PER_MINUTE } from '../../src/http/plugins/auth.ts';
import { LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_IP } from '../../src/http/routes/session.ts';
import type { UserRole } from '../../src/store/index.ts';
import { createWorld, problem, type World } from './helpers.ts';

let w: World;
const PASSWORD = 'correct horse battery';
let seq = 0;

function uniqueEmail(): string {
  seq += 1;
  return `person${seq}.${Date.now()}@shop.example`;
}

async function account(tenantId: string, role: UserRole): Promise<string> {
  const email = uniqueEmail();
  const passwordHash = await hashPassword(PASSWORD);
  await w.store.tx(tenantId, (r) => r.users.create({ email, role, passwordHash }));
  return email;
}

interface Signed {
  cookie: string;
  csrf: string;
}

function cookieOf(res: LightMyRequestResponse): string {
  const header = res.headers['set-cookie'];
  const line = Array.isArray(header) ? header[0]! : String(header);
  return line.split(';')[0]!;
}

async function signIn(
  email: string,
  password = PASSWORD,
  ip = '198.51.100.1',
): Promise<LightMyRequestResponse> {
  return w.app.inject({
    method: 'POST',
    url: '/api/session',
    payload: { email, password },
    remoteAddress: ip,
  });
}

async function signedIn(email: string): Promise<Signed> {
  const res = await signIn(email);
  expect(res.statusCode).toBe(200);
  return { cookie: cookieOf(res), csrf: res.json().csrfToken };
}

function withSession(
  s: Signed,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
  csrf: string | null = s.csrf,
) {
  return w.app.inject({
    method,
    url,
    headers: { cookie: s.cookie, ...(csrf === null ? {} : { 'x-csrf-token': csrf }) },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

beforeAll(async () => {
  w = await createWorld();
});
afterAll(async () => {
  await w.close();
});

describe('sign-in', () => {
  it('sets an HttpOnly SameSite=Lax cookie and never stores the email or password in clear', async () => {
    const email = await account(w.a.id, 'owner');
    const res = await signIn(email);
    expect(res.statusCode).toBe(200);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(
      /^sellify_session=[0-9A-Za-z]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/,
    );
    expect(res.json()).toMatchObject({ user: { email, role: 'owner' }, tenantId: w.a.id });
    const rows = await w.db.ownerTx((tx) =>
      tx.query<{ row: string }>('SELECT row_to_json(u)::text AS row FROM users u WHERE tenant_id = $1', [
        w.a.id,
      ]),
    );
    for (const r of rows.rows) {
      expect(r.row).not.toContain(email);
      expect(r.row).not.toContain(PASSWORD);
      expect(r.row).toMatch(/scrypt\$15\$8\$1\$/);
    }
  });

  it('marks the cookie Secure in production', async () => {
    const prod = await createWorld({ secureCookies: true });
    try {
      const email = uniqueEmail();
      const passwordHash = await hashPassword(PASSWORD);
      await prod.store.tx(prod.a.id, (r) => r.users.create({ email, role: 'viewer', passwordHash }));
      const res = await prod.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email, password: PASSWORD },
      });
      expect(res.statusCode).toBe(200);
      expect(String(res.headers['set-cookie'])).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);
    } finally {
      await prod.close();
    }
  });

  it('answers the same 401 for an unknown email and a wrong password', async () => {
    const email = await account(w.a.id, 'agent');
    const unknown = await signIn(uniqueEmail(), PASSWORD, '198.51.100.2');
    const wrong = await signIn(email, 'not the password', '198.51.100.2');
    expect(problem(unknown).code).toBe('invalid_credentials');
    expect(problem(wrong).code).toBe('invalid_credentials');
    expect(unknown.json().detail).toBe(wrong.json().detail);
  });

  it(`throttles an account after ${LOGIN_FAILURES_PER_ACCOUNT} failures, even with the right password`, async () => {
    const email = await account(w.a.id, 'agent');
    for (let i = 0; i < LOGIN_FAILURES_PER_ACCOUNT; i++) {
      // Each from its own address: the per-account count is what trips.
      expect((await signIn(email, 'wrong password', `203.0.113.${i + 1}`)).statusCode).toBe(401);
    }
    const res = await signIn(email, PASSWORD, '203.0.113.99');
    expect(problem(res).code).toBe('login_rate_limited');
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // Another account is not affected.
    expect((await signIn(await account(w.a.id, 'agent'), PASSWORD, '203.0.113.99')).statusCode).toBe(200);
  });

  it(`throttles an address after ${LOGIN_FAILURES_PER_IP} failures across accounts`, async () => {
    for (let i = 0; i < LOGIN_FAILURES_PER_IP; i++) {
      expect((await signIn(uniqueEmail(), 'wrong password', '192.0.2.50')).statusCode).toBe(401);
    }
    const res = await signIn(await account(w.a.id, 'agent'), PASSWORD, '192.0.2.50');
    expect(problem(res).code).toBe('login_rate_limited');
  });
});

describe('the session acts like a key with its role', () => {
  it('reads with any role, and GET /api/session returns the CSRF token', async () => {
    const s = await signedIn(await account(w.a.id, 'viewer'));
    expect((await withSession(s, 'GET', '/api/v1/products')).statusCode).toBe(200);
    const me = await withSession(s, 'GET', '/api/session');
    expect(me.statusCode).toBe(200);
    expect(me.json().csrfToken).toBe(s.csrf);
    const nobody = await w.app.inject({ method: 'GET', url: '/api/session' });
    expect(nobody.json()).toEqual({ signedIn: false });
  });

  it(`gives one person ${SESSION_RATE_LIMIT_PER_MINUTE} requests a minute (all their tabs), more than a machine key's default of 100`, async () => {
    const s = await signedIn(await account(w.a.id, 'agent'));
    const res = await withSession(s, 'GET', '/api/v1/products');
    expect(res.statusCode).toBe(200);
    expect(Number(res.headers['ratelimit-limit'])).toBe(SESSION_RATE_LIMIT_PER_MINUTE);
  });

  it('refuses a write without the CSRF header, or with a wrong one, and accepts it with the right one', async () => {
    const s = await signedIn(await account(w.a.id, 'agent'));
    const body = { name: 'Sac noir', price: 15000, currency: 'XOF' };
    const none = await withSession(s, 'POST', '/api/v1/products', body, null);
    expect(none.statusCode).toBe(403);
    expect(problem(none).code).toBe('csrf_failed');
    const wrong = await withSession(s, 'POST', '/api/v1/products', body, 'x'.repeat(43));
    expect(problem(wrong).code).toBe('csrf_failed');
    const products = await w.store.tx(w.a.id, (r) => r.products.list());
    expect(products.filter((p) => p.name === 'Sac noir')).toHaveLength(0);
    const ok = await withSession(s, 'POST', '/api/v1/products', body);
    expect(ok.statusCode).toBe(201);
  });

  it('gives a viewer read only, an agent write but not admin, an owner admin', async () => {
    const viewer = await signedIn(await account(w.a.id, 'viewer'));
    const agent = await signedIn(await account(w.a.id, 'agent'));
    const owner = await signedIn(await account(w.a.id, 'owner'));
    const product = { name: 'Pagne', price: 5000, currency: 'XOF' };
    expect(problem(await withSession(viewer, 'POST', '/api/v1/products', product)).code).toBe('forbidden');
    expect((await withSession(agent, 'POST', '/api/v1/products', product)).statusCode).toBe(201);
    expect(problem(await withSession(agent, 'GET', '/api/v1/users')).code).toBe('forbidden');
    expect((await withSession(owner, 'GET', '/api/v1/users')).statusCode).toBe(200);
  });

  it("sees only its own tenant's data", async () => {
    const created = await w.call('POST', '/api/v1/products', w.a.admin, {
      name: 'Secret A',
      price: 1,
      currency: 'XOF',
    });
    const other = await signedIn(await account(w.b.id, 'owner'));
    expect((await withSession(other, 'GET', `/api/v1/products/${created.json().id}`)).statusCode).toBe(404);
    const list = await withSession(other, 'GET', '/api/v1/products');
    expect(list.body).not.toContain('Secret A');
  });

  it('is not the platform operator even as an owner of the default tenant', async () => {
    const s = await signedIn(await account(w.a.id, 'owner'));
    expect((await withSession(s, 'POST', '/api/v1/tenants', { name: 'Nope' })).statusCode).toBe(403);
  });

  it('leaves API keys working unchanged, and a key wins over a cookie', async () => {
    expect((await w.call('GET', '/api/v1/products', w.a.read)).statusCode).toBe(200);
    const s = await signedIn(await account(w.a.id, 'owner'));
    const res = await w.app.inject({
      method: 'GET',
      url: '/api/v1/users',
      headers: { cookie: s.cookie, 'x-api-key': w.a.read },
    });
    expect(problem(res).code).toBe('forbidden');
  });

  it('refuses a made-up cookie with 401', async () => {
    const res = await w.app.inject({
      method: 'GET',
      url: '/api/v1/products',
      headers: { cookie: `sellify_session=${'A'.repeat(43)}` },
    });
    expect(problem(res).code).toBe('unauthorized');
  });
});

describe('sign out', () => {
  it('ends this session only, and needs the CSRF token', async () => {
    const email = await account(w.a.id, 'agent');
    const one = await signedIn(email);
    const two = await signedIn(email);
    expect(problem(await withSession(one, 'DELETE', '/api/session', undefined, null)).code).toBe(
      'csrf_failed',
    );
    const out = await withSession(one, 'DELETE', '/api/session');
    expect(out.statusCode).toBe(200);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await withSession(one, 'GET', '/api/v1/products')).statusCode).toBe(401);
    expect((await withSession(one, 'GET', '/api/session')).json()).toEqual({ signedIn: false });
    expect((await withSession(two, 'GET', '/api/v1/products')).statusCode).toBe(200);
  });

  it('everywhere ends every session of the person', async () => {
    const email = await account(w.a.id, 'agent');
    const one = await signedIn(email);
    const two = await signedIn(email);
    const out = await withSession(one, 'DELETE', '/api/session?everywhere=true');
    expect(out.json()).toEqual({ revoked: 2 });
    expect((await withSession(two, 'GET', '/api/v1/products')).statusCode).toBe(401);
  });

  it('a session past its expiry no longer works', async () => {
    const s = await signedIn(await account(w.a.id, 'viewer'));
    const saved = w.clock.nowMs;
    w.clock.nowMs += 31 * 24 * 3600_000;
    try {
      expect((await withSession(s, 'GET', '/api/v1/products')).statusCode).toBe(401);
    } finally {
      w.clock.nowMs = saved;
    }
  });
});

describe('invites', () => {
  it('an owner invites an agent; the link works once and signs the agent in', async () => {
    const owner = await signedIn(await account(w.a.id, 'owner'));
    const created = await withSession(owner, 'POST', '/api/v1/users/invites', { role: 'agent' });
    expect(created.statusCode).toBe(201);
    const { token, path } = created.json();
    expect(path).toBe(`/#/invite/${token}`);
    const email = uniqueEmail();
    const accepted = await w.app.inject({
      method: 'POST',
      url: '/api/session/invite',
      payload: { token, email, password: PASSWORD },
    });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().user).toMatchObject({ email, role: 'agent' });
    const again = await w.app.inject({
      method: 'POST',
      url: '/api/session/invite',
      payload: { token, email: uniqueEmail(), password: PASSWORD },
    });
    expect(problem(again).code).toBe('invite_invalid');
    expect((await signIn(email)).statusCode).toBe(200);
  });

  it('refuses a short password without using the invite', async () => {
    const created = await w.call('POST', '/api/v1/users/invites', w.a.admin, { role: 'viewer' });
    const { token } = created.json();
    const short = await w.app.inject({
      method: 'POST',
      url: '/api/session/invite',
      payload: { token, email: uniqueEmail(), password: 'short' },
    });
    expect(problem(short).code).toBe('validation_failed');
    const ok = await w.app.inject({
      method: 'POST',
      url: '/api/session/invite',
      payload: { token, email: uniqueEmail(), password: PASSWORD },
    });
    expect(ok.statusCode).toBe(200);
  });
});
