import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freshChannel, freshTenant, tempDir, testKeyring } from '../../test/support/store.ts';
import { openDb } from './db.ts';
import { DataDirInUseError } from './pglite.ts';
import { createStore } from './store.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function scratch(): string {
  const dir = tempDir('sellify-pglite-');
  cleanups.push(dir.cleanup);
  return dir.path;
}

async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

function liveChild(): ChildProcess {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  cleanups.push(() => {
    child.kill('SIGKILL');
  });
  return child;
}

describe('PGlite data directory lock', () => {
  it('refuses a directory whose lock holds a live process, naming it and SELLIFY_DATA_DIR', async () => {
    const dataDir = scratch();
    const child = liveChild();
    writeFileSync(join(dataDir, 'pglite.lock'), String(child.pid));
    const err = await openDb({ dataDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirInUseError);
    expect((err as Error).message).toBe(
      `Sellify data directory ${dataDir} is in use by process ${child.pid}; stop it or set SELLIFY_DATA_DIR`,
    );
    // The other process's lock is left alone.
    expect(readFileSync(join(dataDir, 'pglite.lock'), 'utf8')).toBe(String(child.pid));
  });

  it('refuses a second open of the same directory while the first is open', async () => {
    const dataDir = scratch();
    const db = await openDb({ dataDir });
    cleanups.push(() => db.close());
    await expect(openDb({ dataDir })).rejects.toThrow(`in use by process ${process.pid}`);
    expect(await db.ping()).toBe(true);
  });

  it('takes over a lock left by a dead process, holds it while open and removes it on close', async () => {
    const dataDir = scratch();
    const lockPath = join(dataDir, 'pglite.lock');
    writeFileSync(lockPath, String(await deadPid()));
    const db = await openDb({ dataDir });
    expect(readFileSync(lockPath, 'utf8')).toBe(String(process.pid));
    await db.close();
    expect(existsSync(lockPath)).toBe(false);
  });
});

describe('PGlite on disk', () => {
  it('keeps the daily send count across a restart (reopening the directory)', async () => {
    const dataDir = scratch();
    const keyring = testKeyring();
    const nowMs = Date.UTC(2025, 5, 10, 12, 0, 0);

    const first = createStore(await openDb({ dataDir }), keyring);
    const tenantId = await freshTenant(first.db);
    const channel = await freshChannel(first, tenantId);
    await first.tx(tenantId, async (r) => {
      const { contact } = await r.contacts.upsertByPhone(channel.id, '+2250788888888');
      for (let i = 1; i <= 3; i++) {
        await r.messages.insertOutbound({
          channelId: channel.id,
          contactId: contact.id,
          kind: 'reply',
          body: `réponse ${i}`,
          status: 'sent',
          sentAtMs: nowMs - i * 3_600_000,
        });
      }
    });
    const before = await first.tx(tenantId, (r) => r.stats.sendStats(channel.id, nowMs, 'Africa/Abidjan'));
    await first.close();

    const second = createStore(await openDb({ dataDir }), keyring);
    cleanups.push(() => second.close());
    const after = await second.tx(tenantId, (r) => r.stats.sendStats(channel.id, nowMs, 'Africa/Abidjan'));
    expect(before.sentToday).toBe(3);
    expect(after).toEqual(before);
  });
});
