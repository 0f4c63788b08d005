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
  handleOutbound,
  type OutboundJobData,
  type PipelineDeps,
  processEvents,
  sendAsHuman,
  takeOver,
} from '../../src/pipeline/index.ts';
import type { Job, Queue } from '../../src/queue/index.ts';
import { startQueue } from '../../src/queue/index.ts';
import { createStore, type Store } from '../../src/store/index.ts';
import type { PlaybookInfo } from '../../src/store/repos/playbook.ts';
import {
  createSandboxClient,
  createSandboxHub,
  type InboundEvent,
  type SandboxHub,
} from '../../src/whatsapp/index.ts';
import { freshTenant, testBackends, testKeyring } from '../support/store.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2026-11-23T10:00:00Z');

let store: Store;
let hub: SandboxHub;
let queue: Queue;
let now = T0;
let deps: PipelineDeps;

beforeAll(async () => {
  // PGlite, or Postgres when TEST_DATABASE_URL is set (the last backend).
  const db = await testBackends().at(-1)!.open();
  store = createStore(db, testKeyring());
  queue = await startQueue(db);
  hub = createSandboxHub({ now: () => now });
  deps = {
    store,
    queue,
    nowMs: () => now,
    clientFor: (channel) => createSandboxClient({ channelId: channel.id }, { hub, sleep: async () => {} }),
    sleep: async () => {},
    pacingScale: 0,
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
});

afterAll(async () => {
  await queue?.stop({ graceful: false });
  await store?.close();
});

async function shop(transport: 'sandbox' | 'cloud' = 'sandbox') {
  const tenantId = await freshTenant(store.db);
  const channel = await store.tx(tenantId, async (r) => {
    await r.products.create({ name: 'Sac noir', price: 15000, currency: 'XOF', stock: 4 });
    return r.channels.create({ name: 'Boutique', transport });
  });
  return { tenantId, channelId: channel.id, target: { tenantId, channelId: channel.id } };
}

let seq = 0;
function customer(from: string, text: string): InboundEvent {
  seq += 1;
  return {
    kind: 'message',
    providerId: `in_${seq}`,
    from: { phone: from },
    timestampMs: now,
    type: 'text',
    text,
  };
}
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

function job(data: OutboundJobData): Job {
  return {
    id: `job_${seq++}`,
    name: 'outbound',
    data: { ...data },
    groupKey: null,
    attempt: 1,
    retryLimit: 5,
    signal: new AbortController().signal,
  };
}

/** Runs every queued outbound message of a contact through the send handler, oldest first. */
async function flushSends(tenantId: string, contactId: string): Promise<number> {
  const queued = await store.tx(tenantId, async (r) =>
    (await r.messages.history(contactId, { limit: 200 })).items
      .filter((m) => m.direction === 'out' && m.status === 'queued')
      .sort((a, b) => a.createdAtMs - b.createdAtMs),
  );
  for (const m of queued) {
    await handleOutbound(deps, job({ tenantId, messageId: m.id, typingAtMs: now, typingMs: 0 }));
  }
  return queued.length;
}

const sentTexts = (channelId: string) =>
  hub
    .inbox(channelId)
    .sent.filter((s) => s.kind === 'text')
    .map((s) => (s.kind === 'text' ? s.text : ''));

async function onlyContact(tenantId: string) {
  return store.tx(tenantId, async (r) => (await r.contacts.list({ limit: 1 })).items[0]!);
}

async function thread(tenantId: string, contactId: string) {
  return store.tx(tenantId, async (r) => (await r.messages.history(contactId, { limit: 200 })).items);
}

async function eventTypes(tenantId: string) {
  // The facts of the human loop, without the message activity (message.created / message.status).
  return store.tx(tenantId, async (r) =>
    (await r.events.listAfter(0, { limit: 1000 })).filter((e) => !isActivityEvent(e.type)).map((e) => e.type),
  );
}

describe('the seller answering from the phone', () => {
  it('cancels the bot reply still queued, stores the seller text as a human message, and the conversation becomes human', async () => {
    now = T0;
    const { tenantId, channelId, target } = await shop();
    await processEvents(deps, target, [customer('+2250701020304', "c'est combien le sac noir ?")]);
    const contact = await onlyContact(tenantId);
    const queued = (await thread(tenantId, contact.id)).filter((m) => m.status === 'queued');
    expect(queued).toHaveLength(1);

    now = T0 + 1_500; // before the bot's paced reply
    const outcome = await processEvents(deps, target, [
      fromPhone('+2250701020304', 'Bonjour, 15 000 pour vous'),
    ]);
    expect(outcome.messages).toBe(1);
    expect(await flushSends(tenantId, contact.id)).toBe(0);
    expect(sentTexts(channelId)).toEqual([]);

    const after = await onlyContact(tenantId);
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
    const { tenantId, target } = await shop();
    const echo = fromPhone('+2250705050505', 'Bonjour, votre commande est prête', 'ECHO1');
    await processEvents(deps, target, [echo]);
    const again = await processEvents(deps, target, [echo]);
    expect(again.duplicates).toBe(1);
    const contact = await onlyContact(tenantId);
    expect(contact.ownership).toBe('human');
    expect(await thread(tenantId, contact.id)).toHaveLength(1);
    expect(await eventTypes(tenantId)).toEqual(['conversation.taken_over']);
  });

  it('keeps the bot quiet on the next customer message and records why', async () => {
    now = T0;
    const { tenantId, channelId, target } = await shop();
    await processEvents(deps, target, [fromPhone('+2250706060606', 'Je suis là')]);
    now = T0 + MINUTE;
    await processEvents(deps, target, [customer('+2250706060606', "c'est combien le sac noir ?")]);
    const contact = await onlyContact(tenantId);
    expect(await flushSends(tenantId, contact.id)).toBe(0);
    expect(sentTexts(channelId)).toEqual([]);
    const decisions = await store.tx(tenantId, (r) => r.decisions.list({ contactId: contact.id }));
    expect(decisions.items[0]).toMatchObject({ action: 'skip' });
    expect(decisions.items[0]!.reasons.map((r) => r.code)).toContain('decide.human_owner');
  });
});

describe('the worker at send time', () => {
  it('does not send a bot reply when a person owns the conversation by then', async () => {
    now = T0;
    const { tenantId, channelId, target } = await shop();
    await processEvents(deps, target, [customer('+2250707070707', "c'est combien le sac noir ?")]);
    const contact = await onlyContact(tenantId);
    // The ownership changes without the cancellation (another process, a race with the fetch).
    await store.tx(tenantId, (r) =>
      r.contacts.patch(contact.id, { ownership: { state: 'human', owner: 'Awa', atMs: now } }),
    );
    expect(await flushSends(tenantId, contact.id)).toBe(1);
    expect(sentTexts(channelId)).toEqual([]);
    // The reply and the message it answers share an instant: find it by direction, not by position.
    const reply = (await thread(tenantId, contact.id)).find((m) => m.direction === 'out');
    expect(reply).toMatchObject({ status: 'failed', errorCode: 'cancelled_human' });
  });
});

describe('a person replying through Sellify', () => {
  it('sends exactly one message on the queue and takes the conversation over', async () => {
    now = T0;
    const { tenantId, channelId, target } = await shop();
    await processEvents(deps, target, [customer('+2250708080808', 'bonjour')]);
    const contact = await onlyContact(tenantId);
    await flushSends(tenantId, contact.id);
    const before = sentTexts(channelId).length;

    now = T0 + MINUTE;
    const result = await store.tx(tenantId, (r) =>
      sendAsHuman(deps, r, {
        contactId: contact.id,
        text: 'Awa ici, je vous aide',
        owner: 'Awa',
        nowMs: now,
      }),
    );
    expect(result.ok).toBe(true);
    expect(await flushSends(tenantId, contact.id)).toBe(1);
    expect(sentTexts(channelId).slice(before)).toEqual(['Awa ici, je vous aide']);
    const after = await onlyContact(tenantId);
    expect(after).toMatchObject({ ownership: 'human', owner: 'Awa', lastHumanAtMs: now });
    const human = (await thread(tenantId, contact.id)).find((m) => m.kind === 'human');
    expect(human).toMatchObject({ status: 'sent', direction: 'out' });
  });

  it('refuses a Cloud message outside the 24-hour window and an opted-out customer', async () => {
    now = T0;
    const { tenantId, target } = await shop('cloud');
    await processEvents(deps, target, [customer('+2250709090909', 'bonjour')]);
    const contact = await onlyContact(tenantId);
    now = T0 + 25 * HOUR;
    const late = await store.tx(tenantId, (r) =>
      sendAsHuman(deps, r, { contactId: contact.id, text: 'Toujours intéressé ?', nowMs: now }),
    );
    expect(late).toEqual({ ok: false, refusal: 'window_closed' });
    await store.tx(tenantId, (r) => r.contacts.patch(contact.id, { optedOut: true }));
    const stopped = await store.tx(tenantId, (r) =>
      sendAsHuman(deps, r, { contactId: contact.id, text: 'Bonjour', nowMs: now }),
    );
    expect(stopped).toEqual({ ok: false, refusal: 'opted_out' });
    // Nothing was written by the refused attempts.
    expect((await thread(tenantId, contact.id)).filter((m) => m.kind === 'human')).toEqual([]);
    expect((await onlyContact(tenantId)).ownership).toBe('bot');
  });
});

describe('hand-off and return to the bot', () => {
  it('waits for a person after the customer asks for one, then answers again once handed back', async () => {
    now = T0;
    const { tenantId, channelId, target } = await shop();
    await processEvents(deps, target, [customer('+2250701212121', 'je veux parler au responsable')]);
    const contact = await onlyContact(tenantId);
    expect(contact.ownership).toBe('waiting');
    await flushSends(tenantId, contact.id); // the hand-off message itself goes
    expect(sentTexts(channelId)).toHaveLength(1);
    expect(await eventTypes(tenantId)).toEqual(['handoff.requested']);

    now = T0 + MINUTE;
    await processEvents(deps, target, [customer('+2250701212121', "c'est combien le sac noir ?")]);
    expect(await flushSends(tenantId, contact.id)).toBe(0);

    now = T0 + 2 * MINUTE;
    await store.tx(tenantId, async (r) =>
      takeOver(deps, r, (await r.contacts.get(contact.id))!, { atMs: now, via: 'api' }),
    );
    await store.tx(tenantId, async (r) =>
      handBack(r, (await r.contacts.get(contact.id))!, { atMs: now, reason: 'api' }),
    );
    expect((await onlyContact(tenantId)).ownership).toBe('bot');

    now = T0 + 3 * MINUTE;
    await processEvents(deps, target, [customer('+2250701212121', "c'est combien le sac noir ?")]);
    expect(await flushSends(tenantId, contact.id)).toBe(1);
    expect(sentTexts(channelId).at(-1)).toContain('15 000 FCFA');
    expect(await eventTypes(tenantId)).toEqual([
      'handoff.requested',
      'conversation.taken_over',
      'conversation.handed_back',
    ]);
  });

  it('returns to the bot after the playbook quiet period, not before, and never when it is off', async () => {
    now = T0;
    const { tenantId, target } = await shop();
    await processEvents(deps, target, [fromPhone('+2250702323232', 'Bonjour')]);
    const contact = await onlyContact(tenantId);
    // Off by default: nothing happens however long the person is quiet.
    now = T0 + 48 * HOUR;
    await handleAutoReturn(deps, tenantId, contact.id);
    expect((await onlyContact(tenantId)).ownership).toBe('human');

    // The playbook API stores `handoff` beside the facts in `info` (see routes/v1/playbook.ts).
    const info = { handoff: { autoReturnAfterMs: 2 * HOUR } } as unknown as PlaybookInfo;
    await store.tx(tenantId, (r) => r.playbook.put({ info }));
    now = T0 + 49 * HOUR;
    await processEvents(deps, target, [fromPhone('+2250702323232', 'Je reviens vers vous')]);
    now = T0 + 50 * HOUR; // one hour of quiet
    await handleAutoReturn(deps, tenantId, contact.id);
    expect((await onlyContact(tenantId)).ownership).toBe('human');
    now = T0 + 51 * HOUR; // two hours of quiet
    await handleAutoReturn(deps, tenantId, contact.id);
    expect((await onlyContact(tenantId)).ownership).toBe('bot');
    expect((await eventTypes(tenantId)).at(-1)).toBe('conversation.handed_back');
  });
});
