/**
 * Loads the encryption keys from configuration. The one place that reads or writes a key file.
 *
 * Production refuses to start without SELLIFY_ENCRYPTION_KEY: a generated key on an ephemeral
 * disk would make every stored phone number and message unreadable after the next deploy.
 * Development generates a key once in the data directory so `npx sellify serve` works out of the
 * box, and says so loudly. Keys never appear in messages or warnings.
 */

import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKeyring, generateKey, KEY_BYTES, type Keyring } from './keyring.ts';

export interface LoadKeysOptions {
  /** SELLIFY_ENCRYPTION_KEY: base64 of 32 bytes. Empty counts as unset. */
  encryptionKey?: string;
  /** SELLIFY_ENCRYPTION_OLD_KEYS: comma-separated base64 keys that still decrypt. */
  oldKeys?: string;
  /** SELLIFY_DATA_DIR: the development key file lives here. */
  dataDir: string;
  /** NODE_ENV === 'production'. */
  production: boolean;
}

export interface LoadedKeys {
  keyring: Keyring;
  /** Set when this call created a development key file. */
  generatedKeyPath?: string;
  /** For the caller to print at start-up; never contains key material. */
  warnings: string[];
}

export class KeyConfigError extends Error {
  readonly code = 'key_config';

  constructor(message: string) {
    super(message);
    this.name = 'KeyConfigError';
  }
}

export const ENCRYPTION_KEY_VAR = 'SELLIFY_ENCRYPTION_KEY';
export const OLD_KEYS_VAR = 'SELLIFY_ENCRYPTION_OLD_KEYS';
export const DEV_KEY_FILE = 'encryption.key';
export const MAKE_KEY_COMMAND = `node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`;

const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+)$/;
const HEX_KEY_PATTERN = /^[0-9a-fA-F]{64}$/;

/**
 * Decodes a base64 (or base64url) key of exactly 32 bytes. `name` is what the operator set
 * (a variable or a file), so the error says where to look; the value itself is never echoed.
 */
export function parseKey(value: string, name: string): Buffer {
  const text = value.trim();
  const hint = `${name} must be ${KEY_BYTES} random bytes in base64 (44 characters). Make one with: ${MAKE_KEY_COMMAND}`;
  if (text === '') throw new KeyConfigError(`${name} is empty. ${hint}`);
  if (HEX_KEY_PATTERN.test(text)) {
    throw new KeyConfigError(`${name} looks like hex (64 hex characters), not base64. ${hint}`);
  }
  if (!BASE64_PATTERN.test(text) || text.replace(/=+$/, '').length % 4 === 1) {
    throw new KeyConfigError(`${name} is not valid base64. ${hint}`);
  }
  const key = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
  if (key.length !== KEY_BYTES) {
    throw new KeyConfigError(`${name} decodes to ${key.length} bytes, expected ${KEY_BYTES}. ${hint}`);
  }
  return key;
}

function parseOldKeys(value: string | undefined): Buffer[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part, i) => parseKey(part, `${OLD_KEYS_VAR} entry #${i + 1}`));
}

function isMissingFile(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function readKeyFile(path: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (isMissingFile(err)) return undefined;
    throw new KeyConfigError(`cannot read the development key file ${path}: ${(err as Error).message}`);
  }
  // A broken key file is never replaced: the data sealed under it would be lost for good.
  return parseKey(text, `the development key file ${path}`);
}

/** Group- or world-readable key files are worth a warning, not a refusal (POSIX modes only). */
function looseModeWarning(path: string): string | undefined {
  if (process.platform === 'win32') return undefined;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  return `${path} is readable by other users (mode ${mode.toString(8).padStart(4, '0')}); run: chmod 600 ${path}`;
}

