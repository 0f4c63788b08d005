/**
 * Field encryption for personal data (phone numbers, names, message bodies) and the blind index
 * that lets the store find a contact by phone number without storing the number in clear.
 *
 * A sealed value is `sf1.<keyId>.<base64url(iv ‖ ciphertext ‖ tag)>`: AES-256-GCM with a fresh
 * random 96-bit IV and a 128-bit tag. The additional authenticated data names where the value
 * lives (tenant, table, column, row), so a ciphertext copied to another place fails to decrypt
 * instead of silently showing one customer's data on another customer's record.
 *
 * Each master key yields two unrelated keys through HKDF-SHA256 (different `info`), one for
 * encryption and one for the blind index, so neither use can weaken the other. Derived keys are
 * computed once when the keyring is built; the hot path is one cipher or HMAC call.
 */

import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';

/** Binds a ciphertext to where it lives: copied elsewhere it must fail to decrypt. */
export interface FieldContext {
  tenantId: string;
  table: string;
  column: string;
  rowId: string;
}

export interface Keyring {
  /** Id of the newest key: first 8 hex chars of HMAC-SHA256(key, 'sellify:key-id'). */
  readonly currentKeyId: string;
  /** Every key id this keyring can decrypt, current first. */
  readonly keyIds: readonly string[];
  encrypt(plaintext: string, ctx: FieldContext): string;
  /** Throws DecryptError (never returns garbage). */
  decrypt(sealed: string, ctx: FieldContext): string;
  /** Key id written in a sealed value, known to this keyring or not; throws DecryptError when malformed. */
  keyIdOf(sealed: string): string;
  /** True when the value is sealed under the current key; false for older keys and malformed values. */
  isCurrent(sealed: string): boolean;
  /** HMAC-SHA256 under a blind-index key derived (HKDF-SHA256, info 'sellify:blind-index') from the current master key; hex. */
  blindIndex(value: string, scope?: string): string;
  /** Same under every key (current first): look-ups during a key rotation try them all. */
  blindIndexes(value: string, scope?: string): string[];
}

/** Why a value failed to decrypt; the message never contains key material or plaintext. */
export type DecryptFailure = 'malformed' | 'unknown_key' | 'auth_failed';

export class DecryptError extends Error {
  readonly code = 'decrypt_failed';
  readonly reason: DecryptFailure;

  constructor(reason: DecryptFailure, message: string) {
    super(message);
    this.name = 'DecryptError';
    this.reason = reason;
  }
}

/** Version tag of the sealed format; a future format gets a new tag and both stay readable. */
export const SEALED_PREFIX = 'sf1';
export const KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

const FIELD_ENCRYPTION_INFO = 'sellify:field-encryption';
const BLIND_INDEX_INFO = 'sellify:blind-index';
const KEY_ID_LABEL = 'sellify:key-id';
const KEY_ID_PATTERN = /^[0-9a-f]{8}$/;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+$/;

interface DerivedKey {
  id: string;
  encryptionKey: KeyObject;
  blindIndexKey: KeyObject;
}

/**
 * IVs come from a pool of random bytes because one randomBytes() call costs about as much as the
 * whole AES-GCM encryption of a short field. Each 12-byte slice is handed out once; a spent pool
 * is replaced by a new buffer (never refilled in place), so no slice can change after use.
 */
const IV_POOL_BYTES = IV_BYTES * 512;
let ivPool = Buffer.alloc(0);
let ivPoolOffset = 0;

function nextIv(): Buffer {
  if (ivPoolOffset + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_POOL_BYTES);
    ivPoolOffset = 0;
  }
  const iv = ivPool.subarray(ivPoolOffset, ivPoolOffset + IV_BYTES);
  ivPoolOffset += IV_BYTES;
  return iv;
}

/** 32 random bytes: a fresh master key. */
export function generateKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** The id a master key gets in sealed values: short, stable, and reveals nothing usable about the key. */
export function keyIdFor(masterKey: Buffer): string {
  assertKey(masterKey, 'key');
  return createHmac('sha256', masterKey).update(KEY_ID_LABEL).digest('hex').slice(0, 8);
}

function assertKey(key: Buffer, label: string): void {
  if (!Buffer.isBuffer(key)) throw new TypeError(`${label} must be a Buffer of ${KEY_BYTES} bytes`);
  if (key.length !== KEY_BYTES) {
    throw new RangeError(`${label} must be ${KEY_BYTES} bytes, got ${key.length}`);
  }
}

function derive(masterKey: Buffer, info: string): KeyObject {
  // No salt: the master key is already uniformly random, and HKDF's default (a zero block) is
  // what RFC 5869 prescribes in that case. `info` alone separates the two uses.
  const bytes = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), info, KEY_BYTES));
  const key = createSecretKey(bytes);
  bytes.fill(0);
  return key;
}

function deriveAll(masterKey: Buffer): DerivedKey {
  return {
    id: keyIdFor(masterKey),
    encryptionKey: derive(masterKey, FIELD_ENCRYPTION_INFO),
    blindIndexKey: derive(masterKey, BLIND_INDEX_INFO),
  };
}

/**
 * The AAD joins the context with '|', so a '|' inside a field could make two different places
 * produce the same AAD ('a|b' + 'c' versus 'a' + 'b|c'). Ids and table names never contain one;
 * refusing it keeps the binding unambiguous. This is a programming error, hence a plain throw.
 */
