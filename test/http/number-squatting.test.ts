/**
 * Issue 11.16: a tenant that registers another seller's Cloud phone number id first blocks the real
 * owner. Uniqueness stays (one number, one channel), but the refusal is one neutral answer, the
 * same whether the number is the caller's own or another tenant's, and the operator can release
 * the number (`sellify channels release`, test/cli/operator.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, problem, type World } from './helpers.ts';

let w: World;

beforeAll(async () => {
  w = await createWorld();
});

afterAll(async () => {
  await w.close();
});

const cloud = (phoneNumberId: string, name = 'Cloud') => ({
  name,
  transport: 'cloud',
  phoneNumberId,
  accessToken: 'EAAG-token',
  appSecret: 'app-secret-0123456789',
  verifyToken: 'verify-token-0123456789',
});

describe('a Cloud phone number id already served', () => {
  it("gets the same neutral 409 whether it is another tenant's number or the caller's own", async () => {
    expect((await w.call('POST', '/api/v1/channels', w.a.write, cloud('22507770001'))).statusCode).toBe(201);
    const other = await w.call('POST', '/api/v1/channels', w.b.write, cloud('22507770001', 'Squat'));
    const own = await w.call('POST', '/api/v1/channels', w.a.write, cloud('22507770001', 'Twice'));
    const strip = (res: typeof other) => {
      const { requestId: _r, ...rest } = problem(res);
      return { httpStatus: res.statusCode, ...rest };
    };
    expect(strip(other)).toEqual(strip(own));
    expect(strip(other)).toMatchObject({ httpStatus: 409, code: 'number_unavailable' });
    // Nothing about who holds it, or that a channel exists at all.
    expect(other.body).not.toMatch(/tenant|ten_|chn_|route key|another channel|already/i);
  });

  it('answers the same when a PATCH moves a channel onto a number in use', async () => {
    const mine = await w.call('POST', '/api/v1/channels', w.b.write, cloud('22507770002'));
    expect(mine.statusCode).toBe(201);
    const { name: _n, transport: _t, ...credentials } = cloud('22507770001');
    const res = await w.call('PATCH', `/api/v1/channels/${mine.json().id}`, w.b.write, credentials);
    expect(res.statusCode).toBe(409);
    expect(problem(res).code).toBe('number_unavailable');
  });
});
