/**
 * Issue 11.10: no secret reaches a log line. A realistic flow (channels of every transport created
 * with their secrets, Meta's verify handshake, signed and badly signed webhooks, a bad API key, a
 * refused request) runs with the Fastify logger at trace level and the pipeline's log captured;
 * no line may contain a verify token, app secret, access token, API key, webhook secret or HMAC key.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { type PipelineDeps, processEvents } from '../../src/pipeline/index.ts';
import { type Queue, startQueue } from '../../src/queue/index.ts';
import { createWorld, type World } from './helpers.ts';

const SECRETS = {
  verifyToken: 'VerifyTok-0a1b2c3d4e5f6a7b8c9d',
  appSecret: 'AppSecret-9f8e7d6c5b4a39281706',
  accessToken: 'EAAGAccessTok-55aa66bb77cc88dd',
  evolutionApiKey: 'EvoApiKey-1234abcd5678efgh',
  evolutionSecret: 'EvoWebhookSecret-aa11bb22cc33',
  wahaApiKey: 'WahaApiKey-zz99yy88xx77ww66',
  wahaHmacKey: 'WahaHmacKey-0011223344556677',
};
const PHONE_NUMBER_ID = '106540352242999';

const lines: string[] = [];
const stream = { write: (line: string) => void lines.push(line) };

let w: World;
let queue: Queue;

beforeAll(async () => {
  let pipeline: PipelineDeps | undefined;
  w = await createWorld(
    {
      logger: createLogger({ level: 'trace', stream }),
      webhooks: {
        processEvents: (target, events) => processEvents(pipeline!, target, events),
      },
    },
    { allowPrivateGateways: true },
  );
  queue = await startQueue(w.db, { onError: () => {} });
  const log = (level: string) => (obj: object, msg?: string) =>
    void lines.push(JSON.stringify({ level, msg, ...obj }));
  pipeline = {
    store: w.store,
    queue,
    nowMs: () => w.clock.nowMs,
    clientFor: () => {
      throw new Error('no sends here');
    },
    sleep: async () => {},
    pacingScale: 0,
    log: { info: log('info'), warn: log('warn'), error: log('error') },
  };
});

afterAll(async () => {
  await queue.stop({ graceful: false });
  await w.close();
});

describe('logs during a realistic flow', () => {
  it('carry none of the secrets', async () => {
    const cloud = await w.call('POST', '/api/v1/channels', w.a.write, {
      name: 'Cloud',
      transport: 'cloud',
      phoneNumberId: PHONE_NUMBER_ID,
      accessToken: SECRETS.accessToken,
      appSecret: SECRETS.appSecret,
      verifyToken: SECRETS.verifyToken,
    });
    expect(cloud.statusCode).toBe(201);
    const evolution = await w.call('POST', '/api/v1/channels', w.a.write, {
      name: 'Evolution',
      transport: 'evolution',
      baseUrl: 'http://127.0.0.1:9',
      instance: 'loja',
      apiKey: SECRETS.evolutionApiKey,
      webhookSecret: SECRETS.evolutionSecret,
    });
    expect(evolution.statusCode).toBe(201);
    const waha = await w.call('POST', '/api/v1/channels', w.a.write, {
      name: 'WAHA',
      transport: 'waha',
      baseUrl: 'http://127.0.0.1:9',
      session: 'default',
      apiKey: SECRETS.wahaApiKey,
      hmacKey: SECRETS.wahaHmacKey,
    });
    expect(waha.statusCode).toBe(201);

    // Meta's handshake puts the verify token in the query string.
    const handshake = await w.app.inject({
      method: 'GET',
      url: `/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=42&hub.verify_token=${SECRETS.verifyToken}`,
    });
    expect(handshake.body).toBe('42');

    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'waba',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '2250700000001', phone_number_id: PHONE_NUMBER_ID },
                contacts: [{ profile: { name: 'Awa' }, wa_id: '2250701020304' }],
                messages: [
                  {
                    from: '2250701020304',
                    id: 'wamid.LOG1',
                    timestamp: '1764250000',
                    type: 'text',
                    text: { body: 'Bonjour' },
                  },
                ],
              },
            },
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '2250700000001', phone_number_id: PHONE_NUMBER_ID },
                // A sender that is not a phone number: parked, and logged without its content.
                contacts: [{ profile: { name: 'Robot' }, wa_id: '123456' }],
                messages: [
                  {
                    from: '123456',
                    id: 'wamid.LOG2',
                    timestamp: '1764250000',
                    type: 'text',
                    text: { body: 'Salut' },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    const signature = `sha256=${createHmac('sha256', SECRETS.appSecret).update(body).digest('hex')}`;
    const signed = await w.app.inject({
      method: 'POST',
      url: '/webhooks/whatsapp',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
      payload: body,
    });
    expect(signed.statusCode).toBe(200);
    const badSignature = await w.app.inject({
      method: 'POST',
      url: '/webhooks/whatsapp',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
      payload: body,
    });
    expect(badSignature.statusCode).toBe(401);

    const evoBody = JSON.stringify({
      event: 'messages.upsert',
      instance: 'loja',
      data: {
        key: { remoteJid: '2250701020305@s.whatsapp.net', fromMe: false, id: 'EVOLOG1' },
        message: { conversation: 'Bonjour' },
        messageTimestamp: 1764250000,
      },
      apikey: SECRETS.evolutionApiKey,
    });
    for (const token of [SECRETS.evolutionSecret, `${SECRETS.evolutionSecret}-wrong`]) {
      await w.app.inject({
        method: 'POST',
        url: `/webhooks/evolution/${evolution.json().id}`,
        headers: { 'content-type': 'application/json', 'x-sellify-token': token },
        payload: evoBody,
      });
    }
    const wahaBody = JSON.stringify({
      id: 'evt_log1',
      timestamp: 1764250000000,
      event: 'session.status',
      session: 'default',
      payload: { name: 'default', status: 'FAILED' },
    });
    await w.app.inject({
      method: 'POST',
      url: `/webhooks/waha/${waha.json().id}`,
      headers: {
        'content-type': 'application/json',
        'x-webhook-hmac': createHmac('sha512', SECRETS.wahaHmacKey).update(wahaBody).digest('hex'),
      },
      payload: wahaBody,
    });

    // A bad key in the header and an API key pasted into a query string.
    await w.call('GET', '/api/v1/channels', `sk_${'x'.repeat(30)}`);
    await w.app.inject({ method: 'GET', url: `/api/v1/channels?apiKey=${w.a.admin}` });
    // A refused request whose body holds secrets.
    await w.call('POST', '/api/v1/channels', w.a.write, {
      name: 'Bad',
      transport: 'cloud',
      phoneNumberId: PHONE_NUMBER_ID,
      accessToken: SECRETS.accessToken,
      appSecret: SECRETS.appSecret,
      verifyToken: SECRETS.verifyToken,
      baseUrl: 'https://x.example',
    });

    expect(lines.length).toBeGreaterThan(20);
    const leaks = lines.flatMap((line) =>
      [...Object.entries(SECRETS), ['adminKey', w.a.admin], ['writeKey', w.a.write]]
        .filter(([, secret]) => line.includes(secret as string))
        .map(([name]) => `${name}: ${line.slice(0, 200)}`),
    );
    expect(leaks).toEqual([]);
    // The handshake line is still there, without its query string.
    expect(lines.some((l) => l.includes('"/webhooks/whatsapp"'))).toBe(true);
    // The parked event was logged, with no customer data.
    const parked = lines.find((l) => l.includes('parked for replay'));
    expect(parked).toBeDefined();
    expect(parked).not.toContain('123456');
    expect(parked).not.toContain('Salut');
  });
});
