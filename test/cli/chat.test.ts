/**
 * `sellify chat` against the real server process: lines go in through the sandbox webhook, the
 * replies come back through the API once the worker has sent them (pacing compressed ×0.02).
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, cleanup, json, ROOT, type Server, serve, stop, tempDir } from '../e2e/harness.ts';

afterAll(cleanup);

function chat(args: string[], input: string, env: Record<string, string>) {
  const { SELLIFY_API_KEY: _k, DATABASE_URL: _d, REDIS_URL: _r, NODE_ENV: _n, ...inherited } = process.env;
  const child = spawn(process.execPath, ['bin/sellify.js', 'chat', ...args], {
    cwd: ROOT,
    env: { ...inherited, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdin.end(input);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
}

describe('sellify chat', () => {
  let server: Server;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = tempDir();
    server = await serve({
      SELLIFY_DATA_DIR: dataDir,
      SELLIFY_API_KEY: API_KEY,
      SELLIFY_PACING_SCALE: '0.02',
    });
    const product = await json(`${server.url}/api/v1/products`, API_KEY, 'POST', {
      name: 'Sac noir',
      price: 15000,
      currency: 'XOF',
    });
    expect(product.status).toBe(201);
  });

  afterAll(async () => {
    if (server) await stop(server);
  });

  it('creates a sandbox channel at first start in development and keeps its secret in a 0600 file', async () => {
    const saved = JSON.parse(readFileSync(join(dataDir, 'sandbox.secret'), 'utf8')) as Record<string, string>;
    expect(saved.webhookSecret).toMatch(/^whs_/);
    expect(server.stdout()).toContain(`Sandbox channel: ${saved.channelId}`);
    if (process.platform !== 'win32')
      expect(statSync(join(dataDir, 'sandbox.secret')).mode & 0o777).toBe(0o600);
    const channels = await json(`${server.url}/api/v1/channels`, API_KEY);
    expect(channels.body.items).toEqual([
      expect.objectContaining({ id: saved.channelId, name: 'Sandbox', transport: 'sandbox' }),
    ]);
  });

  it('answers a price question typed on stdin with the catalogue price, then exits 0', async () => {
    const r = await chat(['--url', server.url], "Bonjour, c'est combien le sac noir ?\n", {
      SELLIFY_DATA_DIR: dataDir,
      SELLIFY_API_KEY: API_KEY,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("you: Bonjour, c'est combien le sac noir ?");
    expect(r.stdout).toMatch(/^bot: /m);
    expect(r.stdout).toContain('15 000 FCFA');
    // The conversation went through the server's own sandbox channel, as the pretend customer.
    const saved = JSON.parse(readFileSync(join(dataDir, 'sandbox.secret'), 'utf8')) as Record<string, string>;
    const contacts = await json(`${server.url}/api/v1/contacts?channelId=${saved.channelId}`, API_KEY);
    expect(contacts.body.items?.map((c) => c.phone)).toEqual(['+2250700000099']);
  });

  it("without the server's secret file, reads admin.key, creates a sandbox channel for the session and explains a message that gets no reply", async () => {
    const elsewhere = tempDir();
    writeFileSync(join(elsewhere, 'admin.key'), `${API_KEY}\n`, { mode: 0o600 });
    const r = await chat(['--url', server.url, '--phone', '+2250700000042'], 'STOP\nmerci\n', {
      SELLIFY_DATA_DIR: elsewhere,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Created the sandbox channel chn_\w+ for this session/);
    expect(r.stdout).toMatch(/you: STOP\nbot: .*START/);
    // After an opt-out the bot stays silent, and chat says why instead of waiting for nothing.
    expect(r.stdout).toContain('you: merci');
    expect(r.stdout.split('\n').filter((l) => l.startsWith('bot: '))).toHaveLength(1);
    expect(r.stderr).toMatch(/\((no reply|a reply was not sent)/);
  });

  it('says how to make replies faster with --fast without pretending to change the server', async () => {
    const r = await chat(['--url', server.url, '--fast'], '', {
      SELLIFY_DATA_DIR: dataDir,
      SELLIFY_API_KEY: API_KEY,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('SELLIFY_PACING_SCALE');
  });

  it('exits 2 with one line when no server listens at --url', async () => {
    const r = await chat(['--url', 'http://127.0.0.1:1', '--key', API_KEY], 'Bonjour\n', {
      SELLIFY_DATA_DIR: dataDir,
    });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /^sellify chat: cannot reach Sellify at http:\/\/127\.0\.0\.1:1 .*npm start$/,
    );
  });
});
