/**
 * Issue 13.5 and 13.7 through the pipelines (same harness as pipeline.test.ts): a customer who
 * sent STOP and writes again is answered and reminded of START, with no follow-up after; a reply
 * decided before a STOP is still cancelled; a question the playbook cannot answer reaches the
 * seller as a `question.for_seller` event; the STOP confirmation is in the customer's language.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleFollowup, processEvents } from '../../src/pipeline/index.ts';
import type { Playbook } from '../../src/store/index.ts';
import { STRUCTURED_INFO_KEYS } from '../../src/store/repos/playbook.ts';
import { openPipeline, type PipelineHarness } from '../support/pipeline.ts';

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-23T10:00:00Z'); // a Monday, 10:00 in Abidjan

let now = T0;
/** PGlite, or Postgres when TEST_DATABASE_URL is set (run the file both ways). */
let h: PipelineHarness;

beforeAll(async () => {
  h = await openPipeline({ nowMs: () => now });
});

afterAll(async () => {
  await h?.close();
});

describe('STOP, then the customer writes again', () => {
  it('answers the question with the START reminder, and sends no follow-up afterwards', async () => {
    now = T0;
    const { tenantId, channelId } = await h.shop();
    const target = { tenantId, channelId };
    await processEvents(h.deps, target, [h.message('+2250702020202', 'STOP')]);
    expect(await h.flushSends(tenantId)).toBe(1);
    now = T0 + 60 * MINUTE;
    await processEvents(h.deps, target, [h.message('+2250702020202', "c'est combien le sac noir ?")]);
    expect(await h.flushSends(tenantId)).toBe(1);
    const sent = h.texts(channelId);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toContain('15 000 FCFA');
    expect(sent[1]).toContain('START');
    const contact = await h.onlyContact(tenantId);
    expect(contact.optedOut).toBe(true);
    const outs = await h.store.tx(tenantId, (r) => r.messages.history(contact.id, { limit: 10 }));
    expect(outs.items.filter((m) => m.direction === 'out').map((m) => m.status)).not.toContain('failed');

    // Hours later the ladder would have nudged a subscribed customer; an opted-out one hears nothing.
    for (const atMs of [T0 + 80 * MINUTE, T0 + 3 * 60 * MINUTE, T0 + 26 * 60 * MINUTE]) {
      now = atMs;
      await handleFollowup(h.deps, tenantId, contact.id);
      expect(await h.flushSends(tenantId)).toBe(0);
    }
    expect(h.texts(channelId)).toHaveLength(2);
    // The seller heard about the opt-out once (the later question changed no consent).
    const consentEvents = await h.store.tx(tenantId, (r) =>
      r.events.listAfter(0, { types: ['contact.opted_out', 'contact.opted_in'] }),
    );
    expect(consentEvents.map((e) => [e.type, e.contactId])).toEqual([['contact.opted_out', contact.id]]);

    now = T0 + 27 * 60 * MINUTE;
    await processEvents(h.deps, target, [h.message('+2250702020202', 'START')]);
    const after = await h.store.tx(tenantId, (r) =>
      r.events.listAfter(0, { types: ['contact.opted_out', 'contact.opted_in'] }),
    );
    expect(after.map((e) => e.type)).toEqual(['contact.opted_out', 'contact.opted_in']);
  });

  it('still cancels a reply decided before a STOP that arrived meanwhile', async () => {
    now = T0;
    const { tenantId, channelId } = await h.shop();
    const target = { tenantId, channelId };
    await processEvents(h.deps, target, [h.message('+2250703030303', 'cb le sac noir')]);
    now = T0 + 2_000;
    await processEvents(h.deps, target, [h.message('+2250703030303', 'STOP')]);
    await h.flushSends(tenantId);
    const sent = h.texts(channelId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/ne recevrez plus/);
    const contact = await h.onlyContact(tenantId);
    const outs = await h.store.tx(tenantId, (r) => r.messages.history(contact.id, { limit: 10 }));
    expect(outs.items.filter((m) => m.errorCode === 'cancelled_opted_out')).toHaveLength(1);
  });

  it('confirms STOP in English to a customer with an English-speaking number', async () => {
    now = T0;
    const { tenantId, channelId } = await h.shop();
    await processEvents(h.deps, { tenantId, channelId }, [h.message('+2348031234567', 'STOP')]);
    expect(await h.flushSends(tenantId)).toBe(1);
    expect(h.texts(channelId)[0]).toMatch(/won't receive any more messages/);
  });
});

describe('a question the playbook does not answer', () => {
  it('tells the customer the bot checks with the seller and appends a question.for_seller event', async () => {
    now = T0;
    const { tenantId, channelId } = await h.shop();
    await processEvents(h.deps, { tenantId, channelId }, [
      h.message('+2250704040404', 'Vous livrez à Yopougon ? Et on paie comment ?'),
    ]);
    expect(await h.flushSends(tenantId)).toBe(1);
    const [reply] = h.texts(channelId);
    expect(reply).toMatch(/auprès du vendeur/);
    expect(reply).not.toMatch(/Orange|Wave|MoMo|Moov|partout|24|48/);
    const events = await h.store.tx(tenantId, (r) =>
      r.events.listAfter(0, { types: ['question.for_seller'] }),
    );
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({
      topics: expect.arrayContaining(['delivery', 'payment']),
      question: 'Vous livrez à Yopougon ? Et on paie comment ?',
    });
    expect(events[0]?.contactId).toBe((await h.onlyContact(tenantId)).id);
  });

  it('answers from the structured facts and asks the seller nothing', async () => {
    now = T0;
    const { tenantId, channelId } = await h.shop();
    await h.store.tx(tenantId, (r) =>
      r.playbook.put({
        // Stored as the playbook route stores them (src/http/routes/v1/playbook.ts).
        info: {
          [STRUCTURED_INFO_KEYS.delivery]: {
            zones: [{ id: 'yopougon', name: 'Yopougon', fee: 1500, delay: '24 h' }],
          },
          [STRUCTURED_INFO_KEYS.payment]: { methods: ['wave'] },
        } as unknown as Playbook['info'],
      }),
    );
    await processEvents(h.deps, { tenantId, channelId }, [
      h.message('+2250705050505', 'Vous livrez à Yopougon ? Et on paie comment ?'),
    ]);
    expect(await h.flushSends(tenantId)).toBe(1);
    const [reply] = h.texts(channelId);
    expect(reply).toContain('Yopougon : 1 500 FCFA (24 h)');
    expect(reply).toContain('par Wave');
    const events = await h.store.tx(tenantId, (r) =>
      r.events.listAfter(0, { types: ['question.for_seller'] }),
    );
    expect(events).toHaveLength(0);
  });
});
