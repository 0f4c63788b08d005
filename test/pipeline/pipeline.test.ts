/**
 * The pipelines in process, with a clock the test moves: inbound events through processEvents,
 * then the job handlers called at chosen instants, and the sandbox transport recording what went
 * out. Follow-up ladders are hours long, so they are tested here rather than over a real clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  handleFollowup,
  handleOutbound,
  type PipelineDeps,
  processEvents,
} from '../../src/pipeline/index.ts';
import { openPipeline, type PipelineHarness } from '../support/pipeline.ts';
import { testBackends } from '../support/store.ts';

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-23T10:00:00Z'); // a Monday, 10:00 in Abidjan

let now = T0;
let h: PipelineHarness;

beforeAll(async () => {
  h = await openPipeline({ nowMs: () => now, backend: testBackends()[0] });
});

afterAll(async () => {
  await h?.close();
});

describe('pipeline with a controlled clock', () => {
  it('follows up 15 minutes after our last message, then stops for good after STOP', async () => {
    now = T0;
    const { tenantId, channelId } = await h.shop();
    const target = { tenantId, channelId };
    await processEvents(h.deps, target, [h.message('+2250701020304', "c'est combien le sac noir ?")]);
    expect(await h.flushSends(tenantId)).toBe(1);
    expect(h.texts(channelId)[0]).toContain('15 000 FCFA');
    const contact = await h.onlyContact(tenantId);

    now = T0 + 10 * MINUTE;
    await handleFollowup(h.deps, tenantId, contact.id);
    expect(await h.flushSends(tenantId)).toBe(0);

    now = T0 + 16 * MINUTE;
    await handleFollowup(h.deps, tenantId, contact.id);
    expect(await h.flushSends(tenantId)).toBe(1);
    expect(h.texts(channelId)).toHaveLength(2);
    expect((await h.onlyContact(tenantId)).followupsSent).toBe(1);

    now = T0 + 30 * MINUTE;
    await processEvents(h.deps, target, [h.message('+2250701020304', 'STOP')]);
    expect(await h.flushSends(tenantId)).toBe(1);
    expect(h.texts(channelId).at(-1)).toContain('START');

    for (const later of [2 * 60, 26 * 60, 72 * 60]) {
      now = T0 + later * MINUTE;
      await handleFollowup(h.deps, tenantId, contact.id);
      expect(await h.flushSends(tenantId)).toBe(0);
    }
    expect(h.texts(channelId)).toHaveLength(3);
  });

  it('cancels the ladder when the customer writes again', async () => {
    now = T0;
    const { tenantId, channelId } = await h.shop();
    const target = { tenantId, channelId };
    await processEvents(h.deps, target, [h.message('+2250709090909', 'cb le sac noir')]);
    await h.flushSends(tenantId);
    const contact = await h.onlyContact(tenantId);
    now = T0 + 5 * MINUTE;
    await processEvents(h.deps, target, [h.message('+2250709090909', 'ok merci')]);
    // The customer spoke last: no nudge is due from the first schedule.
    now = T0 + 16 * MINUTE;
    await handleFollowup(h.deps, tenantId, contact.id);
    expect((await h.onlyContact(tenantId)).followupsSent).toBe(0);
    await h.flushSends(tenantId);
    const sent = h.texts(channelId);
    expect(sent.some((t) => /réfléchir|rappel/i.test(t))).toBe(false);
  });

  it('does not send a queued reply when a STOP arrived meanwhile, but confirms the STOP', async () => {
    now = T0;
    const { tenantId, channelId } = await h.shop();
    const target = { tenantId, channelId };
    await processEvents(h.deps, target, [h.message('+2250701111111', 'cb le sac noir')]);
    now = T0 + 2_000;
    await processEvents(h.deps, target, [h.message('+2250701111111', 'STOP')]);
    await h.flushSends(tenantId);
    const sent = h.texts(channelId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('START');
  });

  it('never sends a second copy when the worker died after the provider accepted the send', async () => {
    now = T0;
    const { tenantId, channelId } = await h.shop();
    const target = { tenantId, channelId };
    await processEvents(h.deps, target, [h.message('+2250702222222', 'cb le sac noir')]);
    // Simulate the crash: the attempt was marked and the provider accepted it, but the worker died
    // before storing the provider id; the provider's "sent" status carries our id back.
    const queued = await h.store.tx(tenantId, async (r) => {
      const contact = (await r.contacts.list({ limit: 1 })).items[0]!;
      const out = (await r.messages.history(contact.id)).items.find((m) => m.direction === 'out')!;
      await r.messages.beginSend(out.id, now);
      return out;
    });
    await processEvents(h.deps, target, [
      {
        kind: 'status',
        providerId: 'sbx_provider_1',
        status: 'sent',
        timestampMs: now,
        callbackData: queued.id,
      },
    ]);
    now = T0 + 30_000;
    await handleOutbound(
      h.deps,
      h.outboundJob({ tenantId, messageId: queued.id, typingAtMs: now, typingMs: 0 }),
    );
    expect(h.texts(channelId)).toHaveLength(0);
    const stored = await h.store.tx(tenantId, (r) => r.messages.get(queued.id));
    expect(stored).toMatchObject({ status: 'sent', providerId: 'sbx_provider_1' });
  });

  it('leaves no attempt mark when the handler is stopped during the paced wait, so its retry need not wait for proof', async () => {
    now = T0;
    const { tenantId, channelId } = await h.shop();
    await processEvents(h.deps, { tenantId, channelId }, [h.message('+2250704444444', 'cb le sac noir')]);
    const out = await h.store.tx(tenantId, async (r) => {
      const contact = (await r.contacts.list({ limit: 1 })).items[0]!;
      return (await r.messages.history(contact.id)).items.find((m) => m.direction === 'out')!;
    });
    const stopping = new AbortController();
    const stoppedDeps: PipelineDeps = {
      ...h.deps,
      // SIGTERM arrives while the reply waits its human-like gap.
      sleep: async () => {
        stopping.abort();
        throw new Error('aborted during the paced wait');
      },
    };
    await expect(
      handleOutbound(stoppedDeps, {
        ...h.outboundJob({ tenantId, messageId: out.id, typingAtMs: now + 5_000, typingMs: 0 }),
        signal: stopping.signal,
      }),
    ).rejects.toThrow(/paced wait/);
    const stored = await h.store.tx(tenantId, (r) => r.messages.get(out.id));
    expect(stored).toMatchObject({ status: 'queued', sendStartedAtMs: null, attempts: 0 });
    expect(h.texts(channelId)).toHaveLength(0);
    expect(await h.flushSends(tenantId)).toBe(1);
    expect(h.texts(channelId)).toHaveLength(1);
  });

  it('keeps the message queued and retries when the transport fails transiently', async () => {
    now = T0;
    const { tenantId, channelId } = await h.shop();
    await processEvents(h.deps, { tenantId, channelId }, [h.message('+2250703333333', 'cb le sac noir')]);
    h.hub.inbox(channelId).failNext({ class: 'retry', code: 'http_503', message: 'unavailable' }, 1);
    await expect(h.flushSends(tenantId)).rejects.toThrow(/transient/);
    expect(await h.flushSends(tenantId)).toBe(1);
    expect(h.texts(channelId)).toHaveLength(1);
  });
});
