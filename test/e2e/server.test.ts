/**
 * End to end: the real `sellify serve` process on a free port and a temporary data directory,
 * driven over real HTTP, then stopped with SIGTERM.
 */

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { API_KEY, cleanup, json, serve, stop, tempDir } from './harness.ts';

afterAll(cleanup);

describe('sellify serve', () => {
  it('serves the API over HTTP and exits 0 within 10 s of SIGTERM', async () => {
    const server = await serve({ SELLIFY_DATA_DIR: tempDir(), SELLIFY_API_KEY: API_KEY });
    expect(server.stdout()).toContain(`API docs: ${server.url}/docs`);
    expect(server.stdout()).toContain('Admin key: the value of SELLIFY_API_KEY');
    expect(server.stdout()).toContain('worker: sending replies and follow-ups');

    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);

    const product = await json(`${server.url}/api/v1/products`, API_KEY, 'POST', {
      name: 'Sac noir',
      price: 15000,
      currency: 'XOF',
      stock: 4,
    });
    expect(product.status).toBe(201);
    const channel = await json(`${server.url}/api/v1/channels`, API_KEY, 'POST', {
      name: 'Main',
      transport: 'sandbox',
    });
    expect(channel.status).toBe(201);
    const decision = await json(`${server.url}/api/v1/decision`, API_KEY, 'POST', {
      channelId: channel.body.id,
      contact: { id: 'ctc_e2e', phone: '+2250701020304', name: 'Aminata' },
      message: { id: 'wamid.e2e', text: "Bonjour, c'est combien le sac noir ?" },
    });
    expect(decision.status).toBe(200);
    expect(decision.body.action).toBe('reply');
    expect(String(decision.body.text)).toContain('15 000');
    expect(String(decision.body.id)).toMatch(/^dec_/);

    expect(await stop(server)).toBe(0);
  });

  it('creates an admin key at first start, prints it once and saves it with mode 0600', async () => {
    const dataDir = tempDir();
    const first = await serve({ SELLIFY_DATA_DIR: dataDir });
    const printed = /Admin API key \(shown once, keep it\): (sk_\w+)/.exec(first.stdout())?.[1];
    expect(printed).toMatch(/^sk_/);
    const file = join(dataDir, 'admin.key');
    expect(readFileSync(file, 'utf8').trim()).toBe(printed);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await json(`${first.url}/api/v1/keys`, printed ?? '')).status).toBe(200);
    expect(await stop(first)).toBe(0);

    const second = await serve({ SELLIFY_DATA_DIR: dataDir });
    expect(second.stdout()).not.toContain('Admin API key (shown once');
    expect(second.stdout()).toContain('Admin key: cat ');
    expect(await stop(second)).toBe(0);
  });
});
