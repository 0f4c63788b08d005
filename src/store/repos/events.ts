/**
 * The tenant's event log (migration 0009): what happened that a person or a system must hear
 * about. Appended inside the transaction that made it happen, so an event exists exactly when its
 * cause committed. The payload can quote customers (a name, a question) and is sealed; type, ids and
 * time stay in clear for filtering.
 *
 * Ordering: `seq` is a database sequence, so a transaction that commits later can hold a smaller
 * seq than one already read. Readers that resume from a seq (Server-Sent Events, webhook fan-out)
 * should re-read a short window behind their position (`settleMs`) and skip ids they have seen.
 */

import { type EventType, isEventType } from '../../domain/events.ts';
import { newId } from '../ids.ts';
import type { Db, Queryable } from '../types.ts';
import { isoOf, msOf, type RepoContext, seal, unseal } from './common.ts';

export interface EventRecord {
  /** Position in the tenant's log (the SSE event id). */
  seq: number;
  id: string;
  type: EventType;
  channelId: string | null;
  contactId: string | null;
  /** What the event is about beyond its contact: an order id, a message id. */
  subjectId: string | null;
  data: Record<string, unknown>;
  atMs: number;
}

export interface NewEvent {
  type: EventType;
  channelId?: string | null;
  contactId?: string | null;
  subjectId?: string | null;
  data?: Record<string, unknown>;
  atMs: number;
}

export interface EventsRepo {
  /**
   * In a transaction that defers events (store.tx `deferEvents`), the row is written at the end of
   * the transaction and the record returned has `seq` 0 (its position is not known yet).
   */
  append(input: NewEvent): Promise<EventRecord>;
  /** Oldest first, strictly after `afterSeq` (0 = from the start). Default limit 200, at most 1000. */
  listAfter(
    afterSeq: number,
    options?: { types?: readonly EventType[]; limit?: number },
  ): Promise<EventRecord[]>;
  /** Newest first, for a contact's timeline. */
  forContact(contactId: string, options?: { limit?: number }): Promise<EventRecord[]>;
  get(id: string): Promise<EventRecord | null>;
  /**
   * In a transaction that defers events: writes the events held so far now, in one multi-row
   * INSERT sent through `via` (default the transaction itself; a batch combining its writes into
   * one statement passes a collector, src/pipeline/statements.ts). Nothing to do otherwise.
   */
  flushHeld(via?: Queryable): Promise<void>;
}

interface Row {
  seq: string | number;
  id: string;
  type: string;
  channel_id: string | null;
  contact_id: string | null;
  subject_id: string | null;
  data_enc: string;
  created_at: Date;
}

/**
 * Event data stored in clear (issue 17): a `message.created` event — two per message of a webhook
 * batch — carries only the message's direction, kind, status and error code, which the event's
 * type and subject already tell apart from nothing personal, and sealing it cost two AES-GCM calls
 * per message. Its data is stored as its JSON, which starts with `{`; a sealed value starts with
 * the sealed format's tag (`sf1.`), so the two never mix. Data is stored in clear only when every
 * field is one of the type's known ones and every value a short code: anything else (a field added
 * later, a free text) is sealed as before. Reading accepts clear data only for these types: a
 * clear value in another event's row fails to unseal, as any value that is not sealed does.
 */
const CLEAR_DATA: Partial<Record<EventType, ReadonlySet<string>>> = {
  'message.created': new Set(['direction', 'kind', 'status', 'errorCode']),
};
/** A code: what a direction, kind, status or classified error code looks like, nothing longer. */
const CODE = /^[A-Za-z0-9_.:-]{1,64}$/;

/** The data as stored in clear, or null when it must be sealed. */
export function clearEventData(type: EventType, data: Record<string, unknown>): string | null {
  const fields = CLEAR_DATA[type];
  if (fields === undefined) return null;
  for (const [key, value] of Object.entries(data))
    if (!fields.has(key) || typeof value !== 'string' || !CODE.test(value)) return null;
  return JSON.stringify(data);
}

/** True when a stored `data_enc` is data in clear (CLEAR_DATA), not a sealed value. */
export function isClearEventData(stored: string): boolean {
  return stored.startsWith('{');
}

/** SQL condition (table alias `t`) for event rows whose data is stored in clear (key rotation skips them). */
export const CLEAR_EVENT_DATA_SQL = "left(t.data_enc, 1) = '{'";

const TABLE = 'events';
const COLUMN = 'data_enc';
const COLUMNS = 'seq, id, type, channel_id, contact_id, subject_id, data_enc, created_at';
const MAX_LIMIT = 1000;

