/**
 * Micro-batched ingestion (issue 17). Concurrent webhooks of one tenant share one transaction:
 * the first arrival starts a flush on the next turn, and while one batch commits the next gathers
 * (the same shape as src/store/group-commit.ts). The per-message cost that a batch pays once —
 * BEGIN, role and tenant, COMMIT (a WAL flush), the channel row, its health events, the send
 * counters, the catalogue and the playbook — is then shared by up to `maxBatchEvents` messages.
 * The rows every message writes last — its decision, its queued reply, its send job, its event-log
 * entries — are held back and written at the batch's end, one multi-row INSERT per table
 * (deferredWrites, Queue.enqueueManyIn, store.tx `deferEvents`); what stays one statement per
 * message is what a later message of the batch may depend on: the contact, the inbound message
 * (its provider id is the redelivery check) and the contact's update.
 *
 * The promise of the unbatched path is kept:
 * - A webhook's promise resolves only after its batch has committed: nothing is acknowledged
 *   before it is durable.
 * - Events run one after another in arrival order within a batch, and one batch at a time per
 *   lane; a customer's webhooks always take the same lane (laneOf), so two messages of one
 *   contact are decided in order, the second on the state the first left. PGlite has one lane
 *   (one connection); PostgreSQL several, so round trips of different customers overlap.
 * - A redelivered message finds its provider id taken, in the batch or before it.
 * - Any error in a batch rolls the whole batch back and its webhooks are then processed one by
 *   one exactly as without batching (processEvents: one transaction per event). So a poison event
 *   rolls back alone and is parked in failed_events, the other webhooks still commit, and an
 *   infrastructure error fails only the webhooks it still fails alone (5xx, redelivery).
 *   This is optimistic rather than one SAVEPOINT per event: a savepoint and its release are two
 *   more statements per message (two round trips on PostgreSQL) paid on every batch, while
 *   poison events are rare; the fall-back costs one extra pass only for a batch that failed.
 */

import type { Decision } from '../engines/decide.ts';
import type { JobSpec } from '../queue/index.ts';
import {
  type NewDecision,
  type NewOutboundMessage,
  newId,
  type Queryable,
  type Store,
  type TenantRepos,
} from '../store/index.ts';
import { decisionsRepo } from '../store/repos/decisions.ts';
import { plannedOutbound } from '../store/repos/messages.ts';
import type { InboundEvent } from '../whatsapp/index.ts';
import { HEALTH_LOOKBACK_MS } from './context.ts';
import type { PipelineDeps, PipelineMetrics } from './deps.ts';
import {
  type ChannelTarget,
  emptyOutcome,
  type InboundOutcome,
  processEventIn,
  processEvents,
} from './inbound.ts';
import { runCombined, statementCollector } from './statements.ts';

/** Most events per batch transaction (a webhook is never split; a bigger one runs alone). */
export const DEFAULT_MAX_BATCH_EVENTS = 64;

/** Batches of one tenant in flight at once on PostgreSQL (within the pool's connections). */
export const DEFAULT_POSTGRES_LANES = 4;

/**
 * The lane of a webhook: its first sender's, so every message of one customer goes through the
 * same lane and is decided after the ones before it. A webhook naming no sender (statuses,
 * connection events) goes by its channel.
 */
export function laneOf(target: ChannelTarget, events: readonly InboundEvent[], lanes: number): number {
  if (lanes <= 1) return 0;
  let key = target.channelId;
  for (const e of events) {
    if (e.kind !== 'message') continue;
    key = `${target.channelId}|${e.from.phone ?? e.from.waId ?? e.from.bsuid ?? ''}`;
    break;
  }
  // FNV-1a: stable and cheap; the spread only has to be even, not secret.
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % lanes;
}

export interface BatchReport {
  tenantId: string;
  webhooks: number;
  events: number;
  /** The batch failed and its webhooks were processed one by one. */
  fellBack: boolean;
}

export interface InboundBatcherOptions {
  /** Default DEFAULT_MAX_BATCH_EVENTS. */
  maxBatchEvents?: number;
  /**
   * Batches of one tenant in flight at once, each over its own lane of senders. Default: 1 on
   * PGlite (one connection: a second transaction would only queue), DEFAULT_POSTGRES_LANES on
   * PostgreSQL, where one batch at a time leaves the server idle during every round trip.
   */
  lanes?: number;
  /** Told after each batch (tests, benchmarks). */
  onBatch?: (report: BatchReport) => void;
}

