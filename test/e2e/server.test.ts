/**
 * End to end: the real `sellify serve` process on a free port and a temporary data directory,
 * driven over real HTTP, then stopped with SIGTERM.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const API_KEY = `sk_e2e${'0123456789abcdef'.repeat(2)}`;
const dirs: string[] = [];
const children: ChildProcess[] = [];

interface Server {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  exit: Promise<number | null>;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sellify-e2e-'));
  dirs.push(dir);
  return dir;
}

/** Starts `node bin/sellify.js serve` and resolves once it has printed its whole start-up banner. */
function serve(env: Record<string, string>): Promise<Server> {
  const { SELLIFY_API_KEY: _k, DATABASE_URL: _d, REDIS_URL: _r, NODE_ENV: _n, ...inherited } = process.env;
  const child = spawn(process.execPath, ['bin/sellify.js', 'serve'], {
    cwd: ROOT,
    env: { ...inherited, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      // The admin-key hint is the last line of the start-up banner.
      const m = /Sellify listening on (http:\/\/[^\s]+)/.exec(out);
      if (m?.[1] && /^Admin key: .*\n/m.test(out)) resolve({ child, url: m[1], stdout: () => out, exit });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    void exit.then((code) =>
      reject(new Error(`server exited with ${code} before listening:\n${out}\n${err}`)),
    );
  });
}

async function stop(server: Server): Promise<number | null> {
  server.child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000).unref());
  const result = await Promise.race([server.exit, timeout]);
  if (result === 'timeout') throw new Error('the server did not exit within 10 s of SIGTERM');
  return result;
}

async function json(url: string, key: string, method = 'GET', body?: unknown) {
  const res = await fetch(url, {
    method,
    headers: { 'x-api-key': key, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('sellify serve', () => {
  it('serves the API over HTTP and exits 0 within 10 s of SIGTERM', async () => {
    const server = await serve({ SELLIFY_DATA_DIR: tempDir(), SELLIFY_API_KEY: API_KEY });
    expect(server.stdout()).toContain(`API docs: ${server.url}/docs`);
    expect(server.stdout()).toContain('Admin key: the value of SELLIFY_API_KEY');
    expect(server.stdout()).toContain('worker: no jobs yet');

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
