/**
 * Helpers for end-to-end tests: the real `sellify serve` process on a chosen port with a temporary
 * data directory, driven over real HTTP.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const API_KEY = `sk_e2e${'0123456789abcdef'.repeat(2)}`;

const dirs: string[] = [];
const children: ChildProcess[] = [];

export interface Server {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sellify-e2e-'));
  dirs.push(dir);
  return dir;
}

/** A TCP port that was free a moment ago (for a server whose URL must be known before it starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `node bin/sellify.js serve` and resolves once it has printed its whole start-up banner. */
export function serve(env: Record<string, string>): Promise<Server> {
  const { SELLIFY_API_KEY: _k, DATABASE_URL: _d, REDIS_URL: _r, NODE_ENV: _n, ...inherited } = process.env;
  const child = spawn(process.execPath, ['bin/sellify.js', 'serve'], {
    cwd: ROOT,
    // The simulators listen on 127.0.0.1: gateways there are private, which the operator allows here.
    env: {
      ...inherited,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SELLIFY_ALLOW_PRIVATE_GATEWAYS: 'true',
      ...env,
    },
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
      if (m?.[1] && /^Admin key: .*\n/m.test(out)) {
        resolve({ child, url: m[1], stdout: () => out, stderr: () => err, exit });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    void exit.then((code) =>
      reject(new Error(`server exited with ${code} before listening:\n${out}\n${err}`)),
    );
  });
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node bin/sellify.js <args>` to its end (a refused `serve`, `keys rotate`…), with `input` on
 * stdin. Like `serve`, it does not inherit the test's SELLIFY_API_KEY, DATABASE_URL, REDIS_URL or
 * NODE_ENV. A process still running after `timeoutMs` is killed.
 */
export function sellify(
  args: string[],
  env: Record<string, string>,
  input = '',
  timeoutMs = 60_000,
): Promise<CliRun> {
  const { SELLIFY_API_KEY: _k, DATABASE_URL: _d, REDIS_URL: _r, NODE_ENV: _n, ...inherited } = process.env;
  const child = spawn(process.execPath, ['bin/sellify.js', ...args], {
    cwd: ROOT,
    env: { ...inherited, LOG_LEVEL: 'warn', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdin.end(input);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

export async function stop(server: Server): Promise<number | null> {
  server.child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000).unref());
  const result = await Promise.race([server.exit, timeout]);
  if (result === 'timeout') throw new Error('the server did not exit within 10 s of SIGTERM');
  return result;
}

export async function json(url: string, key: string, method = 'GET', body?: unknown) {
  const res = await fetch(url, {
    method,
    headers: { 'x-api-key': key, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { items?: Record<string, unknown>[] },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` returns a value (not undefined/false) or the time is up. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export function cleanup(): void {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