/** processEvents with micro-batching: what the webhook routes call in production. */
export type BatchedProcessEvents = (
  target: ChannelTarget,
  events: readonly InboundEvent[],
) => Promise<InboundOutcome>;

interface Pending {
  target: ChannelTarget;
  events: readonly InboundEvent[];
  resolve: (outcome: InboundOutcome) => void;
  reject: (err: unknown) => void;
}

export function createInboundBatcher(
  deps: PipelineDeps,
  options: InboundBatcherOptions = {},
): BatchedProcessEvents {
  const maxEvents = Math.max(1, options.maxBatchEvents ?? DEFAULT_MAX_BATCH_EVENTS);
  const lanes = Math.max(
    1,
    options.lanes ?? (deps.store.db.kind === 'postgres' ? DEFAULT_POSTGRES_LANES : 1),
  );
  const pending = new Map<string, Pending[]>();
  const running = new Set<string>();
  const zones: ChannelZones = new Map();

  const takeBatch = (queue: Pending[]): Pending[] => {
    let events = queue[0]?.events.length ?? 0;
    let n = 1;
    while (n < queue.length && events + queue[n]!.events.length <= maxEvents) {
      events += queue[n]!.events.length;
      n++;
    }
    return queue.splice(0, n);
  };

  const flush = async (tenantId: string, key: string): Promise<void> => {
    running.add(key);
    try {
      for (;;) {
        const queue = pending.get(key);
        if (!queue || queue.length === 0) break;
        const batch = takeBatch(queue);
        const events = batch.reduce((n, p) => n + p.events.length, 0);
        let fellBack = false;
        try {
          const outcomes = await commitBatch(deps, tenantId, batch, zones);
          for (const [i, p] of batch.entries()) p.resolve(outcomes[i]!);
        } catch (err) {
          fellBack = true;
          deps.log.warn(
            {
              tenantId,
              webhooks: batch.length,
              events,
              error: err instanceof Error ? err.name : 'unknown',
            },
            'webhook batch failed; processing its webhooks one by one',
          );
          for (const p of batch) {
            try {
              p.resolve(await processEvents(deps, p.target, p.events));
            } catch (one) {
              p.reject(one);
            }
          }
        }
        options.onBatch?.({ tenantId, webhooks: batch.length, events, fellBack });
      }
    } finally {
      running.delete(key);
      pending.delete(key);
    }
  };

  return (target, events) => {
    if (events.length === 0) return Promise.resolve(emptyOutcome());
    const key = `${target.tenantId}\u0000${laneOf(target, events, lanes)}`;
    return new Promise<InboundOutcome>((resolve, reject) => {
      const queue = pending.get(key) ?? [];
      queue.push({ target, events, resolve, reject });
      pending.set(key, queue);
      // The first webhook starts the flush on the next turn, so webhooks arriving together share it.
      if (!running.has(key) && queue.length === 1) setImmediate(() => void flush(target.tenantId, key));
    });
  };
}

/**
 * The time zone each channel had when a batch last read it (channel id → IANA zone), so that the
 * next batch can read the channel's send counters together with its other facts (prefetchFacts).
 * At most MAX_REMEMBERED_ZONES channels; past that it starts again empty.
 */
export type ChannelZones = Map<string, string>;
const MAX_REMEMBERED_ZONES = 10_000;

/**
 * The channels a batch will decide for: those of its customers' messages (not the seller's own
 * echoes, which decide nothing). Statuses and health events read what they need as they go.
 */
function decidingChannels(batch: readonly Pending[]): string[] {
  const ids = new Set<string>();
  for (const p of batch)
    for (const e of p.events) if (e.kind === 'message' && e.fromMe !== true) ids.add(p.target.channelId);
  return [...ids];
}

