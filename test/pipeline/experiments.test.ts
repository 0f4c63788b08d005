/**
 * A/B messages in integrated mode: the bot answers with the contact's variant, the outbound
 * message records it, and the outcome counts find it.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignVariant, type Experiment } from '../../src/engines/experiments.ts';
import { type PipelineDeps, processEvents } from '../../src/pipeline/index.ts';
import { startQueue } from '../../src/queue/index.ts';
import { createStore, type Db, EXPERIMENTS_INFO_KEY, openDb, type Store } from '../../src/store/index.ts';
import { createSandboxClient, createSandboxHub } from '../../src/whatsapp/index.ts';
import { freshTenant, testKeyring } from '../support/store.ts';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const experiment: Experiment = {
  id: 'accueil',
  template: 'greeting',
  variants: [
    { id: 'a', text: { fr: 'VARIANTE-A Bonjour !' } },
    { id: 'b', text: { fr: 'VARIANTE-B Bienvenue !' } },
  ],
};

let db: Db;
let store: Store;
let deps: PipelineDeps;
let stopQueue: () => Promise<void>;

beforeAll(async () => {
  db = await openDb({ memory: true, dataDir: '' });
  store = createStore(db, testKeyring());
  const queue = await startQueue(db);
  stopQueue = () => queue.stop({ graceful: false });
  const hub = createSandboxHub({ now: () => T0 });
  deps = {
    store,
    queue,
    nowMs: () => T0,
    clientFor: (channel) => createSandboxClient({ channelId: channel.id }, { hub, sleep: async () => {} }),
    sleep: async () => {},
    pacingScale: 0,
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
});

afterAll(async () => {
  await stopQueue?.();
  await store?.close();
});

describe('A/B messages in the pipeline', () => {
  it('answers each customer with their variant and stores it on the reply', async () => {
    const tenantId = await freshTenant(store.db);
    const channel = await store.tx(tenantId, async (r) => {
      await r.playbook.put({ info: { [EXPERIMENTS_INFO_KEY]: [experiment] } as never });
      return r.channels.create({ name: 'Sandbox', transport: 'sandbox' });
    });
    const phones = ['+2250701020301', '+2250701020302', '+2250701020303', '+2250701020304'];
    for (const [i, phone] of phones.entries()) {
      await processEvents(deps, { tenantId, channelId: channel.id }, [
        {
          kind: 'message',
          providerId: `sbx_ab_${i}`,
          from: { phone },
          timestampMs: T0,
          type: 'text',
          text: 'Bonjour',
        },
      ]);
    }
    const rows = await db.ownerTx((tx) =>
      tx.query<{ contact_id: string; experiment_id: string | null; variant_id: string | null }>(
        `SELECT contact_id, experiment_id, variant_id FROM messages WHERE tenant_id = $1 AND direction = 'out'`,
        [tenantId],
      ),
    );
    expect(rows.rows).toHaveLength(phones.length);
    for (const row of rows.rows) {
      expect(row).toEqual({
        contact_id: row.contact_id,
        experiment_id: 'accueil',
        variant_id: assignVariant(experiment, row.contact_id).id,
      });
    }
    const texts = await store.tx(tenantId, async (r) => {
      const out: Array<{ contactId: string; body: string | null }> = [];
      for (const row of rows.rows) {
        const page = await r.messages.history(row.contact_id, { limit: 10 });
        for (const m of page.items)
          if (m.direction === 'out') out.push({ contactId: row.contact_id, body: m.body });
      }
      return out;
    });
    for (const t of texts)
      expect(t.body).toContain(`VARIANTE-${assignVariant(experiment, t.contactId).id.toUpperCase()}`);
  });
});
