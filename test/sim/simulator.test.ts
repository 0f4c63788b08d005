/**
 * The simulator's own guarantees: signed status sequences and their variants, at-least-once
 * delivery (duplicates at the configured rate, reproducible from the seed), redelivery with
 * backoff on failures, batching, faults, and the providers' documented API behaviour.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { SimClock } from './clock.ts';
import { type Simulator, type SimulatorOptions, startSimulator, statusPlans } from './index.ts';
import { type Receiver, startReceiver } from './receiver.ts';

const START_MS = Date.UTC(2026, 10, 27, 9, 0, 0);
const USER = '+2250701020304';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

async function setup(options: SimulatorOptions = {}): Promise<{ sim: Simulator; receiver: Receiver }> {
  const receiver = await startReceiver();
  const sim = await startSimulator({
    seed: 'sim-test',
    clock: { startMs: START_MS },
    webhookTargets: {
      cloud: `${receiver.url}/cloud`,
      evolution: `${receiver.url}/evolution`,
      waha: `${receiver.url}/waha`,
    },
    ...options,
  });
  open.push(receiver, sim);
  return { sim, receiver };
}

async function graphSend(
  sim: Simulator,
  body: Record<string, unknown>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const n = sim.cloud.defaultNumber;
  const res = await fetch(`${sim.cloud.graphUrl}/v25.0/${n.phoneNumberId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${n.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messaging_product: 'whatsapp', to: USER, ...body }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function sendText(sim: Simulator, text = 'Bonjour'): Promise<string> {
  const { json } = await graphSend(sim, { type: 'text', text: { body: text } });
  return (json.messages as { id: string }[])[0]!.id;
}

function statusesOf(
  receiver: Receiver,
): { id: string; status: string; pricing?: unknown; errors?: unknown }[] {
  return receiver.requests.flatMap((r) => {
    const body = JSON.parse(r.rawBody.toString('utf8')) as {
      entry: { changes: { value: { statuses?: { id: string; status: string }[] } }[] }[];
    };
    return body.entry.flatMap((e) => e.changes.flatMap((c) => c.value.statuses ?? []));
  });
}

describe('cloud status sequences', () => {
  it('sends sent → delivered → read after their delays, each POST signed over its exact bytes', async () => {
    const { sim, receiver } = await setup();
    sim.cloud.openWindow(USER);
    const id = await sendText(sim);
    await sim.clock.advance(99);
    expect(receiver.requests).toHaveLength(0);
    await sim.clock.advance(1);
    expect(statusesOf(receiver).map((s) => s.status)).toEqual(['sent']);
    await sim.clock.advance(2_900);
    expect(statusesOf(receiver).map((s) => [s.id, s.status])).toEqual([
      [id, 'sent'],
      [id, 'delivered'],
      [id, 'read'],
    ]);
    const secret = sim.cloud.defaultNumber.appSecret;
    for (const r of receiver.requests) {
      expect(r.headers['x-hub-signature-256']).toBe(
        `sha256=${createHmac('sha256', secret).update(r.rawBody).digest('hex')}`,
      );
    }
    expect(sim.recorder.webhooksOf('cloud', 'statuses').map((w) => w.status)).toEqual([200, 200, 200]);
  });

  it('puts pricing (PMP) on one receipt only, never both sent and delivered', async () => {
    const { sim, receiver } = await setup();
    sim.cloud.openWindow(USER);
    await sendText(sim);
    await sim.clock.advance(5_000);
    const priced = statusesOf(receiver).filter((s) => s.pricing);
    expect(priced).toEqual([
      expect.objectContaining({
        status: 'delivered',
        pricing: {
          billable: false,
          pricing_model: 'PMP',
          type: 'free_customer_service',
          category: 'service',
        },
      }),
    ]);
  });

  it.each([
    {
      name: 'read without delivered (chat open)',
      plan: statusPlans.readWithoutDelivered(),
      want: ['sent', 'read'],
    },
    {
      name: 'out of order: read before delivered',
      plan: statusPlans.outOfOrder(),
      want: ['sent', 'read', 'delivered'],
    },
    {
      name: 'played for a voice note',
      plan: statusPlans.played(),
      want: ['sent', 'delivered', 'read', 'played'],
    },
    { name: 'none at all', plan: statusPlans.none(), want: [] },
  ])('supports the $name variant', async ({ plan, want }) => {
    const { sim, receiver } = await setup();
    sim.cloud.openWindow(USER);
    sim.cloud.nextStatusPlan(plan);
    await sendText(sim);
    await sim.clock.advance(10_000);
    expect(statusesOf(receiver).map((s) => s.status)).toEqual(want);
  });

  it('sends failed with errors[] for a number not on WhatsApp (131026)', async () => {
    const { sim, receiver } = await setup();
    sim.markNotOnWhatsApp(USER);
    sim.cloud.openWindow(USER);
    const { status } = await graphSend(sim, { type: 'text', text: { body: 'x' } });
    expect(status).toBe(200);
    await sim.clock.advance(1_000);
    expect(statusesOf(receiver)).toEqual([
      expect.objectContaining({
        status: 'failed',
        errors: [
          {
            code: 131026,
            title: 'Message undeliverable',
            message: 'Message undeliverable',
            error_data: { details: 'Message undeliverable' },
            href: '/documentation/business-messaging/whatsapp/support/error-codes',
          },
        ],
      }),
    ]);
  });

  it('a persistent planner can fail marketing templates with 131049', async () => {
    const { sim, receiver } = await setup();
    sim.cloud.setStatusPlan((m) =>
      m.template === 'relance_panier'
        ? statusPlans.failed({ code: 131049, title: 'healthy ecosystem engagement' })
        : statusPlans.normal(),
    );
    await graphSend(sim, {
      type: 'template',
      template: {
        name: 'relance_panier',
        language: { code: 'fr' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Awa' }] }],
      },
    });
    await sim.clock.advance(1_000);
    expect(statusesOf(receiver)).toMatchObject([{ status: 'failed', errors: [{ code: 131049 }] }]);
  });
});

describe('webhook delivery semantics', () => {
  it('duplicates deliveries after a 200 at the configured rate, the same ones for the same seed', async () => {
    const run = async (seed: string) => {
      const { sim } = await setup({
        seed,
        cloud: { delivery: { duplicateProbability: 0.3, duplicateDelayMs: 500 } },
      });
      for (let i = 0; i < 200; i++) await sim.cloud.inbound({ from: USER, text: `message ${i}` });
      await sim.clock.advance(1_000);
      const hooks = sim.recorder.webhooksOf('cloud');
      const duplicates = hooks.filter((w) => w.duplicate);
      // Each duplicate repeats a delivery that had already been acknowledged with 200.
      for (const d of duplicates) {
        const first = hooks.find((w) => w.deliveryId === d.deliveryId && !w.duplicate);
        expect(first?.status).toBe(200);
        expect(d.body.equals(first!.body)).toBe(true);
        expect(d.headers['x-hub-signature-256']).toBe(first?.headers['x-hub-signature-256']);
      }
      return duplicates.map((d) => d.deliveryId);
    };
    const a = await run('dup-seed');
    const b = await run('dup-seed');
    expect(a.length).toBeGreaterThanOrEqual(40);
    expect(a.length).toBeLessThanOrEqual(80);
    expect(b).toEqual(a);
  });

  it('does not duplicate when the probability is 0', async () => {
    const { sim } = await setup();
    for (let i = 0; i < 20; i++) await sim.cloud.inbound({ from: USER, text: `m${i}` });
    await sim.clock.advance(10_000);
    expect(sim.recorder.webhooksOf('cloud').filter((w) => w.duplicate)).toHaveLength(0);
  });

  it('redelivers a Cloud webhook answered with anything but 200 (even 201), with growing backoff', async () => {
    const { sim, receiver } = await setup({
      cloud: { delivery: { retry: { baseDelayMs: 1_000, jitter: 0 } } },
    });
    const answers = [500, 201, 503, 200];
    receiver.respond = (_req, i) => answers[i] ?? 200;
    await sim.cloud.inbound({ from: USER, text: 'retry me' });
    await sim.clock.advance(60_000);
    const attempts = sim.recorder.webhooksOf('cloud');
    expect(attempts.map((w) => [w.attempt, w.status])).toEqual([
      [1, 500],
      [2, 201],
      [3, 503],
      [4, 200],
    ]);
    expect(attempts.map((w) => w.atMs - START_MS)).toEqual([0, 1_000, 3_000, 7_000]);
    expect(new Set(receiver.requests.map((r) => r.rawBody.toString('hex'))).size).toBe(1);
  });

  it('treats a receiver that does not answer in time as a failure and retries', async () => {
    const { sim, receiver } = await setup({
      cloud: { delivery: { timeoutMs: 100, retry: { baseDelayMs: 1_000, jitter: 0 } } },
    });
    receiver.respond = (_req, i) => (i === 0 ? 'hang' : 200);
    await sim.cloud.inbound({ from: USER, text: 'slow receiver' });
    await sim.clock.advance(1_000);
    expect(sim.recorder.webhooksOf('cloud').map((w) => w.error ?? w.status)).toEqual(['timeout', 200]);
  });

  it('gives up after maxAttempts', async () => {
    const { sim, receiver } = await setup({
      cloud: { delivery: { retry: { maxAttempts: 3, baseDelayMs: 10, jitter: 0 } } },
    });
    receiver.respond = () => 500;
    await sim.cloud.inbound({ from: USER, text: 'never' });
    await sim.clock.runAll();
    expect(sim.recorder.webhooksOf('cloud')).toHaveLength(3);
  });

  it('Evolution stops retrying on 4xx but retries 5xx', async () => {
    const { sim, receiver } = await setup({ evolution: { delivery: { retry: { jitter: 0 } } } });
    receiver.respond = (req) => (req.rawBody.includes('stop-me') ? 404 : 500);
    await sim.evolution.inbound({ from: USER, text: 'stop-me' });
    await sim.evolution.inbound({ from: USER, text: 'retry-me' });
    await sim.clock.advance(5_000 + 10_000);
    const hooks = sim.recorder.webhooksOf('evolution');
    expect(hooks.filter((w) => w.body.includes('stop-me')).map((w) => w.status)).toEqual([404]);
    expect(hooks.filter((w) => w.body.includes('retry-me')).map((w) => w.atMs - START_MS)).toEqual([
      0, 5_000, 15_000,
    ]);
  });

  it('batches events of one number within the batch window into one POST', async () => {
    const { sim, receiver } = await setup({ cloud: { batchWindowMs: 1_000 } });
    const a = await sim.cloud.inbound({ from: USER, text: 'un' });
    const b = await sim.cloud.inbound({ from: '+2250709999999', text: 'deux' });
    expect(a.delivery).toBeUndefined();
    expect(receiver.requests).toHaveLength(0);
    await sim.clock.advance(1_000);
    expect(receiver.requests).toHaveLength(1);
    const body = JSON.parse(receiver.requests[0]!.rawBody.toString('utf8')) as {
      entry: { changes: { value: { messages: { id: string }[]; contacts: unknown[] } }[] }[];
    };
    expect(body.entry[0]!.changes[0]!.value.messages.map((m) => m.id)).toEqual([a.id, b.id]);
    expect(body.entry[0]!.changes[0]!.value.contacts).toHaveLength(2);
  });

  it('serializes once with lowercase \\uXXXX escapes and signs exactly those bytes', async () => {
    const { sim, receiver } = await setup();
    await sim.cloud.inbound({ from: USER, text: 'Très bien, ça marche ✅', name: 'Chloé' });
    const raw = receiver.requests[0]!.rawBody.toString('latin1');
    expect(raw).toContain('Tr\\u00e8s bien, \\u00e7a marche \\u2705');
    expect(raw).toContain('Chlo\\u00e9');
    expect([...raw].every((c) => c.charCodeAt(0) < 0x80)).toBe(true);
  });

  it.each([
    {
      mode: 'bad' as const,
      want: (h: string | string[] | undefined) => typeof h === 'string' && h.startsWith('sha256='),
    },
    { mode: 'missing' as const, want: (h: string | string[] | undefined) => h === undefined },
  ])('can send a $mode signature', async ({ mode, want }) => {
    const { sim, receiver } = await setup();
    await sim.cloud.inbound({ from: USER, text: 'x', signature: mode });
    const header = receiver.requests[0]!.headers['x-hub-signature-256'];
    expect(want(header)).toBe(true);
    const good = `sha256=${createHmac('sha256', sim.cloud.defaultNumber.appSecret).update(receiver.requests[0]!.rawBody).digest('hex')}`;
    expect(header).not.toBe(good);
  });

  it('initiates the GET verification handshake against the callback URL', async () => {
    const { sim, receiver } = await setup();
    receiver.respond = (req) => {
      const url = new URL(req.path, 'http://x');
      const ok = url.searchParams.get('hub.verify_token') === sim.cloud.defaultNumber.verifyToken;
      return ok
        ? { status: 200, body: url.searchParams.get('hub.challenge') ?? '' }
        : { status: 403, body: '' };
    };
    expect(await sim.cloud.verifySubscription()).toMatchObject({ ok: true, status: 200 });
    expect(await sim.cloud.verifySubscription({ verifyToken: 'wrong' })).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(receiver.requests[0]?.method).toBe('GET');
  });
});

describe('clock', () => {
  it('replays the same ids for the same seed and scenario', async () => {
    const ids = async () => {
      const { sim } = await setup({ seed: 'replay' });
      const a = await sim.cloud.inbound({ from: USER, text: 'a' });
      sim.cloud.openWindow(USER);
      return [a.id, await sendText(sim)];
    };
    expect(await ids()).toEqual(await ids());
  });

  it('in real mode, timers fire by themselves at the given speed', async () => {
    const { sim } = await setup({ clock: { mode: 'real', speed: 1_000 } });
    sim.cloud.openWindow(USER);
    await sendText(sim);
    const read = await sim.recorder.waitForWebhook((w) => w.body.includes('"status":"read"'));
    expect(read.status).toBe(200);
  });

  it('in real mode, a due timer fires while earlier timers still wait on their work', async () => {
    const clock = new SimClock({ mode: 'real' });
    try {
      const fired: string[] = [];
      let release = (): void => {};
      // A delivery to a receiver that hangs: its work stays in flight until released.
      clock.schedule(5, () => {
        fired.push('slow');
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      });
      const second = new Promise<void>((resolve) => {
        clock.schedule(30, () => {
          fired.push('retry');
          resolve();
        });
      });
      const outcome = await Promise.race([
        second.then(() => 'fired'),
        new Promise((resolve) => setTimeout(() => resolve('held'), 2_000)),
      ]);
      release();
      expect({ outcome, fired }).toEqual({ outcome: 'fired', fired: ['slow', 'retry'] });
    } finally {
      clock.close();
    }
  });

  it('in manual mode, each timer runs after the work of the one before it', async () => {
    const clock = new SimClock();
    const order: string[] = [];
    clock.schedule(5, async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push('first done');
    });
    clock.schedule(6, () => {
      order.push('second');
    });
    await clock.advance(10);
    expect(order).toEqual(['first done', 'second']);
  });
});

describe('cloud API behaviour', () => {
  it('validates interactive limits: 4 reply buttons give 131009', async () => {
    const { sim } = await setup();
    sim.cloud.openWindow(USER);
    const buttons = ['a', 'b', 'c', 'd'].map((id) => ({ type: 'reply', reply: { id, title: id } }));
    const res = await graphSend(sim, {
      type: 'interactive',
      interactive: { type: 'button', body: { text: 'Choix ?' }, action: { buttons } },
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      error: { code: 131009, type: 'OAuthException', message: '(#131009) Parameter value is not valid' },
    });
    const ok = await graphSend(sim, {
      type: 'interactive',
      interactive: { type: 'button', body: { text: 'Choix ?' }, action: { buttons: buttons.slice(0, 3) } },
    });
    expect(ok.status).toBe(200);
  });

  it('validates lists: 11 rows give 131009', async () => {
    const { sim } = await setup();
    sim.cloud.openWindow(USER);
    const rows = Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: `Taille ${i}` }));
    const res = await graphSend(sim, {
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: 'Taille ?' },
        action: { button: 'Voir', sections: [{ title: 'Tailles', rows }] },
      },
    });
    expect(res.json).toMatchObject({ error: { code: 131009 } });
  });

  it('serves media metadata and the download behind the token', async () => {
    const { sim, receiver } = await setup();
    await sim.cloud.inbound({ from: USER, type: 'image' });
    const body = JSON.parse(receiver.requests[0]!.rawBody.toString()) as {
      entry: { changes: { value: { messages: { image: { id: string } }[] } }[] }[];
    };
    const mediaId = body.entry[0]!.changes[0]!.value.messages[0]!.image.id;
    const auth = { authorization: `Bearer ${sim.cloud.defaultNumber.accessToken}` };
    const info = (await (
      await fetch(`${sim.cloud.graphUrl}/v25.0/${mediaId}`, { headers: auth })
    ).json()) as { url: string; mime_type: string };
    expect(info.mime_type).toBe('image/jpeg');
    expect((await fetch(info.url)).status).toBe(401);
    expect((await fetch(info.url, { headers: auth })).status).toBe(200);
  });

  it('records every API call, including faulted ones', async () => {
    const { sim } = await setup();
    sim.faults.add({ transport: 'cloud', kind: 'status', status: 502, times: 2 });
    await graphSend(sim, { type: 'text', text: { body: 'x' } });
    await graphSend(sim, { type: 'text', text: { body: 'x' } });
    await graphSend(sim, { type: 'text', text: { body: 'x' } });
    expect(sim.recorder.calls.map((c) => [c.status, c.fault])).toEqual([
      [502, 'status'],
      [502, 'status'],
      [400, undefined],
    ]);
  });
});

describe('evolution and waha behaviour', () => {
  it('wraps Evolution webhooks in its envelope with local time written as Z', async () => {
    const { sim, receiver } = await setup({ evolution: { serverUtcOffsetMinutes: -180 } });
    await sim.evolution.inbound({ from: USER, text: 'oi' });
    const body = JSON.parse(receiver.requests[0]!.rawBody.toString()) as Record<string, unknown>;
    expect(body).toMatchObject({
      event: 'messages.upsert',
      instance: 'sellify',
      destination: `${receiver.url}/evolution`,
      date_time: new Date(START_MS - 180 * 60_000).toISOString(),
      sender: '2250700000002@s.whatsapp.net',
      server_url: sim.evolution.baseUrl,
      apikey: null,
    });
  });

  it('byEvents appends the kebab-case event to the URL and the events list filters', async () => {
    const { sim, receiver } = await setup();
    sim.evolution.setWebhook('sellify', { byEvents: true, events: ['CONNECTION_UPDATE'] });
    await sim.evolution.inbound({ from: USER, text: 'filtered out' });
    await sim.evolution.setConnection('open');
    expect(receiver.requests.map((r) => r.path)).toEqual(['/evolution/connection-update']);
  });

  it('creates an instance, connects it through a QR code and reports open', async () => {
    const { sim, receiver } = await setup();
    const post = (path: string, body: unknown, key = sim.evolution.apiKey) =>
      fetch(`${sim.evolution.baseUrl}${path}`, {
        method: 'POST',
        headers: { apikey: key, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const created = await post('/instance/create', {
      instanceName: 'loja2',
      webhook: { url: `${receiver.url}/evolution`, events: [] },
    });
    expect(created.status).toBe(201);
    const { hash } = (await created.json()) as { hash: string };
    const connect = await fetch(`${sim.evolution.baseUrl}/instance/connect/loja2`, {
      headers: { apikey: hash },
    });
    expect(await connect.json()).toMatchObject({ code: expect.stringMatching(/^2@/), count: 1 });
    await sim.clock.advance(2_000);
    const state = await fetch(`${sim.evolution.baseUrl}/instance/connectionState/loja2`, {
      headers: { apikey: hash },
    });
    expect(await state.json()).toEqual({ instance: { instanceName: 'loja2', state: 'open' } });
    expect(sim.recorder.webhooksOf('evolution').map((w) => w.event)).toEqual([
      'qrcode.updated',
      'connection.update',
      'connection.update',
    ]);
  });

  it('WAHA webhooks carry the envelope, request id, timestamp and the SHA-512 HMAC', async () => {
    const { sim, receiver } = await setup({ waha: { hmacKey: 'k' } });
    await sim.waha.inbound({ from: USER, text: 'salut' });
    const r = receiver.requests[0]!;
    expect(JSON.parse(r.rawBody.toString())).toMatchObject({
      id: expect.stringMatching(/^evt_[0-9a-z]{26}$/),
      timestamp: START_MS,
      event: 'message',
      session: 'default',
      engine: 'NOWEB',
      payload: { id: expect.stringMatching(/^false_2250701020304@c\.us_3EB0/), fromMe: false, body: 'salut' },
    });
    expect(r.headers).toMatchObject({
      'x-webhook-timestamp': String(START_MS),
      'x-webhook-hmac-algorithm': 'sha512',
      'x-webhook-hmac': createHmac('sha512', 'k').update(r.rawBody).digest('hex'),
    });
    expect(r.headers['x-webhook-request-id']).toBeTruthy();
  });

  it('WAHA resolves a LID to the phone chat id', async () => {
    const { sim } = await setup();
    await sim.waha.inbound({ from: USER, text: 'x', lid: '99887766' });
    const res = await fetch(`${sim.waha.baseUrl}/api/default/lids/99887766`, {
      headers: { 'x-api-key': sim.waha.apiKey },
    });
    expect(await res.json()).toEqual({ lid: '99887766@lid', pn: '2250701020304@c.us' });
  });
});
