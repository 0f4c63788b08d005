import { createHmac, hkdfSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKeyring, DecryptError, type FieldContext, generateKey, keyIdFor } from './keyring.ts';

// Fixed keys keep failures reproducible; generateKey() is covered separately.
const KEY_A = Buffer.alloc(32, 0xa1);
const KEY_B = Buffer.alloc(32, 0xb2);
const KEY_C = Buffer.alloc(32, 0xc3);

const CTX: FieldContext = { tenantId: 'ten_1', table: 'contacts', column: 'phone', rowId: 'ctc_1' };

function decryptFailure(fn: () => unknown): DecryptError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DecryptError) return err;
    throw err;
  }
  throw new Error('expected a DecryptError, nothing was thrown');
}

describe('createKeyring: encrypt/decrypt', () => {
  const ring = createKeyring(KEY_A);

  it.each([
    ['a phone number', '+2250701020304'],
    ['an empty string', ''],
    ['accents and emoji', 'Bonjour, c’est combien le sac noir ? 👜 éàü'],
    ['a 10 kB body', 'x'.repeat(10_000)],
  ])('round-trips %s', (_name, plaintext) => {
    expect(ring.decrypt(ring.encrypt(plaintext, CTX), CTX)).toBe(plaintext);
  });

  it('round-trips any string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (plaintext) => {
        expect(ring.decrypt(ring.encrypt(plaintext, CTX), CTX)).toBe(plaintext);
      }),
    );
  });

  it('writes the sf1.<keyId>.<base64url> format under the current key', () => {
    const sealed = ring.encrypt('hello', CTX);
    expect(sealed).toMatch(/^sf1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+$/);
    expect(sealed.split('.')[1]).toBe(ring.currentKeyId);
    // 12-byte IV + 5 bytes of ciphertext + 16-byte tag.
    expect(Buffer.from(sealed.split('.')[2]!, 'base64url').length).toBe(12 + 5 + 16);
  });

  it('uses a fresh IV: the same plaintext sealed twice gives different values', () => {
    const first = ring.encrypt('+2250701020304', CTX);
    const second = ring.encrypt('+2250701020304', CTX);
    expect(first).not.toBe(second);
    const iv = (s: string) => Buffer.from(s.split('.')[2]!, 'base64url').subarray(0, 12).toString('hex');
    expect(iv(first)).not.toBe(iv(second));
  });

  it('never repeats an IV across many encryptions (past the IV pool refill)', () => {
    const ivs = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const sealed = ring.encrypt('x', CTX);
      ivs.add(Buffer.from(sealed.split('.')[2]!, 'base64url').subarray(0, 12).toString('hex'));
    }
    expect(ivs.size).toBe(2000);
  });

  it.each<[string, Partial<FieldContext>]>([
    ['another row', { rowId: 'ctc_2' }],
    ['another column', { column: 'name' }],
    ['another table', { table: 'messages' }],
    ['another tenant', { tenantId: 'ten_2' }],
  ])('refuses a value copied to %s', (_name, change) => {
    const sealed = ring.encrypt('+2250701020304', CTX);
    const err = decryptFailure(() => ring.decrypt(sealed, { ...CTX, ...change }));
    expect(err.code).toBe('decrypt_failed');
    expect(err.reason).toBe('auth_failed');
  });

  it('refuses a value with any single byte flipped (IV, ciphertext or tag)', () => {
    const sealed = ring.encrypt('+2250701020304', CTX);
    const [prefix, keyId, data] = sealed.split('.') as [string, string, string];
    const bytes = Buffer.from(data, 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const tampered = Buffer.from(bytes);
      tampered[i] = tampered[i]! ^ 0x01;
      const err = decryptFailure(() =>
        ring.decrypt(`${prefix}.${keyId}.${tampered.toString('base64url')}`, CTX),
      );
      expect(err.reason).toBe('auth_failed');
    }
  });

  it.each([
    ['an empty string', ''],
    ['plain text', '+2250701020304'],
    ['another version tag', 'sf2.00000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['a short key id', 'sf1.abc.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['an upper-case key id', 'sf1.ABCDEF01.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['standard base64 characters', 'sf1.abcdef01.AAAA+AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['data shorter than IV + tag', 'sf1.abcdef01.AAAA'],
    ['an extra dot', 'sf1.abcdef01.AAAA.AAAA'],
  ])('refuses %s as malformed', (_name, value) => {
    expect(decryptFailure(() => ring.decrypt(value, CTX)).reason).toBe('malformed');
    expect(decryptFailure(() => ring.keyIdOf(value)).reason).toBe('malformed');
    expect(ring.isCurrent(value)).toBe(false);
  });

  it('refuses a second base64url spelling of the same bytes', () => {
    const sealed = ring.encrypt('abc', CTX); // 31 bytes: the last base64url char carries 2 spare bits
    const last = sealed.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[alphabet.indexOf(last) ^ 0x01]!;
    const respelled = `${sealed.slice(0, -1)}${twin}`;
    expect(Buffer.from(respelled.split('.')[2]!, 'base64url')).toEqual(
      Buffer.from(sealed.split('.')[2]!, 'base64url'),
    );
    expect(decryptFailure(() => ring.decrypt(respelled, CTX)).reason).toBe('malformed');
  });

  it("refuses a context field containing '|', which would make the AAD ambiguous", () => {
    expect(() => ring.encrypt('x', { ...CTX, tenantId: 'ten|1' })).toThrow(RangeError);
    const sealed = ring.encrypt('x', CTX);
    expect(() => ring.decrypt(sealed, { ...CTX, rowId: 'a|b' })).toThrow(RangeError);
  });

  it('never puts the plaintext in the error message', () => {
    const sealed = ring.encrypt('+2250701020304', CTX);
    const err = decryptFailure(() => ring.decrypt(sealed, { ...CTX, rowId: 'ctc_9' }));
    expect(err.message).not.toContain('2250701020304');
  });
});