export function eventsRepo(c: RepoContext): EventsRepo {
  const toRecord = (r: Row): EventRecord => {
    if (!isEventType(r.type)) throw new Error(`unknown event type in the log: ${r.type}`);
    return {
      seq: Number(r.seq),
      id: r.id,
      type: r.type,
      channelId: r.channel_id,
      contactId: r.contact_id,
      subjectId: r.subject_id,
      data: JSON.parse(
        CLEAR_DATA[r.type] !== undefined && isClearEventData(r.data_enc)
          ? r.data_enc
          : unseal(c, TABLE, COLUMN, r.id, r.data_enc),
      ) as Record<string, unknown>,
      atMs: msOf(r.created_at),
    };
  };
  const limitOf = (limit: number | undefined) => Math.min(Math.max(1, limit ?? 200), MAX_LIMIT);
  return {
    async append(input) {
      if (!isEventType(input.type)) throw new TypeError(`unknown event type: ${input.type}`);
      const id = newId('evt');
      const data = input.data ?? {};
      const values = [
        id,
        c.tenantId,
        input.type,
        input.channelId ?? null,
        input.contactId ?? null,
        input.subjectId ?? null,
        clearEventData(input.type, data) ?? seal(c, TABLE, COLUMN, id, JSON.stringify(data)),
        isoOf(input.atMs),
      ];
      if (c.deferredEvents !== undefined) {
        c.deferredEvents.push(values);
        c.onEventAppended?.();
        return {
          seq: 0,
          id,
          type: input.type,
          channelId: input.channelId ?? null,
          contactId: input.contactId ?? null,
          subjectId: input.subjectId ?? null,
          data,
          atMs: input.atMs,
        };
      }
      const { rows } = await c.tx.query<Row>(
        `INSERT INTO events (id, tenant_id, type, channel_id, contact_id, subject_id, data_enc, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz)
         RETURNING ${COLUMNS}`,
        values,
      );
      c.onEventAppended?.();
      return toRecord(rows[0]!);
    },

    async listAfter(afterSeq, options = {}) {
      await flushDeferredEvents(c);
      const params: unknown[] = [c.tenantId, afterSeq, limitOf(options.limit)];
      let filter = '';
      if (options.types && options.types.length > 0) {
        params.push([...options.types]);
        filter = ` AND type = ANY($${params.length}::text[])`;
      }
      const { rows } = await c.tx.query<Row>(
        `SELECT ${COLUMNS} FROM events WHERE tenant_id = $1 AND seq > $2${filter} ORDER BY seq LIMIT $3`,
        params,
      );
      return rows.map(toRecord);
    },

    async forContact(contactId, options = {}) {
      await flushDeferredEvents(c);
      const { rows } = await c.tx.query<Row>(
        `SELECT ${COLUMNS} FROM events WHERE tenant_id = $1 AND contact_id = $2 ORDER BY seq DESC LIMIT $3`,
        [c.tenantId, contactId, limitOf(options.limit)],
      );
      return rows.map(toRecord);
    },

    flushHeld(via) {
      return flushDeferredEvents(c, via);
    },

    async get(id) {
      await flushDeferredEvents(c);
      const { rows } = await c.tx.query<Row>(
        `SELECT ${COLUMNS} FROM events WHERE tenant_id = $1 AND id = $2`,
        [c.tenantId, id],
      );
      return rows[0] ? toRecord(rows[0]) : null;
    },
  };
}

/**
 * Writes the events a deferring transaction holds (RepoContext.deferredEvents), in append order,
 * in one INSERT of `unnest`ed column arrays: its text is the same whatever the number of rows, so
 * PostgreSQL prepares it once per connection (src/store/postgres.ts, named statements). seq
 * follows the rows' order (ORDER BY the ordinality: output expressions such as seq's nextval are
 * computed after the sort).
 */
export async function flushDeferredEvents(c: RepoContext, via: Queryable = c.tx): Promise<void> {
  const held = c.deferredEvents;
  if (held === undefined || held.length === 0) return;
  const rows = held.splice(0, held.length);
  const columns: unknown[][] = [[], [], [], [], [], [], [], []];
  for (const values of rows) for (const [i, v] of values.entries()) columns[i]!.push(v);
  await via.query(INSERT_HELD, columns);
}

const INSERT_HELD = `INSERT INTO events (id, tenant_id, type, channel_id, contact_id, subject_id, data_enc, created_at)
     SELECT v.id, v.tenant_id, v.type, v.channel_id, v.contact_id, v.subject_id, v.data_enc, v.created_at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
              $8::timestamptz[])
            WITH ORDINALITY AS v(id, tenant_id, type, channel_id, contact_id, subject_id, data_enc, created_at, n)
      ORDER BY v.n`;

export interface PurgeEventsOptions {
  /** Events created before this instant may go. */
  beforeMs: number;
  /** Rows per transaction. Default 2000. */
  batchSize?: number;
  /** Only this tenant's log (default every tenant's). */
  tenantId?: string;
}

/**
 * Retention of the event log (owner-level housekeeping, a periodic job): deletes events created
 * before `beforeMs` that nothing still needs. An event stays while a consumer of its tenant's log
 * (the webhook fan-out, the seller notifications) has not passed it, or a tenant has no cursor yet,
 * and while an outgoing webhook delivery of it is pending (retrying) or dead (replayable). Each
 * batch is its own transaction, oldest first, so several instances share the work and a stop
 * leaves nothing half done. Returns how many events it deleted.
 */
export async function purgeOldEvents(db: Db, options: PurgeEventsOptions): Promise<number> {
  const batchSize = Math.max(1, options.batchSize ?? 2000);
  let total = 0;
  for (;;) {
    const deleted = await db.ownerTx(async (tx) => {
      const r = await tx.query(
        `DELETE FROM events WHERE seq IN (
           SELECT e.seq FROM events e
            WHERE e.created_at < $1::timestamptz AND ($3::text IS NULL OR e.tenant_id = $3)
              AND EXISTS (SELECT 1 FROM event_cursors c WHERE c.tenant_id = e.tenant_id)
              AND NOT EXISTS (SELECT 1 FROM event_cursors c WHERE c.tenant_id = e.tenant_id AND c.last_seq < e.seq)
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
                               WHERE d.tenant_id = e.tenant_id AND d.event_id = e.id AND d.status <> 'delivered')
            ORDER BY e.seq LIMIT $2)`,
        [isoOf(options.beforeMs), batchSize, options.tenantId ?? null],
      );
      return r.affectedRows ?? 0;
    });
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
