/**
 * Webhook events whose processing threw (a sender id that is not a phone number, a bug): parked
 * instead of failing their whole webhook, so the transport stops redelivering it and the other
 * events of the batch go through. The normalized event (customer data: sender, text) and the error
 * are sealed; the operator lists them and replays them once the cause is fixed. One row per
 * (channel, event key): a redelivered webhook whose event fails again counts another attempt.
 */

import { newId } from '../ids.ts';
import {
  isoOf,
  msOf,
  msOrNull,
  type Page,
  type PageOptions,
  pageQuery,
  type RepoContext,
  seal,
  unseal,
} from './common.ts';

export type FailedEventState = 'failed' | 'replayed';

export interface FailedEvent {
  id: string;
  channelId: string;
  transport: string;
  /** `message`, `status` or `health`. */
  eventKind: string;
  /**
   * The keyed hash (blind index) of what makes the event unique for its channel: provider ids can
   * hold the customer's number (WAHA's `false_<phone>@c.us_<id>`), so they are not stored in clear.
   */
  eventKey: string;
  /** A stable code for the error (`invalid_phone`, `sql_22001`, `typeerror`); never its message. */
  errorCode: string;
  state: FailedEventState;
  attempts: number;
  createdAtMs: number;
  lastFailedAtMs: number;
  replayedAtMs: number | null;
}

/** The sealed part: the event itself and the error as it was thrown. */
export interface FailedEventPayload {
  event: unknown;
  error: { name: string; message: string };
}

export interface NewFailedEvent {
  channelId: string;
  transport: string;
  eventKind: string;
  /** `message:<provider id>`, `status:<id>:<status>`, `health:<event id>`; stored as its blind index. */
  eventKey: string;
  errorCode: string;
  payload: FailedEventPayload;
  atMs: number;
}

export interface FailedEventsRepo {
  /** Parks an event, or counts one more attempt of the one already parked under its key. */
  record(input: NewFailedEvent): Promise<FailedEvent>;
  get(id: string): Promise<FailedEvent | null>;
  /** The sealed event and error of a parked event. */
  payload(id: string): Promise<FailedEventPayload | null>;
  /** Newest first. */
  list(options?: PageOptions & { state?: FailedEventState; channelId?: string }): Promise<Page<FailedEvent>>;
  markReplayed(id: string, atMs: number): Promise<FailedEvent | null>;
}

interface Row {
  id: string;
  channel_id: string;
  transport: string;
  event_kind: string;
  event_key: string;
  error_code: string;
  state: FailedEventState;
  attempts: number;
  created_at: Date;
  last_failed_at: Date;
  replayed_at: Date | null;
}

const COLUMNS =
  'id, channel_id, transport, event_kind, event_key, error_code, state, attempts, created_at, last_failed_at, replayed_at';
const TABLE = 'failed_events';
const COLUMN = 'event_enc';

function toFailedEvent(r: Row): FailedEvent {
  return {
    id: r.id,
    channelId: r.channel_id,
    transport: r.transport,
    eventKind: r.event_kind,
    eventKey: r.event_key,
    errorCode: r.error_code,
    state: r.state,
    attempts: r.attempts,
    createdAtMs: msOf(r.created_at),
    lastFailedAtMs: msOf(r.last_failed_at),
    replayedAtMs: msOrNull(r.replayed_at),
  };
}

export function failedEventsRepo(c: RepoContext): FailedEventsRepo {
  return {
    async record(input) {
      const id = newId('fev');
      const sealed = seal(c, TABLE, COLUMN, id, JSON.stringify(input.payload));
      const at = isoOf(input.atMs);
      // On a second failure the first row stays (its sealed payload is bound to its own id).
      const { rows } = await c.tx.query<Row>(
        `INSERT INTO failed_events (id, tenant_id, channel_id, transport, event_kind, event_key, event_enc,
           error_code, created_at, last_failed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::timestamptz, $9::timestamptz)
         ON CONFLICT (tenant_id, channel_id, event_key) DO UPDATE
           SET attempts = failed_events.attempts + 1, last_failed_at = EXCLUDED.last_failed_at,
               error_code = EXCLUDED.error_code, state = 'failed'
         RETURNING ${COLUMNS}`,
        [
          id,
          c.tenantId,
          input.channelId,
          input.transport,
          input.eventKind,
          c.keyring.blindIndex(input.eventKey, c.tenantId),
          sealed,
          input.errorCode,
          at,
        ],
      );
      return toFailedEvent(rows[0]!);
    },

    async get(id) {
      const { rows } = await c.tx.query<Row>(
        `SELECT ${COLUMNS} FROM failed_events WHERE tenant_id = $1 AND id = $2`,
        [c.tenantId, id],
      );
      return rows[0] ? toFailedEvent(rows[0]) : null;
    },

    async payload(id) {
      const { rows } = await c.tx.query<{ event_enc: string }>(
        'SELECT event_enc FROM failed_events WHERE tenant_id = $1 AND id = $2',
        [c.tenantId, id],
      );
      const sealed = rows[0]?.event_enc;
      return sealed === undefined
        ? null
        : (JSON.parse(unseal(c, TABLE, COLUMN, id, sealed)) as FailedEventPayload);
    },

    async list(options = {}) {
      const where = ['tenant_id = $1'];
      const params: unknown[] = [c.tenantId];
      if (options.state !== undefined) {
        params.push(options.state);
        where.push(`state = $${params.length}`);
      }
      if (options.channelId !== undefined) {
        params.push(options.channelId);
        where.push(`channel_id = $${params.length}`);
      }
      const { rows, nextCursor } = await pageQuery<Row & { cursor_at: string }>(
        c,
        { select: COLUMNS, from: 'failed_events', where },
        params,
        options,
      );
      return { items: rows.map(toFailedEvent), nextCursor };
    },

    async markReplayed(id, atMs) {
      const { rows } = await c.tx.query<Row>(
        `UPDATE failed_events SET state = 'replayed', replayed_at = $3::timestamptz
         WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        [c.tenantId, id, isoOf(atMs)],
      );
      return rows[0] ? toFailedEvent(rows[0]) : null;
    },
  };
}
