import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshTenant, tempDir, testKeyring } from '../../test/support/store.ts';
import { parseContext } from '../engines/context.ts';
import { decide } from '../engines/decide.ts';
import { openDb } from './db.ts';
import { createStore } from './store.ts';
import type { Db } from './types.ts';

const PHONE = '+2250701020304';
const NAME = 'Aminata Koné Testleak';
const BSUID = 'CI.4827391058273645';
/** A username user: known by BSUID only. */
const BSUID_ONLY = 'SN.7391058273645482';
const TEXT = 'Je veux le sac noir livré à Cocody Angré 7e tranche';
/** A product the catalogue lacks: the decision quotes it (entities, and reasons in older engines). */
const UNKNOWN_PRODUCT = 'robe zorglub kwame';
const ASKED = `Bonjour, c'est combien la ${UNKNOWN_PRODUCT} ?`;
/** Stored in clear on purpose (a product name): proves the scans can see what is written. */
const CANARY = 'Canary Sac Testleak 42';

const NEEDLES = [
  PHONE,
  PHONE.slice(1), // digits only
  '0701020304', // the national form
  NAME,
  'Aminata',
  'Testleak Koné',
  TEXT,
  'Cocody Angré',
  BSUID,
  '4827391058273645',
  BSUID_ONLY,
  '7391058273645482',
  UNKNOWN_PRODUCT,
  'zorglub',
];

interface LeakBackend {
  name: string;
  open(dataDir: string): Promise<Db>;
  /** Raw files to scan after close (PGlite on disk). */
  scanFiles: boolean;
}

const backends: LeakBackend[] = [
  { name: 'pglite on disk', open: (dataDir) => openDb({ dataDir }), scanFiles: true },
];
if (process.env.TEST_DATABASE_URL) {
  const databaseUrl = process.env.TEST_DATABASE_URL;
  backends.push({ name: 'postgres', open: () => openDb({ databaseUrl, dataDir: '' }), scanFiles: false });
}