function writeNewKeyFile(path: string, dataDir: string): Buffer | undefined {
  // Private like the rest of the data directory (src/store/data-dir.ts).
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = generateKey();
  try {
    // 'wx' fails if another process created the file first; that process's key wins.
    writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw new KeyConfigError(`cannot write the development key file ${path}: ${(err as Error).message}`);
  }
  // The mode given at creation is filtered by the umask; set it again so it is exactly 0600.
  if (process.platform !== 'win32') chmodSync(path, 0o600);
  return key;
}

function generatedKeyWarning(path: string): string {
  return [
    '!!! DEVELOPMENT ENCRYPTION KEY GENERATED !!!',
    `${ENCRYPTION_KEY_VAR} is not set, so a new key was written to ${path} (mode 0600).`,
    'It encrypts phone numbers, names and messages in this data directory. It is for development only:',
    `if that file is lost, the data encrypted with it is lost too. For production, set ${ENCRYPTION_KEY_VAR}`,
    `to ${KEY_BYTES} random bytes in base64 (make one with: ${MAKE_KEY_COMMAND}) and keep it safe.`,
  ].join('\n');
}

/**
 * Builds the keyring from configuration:
 * - a key is given: use it, plus the old keys;
 * - no key in production: throw a KeyConfigError saying what to set;
 * - no key in development: reuse `<dataDir>/encryption.key`, or create it (mode 0600) with a warning.
 */
export function loadKeys(options: LoadKeysOptions): LoadedKeys {
  const warnings: string[] = [];
  const oldKeys = parseOldKeys(options.oldKeys);
  const devKeyPath = join(options.dataDir, DEV_KEY_FILE);
  const configured = options.encryptionKey?.trim() ?? '';

  if (configured !== '') {
    const key = parseKey(configured, ENCRYPTION_KEY_VAR);
    const keyring = createKeyring(key, oldKeys);
    // A dev key file beside a configured key usually means data was created before the key was
    // set; without this hint those rows would just fail to decrypt.
    const devKey = readDevKeyQuietly(devKeyPath);
    if (devKey && !keyring.keyIds.includes(createKeyring(devKey).currentKeyId)) {
      warnings.push(
        `${devKeyPath} exists but is not among the configured keys: data encrypted with it will not decrypt. ` +
          `Add its content to ${OLD_KEYS_VAR} to keep reading that data, or delete the file if the data is disposable.`,
      );
    }
    return { keyring, warnings };
  }

  if (options.production) {
    throw new KeyConfigError(
      `${ENCRYPTION_KEY_VAR} is required in production. Set it to ${KEY_BYTES} random bytes in base64, ` +
        `made for example with: ${MAKE_KEY_COMMAND} ` +
        '— and store it safely: data encrypted with it cannot be read without it.',
    );
  }

  const existing = readKeyFile(devKeyPath);
  if (existing) {
    warnings.push(
      `Using the development encryption key in ${devKeyPath}; set ${ENCRYPTION_KEY_VAR} for production. Losing this file loses the encrypted data.`,
    );
    const loose = looseModeWarning(devKeyPath);
    if (loose) warnings.push(loose);
    return { keyring: createKeyring(existing, oldKeys), warnings };
  }

  const created = writeNewKeyFile(devKeyPath, options.dataDir);
  if (!created) {
    // Lost a creation race with another process: use the key it wrote.
    const raced = readKeyFile(devKeyPath);
    if (!raced)
      throw new KeyConfigError(`the development key file ${devKeyPath} vanished while being created`);
    warnings.push(
      `Using the development encryption key in ${devKeyPath}; set ${ENCRYPTION_KEY_VAR} for production.`,
    );
    return { keyring: createKeyring(raced, oldKeys), warnings };
  }
  warnings.push(generatedKeyWarning(devKeyPath));
  return { keyring: createKeyring(created, oldKeys), generatedKeyPath: devKeyPath, warnings };
}

function readDevKeyQuietly(path: string): Buffer | undefined {
  try {
    return readKeyFile(path);
  } catch {
    return undefined;
  }
}
