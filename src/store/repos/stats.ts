/**
 * Send counters derived from stored outbound messages. Quotas read them instead of keeping
 * counters in memory, so a restart (or a second instance) never resets a daily cap.
 */

import type { VariantCounts } from '../../domain/experiments.ts';
import { HOUR_MS, MINUTE_MS, startOfLocalDay } from '../../domain/time.ts';
import type { SendStats } from '../../domain/types.ts';
import { isoOf, msOrNull, type RepoContext } from './common.ts';

export interface StatsRepo {
  /**
   * Counts the channel's sends (outbound messages with a sent time) up to nowMs: last minute, last
   * hour, since local midnight in timeZone, cold first messages today, sends of exactly bodyText in
   * the last hour, and the last send time.
   */
  sendStats(channelId: string, nowMs: number, timeZone: string, bodyText?: string): Promise<SendStats>;
  /** What happened in [fromMs, toMs), for the seller's numbers (GET /stats); one channel or all. */
  activity(fromMs: number, toMs: number, options?: { channelId?: string }): Promise<ActivityStats>;
  /**
   * Outcomes per variant of an A/B experiment, from the contacts' first sent message of each
   * variant: a customer message within 24 h, an order (not cancelled) within orderWindowDays, an
   * opt-out since (still opted out).
   */
  experimentCounts(experimentId: string, orderWindowDays: number): Promise<VariantCounts[]>;
}

export interface ResponseTimes {
  /** Customer turns answered in the period. */
  answered: number;
  /** Median time from the customer's first message of a turn to the first answer sent; null without any. */
  medianMs: number | null;
}

export interface OrderTotals {
  currency: string;
  /** Orders created in the period, whatever became of them. */
  created: number;
  /** Of those, confirmed or completed now. */
  confirmed: number;
  cancelled: number;
  /** Sum of the totals of the confirmed and completed ones, minor units. */
  revenue: number;
  /** Payments received in the period (any order), minor units. */
  collected: number;
}

export interface ActivityStats {
  /** Contacts with at least one message in the period. */
  conversations: number;
  messagesIn: number;
  messagesOut: number;
  /** `handoff.requested` events in the period. */
  handoffs: number;
  /** Contacts whose opt-out falls in the period (and who have not opted back in). */
  optOuts: number;
  orders: OrderTotals[];
  /**
   * First response per customer turn (a customer message after an answer, or the first ever),
   * split by who answered: the bot (an outbound message with a decision) or a person (without).
   */
  firstResponse: { bot: ResponseTimes; human: ResponseTimes };
}

interface StatsRow {
  sent_last_minute: number;
  sent_last_hour: number;
  sent_today: number;
  cold_today: number;
  identical_last_hour: number;
  last_sent_at: Date | null;
}

