/**
 * The human loop in process (issue 15, items 1–3), with a clock the test moves: the seller's own
 * messages pause the bot and cancel its queued reply, the worker re-checks ownership at send time,
 * a person replies through the same queue, the bot hands off and comes back (by hand or after the
 * playbook's quiet period). Every change of hands leaves its event in the tenant's log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isActivityEvent } from '../../src/domain/events.ts';
import {
  handBack,
  handleAutoReturn,
  processEvents,
  sendAsHuman,
  takeOver,
} from '../../src/pipeline/index.ts';
import type { PlaybookInfo } from '../../src/store/repos/playbook.ts';
import type { InboundEvent } from '../../src/whatsapp/index.ts';
import { openPipeline, type PipelineHarness } from '../support/pipeline.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2026-11-23T10:00:00Z');

let now = T0;
let h: PipelineHarness;

beforeAll(async () => {
  // PGlite, or Postgres when TEST_DATABASE_URL is set (the last backend).
  h = await openPipeline({ nowMs: () => now });
});

afterAll(async () => {
  await h?.close();
});

const customerSays = (from: string, text: string) => h.message(from, text, { prefix: 'in' });

let seq = 0;
/** What a gateway sends for a message the seller typed on the phone (chat = the customer). */
function fromPhone(to: string, text: string, providerId = `me_${++seq}`): InboundEvent {
  return {
    kind: 'message',
    providerId,
    from: { phone: to },
    timestampMs: now,
    type: 'text',
    text,
    fromMe: true,
  };
}

async function thread(tenantId: string, contactId: string) {
  return h.store.tx(tenantId, async (r) => (await r.messages.history(contactId, { limit: 200 })).items);
}

async function eventTypes(tenantId: string) {
  // The facts of the human loop, without the message activity (message.created / message.status).
  return h.store.tx(tenantId, async (r) =>
    (await r.events.listAfter(0, { limit: 1000 })).filter((e) => !isActivityEvent(e.type)).map((e) => e.type),
  );
}

describe('the seller answering from the phone', () => {
  it('cancels the bot reply still queued, stores the seller text as a human message, and the conversation becomes human', async () => {
    now = T0;
    const { tenantId, channelId, target } = await h.shop();
    await processEvents(h.deps, target, [customerSays('+2250701020304', "c'est combien le sac noir ?")]);
    const contact = await h.onlyContact(tenantId);
    const queued = (await thread(tenantId, contact.id)).filter((m) => m.status === 'queued');
    expect(queued).toHaveLength(1);

    now = T0 + 1_500; // before the bot's paced reply
    const outcome = await processEvents(h.deps, target, [
      fromPhone('+2250701020304', 'Bonjour, 15 000 pour vous'),
    ]);
    expect(outcome.messages).toBe(1);
    expect(await h.flushSends(tenantId, { contactId: contact.id })).toBe(0);
    expect(h.texts(channelId)).toEqual([]);

    const after = await h.onlyContact(tenantId);
    expect(after).toMatchObject({ ownership: 'human', owner: 'phone', ownershipSinceMs: T0 + 1_500 });
    const messages = await thread(tenantId, contact.id);
    expect(messages.find((m) => m.id === queued[0]!.id)).toMatchObject({
      status: 'failed',
      errorCode: 'cancelled_human',
    });
    expect(messages.find((m) => m.kind === 'human')).toMatchObject({
      direction: 'out',
      status: 'sent',
      body: 'Bonjour, 15 000 pour vous',
    });
    expect(await eventTypes(tenantId)).toEqual(['conversation.taken_over']);
  });

  it('stores a redelivered echo once, and takes over when the seller starts the chat', async () => {
    now = T0;
    const { tenantId, target } = await h.shop();
    const echo = fromPhone('+2250705050505', 'Bonjour, votre commande est prête', 'ECHO1');
    await processEvents(h.deps, target, [echo]);
    const again = await processEvents(h.deps, target, [echo]);
    expect(again.duplicates).toBe(1);
    const contact = await h.onlyContact(tenantId);
    expect(contact.ownership).toBe('human');
    expect(await thread(tenantId, contact.id)).toHaveLength(1);
    expect(await eventTypes(tenantId)).toEqual(['conversation.taken_over']);
  });

  it('keeps the bot quiet on the next customer message and records why', async () => {
    now = T0;
    const { tenantId, channelId, target } = await h.shop();
    await processEvents(h.deps, target, [fromPhone('+2250706060606', 'Je suis là')]);
    now = T0 + MINUTE;
    await processEvents(h.deps, target, [customerSays('+2250706060606', "c'est combien le sac noir ?")]);
    const contact = await h.onlyContact(tenantId);
    expect(await h.flushSends(tenantId, { contactId: contact.id })).toBe(0);
    expect(h.texts(channelId)).toEqual([]);
    const decisions = await h.store.tx(tenantId, (r) => r.decisions.list({ contactId: contact.id }));
    expect(decisions.items[0]).toMatchObject({ action: 'skip' });
    expect(decisions.items[0]!.reasons.map((r) => r.code)).toContain('decide.human_owner');
  });
});

