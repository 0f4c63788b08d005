/**
 * The encryption keys against the stored data, through the real processes: `sellify serve` refuses
 * to start with a key that did not seal this database (it used to report ready and answer 500 on
 * every read of a contact), starts when the sealing key is among the old keys, and
 * `sellify keys rotate` re-seals the data so the old key can go.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, cleanup, json, sellify, serve, stop, tempDir } from '../e2e/harness.ts';

afterAll(cleanup);

const newKey = () => randomBytes(32).toString('base64');
const PHONE = '+2250701020304';

describe('encryption keys at start-up', () => {
  const keyA = newKey();
  const keyB = newKey();
  let dataDir: string;
  const env = (key: string, oldKeys?: string) => ({
    SELLIFY_DATA_DIR: dataDir,
    SELLIFY_API_KEY: API_KEY,
    SELLIFY_ENCRYPTION_KEY: key,
    ...(oldKeys === undefined ? {} : { SELLIFY_ENCRYPTION_OLD_KEYS: oldKeys }),
  });

  /** A server on `key` answers the contact list with the customer's phone number in clear. */
  async function readsContacts(key: string, oldKeys?: string): Promise<void> {
    const server = await serve(env(key, oldKeys));
    try {
      const contacts = await json(`${server.url}/api/v1/contacts`, API_KEY);
      expect(contacts.status).toBe(200);
      expect(contacts.body.items?.map((c) => c.phone)).toEqual([PHONE]);
    } finally {
      expect(await stop(server)).toBe(0);
    }
  }

  beforeAll(async () => {
    // Data sealed under key A: the sandbox channel's credentials, a contact, its messages.
    dataDir = tempDir();
    const server = await serve(env(keyA));
    const channel = await json(`${server.url}/api/v1/channels`, API_KEY, 'POST', {
      name: 'Main',
      transport: 'sandbox',
    });
    expect(channel.status).toBe(201);
    const recorded = await json(`${server.url}/api/v1/messages`, API_KEY, 'POST', {
      channelId: channel.body.id,
      direction: 'in',
      contactPhone: PHONE,
      contactName: 'Aminata',
      text: 'Bonjour',
      providerId: 'wamid.keys1',
    });
    expect(recorded.status).toBe(201);
    expect(await stop(server)).toBe(0);
  }, 120_000);

  it('refuses to start with a key that did not seal the data, in one line naming both variables', async () => {
    const run = await sellify(['serve', '--port', '0'], env(keyB));
    expect(run.code).toBe(2);
    expect(run.stdout).not.toContain('Sellify listening');
    // (A "sellify: … compiling" note may come first when src/ changed since the last build.)
    const lines = run.stderr
      .trim()
      .split('\n')
      .filter((l) => !/^sellify: .*compiling/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^sellify serve: the encryption keys do not match this database/);
    expect(lines[0]).toContain('SELLIFY_ENCRYPTION_KEY');
    expect(lines[0]).toContain('SELLIFY_ENCRYPTION_OLD_KEYS');
  }, 120_000);

  it('starts when the sealing key is only among the old keys, and rotation lets the old key go', async () => {
    await readsContacts(keyB, keyA);

    const rotated = await sellify(['keys', 'rotate'], env(keyB, keyA));
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/Re-encrypted [1-9]\d* value\(s\)/);
    expect(rotated.stdout).toContain('Every value is sealed with the current key');

    await readsContacts(keyB);
    // Now the data is under B: A alone is the wrong key.
    const refused = await sellify(['serve', '--port', '0'], env(keyA));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('the encryption keys do not match this database');
  }, 240_000);
});
