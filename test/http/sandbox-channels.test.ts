/**
 * Sandbox channels keep their sends in the server's memory; a production server has them only
 * when the operator enables them (SELLIFY_SANDBOX=true, see src/config.test.ts for the default).
 * Issue 11.17.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createWorld, problem, type World } from './helpers.ts';

describe('sandbox channels through the API, in production without SELLIFY_SANDBOX', () => {
  let world: World;

  beforeAll(async () => {
    const { sandbox } = loadConfig({ NODE_ENV: 'production' });
    expect(sandbox).toBe(false);
    world = await createWorld({}, { sandbox });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('refuses to create one with a 422 naming SELLIFY_SANDBOX, and stores nothing', async () => {
    const res = await world.call('POST', '/api/v1/channels', world.a.admin, {
      name: 'Demo',
      transport: 'sandbox',
    });
    expect(res.statusCode).toBe(422);
    const body = problem(res);
    expect(body.code).toBe('unprocessable');
    expect(body.detail).toContain('SELLIFY_SANDBOX=true');
    const list = await world.call('GET', '/api/v1/channels', world.a.admin);
    expect(JSON.parse(list.body).items).toEqual([]);
  });

  it('still creates a channel on a real transport', async () => {
    const res = await world.call('POST', '/api/v1/channels', world.a.admin, {
      name: 'Cloud',
      transport: 'cloud',
      phoneNumberId: '106540352242922',
      accessToken: 'cloud-access-token-0123456789',
      appSecret: 'cloud-app-secret-0123456789',
      verifyToken: 'cloud-verify-token-0123456789',
    });
    expect(res.statusCode).toBe(201);
  });
});
