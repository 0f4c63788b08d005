/**
 * Channel health events (logged out, 463 reach-out lock, failed sends, Meta quality signals). The
 * health engine scores them; they are stored so the score survives a restart.
 */

import type { HealthEvent, HealthEventType } from '../../domain/types.ts';
import { newId } from '../ids.ts';
import { isoOf, isoOrNull, msOf, msOrNull, type RepoContext } from './common.ts';

export interface HealthEventRecord extends HealthEvent {
  id: string;
  channelId: string;
  /** Machine details (error code, HTTP status). Never personal data: it is stored in clear. */
  detail: Record<string, string | number | boolean | null> | null;
}

export interface NewHealthEvent {
  channelId: string;
  type: HealthEventType;
  atMs: number;
  untilMs?: number | null;
  detail?: Record<string, string | number | boolean | null> | null;
  /** Stores the event at most once per channel under this key (a transport's event identity). */
  dedupKey?: string | null;
}

export interface HealthEventsRepo {
  add(input: NewHealthEvent): Promise<HealthEventRecord>;
  /** Like add, but null (and nothing stored) when the channel already has an event with this dedupKey. */
  addOnce(input: NewHealthEvent & { dedupKey: string }): Promise<HealthEventRecord | null>;
  /** Newest first; events at or after sinceMs when given. Default limit 200. */
  recent(channelId: string, options?: { sinceMs?: number; limit?: number }): Promise<HealthEventRecord[]>;
}

interface HealthRow {
  id: string;
  channel_id: string;
  type: HealthEventType;
  at: Date;
  until_at: Date | null;
  detail: Record<string, string | number | boolean | null> | null;
}

function toRecord(r: HealthRow): HealthEventRecord {
  const record: HealthEventRecord = {
    id: r.id,
    channelId: r.channel_id,
    type: r.type,
    atMs: msOf(r.at),
    detail: r.detail,
  };
  const untilMs = msOrNull(r.until_at);
  if (untilMs !== null) record.untilMs = untilMs;
  return record;
}

export function healthEventsRepo(c: RepoContext): HealthEventsRepo {
  async function insert(input: NewHealthEvent): Promise<HealthEventRecord | null> {
    const { rows } = await c.tx.query<HealthRow>(
      `INSERT INTO health_events (id, tenant_id, channel_id, type, at, until_at, detail, dedup_key)
       VALUES ($1, $2, $3, $4, $5::timestamptz, $6::timestamptz, $7::jsonb, $8)
       ON CONFLICT (tenant_id, channel_id, dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
       RETURNING id, channel_id, type, at, until_at, detail`,
      [
        newId('hev'),
        c.tenantId,
        input.channelId,
        input.type,
        isoOf(input.atMs),
        isoOrNull(input.untilMs),
        input.detail ? JSON.stringify(input.detail) : null,
        input.dedupKey ?? null,
      ],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }
  return {
    async add(input) {
      const record = await insert({ ...input, dedupKey: null });
      if (record === null) throw new Error('health event insert returned no row');
      return record;
    },
    addOnce(input) {
      return insert(input);
    },
    async recent(channelId, options = {}) {
      const limit = Math.min(Math.max(1, options.limit ?? 200), 1000);
      const { rows } = await c.tx.query<HealthRow>(
        `SELECT id, channel_id, type, at, until_at, detail FROM health_events
         WHERE tenant_id = $1 AND channel_id = $2 AND ($3::timestamptz IS NULL OR at >= $3::timestamptz)
         ORDER BY at DESC, id DESC LIMIT $4`,
        [c.tenantId, channelId, isoOrNull(options.sinceMs), limit],
      );
      return rows.map(toRecord);
    },
  };
}