describe('the worker at send time', () => {
  it('does not send a bot reply when a person owns the conversation by then', async () => {
    now = T0;
    const { tenantId, channelId, target } = await h.shop();
    await processEvents(h.deps, target, [customerSays('+2250707070707', "c'est combien le sac noir ?")]);
    const contact = await h.onlyContact(tenantId);
    // The ownership changes without the cancellation (another process, a race with the fetch).
    await h.store.tx(tenantId, (r) =>
      r.contacts.patch(contact.id, { ownership: { state: 'human', owner: 'Awa', atMs: now } }),
    );
    expect(await h.flushSends(tenantId, { contactId: contact.id })).toBe(1);
    expect(h.texts(channelId)).toEqual([]);
    // The reply and the message it answers share an instant: find it by direction, not by position.
    const reply = (await thread(tenantId, contact.id)).find((m) => m.direction === 'out');
    expect(reply).toMatchObject({ status: 'failed', errorCode: 'cancelled_human' });
  });
});

describe('a person replying through Sellify', () => {
  it('sends exactly one message on the queue and takes the conversation over', async () => {
    now = T0;
    const { tenantId, channelId, target } = await h.shop();
    await processEvents(h.deps, target, [customerSays('+2250708080808', 'bonjour')]);
    const contact = await h.onlyContact(tenantId);
    await h.flushSends(tenantId, { contactId: contact.id });
    const before = h.texts(channelId).length;

    now = T0 + MINUTE;
    const result = await h.store.tx(tenantId, (r) =>
      sendAsHuman(h.deps, r, {
        contactId: contact.id,
        text: 'Awa ici, je vous aide',
        owner: 'Awa',
        nowMs: now,
      }),
    );
    expect(result.ok).toBe(true);
    expect(await h.flushSends(tenantId, { contactId: contact.id })).toBe(1);
    expect(h.texts(channelId).slice(before)).toEqual(['Awa ici, je vous aide']);
    const after = await h.onlyContact(tenantId);
    expect(after).toMatchObject({ ownership: 'human', owner: 'Awa', lastHumanAtMs: now });
    const human = (await thread(tenantId, contact.id)).find((m) => m.kind === 'human');
    expect(human).toMatchObject({ status: 'sent', direction: 'out' });
  });

  it('refuses a Cloud message outside the 24-hour window and an opted-out customer', async () => {
    now = T0;
    const { tenantId, target } = await h.shop({ transport: 'cloud' });
    await processEvents(h.deps, target, [customerSays('+2250709090909', 'bonjour')]);
    const contact = await h.onlyContact(tenantId);
    now = T0 + 25 * HOUR;
    const late = await h.store.tx(tenantId, (r) =>
      sendAsHuman(h.deps, r, { contactId: contact.id, text: 'Toujours intéressé ?', nowMs: now }),
    );
    expect(late).toEqual({ ok: false, refusal: 'window_closed' });
    await h.store.tx(tenantId, (r) => r.contacts.patch(contact.id, { optedOut: true }));
    const stopped = await h.store.tx(tenantId, (r) =>
      sendAsHuman(h.deps, r, { contactId: contact.id, text: 'Bonjour', nowMs: now }),
    );
    expect(stopped).toEqual({ ok: false, refusal: 'opted_out' });
    // Nothing was written by the refused attempts.
    expect((await thread(tenantId, contact.id)).filter((m) => m.kind === 'human')).toEqual([]);
    expect((await h.onlyContact(tenantId)).ownership).toBe('bot');
  });
});