/**
 * Reads, all at once at the batch's start, the facts every decision of the batch reads (through
 * the caching repositories of batchRepos, which then answer the batch's messages from memory):
 * for each channel the channel itself, its health events of the engine's look-back and its send
 * counters, then the catalogue and the playbook. Issued together they leave in one round trip on
 * PostgreSQL (pipeline mode, src/store/postgres.ts), behind the batch's BEGIN, instead of five
 * round trips spread over its first message. The statements are the same ones the first message
 * would have sent, so the facts are the same, read a few milliseconds earlier (at `nowMs`, the
 * batch's start, instead of its first message's clock reading; the caches already served every
 * later message of a batch the first one's reading). The send counters take the channel's time
 * zone (the local day): it is the one remembered from the channel's previous batch, and checked
 * when the message is decided — the counters are cached per channel and time zone, so if the
 * channel's zone has changed since, the decision misses the cache and reads them again with the
 * channel's own zone. A channel not seen before reads its counters at its first message, as
 * before. A batch whose messages turn out to be redeliveries (or silent types) has read facts it
 * does not use: server work, no round trip.
 */
export async function prefetchFacts(
  r: TenantRepos,
  channelIds: readonly string[],
  nowMs: number,
  zones: ChannelZones,
): Promise<void> {
  if (channelIds.length === 0) return;
  const reads: Promise<unknown>[] = [];
  for (const id of channelIds) {
    reads.push(
      r.channels.get(id).then((channel) => {
        if (channel === null) return;
        if (zones.size >= MAX_REMEMBERED_ZONES && !zones.has(id)) zones.clear();
        zones.set(id, channel.timezone);
      }),
    );
    reads.push(r.healthEvents.recent(id, { sinceMs: nowMs - HEALTH_LOOKBACK_MS }));
    const zone = zones.get(id);
    if (zone !== undefined) reads.push(r.stats.sendStats(id, nowMs, zone));
  }
  reads.push(r.products.list(), r.playbook.get());
  // Promise.all waits for the first failure only, but handles every rejection: the transaction
  // is failed then anyway, and the batch falls back to one webhook at a time.
  await Promise.all(reads);
}

/** One transaction for the whole batch; the outcomes, in webhook order, once it has committed. */
async function commitBatch(
  deps: PipelineDeps,
  tenantId: string,
  batch: Pending[],
  zones: ChannelZones,
): Promise<InboundOutcome[]> {
  // Decisions are counted once the batch has committed: a batch that falls back decides again.
  const decided: Array<[mode: 'webhook' | 'followup', decision: Decision]> = [];
  const metrics: PipelineMetrics | undefined =
    deps.metrics === undefined
      ? undefined
      : { send: (outcome) => deps.metrics?.send(outcome), decision: (mode, d) => decided.push([mode, d]) };
  // Jobs enqueued in the batch's transaction are inserted together at its end, in enqueue order,
  // in one multi-row statement (their rows reference nothing, so nothing needs them earlier).
  // enqueueIn answers null meanwhile; the pipelines only need the job to commit with the rest.
  const jobs: JobSpec[] = [];
  let batchSql: Queryable | undefined;
  const queue = new Proxy(deps.queue, {
    get(target, prop) {
      if (prop === 'enqueueIn')
        return (tx: Queryable, job: JobSpec): Promise<string | null> => {
          if (tx !== batchSql) return target.enqueueIn(tx, job);
          jobs.push(job);
          return Promise.resolve(null);
        };
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as Method).bind(target) : value;
    },
  });
  const batchDeps: PipelineDeps = { ...deps, queue, ...(metrics ? { metrics } : {}) };
  const outcomes = batch.map(() => emptyOutcome());
  await deps.store.tx(
    tenantId,
    async (r) => {
      batchSql = r.sql;
      const { repos, flush } = deferredWrites(batchRepos(r), deps.store.keyring);
      await prefetchFacts(repos, decidingChannels(batch), deps.nowMs(), zones);
      for (const [i, p] of batch.entries())
        for (const event of p.events) await processEventIn(batchDeps, repos, p.target, event, outcomes[i]!);
      // The held decisions and replies, the send jobs and the event log's rows: one statement,
      // sent with the COMMIT where the database can (PostgreSQL). It is the batch's last statement
      // (the event log's held rows go in it, so the store's own flush after this finds none).
      await flush(
        async (via) => {
          if (jobs.length > 0) await deps.queue.enqueueManyIn(via, jobs);
        },
        { commit: true },
      );
    },
    { deferEvents: true },
  );
  for (const [mode, d] of decided) deps.metrics?.decision(mode, d);
  return outcomes;
}

type Method = (...args: unknown[]) => unknown;

/**
 * A copy of `repo` whose methods, except the `reads` named, call `forget` first: any write the
 * batch makes through it drops what the batch has cached (conservative: a method not known to
 * leave the cached facts alone counts as a change).
 */
