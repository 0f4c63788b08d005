/**
 * Send counters derived from stored outbound messages. Quotas read them instead of keeping
 * counters in memory, so a restart (or a second instance) never resets a daily cap.
 */

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
