/**
 * Micro-batched ingestion (src/pipeline/batch.ts) keeps the promise of one transaction per event:
 * concurrent webhooks of a tenant share a transaction, yet a poison event is parked alone, a
 * redelivery is answered once, a contact's messages are decided in order on the state the previous
 * one left, and a batch whose transaction fails leaves nothing half-stored. Run on PGlite and, when
 * TEST_DATABASE_URL is set, on PostgreSQL.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchRepos, type ChannelZones, prefetchFacts } from '../../src/pipeline/batch.ts';
import { HEALTH_LOOKBACK_MS } from '../../src/pipeline/context.ts';
import {
  type BatchReport,
  createInboundBatcher,
  DEFAULT_POSTGRES_LANES,
  type InboundOutcome,
  laneOf,
  type PipelineDeps,
  processEvents,
} from '../../src/pipeline/index.ts';
import type { Queryable, Store, TenantRepos } from '../../src/store/index.ts';
import type { InboundEvent } from '../../src/whatsapp/index.ts';
import { openPipeline, type PipelineHarness } from '../support/pipeline.ts';
import { testBackends } from '../support/store.ts';

const T0 = Date.parse('2026-11-23T10:00:00Z'); // a Monday, 10:00 in Abidjan

describe('laneOf', () => {
  const target = { tenantId: 'ten_1', channelId: 'chn_1' };
  const message = (phone: string): InboundEvent => ({
    kind: 'message',
    providerId: `p_${phone}`,
    from: { phone },
    timestampMs: T0,
    type: 'text',
    text: 'x',
  });
  it('puts every webhook of one sender in the same lane, within [0, lanes)', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 16 }), (phone, lanes) => {
        const lane = laneOf(target, [message(phone)], lanes);
        expect(lane).toBe(laneOf(target, [message(phone), message('other')], lanes));
        expect(lane).toBeGreaterThanOrEqual(0);
        expect(lane).toBeLessThan(lanes);
      }),
    );
  });
  it('spreads senders over the lanes', () => {
    const used = new Set(Array.from({ length: 64 }, (_, i) => laneOf(target, [message(`+22507${i}`)], 4)));
    expect(used.size).toBe(4);
  });
  it('routes a webhook without a sender by its channel', () => {
    const status: InboundEvent = { kind: 'status', providerId: 'w1', status: 'read', timestampMs: T0 };
    expect(laneOf(target, [status], 4)).toBe(laneOf(target, [], 4));
  });
});

describe('prefetchFacts', () => {
  // A tenant's repositories reduced to the five reads, each call recorded.
  function fakeRepos(timezone: string) {
    const calls: string[] = [];
    const r = {
      tenantId: 'ten_1',
      channels: {
        get: (id: string) => {
          calls.push(`channel ${id}`);
          return Promise.resolve({ id, timezone });
        },
      },
      healthEvents: {
        recent: (id: string, o: { sinceMs?: number }) => {
          calls.push(`health ${id} ${o.sinceMs}`);
          return Promise.resolve([]);
        },
      },
      stats: {
        sendStats: (id: string, _nowMs: number, zone: string) => {
          calls.push(`stats ${id} ${zone}`);
          return Promise.resolve({ sentToday: zone.length });
        },
      },
      products: {
        list: () => {
          calls.push('products');
          return Promise.resolve([]);
        },
      },
      playbook: {
        get: () => {
          calls.push('playbook');
          return Promise.resolve({});
        },
      },
      orders: {},
      messages: {},
    } as unknown as TenantRepos;
    return { r, calls };
  }

  it('reads the five facts once, then serves the batch from them', async () => {
    const { r, calls } = fakeRepos('Africa/Abidjan');
    const repos = batchRepos(r);
    const zones: ChannelZones = new Map([['chn_1', 'Africa/Abidjan']]);
    await prefetchFacts(repos, ['chn_1'], T0, zones);
    expect(calls.sort()).toEqual(
      [
        'channel chn_1',
        `health chn_1 ${T0 - HEALTH_LOOKBACK_MS}`,
        'stats chn_1 Africa/Abidjan',
        'products',
        'playbook',
      ].sort(),
    );
    await repos.channels.get('chn_1');
    await repos.healthEvents.recent('chn_1', { sinceMs: T0 + 5 - HEALTH_LOOKBACK_MS });
    await repos.stats.sendStats('chn_1', T0 + 5, 'Africa/Abidjan');
    await repos.products.list();
    await repos.playbook.get();
    expect(calls).toHaveLength(5);
  });

  it("reads the send counters again with the channel's zone when it changed since the zone remembered", async () => {
    const { r, calls } = fakeRepos('Europe/Paris');
    const repos = batchRepos(r);
    const zones: ChannelZones = new Map([['chn_1', 'Africa/Abidjan']]);
    await prefetchFacts(repos, ['chn_1'], T0, zones);
    expect(zones.get('chn_1')).toBe('Europe/Paris');
    const stats = await repos.stats.sendStats('chn_1', T0, 'Europe/Paris');
    expect(stats.sentToday).toBe('Europe/Paris'.length);
    expect(calls.filter((c) => c.startsWith('stats'))).toEqual([
      'stats chn_1 Africa/Abidjan',
      'stats chn_1 Europe/Paris',
    ]);
  });

  it('leaves the counters of a channel not seen before to its first message, and remembers its zone', async () => {
    const { r, calls } = fakeRepos('Africa/Abidjan');
    const zones: ChannelZones = new Map();
    await prefetchFacts(batchRepos(r), ['chn_1'], T0, zones);
    expect(calls.filter((c) => c.startsWith('stats'))).toEqual([]);
    expect(zones.get('chn_1')).toBe('Africa/Abidjan');
  });

  it('reads nothing for a batch that decides nothing', async () => {
    const { r, calls } = fakeRepos('Africa/Abidjan');
    await prefetchFacts(batchRepos(r), [], T0, new Map());
    expect(calls).toEqual([]);
  });
});

for (const backend of testBackends()) {
  describe(`micro-batched ingestion (${backend.name})`, () => {
    let now = T0;
    let h: PipelineHarness;

    beforeAll(async () => {
      h = await openPipeline({ nowMs: () => now, backend });
    });
    afterAll(async () => {
      await h?.close();
    });

    async function count(tenantId: string, sql: string): Promise<number> {
      const { rows } = await h.db.ownerTx((t) =>
        t.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, [tenantId]),
      );
      return rows[0]!.n;
    }
    const decisions = (tenantId: string) => count(tenantId, 'decisions WHERE tenant_id = $1');
    const inbound = (tenantId: string) =>
      count(tenantId, `messages WHERE tenant_id = $1 AND direction = 'in'`);
    const replies = (tenantId: string) =>
      count(tenantId, `messages WHERE tenant_id = $1 AND direction = 'out'`);
    const parked = (tenantId: string) => count(tenantId, 'failed_events WHERE tenant_id = $1');

    /** A batcher over `deps` that records its batches. */
    function batcher(deps: PipelineDeps = h.deps) {
      const reports: BatchReport[] = [];
      const ingest = createInboundBatcher(deps, { onBatch: (b) => reports.push(b) });
      return { ingest, reports };
    }

    /**
     * `store` with its COMMIT failing while `fail()` says so (a lost connection, a full disk): the
     * work is done, then rolled back. On PostgreSQL a batch sends its last write together with the
     * COMMIT (Queryable.queryThenCommit), so the failure comes there, in place of the COMMIT;
     * otherwise once the transaction's function has returned, before the store commits.
     */
    function commitFailing(store: Store, fail: () => boolean): Store {
      return {
        ...store,
        tx: (id, fn, options) =>
          store.tx(
            id,
            async (r) => {
              const real = r.sql;
              let decided = false;
              const sql: Queryable = { query: (text, params) => real.query(text, params) };
              if (real.queryThenCommit !== undefined) {
                const queryThenCommit = real.queryThenCommit;
                sql.queryThenCommit = async <T>(text: string, params: unknown[]) => {
                  decided = true;
                  if (!fail()) return queryThenCommit<T>(text, params);
                  await real.query(text, params);
                  throw new Error('COMMIT failed: connection lost');
                };
              }
              const result = await fn({ ...r, sql });
              if (!decided && fail()) throw new Error('COMMIT failed: connection lost');
              return result;
            },
            options,
          ),
      };
    }

    /** Every webhook posted in the same turn, as concurrent requests are. */
    function together(
      ingest: ReturnType<typeof batcher>['ingest'],
      target: { tenantId: string; channelId: string },
      webhooks: InboundEvent[][],
    ): Promise<PromiseSettledResult<InboundOutcome>[]> {
      return Promise.allSettled(webhooks.map((events) => ingest(target, events)));
    }

    const outcomesOf = (settled: PromiseSettledResult<InboundOutcome>[]) =>
      settled.map((s) => {
        if (s.status === 'rejected') throw s.reason;
        return s.value;
      });

    it('shares one transaction between webhooks arriving together, and answers a redelivery once', async () => {
      now = T0;
      const { tenantId, channelId } = await h.shop();
      const { ingest, reports } = batcher();
      const webhooks = Array.from({ length: 8 }, (_, i) => [
        h.message(`+22507010200${10 + i}`, "c'est combien le sac noir ?"),
      ]);
      const first = outcomesOf(await together(ingest, { tenantId, channelId }, webhooks));
      expect(first.map((o) => o.messages)).toEqual(Array(8).fill(1));
      // One batch on PGlite; on PostgreSQL one per lane of senders (at most DEFAULT_POSTGRES_LANES).
      expect(reports.length).toBeLessThanOrEqual(backend.name === 'pglite' ? 1 : DEFAULT_POSTGRES_LANES);
      expect(reports.reduce((n, r) => n + r.events, 0)).toBe(8);
      expect(reports.some((r) => r.fellBack)).toBe(false);
      expect(await inbound(tenantId)).toBe(8);
      expect(await decisions(tenantId)).toBe(8);
      expect(await replies(tenantId)).toBe(8);

      const again = outcomesOf(await together(ingest, { tenantId, channelId }, webhooks));
      expect(again.map((o) => [o.messages, o.duplicates])).toEqual(Array(8).fill([0, 1]));
      expect(await decisions(tenantId)).toBe(8);
      expect(await replies(tenantId)).toBe(8);
    });

    it('parks a poison event alone; the others of its batch are stored and decided exactly once', async () => {
      now = T0;
      const { tenantId, channelId } = await h.shop();
      const { ingest, reports } = batcher();
      const webhooks = [
        [h.message('+2250701030301', 'Bonjour')],
        [h.message('+2250701030302', 'cb le sac noir')],
        // Not a phone number: upserting the contact throws a PhoneError (deterministic).
        [h.message('123456', 'robot')],
        [h.message('+2250701030304', 'Bonsoir')],
        [h.message('+2250701030305', 'dispo ?')],
      ];
      const first = outcomesOf(await together(ingest, { tenantId, channelId }, webhooks));
      expect(first.map((o) => [o.messages, o.failed])).toEqual([
        [1, 0],
        [1, 0],
        [0, 1],
        [1, 0],
        [1, 0],
      ]);
      expect(reports.filter((r) => r.fellBack)).toHaveLength(1);
      expect(await inbound(tenantId)).toBe(4);
      expect(await decisions(tenantId)).toBe(4);
      expect(await replies(tenantId)).toBe(4);
      expect(await parked(tenantId)).toBe(1);

      // The whole batch again: nothing new stored or answered, the poison event counted again.
      const again = outcomesOf(await together(ingest, { tenantId, channelId }, webhooks));
      expect(again.map((o) => [o.duplicates, o.failed])).toEqual([
        [1, 0],
        [1, 0],
        [0, 1],
        [1, 0],
        [1, 0],
      ]);
      expect(await decisions(tenantId)).toBe(4);
      expect(await replies(tenantId)).toBe(4);
      expect(await parked(tenantId)).toBe(1);
    });

    it('decides the same as one transaction per event: order and state of a contact within a batch', async () => {
      // The same conversation, ingested one event at a time and as one batch, must give the same
      // decisions in the same order and leave the contacts in the same state.
      const script: Array<[from: string, text: string]> = [
        ['+2250701040401', 'Bonjour'],
        ['+2250701040402', "c'est combien le sac noir ?"],
        ['+2250701040401', "c'est combien le sac noir ?"],
        ['+2250701040401', 'je le prends'],
        ['+2250701040402', 'STOP'],
        ['+2250701040401', 'merci'],
        ['+2250701040402', 'ok'],
      ];
      const run = async (batched: boolean) => {
        now = T0;
        const { tenantId, channelId } = await h.shop();
        const events = script.map(([from, text]) => h.message(from, text));
        if (batched) {
          const { ingest, reports } = batcher();
          outcomesOf(
            await together(
              ingest,
              { tenantId, channelId },
              events.map((e) => [e]),
            ),
          );
          expect(reports.reduce((n, r) => n + r.events, 0)).toBe(script.length);
          expect(reports.some((r) => r.fellBack)).toBe(false);
        } else {
          for (const e of events) await processEvents(h.deps, { tenantId, channelId }, [e]);
        }
        const { rows } = await h.db.ownerTx((t) =>
          t.query<{ provider_id: string; action: string; intent: string | null; stage: string }>(
            `SELECT m.provider_id, d.action, d.intent, d.stage FROM decisions d
               JOIN messages m ON m.tenant_id = d.tenant_id AND m.id = d.message_id
              WHERE d.tenant_id = $1`,
            [tenantId],
          ),
        );
        // In script order (the clock stands still, so stored times do not order them).
        const order = events.map((e) => (e.kind === 'message' ? e.providerId : ''));
        const inOrder = rows
          .sort((a, b) => order.indexOf(a.provider_id) - order.indexOf(b.provider_id))
          .map(({ provider_id: _, ...d }) => d);
        const contacts = await h.store.tx(tenantId, async (r) =>
          (await r.contacts.list({ limit: 10 })).items
            .map((c) => ({ phone: c.phone, stage: c.stage, optedOut: c.optedOut }))
            .sort((a, b) => String(a.phone).localeCompare(String(b.phone))),
        );
        return { decisions: inOrder, contacts };
      };
      const one = await run(false);
      const batched = await run(true);
      expect(one.decisions).toHaveLength(script.length);
      expect(batched).toEqual(one);
      // The second contact's STOP, decided within the batch, holds for its next message.
      expect(batched.contacts.find((c) => c.phone === '+2250701040402')?.optedOut).toBe(true);
    });

    it("gathers a contact's next message while its batch commits, and decides it after, on the new state", async () => {
      now = T0;
      const { tenantId, channelId } = await h.shop();
      let release: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let held = false;
      const gated: Store = {
        ...h.store,
        tx: async (id, fn, options) => {
          // The first batch waits here, in flight, until the second webhook has arrived.
          if (!held) {
            held = true;
            await gate;
          }
          return h.store.tx(id, fn, options);
        },
      };
      const { ingest, reports } = batcher({ ...h.deps, store: gated });
      const target = { tenantId, channelId };
      const first = ingest(target, [h.message('+2250701080801', 'STOP', { providerId: 'gate_1' })]);
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(held).toBe(true);
      const second = ingest(target, [
        h.message('+2250701080801', "c'est combien le sac noir ?", { providerId: 'gate_2' }),
      ]);
      release();
      await Promise.all([first, second]);
      expect(reports.map((r) => r.events)).toEqual([1, 1]);
      const { rows } = await h.db.ownerTx((t) =>
        t.query<{ intent: string | null; stage: string }>(
          `SELECT d.intent, d.stage FROM decisions d JOIN messages m ON m.tenant_id = d.tenant_id AND m.id = d.message_id
            WHERE d.tenant_id = $1 ORDER BY m.provider_id`,
          [tenantId],
        ),
      );
      // The price question is decided after the STOP and on its state: the contact stays opted out.
      expect(rows).toEqual([
        { intent: 'opt_out', stage: 'opted_out' },
        { intent: 'price', stage: 'opted_out' },
      ]);
    });

    it('fails every webhook of a batch whose transaction cannot commit, storing none of it', async () => {
      now = T0;
      const { tenantId, channelId } = await h.shop();
      // The work is done; the COMMIT is what fails.
      const down = commitFailing(h.store, () => true);
      const { ingest } = batcher({ ...h.deps, store: down });
      const settled = await together(ingest, { tenantId, channelId }, [
        [h.message('+2250701050501', 'Bonjour')],
        [h.message('+2250701050502', 'cb le sac noir')],
        [h.message('+2250701050503', 'Bonsoir')],
      ]);
      expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
      expect(await inbound(tenantId)).toBe(0);
      expect(await decisions(tenantId)).toBe(0);
      expect(await replies(tenantId)).toBe(0);
      expect(await parked(tenantId)).toBe(0);
    });

    it('after a batch commit fails once, stores each webhook exactly once', async () => {
      now = T0;
      const { tenantId, channelId } = await h.shop();
      let failures = 1;
      const flaky = commitFailing(h.store, () => failures-- > 0);
      const { ingest, reports } = batcher({ ...h.deps, store: flaky });
      const webhooks = [
        [h.message('+2250701060601', 'Bonjour')],
        [h.message('+2250701060602', 'cb le sac noir')],
        [h.message('+2250701060603', 'Bonsoir')],
      ];
      const first = outcomesOf(await together(ingest, { tenantId, channelId }, webhooks));
      expect(first.map((o) => o.messages)).toEqual([1, 1, 1]);
      expect(reports.filter((r) => r.fellBack)).toHaveLength(1);
      expect(await inbound(tenantId)).toBe(3);
      expect(await decisions(tenantId)).toBe(3);
      expect(await replies(tenantId)).toBe(3);
    });

    it('writes a batch of one message and a batch of three with the same statement text (prepared once)', async () => {
      now = T0;
      const { tenantId, channelId } = await h.shop();
      const texts: string[] = [];
      const recording: Store = {
        ...h.store,
        tx: (id, fn, options) =>
          h.store.tx(
            id,
            (r) => {
              const real = r.sql;
              const sql: Queryable = {
                query: (text, params) => {
                  if (text.startsWith('WITH w1')) texts.push(text);
                  return real.query(text, params);
                },
              };
              const queryThenCommit = real.queryThenCommit;
              if (queryThenCommit !== undefined)
                sql.queryThenCommit = <T>(text: string, params: unknown[]) => {
                  texts.push(text);
                  return queryThenCommit<T>(text, params);
                };
              return fn({ ...r, sql });
            },
            options,
          ),
      };
      const reports: BatchReport[] = [];
      const ingest = createInboundBatcher(
        { ...h.deps, store: recording },
        { lanes: 1, onBatch: (b) => reports.push(b) },
      );
      const target = { tenantId, channelId };
      outcomesOf(await together(ingest, target, [[h.message('+2250701120001', 'Bonjour')]]));
      outcomesOf(
        await together(ingest, target, [
          [h.message('+2250701120002', 'Bonjour')],
          [h.message('+2250701120003', 'Bonjour')],
          [h.message('+2250701120004', 'Bonjour')],
        ]),
      );
      expect(reports.map((r) => r.events)).toEqual([1, 3]);
      expect(await replies(tenantId)).toBe(4);
      expect(texts).toHaveLength(2);
      expect(texts[1]).toBe(texts[0]);
    });

    it('answers a message delivered twice within one batch once', async () => {
      now = T0;
      const { tenantId, channelId } = await h.shop();
      const { ingest, reports } = batcher();
      const twice = h.message('+2250701090901', "c'est combien le sac noir ?", { providerId: 'twice_1' });
      const outcomes = outcomesOf(
        await together(ingest, { tenantId, channelId }, [
          [twice],
          [h.message('+2250701090902', 'Bonjour')],
          [twice],
          [twice, h.message('+2250701090901', 'merci', { providerId: 'twice_2' })],
        ]),
      );
      expect(reports.some((r) => r.fellBack)).toBe(false);
      expect(outcomes.map((o) => [o.messages, o.duplicates])).toEqual([
        [1, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ]);
      expect(await inbound(tenantId)).toBe(3);
      expect(await decisions(tenantId)).toBe(3);
      expect(await replies(tenantId)).toBe(3);
    });

    it("writes the batch's held replies before a seller's echo of the same customer cancels them", async () => {
      // Unbatched, the customer's question is answered (a queued reply) and the seller's message
      // typed on the phone then takes the conversation over, cancelling that reply. Batched, the
      // reply is held back for the batch's multi-row INSERT: it must be written before the
      // cancellation looks for it.
      const run = async (batched: boolean) => {
        now = T0;
        const { tenantId, channelId } = await h.shop();
        const question = h.message('+2250701100101', "c'est combien le sac noir ?");
        const echo: InboundEvent = {
          ...h.message('+2250701100101', 'Je vous réponds tout de suite'),
          fromMe: true,
        } as InboundEvent;
        if (batched) {
          const { ingest, reports } = batcher();
          outcomesOf(await together(ingest, { tenantId, channelId }, [[question], [echo]]));
          expect(reports.map((r) => [r.events, r.fellBack])).toEqual([[2, false]]);
        } else {
          for (const e of [question, echo]) await processEvents(h.deps, { tenantId, channelId }, [e]);
        }
        const { rows } = await h.db.ownerTx((t) =>
          t.query<{ kind: string; status: string }>(
            `SELECT kind, status FROM messages WHERE tenant_id = $1 AND direction = 'out' ORDER BY kind`,
            [tenantId],
          ),
        );
        return rows;
      };
      const one = await run(false);
      expect(one).toEqual([
        { kind: 'human', status: 'sent' },
        { kind: 'reply', status: 'failed' },
      ]);
      expect(await run(true)).toEqual(one);
    });

    it('rolls the whole batch back when its multi-row writes fail, then stores each webhook exactly once', async () => {
      now = T0;
      const { tenantId, channelId } = await h.shop();
      let multiRowInserts = 0;
      // The batch's multi-row INSERT of replies fails (one row at a time succeeds): nothing of the
      // batch may stay — its inbound messages, contacts and the decisions that go into the same
      // statement — and the one-by-one pass stores every message once.
      const picky: Store = {
        ...h.store,
        tx: (id, fn, options) =>
          h.store.tx(
            id,
            (r) =>
              fn({
                ...r,
                messages: {
                  ...r.messages,
                  insertOutboundMany: (rows, opts) => {
                    if (rows.length > 1) {
                      multiRowInserts++;
                      throw new TypeError('simulated: rows refused together');
                    }
                    return r.messages.insertOutboundMany(rows, opts);
                  },
                },
              }),
            options,
          ),
      };
      const { ingest, reports } = batcher({ ...h.deps, store: picky });
      const webhooks = [
        [h.message('+2250701110101', 'Bonjour')],
        [h.message('+2250701110101', 'cb le sac noir')],
        [h.message('+2250701110101', 'je le prends')],
      ];
      const outcomes = outcomesOf(await together(ingest, { tenantId, channelId }, webhooks));
      expect(multiRowInserts).toBe(1);
      expect(reports.map((r) => [r.events, r.fellBack])).toEqual([[3, true]]);
      expect(outcomes.map((o) => [o.messages, o.failed])).toEqual([
        [1, 0],
        [1, 0],
        [1, 0],
      ]);
      expect(await inbound(tenantId)).toBe(3);
      expect(await decisions(tenantId)).toBe(3);
      expect(await replies(tenantId)).toBe(3);
      expect(await parked(tenantId)).toBe(0);
    });

    it('does not loosen the daily cap: a batch of cap + 5 messages never sends more than the cap', async () => {
      now = T0;
      // Conservative preset, channel created today: warm-up day 0 allows few sends.
      const { tenantId, channelId } = await h.shop();
      await h.store.tx(tenantId, (r) => r.channels.update(channelId, { preset: 'conservative' }));
      const { ingest } = batcher();
      const sendsBefore = await count(
        tenantId,
        `messages WHERE tenant_id = $1 AND direction = 'out' AND sent_at IS NOT NULL`,
      );
      expect(sendsBefore).toBe(0);
      const cap = 15; // conservative warm-up, day 0
      const webhooks = Array.from({ length: cap + 5 }, (_, i) => [
        h.message(`+22507010707${String(10 + i)}`, 'cb le sac noir'),
      ]);
      outcomesOf(await together(ingest, { tenantId, channelId }, webhooks));
      await h.flushSends(tenantId);
      const sent = await count(
        tenantId,
        `messages WHERE tenant_id = $1 AND direction = 'out' AND sent_at IS NOT NULL`,
      );
      expect(sent).toBeGreaterThan(0);
      expect(sent).toBeLessThanOrEqual(cap);
    });
  });
}
