/**
 * Issue 11.14: behind a load balancer, the client address is the one the trusted proxies saw, not
 * whatever the client writes in X-Forwarded-For. A client rotating the header must still hit the
 * failed-authentication limit (20 a minute per address).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createWorld, problem, type World } from './helpers.ts';

let w: World;

beforeAll(async () => {
  // One load balancer in front: it appends the address it saw to X-Forwarded-For.
  w = await createWorld({}, { trustProxy: loadConfig({ SELLIFY_TRUST_PROXY: '1' }).trustProxy });
});

afterAll(async () => {
  await w.close();
});

/** A request as it reaches Sellify through the load balancer (socket peer 10.0.0.2). */
function throughBalancer(clientSays: string, realClient: string, key: string) {
  return w.app.inject({
    method: 'GET',
    url: '/api/v1/channels',
    headers: { 'x-api-key': key, 'x-forwarded-for': `${clientSays}, ${realClient}` },
    remoteAddress: '10.0.0.2',
  });
}

describe('SELLIFY_TRUST_PROXY with a hop count', () => {
  it('limits failed authentications per real client even when X-Forwarded-For rotates', async () => {
    const bad = `sk_${'b'.repeat(30)}`;
    for (let i = 0; i < 20; i++) {
      const res = await throughBalancer(`192.0.2.${i}`, '198.51.100.77', bad);
      expect(res.statusCode).toBe(401);
    }
    const blocked = await throughBalancer('192.0.2.250', '198.51.100.77', w.a.read);
    expect(blocked.statusCode).toBe(429);
    expect(problem(blocked).code).toBe('auth_rate_limited');
    // Another real client behind the same balancer is not affected.
    expect((await throughBalancer('192.0.2.250', '198.51.100.78', w.a.read)).statusCode).toBe(200);
  });
});