function forgetting<T extends object>(repo: T, reads: readonly string[], forget: () => void): T {
  const out = { ...repo } as Record<string, unknown>;
  for (const [name, value] of Object.entries(repo)) {
    if (typeof value !== 'function' || reads.includes(name)) continue;
    const method = value as Method;
    out[name] = (...args: unknown[]) => {
      forget();
      return method.apply(out, args);
    };
  }
  return out as T;
}

/**
 * The batch's repositories: the facts every message of a batch reads — the channel, its recent
 * health events, its send counters, the catalogue, the playbook — are read once per batch and
 * dropped as soon as the batch writes anything they derive from (a channel update, a health event,
 * an order that takes stock, a status that marks a send). Send counters count messages *sent*
 * (src/store/repos/stats.ts), not replies queued, so replies enqueued within the batch leave them
 * unchanged exactly as they would between unbatched transactions; the send worker re-checks
 * quotas at send time. They are read at the batch's first message: a batch lasts milliseconds,
 * so a send leaving the one-minute window meanwhile is at worst still counted (stricter, never
 * looser).
 */
export function batchRepos(r: TenantRepos): TenantRepos {
  const channels = new Map<string, ReturnType<TenantRepos['channels']['get']>>();
  const health = new Map<
    string,
    { sinceMs: number; rows: ReturnType<TenantRepos['healthEvents']['recent']> }
  >();
  const stats = new Map<string, ReturnType<TenantRepos['stats']['sendStats']>>();
  let products: ReturnType<TenantRepos['products']['list']> | undefined;
  let playbook: ReturnType<TenantRepos['playbook']['get']> | undefined;
  const forget = () => {
    channels.clear();
    health.clear();
    stats.clear();
    products = undefined;
    playbook = undefined;
  };

  const channelsRepo = forgetting(r.channels, ['get', 'getCredentials', 'list'], forget);
  channelsRepo.get = (id) => {
    let hit = channels.get(id);
    if (hit === undefined) {
      hit = r.channels.get(id);
      channels.set(id, hit);
    }
    return hit;
  };
  const healthRepo = forgetting(r.healthEvents, ['recent'], forget);
  healthRepo.recent = (channelId, options = {}) => {
    const sinceMs = options.sinceMs;
    // Only the engine's look-back read is cached; a later, shorter window is a prefix of it
    // (rows are newest first), so filtering the cached rows gives the same answer.
    if (sinceMs === undefined || options.limit !== undefined)
      return r.healthEvents.recent(channelId, options);
    const hit = health.get(channelId);
    if (hit !== undefined && sinceMs >= hit.sinceMs)
      return hit.rows.then((rows) => rows.filter((e) => e.atMs >= sinceMs));
    const rows = r.healthEvents.recent(channelId, options);
    health.set(channelId, { sinceMs, rows });
    return rows;
  };
  const statsRepo = forgetting(r.stats, ['sendStats', 'activity', 'experimentCounts'], forget);
  statsRepo.sendStats = (channelId, nowMs, timeZone, bodyText) => {
    if (bodyText !== undefined) return r.stats.sendStats(channelId, nowMs, timeZone, bodyText);
    const key = `${channelId}\u0000${timeZone}`;
    let hit = stats.get(key);
    if (hit === undefined) {
      hit = r.stats.sendStats(channelId, nowMs, timeZone);
      stats.set(key, hit);
    }
    return hit;
  };
  const productsRepo = forgetting(r.products, ['get', 'list'], forget);
  productsRepo.list = () => {
    products ??= r.products.list();
    return products;
  };
  const playbookRepo = forgetting(r.playbook, ['get'], forget);
  playbookRepo.get = () => {
    playbook ??= r.playbook.get();
    return playbook;
  };
  return {
    ...r,
    channels: channelsRepo,
    healthEvents: healthRepo,
    stats: statsRepo,
    products: productsRepo,
    playbook: playbookRepo,
    // Orders take stock; message writes other than the inserts of a new message may mark a send.
    orders: forgetting(r.orders, ['get', 'getBySourceMessage', 'list', 'payments'], forget),
    messages: forgetting(
      r.messages,
      [
        'get',
        'getByProviderId',
        'history',
        'decisionPending',
        'contactHasPendingDecision',
        'insertInbound',
        'insertOutbound',
        'insertOutboundMany',
        'insertHumanEcho',
      ],
      forget,
    ),
  };
}

