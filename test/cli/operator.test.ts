/**
 * The operator's commands, in process against an embedded database in a temporary directory:
 * `sellify channels release` (issue 11.16) and `sellify failed-events list|replay` (issue 11.19).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as channels } from '../../src/cli/commands/channels.ts';
import { run as failedEvents } from '../../src/cli/commands/failed-events.ts';
import { DEFAULT_TENANT_ID, DEFAULT_TENANT_NAME } from '../../src/config.ts';
import { loadKeys } from '../../src/crypto/keys.ts';
import {
  createStore,
  createTenant,
  ensureTenant,
  findChannelByRouteKey,
  openDb,
  type Store,
} from '../../src/store/index.ts';

const KEY = Buffer.alloc(32, 9).toString('base64');
let dir: string;
const saved = { ...process.env };

async function open(): Promise<Store> {
  const db = await openDb({ dataDir: dir });
  return createStore(db, loadKeys({ encryptionKey: KEY, dataDir: dir, production: false }).keyring);
}

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = vi
    .spyOn(console, 'log')
    .mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
  try {
    return { code: await fn(), out: lines.join('\n') };
  } finally {
    log.mockRestore();
  }
}

let squatter = '';
let squatChannel = '';
let owner = '';
let ownerChannel = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sellify-operator-'));
  process.env.SELLIFY_DATA_DIR = dir;
  process.env.SELLIFY_ENCRYPTION_KEY = KEY;
  delete process.env.DATABASE_URL;
  const store = await open();
  await ensureTenant(store.db, { id: DEFAULT_TENANT_ID, name: DEFAULT_TENANT_NAME });
  squatter = (await createTenant(store.db, { name: 'Squatter' })).id;
  owner = (await createTenant(store.db, { name: 'Owner' })).id;
  squatChannel = (
    await store.tx(squatter, (r) =>
      r.channels.create({
        name: 'Squat',
        transport: 'cloud',
        routeKey: 'cloud:2250999',
        credentials: { phoneNumberId: '2250999', accessToken: 't', appSecret: 's', verifyToken: 'v' },
      }),
    )
  ).id;
  ownerChannel = (
    await store.tx(owner, (r) => r.channels.create({ name: 'Sandbox', transport: 'sandbox', routeKey: null }))
  ).id;
  await store.close();
});

afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe('sellify channels release', () => {
  it('shows who holds a number, releases it, and lets the owner register it', async () => {
    const shown = await capture(() => channels(['show', '2250999']));
    expect(shown.out).toContain(squatChannel);
    expect(shown.out).toContain(squatter);
    const released = await capture(() => channels(['release', '2250999']));
    expect(released.code).toBe(0);
    const store = await open();
    try {
      expect(await findChannelByRouteKey(store.db, 'cloud:2250999')).toBeNull();
      expect(await store.tx(squatter, (r) => r.channels.getCredentials(squatChannel))).toBeNull();
      const mine = await store.tx(owner, (r) =>
        r.channels.create({
          name: 'Mine',
          transport: 'cloud',
          routeKey: 'cloud:2250999',
          credentials: { phoneNumberId: '2250999', accessToken: 't2', appSecret: 's2', verifyToken: 'v2' },
        }),
      );
      expect((await findChannelByRouteKey(store.db, 'cloud:2250999'))?.channelId).toBe(mine.id);
    } finally {
      await store.close();
    }
  });

  it('says so when no channel serves the number', async () => {
    const res = await capture(() => channels(['release', '123123123']));
    expect(res).toEqual({ code: 1, out: 'No channel serves phone number id 123123123.' });
  });
});

describe('sellify failed-events', () => {
  it('lists parked events without their content and replays one through the pipeline', async () => {
    const store = await open();
    const parked = await store.tx(owner, (r) =>
      r.failedEvents.record({
        channelId: ownerChannel,
        transport: 'sandbox',
        eventKind: 'message',
        eventKey: 'message:sbx_cli_1',
        errorCode: 'typeerror',
        payload: {
          event: {
            kind: 'message',
            providerId: 'sbx_cli_1',
            from: { phone: '+2250701029999' },
            timestampMs: Date.now(),
            type: 'text',
            text: 'Bonjour depuis la CLI',
          },
          error: { name: 'TypeError', message: 'fixed since' },
        },
        atMs: Date.now(),
      }),
    );
    await store.close();

    const listed = await capture(() => failedEvents(['list', '--all-tenants']));
    expect(listed.out).toContain(parked.id);
    expect(listed.out).toContain('typeerror');
    expect(listed.out).not.toContain('Bonjour');
    expect(listed.out).not.toContain('2250701029999');

    const replayed = await capture(() => failedEvents(['replay', parked.id, '--tenant', owner]));
    expect(replayed).toMatchObject({ code: 0 });
    const after = await open();
    try {
      expect((await after.tx(owner, (r) => r.failedEvents.get(parked.id)))?.state).toBe('replayed');
      const { rows } = await after.db.ownerTx((t) =>
        t.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE provider_id = 'sbx_cli_1'`, []),
      );
      expect(rows[0]?.n).toBe(1);
    } finally {
      await after.close();
    }
  });
});
