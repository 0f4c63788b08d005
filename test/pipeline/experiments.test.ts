/**
 * A/B messages in integrated mode: the bot answers with the contact's variant, the outbound
 * message records it, and the outcome counts find it.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignVariant, type Experiment } from '../../src/engines/experiments.ts';
import { processEvents } from '../../src/pipeline/index.ts';
import { EXPERIMENTS_INFO_KEY } from '../../src/store/index.ts';
import { openPipeline, type PipelineHarness } from '../support/pipeline.ts';
import { testBackends } from '../support/store.ts';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const experiment: Experiment = {
  id: 'accueil',
  template: 'greeting',
  variants: [
    { id: 'a', text: { fr: 'VARIANTE-A Bonjour !' } },
    { id: 'b', text: { fr: 'VARIANTE-B Bienvenue !' } },
  ],
};

let h: PipelineHarness;

beforeAll(async () => {
  h = await openPipeline({ nowMs: () => T0, backend: testBackends()[0] });
});

afterAll(async () => {
  await h?.close();
});

describe('A/B messages in the pipeline', () => {
  it('answers each customer with their variant and stores it on the reply', async () => {
    const { tenantId, target } = await h.shop({
      products: [],
      playbook: { [EXPERIMENTS_INFO_KEY]: [experiment] } as never,
    });
    const phones = ['+2250701020301', '+2250701020302', '+2250701020303', '+2250701020304'];
    for (const [i, phone] of phones.entries()) {
      await processEvents(h.deps, target, [
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
    const rows = await h.db.ownerTx((tx) =>
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
    const texts = await h.store.tx(tenantId, async (r) => {
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
