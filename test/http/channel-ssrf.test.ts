/**
 * Issue 11.1: a tenant must not point Sellify's outbound requests anywhere the operator did not
 * choose. Credentials are a closed schema per transport (the Graph URL and version are the
 * operator's), and gateway base URLs are checked when stored (and again at connect time, see
 * src/whatsapp/shared/egress.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelTransport } from '../../src/whatsapp/index.ts';
import { createWorld, problem, type World } from './helpers.ts';

let w: World;
let open: World;

beforeAll(async () => {
  w = await createWorld();
  open = await createWorld({}, { allowPrivateGateways: true });
});

afterAll(async () => {
  await w.close();
  await open.close();
});

const evolution = (baseUrl: string, extra: Record<string, unknown> = {}) => ({
  name: 'Evolution',
  transport: 'evolution',
  baseUrl,
  instance: 'loja',
  apiKey: 'evo-key',
  webhookSecret: 'evo-secret-0123456789',
  ...extra,
});

describe('channel credentials are a closed schema per transport', () => {
  it('refuses a Cloud graphUrl inside credentials (400 naming the field)', async () => {
    const res = await w.call('POST', '/api/v1/channels', w.a.write, {
      name: 'Cloud',
      transport: 'cloud',
      phoneNumberId: '1111',
      accessToken: 'EAAG',
      appSecret: 'app-secret-0123456789',
      verifyToken: 'verify-token-0123456789',
      credentials: { graphUrl: 'http://127.0.0.1:6379' },
    });
    expect(res.statusCode).toBe(400);
    expect(problem(res).errors?.map((e) => e.field)).toEqual(['body.credentials.graphUrl']);
  });

  it('refuses an apiVersion inside credentials', async () => {
    const res = await w.call('POST', '/api/v1/channels', w.a.write, {
      name: 'Cloud',
      transport: 'cloud',
      phoneNumberId: '1112',
      accessToken: 'EAAG',
      appSecret: 'app-secret-0123456789',
      verifyToken: 'verify-token-0123456789',
      credentials: { apiVersion: '../../admin' },
    });
    expect(problem(res).errors?.map((e) => e.field)).toEqual(['body.credentials.apiVersion']);
  });

  it('refuses a field of another transport (baseUrl on a Cloud channel)', async () => {
    const res = await w.call('POST', '/api/v1/channels', w.a.write, {
      name: 'Cloud',
      transport: 'cloud',
      phoneNumberId: '1113',
      accessToken: 'EAAG',
      appSecret: 'app-secret-0123456789',
      verifyToken: 'verify-token-0123456789',
      baseUrl: 'https://gateway.example',
    });
    expect(res.statusCode).toBe(400);
    expect(problem(res).errors?.[0]).toEqual({
      field: 'body.baseUrl',
      message: 'is not a credential of a cloud channel',
    });
  });

  it('refuses a phone number id that is not digits and instance names that climb the path', async () => {
    const pn = await w.call('POST', '/api/v1/channels', w.a.write, {
      name: 'Cloud',
      transport: 'cloud',
      phoneNumberId: '../1114',
      accessToken: 'EAAG',
      appSecret: 'app-secret-0123456789',
      verifyToken: 'verify-token-0123456789',
    });
    expect(problem(pn).errors?.[0]?.field).toBe('body.phoneNumberId');
    for (const instance of ['..', '.', 'a/b', 'x\u0000y']) {
      const res = await w.call('POST', '/api/v1/channels', w.a.write, {
        ...evolution('https://gateway.example'),
        instance,
      });
      expect(problem(res).errors?.[0]?.field).toBe('body.instance');
    }
  });

  it('ignores a graphUrl stored before the schema was closed: the operator URL wins', () => {
    const t = channelTransport(
      'cloud',
      'chn_x',
      {
        phoneNumberId: '1',
        accessToken: 'a',
        appSecret: 's',
        verifyToken: 'v',
        graphUrl: 'http://127.0.0.1:1',
      },
      { graphUrl: 'https://graph.facebook.com' },
    );
    expect(t.credentials).toEqual({
      phoneNumberId: '1',
      accessToken: 'a',
      appSecret: 's',
      verifyToken: 'v',
      graphUrl: 'https://graph.facebook.com',
    });
  });
});

describe('gateway base URLs are checked when stored', () => {
  const refused = [
    'http://127.0.0.1:8080',
    'http://2130706433:8080',
    'http://0x7f.1:8080',
    'http://[::ffff:127.0.0.1]:8080',
    'http://localhost:8080',
    'http://169.254.169.254/latest/meta-data',
    'http://metadata.google.internal',
    'http://0.0.0.0:6379',
    'http://10.0.0.1:5432',
    'http://100.64.0.1',
    'https://private.test',
    'https://loop.test',
    'https://nowhere.invalid',
    'ftp://gateway.example',
    'https://user:pw@gateway.example',
  ];
  for (const baseUrl of refused) {
    it(`refuses ${baseUrl}`, async () => {
      const res = await w.call('POST', '/api/v1/channels', w.a.write, evolution(baseUrl));
      expect(res.statusCode).toBe(400);
      expect(problem(res).errors?.[0]?.field).toBe('body.baseUrl');
    });
  }

  it('accepts a public gateway, and refuses a PATCH that moves it to a private address', async () => {
    const created = await w.call(
      'POST',
      '/api/v1/channels',
      w.a.write,
      evolution('https://gateway.example/evo'),
    );
    expect(created.statusCode).toBe(201);
    const { name: _n, transport: _t, ...credentials } = evolution('http://192.168.1.10:8080');
    const patched = await w.call('PATCH', `/api/v1/channels/${created.json().id}`, w.a.write, credentials);
    expect(patched.statusCode).toBe(400);
    expect(problem(patched).errors?.[0]?.field).toBe('body.baseUrl');
    const creds = await w.store.tx(w.a.id, (r) => r.channels.getCredentials(created.json().id));
    expect(creds?.baseUrl).toBe('https://gateway.example/evo');
  });

  it('with SELLIFY_ALLOW_PRIVATE_GATEWAYS, accepts loopback and private gateways but never metadata', async () => {
    const local = await open.call(
      'POST',
      '/api/v1/channels',
      open.a.write,
      evolution('http://127.0.0.1:8080'),
    );
    expect(local.statusCode).toBe(201);
    const lan = await open.call('POST', '/api/v1/channels', open.a.write, {
      name: 'WAHA',
      transport: 'waha',
      baseUrl: 'http://10.0.0.5:3000',
      session: 'default',
      apiKey: 'k',
      hmacKey: 'hmac-key-0123456789',
    });
    expect(lan.statusCode).toBe(201);
    const metadata = await open.call(
      'POST',
      '/api/v1/channels',
      open.a.write,
      evolution('http://169.254.169.254'),
    );
    expect(metadata.statusCode).toBe(400);
  });
});
