/** Advisor mode: POST /decision (with storage fill), POST /validate, POST /messages. */

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, ENV_KEY, NOW_ISO, problem, seedConversation, type World } from './helpers.ts';

const example = JSON.parse(
  readFileSync(new URL('../../examples/decision-context.json', import.meta.url), 'utf8'),
);

let w: World;

beforeAll(async () => {
  w = await createWorld();
});

afterAll(async () => {
  await w.close();
});

async function metric(name: string): Promise<string[]> {
  const res = await w.app.inject({ method: 'GET', url: '/metrics', headers: { 'x-api-key': ENV_KEY } });
  return res.body.split('\n').filter((l) => l.startsWith(name));
}

describe('POST /api/v1/decision with an inline context', () => {
  it('decides like sellify decide and returns the stored decision id', async () => {
    const res = await w.call('POST', '/api/v1/decision', w.a.write, example);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.id).toMatch(/^dec_/);
    expect(body.action).toBe('reply');
    expect(body.text).toContain('15 000');
    expect(body.sendAt).toBe('2026-11-27T10:15:13.338Z');
    const stored = await w.call('GET', `/api/v1/decisions/${body.id}`, w.a.read);
    expect(stored.json()).toEqual(
      expect.objectContaining({
        id: body.id,
        action: 'reply',
        text: body.text,
        channelId: null,
        contactId: null,
      }),
    );
    expect(Object.keys(stored.json().verdicts)).toContain('intent');
  });

  it('gives the same context the same decision twice', async () => {
    const one = (await w.call('POST', '/api/v1/decision', w.a.write, example)).json();
    const two = (await w.call('POST', '/api/v1/decision', w.a.write, example)).json();
    expect({ ...two, id: '' }).toEqual({ ...one, id: '' });
  });

  it('takes `now` from the server clock when the request has none', async () => {
    const { now: _now, ...rest } = example;
    const res = await w.call('POST', '/api/v1/decision', w.a.write, rest);
    expect(res.statusCode).toBe(200);
    expect(res.json().sendAtMs - Date.parse(NOW_ISO)).toBe(res.json().delayMs);
  });

  it('names the missing field of an incomplete context', async () => {
    const res = await w.call('POST', '/api/v1/decision', w.a.write, {
      ...example,
      channel: { id: 'chn_demo' },
    });
    expect(res.statusCode).toBe(400);
    expect(problem(res).errors?.[0]?.field).toBe('body.channel.createdAt');
  });

  it('names a bad time zone in the context', async () => {
    const res = await w.call('POST', '/api/v1/decision', w.a.write, {
      ...example,
      contact: { ...example.contact, timezone: 'Mars/Olympus' },
    });
    expect(res.statusCode).toBe(400);
    expect(problem(res).errors?.[0]?.field).toBe('body.contact.timezone');
  });

  it('counts advisor decisions by mode and action, and engine refusals by reason, in /metrics', async () => {
    const before = await metric('sellify_decisions_total{mode="advisor",action="block"}');
    const res = await w.call('POST', '/api/v1/decision', w.a.write, {
      ...example,
      message: undefined,
      outbound: { kind: 'proactive', text: 'Promo' },
      contact: { id: 'ctc_cold', phone: '+2250701020305' },
    });
    expect(res.json().action).toBe('block');
    const after = await metric('sellify_decisions_total{mode="advisor",action="block"}');
    const count = (lines: string[]) => Number(lines[0]?.split(' ')[1] ?? 0);
    expect(count(after)).toBe(count(before) + 1);
    expect(await metric('sellify_engine_refusals_total{reason="consent.cold_needs_opt_in"}')).toHaveLength(1);
  });
});