function aadFor(keyId: string, ctx: FieldContext): Buffer {
  const { tenantId, table, column, rowId } = ctx;
  for (const [name, value] of [
    ['tenantId', tenantId],
    ['table', table],
    ['column', column],
    ['rowId', rowId],
  ] as const) {
    if (typeof value !== 'string') throw new TypeError(`FieldContext.${name} must be a string`);
    if (value.includes('|')) throw new RangeError(`FieldContext.${name} must not contain '|'`);
  }
  return Buffer.from(`${SEALED_PREFIX}|${keyId}|${tenantId}|${table}|${column}|${rowId}`, 'utf8');
}

interface ParsedSealed {
  keyId: string;
  payload: Buffer;
}

function parseSealed(sealed: string): ParsedSealed {
  if (typeof sealed !== 'string') throw new DecryptError('malformed', 'sealed value must be a string');
  const parts = sealed.split('.');
  if (parts.length !== 3 || parts[0] !== SEALED_PREFIX) {
    throw new DecryptError('malformed', `sealed value is not in the ${SEALED_PREFIX}.<keyId>.<data> format`);
  }
  const keyId = parts[1] ?? '';
  const encoded = parts[2] ?? '';
  if (!KEY_ID_PATTERN.test(keyId)) throw new DecryptError('malformed', 'sealed value has a malformed key id');
  if (!BASE64URL_PATTERN.test(encoded)) {
    throw new DecryptError('malformed', 'sealed value data is not base64url');
  }
  const payload = Buffer.from(encoded, 'base64url');
  // Buffer's decoder ignores stray trailing bits; re-encoding rejects any second spelling of the
  // same bytes, so a value has exactly one valid form.
  if (payload.length < IV_BYTES + TAG_BYTES || payload.toString('base64url') !== encoded) {
    throw new DecryptError('malformed', 'sealed value data has the wrong length or encoding');
  }
  return { keyId, payload };
}

/**
 * Builds a keyring from the current master key and the older keys that must still decrypt.
 * Keys must be 32 bytes. An old key equal to the current one is ignored; two different keys with
 * the same 8-hex id (odds about 1 in 4 billion) are refused, since sealed values could not say which.
 */
/**
 * A scope (the tenant id) makes the same value index differently per tenant, so two sellers'
 * customer lists cannot be joined on the blind index.
 */
function scoped(value: string, scope: string | undefined): string {
  return scope === undefined ? value : `${scope}\u001f${value}`;
}

export function createKeyring(currentKey: Buffer, oldKeys: readonly Buffer[] = []): Keyring {
  assertKey(currentKey, 'current encryption key');
  for (const [i, key] of oldKeys.entries()) assertKey(key, `old encryption key #${i + 1}`);

  const byId = new Map<string, DerivedKey>();
  // Master keys are only held during construction, to tell a repeated key from an id collision.
  const masters = new Map<string, Buffer>();
  const ordered: DerivedKey[] = [];
  for (const [i, master] of [currentKey, ...oldKeys].entries()) {
    const id = keyIdFor(master);
    const seen = masters.get(id);
    if (seen?.equals(master)) continue;
    if (seen !== undefined) {
      throw new RangeError(`encryption key #${i + 1} has the same key id as an earlier, different key`);
    }
    masters.set(id, master);
    const derived = deriveAll(master);
    byId.set(id, derived);
    ordered.push(derived);
  }
  const current = ordered[0]!;
  const keyIds = Object.freeze(ordered.map((k) => k.id));

  function keyIdOf(sealed: string): string {
    return parseSealed(sealed).keyId;
  }

  return {
    currentKeyId: current.id,
    keyIds,

    encrypt(plaintext: string, ctx: FieldContext): string {
      if (typeof plaintext !== 'string') throw new TypeError('plaintext must be a string');
      const iv = nextIv();
      const cipher = createCipheriv('aes-256-gcm', current.encryptionKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aadFor(current.id, ctx));
      const body = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${SEALED_PREFIX}.${current.id}.${body.toString('base64url')}`;
    },

    decrypt(sealed: string, ctx: FieldContext): string {
      const { keyId, payload } = parseSealed(sealed);
      const key = byId.get(keyId);
      if (!key) {
        throw new DecryptError(
          'unknown_key',
          `value is sealed under key ${keyId}, which is not configured (add it to SELLIFY_ENCRYPTION_OLD_KEYS)`,
        );
      }
      const aad = aadFor(keyId, ctx);
      const iv = payload.subarray(0, IV_BYTES);
      const tag = payload.subarray(payload.length - TAG_BYTES);
      const body = payload.subarray(IV_BYTES, payload.length - TAG_BYTES);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key.encryptionKey, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(aad);
        decipher.setAuthTag(tag);
        // Nothing is returned before final() has checked the tag, so a forged value yields no bytes.
        const plain = Buffer.concat([decipher.update(body), decipher.final()]);
        return plain.toString('utf8');
      } catch {
        throw new DecryptError(
          'auth_failed',
          `value for ${ctx.table}.${ctx.column} failed authentication: tampered, or copied from another row, column, table or tenant`,
        );
      }
    },

    keyIdOf,

    isCurrent(sealed: string): boolean {
      try {
        return keyIdOf(sealed) === current.id;
      } catch {
        return false;
      }
    },

    blindIndex(value: string, scope?: string): string {
      return createHmac('sha256', current.blindIndexKey).update(scoped(value, scope), 'utf8').digest('hex');
    },

    blindIndexes(value: string, scope?: string): string[] {
      const input = scoped(value, scope);
      return ordered.map((k) => createHmac('sha256', k.blindIndexKey).update(input, 'utf8').digest('hex'));
    },
  };
}