export function statsRepo(c: RepoContext): StatsRepo {
  return {
    async experimentCounts(experimentId, orderWindowDays) {
      const { rows } = await c.tx.query<{
        variant_id: string;
        contacts: number;
        replied: number;
        ordered: number;
        opted_out: number;
      }>(
        `WITH exposure AS (
           SELECT variant_id, contact_id, min(sent_at) AS t0 FROM messages
            WHERE tenant_id = $1 AND experiment_id = $2 AND direction = 'out' AND sent_at IS NOT NULL
            GROUP BY variant_id, contact_id
         )
         SELECT e.variant_id, count(*)::int AS contacts,
                count(*) FILTER (WHERE EXISTS (
                  SELECT 1 FROM messages i WHERE i.tenant_id = $1 AND i.contact_id = e.contact_id
                     AND i.direction = 'in' AND i.created_at > e.t0 AND i.created_at <= e.t0 + interval '24 hours'
                ))::int AS replied,
                count(*) FILTER (WHERE EXISTS (
                  SELECT 1 FROM orders o WHERE o.tenant_id = $1 AND o.contact_id = e.contact_id
                     AND o.status <> 'cancelled' AND o.created_at >= e.t0
                     AND o.created_at <= e.t0 + make_interval(days => $3::int)
                ))::int AS ordered,
                count(*) FILTER (WHERE EXISTS (
                  SELECT 1 FROM contacts k WHERE k.tenant_id = $1 AND k.id = e.contact_id
                     AND k.opted_out AND k.opted_out_at >= e.t0
                ))::int AS opted_out
           FROM exposure e GROUP BY e.variant_id ORDER BY e.variant_id`,
        [c.tenantId, experimentId, orderWindowDays],
      );
      return rows.map((r) => ({
        variantId: r.variant_id,
        contacts: r.contacts,
        repliedWithin24h: r.replied,
        orderedWithinWindow: r.ordered,
        optedOut: r.opted_out,
      }));
    },

    async activity(fromMs, toMs, options = {}) {
      const channelId = options.channelId ?? null;
      const base = [c.tenantId, isoOf(fromMs), isoOf(toMs), channelId];
      const inRange = (col: string) =>
        `${col} >= $2::timestamptz AND ${col} < $3::timestamptz AND ($4::text IS NULL OR channel_id = $4)`;
      const { rows: m } = await c.tx.query<{ conversations: number; inbound: number; outbound: number }>(
        `SELECT count(DISTINCT contact_id)::int AS conversations,
                count(*) FILTER (WHERE direction = 'in')::int AS inbound,
                count(*) FILTER (WHERE direction = 'out' AND status <> 'failed' AND status <> 'queued')::int AS outbound
           FROM messages WHERE tenant_id = $1 AND ${inRange('created_at')}`,
        base,
      );
      const { rows: h } = await c.tx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM events
          WHERE tenant_id = $1 AND type = 'handoff.requested' AND ${inRange('created_at')}`,
        base,
      );
      const { rows: o } = await c.tx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM contacts
          WHERE tenant_id = $1 AND opted_out AND opted_out_at IS NOT NULL AND ${inRange('opted_out_at')}`,
        base,
      );
      const { rows: orders } = await c.tx.query<{
        currency: string;
        created: number;
        confirmed: number;
        cancelled: number;
        revenue: string | number;
      }>(
        `SELECT currency, count(*)::int AS created,
                count(*) FILTER (WHERE status IN ('confirmed', 'completed'))::int AS confirmed,
                count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
                coalesce(sum(total) FILTER (WHERE status IN ('confirmed', 'completed')), 0) AS revenue
           FROM orders WHERE tenant_id = $1 AND ${inRange('created_at')}
          GROUP BY currency ORDER BY currency`,
        base,
      );
      const { rows: collected } = await c.tx.query<{ currency: string; collected: string | number }>(
        `SELECT o.currency, sum(p.amount) AS collected
           FROM order_payments p JOIN orders o ON o.tenant_id = p.tenant_id AND o.id = p.order_id
          WHERE p.tenant_id = $1 AND p.paid_at >= $2::timestamptz AND p.paid_at < $3::timestamptz
            AND ($4::text IS NULL OR o.channel_id = $4)
          GROUP BY o.currency`,
        base,
      );
      // A turn starts with a customer message that follows an answer (or starts the conversation);
      // its response is the first outbound message sent after it.
      const { rows: responses } = await c.tx.query<{
        bot: boolean;
        answered: number;
        median_ms: number | null;
      }>(
        `WITH ordered AS (
           SELECT id, contact_id, direction, created_at,
                  lag(direction) OVER (PARTITION BY contact_id ORDER BY created_at, id) AS previous
             FROM messages
            WHERE tenant_id = $1 AND created_at < $3::timestamptz AND ($4::text IS NULL OR channel_id = $4)
         ), turns AS (
           SELECT id, contact_id, created_at FROM ordered
            WHERE direction = 'in' AND (previous IS NULL OR previous = 'out') AND created_at >= $2::timestamptz
         ), answers AS (
           SELECT (a.decision_id IS NOT NULL) AS bot,
                  extract(epoch FROM (a.sent_at - t.created_at)) * 1000 AS ms
             FROM turns t
             CROSS JOIN LATERAL (
               SELECT o.sent_at, o.decision_id FROM messages o
                WHERE o.tenant_id = $1 AND o.contact_id = t.contact_id AND o.direction = 'out'
                  AND o.sent_at IS NOT NULL AND o.sent_at >= t.created_at
                ORDER BY o.sent_at, o.id LIMIT 1
             ) a
         )
         SELECT bot, count(*)::int AS answered,
                round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::float8 AS median_ms
           FROM answers GROUP BY bot`,
        base,
      );
      const times = (bot: boolean): ResponseTimes => {
        const row = responses.find((r) => r.bot === bot);
        return {
          answered: row?.answered ?? 0,
          medianMs: row?.median_ms === null || row?.median_ms === undefined ? null : Number(row.median_ms),
        };
      };
      const currencies = new Set([...orders.map((r) => r.currency), ...collected.map((r) => r.currency)]);
      return {
        conversations: m[0]?.conversations ?? 0,
        messagesIn: m[0]?.inbound ?? 0,
        messagesOut: m[0]?.outbound ?? 0,
        handoffs: h[0]?.n ?? 0,
        optOuts: o[0]?.n ?? 0,
        orders: [...currencies].sort().map((currency) => {
          const row = orders.find((r) => r.currency === currency);
          return {
            currency,
            created: row?.created ?? 0,
            confirmed: row?.confirmed ?? 0,
            cancelled: row?.cancelled ?? 0,
            revenue: Number(row?.revenue ?? 0),
            collected: Number(collected.find((r) => r.currency === currency)?.collected ?? 0),
          };
        }),
        firstResponse: { bot: times(true), human: times(false) },
      };
    },

    async sendStats(channelId, nowMs, timeZone, bodyText) {
      const dayStartMs = startOfLocalDay(nowMs, timeZone);
      const minuteStartMs = nowMs - MINUTE_MS;
      const hourStartMs = nowMs - HOUR_MS;
      // Identical texts are matched by blind index under every key, so a rotation in progress
      // does not hide recent sends of the same text.
      const bodyIndexes = bodyText === undefined ? [] : c.keyring.blindIndexes(bodyText, c.tenantId);
      const { rows } = await c.tx.query<StatsRow>(
        `SELECT
           count(*) FILTER (WHERE sent_at > $4::timestamptz)::int AS sent_last_minute,
           count(*) FILTER (WHERE sent_at > $5::timestamptz)::int AS sent_last_hour,
           count(*) FILTER (WHERE sent_at >= $6::timestamptz)::int AS sent_today,
           count(*) FILTER (WHERE sent_at >= $6::timestamptz AND is_cold)::int AS cold_today,
           count(*) FILTER (WHERE sent_at > $5::timestamptz AND body_bidx = ANY($7::text[]))::int AS identical_last_hour,
           (SELECT max(m2.sent_at) FROM messages m2
             WHERE m2.tenant_id = $1 AND m2.channel_id = $2 AND m2.direction = 'out'
               AND m2.sent_at IS NOT NULL AND m2.sent_at <= $3::timestamptz) AS last_sent_at
         FROM messages
         WHERE tenant_id = $1 AND channel_id = $2 AND direction = 'out' AND sent_at IS NOT NULL
           AND sent_at <= $3::timestamptz AND sent_at >= least($5::timestamptz, $6::timestamptz)`,
        [
          c.tenantId,
          channelId,
          isoOf(nowMs),
          isoOf(minuteStartMs),
          isoOf(hourStartMs),
          isoOf(dayStartMs),
          bodyIndexes,
        ],
      );
      const r = rows[0]!;
      const stats: SendStats = {
        sentLastMinute: r.sent_last_minute,
        sentLastHour: r.sent_last_hour,
        sentToday: r.sent_today,
        coldToday: r.cold_today,
        identicalLastHour: r.identical_last_hour,
      };
      const lastSentAtMs = msOrNull(r.last_sent_at);
      if (lastSentAtMs !== null) stats.lastSentAtMs = lastSentAtMs;
      return stats;
    },
  };
}
