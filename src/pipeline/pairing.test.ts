/**
 * The pairing tracker over storage (PGlite, and Postgres with TEST_DATABASE_URL): a change is
 * stored with its event in the same transaction, a repeat stores and appends nothing, tenants do not
 * see each other's pairing, and deleting the channel deletes its pairing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshChannel, freshTenant, testBackends, testKeyring } from '../../test/support/store.ts';
import { createStore, type Store } from '../store/index.ts';
import type { Db } from '../store/types.ts';
import { readPairing, recordPairing, trackPairingWebhook } from './pairing.ts';

const AT = Date.UTC(2026, 10, 27, 9, 0, 0);

describe.each(testBackends())('pairing tracker on $name', (backend) => {
  let db: Db;
  let store: Store;

  beforeAll(async () => {
    db = await backend.open();
    store = createStore(db, testKeyring());
  });
  afterAll(async () => {
    await store?.close();
  });

  async function evolutionChannel(tenantId: string) {
    return freshChannel(store, tenantId, { transport: 'evolution', name: 'Evolution' });
  }

  it('stores each change with one event, and a redelivered webhook changes nothing', async () => {
    const tenantId = await freshTenant(db);
    const channel = await evolutionChannel(tenantId);
    await store.tx(tenantId, (r) =>
      recordPairing(r, channel, { state: 'connecting', atMs: AT }, { restart: true }),
    );
    const target = { tenantId, channelId: channel.id, transport: 'evolution' };
    const qr = { event: 'qrcode.updated', data: { qrcode: { instance: 'x', code: '2@abc', base64: '' } } };
    expect(await trackPairingWebhook(store, target, qr, AT + 1_000)).toBe(1);
    expect(await trackPairingWebhook(store, target, qr, AT + 2_000)).toBe(0);
    const open = { event: 'connection.update', date_time: 't1', data: { state: 'open', statusReason: 200 } };
    expect(await trackPairingWebhook(store, target, open, AT + 3_000)).toBe(1);
    // A message webhook carries no pairing fact: no transaction, nothing stored.
    expect(await trackPairingWebhook(store, target, { event: 'messages.upsert', data: {} }, AT)).toBe(0);

    const record = await store.tx(tenantId, (r) => readPairing(r, channel.id, AT));
    expect(record).toEqual({
      state: 'connected',
      reason: null,
      qrCount: 1,
      lastKey: 'conn:open:200:t1',
      updatedAtMs: AT + 3_000,
    });
    const events = await store.tx(tenantId, (r) => r.events.listAfter(0));
    expect(events.map((e) => [e.type, e.channelId, e.data])).toEqual([
      [
        'channel.pairing_started',
        channel.id,
        { transport: 'evolution', state: 'connecting', reason: null, qrCount: 0 },
      ],
      ['channel.pairing_qr', channel.id, { transport: 'evolution', state: 'qr', reason: null, qrCount: 1 }],
      [
        'channel.connected',
        channel.id,
        { transport: 'evolution', state: 'connected', reason: null, qrCount: 1 },
      ],
    ]);
  });

  it("keeps tenants apart, and a channel's pairing goes with the channel", async () => {
    const a = await freshTenant(db);
    const b = await freshTenant(db);
    const channel = await evolutionChannel(a);
    await store.tx(a, (r) => recordPairing(r, channel, { state: 'failed', reason: 'qr_limit', atMs: AT }));
    // Tenant B asking for A's channel sees a never-paired channel, not A's state.
    expect((await store.tx(b, (r) => readPairing(r, channel.id, AT))).state).toBe('disconnected');
    expect((await store.tx(a, (r) => readPairing(r, channel.id, AT))).state).toBe('failed');
    await store.tx(a, (r) => r.channels.delete(channel.id));
    const left = await db.ownerTx((tx) =>
      tx.query<{ n: number }>('SELECT count(*)::int AS n FROM channel_pairing WHERE channel_id = $1', [
        channel.id,
      ]),
    );
    expect(left.rows[0]?.n).toBe(0);
  });
});
