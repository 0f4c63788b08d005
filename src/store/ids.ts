/**
 * Prefixed random ids (`msg_…`, `ctc_…`). The prefix says what a bare id in a log line or a
 * support ticket points to; the random part is 24 base62 characters from the OS CSPRNG
 * (log2(62^24) ≈ 142 bits), so ids are unguessable and never collide in practice.
 */

import { randomBytes } from 'node:crypto';

export const ID_PREFIXES = [
  'ten',
  'key',
  'chn',
  'ctc',
  'msg',
  'dec',
  'prd',
  'ord',
  'hev',
  'fev',
  'evt',
  'whe',
  'whd',
  'usr',
  'ses',
  'inv',
  'pay',
] as const;
export type IdPrefix = (typeof ID_PREFIXES)[number];

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const ID_RANDOM_CHARS = 24;
// 62 * 4 = 248 is the largest multiple of 62 below 256: bytes at or above it are rejected so
// every character is uniform (a plain modulo would favour the first eight characters).
const REJECT_FROM = 248;

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBase62(ID_RANDOM_CHARS)}`;
}

/**
 * Random bytes come from a pool, as the keyring's IVs do (issue 17): one randomBytes() call per id
 * cost more than the rest of building the id, and a webhook makes about seven ids. Each byte is
 * used once; a spent pool is replaced by a new buffer, never refilled in place.
 */
const POOL_BYTES = 4_096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

function nextByte(): number {
  if (poolOffset >= pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  return pool[poolOffset++]!;
}

/** `length` uniform base62 characters from the OS CSPRNG (5.95 bits each). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const byte = nextByte();
    if (byte >= REJECT_FROM) continue;
    out += ALPHABET[byte % 62];
  }
  return out;
}

const ID_PATTERN = new RegExp(`^(${ID_PREFIXES.join('|')})_[0-9A-Za-z]{${ID_RANDOM_CHARS}}$`);

/** True for an id this module could have produced (used to reject junk before it reaches SQL). */
export function isId(value: string, prefix?: IdPrefix): boolean {
  const m = ID_PATTERN.exec(value);
  return m !== null && (prefix === undefined || m[1] === prefix);
}
