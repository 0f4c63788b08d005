/**
 * Field encryption and blind-index cost, next to a plain SHA-256 of the same 40 characters
 * measured in the same run. Every stored message body and contact field goes through one of
 * these, so they should cost a few microseconds, far below a database round trip.
 */

import { createHash } from 'node:crypto';
import { createKeyring, type FieldContext } from '../src/crypto/keyring.ts';
import { formatTable, type Measurement, measureSync } from './lib.ts';

const ITERATIONS = 50_000;

function describeRatios(rows: readonly Measurement[], baseline: Measurement): string {
  return rows
    .map((r) => `${r.name}: ${(baseline.opsPerSec / r.opsPerSec).toFixed(1)}× the time of the baseline`)
    .join('\n');
}

export async function run(): Promise<string> {
  // Fixed keys: the figures must not depend on which random key a run drew.
  const keyring = createKeyring(Buffer.alloc(32, 0x5e), [Buffer.alloc(32, 0x01)]);
  const ctx: FieldContext = {
    tenantId: 'ten_01J8ZQ',
    table: 'messages',
    column: 'body',
    rowId: 'msg_01J8ZQ4',
  };
  const field = 'Awa Koné, Cocody Riviera 3, +2250701020'.padEnd(40, '.');
  const body = "Bonjour, c'est combien le sac noir ? Je le veux en taille moyenne. ".repeat(8).slice(0, 500);
  const sealedField = keyring.encrypt(field, ctx);
  const sealedBody = keyring.encrypt(body, ctx);
  const phone = '+2250701020304';

  // Results are kept so the JIT cannot drop the work.
  let sink = 0;
  const baseline = measureSync('baseline: sha256(40 chars) hex', ITERATIONS, () => {
    sink += createHash('sha256').update(field).digest('hex').length;
  });
  const rows = [
    measureSync('encrypt 40-char field', ITERATIONS, () => {
      sink += keyring.encrypt(field, ctx).length;
    }),
    measureSync('decrypt 40-char field', ITERATIONS, () => {
      sink += keyring.decrypt(sealedField, ctx).length;
    }),
    measureSync('encrypt 500-char message body', ITERATIONS, () => {
      sink += keyring.encrypt(body, ctx).length;
    }),
    measureSync('decrypt 500-char message body', ITERATIONS, () => {
      sink += keyring.decrypt(sealedBody, ctx).length;
    }),
    measureSync('blindIndex(phone)', ITERATIONS, () => {
      sink += keyring.blindIndex(phone).length;
    }),
    measureSync('blindIndexes(phone), 2 keys', ITERATIONS, () => {
      sink += keyring.blindIndexes(phone).length;
    }),
  ];
  if (sink === 0) throw new Error('benchmark produced no output');
  return [
    formatTable([baseline, ...rows], baseline),
    '',
    '(vs baseline = ops/s relative to the baseline; below, the same as a time multiple)',
    describeRatios(rows, baseline),
  ].join('\n');
}