describe('createKeyring: rotation', () => {
  const before = createKeyring(KEY_A);
  const after = createKeyring(KEY_B, [KEY_A]);

  it('decrypts values sealed under an old key', () => {
    const sealed = before.encrypt('Awa Koné', CTX);
    expect(after.decrypt(sealed, CTX)).toBe('Awa Koné');
  });

  it('seals new values under the current key only', () => {
    const sealed = after.encrypt('Awa Koné', CTX);
    expect(after.keyIdOf(sealed)).toBe(keyIdFor(KEY_B));
    expect(after.isCurrent(sealed)).toBe(true);
    expect(decryptFailure(() => before.decrypt(sealed, CTX)).reason).toBe('unknown_key');
  });

  it('reports values under an old key as not current, with their key id', () => {
    const sealed = before.encrypt('Awa Koné', CTX);
    expect(after.isCurrent(sealed)).toBe(false);
    expect(after.keyIdOf(sealed)).toBe(keyIdFor(KEY_A));
  });

  it('returns the key id of a well-formed value even when the key is not configured', () => {
    const foreign = createKeyring(KEY_C).encrypt('x', CTX);
    expect(after.keyIdOf(foreign)).toBe(keyIdFor(KEY_C));
    expect(decryptFailure(() => after.decrypt(foreign, CTX)).reason).toBe('unknown_key');
  });

  it('lists key ids current first and drops an old key equal to the current one', () => {
    expect(after.keyIds).toEqual([keyIdFor(KEY_B), keyIdFor(KEY_A)]);
    expect(createKeyring(KEY_B, [KEY_B, KEY_A, KEY_A]).keyIds).toEqual([keyIdFor(KEY_B), keyIdFor(KEY_A)]);
  });

  it('derives the key id as the first 8 hex chars of HMAC-SHA256(key, "sellify:key-id")', () => {
    const want = createHmac('sha256', KEY_A).update('sellify:key-id').digest('hex').slice(0, 8);
    expect(createKeyring(KEY_A).currentKeyId).toBe(want);
  });
});

describe('createKeyring: blind index', () => {
  const ringA = createKeyring(KEY_A);
  const ringB = createKeyring(KEY_B, [KEY_A, KEY_C]);

  it('is stable for the same key and value, and hex SHA-256 sized', () => {
    expect(ringA.blindIndex('+2250701020304')).toBe(createKeyring(KEY_A).blindIndex('+2250701020304'));
    expect(ringA.blindIndex('+2250701020304')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differs between values and between keys', () => {
    expect(ringA.blindIndex('+2250701020304')).not.toBe(ringA.blindIndex('+2250701020305'));
    expect(ringA.blindIndex('+2250701020304')).not.toBe(ringB.blindIndex('+2250701020304'));
  });

  it('is an HMAC under an HKDF-derived key, not under the master key itself', () => {
    const derived = Buffer.from(hkdfSync('sha256', KEY_A, Buffer.alloc(0), 'sellify:blind-index', 32));
    const want = createHmac('sha256', derived).update('+2250701020304').digest('hex');
    expect(ringA.blindIndex('+2250701020304')).toBe(want);
    const underMaster = createHmac('sha256', KEY_A).update('+2250701020304').digest('hex');
    expect(ringA.blindIndex('+2250701020304')).not.toBe(underMaster);
  });

  it('lists one index per key, current first, matching each key on its own', () => {
    const value = '+221771234567';
    expect(ringB.blindIndexes(value)).toEqual([
      createKeyring(KEY_B).blindIndex(value),
      createKeyring(KEY_A).blindIndex(value),
      createKeyring(KEY_C).blindIndex(value),
    ]);
    expect(ringB.blindIndexes(value)[0]).toBe(ringB.blindIndex(value));
  });
});

describe('createKeyring: key validation', () => {
  it.each([
    ['an empty key', Buffer.alloc(0)],
    ['a 16-byte key', Buffer.alloc(16, 1)],
    ['a 31-byte key', Buffer.alloc(31, 1)],
    ['a 33-byte key', Buffer.alloc(33, 1)],
  ])('refuses %s as the current key', (_name, key) => {
    expect(() => createKeyring(key)).toThrow(/32 bytes/);
  });

  it('refuses an old key of the wrong length, naming its position', () => {
    expect(() => createKeyring(KEY_A, [KEY_B, Buffer.alloc(16)])).toThrow(/old encryption key #2.*32 bytes/);
  });

  it('generates distinct 32-byte keys', () => {
    const a = generateKey();
    const b = generateKey();
    expect(a.length).toBe(32);
    expect(a.equals(b)).toBe(false);
    expect(createKeyring(a, [b]).keyIds).toHaveLength(2);
  });
});

describe('blind index scope', () => {
  it('indexes the same value differently per scope (tenant), so tenants cannot be joined on it', () => {
    const keyring = createKeyring(generateKey());
    expect(keyring.blindIndex('+2250701020304', 'ten_a')).not.toBe(
      keyring.blindIndex('+2250701020304', 'ten_b'),
    );
    expect(keyring.blindIndex('+2250701020304', 'ten_a')).toBe(keyring.blindIndex('+2250701020304', 'ten_a'));
    expect(keyring.blindIndexes('+2250701020304', 'ten_a')[0]).toBe(
      keyring.blindIndex('+2250701020304', 'ten_a'),
    );
  });
});
