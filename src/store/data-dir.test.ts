import { chmodSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/store.ts';
import { secureDataDir } from './data-dir.ts';
import { openDb } from './db.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

function scratch(): string {
  const dir = tempDir('sellify-datadir-');
  cleanups.push(dir.cleanup);
  return dir.path;
}

const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Every entry below `dir` (itself included) whose mode lets group or others in. */
function openToOthers(dir: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    if ((modeOf(path) & 0o077) !== 0)
      found.push(`${path.slice(dir.length) || '/'} ${modeOf(path).toString(8)}`);
    if (statSync(path).isDirectory()) for (const e of readdirSync(path)) walk(join(path, e));
  };
  walk(dir);
  return found;
}

describe.skipIf(process.platform === 'win32')('the data directory is private', () => {
  it('creates the embedded database directory 0700 and leaves no file PGlite wrote open to others', async () => {
    const dataDir = join(scratch(), 'data');
    const warnings: string[] = [];
    const db = await openDb({ dataDir, warn: (line) => warnings.push(line) });
    await db.close();
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(join(dataDir, 'pglite'))).toBe(0o700);
    // PGlite writes about a thousand files 0666; none may stay readable or writable by others.
    expect(readdirSync(join(dataDir, 'pglite')).length).toBeGreaterThan(5);
    expect(openToOthers(dataDir)).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('tightens a directory an older version left open (0755, files 0666, admin.key and the dev key 0644)', async () => {
    const dataDir = join(scratch(), 'data');
    const first = await openDb({ dataDir });
    await first.close();
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'pglite'), 0o755);
    const loose = join(dataDir, 'pglite', 'PG_VERSION');
    chmodSync(loose, 0o666);
    for (const name of ['admin.key', 'encryption.key', 'sandbox.secret']) {
      writeFileSync(join(dataDir, name), 'secret\n');
      chmodSync(join(dataDir, name), 0o644);
    }
    expect(openToOthers(dataDir).length).toBeGreaterThan(4);

    const db = await openDb({ dataDir });
    await db.close();
    expect(openToOthers(dataDir)).toEqual([]);
    expect(modeOf(join(dataDir, 'admin.key'))).toBe(0o600);
    expect(modeOf(join(dataDir, 'encryption.key'))).toBe(0o600);
    expect(modeOf(loose)).toBe(0o600);
  });

  it('keeps the owner bits of a file and never follows a symbolic link out of the directory', () => {
    const root = scratch();
    const dataDir = join(root, 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    const script = join(dataDir, 'hook.sh');
    writeFileSync(script, '#!/bin/sh\n');
    chmodSync(script, 0o755);
    const outside = join(root, 'outside.txt');
    writeFileSync(outside, 'not ours');
    chmodSync(outside, 0o644);
    symlinkSync(outside, join(dataDir, 'link'));

    const result = secureDataDir(dataDir);
    expect(result).toEqual({ tightened: 2 });
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(script)).toBe(0o700);
    expect(modeOf(outside)).toBe(0o644);
  });

  it('says in one line what it could not change and how to fix it, without refusing to start', () => {
    const dataDir = join(scratch(), 'data');
    mkdirSync(join(dataDir, 'pglite'), { recursive: true, mode: 0o755 });
    chmodSync(dataDir, 0o755);
    for (const name of ['a', 'b']) {
      writeFileSync(join(dataDir, 'pglite', name), 'x');
      chmodSync(join(dataDir, 'pglite', name), 0o666);
    }
    // The test runs as root, who may change any mode: a directory owned by someone else is simulated.
    const notOwner = () => {
      throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
    };
    const result = secureDataDir(dataDir, { chmod: notOwner });
    expect(result.tightened).toBe(0);
    expect(result.warning).toBeDefined();
    expect(result.warning).not.toContain('\n');
    expect(result.warning).toContain(dataDir);
    expect(result.warning).toContain('EPERM and 3 more');
    expect(result.warning).toContain(`chmod -R go-rwx ${dataDir}`);
  });

  it('leaves a directory that does not exist alone', () => {
    expect(secureDataDir(join(scratch(), 'absent'))).toEqual({ tightened: 0 });
  });
});
