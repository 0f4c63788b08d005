/**
 * A test world for the HTTP API: the real app (buildApp) over PGlite in memory, a fixed clock,
 * the default tenant with SELLIFY_API_KEY, and two tenants A and B with one key per scope.
 */

import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { createKeyring, generateKey } from '../../src/crypto/keyring.ts';
import { type AppDeps, buildApp } from '../../src/http/app.ts';
import type { Api } from '../../src/http/routes/v1/common.ts';
import { createMemoryLimiter } from '../../src/ratelimit/memory.ts';
import {
  type ApiKeyScope,
  createStore,
  createTenant,
  type Db,
  ensureTenant,
  generateApiKey,
  openDb,
  type Store,
} from '../../src/store/index.ts';

export const NOW_ISO = '2026-11-27T10:15:00.000Z';

/** A public address (TEST-NET ranges are refused as reserved) for the fake resolver below. */
export const PUBLIC_ADDRESS = '93.184.216.34';

/**
 * Host names of the test world, without DNS: `*.example` resolve to a public address,
 * `private.test` to 10.0.0.7 and `loop.test` to 127.0.0.1; anything else does not resolve.
 */
export async function fakeResolve(host: string): Promise<{ address: string; family: number }[]> {
  if (host.endsWith('.example')) return [{ address: PUBLIC_ADDRESS, family: 4 }];
  if (host === 'private.test') return [{ address: '10.0.0.7', family: 4 }];
  if (host === 'loop.test') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
}
export const ENV_KEY = `sk_${'E'.repeat(12)}envKeyForTests0000`;

export interface TenantKeys {
  id: string;
  admin: string;
  write: string;
  read: string;
}

export interface World {
  app: Api;
  db: Db;
  store: Store;
  /** Mutable clock read by the app. */
  clock: { nowMs: number };
  a: TenantKeys;
  b: TenantKeys;
  /** A fresh key for tenantId (scopes may be empty), returning the secret and id. */
  key(
    tenantId: string,
    scopes: ApiKeyScope[],
    rateLimitPerMinute?: number | null,
  ): Promise<{ id: string; secret: string }>;
  /** inject with a key (X-API-Key) and a JSON body. */
  call(
    method: InjectOptions['method'],
    url: string,
    key: string | null,
    payload?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function createWorld(
  overrides: Partial<AppDeps> = {},
  configOverrides: Partial<AppDeps['config']> = {},
): Promise<World> {
  const db = await openDb({ dataDir: '', memory: true });
  await ensureTenant(db, { id: 'ten_default', name: 'Default' });
  const store = createStore(db, createKeyring(generateKey()));
  const clock = { nowMs: Date.parse(NOW_ISO) };

  async function key(tenantId: string, scopes: ApiKeyScope[], rateLimitPerMinute: number | null = null) {
    const g = generateApiKey();
    const created = await store.tx(tenantId, (r) =>
      r.apiKeys.create({
        name: `test ${scopes.join(',')}`,
        keyHash: g.keyHash,
        prefix: g.prefix,
        scopes,
        rateLimitPerMinute,
      }),
    );
    return { id: created.id, secret: g.secret };
  }
  async function tenant(name: string): Promise<TenantKeys> {
    const id = (await createTenant(db, { name })).id;
    return {
      id,
      admin: (await key(id, ['admin'])).secret,
      write: (await key(id, ['write'])).secret,
      read: (await key(id, ['read'])).secret,
    };
  }
  const a = await tenant('Boutique A');
  const b = await tenant('Boutique B');

  const config = {
    ...loadConfig({}),
    apiKey: ENV_KEY,
    rateLimitPerMinute: 100_000,
    // Suites share two tenants across many requests a minute; tests of the budget lower it.
    tenantRateLimitPerMinute: 1_000_000_000,
    maxKeysPerTenant: 10_000,
    ...configOverrides,
  };
  const app = await buildApp({
    config,
    store,
    limiter: createMemoryLimiter(),
    clock: () => clock.nowMs,
    collectDefaultMetrics: false,
    version: '0.0.0-test',
    resolveHost: fakeResolve,
    ...overrides,
  });

  return {
    app,
    db,
    store,
    clock,
    a,
    b,
    key,
    call(method, url, k, payload, headers = {}) {
      const h: Record<string, string> = { ...headers };
      if (k !== null) h['x-api-key'] = k;
      return app.inject({
        method,
        url,
        headers: h,
        ...(payload !== undefined ? { payload: payload as object } : {}),
      });
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
}

/** Asserts the body is problem+json with this code, and returns it. */
export function problem(res: LightMyRequestResponse): {
  code: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
  requestId: string;
} {
  if (!String(res.headers['content-type']).startsWith('application/problem+json')) {
    throw new Error(
      `expected problem+json, got ${String(res.headers['content-type'])}: ${res.body.slice(0, 300)}`,
    );
  }
  return res.json();
}

/** A contact and channel in a tenant, created through the API like a client would. */
export async function seedConversation(
  w: World,
  adminKey: string,
): Promise<{ channelId: string; contactId: string; messageId: string }> {
  const channel = await w.call('POST', '/api/v1/channels', adminKey, { name: 'Main', transport: 'sandbox' });
  const channelId = channel.json().id as string;
  const msg = await w.call('POST', '/api/v1/messages', adminKey, {
    channelId,
    contactPhone: '+2250701020304',
    contactName: 'Aminata',
    direction: 'in',
    text: 'Bonjour',
    providerId: `wamid.${Math.random().toString(36).slice(2)}`,
  });
  if (msg.statusCode !== 201) throw new Error(`seed message failed: ${msg.body}`);
  return { channelId, contactId: msg.json().contact.id, messageId: msg.json().message.id };
}
