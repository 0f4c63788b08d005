/**
 * The deferred decision (`inbound` job, `redecide`): a reply that had to wait (the number was logged
 * out) is decided again when its time comes. The job may run twice — a worker killed after the
 * transaction committed but before the queue recorded the job as done runs it again — and the
 * second run must not answer a second time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processEvents, redecide } from '../../src/pipeline/index.ts';
import { openPipeline, type PipelineHarness } from '../support/pipeline.ts';

let clock = Date.parse('2026-11-27T10:40:00Z');
let h: PipelineHarness;

beforeAll(async () => {
  h = await openPipeline({ nowMs: () => clock });
});
afterAll(async () => {
  await h.close();
});

async function outboundCount(tenantId: string, contactId: string): Promise<number> {
  return h.store.tx(tenantId, async (r) => {
    const page = await r.messages.history(contactId, { limit: 50 });
    return page.items.filter((m) => m.direction === 'out').length;
  });
}

describe('a deferred reply decided again', () => {
  it('answers once when the job runs again after its transaction committed', async () => {
    const shop = await h.shop();
    await h.store.tx(shop.tenantId, (r) =>
      r.healthEvents.add({ channelId: shop.channelId, type: 'logged_out', atMs: clock - 60_000 }),
    );
    await processEvents(h.deps, shop.target, [
      h.message('+2250701000001', "Bonjour, c'est combien le sac noir ?"),
    ]);
    const contact = await h.onlyContact(shop.tenantId);
    const decisionsOf = () =>
      h.store.tx(shop.tenantId, async (r) => (await r.decisions.list({ contactId: contact.id })).items);
    const [deferred] = await decisionsOf();
    expect(deferred?.action).toBe('defer');
    expect(deferred?.sendAtMs).toBeGreaterThan(clock);
    expect(await outboundCount(shop.tenantId, contact.id)).toBe(0);

    clock = deferred!.sendAtMs!;
    await h.store.tx(shop.tenantId, (r) =>
      r.healthEvents.add({ channelId: shop.channelId, type: 'connected', atMs: clock - 1_000 }),
    );
    await redecide(h.deps, shop.tenantId, deferred!.messageId!);
    expect(await outboundCount(shop.tenantId, contact.id)).toBe(1);
    // The same job again (crash after commit, before the queue marked it done): nothing new.
    await redecide(h.deps, shop.tenantId, deferred!.messageId!);
    await redecide(h.deps, shop.tenantId, deferred!.messageId!);
    expect(await outboundCount(shop.tenantId, contact.id)).toBe(1);
    expect((await decisionsOf()).map((d) => d.action).sort()).toEqual(['defer', 'reply']);
  });

  it('decides again while the reply keeps waiting, and answers once it can', async () => {
    const shop = await h.shop();
    await h.store.tx(shop.tenantId, (r) =>
      r.healthEvents.add({ channelId: shop.channelId, type: 'logged_out', atMs: clock - 60_000 }),
    );
    await processEvents(h.deps, shop.target, [h.message('+2250701000002', 'Sac noir dispo ?')]);
    const contact = await h.onlyContact(shop.tenantId);
    const [first] = await h.store.tx(
      shop.tenantId,
      async (r) => (await r.decisions.list({ contactId: contact.id })).items,
    );
    // Still logged out at the first re-check: deferred again, nothing sent.
    clock = first!.sendAtMs!;
    await redecide(h.deps, shop.tenantId, first!.messageId!);
    expect(await outboundCount(shop.tenantId, contact.id)).toBe(0);
    clock += 60 * 60_000;
    await h.store.tx(shop.tenantId, (r) =>
      r.healthEvents.add({ channelId: shop.channelId, type: 'connected', atMs: clock - 1_000 }),
    );
    await redecide(h.deps, shop.tenantId, first!.messageId!);
    expect(await outboundCount(shop.tenantId, contact.id)).toBe(1);
  });
});
