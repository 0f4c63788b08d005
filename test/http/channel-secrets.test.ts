/**
 * Webhook secrets a seller chooses (issue 11, item 18): `webhookSecret`, `verifyToken` and
 * `appSecret` shorter than 16 characters are refused with 400 naming the field, at creation and
 * on update, given at the top level or inside `credentials`.
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

const LONG = 'a-secret-of-16ch';
const cloud = (overrides: Record<string, string>) => ({
  name: 'Cloud',
  transport: 'cloud',
  phoneNumberId: String(Math.floor(Math.random() * 1e12)),
  accessToken: 'EAAG-token',
  appSecret: `${LONG}-app`,
  verifyToken: `${LONG}-verify`,
  ...overrides,
});
const evolution = (webhookSecret: string) => ({
  name: 'Evolution',
  transport: 'evolution',
  // A public address: loopback gateways are refused unless the operator allows them (issue 11.1).
  baseUrl: 'https://evolution.example',
  instance: 'loja',
  apiKey: 'evolution-key',
  webhookSecret,
});

describe('webhook secrets of at least 16 characters', () => {
  const cases: { name: string; body: unknown; field: string }[] = [
    { name: 'a 6-character Evolution webhookSecret', body: evolution('secret'), field: 'body.webhookSecret' },
    {
      name: 'a 15-character verifyToken',
      body: cloud({ verifyToken: LONG.slice(1) }),
      field: 'body.verifyToken',
    },
    { name: 'a short appSecret', body: cloud({ appSecret: 'app-secret' }), field: 'body.appSecret' },
    {
      name: 'a short sandbox webhookSecret inside credentials',
      body: { name: 'Bac', transport: 'sandbox', credentials: { webhookSecret: 'short' } },
      field: 'body.credentials.webhookSecret',
    },
  ];
  for (const c of cases) {
    it(`refuses ${c.name} with 400 naming the field`, async () => {
      const res = await w.call('POST', '/api/v1/channels', w.a.write, c.body);
      expect(res.statusCode).toBe(400);
      expect(problem(res).code).toBe('validation_failed');
      expect(problem(res).errors).toEqual([
        { field: c.field, message: expect.stringContaining('16 characters') },
      ]);
    });
  }

  it('accepts 16 characters exactly', async () => {
    expect((await w.call('POST', '/api/v1/channels', w.a.write, evolution(LONG))).statusCode).toBe(201);
    const res = await w.call(
      'POST',
      '/api/v1/channels',
      w.a.write,
      cloud({ verifyToken: LONG, appSecret: LONG }),
    );
    expect(res.statusCode, res.body).toBe(201);
  });

  it('refuses a short secret on update and keeps the old credentials', async () => {
    const created = await w.call('POST', '/api/v1/channels', w.a.write, evolution(`${LONG}-old`));
    const id = created.json().id as string;
    const res = await w.call('PATCH', `/api/v1/channels/${id}`, w.a.write, {
      ...evolution('tiny'),
      name: undefined,
      transport: undefined,
    });
    expect(res.statusCode).toBe(400);
    expect(problem(res).errors?.[0]?.field).toBe('body.webhookSecret');
    const credentials = await w.store.tx(w.a.id, (r) => r.channels.getCredentials(id));
    expect(credentials?.webhookSecret).toBe(`${LONG}-old`);
  });
});