/**
 * Repository methods that never read or reference a decision or an outbound reply the batch
 * holds back (deferredWrites): they run at once. Any other method writes the held rows first.
 */
const BLIND_TO_DEFERRED = new Set([
  'channels.get',
  'healthEvents.recent',
  // Send counters count messages sent, never queued ones (src/store/repos/stats.ts).
  'stats.sendStats',
  'products.list',
  'playbook.get',
  'contacts.upsertBySender',
  'contacts.patch',
  'contacts.conversation',
  // An inbound message conflicts only on its provider id; a held reply has none.
  'messages.insertInbound',
  'events.append',
]);

/**
 * The decision rows and queued replies of a batch are written together at its end, one multi-row
 * INSERT each (decisions first: a reply references its decision), instead of two statements per
 * message. Nothing a batch's next message is decided on reads them (the conversation, contact
 * and counters do not; a reply counts in the send counters only once sent), and any repository
 * method not known to be blind to them (BLIND_TO_DEFERRED) writes them first, so a reader never
 * misses one: a human echo cancelling queued replies, an order, a status update. `flush` must be
 * called before the transaction commits; an error there rolls the batch back like any other.
 * A held reply's `message.created` event is appended when it is written, so within a batch it
 * follows the batch's other events instead of sitting between them; it commits with them all the
 * same.
 *
 * A flush sends its INSERTs — the decisions, the replies, what `extra` writes through the
 * Queryable it is given (the batch's send jobs), and the event log's held rows — as one statement
 * (src/pipeline/statements.ts): one round trip instead of up to four.
 */
export function deferredWrites(
  r: TenantRepos,
  keyring: Store['keyring'],
): {
  repos: TenantRepos;
  flush: (extra?: (via: Queryable) => Promise<void>, options?: { commit?: boolean }) => Promise<void>;
} {
  let decisions: (NewDecision & { id: string })[] = [];
  let replies: (NewOutboundMessage & { id: string; createdAtMs: number })[] = [];
  // The decisions repository bound to a collector: it builds and seals the rows, sends nothing.
  const collector = statementCollector();
  const collectedDecisions = decisionsRepo({ tx: collector, tenantId: r.tenantId, keyring });
  const flush = async (
    extra?: (via: Queryable) => Promise<void>,
    options: { commit?: boolean } = {},
  ): Promise<void> => {
    collector.statements.length = 0;
    if (decisions.length > 0) {
      const rows = decisions;
      decisions = [];
      await collectedDecisions.insertMany(rows);
    }
    if (replies.length > 0) {
      const rows = replies;
      replies = [];
      await r.messages.insertOutboundMany(rows, { via: collector });
    }
    if (extra !== undefined) await extra(collector);
    await r.events.flushHeld(collector);
    const statements = collector.statements.splice(0);
    await runCombined(r.sql, statements, options);
  };
  const repos: Record<string, unknown> = { ...r };
  for (const [repoName, repo] of Object.entries(r)) {
    if (repo === null || typeof repo !== 'object' || repoName === 'sql') continue;
    const wrapped: Record<string, unknown> = { ...(repo as Record<string, unknown>) };
    for (const [name, value] of Object.entries(repo as Record<string, unknown>)) {
      if (typeof value !== 'function' || BLIND_TO_DEFERRED.has(`${repoName}.${name}`)) continue;
      const method = value as Method;
      wrapped[name] = (...args: unknown[]) =>
        decisions.length > 0 || replies.length > 0
          ? flush().then(() => method.apply(repo, args))
          : method.apply(repo, args);
    }
    repos[repoName] = wrapped;
  }
  const out = repos as unknown as TenantRepos;
  out.decisions.insertMany = (inputs) => {
    decisions.push(...inputs);
    return Promise.resolve();
  };
  const insertOutbound = out.messages.insertOutbound;
  out.messages.insertOutbound = (input) => {
    // Only a queued reply with its time is held (the pipeline's); anything else goes in at once.
    if (input.providerId || (input.status ?? 'queued') !== 'queued' || input.createdAtMs === undefined)
      return insertOutbound(input);
    const id = newId('msg');
    replies.push({ ...input, id, createdAtMs: input.createdAtMs });
    return Promise.resolve(plannedOutbound(r.tenantId, id, input, input.createdAtMs));
  };
  return { repos: out, flush };
}