describe('POST /api/v1/decision completed from storage', () => {
  let channelId: string;
  let contactId: string;

  beforeAll(async () => {
    ({ channelId, contactId } = await seedConversation(w, w.b.admin));
    await w.call('POST', '/api/v1/products', w.b.admin, {
      name: 'Sac noir',
      aliases: ['sac a main noir'],
      price: 15000,
      currency: 'XOF',
      stock: 4,
    });
    await w.call('PUT', '/api/v1/playbook', w.b.admin, {
      templates: { greeting: { fr: 'Bienvenue chez Boutique B, {{name|client}} !' } },
    });
  });

  it('fills channel, contact, catalogue and playbook from storage', async () => {
    const res = await w.call('POST', '/api/v1/decision', w.b.write, {
      contactId,
      message: { id: 'wamid.q1', text: "Bonjour, c'est combien le sac noir ?" },
    });
    expect(res.statusCode, res.body).toBe(200);
    const d = res.json();
    expect(d.action).toBe('reply');
    expect(d.text).toContain('Aminata');
    expect(d.text).toContain('15 000');
    expect(d.entities.products[0].productId).toMatch(/^prd_/);
    const stored = (await w.call('GET', `/api/v1/decisions/${d.id}`, w.b.read)).json();
    expect({ channelId: stored.channelId, contactId: stored.contactId }).toEqual({ channelId, contactId });
  });

  it('uses the stored playbook templates', async () => {
    const res = await w.call('POST', '/api/v1/decision', w.b.write, {
      contactId,
      message: { id: 'wamid.q2', text: 'Bonjour' },
    });
    expect(res.json().text).toContain('Bienvenue chez Boutique B, Aminata');
  });

  it("counts the channel's recorded sends in the quota", async () => {
    for (let i = 0; i < 3; i++) {
      const sent = await w.call('POST', '/api/v1/messages', w.b.write, {
        channelId,
        contactId,
        direction: 'out',
        text: `Réponse ${i}`,
        sentAt: new Date(Date.parse(NOW_ISO) - 10 * 60_000 + i).toISOString(),
      });
      expect(sent.statusCode).toBe(201);
    }
    const res = await w.call('POST', '/api/v1/decision', w.b.write, {
      contactId,
      message: { id: 'wamid.q3', text: 'Merci' },
    });
    const quota = res.json().verdicts.quota as { caps: { perHour: number }; remaining: { hour: number } };
    expect(quota.caps.perHour - quota.remaining.hour).toBe(3);
  });

  it('lets request fields override stored ones', async () => {
    const renamed = await w.call('POST', '/api/v1/decision', w.b.write, {
      contactId,
      contact: { name: 'Fatou' },
      message: { id: 'wamid.q4', text: "Bonjour, c'est combien le sac noir ?" },
    });
    expect(renamed.json().text).toContain('Fatou');
    const noCatalog = await w.call('POST', '/api/v1/decision', w.b.write, {
      contactId,
      catalog: [],
      message: { id: 'wamid.q5', text: "Bonjour, c'est combien le sac noir ?" },
    });
    expect(noCatalog.json().text).not.toContain('15 000');
  });

  it('refuses a contact of another channel, and an unknown channel', async () => {
    const other = await w.call('POST', '/api/v1/channels', w.b.admin, {
      name: 'Autre',
      transport: 'sandbox',
    });
    const mismatch = await w.call('POST', '/api/v1/decision', w.b.write, {
      channelId: other.json().id,
      contactId,
      message: { id: 'm', text: 'x' },
    });
    expect(problem(mismatch).code).toBe('not_found');
    const unknown = await w.call('POST', '/api/v1/decision', w.b.write, {
      channelId: 'chn_unknown000',
      contact: { id: 'c', phone: '+2250701020304' },
      message: { id: 'm', text: 'x' },
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('links the decision to the recorded inbound message with the same provider id', async () => {
    await w.call('POST', '/api/v1/messages', w.b.write, {
      channelId,
      contactId,
      direction: 'in',
      text: 'Vous livrez à Cocody ?',
      providerId: 'wamid.linked',
    });
    const d = await w.call('POST', '/api/v1/decision', w.b.write, {
      contactId,
      message: { id: 'wamid.linked', text: 'Vous livrez à Cocody ?' },
    });
    const stored = (await w.call('GET', `/api/v1/decisions/${d.json().id}`, w.b.read)).json();
    expect(stored.messageId).toMatch(/^msg_/);
  });
});

describe('POST /api/v1/validate', () => {
  const cases = [
    {
      name: 'allows a plain friendly text',
      text: 'Bonjour, votre commande est prête.',
      allowed: true,
      code: null,
    },
    {
      name: 'flags a shortened link',
      text: 'Promo ici bit.ly/abc',
      allowed: true,
      code: 'content.shortener',
    },
    { name: 'refuses an empty text', text: '   ', allowed: false, code: 'content.empty' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const res = await w.call('POST', '/api/v1/validate', w.a.read, { text: c.text });
      expect(res.statusCode).toBe(200);
      expect(res.json().allowed).toBe(c.allowed);
      if (c.code !== null) {
        const codes = [...res.json().problems, ...res.json().reasons].map((p: { code: string }) => p.code);
        expect(codes).toContain(c.code);
      }
    });
  }

  it('refuses a text sent identically too often in the last hour', async () => {
    const res = await w.call('POST', '/api/v1/validate', w.a.read, {
      text: 'Promo du jour',
      identicalLastHour: 1000,
    });
    expect(res.json().allowed).toBe(false);
  });
});

describe('POST /api/v1/messages', () => {
  let channelId: string;

  beforeAll(async () => {
    const res = await w.call('POST', '/api/v1/channels', w.a.admin, { name: 'Messages', transport: 'cloud' });
    channelId = res.json().id;
    await w.call('POST', '/api/v1/products', w.a.admin, { name: 'Robe wax', price: 12000, currency: 'XOF' });
  });

  const inbound = (phone: string, text: string, providerId: string, receivedAt = NOW_ISO) => ({
    channelId,
    contactPhone: phone,
    direction: 'in',
    text,
    providerId,
    receivedAt,
  });

  it('creates the contact from an inbound message, opens the window and moves the funnel', async () => {
    const res = await w.call('POST', '/api/v1/messages', w.a.write, {
      ...inbound('+225 07 01 02 03 10', 'Bonjour, la robe wax est à combien ?', 'wamid.in1'),
      contactName: 'Awa',
    });
    expect(res.statusCode).toBe(201);
    const { message, contact } = res.json();
    expect(message).toEqual(
      expect.objectContaining({
        direction: 'in',
        kind: 'inbound',
        status: 'received',
        providerId: 'wamid.in1',
      }),
    );
    expect(contact).toEqual(
      expect.objectContaining({
        phone: '+2250701020310',
        name: 'Awa',
        stage: 'interested',
        lastInboundAt: NOW_ISO,
      }),
    );
  });

  it('takes an order in advisor mode: /decision shows the state and the order, /messages applies them once', async () => {
    const phone = '+225 07 01 02 03 19';
    const decideAndRecord = async (text: string, providerId: string) => {
      const contact = (await w.call('GET', '/api/v1/contacts?limit=100', w.a.read))
        .json()
        .items.find((c: { phone: string }) => c.phone === '+2250701020319');
      const decision = await w.call('POST', '/api/v1/decision', w.a.write, {
        channelId,
        ...(contact ? { contactId: contact.id } : { contact: { id: 'ctc_new', phone } }),
        message: { id: providerId, text },
      });
      expect(decision.statusCode).toBe(200);
      const recorded = await w.call('POST', '/api/v1/messages', w.a.write, inbound(phone, text, providerId));
      expect(recorded.statusCode).toBe(201);
      return { decision: decision.json(), contact: recorded.json().contact };
    };
    const first = await decideAndRecord('Je veux 2 robes wax', 'wamid.sale1');
    expect(first.decision.conversation).toMatchObject({ cart: [{ quantity: 2 }], awaiting: 'address' });
    const second = await decideAndRecord('Treichville, avenue 12, je paie en espèces', 'wamid.sale2');
    expect(second.decision.text).toContain('Total : 24 000 FCFA');
    const third = await decideAndRecord('oui', 'wamid.sale3');
    expect(third.decision.order.draft).toMatchObject({ total: 24000, paymentMethod: 'cash_on_delivery' });
    expect(third.contact.stage).toBe('ordered');
    const again = await w.call('POST', '/api/v1/messages', w.a.write, inbound(phone, 'oui', 'wamid.sale3'));
    expect(again.statusCode).toBe(200);
    const orders = await w.call('GET', `/api/v1/orders?contactId=${third.contact.id}`, w.a.read);
    expect(orders.json().items).toHaveLength(1);
    expect(orders.json().items[0]).toMatchObject({ total: 24000, contactId: third.contact.id });
  });

  it('returns the stored message with 200 and changes nothing when the provider id repeats', async () => {
    const first = await w.call(
      'POST',
      '/api/v1/messages',
      w.a.write,
      inbound('+2250701020311', 'Bonjour', 'wamid.dup'),
    );
    const again = await w.call(
      'POST',
      '/api/v1/messages',
      w.a.write,
      inbound('+2250701020311', 'Bonjour', 'wamid.dup', '2026-11-28T10:00:00.000Z'),
    );
    expect(again.statusCode).toBe(200);
    expect(again.json().message.id).toBe(first.json().message.id);
    expect(again.json().contact.lastInboundAt).toBe(NOW_ISO);
  });

  it('records STOP as an opt-out and START as an opt-in', async () => {
    const stop = await w.call(
      'POST',
      '/api/v1/messages',
      w.a.write,
      inbound('+2250701020312', 'STOP', 'wamid.stop'),
    );
    expect(stop.json().contact).toEqual(expect.objectContaining({ optedOut: true, stage: 'opted_out' }));
    const start = await w.call(
      'POST',
      '/api/v1/messages',
      w.a.write,
      inbound('+2250701020312', 'START', 'wamid.start'),
    );
    expect(start.json().contact).toEqual(expect.objectContaining({ optedOut: false, optedIn: true }));
  });

  it('counts a follow-up, moves the last outbound time forward and restarts the ladder on the next inbound', async () => {
    const first = await w.call(
      'POST',
      '/api/v1/messages',
      w.a.write,
      inbound('+2250701020313', 'Bonjour', 'wamid.f0'),
    );
    const contactId = first.json().contact.id;
    const followup = await w.call('POST', '/api/v1/messages', w.a.write, {
      channelId,
      contactId,
      direction: 'out',
      kind: 'followup',
      text: 'Toujours intéressée ?',
      sentAt: '2026-11-27T11:00:00.000Z',
    });
    expect(followup.statusCode).toBe(201);
    expect(followup.json().contact).toEqual(
      expect.objectContaining({ followupsSent: 1, lastOutboundAt: '2026-11-27T11:00:00.000Z' }),
    );
    expect(followup.json().message).toEqual(
      expect.objectContaining({ status: 'sent', kind: 'followup', sentAt: '2026-11-27T11:00:00.000Z' }),
    );
    const older = await w.call('POST', '/api/v1/messages', w.a.write, {
      channelId,
      contactId,
      direction: 'out',
      text: 'Message plus ancien',
      sentAt: '2026-11-27T09:00:00.000Z',
    });
    expect(older.json().contact.lastOutboundAt).toBe('2026-11-27T11:00:00.000Z');
    const reply = await w.call(
      'POST',
      '/api/v1/messages',
      w.a.write,
      inbound('+2250701020313', 'Oui', 'wamid.f1', '2026-11-27T12:00:00.000Z'),
    );
    expect(reply.json().contact.followupsSent).toBe(0);
  });

  it('lists the conversation newest first', async () => {
    const first = await w.call(
      'POST',
      '/api/v1/messages',
      w.a.write,
      inbound('+2250701020314', 'Un', 'wamid.h1', '2026-11-27T08:00:00.000Z'),
    );
    const contactId = first.json().contact.id;
    await w.call(
      'POST',
      '/api/v1/messages',
      w.a.write,
      inbound('+2250701020314', 'Deux', 'wamid.h2', '2026-11-27T08:01:00.000Z'),
    );
    const res = await w.call('GET', `/api/v1/contacts/${contactId}/messages?limit=1`, w.a.read);
    expect(res.json().items.map((m: { text: string }) => m.text)).toEqual(['Deux']);
    const next = await w.call(
      'GET',
      `/api/v1/contacts/${contactId}/messages?limit=1&cursor=${res.json().nextCursor}`,
      w.a.read,
    );
    expect(next.json().items.map((m: { text: string }) => m.text)).toEqual(['Un']);
  });

  const shapeCases = [
    {
      name: 'refuses both contactId and contactPhone',
      body: { contactId: 'ctc_x', contactPhone: '+2250701020304' },
      field: 'body.contactPhone',
    },
    { name: 'refuses neither contactId nor contactPhone', body: {}, field: 'body.contactPhone' },
    {
      name: 'refuses sentAt on an inbound message',
      body: { contactPhone: '+2250701020304', sentAt: NOW_ISO },
      field: 'body.sentAt',
    },
    {
      name: 'refuses a phone number it cannot read',
      body: { contactPhone: 'abc' },
      field: 'body.contactPhone',
    },
    {
      name: 'refuses both contactId and contactBsuid',
      body: { contactId: 'ctc_x', contactBsuid: 'CI.123' },
      field: 'body.contactBsuid',
    },
    {
      name: 'refuses a business-scoped user id it cannot read',
      body: { contactBsuid: 'CI-123 456' },
      field: 'body.contactBsuid',
    },
  ];
  for (const c of shapeCases) {
    it(c.name, async () => {
      const res = await w.call('POST', '/api/v1/messages', w.a.write, {
        channelId,
        direction: 'in',
        text: 'x',
        ...c.body,
      });
      expect(res.statusCode).toBe(400);
      expect(problem(res).errors?.[0]?.field).toBe(c.field);
    });
  }

  it('records a message from a username user known only by BSUID, and finds that contact again', async () => {
    const body = {
      channelId,
      contactBsuid: 'SN.4455667788',
      contactName: 'Fatou',
      direction: 'in',
      text: 'Bonjour',
    };
    const first = await w.call('POST', '/api/v1/messages', w.a.write, {
      ...body,
      providerId: 'wamid.bsuid1',
    });
    expect(first.statusCode).toBe(201);
    expect(first.json().contact).toEqual(
      expect.objectContaining({
        phone: null,
        bsuid: 'SN.4455667788',
        country: 'SN',
        timezone: 'Africa/Dakar',
      }),
    );
    const second = await w.call('POST', '/api/v1/messages', w.a.write, {
      ...body,
      providerId: 'wamid.bsuid2',
    });
    expect(second.json().contact.id).toBe(first.json().contact.id);
  });

  it('stores nothing when the business-scoped user id is malformed', async () => {
    const before = (
      await w.call('GET', `/api/v1/contacts?channelId=${channelId}&limit=200`, w.a.read)
    ).json();
    const res = await w.call('POST', '/api/v1/messages', w.a.write, {
      channelId,
      contactBsuid: 'not-a-bsuid',
      direction: 'in',
      text: 'x',
    });
    expect(res.statusCode).toBe(400);
    const after = (await w.call('GET', `/api/v1/contacts?channelId=${channelId}&limit=200`, w.a.read)).json();
    expect(after.items.length).toBe(before.items.length);
  });

  it('refuses receivedAt on an outbound message', async () => {
    const res = await w.call('POST', '/api/v1/messages', w.a.write, {
      channelId,
      contactPhone: '+2250701020304',
      direction: 'out',
      text: 'x',
      receivedAt: NOW_ISO,
    });
    expect(problem(res).errors?.[0]?.field).toBe('body.receivedAt');
  });

  it('answers 404 for an unknown decision id on an outbound message', async () => {
    const res = await w.call('POST', '/api/v1/messages', w.a.write, {
      channelId,
      contactPhone: '+2250701020304',
      direction: 'out',
      text: 'x',
      decisionId: 'dec_unknown',
    });
    expect(problem(res).code).toBe('not_found');
  });
});

describe('POST /api/v1/decision with the stored away message', () => {
  // 22:30 in Abidjan, the sandbox channel's default zone: outside the moderate hours 08:00–21:00.
  const night = '2026-11-27T22:30:00.000Z';
  const away = 'Boutique fermée ce soir, nous répondons dès 8 h.';
  let channelId: string;
  let contactId: string;

  beforeAll(async () => {
    ({ channelId, contactId } = await seedConversation(w, w.a.admin));
  });

  afterAll(async () => {
    // The playbook is per tenant: the defaults come back for any test added after this block.
    await w.call('PUT', '/api/v1/playbook', w.a.admin, {});
  });

  it('refuses an away message that fails the template checks, naming the field, and keeps the old one', async () => {
    const res = await w.call('PUT', '/api/v1/playbook', w.a.admin, { awayMessage: 'Fermé {ce soir' });
    expect(res.statusCode).toBe(400);
    expect(problem(res).errors?.[0]?.field).toBe('body.awayMessage');
    const stored = (await w.call('GET', '/api/v1/playbook', w.a.read)).json();
    expect(stored.awayMessage).toBeNull();
  });

  it('opens the first answer of the night with it, and not the next one once an answer was sent', async () => {
    const saved = await w.call('PUT', '/api/v1/playbook', w.a.admin, { awayMessage: away });
    expect(saved.statusCode, saved.body).toBe(200);
    const first = await w.call('POST', '/api/v1/decision', w.a.write, {
      contactId,
      now: night,
      message: { id: 'wamid.away1', text: 'Bonjour, vous livrez à Cocody ?' },
    });
    expect(first.statusCode, first.body).toBe(200);
    const d = first.json();
    expect(d.action).toBe('reply');
    expect(d.text.startsWith(`${away}\n`)).toBe(true);
    expect(d.text.length).toBeGreaterThan(away.length + 1);
    expect(d.reasons.map((r: { code: string }) => r.code)).toContain('schedule.away_message');

    const sent = await w.call('POST', '/api/v1/messages', w.a.write, {
      channelId,
      contactId,
      direction: 'out',
      text: d.text,
      decisionId: d.id,
      sentAt: '2026-11-27T22:31:00.000Z',
    });
    expect(sent.statusCode, sent.body).toBe(201);
    const second = await w.call('POST', '/api/v1/decision', w.a.write, {
      contactId,
      now: '2026-11-27T23:10:00.000Z',
      message: { id: 'wamid.away2', text: 'Et le paiement ?' },
    });
    expect(second.json().text).not.toContain(away);
    expect(second.json().reasons.map((r: { code: string }) => r.code)).not.toContain('schedule.away_message');
  });
});
