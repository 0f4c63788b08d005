/**
 * A send job that fails for a reason other than the transport (the store refusing what the send
 * produced, a bug) is never silent: each attempt logs the ids and what happens next, and the
 * message is marked failed (`worker_error`) once no retry follows, so the API and `sellify chat`
 * show it instead of a reply that stays "queued" for good (issue 12.14).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  handleOutbound,
  type OutboundJobData,
  type PipelineDeps,
  processEvents,
  WORKER_ERROR_CODE,
} from '../../src/pipeline/index.ts';
import { type Job, startQueue } from '../../src/queue/index.ts';
import { createStore, type Message, openDb, type Store } from '../../src/store/index.ts';
import { createSandboxClient, createSandboxHub, type InboundEvent } from '../../src/whatsapp/index.ts';
import { freshTenant, testKeyring } from '../support/store.ts';

const NOW = Date.parse('2026-11-23T10:00:00Z');
const CUSTOMER_TEXT = "c'est combien le sac noir ?";

interface Logged {
  level: 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string | undefined;
}

let store: Store;
let deps: PipelineDeps;
let stopQueue: () => Promise<void>;
const logged: Logged[] = [];
/** What the next transport client does: the old sandbox (every send the same provider id), or a bug. */
let clientBehaviour: 'same-provider-id' | 'throws' = 'same-provider-id';

beforeAll(async () => {
  const db = await openDb({ memory: true, dataDir: '' });
  store = createStore(db, testKeyring());
  const queue = await startQueue(db);
  stopQueue = () => queue.stop({ graceful: false });
  // Every send gets the same provider id: what the sandbox's per-process counter did after a restart.
  const hub = createSandboxHub({ now: () => NOW, nextProviderId: () => 'sbx_restarted_1' });
  deps = {
    store,
    queue,
    nowMs: () => NOW,
    clientFor: (channel) => {
      if (clientBehaviour === 'throws') throw new TypeError('a bug in the worker');
      return createSandboxClient({ channelId: channel.id }, { hub, sleep: async () => {} });
    },
    sleep: async () => {},
    pacingScale: 0,
    log: {
      info: () => {},
      warn: (obj, msg) => logged.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
      error: (obj, msg) => logged.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
    },
  };
});

afterAll(async () => {
  await stopQueue?.();
  await store?.close();
});

let seq = 0;
async function askPrice(tenantId: string, channelId: string, phone: string): Promise<Message> {
  seq += 1;
  const event: InboundEvent = {
    kind: 'message',
    providerId: `in_${seq}`,
    from: { phone },
    timestampMs: NOW,
    type: 'text',
    text: CUSTOMER_TEXT,
  };
  await processEvents(deps, { tenantId, channelId }, [event]);
  return store.tx(tenantId, async (r) => {
    const contact = (await r.contacts.list({ limit: 50 })).items.find((c) => c.phone === phone)!;
    const history = await r.messages.history(contact.id, { limit: 10 });
    return history.items.find((m) => m.direction === 'out')!;
  });
}

function job(tenantId: string, messageId: string, attempt: number): Job {
  const data: OutboundJobData = { tenantId, messageId, typingAtMs: NOW, typingMs: 0 };
  return {
    id: `job_${messageId}_${attempt}`,
    name: 'outbound',
    data: { ...data },
    groupKey: null,
    attempt,
    retryLimit: 5,
    signal: new AbortController().signal,
  };
}

async function shop() {
  const tenantId = await freshTenant(store.db);
  const channel = await store.tx(tenantId, async (r) => {
    await r.products.create({ name: 'Sac noir', price: 15000, currency: 'XOF', stock: 4 });
    return r.channels.create({ name: 'Sandbox', transport: 'sandbox' });
  });
  return { tenantId, channelId: channel.id };
}

const statusOf = (tenantId: string, id: string) => store.tx(tenantId, (r) => r.messages.get(id));

describe('send job failures', () => {
  it('marks the message failed at once when the provider id of the send is already stored, and logs the ids', async () => {
    clientBehaviour = 'same-provider-id';
    logged.length = 0;
    const { tenantId, channelId } = await shop();
    const first = await askPrice(tenantId, channelId, '+2250701020304');
    await handleOutbound(deps, job(tenantId, first.id, 1));
    expect(await statusOf(tenantId, first.id)).toMatchObject({
      status: 'sent',
      providerId: 'sbx_restarted_1',
    });

    // The second reply gets the same provider id: the store refuses it, retrying cannot help.
    const second = await askPrice(tenantId, channelId, '+2250701020305');
    await handleOutbound(deps, job(tenantId, second.id, 1));
    expect(await statusOf(tenantId, second.id)).toMatchObject({
      status: 'failed',
      errorCode: WORKER_ERROR_CODE,
    });
    expect(logged).toEqual([
      {
        level: 'error',
        obj: expect.objectContaining({
          tenantId,
          messageId: second.id,
          jobId: `job_${second.id}_1`,
          attempt: 1,
          attempts: 6,
          outcome: 'failed',
        }),
        msg: expect.stringContaining('message marked failed'),
      },
    ]);
    // Ids and the error, never the customer's number or words.
    const line = JSON.stringify(logged);
    expect(line).not.toContain('0701020305');
    expect(line).not.toContain('sac noir');
  });

  it('retries another failure with a warning, and on the last attempt marks the message failed and dead-letters the job', async () => {
    const { tenantId, channelId } = await shop();
    clientBehaviour = 'same-provider-id';
    const message = await askPrice(tenantId, channelId, '+2250701020306');
    clientBehaviour = 'throws';
    logged.length = 0;

    await expect(handleOutbound(deps, job(tenantId, message.id, 1))).rejects.toThrow('a bug in the worker');
    expect(await statusOf(tenantId, message.id)).toMatchObject({ status: 'queued' });
    expect(logged).toEqual([
      {
        level: 'warn',
        obj: expect.objectContaining({ messageId: message.id, attempt: 1, outcome: 'retry' }),
        msg: 'send job failed; it will be retried',
      },
    ]);

    // The last attempt (1 + retryLimit) still throws, so pg-boss moves the job to its dead-letter queue.
    await expect(handleOutbound(deps, job(tenantId, message.id, 6))).rejects.toThrow('a bug in the worker');
    expect(await statusOf(tenantId, message.id)).toMatchObject({
      status: 'failed',
      errorCode: WORKER_ERROR_CODE,
    });
    expect(logged[1]).toEqual({
      level: 'error',
      obj: expect.objectContaining({
        messageId: message.id,
        attempt: 6,
        outcome: 'dead_letter',
        error: 'TypeError: a bug in the worker',
      }),
      msg: expect.stringContaining('dead-lettered'),
    });
  });
});
