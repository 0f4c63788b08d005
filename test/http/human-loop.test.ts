/**
 * The human loop's HTTP API through inject (issue 15): ownership on contacts and PATCH handoff,
 * take over / hand back, the inbox with filters and cursor pages, the thread with ticks and
 * reasons, refusals of a person's message (opt-out, Cloud 24 h window) with nothing written, the
 * outgoing webhook endpoints (SSRF refusal, secret shown once), the event log and the SSE resume.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSpec, Queue } from '../../src/queue/index.ts';
import { createWorld, problem, type World } from './helpers.ts';

let w: World;
const jobs: JobSpec[] = [];

beforeAll(async () => {
  w = await createWorld({
    queue: {
      enqueueIn: async (_tx: unknown, job: JobSpec) => {
        jobs.push(job);
        return `job_${jobs.length}`;
      },
    } as unknown as Queue,
  });
});

afterAll(async () => {
  await w.close();
});

let n = 0;
async function conversation(text = 'Bonjour', transport: 'sandbox' | 'cloud' = 'sandbox') {
  n += 1;
  // Each conversation a second later than the last: the inbox orders by time.
  w.clock.nowMs += 1000;
  const channelId =
    transport === 'sandbox'
      ? (await w.call('POST', '/api/v1/channels', w.a.admin, { name: `C${n}`, transport })).json().id
      : await w.store.tx(w.a.id, async (r) => (await r.channels.create({ name: `C${n}`, transport })).id);
  const res = await w.call('POST', '/api/v1/messages', w.a.admin, {
    channelId,
    contactPhone: `+22507010${String(20_000 + n).padStart(5, '0')}`,
    direction: 'in',
    text,
    providerId: `wamid.hl${n}`,
  });
  expect(res.statusCode, res.body).toBe(201);
  return { channelId: channelId as string, contactId: res.json().contact.id as string };
}

describe('ownership on contacts', () => {
  it('shows bot by default, and PATCH handoff true/false takes over and hands back', async () => {
    const { contactId } = await conversation();
    const got = await w.call('GET', `/api/v1/contacts/${contactId}`, w.a.read);
    expect(got.json()).toMatchObject({ ownership: 'bot', owner: null, ownershipSince: null });

    const taken = await w.call('PATCH', `/api/v1/contacts/${contactId}`, w.a.write, { handoff: true });
    expect(taken.statusCode, taken.body).toBe(200);
    expect(taken.json()).toMatchObject({ ownership: 'human' });

    const back = await w.call('PATCH', `/api/v1/contacts/${contactId}`, w.a.write, { handoff: false });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json()).toMatchObject({ ownership: 'bot', owner: null });
    const listed = await w.call('GET', '/api/v1/contacts', w.a.read);
    expect(listed.json().items.find((c: { id: string }) => c.id === contactId)).toMatchObject({
      ownership: 'bot',
    });

    const events = await w.call(
      'GET',
      '/api/v1/events?types=conversation.taken_over,conversation.handed_back',
      w.a.read,
    );
    const mine = events.json().items.filter((e: { contactId: string }) => e.contactId === contactId);
    expect(mine.map((e: { type: string }) => e.type)).toEqual([
      'conversation.taken_over',
      'conversation.handed_back',
    ]);
  });

  it('takes over with an owner name, with or without a body', async () => {
    const { contactId } = await conversation();
    const named = await w.call('POST', `/api/v1/conversations/${contactId}/takeover`, w.a.write, {
      owner: 'Awa',
    });
    expect(named.statusCode, named.body).toBe(200);
    expect(named.json()).toMatchObject({ ownership: 'human', owner: 'Awa' });
    const other = await conversation();
    const bare = await w.app.inject({
      method: 'POST',
      url: `/api/v1/conversations/${other.contactId}/takeover`,
      headers: { 'x-api-key': w.a.write },
    });
    expect(bare.statusCode, bare.body).toBe(200);
    expect(bare.json()).toMatchObject({ ownership: 'human', owner: null });
  });
});

describe('the inbox', () => {
  it('lists newest activity first with filters, unread counts and cursor pages', async () => {
    const first = await conversation('premier');
    const second = await conversation('deuxième');
    const third = await conversation('troisième');
    await w.call('POST', `/api/v1/conversations/${second.contactId}/takeover`, w.a.write, {});
    w.clock.nowMs += 1000;

    const page1 = await w.call('GET', '/api/v1/conversations?limit=2', w.a.read);
    expect(page1.statusCode, page1.body).toBe(200);
    const ids1 = page1.json().items.map((c: { contactId: string }) => c.contactId);
    expect(ids1).toEqual([third.contactId, second.contactId]);
    expect(page1.json().items[0]).toMatchObject({
      ownership: 'bot',
      unread: 1,
      lastMessage: { preview: 'troisième', direction: 'in' },
      openOrderId: null,
    });
    const page2 = await w.call(
      'GET',
      `/api/v1/conversations?limit=2&cursor=${page1.json().nextCursor}`,
      w.a.read,
    );
    expect(page2.json().items[0].contactId).toBe(first.contactId);

    const human = await w.call('GET', '/api/v1/conversations?filter=human', w.a.read);
    const humanIds = human.json().items.map((c: { contactId: string }) => c.contactId);
    expect(humanIds).toContain(second.contactId);
    expect(humanIds).not.toContain(third.contactId);
    expect(human.json().items.every((c: { ownership: string }) => c.ownership === 'human')).toBe(true);

    const other = await w.call('GET', '/api/v1/conversations', w.b.read);
    expect(other.json().items).toEqual([]);
  });

  it("shows the thread with who wrote each message, ticks, and the bot's reasons", async () => {
    const { contactId, channelId } = await conversation("c'est combien ?");
    // What the pipeline stores for a bot reply: the decision on the customer message, and the reply it wrote.
    const decisionId = await w.store.tx(w.a.id, async (r) => {
      const [inbound] = (await r.messages.history(contactId)).items;
      const d = await r.decisions.insert({
        channelId,
        contactId,
        messageId: inbound!.id,
        action: 'reply',
        intent: 'price',
        stage: 'interested',
        text: 'Sac noir : 15 000 FCFA',
        delayMs: 0,
        typingMs: 0,
        reasons: [{ engine: 'decide', code: 'decide.reply', detail: 'Answer the price question' }],
        verdicts: {},
        createdAtMs: w.clock.nowMs,
      });
      w.clock.nowMs += 1000;
      const out = await r.messages.insertOutbound({
        channelId,
        contactId,
        kind: 'reply',
        body: 'Sac noir : 15 000 FCFA',
        decisionId: d.id,
        createdAtMs: w.clock.nowMs,
      });
      await r.messages.markSent(out.id, 'wamid.bot1', w.clock.nowMs);
      await r.messages.setStatus({ id: out.id }, 'delivered');
      return d.id;
    });
    w.clock.nowMs += 1000;
    await w.call('POST', `/api/v1/conversations/${contactId}/messages`, w.a.write, {
      text: 'Je vous réponds',
    });
    const thread = await w.call('GET', `/api/v1/conversations/${contactId}/messages`, w.a.read);
    expect(thread.statusCode, thread.body).toBe(200);
    const items = thread.json().items as Record<string, unknown>[];
    expect(items[0]).toMatchObject({ sentBy: 'human', text: 'Je vous réponds', status: 'queued', ticks: 0 });
    expect(items[1]).toMatchObject({
      sentBy: 'bot',
      status: 'delivered',
      ticks: 2,
      decision: { id: decisionId, action: 'reply', reasons: [{ code: 'decide.reply' }] },
    });
    expect(items.at(-1)).toMatchObject({ sentBy: 'customer', decision: { id: decisionId } });
  });
});

describe("a person's message through the API", () => {
  it('queues one send job with the pair gap and takes the conversation over', async () => {
    const { contactId, channelId } = await conversation();
    jobs.length = 0;
    const res = await w.call('POST', `/api/v1/conversations/${contactId}/messages`, w.a.write, {
      text: 'Bonjour, ici Awa',
      owner: 'Awa',
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({
      kind: 'human',
      direction: 'out',
      status: 'queued',
      text: 'Bonjour, ici Awa',
    });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      name: 'outbound',
      groupKey: channelId,
      data: { messageId: res.json().id },
    });
    const contact = await w.call('GET', `/api/v1/contacts/${contactId}`, w.a.read);
    expect(contact.json()).toMatchObject({ ownership: 'human', owner: 'Awa' });
  });

  it('refuses an opted-out customer and a closed Cloud window, writing nothing', async () => {
    const { contactId } = await conversation();
    await w.call('PATCH', `/api/v1/contacts/${contactId}`, w.a.write, { optedOut: true });
    const stopped = await w.call('POST', `/api/v1/conversations/${contactId}/messages`, w.a.write, {
      text: 'Bonjour',
    });
    expect(stopped.statusCode).toBe(409);
    expect(problem(stopped).code).toBe('contact_opted_out');

    const cloud = await conversation('Bonjour', 'cloud');
    w.clock.nowMs += 25 * 3_600_000;
    const late = await w.call('POST', `/api/v1/conversations/${cloud.contactId}/messages`, w.a.write, {
      text: 'Toujours là ?',
    });
    expect(late.statusCode).toBe(422);
    expect(problem(late).code).toBe('service_window_closed');
    const thread = await w.call('GET', `/api/v1/conversations/${cloud.contactId}/messages`, w.a.read);
    expect(thread.json().items.filter((m: { sentBy: string }) => m.sentBy === 'human')).toEqual([]);
    const contact = await w.call('GET', `/api/v1/contacts/${cloud.contactId}`, w.a.read);
    expect(contact.json().ownership).toBe('bot');
  });

  it('answers 503 when no queue runs on this server', async () => {
    const bare = await createWorld();
    try {
      const res = await bare.call(
        'POST',
        '/api/v1/conversations/ctc_0123456789abcdefghijklmn/messages',
        bare.a.write,
        {
          text: 'x',
        },
      );
      expect(res.statusCode).toBe(503);
      expect(problem(res).code).toBe('unavailable');
    } finally {
      await bare.close();
    }
  });
});

describe('outgoing webhook endpoints', () => {
  it('shows the secret once, refuses private and malformed URLs, and keeps the list secret-free', async () => {
    const created = await w.call('POST', '/api/v1/webhook-endpoints', w.a.admin, {
      url: 'https://hooks.example/n8n?token=abc',
      events: ['handoff.requested'],
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const got = await w.call('GET', `/api/v1/webhook-endpoints/${created.json().id}`, w.a.read);
    expect(got.json()).toMatchObject({
      url: 'https://hooks.example/n8n?token=abc',
      events: ['handoff.requested'],
    });
    expect(got.json().secret).toBeUndefined();

    for (const url of [
      'http://private.test/hook',
      'http://127.0.0.1:9/hook',
      'ftp://hooks.example/x',
      'https://u:p@hooks.example/x',
    ]) {
      const refused = await w.call('POST', '/api/v1/webhook-endpoints', w.a.admin, { url });
      expect(refused.statusCode, url).toBe(400);
      expect(problem(refused).errors?.[0]?.field).toBe('body.url');
    }
    const badType = await w.call('POST', '/api/v1/webhook-endpoints', w.a.admin, {
      url: 'https://hooks.example/x',
      events: ['order.exploded'],
    });
    expect(badType.statusCode).toBe(400);
  });

  it('answers 409 to a replay of a delivery still pending', async () => {
    const id = await w.store.tx(w.a.id, async (r) => {
      const endpoint = await r.webhooksOut.createEndpoint({
        url: 'https://hooks.example/p',
        secret: 's',
        eventTypes: [],
      });
      const event = await r.events.append({ type: 'channel.paused', data: {}, atMs: w.clock.nowMs });
      return (await r.webhooksOut.createDelivery({
        endpointId: endpoint.id,
        eventId: event.id,
        eventSeq: event.seq,
        eventType: event.type,
      }))!.id;
    });
    const res = await w.call('POST', `/api/v1/webhook-deliveries/${id}/replay`, w.a.admin);
    expect(res.statusCode).toBe(409);
    expect(problem(res).code).toBe('conflict');
  });
});

describe('the event stream', () => {
  it('resumes after Last-Event-ID and sends id, event and data for each event', async () => {
    const seqs = await w.store.tx(w.b.id, async (r) => [
      (await r.events.append({ type: 'order.created', data: { n: 1 }, atMs: w.clock.nowMs })).seq,
      (await r.events.append({ type: 'order.updated', data: { n: 2 }, atMs: w.clock.nowMs })).seq,
    ]);
    const res = await w.app.inject({
      method: 'GET',
      url: '/api/v1/events/stream?follow=false',
      headers: { 'x-api-key': w.b.read, 'last-event-id': String(seqs[0]) },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    expect(res.body).not.toContain('event: order.created');
    expect(res.body).toContain(`id: ${seqs[1]}\nevent: order.updated\ndata: {`);
    const data = JSON.parse(/^data: (.*)$/m.exec(res.body)?.[1] ?? '{}');
    expect(data).toMatchObject({ type: 'order.updated', seq: seqs[1], data: { n: 2 } });
  });
});

describe('playbook settings of the human loop', () => {
  it('stores the quiet period and the notifications, and refuses an unknown event type', async () => {
    const put = await w.call('PUT', '/api/v1/playbook', w.b.admin, {
      handoff: { autoReturnAfterMs: 7_200_000 },
      notifications: { to: '+2250709998877', events: ['handoff.requested', 'order.created'] },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({
      handoff: { autoReturnAfterMs: 7_200_000 },
      notifications: { to: '+2250709998877', events: ['handoff.requested', 'order.created'] },
    });
    const bad = await w.call('PUT', '/api/v1/playbook', w.b.admin, {
      notifications: { to: '+2250709998877', events: ['nope'] },
    });
    expect(bad.statusCode).toBe(400);
    const defaults = await w.call('PUT', '/api/v1/playbook', w.b.admin, {});
    expect(defaults.json()).toMatchObject({ handoff: { autoReturnAfterMs: null }, notifications: null });
  });
});
