import { describe, expect, it } from 'vitest';
import { WebhookPayloadError } from '../types.ts';
import {
  createSandboxClient,
  createSandboxHub,
  parseSandboxWebhook,
  SANDBOX_INBOX_CAPACITY,
  type SandboxOutbound,
  sandboxProviderId,
  verifySandboxWebhook,
} from './sandbox.ts';

function setup() {
  let nowMs = 1_000;
  let counter = 0;
  const hub = createSandboxHub({
    now: () => nowMs,
    nextProviderId: (channelId) => `sbx_${channelId}_${++counter}`,
  });
  const client = createSandboxClient({ channelId: 'ch_1' }, { hub });
  return { hub, client, inbox: hub.inbox('ch_1'), tick: (ms: number) => (nowMs += ms) };
}

describe('sandbox client', () => {
  it('records text, template, read and typing in order with stable provider ids', async () => {
    const { client, inbox, tick } = setup();
    await client.markRead('in_1', '+2250701020304');
    await client.typing('+2250701020304', 1200, 'in_1');
    tick(1200);
    const sent = await client.sendText({
      to: '+2250701020304',
      text: 'Le sac noir est à 15 000 F',
      replyToProviderId: 'in_1',
    });
    const template = await client.sendTemplate({
      to: '+2250701020304',
      name: 'relance',
      language: 'fr',
      parameters: ['Awa'],
    });
    expect(sent).toEqual({ ok: true, providerId: 'sbx_ch_1_1' });
    expect(template).toEqual({ ok: true, providerId: 'sbx_ch_1_2' });
    expect(inbox.sent).toEqual([
      { kind: 'read', providerId: 'in_1', to: '+2250701020304', atMs: 1_000 },
      { kind: 'typing', to: '+2250701020304', durationMs: 1200, inReplyToProviderId: 'in_1', atMs: 1_000 },
      {
        kind: 'text',
        providerId: 'sbx_ch_1_1',
        to: '+2250701020304',
        text: 'Le sac noir est à 15 000 F',
        replyToProviderId: 'in_1',
        atMs: 2_200,
      },
      {
        kind: 'template',
        providerId: 'sbx_ch_1_2',
        to: '+2250701020304',
        name: 'relance',
        language: 'fr',
        parameters: ['Awa'],
        atMs: 2_200,
      },
    ]);
  });

  it('gives provider ids that a second process (a restarted server) does not give again', async () => {
    // Two hubs are two processes; the old counter gave `sbx_ch_1_1` in both.
    const ids = new Set<string>();
    for (let process = 0; process < 2; process++) {
      const client = createSandboxClient({ channelId: 'ch_1' }, { hub: createSandboxHub() });
      for (let i = 0; i < 50; i++) {
        const sent = await client.sendText({ to: '+2250701020304', text: `m${i}` });
        if (!sent.ok) throw new Error('send failed');
        ids.add(sent.providerId);
      }
    }
    expect(ids.size).toBe(100);
    // Time-ordered: a later millisecond sorts after an earlier one.
    expect(sandboxProviderId('ch_1', 1_000) < sandboxProviderId('ch_1', 2_000)).toBe(true);
    expect(sandboxProviderId('ch_1', 1_000)).toMatch(/^sbx_ch_1_0000000rs_[0-9a-f]{12}$/);
  });

  it(`keeps the last ${SANDBOX_INBOX_CAPACITY} items of a channel, while listeners see every one`, async () => {
    const hub = createSandboxHub();
    const client = createSandboxClient({ channelId: 'ch_1' }, { hub });
    const inbox = hub.inbox('ch_1');
    let heard = 0;
    inbox.subscribe(() => heard++);
    const total = SANDBOX_INBOX_CAPACITY * 3 + 7;
    for (let i = 0; i < total; i++) await client.sendText({ to: '+2250701020304', text: `m${i}` });
    const texts = inbox.sent.map((s) => (s.kind === 'text' ? s.text : ''));
    expect(texts).toHaveLength(SANDBOX_INBOX_CAPACITY);
    expect(texts[0]).toBe(`m${total - SANDBOX_INBOX_CAPACITY}`);
    expect(texts.at(-1)).toBe(`m${total - 1}`);
    expect(heard).toBe(total);
    inbox.clear();
    expect(inbox.sent).toEqual([]);
  });

  it('keeps the inboxes of at most maxInboxes channels, forgetting the least recently used unheard one', async () => {
    const hub = createSandboxHub({ maxInboxes: 3, capacity: 2 });
    const send = (channelId: string) =>
      createSandboxClient({ channelId }, { hub }).sendText({ to: '+2250701020304', text: channelId });
    for (const id of ['a', 'b', 'c']) await send(id);
    hub.inbox('a').subscribe(() => {});
    await send('d'); // 'a' is the oldest but has a listener: 'b' goes.
    expect(hub.channelIds().sort()).toEqual(['a', 'c', 'd']);
    expect(hub.inbox('a').sent).toHaveLength(1);
    // A thousand channels later the hub still holds three inboxes.
    for (let i = 0; i < 1000; i++) await send(`x${i}`);
    expect(hub.channelIds()).toHaveLength(3);
  });

  it('keeps channels apart', async () => {
    const { hub, client } = setup();
    const other = createSandboxClient({ channelId: 'ch_2' }, { hub });
    await client.sendText({ to: '+2250701020304', text: 'a' });
    await other.sendText({ to: '+2250701020304', text: 'b' });
    expect(hub.inbox('ch_1').sent.map((s) => (s.kind === 'text' ? s.text : ''))).toEqual(['a']);
    expect(hub.inbox('ch_2').sent.map((s) => (s.kind === 'text' ? s.text : ''))).toEqual(['b']);
    expect(hub.channelIds().sort()).toEqual(['ch_1', 'ch_2']);
  });

  it('fails the next sends with the queued error, then sends again', async () => {
    const { client, inbox } = setup();
    inbox.failNext({ class: 'defer', code: '131056', message: 'pair limit', retryAfterMs: 1000 }, 2);
    const first = await client.sendText({ to: '+2250701020304', text: 'x' });
    const second = await client.sendTemplate({ to: '+2250701020304', name: 't', language: 'fr' });
    const third = await client.sendText({ to: '+2250701020304', text: 'y' });
    expect(first).toMatchObject({ ok: false, error: { class: 'defer', code: '131056' } });
    expect(second).toMatchObject({ ok: false, error: { code: '131056' } });
    expect(third).toMatchObject({ ok: true });
    expect(inbox.sent).toHaveLength(1);
  });

  it('notifies subscribers and async iterators of later sends, and stops on abort', async () => {
    const { client, inbox } = setup();
    const seen: SandboxOutbound[] = [];
    const unsubscribe = inbox.subscribe((item) => seen.push(item));
    const controller = new AbortController();
    const iterated: string[] = [];
    const consumer = (async () => {
      for await (const item of inbox.watch(controller.signal)) {
        if (item.kind === 'text') iterated.push(item.text);
        if (iterated.length === 2) controller.abort();
      }
    })();
    await client.sendText({ to: '+2250701020304', text: 'un' });
    await client.sendText({ to: '+2250701020304', text: 'deux' });
    unsubscribe();
    await client.sendText({ to: '+2250701020304', text: 'trois' });
    await consumer;
    expect(iterated).toEqual(['un', 'deux']);
    expect(seen.map((s) => s.kind)).toEqual(['text', 'text']);
  });

  it('typing waits with the given sleep and returns at once without one', async () => {
    const { hub } = setup();
    const waits: number[] = [];
    const slow = createSandboxClient(
      { channelId: 'ch_s' },
      { hub, sleep: async (ms) => void waits.push(ms) },
    );
    await slow.typing('+2250701020304', 3000);
    expect(waits).toEqual([3000]);
  });
});

