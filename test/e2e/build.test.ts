/**
 * The compiled build itself: what the Docker image holds (bin/, dist/, migrations/, package.json,
 * no src/) runs a server that finds its migrations and package.json from the package root, and in
 * a checkout `bin/sellify.js` never runs a build older than the sources.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { API_KEY, cleanup, ROOT, tempDir } from './harness.ts';

afterAll(cleanup);

/** A copy of `parts` of the repository (node_modules linked, not copied). */
function copyOf(parts: string[]): string {
  const dir = join(tempDir(), 'sellify');
  mkdirSync(dir);
  for (const part of parts) cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

function run(cwd: string, args: string[], env: Record<string, string> = {}) {
  const { SELLIFY_API_KEY: _k, DATABASE_URL: _d, REDIS_URL: _r, NODE_ENV: _n, ...inherited } = process.env;
  const child = spawn(process.execPath, ['bin/sellify.js', ...args], {
    cwd,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, exit, stdout: () => stdout, stderr: () => stderr };
}

describe('the compiled build', () => {
  it("serves from the image's layout, without src/, finding migrations and package.json", async () => {
    const dir = copyOf(['bin', 'dist', 'migrations', 'package.json']);
    const server = run(dir, ['serve'], {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SELLIFY_DATA_DIR: join(dir, 'data'),
      SELLIFY_API_KEY: API_KEY,
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        server.child.stdout.on('data', () => {
          const m = /Sellify listening on (http:\/\/\S+)/.exec(server.stdout());
          if (m?.[1] && /^Admin key: .*\n/m.test(server.stdout())) resolve(m[1]);
        });
        void server.exit.then((code) => reject(new Error(`exited ${code}: ${server.stderr()}`)));
      });
      const openapi = (await (await fetch(`${url}/openapi.json`)).json()) as { info: { version: string } };
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      expect(openapi.info.version).toBe(pkg.version);
      const products = await fetch(`${url}/api/v1/products`, { headers: { 'x-api-key': API_KEY } });
      expect(products.status).toBe(200);
      expect(server.stderr()).not.toContain('compiling');
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exit).toBe(0);
    }
  }, 180_000);

  it('in a checkout, runs the build while it is fresh and compiles first once src/ is newer', async () => {
    // The e2e set-up built dist/ from these sources: the copy starts incremental from there.
    const dir = copyOf([
      'bin',
      'src',
      'client',
      'package.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'dist',
    ]);
    const nowS = Date.now() / 1000;
    utimesSync(join(dir, 'dist/.build-stamp'), nowS, nowS);
    const fresh = run(dir, ['--help']);
    expect(await fresh.exit, fresh.stderr()).toBe(0);
    expect(fresh.stderr()).toBe('');
    expect(fresh.stdout()).toContain('Usage: sellify <command>');

    // A changed source is what runs next, not the older build.
    const main = join(dir, 'src/cli/main.ts');
    writeFileSync(
      main,
      readFileSync(main, 'utf8').replace('Usage: sellify <command>', 'Usage: SELLIFY <command>'),
    );
    const changed = run(dir, ['--help']);
    expect(await changed.exit, changed.stderr()).toBe(0);
    expect(changed.stderr()).toContain('src/ changed since the last build: compiling');
    expect(changed.stdout()).toContain('Usage: SELLIFY <command>');

    const again = run(dir, ['--help']);
    expect(await again.exit).toBe(0);
    expect(again.stderr()).toBe('');
  }, 240_000);
});
