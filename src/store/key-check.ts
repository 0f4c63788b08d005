/**
 * The start-up check of the encryption keys against the data already stored. A server given the
 * wrong SELLIFY_ENCRYPTION_KEY used to start, report ready, and answer 500 on every read of a
 * phone number or a message; now it refuses to start, with one line naming the variables to fix.
 *
 * The stored data is the canary: every sealed value names the key that sealed it
 * (`sf1.<keyId>.…`, the id an HMAC of the key), so a sample of the sealed columns shows which keys
 * this database needs. No canary row of its own is needed, so the check also covers data sealed
 * before it existed; a database with nothing sealed yet has nothing a wrong key could make
 * unreadable. Key rotation (`sellify keys rotate`) re-seals the sampled values with the rest, so after
 * a complete rotation the old key may leave SELLIFY_ENCRYPTION_OLD_KEYS.
 */

import type { Keyring } from '../crypto/keyring.ts';
import { ENCRYPTION_KEY_VAR, OLD_KEYS_VAR } from '../crypto/keys.ts';
import type { Db } from './types.ts';

/**
 * Columns sealed on (nearly) every row of their table, so a short scan finds values. Sparse ones
 * (a BSUID, a decision's text) could make the scan read a whole table at every start.
 */
const SAMPLED_COLUMNS: readonly { table: string; column: string }[] = [
  { table: 'channels', column: 'credentials_enc' },
  { table: 'contacts', column: 'phone_enc' },
  { table: 'messages', column: 'body_enc' },
  { table: 'decisions', column: 'verdicts_enc' },
];

/** Sealed values read per column: the first rows in storage order, where un-rotated data lives. */
export const KEY_CHECK_SAMPLE = 50;

export class KeyMismatchError extends Error {
  readonly code = 'key_mismatch';
  /** Key ids found in the data that no configured key has. */
  readonly missingKeyIds: readonly string[];

  constructor(message: string, missingKeyIds: readonly string[]) {
    super(message);
    this.name = 'KeyMismatchError';
    this.missingKeyIds = missingKeyIds;
  }
}

/** Key ids in a sample of the stored sealed values, with the `table.column` where each was seen first. */
export async function storedKeyIds(db: Db, sample = KEY_CHECK_SAMPLE): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  await db.ownerTx(async (tx) => {
    for (const { table, column } of SAMPLED_COLUMNS) {
      // `sf1.<keyId>.<payload>`: the key id is the second dot-separated part.
      const { rows } = await tx.query<{ key_id: string }>(
        `SELECT DISTINCT split_part(sealed, '.', 2) AS key_id
           FROM (SELECT ${column} AS sealed FROM ${table} WHERE ${column} IS NOT NULL LIMIT $1) AS s`,
        [sample],
      );
      for (const row of rows) if (!found.has(row.key_id)) found.set(row.key_id, `${table}.${column}`);
    }
  });
  return found;
}

/**
 * Throws KeyMismatchError when stored data is sealed with a key the keyring lacks. `currentSource`
 * says where the current key came from, for the message (the variable, or the development key file).
 */
export async function checkStoredKeys(
  db: Db,
  keyring: Keyring,
  currentSource: string = ENCRYPTION_KEY_VAR,
): Promise<void> {
  const stored = await storedKeyIds(db);
  const missing = [...stored.keys()].filter((id) => !keyring.keyIds.includes(id));
  if (missing.length === 0) return;
  const where = missing.map((id) => `${id} (${stored.get(id)})`).join(', ');
  const old = keyring.keyIds.slice(1);
  throw new KeyMismatchError(
    `the encryption keys do not match this database: its data is sealed with key id ${where}, but ` +
      `the current key (${currentSource}) has id ${keyring.currentKeyId} and ${OLD_KEYS_VAR} ` +
      `${old.length === 0 ? 'is empty' : `has ${old.join(', ')}`}. Set ${ENCRYPTION_KEY_VAR} to the key ` +
      `this data was written with, or keep that key in ${OLD_KEYS_VAR} beside a new one.`,
    missing,
  );
}