/** Every text-like column of every user table, cast to text, searched for each needle. */
async function scanColumns(db: Db, needles: readonly string[]): Promise<string[]> {
  return db.ownerTx(async (tx) => {
    const { rows: columns } = await tx.query<{
      table_schema: string;
      table_name: string;
      column_name: string;
    }>(
      `SELECT c.table_schema, c.table_name, c.column_name
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
       WHERE t.table_type = 'BASE TABLE'
         AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
         AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED'))
       ORDER BY 1, 2, 3`,
      [],
    );
    expect(columns.length).toBeGreaterThan(20);
    const hits: string[] = [];
    for (const col of columns) {
      const ident = `"${col.table_schema}"."${col.table_name}"`;
      for (const needle of needles) {
        const { rows } = await tx.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${ident} WHERE strpos("${col.column_name}"::text, $1) > 0`,
          [needle],
        );
        if ((rows[0]?.n ?? 0) > 0) hits.push(`${col.table_name}.${col.column_name} contains "${needle}"`);
      }
    }
    return hits;
  });
}

function scanFiles(dir: string, needles: readonly string[]): string[] {
  const hits: string[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path)) {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const bytes = readFileSync(full);
        for (const needle of needles) {
          if (bytes.includes(Buffer.from(needle, 'utf8')))
            hits.push(`${full.slice(dir.length)} contains "${needle}"`);
        }
      }
    }
  };
  walk(dir);
  return hits;
}

describe.each(backends)('no personal data in clear on $name', (backend) => {
  it('keeps the phone, the BSUID, the name and the message text out of every column and every data file', async () => {
    const dir = tempDir('sellify-leak-');
    try {
      const db = await backend.open(dir.path);
      const store = createStore(db, testKeyring());
      const tenantId = await freshTenant(db);
      await store.tx(tenantId, async (r) => {
        const channel = await r.channels.create({
          name: 'Boutique',
          transport: 'cloud',
          credentials: { accessToken: 'tok', note: TEXT },
        });
        const { contact } = await r.contacts.upsertByPhone(channel.id, PHONE, NAME);
        await r.contacts.upsertByPhone(channel.id, PHONE.slice(1), NAME);
        await r.contacts.upsertBySender(channel.id, { phone: PHONE, bsuid: BSUID }, NAME);
        await r.contacts.upsertBySender(channel.id, { bsuid: BSUID_ONLY }, NAME);
        const inbound = await r.messages.insertInbound({
          channelId: channel.id,
          contactId: contact.id,
          providerId: 'wamid.LEAK1',
          body: TEXT,
        });
        const decision = await r.decisions.insert({
          channelId: channel.id,
          contactId: contact.id,
          messageId: inbound.message.id,
          action: 'reply',
          intent: 'delivery',
          stage: 'interested',
          text: `Bonjour ${NAME}, ${TEXT} ?`,
          reasons: [{ engine: 'intent', code: 'intent.delivery', detail: 'delivery question' }],
          verdicts: { intent: { entities: { unknownProduct: TEXT } }, to: PHONE },
        });
        await r.messages.insertOutbound({
          channelId: channel.id,
          contactId: contact.id,
          kind: 'reply',
          body: `Bonjour ${NAME}, ${TEXT} ?`,
          decisionId: decision.id,
          status: 'sent',
        });
        // The order dialogue's state quotes the customer's address (migration 0013).
        await r.contacts.patch(contact.id, {
          conversation: { cart: [], delivery: { zone: null, address: TEXT } },
        });
        const product = await r.products.create({ name: CANARY, price: 15000, currency: 'XOF' });
        await r.orders.create({
          channelId: channel.id,
          contactId: contact.id,
          currency: 'XOF',
          items: [{ productId: product.id, name: CANARY, quantity: 1, unitPrice: 15000 }],
        });
        // A real decision on a message naming a product the catalogue lacks: its reasons quote it.
        const asked = decide(
          parseContext({
            now: '2026-11-27T10:15:00Z',
            channel: { id: channel.id, createdAt: '2026-10-01T08:00:00Z' },
            contact: { id: contact.id, phone: PHONE, name: NAME },
            message: { id: 'wamid.LEAK2', text: ASKED },
            catalog: [{ id: 'prd_leak', name: 'Sac noir', price: 15000, currency: 'XOF' }],
          }),
        );
        // The decision carries the customer's words (the unknown product, in its entities and
        // perhaps its reasons): storing it must not put them anywhere in clear.
        expect(JSON.stringify(asked)).toContain(UNKNOWN_PRODUCT);
        const unknown = await r.decisions.insert({
          channelId: channel.id,
          contactId: contact.id,
          action: asked.action,
          intent: asked.intent,
          stage: asked.stage,
          text: asked.text ?? null,
          reasons: asked.reasons,
          verdicts: asked.verdicts as Record<string, unknown>,
        });
        // Sealed, not lost: the seller still reads every reason with its detail.
        expect((await r.decisions.get(unknown.id))?.reasons).toEqual(asked.reasons);
        // message.created data is stored in clear (repos/events.ts, CLEAR_DATA); event data that
        // names a person must still be sealed even under that type.
        await r.events.append({
          type: 'message.created',
          contactId: contact.id,
          subjectId: inbound.message.id,
          data: { direction: 'in', kind: 'inbound', status: 'received', errorCode: PHONE, name: NAME },
          atMs: Date.parse('2026-11-27T10:15:00Z'),
        });
        await r.idempotency.begin({ apiKeyId: 'key_leak', key: 'idem-leak' }, 'hash');
        await r.idempotency.complete({ apiKeyId: 'key_leak', key: 'idem-leak' }, 200, {
          text: TEXT,
          name: NAME,
          phone: PHONE,
        });
      });

      const columnHits = await scanColumns(db, [...NEEDLES, CANARY]);
      // The canary (a product name, stored in clear) proves the scan reads the rows written above.
      expect(columnHits.filter((h) => h.includes(CANARY)).length).toBeGreaterThan(0);
      // The message.created events above keep their codes in clear, which the scan reads as it
      // reads the canary: what it finds there is no needle.
      const clearEvents = await db.ownerTx((tx) =>
        tx.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM events
            WHERE tenant_id = $1 AND type = 'message.created' AND data_enc LIKE '{"direction":%'`,
          [tenantId],
        ),
      );
      expect(clearEvents.rows[0]?.n).toBeGreaterThanOrEqual(2);
      expect(columnHits.filter((h) => !h.includes(CANARY))).toEqual([]);
      await store.close();

      if (backend.scanFiles) {
        const fileHits = scanFiles(dir.path, [...NEEDLES, CANARY]);
        expect(fileHits.filter((h) => h.includes(CANARY)).length).toBeGreaterThan(0);
        expect(fileHits.filter((h) => !h.includes(CANARY))).toEqual([]);
      }
    } finally {
      dir.cleanup();
    }
  });
});
