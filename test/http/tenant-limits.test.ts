/**
 * What a tenant can give itself is bounded by the operator (issue 11, item 8): a key's own limit
 * never exceeds its tenant's budget (SELLIFY_TENANT_RATE_LIMIT), all keys of a tenant share that
 * budget, and a tenant holds at most SELLIFY_MAX_KEYS_PER_TENANT active keys.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorld, ENV_KEY, problem, type World } from './helpers.ts';

const PER_KEY = 5;
const TENANT_BUDGET = 8;
const MAX_KEYS = 5;

let w: World;

beforeEach(async () => {
  w = await createWorld(
    {},
    { rateLimitPerMinute: PER_KEY, tenantRateLimitPerMinute: TENANT_BUDGET, maxKeysPerTenant: MAX_KEYS },
  );
});

afterEach(async () => {
  await w.close();
});

/** Statuses of `n` requests with `key`, one after the other. */
async function statuses(key: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await w.call('GET', '/api/v1/products', key)).statusCode);
  return out;
}

describe('per-key limits a tenant sets', () => {
  it("refuses a key with a limit above its tenant's budget, naming the field", async () => {
    const res = await w.call('POST', '/api/v1/keys', w.a.admin, {
      name: 'greedy',
      scopes: ['read'],
      rateLimitPerMinute: 1_000_000,
    });
    expect(res.statusCode).toBe(400);
    expect(problem(res).code).toBe('validation_failed');
    expect(problem(res).errors).toEqual([
      { field: 'body.rateLimitPerMinute', message: expect.stringContaining(`at most ${TENANT_BUDGET}`) },
    ]);
  });

  it('accepts a limit up to the budget', async () => {
    const res = await w.call('POST', '/api/v1/keys', w.a.admin, {
      name: 'busy bot',
      scopes: ['read'],
      rateLimitPerMinute: TENANT_BUDGET,
    });
    expect(res.statusCode).toBe(201);
  });

  it('holds a key stored with a huge limit (before this check existed) to the tenant budget', async () => {
    const legacy = await w.key(w.a.id, ['read'], 1_000_000);
    const seen = await statuses(legacy.secret, TENANT_BUDGET + 1);
    expect(seen).toEqual([...Array(TENANT_BUDGET).fill(200), 429]);
  });
});

describe('the tenant budget', () => {
  it('is shared by all keys of a tenant: N keys do not multiply it', async () => {
    const keys = [
      await w.key(w.a.id, ['read']),
      await w.key(w.a.id, ['read']),
      await w.key(w.a.id, ['read']),
    ];
    const seen: number[] = [];
    // Round robin: no key reaches its own limit of 5, the tenant reaches its 8.
    for (let i = 0; i < 12; i++) {
      const res = await w.call('GET', '/api/v1/products', keys[i % keys.length]!.secret);
      seen.push(res.statusCode);
      if (res.statusCode === 429) {
        expect(problem(res).code).toBe('rate_limited');
        expect(problem(res).detail).toContain('tenant');
        expect(res.headers['ratelimit-limit']).toBe(String(TENANT_BUDGET));
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
    }
    expect(seen.filter((s) => s === 200)).toHaveLength(TENANT_BUDGET);
    expect(seen.slice(TENANT_BUDGET).every((s) => s === 429)).toBe(true);
    // Another tenant's budget is its own.
    expect(await statuses(w.b.read, 1)).toEqual([200]);
  });

  it('reports the tighter of the two budgets in the RateLimit headers', async () => {
    const key = await w.key(w.a.id, ['read']);
    const first = await w.call('GET', '/api/v1/products', key.secret);
    // The key has 4 of 5 left, the tenant 7 of 8: the key's budget is the one to pace by.
    expect(first.headers['ratelimit-limit']).toBe(String(PER_KEY));
    expect(first.headers['ratelimit-remaining']).toBe(String(PER_KEY - 1));
    const other = await w.key(w.a.id, ['read']);
    await statuses(other.secret, 5);
    // Now the tenant has 1 of 8 left (7 used), fewer than the key's 3.
    const third = await w.call('GET', '/api/v1/products', key.secret);
    expect(third.headers['ratelimit-limit']).toBe(String(TENANT_BUDGET));
    expect(third.headers['ratelimit-remaining']).toBe('1');
  });

  it("does not count a key's refused requests against its tenant", async () => {
    const hammer = await w.key(w.a.id, ['read'], 2);
    expect(await statuses(hammer.secret, 6)).toEqual([200, 200, 429, 429, 429, 429]);
    // 2 of the tenant's 8 were used; the other keys still have 6.
    const other = await w.key(w.a.id, ['read']);
    const more = await w.key(w.a.id, ['read']);
    expect([...(await statuses(other.secret, 3)), ...(await statuses(more.secret, 4))]).toEqual([
      200, 200, 200, 200, 200, 200, 429,
    ]);
  });
});

describe('the number of active keys per tenant', () => {
  it('refuses a key past SELLIFY_MAX_KEYS_PER_TENANT with 409 key_limit_reached, and admits one after a revocation', async () => {
    // createWorld gave tenant A three keys (admin, write, read).
    const created: string[] = [];
    for (let i = 0; i < MAX_KEYS - 3; i++) {
      const res = await w.call('POST', '/api/v1/keys', w.a.admin, { name: `k${i}`, scopes: ['read'] });
      expect(res.statusCode).toBe(201);
      created.push(res.json().id);
    }
    const refused = await w.call('POST', '/api/v1/keys', w.a.admin, {
      name: 'one too many',
      scopes: ['read'],
    });
    expect(refused.statusCode).toBe(409);
    expect(problem(refused).code).toBe('key_limit_reached');
    expect(problem(refused).detail).toContain(String(MAX_KEYS));
    // The operator creating one for this tenant is held to the same limit.
    const byOperator = await w.call('POST', '/api/v1/keys', ENV_KEY, {
      name: 'operator',
      scopes: ['read'],
      tenantId: w.a.id,
    });
    expect(problem(byOperator).code).toBe('key_limit_reached');

    expect((await w.call('DELETE', `/api/v1/keys/${created[0]}`, w.a.admin)).statusCode).toBe(200);
    const after = await w.call('POST', '/api/v1/keys', w.a.admin, { name: 'replacement', scopes: ['read'] });
    expect(after.statusCode).toBe(201);
  });

  it('lets no burst of concurrent creations past the limit', async () => {
    const burst = await Promise.all(
      // As many as the admin key's own limit, so only the key count can refuse them.
      Array.from({ length: PER_KEY }, (_, i) =>
        w.call('POST', '/api/v1/keys', w.a.admin, { name: `burst ${i}`, scopes: ['read'] }),
      ),
    );
    expect(burst.filter((r) => r.statusCode === 201)).toHaveLength(MAX_KEYS - 3);
    expect(burst.filter((r) => r.statusCode === 409)).toHaveLength(PER_KEY - (MAX_KEYS - 3));
    const active = await w.store.tx(w.a.id, (r) => r.apiKeys.list());
    expect(active.filter((k) => k.revokedAtMs === null)).toHaveLength(MAX_KEYS);
  });
});