describe('verifySandboxWebhook', () => {
  const cases = [
    { name: 'accepts X-Sellify-Token', headers: { 'x-sellify-token': 's3' }, want: { ok: true } },
    { name: 'accepts Bearer', headers: { authorization: 'Bearer s3' }, want: { ok: true } },
    {
      name: 'rejects a wrong token',
      headers: { 'x-sellify-token': 'no' },
      want: { ok: false, reason: 'bad_signature' },
    },
    { name: 'reports a missing token', headers: {}, want: { ok: false, reason: 'missing_signature' } },
  ];
  it.each(cases)('$name', ({ headers, want }) => {
    expect(verifySandboxWebhook({ rawBody: Buffer.from('{}'), headers }, { webhookSecret: 's3' })).toEqual(
      want,
    );
  });
  it('refuses everything without a secret', () => {
    expect(
      verifySandboxWebhook({ rawBody: Buffer.from('{}'), headers: { 'x-sellify-token': 'x' } }, {}),
    ).toEqual({
      ok: false,
      reason: 'missing_secret',
    });
  });
});

describe('parseSandboxWebhook', () => {
  it('turns { from, text, id } into a text message with an E.164 sender', () => {
    expect(
      parseSandboxWebhook(
        { from: '+225 07 01 02 03 04', text: 'Bonjour', id: 'm1', name: 'Awa' },
        { receivedAtMs: 5 },
      ),
    ).toEqual([
      {
        kind: 'message',
        providerId: 'm1',
        from: { phone: '+2250701020304', waId: '2250701020304', name: 'Awa' },
        timestampMs: 5,
        type: 'text',
        text: 'Bonjour',
      },
    ]);
  });

  it('accepts arrays and { messages: [...] }, ignoring incomplete items', () => {
    const events = parseSandboxWebhook({
      messages: [{ from: '2250701020304', text: 'a', id: '1' }, { from: 'x' }],
    });
    expect(events).toMatchObject([
      { kind: 'message', text: 'a' },
      { kind: 'ignored', reason: 'malformed_item' },
    ]);
    expect(parseSandboxWebhook([{ from: '2250701020304', text: '', id: '2' }])).toMatchObject([
      { kind: 'message', text: '' },
    ]);
  });

  it('throws WebhookPayloadError for a body that is not an object or array', () => {
    expect(() => parseSandboxWebhook('hello')).toThrow(WebhookPayloadError);
  });
});
