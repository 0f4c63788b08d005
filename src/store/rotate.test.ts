import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTenant, testBackends } from '../../test/support/store.ts';
import { createKeyring, generateKey, type Keyring } from '../crypto/keyring.ts';
import { cloudVerifyTokenKnown } from './repos/channels.ts';
import { type RotationProgress, rotateKeys, SEALED_FIELDS } from './rotate.ts';
import { createStore, type Store } from './store.ts';
import type { Db } from './types.ts';

const NOW_MS = Date.UTC(2025, 5, 10, 12, 0, 0);
const ROT_KEY = { apiKeyId: 'key_rot', key: 'idem-rot' };
/** The first two customers also have a Cloud business-scoped user id. */
const BSUIDS = ['CI.100200300400', 'CI.100200300401'];
const PHONES = ['+2250700000001', '+2250700000002', '+2250700000003', '+2250700000004', '+2250700000005'];
const REPLY = 'Le sac noir est disponible à 15000 F';

describe.each(testBackends())('key rotation on $name', (backend) => {
  let db: Db;

  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => {
    await db?.close();
  });

  /** One tenant with every kind of sealed field, written under `keyring`. */
  async function seed(keyring: Keyring) {
    const store = createStore(db, keyring);
    const tenantId = await freshTenant(db);
    const channelId = await store.tx(tenantId, async (r) => {
      const channel = await r.channels.create({
        name: 'c',
        transport: 'cloud',
        credentials: { token: 'secret-token' },
      });
      for (const [i, phone] of PHONES.entries()) {
        const bsuid = BSUIDS[i];
        const { contact } = await r.contacts.upsertBySender(
          channel.id,
          bsuid === undefined ? { phone } : { phone, bsuid },
          `Client ${i}`,
        );
        await r.messages.insertInbound({
          channelId: channel.id,
          contactId: contact.id,
          providerId: `in-${i}`,
          body: `Bonjour ${i}`,
        });
        const decision = await r.decisions.insert({
          channelId: channel.id,
          contactId: contact.id,
          action: 'reply',
          text: REPLY,
          reasons: [],
          verdicts: { n: i },
        });
        await r.messages.insertOutbound({
          channelId: channel.id,
          contactId: contact.id,
          kind: 'reply',
          body: REPLY,
          decisionId: decision.id,
          status: 'sent',
          sentAtMs: NOW_MS - (i + 1) * 60_000,
        });
      }
      await r.idempotency.begin(ROT_KEY, 'h');
      await r.idempotency.complete(ROT_KEY, 201, { ok: 'yes' });
      return channel.id;
    });
    return { tenantId, channelId };
  }

  /** Reads every sealed field back through the repositories; throws if any fails to decrypt. */
  async function readAll(store: Store, tenantId: string, channelId: string) {
    return store.tx(tenantId, async (r) => {
      const contacts = await r.contacts.list({ channelId, limit: 200 });
      const bodies: string[] = [];
      for (const c of contacts.items) {
        const history = await r.messages.history(c.id);
        bodies.push(...history.items.map((m) => m.body ?? ''));
      }
      const decisions = await r.decisions.list({ channelId, limit: 200 });
      const found = [];
      for (const phone of PHONES) found.push((await r.contacts.findByPhone(channelId, phone))?.phone);
      for (const bsuid of BSUIDS) found.push((await r.contacts.findByBsuid(channelId, bsuid))?.bsuid);
      return {
        phones: contacts.items.map((c) => c.phone).sort(),
        names: contacts.items.map((c) => c.name).sort(),
        bodies: bodies.sort(),
        texts: decisions.items.map((d) => d.text),
        verdicts: decisions.items.map((d) => d.verdicts),
        reasons: decisions.items.map((d) => d.reasons),
        credentials: await r.channels.getCredentials(channelId),
        replay: await r.idempotency.begin(ROT_KEY, 'h'),
        found,
        identical: (await r.stats.sendStats(channelId, NOW_MS, 'UTC', REPLY)).identicalLastHour,
      };
    });
  }

  async function sealedValues(tenantId: string): Promise<string[]> {
    return db.ownerTx(async (tx) => {
      const out: string[] = [];
      for (const f of SEALED_FIELDS) {
        const sealedOnly = f.clearSql === undefined ? '' : `AND NOT (${f.clearSql})`;
        const { rows } = await tx.query<{ v: string }>(
          `SELECT ${f.column} AS v FROM ${f.table} AS t WHERE tenant_id = $1 AND ${f.column} IS NOT NULL ${sealedOnly}`,
          [tenantId],
        );
        out.push(...rows.map((r) => r.v));
      }
      return out;
    });
  }

  it('re-encrypts every field so that a keyring holding only the new key reads everything', async () => {
    const keyA = generateKey();
    const keyB = generateKey();
    const { tenantId, channelId } = await seed(createKeyring(keyA));
    const expected = await readAll(createStore(db, createKeyring(keyA)), tenantId, channelId);
    expect(expected.found).toEqual([...PHONES, ...BSUIDS]);
    expect(expected.identical).toBe(5);

    const rotating = createStore(db, createKeyring(keyB, [keyA]));
    const progress: RotationProgress[] = [];
    const result = await rotateKeys(rotating, { tenantIds: [tenantId], onProgress: (p) => progress.push(p) });
    // 1 credential + 5 phones + 2 BSUIDs + 5 names + 10 bodies + 5 texts + 5 verdicts + 5 reasons
    // + 1 response. The 10 message.created events keep their data in clear (repos/events.ts,
    // CLEAR_DATA): neither re-sealed nor counted as failed.
    expect(result).toEqual({ reencrypted: 39, skipped: 0, failed: 0 });
    expect(progress.map((p) => `${p.table}.${p.column} ${p.done}/${p.total}`)).toContain(
      'contacts.phone_enc 5/5',
    );

    const onlyB = createKeyring(keyB);
    expect((await sealedValues(tenantId)).every((v) => onlyB.isCurrent(v))).toBe(true);
    expect(await readAll(createStore(db, onlyB), tenantId, channelId)).toEqual(expected);
    // A second run finds nothing left to do.
    expect(await rotateKeys(rotating, { tenantIds: [tenantId] })).toEqual({
      reencrypted: 0,
      skipped: 0,
      failed: 0,
    });
  });

  it("re-indexes a Cloud channel's verify token: Meta's handshake finds it under the new key alone", async () => {
    const keyA = generateKey();
    const keyB = generateKey();
    const tenantId = await freshTenant(db);
    const token = `verify-${tenantId}`;
    await createStore(db, createKeyring(keyA)).tx(tenantId, (r) =>
      r.channels.create({
        name: 'cloud',
        transport: 'cloud',
        routeKey: `cloud:${Date.now()}${Math.floor(Math.random() * 1e6)}`,
        credentials: { phoneNumberId: '1', accessToken: 'a', appSecret: 's', verifyToken: token },
      }),
    );
    expect(await cloudVerifyTokenKnown(db, createKeyring(keyA), token)).toBe(true);
    expect(await cloudVerifyTokenKnown(db, createKeyring(keyB), token)).toBe(false);
    await rotateKeys(createStore(db, createKeyring(keyB, [keyA])), { tenantIds: [tenantId] });
    expect(await cloudVerifyTokenKnown(db, createKeyring(keyB), token)).toBe(true);
    expect(await cloudVerifyTokenKnown(db, createKeyring(keyB), `${token}-not`)).toBe(false);
  });

  it('resumes after a crash midway (onProgress throws after the first batch) and finds phones throughout', async () => {
    const keyA = generateKey();
    const keyB = generateKey();
    const { tenantId, channelId } = await seed(createKeyring(keyA));
    const expected = await readAll(createStore(db, createKeyring(keyA)), tenantId, channelId);
    const rotating = createStore(db, createKeyring(keyB, [keyA]));

    let calls = 0;
    const crash = rotateKeys(rotating, {
      tenantIds: [tenantId],
      batchSize: 2,
      onProgress: (p) => {
        calls++;
        if (p.table === 'contacts' && p.column === 'phone_enc') throw new Error('simulated crash');
      },
    });
    await expect(crash).rejects.toThrow('simulated crash');
    expect(calls).toBeGreaterThan(0);

    // Midway: some phones under B, some still under A; look-ups find every contact.
    const onlyB = createKeyring(keyB);
    const phoneValues = await db.ownerTx((tx) =>
      tx.query<{ v: string }>('SELECT phone_enc AS v FROM contacts WHERE tenant_id = $1', [tenantId]),
    );
    const current = phoneValues.rows.filter((r) => onlyB.isCurrent(r.v)).length;
    expect(current).toBeGreaterThan(0);
    expect(current).toBeLessThan(PHONES.length);
    expect(await readAll(rotating, tenantId, channelId)).toEqual(expected);

    const resumed = await rotateKeys(rotating, { tenantIds: [tenantId], batchSize: 2 });
    expect(resumed.failed).toBe(0);
    expect((await sealedValues(tenantId)).every((v) => onlyB.isCurrent(v))).toBe(true);
    expect(await readAll(createStore(db, onlyB), tenantId, channelId)).toEqual(expected);
  });

  it('stops on abort after the first batch and completes on the next run', async () => {
    const keyA = generateKey();
    const keyB = generateKey();
    const { tenantId, channelId } = await seed(createKeyring(keyA));
    const expected = await readAll(createStore(db, createKeyring(keyA)), tenantId, channelId);
    const rotating = createStore(db, createKeyring(keyB, [keyA]));
    const controller = new AbortController();
    await expect(
      rotateKeys(rotating, {
        tenantIds: [tenantId],
        batchSize: 1,
        signal: controller.signal,
        onProgress: () => controller.abort(),
      }),
    ).rejects.toThrow();
    const onlyB = createKeyring(keyB);
    const before = await sealedValues(tenantId);
    expect(before.filter((v) => onlyB.isCurrent(v))).toHaveLength(1);

    await rotateKeys(rotating, { tenantIds: [tenantId] });
    expect((await sealedValues(tenantId)).every((v) => onlyB.isCurrent(v))).toBe(true);
    expect(await readAll(createStore(db, onlyB), tenantId, channelId)).toEqual(expected);
  });

  // The racing tenant write needs its own connection; PGlite has one connection and would wait for
  // itself, so the race is staged on Postgres only.
  it.runIf(backend.name === 'postgres')(
    'does not overwrite a value the application changed between read and write (compare-and-set)',
    async () => {
      const keyA = generateKey();
      const keyB = generateKey();
      const { tenantId, channelId } = await seed(createKeyring(keyA));
      const rotating = createStore(db, createKeyring(keyB, [keyA]));
      const contactId = (await rotating.tx(tenantId, (r) => r.contacts.findByPhone(channelId, PHONES[0]!)))!
        .id;
      // Wrap the owner transaction so a write lands between the batch's read and its update.
      let injected = false;
      const racingDb: Db = {
        ...db,
        ownerTx: (fn) =>
          db.ownerTx((tx) =>
            fn({
              async query<T>(sql: string, params?: unknown[]) {
                if (!injected && sql.trimStart().startsWith('UPDATE contacts') && sql.includes('name_enc')) {
                  injected = true;
                  await rotating.tx(tenantId, (r) => r.contacts.patch(contactId, { name: 'Nouveau nom' }));
                }
                return tx.query<T>(sql, params);
              },
            }),
          ),
      };
      const result = await rotateKeys(createStore(racingDb, rotating.keyring), { tenantIds: [tenantId] });
      expect(injected).toBe(true);
      expect(result.skipped).toBe(1);
      const contact = await createStore(db, createKeyring(keyB)).tx(tenantId, (r) =>
        r.contacts.get(contactId),
      );
      expect(contact?.name).toBe('Nouveau nom');
    },
  );
});

describe.each(testBackends())('sealed columns on $name', (backend) => {
  it('lists every sealed column of the schema in SEALED_FIELDS, so key rotation re-seals it', async () => {
    const db = await backend.open();
    try {
      const { rows } = await db.ownerTx((tx) =>
        tx.query<{ table_name: string; column_name: string }>(
          `SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND column_name LIKE '%\\_enc' ESCAPE '\\'`,
        ),
      );
      const inSchema = rows.map((r) => `${r.table_name}.${r.column_name}`).sort();
      const listed = SEALED_FIELDS.map((f) => `${f.table}.${f.column}`).sort();
      expect(inSchema.length).toBeGreaterThan(10);
      expect(listed).toEqual(inSchema);
    } finally {
      await db.close();
    }
  });
});
