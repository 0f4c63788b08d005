import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, verifyPassword } from './password.ts';

const FAST = { logN: 10, r: 8, p: 1 };

describe('password hashing', () => {
  it('stores the default parameters with a salt, and verifies the same password', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
  });

  it('refuses a different password, even one differing only in case', async () => {
    const stored = await hashPassword('Motdepasse123', FAST);
    expect(await verifyPassword('motdepasse123', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts: the same password hashes differently twice', async () => {
    expect(await hashPassword('same password', FAST)).not.toBe(await hashPassword('same password', FAST));
  });

  it('treats a composed and a decomposed accent as the same password (NFC)', async () => {
    const stored = await hashPassword('café au lait', FAST);
    expect(await verifyPassword('cafe\u0301 au lait', stored)).toBe(true);
  });

  const malformed = [
    ['another algorithm', 'bcrypt$10$abc'],
    ['too few fields', 'scrypt$15$8$1$c2FsdA'],
    ['a cost above 2^20', 'scrypt$30$8$1$c2FsdA$aGFzaA'],
    ['a short hash', 'scrypt$10$8$1$c2FsdA$aGFzaA'],
  ] as const;
  it.each(malformed)('answers false, never throws, for a stored hash with %s', async (_name, stored) => {
    expect(await verifyPassword('whatever', stored)).toBe(false);
  });

  it('asks for at least 10 characters and at most 256', () => {
    expect(passwordProblem('123456789')).toBe('at least 10 characters');
    expect(passwordProblem('1234567890')).toBeNull();
    expect(passwordProblem('x'.repeat(257))).toBe('at most 256 characters');
  });
});
