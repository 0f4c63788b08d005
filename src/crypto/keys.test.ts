import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyring, generateKey } from './keyring.ts';
import { KeyConfigError, loadKeys, parseKey } from './keys.ts';

const CTX = { tenantId: 'ten_1', table: 'contacts', column: 'phone', rowId: 'ctc_1' };
const posix = process.platform !== 'win32';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sellify-keys-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function configError(fn: () => unknown): KeyConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof KeyConfigError) return err;
    throw err;
  }
  throw new Error('expected a KeyConfigError, nothing was thrown');
}

describe('parseKey', () => {
  const key = generateKey();

  it.each([
    ['standard base64', key.toString('base64')],
    ['base64url', key.toString('base64url')],
    ['base64 with surrounding whitespace and a newline', `  ${key.toString('base64')}\n`],
  ])('accepts %s of 32 bytes', (_name, text) => {
    expect(parseKey(text, 'SELLIFY_ENCRYPTION_KEY').equals(key)).toBe(true);
  });

  it.each([
    ['an empty value', '', /is empty/],
    ['16 bytes', Buffer.alloc(16, 7).toString('base64'), /decodes to 16 bytes, expected 32/],
    ['33 bytes', Buffer.alloc(33, 7).toString('base64'), /decodes to 33 bytes/],
    ['a 64-char hex key', key.toString('hex'), /looks like hex/],
    ['characters outside base64', 'not a key at all!', /not valid base64/],
    [
      'mixed base64 and base64url alphabets',
      `${key.toString('base64').slice(0, 40)}+-_/`,
      /not valid base64/,
    ],
  ])('rejects %s, naming the variable and how to make a key', (_name, text, message) => {
    const err = configError(() => parseKey(text, 'SELLIFY_ENCRYPTION_KEY'));
    expect(err.code).toBe('key_config');
    expect(err.message).toMatch(message);
    expect(err.message).toContain('SELLIFY_ENCRYPTION_KEY');
    expect(err.message).toContain("randomBytes(32).toString('base64')");
  });

  it('never echoes the rejected value', () => {
    const wrong = Buffer.alloc(24, 9).toString('base64');
    expect(configError(() => parseKey(wrong, 'X')).message).not.toContain(wrong);
  });
});

describe('loadKeys', () => {
  it('uses the configured key and old keys, and writes nothing', () => {
    const dataDir = join(tempDir(), 'data');
    const current = generateKey();
    const old = generateKey();
    const loaded = loadKeys({
      encryptionKey: current.toString('base64'),
      oldKeys: ` ${old.toString('base64')} ,`,
      dataDir,
      production: true,
    });
    expect(loaded.keyring.keyIds).toEqual([
      createKeyring(current).currentKeyId,
      createKeyring(old).currentKeyId,
    ]);
    expect(loaded.generatedKeyPath).toBeUndefined();
    expect(loaded.warnings).toEqual([]);
    expect(existsSync(dataDir)).toBe(false);
    const sealedOld = createKeyring(old).encrypt('+221771234567', CTX);
    expect(loaded.keyring.decrypt(sealedOld, CTX)).toBe('+221771234567');
  });

  it('refuses to start in production without a key, saying what to set and how', () => {
    const dataDir = tempDir();
    for (const encryptionKey of [undefined, '', '   ']) {
      const err = configError(() => loadKeys({ encryptionKey, dataDir, production: true }));
      expect(err.message).toContain('SELLIFY_ENCRYPTION_KEY');
      expect(err.message).toContain('32 random bytes in base64');
      expect(err.message).toContain(
        `node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`,
      );
    }
    expect(existsSync(join(dataDir, 'encryption.key'))).toBe(false);
  });

  it('rejects a malformed old key, naming the variable and entry', () => {
    const err = configError(() =>
      loadKeys({
        encryptionKey: generateKey().toString('base64'),
        oldKeys: `${generateKey().toString('base64')},short`,
        dataDir: tempDir(),
        production: false,
      }),
    );
    expect(err.message).toContain('SELLIFY_ENCRYPTION_OLD_KEYS entry #2');
  });

  it('generates a development key once (mode 0600, data dir created) and reuses it', () => {
    const dataDir = join(tempDir(), 'nested', 'data');
    const first = loadKeys({ dataDir, production: false });
    const path = join(dataDir, 'encryption.key');
    expect(first.generatedKeyPath).toBe(path);
    if (posix) expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(first.warnings).toHaveLength(1);
    expect(first.warnings[0]).toMatch(/development only/);
    expect(first.warnings[0]).toContain(path);
    expect(first.warnings[0]).toMatch(/lost/);

    const sealed = first.keyring.encrypt('Awa Koné', CTX);
    const second = loadKeys({ dataDir, production: false });
    expect(second.generatedKeyPath).toBeUndefined();
    expect(second.keyring.currentKeyId).toBe(first.keyring.currentKeyId);
    expect(second.keyring.decrypt(sealed, CTX)).toBe('Awa Koné');
    expect(second.warnings.join('\n')).toMatch(/development encryption key/);
  });

  it('never puts the key in the warnings', () => {
    const dataDir = tempDir();
    const loaded = loadKeys({ dataDir, production: false });
    const stored = readFileSync(join(dataDir, 'encryption.key'), 'utf8').trim();
    for (const warning of loaded.warnings) expect(warning).not.toContain(stored);
  });

  it('refuses a corrupt development key file instead of replacing it', () => {
    const dataDir = tempDir();
    const path = join(dataDir, 'encryption.key');
    writeFileSync(path, 'garbage\n', { mode: 0o600 });
    const err = configError(() => loadKeys({ dataDir, production: false }));
    expect(err.message).toContain(path);
    expect(readFileSync(path, 'utf8')).toBe('garbage\n');
  });

  it.runIf(posix)('warns when the development key file is readable by others', () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'encryption.key'), generateKey().toString('base64'), { mode: 0o644 });
    const loaded = loadKeys({ dataDir, production: false });
    expect(loaded.warnings.join('\n')).toMatch(/chmod 600/);
  });

  it('warns when a development key file exists beside a different configured key', () => {
    const dataDir = tempDir();
    loadKeys({ dataDir, production: false });
    const loaded = loadKeys({ encryptionKey: generateKey().toString('base64'), dataDir, production: false });
    expect(loaded.warnings.join('\n')).toMatch(/SELLIFY_ENCRYPTION_OLD_KEYS/);
  });

  it('does not warn about the development key file once it is listed as an old key', () => {
    const dataDir = tempDir();
    loadKeys({ dataDir, production: false });
    const devKey = readFileSync(join(dataDir, 'encryption.key'), 'utf8').trim();
    const loaded = loadKeys({
      encryptionKey: generateKey().toString('base64'),
      oldKeys: devKey,
      dataDir,
      production: false,
    });
    expect(loaded.warnings).toEqual([]);
  });
});
