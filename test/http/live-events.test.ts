/**
 * What the live Discussions screen reads (issue 16): every stored message and every status that
 * moved appends `message.created` / `message.status` to the tenant's event log, in the same
 * transaction, without the text; the SSE stream carries them to a dashboard signed in with the
 * session cookie (no CSRF on a GET), resumable with Last-Event-ID, and only the tenant's own; the
 * activity types are opt-in for outgoing webhooks and cannot be chosen for WhatsApp notifications.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/crypto/password.ts';
import type { EventRecord } from '../../src/store/index.ts';
import { createWorld, problem, type World } from './helpers.ts';

let w: World;
let n = 0;

beforeAll(async () => {
  w = await createWorld();
});
afterAll(async () => {
  await w.close();
});

async function inbound(tenantKey: string, text: string) {
  n += 1;
  const channel = await w.call('POST', '/api/v1/channels', tenantKey, {
    name: `Live ${n}`,
    transport: 'sandbox',
  });
  const res = await w.call('POST', '/api/v1/messages', tenantKey, {
    channelId: channel.json().id,
    contactPhone: `+22507030${String(10_000 + n).padStart(5, '0')}`,
    direction: 'in',
    text,
    providerId: `wamid.live${n}`,
  });
  expect(res.statusCode, res.body).toBe(201);
  return {
    channelId: channel.json().id as string,
    contactId: res.json().contact.id as string,
    messageId: res.json().message.id as string,
  };
}

function activity(tenantId: string, contactId: string): Promise<EventRecord[]> {
  return w.store.tx(tenantId, async (r) =>
    (await r.events.listAfter(0, { types: ['message.created', 'message.status'], limit: 1000 })).filter(
      (e) => e.contactId === contactId,
    ),
  );
}

async function ownerSession(tenantId: string): Promise<string> {
  n += 1;
  const email = `live${n}.${Date.now()}@shop.example`;
  const password = 'correct horse battery';
  await w.store.tx(tenantId, async (r) =>
    r.users.create({ email, role: 'viewer', passwordHash: await hashPassword(password) }),
  );
  const res = await w.app.inject({ method: 'POST', url: '/api/session', payload: { email, password } });
  expect(res.statusCode, res.body).toBe(200);
  const header = res.headers['set-cookie'];
  return (Array.isArray(header) ? header[0]! : String(header)).split(';')[0]!;
}

function streamEvents(
  res: LightMyRequestResponse,
): { id: number; type: string; data: Record<string, unknown> }[] {
  return [...res.body.matchAll(/^id: (\d+)\nevent: (\S+)\ndata: (.*)$/gm)].map((m) => ({
    id: Number(m[1]),
    type: m[2]!,
    data: JSON.parse(m[3]!) as Record<string, unknown>,
  }));
}

describe('message activity in the event log', () => {
  it('appends message.created for a customer message, with ids and direction but never the text', async () => {
    const { contactId, messageId, channelId } = await inbound(w.a.admin, 'Le sac rouge est à combien ?');
    const events = await activity(w.a.id, contactId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'message.created',
      channelId,
      contactId,
      subjectId: messageId,
      data: { direction: 'in', kind: 'inbound', status: 'received' },
    });
    expect(JSON.stringify(events[0]!.data)).not.toContain('sac');
  });

  it('appends message.status each time an outbound status moves forward, and nothing for a repeat or a step back', async () => {
    const { contactId, channelId } = await inbound(w.a.admin, 'Bonjour');
    const out = await w.store.tx(w.a.id, (r) =>
      r.messages.insertOutbound({ channelId, contactId, kind: 'reply', body: 'Bonjour !' }),
    );
    await w.store.tx(w.a.id, async (r) => {
      await r.messages.markSent(out.id, 'wamid.out.live');
      await r.messages.setStatus({ id: out.id }, 'read');
      await r.messages.setStatus({ id: out.id }, 'delivered'); // late: no move
      await r.messages.setStatus({ id: out.id }, 'read'); // repeat: no move
    });
    const events = (await activity(w.a.id, contactId)).filter((e) => e.subjectId === out.id);
    expect(events.map((e) => [e.type, e.data.status])).toEqual([
      ['message.created', 'queued'],
      ['message.status', 'sent'],
      ['message.status', 'read'],
    ]);
  });

  it('a rolled-back transaction leaves no activity event (the event exists exactly when its message does)', async () => {
    const { contactId, channelId } = await inbound(w.a.admin, 'Bonjour');
    await expect(
      w.store.tx(w.a.id, async (r) => {
        await r.messages.insertOutbound({ channelId, contactId, kind: 'reply', body: 'perdu' });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect((await activity(w.a.id, contactId)).map((e) => e.type)).toEqual(['message.created']);
  });

  it('cancelling queued bot replies (a person answered first) announces each as failed', async () => {
    const { contactId, channelId } = await inbound(w.a.admin, 'Bonjour');
    const out = await w.store.tx(w.a.id, (r) =>
      r.messages.insertOutbound({ channelId, contactId, kind: 'reply', body: 'Bonjour !' }),
    );
    await w.store.tx(w.a.id, (r) => r.messages.cancelQueuedBot(contactId, 'cancelled_human'));
    const last = (await activity(w.a.id, contactId)).at(-1);
    expect(last).toMatchObject({
      type: 'message.status',
      subjectId: out.id,
      data: { status: 'failed', errorCode: 'cancelled_human' },
    });
  });
});

describe('the event stream for a dashboard session', () => {
  it('is read with the session cookie alone (a GET needs no CSRF header) and resumes after Last-Event-ID', async () => {
    const cookie = await ownerSession(w.b.id);
    const first = await inbound(w.b.admin, 'premier');
    const second = await inbound(w.b.admin, 'second');
    const seqs = await w.store.tx(w.b.id, async (r) =>
      (await r.events.listAfter(0, { types: ['message.created'], limit: 1000 }))
        .filter((e) => e.contactId === first.contactId || e.contactId === second.contactId)
        .map((e) => e.seq),
    );
    expect(seqs).toHaveLength(2);
    const res = await w.app.inject({
      method: 'GET',
      url: '/api/v1/events/stream?follow=false&types=message.created,message.status',
      headers: { cookie, 'last-event-id': String(seqs[0]) },
    });
    expect(res.statusCode, res.body).toBe(200);
    const events = streamEvents(res);
    expect(events.map((e) => e.id)).not.toContain(seqs[0]);
    expect(events.find((e) => e.id === seqs[1])).toMatchObject({
      type: 'message.created',
      data: { contactId: second.contactId, data: { direction: 'in' } },
    });
  });

  it("never carries another tenant's activity, and refuses a stream without a session", async () => {
    const cookie = await ownerSession(w.b.id);
    const other = await inbound(w.a.admin, 'chez A');
    const res = await w.app.inject({
      method: 'GET',
      url: '/api/v1/events/stream?follow=false&after=0',
      headers: { cookie },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(other.contactId);
    const anonymous = await w.app.inject({ method: 'GET', url: '/api/v1/events/stream?follow=false' });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('activity types are for screens', () => {
  it('cannot be chosen for WhatsApp notifications (a notification is itself a message)', async () => {
    const res = await w.call('PUT', '/api/v1/playbook', w.b.admin, {
      notifications: { to: '+2250709998877', events: ['message.created'] },
    });
    expect(res.statusCode).toBe(400);
    expect(problem(res).code).toBe('validation_failed');
  });

  it('may be listed by an outgoing webhook that wants them', async () => {
    const res = await w.call('POST', '/api/v1/webhook-endpoints', w.b.admin, {
      url: 'https://hooks.shop.example/sellify',
      events: ['message.created', 'message.status'],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().events).toEqual(['message.created', 'message.status']);
  });
});
