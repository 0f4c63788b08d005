/**
 * The event fan-out (issue 15, item 5) in process: any appended event becomes one signed delivery
 * per matching endpoint and one notification when the seller opted in, read twice it is still
 * delivered once, a failing receiver is retried until the delivery is dead, and a late commit with
 * a smaller seq is not lost by a tail.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deliverWebhook,
  EventTail,
  type FanoutDeps,
  notificationText,
  sendNotification,
  signPayload,
  startFanout,
} from '../../src/pipeline/index.ts';
import type { Job, JobSpec, Queue } from '../../src/queue/index.ts';
import { createStore, type EventRecord, type Store } from '../../src/store/index.ts';
import type { PlaybookInfo } from '../../src/store/repos/playbook.ts';
import { createSandboxClient, createSandboxHub, type SandboxHub } from '../../src/whatsapp/index.ts';
import { freshTenant, testBackends, testKeyring } from '../support/store.ts';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const now = T0;
let store: Store;
let hub: SandboxHub;
const jobs: JobSpec[] = [];
const posts: { url: string; headers: Record<string, string>; body: string }[] = [];
let answer = 200;
let deps: FanoutDeps;

beforeAll(async () => {
  // PGlite, or Postgres when TEST_DATABASE_URL is set (the last backend).
  const db = await testBackends().at(-1)!.open();
  store = createStore(db, testKeyring());
  hub = createSandboxHub({ now: () => now });
  // A queue that records what the fan-out enqueues; the test runs the jobs itself.
  const queue = {
    enqueueIn: async (_tx: unknown, job: JobSpec) => {
      jobs.push(job);
      return `job_${jobs.length}`;
    },
    work: async () => {},
  } as unknown as Queue;
  deps = {
    store,
    queue,
    nowMs: () => now,
    clientFor: (channel) => createSandboxClient({ channelId: channel.id }, { hub, sleep: async () => {} }),
    sleep: async () => {},
    pacingScale: 0,
    log: { info: () => {}, warn: () => {}, error: () => {} },
    webhookFetch: (async (url: string, init: RequestInit) => {
      posts.push({ url, headers: init.headers as Record<string, string>, body: String(init.body) });
      return new Response(answer === 200 ? 'ok' : 'no', { status: answer });
    }) as typeof fetch,
    dashboardUrl: 'https://dash.example.test/',
  };
});

afterAll(async () => {
  await store?.close();
});

function jobOf(spec: JobSpec, attempt = 1, retryLimit = 8): Job {
  return {
    id: `job_${attempt}`,
    name: spec.name,
    data: { ...spec.data },
    groupKey: null,
    attempt,
    retryLimit,
    signal: new AbortController().signal,
  };
}

async function tenantWithChannel() {
  const tenantId = await freshTenant(store.db);
  const channel = await store.tx(tenantId, (r) =>
    r.channels.create({ name: 'Boutique', transport: 'sandbox' }),
  );
  return { tenantId, channelId: channel.id };
}

describe('the event fan-out', () => {
  it('reaches every tenant with new events however many there are (tenants read page by page)', async () => {
    const tenants: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { tenantId, channelId } = await tenantWithChannel();
      await store.tx(tenantId, async (r) => {
        await r.webhooksOut.createEndpoint({
          url: `https://hooks.example/page-${i}`,
          secret: 'whsec_test',
          eventTypes: ['order.created'],
        });
        const { contact } = await r.contacts.upsertByPhone(channelId, '+2250701020304', 'Aya');
        await r.events.append({
          type: 'order.created',
          channelId,
          contactId: contact.id,
          subjectId: `ord_page_${i}`,
          data: { total: 15000 },
          atMs: now,
        });
      });
      tenants.push(tenantId);
    }
    // Pages of one tenant: every other tenant of the shared database is a page of its own too.
    const fanout = await startFanout(deps, { loop: false, settleMs: 60_000, tenantPage: 1 });
    jobs.length = 0;
    await fanout.runOnce();
    const reached = new Set(jobs.filter((j) => j.name === 'webhook').map((j) => j.data.tenantId));
    for (const tenantId of tenants) expect(reached.has(tenantId), tenantId).toBe(true);
  });

  it('turns an event appended by any code into one signed delivery per matching endpoint and one notification', async () => {
    const { tenantId, channelId } = await tenantWithChannel();
    const { endpoint, other } = await store.tx(tenantId, async (r) => ({
      endpoint: await r.webhooksOut.createEndpoint({
        url: 'https://hooks.example/a',
        secret: 'whsec_test',
        eventTypes: ['order.created'],
      }),
      other: await r.webhooksOut.createEndpoint({
        url: 'https://hooks.example/b',
        secret: 'whsec_other',
        eventTypes: ['channel.paused'],
      }),
    }));
    const info = {
      notifications: { to: '+2250709998877', events: ['order.created'] },
    } as unknown as PlaybookInfo;
    await store.tx(tenantId, (r) => r.playbook.put({ info }));
    const { contactId, event } = await store.tx(tenantId, async (r) => {
      const { contact } = await r.contacts.upsertByPhone(channelId, '+2250701020304', 'Aya');
      const e = await r.events.append({
        type: 'order.created',
        channelId,
        contactId: contact.id,
        subjectId: 'ord_x',
        data: { total: 15000 },
        atMs: now,
      });
      return { contactId: contact.id, event: e };
    });

    const fanout = await startFanout(deps, { loop: false, settleMs: 60_000 });
    jobs.length = 0;
    await fanout.runOnce();
    await fanout.runOnce(); // read again within the settle window: nothing new
    const mine = jobs.filter((j) => j.data.tenantId === tenantId);
    expect(mine.map((j) => j.name).sort()).toEqual(['notify', 'webhook']);

    posts.length = 0;
    await deliverWebhook(deps, jobOf(mine.find((j) => j.name === 'webhook')!));
    expect(posts).toHaveLength(1);
    const post = posts[0]!;
    expect(post.url).toBe('https://hooks.example/a');
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(post.headers['Sellify-Signature'] ?? '') ?? [];
    expect(Number(t)).toBe(Math.floor(now / 1000));
    expect(v1).toBe(createHmac('sha256', 'whsec_test').update(`${t}.${post.body}`).digest('hex'));
    expect(JSON.parse(post.body)).toMatchObject({
      id: event.id,
      type: 'order.created',
      contactId,
      data: { total: 15000 },
    });
    const deliveries = await store.tx(tenantId, (r) =>
      r.webhooksOut.listDeliveries({ endpointId: endpoint.id }),
    );
    expect(deliveries.items).toMatchObject([{ status: 'delivered', attempts: 1, lastStatusCode: 200 }]);
    const none = await store.tx(tenantId, (r) => r.webhooksOut.listDeliveries({ endpointId: other.id }));
    expect(none.items).toEqual([]);

    await sendNotification(deps, jobOf(mine.find((j) => j.name === 'notify')!));
    const sent = hub.inbox(channelId).sent.filter((s) => s.kind === 'text');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to: '+2250709998877' });
    expect(sent[0]?.kind === 'text' ? sent[0].text : '').toBe(
      `Sellify : Nouvelle commande de Aya.\nhttps://dash.example.test/conversations/${contactId}`,
    );
    await fanout.stop();
  });

  it('retries a failing receiver and marks the delivery dead after the last attempt', async () => {
    const { tenantId } = await tenantWithChannel();
    await store.tx(tenantId, (r) =>
      r.webhooksOut.createEndpoint({
        url: 'https://hooks.example/down',
        secret: 'whsec_down',
        eventTypes: [],
      }),
    );
    await store.tx(tenantId, (r) => r.events.append({ type: 'channel.paused', data: {}, atMs: now }));
    const fanout = await startFanout(deps, { loop: false });
    jobs.length = 0;
    await fanout.runOnce();
    const spec = jobs.find((j) => j.name === 'webhook' && j.data.tenantId === tenantId)!;
    answer = 503;
    await expect(deliverWebhook(deps, jobOf(spec, 1, 2))).rejects.toThrow(/HTTP 503/);
    await expect(deliverWebhook(deps, jobOf(spec, 2, 2))).rejects.toThrow(/HTTP 503/);
    await deliverWebhook(deps, jobOf(spec, 3, 2)); // the last attempt: dead, no throw
    answer = 200;
    const id = String(spec.data.deliveryId);
    const dead = await store.tx(tenantId, (r) => r.webhooksOut.getDelivery(id));
    expect(dead).toMatchObject({ status: 'dead', attempts: 3, lastStatusCode: 503, lastError: 'HTTP 503' });
    // A replay resets it; the next attempt delivers.
    await store.tx(tenantId, (r) => r.webhooksOut.resetForReplay(id));
    await deliverWebhook(deps, jobOf(spec, 1, 2));
    expect(await store.tx(tenantId, (r) => r.webhooksOut.getDelivery(id))).toMatchObject({
      status: 'delivered',
    });
    await fanout.stop();
  });

  it('does not deliver events older than the endpoint, nor notify about old events', async () => {
    const { tenantId } = await tenantWithChannel();
    await store.tx(tenantId, (r) =>
      r.events.append({ type: 'order.created', data: {}, atMs: now - 3_600_000 }),
    );
    await store.tx(tenantId, (r) =>
      r.webhooksOut.createEndpoint({ url: 'https://hooks.example/new', secret: 'whsec_new', eventTypes: [] }),
    );
    const info = {
      notifications: { to: '+2250709998877', events: ['order.created'] },
    } as unknown as PlaybookInfo;
    await store.tx(tenantId, (r) => r.playbook.put({ info }));
    const fanout = await startFanout(deps, { loop: false });
    jobs.length = 0;
    await fanout.runOnce();
    expect(jobs.filter((j) => j.data.tenantId === tenantId)).toEqual([]);
    await fanout.stop();
  });

  it('sends the message activity only to an endpoint that lists it, and never notifies it (that would loop)', async () => {
    const { tenantId, channelId } = await tenantWithChannel();
    const { every, activity } = await store.tx(tenantId, async (r) => ({
      every: await r.webhooksOut.createEndpoint({
        url: 'https://hooks.example/all',
        secret: 'whsec_a',
        eventTypes: [],
      }),
      activity: await r.webhooksOut.createEndpoint({
        url: 'https://hooks.example/activity',
        secret: 'whsec_b',
        eventTypes: ['message.created'],
      }),
    }));
    // Stored as if chosen before the API refused it: the fan-out still never notifies activity.
    const info = {
      notifications: { to: '+2250709998877', events: ['message.created', 'order.created'] },
    } as unknown as PlaybookInfo;
    await store.tx(tenantId, (r) => r.playbook.put({ info }));
    await store.tx(tenantId, async (r) => {
      const { contact } = await r.contacts.upsertByPhone(channelId, '+2250701020399', 'Awa');
      await r.messages.insertInbound({
        channelId,
        contactId: contact.id,
        providerId: 'wamid.fan1',
        body: 'Bonjour',
      });
      await r.events.append({ type: 'order.created', channelId, contactId: contact.id, data: {}, atMs: now });
    });
    const fanout = await startFanout(deps, { loop: false, settleMs: 60_000 });
    jobs.length = 0;
    await fanout.runOnce();
    const deliveries = await store.tx(tenantId, async (r) => ({
      every: (await r.webhooksOut.listDeliveries({ endpointId: every.id })).items.map((d) => d.eventType),
      activity: (await r.webhooksOut.listDeliveries({ endpointId: activity.id })).items.map(
        (d) => d.eventType,
      ),
    }));
    expect(deliveries).toEqual({ every: ['order.created'], activity: ['message.created'] });
    expect(jobs.filter((j) => j.data.tenantId === tenantId && j.name === 'notify')).toHaveLength(1);
    await fanout.stop();
  });
});

describe('EventTail', () => {
  const ev = (seq: number): EventRecord => ({
    seq,
    id: `evt_${seq}`,
    type: 'order.created',
    channelId: null,
    contactId: null,
    subjectId: null,
    data: {},
    atMs: 0,
  });

  it('hands out a late commit with a smaller seq once, and each event only once', async () => {
    const log = [ev(1), ev(3)];
    const read = async (after: number) => log.filter((e) => e.seq > after).sort((a, b) => a.seq - b.seq);
    const tail = new EventTail(0, 5_000);
    expect((await tail.poll(read, 0)).map((e) => e.seq)).toEqual([1, 3]);
    log.push(ev(2)); // seq 2 commits after seq 3 was read
    expect((await tail.poll(read, 1_000)).map((e) => e.seq)).toEqual([2]);
    expect(await tail.poll(read, 2_000)).toEqual([]);
    await tail.poll(read, 10_000);
    expect(tail.position).toBe(3);
  });
});

describe('signatures and texts', () => {
  it('signs "<t>.<body>" with HMAC-SHA256 in the t=,v1= form', () => {
    const expected = createHmac('sha256', 'whsec_k').update('1700000000.{"a":1}').digest('hex');
    expect(signPayload('whsec_k', 1_700_000_000, '{"a":1}')).toBe(`t=1700000000,v1=${expected}`);
  });

  it('names what happened and links the conversation only when a dashboard is configured', () => {
    const e: EventRecord = {
      seq: 1,
      id: 'evt_1',
      type: 'handoff.requested',
      channelId: 'chn_1',
      contactId: 'ctc_1',
      subjectId: null,
      data: {},
      atMs: 0,
    };
    expect(notificationText(e, 'Aya')).toBe(
      'Sellify : Aya attend une réponse de votre part (le bot a passé la main).',
    );
    expect(notificationText(e, null, 'https://d.test')).toBe(
      'Sellify : Un client attend une réponse de votre part (le bot a passé la main).\nhttps://d.test/conversations/ctc_1',
    );
  });
});