describe('hand-off and return to the bot', () => {
  it('waits for a person after the customer asks for one, then answers again once handed back', async () => {
    now = T0;
    const { tenantId, channelId, target } = await h.shop();
    await processEvents(h.deps, target, [customerSays('+2250701212121', 'je veux parler au responsable')]);
    const contact = await h.onlyContact(tenantId);
    expect(contact.ownership).toBe('waiting');
    await h.flushSends(tenantId, { contactId: contact.id }); // the hand-off message itself goes
    expect(h.texts(channelId)).toHaveLength(1);
    expect(await eventTypes(tenantId)).toEqual(['handoff.requested']);

    now = T0 + MINUTE;
    await processEvents(h.deps, target, [customerSays('+2250701212121', "c'est combien le sac noir ?")]);
    expect(await h.flushSends(tenantId, { contactId: contact.id })).toBe(0);

    now = T0 + 2 * MINUTE;
    await h.store.tx(tenantId, async (r) =>
      takeOver(h.deps, r, (await r.contacts.get(contact.id))!, { atMs: now, via: 'api' }),
    );
    await h.store.tx(tenantId, async (r) =>
      handBack(r, (await r.contacts.get(contact.id))!, { atMs: now, reason: 'api' }),
    );
    expect((await h.onlyContact(tenantId)).ownership).toBe('bot');

    now = T0 + 3 * MINUTE;
    await processEvents(h.deps, target, [customerSays('+2250701212121', "c'est combien le sac noir ?")]);
    expect(await h.flushSends(tenantId, { contactId: contact.id })).toBe(1);
    expect(h.texts(channelId).at(-1)).toContain('15 000 FCFA');
    expect(await eventTypes(tenantId)).toEqual([
      'handoff.requested',
      'conversation.taken_over',
      'conversation.handed_back',
    ]);
  });

  it('returns to the bot after the playbook quiet period, not before, and never when it is off', async () => {
    now = T0;
    const { tenantId, target } = await h.shop();
    await processEvents(h.deps, target, [fromPhone('+2250702323232', 'Bonjour')]);
    const contact = await h.onlyContact(tenantId);
    // Off by default: nothing happens however long the person is quiet.
    now = T0 + 48 * HOUR;
    await handleAutoReturn(h.deps, tenantId, contact.id);
    expect((await h.onlyContact(tenantId)).ownership).toBe('human');

    // The playbook API stores `handoff` beside the facts in `info` (see routes/v1/playbook.ts).
    const info = { handoff: { autoReturnAfterMs: 2 * HOUR } } as unknown as PlaybookInfo;
    await h.store.tx(tenantId, (r) => r.playbook.put({ info }));
    now = T0 + 49 * HOUR;
    await processEvents(h.deps, target, [fromPhone('+2250702323232', 'Je reviens vers vous')]);
    now = T0 + 50 * HOUR; // one hour of quiet
    await handleAutoReturn(h.deps, tenantId, contact.id);
    expect((await h.onlyContact(tenantId)).ownership).toBe('human');
    now = T0 + 51 * HOUR; // two hours of quiet
    await handleAutoReturn(h.deps, tenantId, contact.id);
    expect((await h.onlyContact(tenantId)).ownership).toBe('bot');
    expect((await eventTypes(tenantId)).at(-1)).toBe('conversation.handed_back');
  });
});
