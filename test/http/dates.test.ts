/**
 * Extreme but well-formed dates (issue 11, item 13). Every date-time of the API lies in
 * [2009-01-01, 2100-01-01) and message times at most a day ahead of the server clock: anything
 * else is 400 naming the field, never a 500. A webhook event with an absurd timestamp is processed
 * at the time the webhook arrived, and the rest of its batch with it.
 */

import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFuzzWorld, type FuzzWorld } from '../reliability/lib/app.ts';
import { NOW_ISO, problem, seedConversation } from './helpers.ts';

let w: FuzzWorld;
let channelId = '';
const EXAMPLE = {
  now: '2026-11-27T10:15:00Z',
  channel: { id: 'chn_demo', createdAt: '2026-10-01T08:00:00Z' },
  contact: { id: 'ctc_demo', phone: '+2250701020304' },
  message: { id: 'wamid.dates', text: 'Bonjour, prix du sac ?' },
};

beforeAll(async () => {
  w = await createFuzzWorld();
  channelId = (await seedConversation(w, w.a.admin)).channelId;
});

afterAll(async () => {
  await w.close();
});

describe('date-time fields of the API', () => {
  const cases: {
    name: string;
    method: 'POST' | 'PATCH';
    url: () => string;
    payload: () => unknown;
    field: string;
  }[] = [
    {
      name: 'a decision at 9999-12-31T23:59:59Z',
      method: 'POST',
      url: () => '/api/v1/decision',
      payload: () => ({ ...EXAMPLE, now: '9999-12-31T23:59:59Z' }),
      field: 'body.now',
    },
    {
      name: 'a decision at year 0000',
      method: 'POST',
      url: () => '/api/v1/decision',
      payload: () => ({ ...EXAMPLE, now: '0000-01-01T00:00:00Z' }),
      field: 'body.now',
    },
    {
      name: 'a channel created in year 0000',
      method: 'POST',
      url: () => '/api/v1/decision',
      payload: () => ({ ...EXAMPLE, channel: { ...EXAMPLE.channel, createdAt: '0000-01-01T00:00:00Z' } }),
      field: 'body.channel.createdAt',
    },
    {
      name: 'a health event in year 9999',
      method: 'POST',
      url: () => '/api/v1/decision',
      payload: () => ({
        ...EXAMPLE,
        channel: { ...EXAMPLE.channel, healthEvents: [{ type: 'disconnected', at: '9999-01-01T00:00:00Z' }] },
      }),
      field: 'body.channel.healthEvents[0].at',
    },
    {
      name: 'a message received in year 0000',
      method: 'POST',
      url: () => '/api/v1/messages',
      payload: () => ({
        channelId,
        contactPhone: '+2250701020304',
        direction: 'in',
        text: 'Bonjour',
        receivedAt: '0000-01-01T00:00:00Z',
      }),
      field: 'body.receivedAt',
    },
    {
      name: 'a message received two days from now',
      method: 'POST',
      url: () => '/api/v1/messages',
      payload: () => ({
        channelId,
        contactPhone: '+2250701020304',
        direction: 'in',
        text: 'Bonjour',
        receivedAt: new Date(Date.parse(NOW_ISO) + 2 * 86_400_000).toISOString(),
      }),
      field: 'body.receivedAt',
    },
    {
      name: 'a message sent in year 9999',
      method: 'POST',
      url: () => '/api/v1/messages',
      payload: () => ({
        channelId,
        contactPhone: '+2250701020304',
        direction: 'out',
        text: 'Merci',
        sentAt: '9999-12-31T23:59:59Z',
      }),
      field: 'body.sentAt',
    },
    {
      name: 'a warm-up restarted in year 0000',
      method: 'PATCH',
      url: () => `/api/v1/channels/${channelId}`,
      payload: () => ({ warmupStartedAt: '0000-01-01T00:00:00Z' }),
      field: 'body.warmupStartedAt',
    },
  ];
  for (const c of cases) {
    it(`answers 400 naming the field to ${c.name}`, async () => {
      const res = await w.call(c.method, c.url(), w.a.admin, c.payload());
      expect(res.statusCode, res.body).toBe(400);
      const body = problem(res);
      expect(body.code).toBe('validation_failed');
      expect(body.errors?.map((e) => e.field)).toEqual([c.field]);
      expect(body.errors?.[0]?.message).toMatch(/2009-01-01T00:00:00Z|1 day after the server clock/);
    });
  }

  it('accepts the edges of the range and a message a day ahead of the clock', async () => {
    for (const now of ['2009-01-01T00:00:00Z', '2099-12-31T23:59:59Z']) {
      const res = await w.call('POST', '/api/v1/decision', w.a.write, {
        ...EXAMPLE,
        now,
        channel: { ...EXAMPLE.channel, createdAt: '2009-01-01T00:00:00Z' },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().sendAt ?? '2099-01-01T00:00:00.000Z').toMatch(/^\d{4}-/);
    }
    const ahead = await w.call('POST', '/api/v1/messages', w.a.write, {
      channelId,
      contactPhone: '+2250701020305',
      direction: 'in',
      text: 'Bonjour',
      receivedAt: new Date(Date.parse(NOW_ISO) + 86_400_000).toISOString(),
    });
    expect(ahead.statusCode, ahead.body).toBe(201);
  });
});

describe('webhook event times', () => {
  it('processes a sandbox event with timestamp -1e13 at the receive time, and the rest of its batch', async () => {
    const created = await w.call('POST', '/api/v1/channels', w.a.admin, {
      name: 'Dates',
      transport: 'sandbox',
    });
    const { id, webhookSecret } = created.json() as { id: string; webhookSecret: string };
    const res = await w.app.inject({
      method: 'POST',
      url: `/webhooks/sandbox/${id}`,
      headers: { 'content-type': 'application/json', 'x-sellify-token': webhookSecret },
      payload: [
        { from: '+2250701020311', text: 'Bonjour', id: 'sbx_absurd', timestamp: -1e13 },
        { from: '+2250701020312', text: 'Bonsoir', id: 'sbx_far', timestamp: 1e15 },
        { from: '+2250701020313', text: 'Salut', id: 'sbx_fine', timestamp: Date.parse(NOW_ISO) / 1000 - 60 },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    const stored = await w.store.tx(w.a.id, async (r) =>
      Promise.all(['sbx_absurd', 'sbx_far', 'sbx_fine'].map((p) => r.messages.getByProviderId(id, p))),
    );
    expect(stored.map((m) => m?.createdAtMs)).toEqual([
      Date.parse(NOW_ISO),
      Date.parse(NOW_ISO),
      Date.parse(NOW_ISO) - 60_000,
    ]);
  });

  it('processes a signed Cloud API message with an absurd timestamp instead of answering 500 forever', async () => {
    const appSecret = 'cloud-app-secret-0123456789';
    const phoneNumberId = '990011223344';
    const created = await w.call('POST', '/api/v1/channels', w.a.admin, {
      name: 'Cloud dates',
      transport: 'cloud',
      phoneNumberId,
      accessToken: 'EAAG-token',
      appSecret,
      verifyToken: 'verify-token-0123456789',
    });
    expect(created.statusCode, created.body).toBe(201);
    const message = (id: string, timestamp: string) => ({
      from: '2250701020321',
      id,
      timestamp,
      type: 'text',
      text: { body: 'Bonjour' },
    });
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'WABA',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '2250100000000', phone_number_id: phoneNumberId },
                contacts: [{ profile: { name: 'Awa' }, wa_id: '2250701020321' }],
                messages: [message('wamid.absurd', '-10000000000000'), message('wamid.fine', '1795774440')],
              },
            },
          ],
        },
      ],
    });
    const res = await w.app.inject({
      method: 'POST',
      url: '/webhooks/whatsapp',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`,
      },
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(200);
    const channel = created.json().id as string;
    const stored = await w.store.tx(w.a.id, async (r) =>
      Promise.all(['wamid.absurd', 'wamid.fine'].map((p) => r.messages.getByProviderId(channel, p))),
    );
    expect(stored.map((m) => m?.createdAtMs)).toEqual([Date.parse(NOW_ISO), 1795774440_000]);
  });
});
