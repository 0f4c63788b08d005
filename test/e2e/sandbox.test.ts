/**
 * The sandbox transport in the real server process: it keeps answering after a restart on the
 * same data directory (issue 12.14: its provider ids restarted at 1 in every process, so replies
 * after a restart collided with stored ids and never arrived), and a production server has no
 * sandbox unless the operator enables it (issue 11.17).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { API_KEY, cleanup, json, sellify, serve, stop, tempDir } from './harness.ts';

afterAll(cleanup);

const PRICE_QUESTION = "c'est combien le sac noir ?";

describe('sandbox across restarts', () => {
  it('answers through the sandbox channel after the server restarts on the same data directory', async () => {
    const dataDir = tempDir();
    const env = { SELLIFY_DATA_DIR: dataDir, SELLIFY_API_KEY: API_KEY, SELLIFY_PACING_SCALE: '0.02' };
    const first = await serve(env);
    const product = await json(`${first.url}/api/v1/products`, API_KEY, 'POST', {
      name: 'Sac noir',
      price: 15000,
      currency: 'XOF',
    });
    expect(product.status).toBe(201);
    // Three replies from the first process: it handed out three provider ids.
    const before = await sellify(
      ['chat', '--url', first.url, '--timeout', '30'],
      env,
      `${PRICE_QUESTION}\nBonjour\n${PRICE_QUESTION}\n`,
    );
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout.split('\n').filter((l) => l.startsWith('bot: '))).toHaveLength(3);
    expect(await stop(first)).toBe(0);

    // The same conversation after a restart. With per-process counters the reply's id collided
    // with a stored one and its job retried (5 s, 10 s, 20 s…) until an unused id came up.
    const second = await serve(env);
    const after = await sellify(['chat', '--url', second.url, '--timeout', '15'], env, `${PRICE_QUESTION}\n`);
    expect(after.code, `${after.stdout}\n${after.stderr}\n${second.stderr()}`).toBe(0);
    expect(after.stdout).toMatch(/bot: .*15 000/);
    expect(second.stderr()).not.toContain('send job failed');

    const contacts = await json(`${second.url}/api/v1/contacts`, API_KEY);
    const contactId = String(contacts.body.items?.[0]?.id);
    const messages = await json(`${second.url}/api/v1/contacts/${contactId}/messages?limit=50`, API_KEY);
    const sent = (messages.body.items ?? []).filter((m) => m.direction === 'out');
    expect(sent.map((m) => m.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    expect(new Set(sent.map((m) => m.providerId)).size).toBe(4);
    expect(await stop(second)).toBe(0);
  }, 240_000);
});

describe('sandbox in production', () => {
  const production = (dataDir: string, extra: Record<string, string> = {}) => ({
    NODE_ENV: 'production',
    SELLIFY_DATA_DIR: dataDir,
    SELLIFY_API_KEY: API_KEY,
    SELLIFY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ...extra,
  });

  it('creates no sandbox channel at start and refuses one through the API unless SELLIFY_SANDBOX=true', async () => {
    const server = await serve(production(tempDir()));
    try {
      expect(server.stdout()).not.toContain('Sandbox channel');
      expect((await json(`${server.url}/api/v1/channels`, API_KEY)).body.items).toEqual([]);
      const refused = await json(`${server.url}/api/v1/channels`, API_KEY, 'POST', {
        name: 'Demo',
        transport: 'sandbox',
      });
      expect(refused.status).toBe(422);
      expect(String(refused.body.detail)).toContain('SELLIFY_SANDBOX=true');
    } finally {
      expect(await stop(server)).toBe(0);
    }

    const enabled = await serve(production(tempDir(), { SELLIFY_SANDBOX: 'true' }));
    try {
      const created = await json(`${enabled.url}/api/v1/channels`, API_KEY, 'POST', {
        name: 'Demo',
        transport: 'sandbox',
      });
      expect(created.status).toBe(201);
    } finally {
      expect(await stop(enabled)).toBe(0);
    }
  }, 180_000);
});
