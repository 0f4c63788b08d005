/**
 * The pipelines in process, for the tests that drive them by hand: a real store (PGlite by default,
 * or a given backend), a real queue, the sandbox transport recording what goes out, and a clock the
 * test controls. Inbound events go through processEvents; the tests then call the job handlers
 * themselves (flushSends runs the send handler over every queued reply), at the instants they choose.
 */
import {
  type ChannelTarget,
  handleOutbound,
  type OutboundJobData,
  type PipelineDeps,
} from '../../src/pipeline/index.ts';
import { type Job, type Queue, startQueue } from '../../src/queue/index.ts';
import {
  type Contact,
  createStore,
  type Db,
  type Message,
  type Playbook,
  type Store,
} from '../../src/store/index.ts';
import {
  createSandboxClient,
  createSandboxHub,
  type InboundEvent,
  type SandboxHub,
} from '../../src/whatsapp/index.ts';
import { freshTenant, type TestBackend, testBackends, testKeyring } from './store.ts';

export interface PipelineHarnessOptions {
  /** The clock every part reads (pipelines, sandbox hub, send jobs). */
  nowMs: () => number;
  /** Default: the last of testBackends() (Postgres when TEST_DATABASE_URL is set, else PGlite). */
  backend?: TestBackend;
  /** `none`: a test that must never send (the transport client throws). Default: the sandbox hub. */
  sends?: 'sandbox' | 'none';
  /** The language model of deps (default none). */
  llm?: PipelineDeps['llm'];
}

export interface ShopOptions {
  /** Default: one product, "Sac noir", 15 000 XOF, 4 in stock. */
  products?: Array<{ name: string; price: number; currency: string; stock: number }>;
  /** Written as it is (the playbook API validates it on the way in; tests write it directly). */
  playbook?: Playbook['info'];
  transport?: 'sandbox' | 'cloud';
}

export interface Shop {
  tenantId: string;
  channelId: string;
  target: ChannelTarget;
  /** The products' ids, in the order given. */
  productIds: string[];
}

export interface PipelineHarness {
  db: Db;
  store: Store;
  queue: Queue;
  hub: SandboxHub;
  deps: PipelineDeps;
  /** A fresh tenant with its catalogue, playbook and one channel. */
  shop(options?: ShopOptions): Promise<Shop>;
  /** A customer's text message, with a fresh provider id (`${prefix}_${n}`) at the harness clock. */
  message(from: string, text: string, options?: { providerId?: string; prefix?: string }): InboundEvent;
  /** A send job for the handler, as the queue would give it. */
  outboundJob(data: OutboundJobData): Job;
  /**
   * Runs every queued outbound message of the tenant (or of one contact) through the send handler,
   * oldest first. Returns how many it ran.
   */
  flushSends(tenantId: string, options?: { contactId?: string }): Promise<number>;
  /** The texts the sandbox channel sent, oldest first. */
  texts(channelId: string): string[];
  /** The tenant's first contact (tests with one customer). */
  onlyContact(tenantId: string): Promise<Contact>;
  close(): Promise<void>;
}

const SAC_NOIR = { name: 'Sac noir', price: 15000, currency: 'XOF', stock: 4 };

export async function openPipeline(options: PipelineHarnessOptions): Promise<PipelineHarness> {
  const db = await (options.backend ?? testBackends().at(-1)!).open();
  const store = createStore(db, testKeyring());
  const queue = await startQueue(db);
  const hub = createSandboxHub({ now: options.nowMs });
  const deps: PipelineDeps = {
    store,
    queue,
    nowMs: options.nowMs,
    clientFor:
      options.sends === 'none'
        ? () => {
            throw new Error('no sends in this test');
          }
        : (channel) => createSandboxClient({ channelId: channel.id }, { hub, sleep: async () => {} }),
    sleep: async () => {},
    pacingScale: 0,
    log: { info: () => {}, warn: () => {}, error: () => {} },
    ...(options.llm !== undefined ? { llm: options.llm } : {}),
  };
  let seq = 0;

  const outboundJob = (data: OutboundJobData): Job => ({
    id: `job_${++seq}`,
    name: 'outbound',
    data: { ...data },
    groupKey: null,
    attempt: 1,
    retryLimit: 5,
    signal: new AbortController().signal,
  });

  return {
    db,
    store,
    queue,
    hub,
    deps,
    async shop(shop = {}) {
      const tenantId = await freshTenant(db);
      return store.tx(tenantId, async (r) => {
        const productIds: string[] = [];
        for (const p of shop.products ?? [SAC_NOIR]) productIds.push((await r.products.create(p)).id);
        if (shop.playbook !== undefined) await r.playbook.put({ info: shop.playbook });
        const channel = await r.channels.create({ name: 'Sandbox', transport: shop.transport ?? 'sandbox' });
        return { tenantId, channelId: channel.id, target: { tenantId, channelId: channel.id }, productIds };
      });
    },
    message(from, text, opts = {}) {
      seq += 1;
      return {
        kind: 'message',
        providerId: opts.providerId ?? `${opts.prefix ?? 'sbx'}_${seq}`,
        from: { phone: from },
        timestampMs: options.nowMs(),
        type: 'text',
        text,
      };
    },
    outboundJob,
    async flushSends(tenantId, opts = {}) {
      const queued = await store.tx(tenantId, async (r) => {
        const contactIds =
          opts.contactId !== undefined
            ? [opts.contactId]
            : (await r.contacts.list({ limit: 200 })).items.map((c) => c.id);
        const all: Message[] = [];
        for (const id of contactIds) {
          const page = await r.messages.history(id, { limit: 200 });
          all.push(...page.items.filter((m) => m.direction === 'out' && m.status === 'queued'));
        }
        return all.sort((a, b) => a.createdAtMs - b.createdAtMs);
      });
      for (const m of queued) {
        const typingAtMs = options.nowMs();
        await handleOutbound(deps, outboundJob({ tenantId, messageId: m.id, typingAtMs, typingMs: 0 }));
      }
      return queued.length;
    },
    texts(channelId) {
      return hub
        .inbox(channelId)
        .sent.filter((s) => s.kind === 'text')
        .map((s) => (s.kind === 'text' ? s.text : ''));
    },
    onlyContact(tenantId) {
      return store.tx(tenantId, async (r) => (await r.contacts.list({ limit: 1 })).items[0]!);
    },
    async close() {
      await queue.stop({ graceful: false });
      await store.close();
    },
  };
}
