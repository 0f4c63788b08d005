/**
 * Messages in both directions. The provider message id is unique per channel and is the
 * idempotency key of webhooks: a redelivered inbound webhook inserts nothing, and status updates
 * only ever move a message forward (queued → sent → delivered → read; failed only before delivery).
 *
 * Every stored message and every status that moved appends a `message.created` / `message.status`
 * event in the same transaction (ids, direction, status; never the text), so a live screen that
 * tails the event log sees new messages and ticks whichever path wrote them.
 */

import type { SendKind } from '../../domain/types.ts';
import { newId } from '../ids.ts';
import type { Queryable } from '../types.ts';
import {
  isoOf,
  isoOrNull,
  isUniqueViolation,
  msOf,
  msOrNull,
  type Page,
  type PageOptions,
  ProviderIdTakenError,
  pageQuery,
  type RepoContext,
  seal,
  unsealOrNull,
} from './common.ts';
import { eventsRepo } from './events.ts';

export type MessageDirection = 'in' | 'out';
/** `human`: written by a person (typed on the seller's phone, or sent through the API). */
export type MessageKind = SendKind | 'inbound' | 'human';
export type MessageStatus = 'received' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';
export type OutboundStatus = Exclude<MessageStatus, 'received'>;

export interface Message {
  id: string;
  tenantId: string;
  channelId: string;
  contactId: string;
  direction: MessageDirection;
  kind: MessageKind;
  providerId: string | null;
  /** Decrypted text (null for media without caption). */
  body: string | null;
  /** 'text', 'image', 'audio', … as the transport reports it. */
  type: string;
  status: MessageStatus;
  errorCode: string | null;
  /** A first message to a contact with no history (counts against the cold cap). */
  isCold: boolean;
  decisionId: string | null;
  /** For a reply: the provider id of the customer's message it answers (read receipts, quoting). */
  replyToProviderId: string | null;
  /** When a worker last started sending it; set before calling the transport. */
  sendStartedAtMs: number | null;
  /** Send attempts started. */
  attempts: number;
  createdAtMs: number;
  sentAtMs: number | null;
  updatedAtMs: number;
}

export interface NewInboundMessage {
  channelId: string;
  contactId: string;
  /** The transport's message id; a second insert with the same one on the channel does nothing. */
  providerId: string;
  body?: string | null;
  type?: string;
  /** When the customer sent it (the transport's timestamp); default now. */
  createdAtMs?: number;
}

export interface NewOutboundMessage {
  channelId: string;
  contactId: string;
  kind: SendKind | 'human';
  body?: string | null;
  type?: string;
  /** Default 'queued'. A message recorded after the fact (advisor mode) may start as 'sent'. */
  status?: 'queued' | 'sent';
  isCold?: boolean;
  decisionId?: string | null;
  providerId?: string | null;
  replyToProviderId?: string | null;
  createdAtMs?: number;
  /** Default now when status is 'sent'. */
  sentAtMs?: number | null;
  /** The A/B experiment and variant whose wording this message carries (migration 0015). */
  experiment?: { id: string; variantId: string } | null;
}

export type MessageRef = { id: string } | { channelId: string; providerId: string };

export interface StatusUpdate {
  /** False when the update was a repeat or would have moved the status backwards. */
  updated: boolean;
  /** The message as stored after the call; null when no such message. */
  message: Message | null;
}

export interface MessagesRepo {
  insertInbound(input: NewInboundMessage): Promise<{ inserted: boolean; message: Message }>;
  insertOutbound(input: NewOutboundMessage): Promise<Message>;
  /**
   * Several outbound messages in one multi-row INSERT (a batch of webhooks, src/pipeline/batch.ts),
   * in the given order; an input's `id` (newId('msg')) is used when given.
   *
   * `via`: the INSERT is sent through this Queryable instead of the transaction and asks for no
   * rows back (a batch combining its writes into one statement, src/pipeline/statements.ts); the
   * messages returned are then built from the inputs, which must each have `createdAtMs`.
   */
  insertOutboundMany(
    inputs: readonly (NewOutboundMessage & { id?: string })[],
    options?: { via?: Queryable },
  ): Promise<Message[]>;
  get(id: string): Promise<Message | null>;
  getByProviderId(channelId: string, providerId: string): Promise<Message | null>;
  /**
   * Marks the start of a send attempt of a queued message (attempts + 1, send_started_at = now) and
   * returns it; null when the message is no longer queued (already sent, failed or unknown).
   */
  beginSend(id: string, atMs?: number): Promise<Message | null>;
  /** The transport answered that the attempt failed: nothing went out, so forget the attempt mark. */
  abortSend(id: string): Promise<void>;
  /**
   * An outbound message that failed without reaching the transport (no provider id) goes back to
   * `queued`, for a dead-lettered send job replayed by the operator. The attempt mark stays, so a
   * send that may have gone out still waits for its proof. False when the message is not such a one.
   */
  requeueFailed(id: string): Promise<boolean>;
  /** Stores the provider id of a sent message and moves it to 'sent' (forward only). */
  markSent(id: string, providerId: string, sentAtMs?: number): Promise<StatusUpdate>;
  /** Moves the status forward; repeats and backward moves change nothing (idempotent). */
  setStatus(
    ref: MessageRef,
    status: OutboundStatus,
    options?: { errorCode?: string | null; atMs?: number },
  ): Promise<StatusUpdate>;
  /**
   * A message the seller typed on the phone, echoed by the transport: stored as an outbound `human`
   * message, already sent. A redelivered echo (same provider id) inserts nothing.
   */
  insertHumanEcho(input: {
    channelId: string;
    contactId: string;
    providerId: string;
    body: string | null;
    type?: string;
    sentAtMs: number;
  }): Promise<{ inserted: boolean; message: Message }>;
  /**
   * Cancels the bot's messages to a contact that are still queued and not being sent (a person
   * answered first): they move to failed with `errorCode`. Returns their ids.
   */
  cancelQueuedBot(contactId: string, errorCode: string): Promise<string[]>;
  /** A contact's conversation, newest first. */
  history(contactId: string, options?: PageOptions): Promise<Page<Message>>;
  /**
   * Marks an inbound message as stored but not decided yet (migration 0018): the language-model job
   * decides it after the webhook's acknowledgement (src/pipeline/assist.ts).
   */
  markDecisionPending(id: string): Promise<void>;
  /** Whether the message still waits for its decision. */
  decisionPending(id: string): Promise<boolean>;
  /** Whether a message of the contact waits for its decision (a later one must wait behind it). */
  contactHasPendingDecision(contactId: string): Promise<boolean>;
  /**
   * Takes the message's pending mark, in the transaction that stores its decision: true for exactly
   * one caller (the UPDATE's row lock makes a concurrent caller wait, then find the mark gone).
   */
  claimDecision(id: string): Promise<boolean>;
}

interface MessageRow {
  id: string;
  tenant_id: string;
  channel_id: string;
  contact_id: string;
  direction: MessageDirection;
  kind: MessageKind;
  provider_id: string | null;
  body_enc: string | null;
  type: string;
  status: MessageStatus;
  error_code: string | null;
  is_cold: boolean;
  decision_id: string | null;
  reply_to_provider_id: string | null;
  send_started_at: Date | null;
  attempts: number;
  created_at: Date;
  sent_at: Date | null;
  updated_at: Date;
}

const TABLE = 'messages';
const COLUMNS = `id, tenant_id, channel_id, contact_id, direction, kind, provider_id, body_enc, type, status, error_code,
  is_cold, decision_id, reply_to_provider_id, send_started_at, attempts, created_at, sent_at, updated_at`;

// The statuses a message may currently have for a move to each target to be forward. Written out
// as SQL lists so the check happens in the UPDATE itself: two webhooks racing cannot both win.
const MOVABLE_FROM: Readonly<Record<OutboundStatus, readonly MessageStatus[]>> = {
  queued: [],
  sent: ['queued'],
  delivered: ['queued', 'sent'],
  read: ['queued', 'sent', 'delivered'],
  failed: ['queued', 'sent'],
};

/** Whether a message in status `from` may move to `to` (forward only; failed only before delivery). */
/**
 * The row an outbound insert writes, as its RETURNING would read it, built from the input (an
 * insert sent without RETURNING). `updatedAtMs` is the creation time; the stored `updated_at` is
 * the transaction's time, milliseconds apart.
 */
export function plannedOutbound(
  tenantId: string,
  id: string,
  input: NewOutboundMessage,
  createdAtMs: number,
): Message {
  const status = input.status ?? 'queued';
  const sentAtMs = status === 'sent' ? (input.sentAtMs ?? createdAtMs) : (input.sentAtMs ?? null);
  return {
    id,
    tenantId,
    channelId: input.channelId,
    contactId: input.contactId,
    direction: 'out',
    kind: input.kind,
    providerId: input.providerId ?? null,
    body: input.body ?? null,
    type: input.type ?? 'text',
    status,
    errorCode: null,
    isCold: input.isCold ?? false,
    decisionId: input.decisionId ?? null,
    replyToProviderId: input.replyToProviderId ?? null,
    sendStartedAtMs: null,
    attempts: 0,
    createdAtMs,
    sentAtMs,
    updatedAtMs: createdAtMs,
  };
}

export function canMoveStatus(from: MessageStatus, to: OutboundStatus): boolean {
  return MOVABLE_FROM[to]?.includes(from) ?? false;
}

export function messagesRepo(c: RepoContext): MessagesRepo {
  const events = eventsRepo(c);
  /** Tells live screens (through the event log) that a message appeared or its status moved. */
  async function announce(type: 'message.created' | 'message.status', m: Message): Promise<void> {
    await events.append({
      type,
      channelId: m.channelId,
      contactId: m.contactId,
      subjectId: m.id,
      data: {
        direction: m.direction,
        kind: m.kind,
        status: m.status,
        ...(m.errorCode !== null ? { errorCode: m.errorCode } : {}),
      },
      atMs: m.updatedAtMs,
    });
  }
  const toMessage = (r: MessageRow): Message => ({
    id: r.id,
    tenantId: r.tenant_id,
    channelId: r.channel_id,
    contactId: r.contact_id,
    direction: r.direction,
    kind: r.kind,
    providerId: r.provider_id,
    body: unsealOrNull(c, TABLE, 'body_enc', r.id, r.body_enc),
    type: r.type,
    status: r.status,
    errorCode: r.error_code,
    isCold: r.is_cold,
    decisionId: r.decision_id,
    replyToProviderId: r.reply_to_provider_id,
    sendStartedAtMs: msOrNull(r.send_started_at),
    attempts: r.attempts,
    createdAtMs: msOf(r.created_at),
    sentAtMs: msOrNull(r.sent_at),
    updatedAtMs: msOf(r.updated_at),
  });

  async function getByProviderId(channelId: string, providerId: string): Promise<Message | null> {
    const { rows } = await c.tx.query<MessageRow>(
      `SELECT ${COLUMNS} FROM messages WHERE tenant_id = $1 AND channel_id = $2 AND provider_id = $3`,
      [c.tenantId, channelId, providerId],
    );
    return rows[0] ? toMessage(rows[0]) : null;
  }

  async function get(id: string): Promise<Message | null> {
    const { rows } = await c.tx.query<MessageRow>(
      `SELECT ${COLUMNS} FROM messages WHERE tenant_id = $1 AND id = $2`,
      [c.tenantId, id],
    );
    return rows[0] ? toMessage(rows[0]) : null;
  }

  async function setStatus(
    ref: MessageRef,
    status: OutboundStatus,
    options: { errorCode?: string | null; atMs?: number; providerId?: string } = {},
  ): Promise<StatusUpdate> {
    const from = MOVABLE_FROM[status];
    if (from === undefined) throw new RangeError(`unknown message status '${status}'`);
    const params: unknown[] = [
      c.tenantId,
      status,
      isoOrNull(options.atMs),
      options.errorCode ?? null,
      [...from],
    ];
    let match: string;
    if ('id' in ref) {
      params.push(ref.id);
      match = `id = $${params.length}`;
    } else {
      params.push(ref.channelId, ref.providerId);
      match = `channel_id = $${params.length - 1} AND provider_id = $${params.length}`;
    }
    let providerSet = '';
    if (options.providerId !== undefined) {
      params.push(options.providerId);
      providerSet = `, provider_id = coalesce(provider_id, $${params.length})`;
    }
    const { rows } = await c.tx.query<MessageRow>(
      `UPDATE messages SET status = $2,
         sent_at = CASE WHEN $2 IN ('sent', 'delivered', 'read') AND sent_at IS NULL
                        THEN coalesce($3::timestamptz, now()) ELSE sent_at END,
         error_code = CASE WHEN $2 = 'failed' THEN $4 ELSE error_code END,
         updated_at = now()${providerSet}
       WHERE tenant_id = $1 AND direction = 'out' AND status = ANY($5::text[]) AND ${match}
       RETURNING ${COLUMNS}`,
      params,
    );
    if (rows[0]) {
      const moved = toMessage(rows[0]);
      await announce('message.status', moved);
      return { updated: true, message: moved };
    }
    const current = 'id' in ref ? await get(ref.id) : await getByProviderId(ref.channelId, ref.providerId);
    return { updated: false, message: current };
  }

  async function insertOutboundMany(
    inputs: readonly (NewOutboundMessage & { id?: string })[],
    options: { via?: Queryable } = {},
  ): Promise<Message[]> {
    if (inputs.length === 0) return [];
    const via = options.via;
    if (via !== undefined && inputs.some((i) => i.createdAtMs === undefined))
      throw new TypeError('insertOutboundMany via another Queryable needs createdAtMs on every input');
    // One array per column (the tenant once): the statement's text does not depend on the number
    // of rows, so PostgreSQL prepares it once per connection (src/store/postgres.ts).
    const columns: unknown[][] = Array.from({ length: 16 }, () => []);
    const ids: string[] = [];
    for (const input of inputs) {
      const id = input.id ?? newId('msg');
      ids.push(id);
      const status = input.status ?? 'queued';
      const hasBody = input.body !== undefined && input.body !== null;
      const sentAt =
        status === 'sent' ? isoOrNull(input.sentAtMs ?? input.createdAtMs) : isoOrNull(input.sentAtMs);
      const row = [
        id,
        input.channelId,
        input.contactId,
        input.kind,
        input.providerId ?? null,
        hasBody ? seal(c, TABLE, 'body_enc', id, input.body as string) : null,
        hasBody ? c.keyring.blindIndex(input.body as string, c.tenantId) : null,
        input.type ?? null,
        status,
        input.isCold ?? false,
        input.decisionId ?? null,
        isoOrNull(input.createdAtMs),
        sentAt,
        input.replyToProviderId ?? null,
        input.experiment?.id ?? null,
        input.experiment?.variantId ?? null,
      ];
      for (const [i, v] of row.entries()) columns[i]!.push(v);
    }
    const params = [c.tenantId, ...columns];
    const insert = `INSERT INTO messages (id, tenant_id, channel_id, contact_id, direction, kind, provider_id, body_enc, body_bidx,
           type, status, is_cold, decision_id, created_at, sent_at, reply_to_provider_id, experiment_id, variant_id)
         SELECT v.id, $1::text, v.channel_id, v.contact_id, 'out', v.kind, v.provider_id, v.body_enc, v.body_bidx,
           coalesce(v.type, 'text'), v.status, v.is_cold, v.decision_id, coalesce(v.created_at, now()),
           CASE WHEN v.status = 'sent' THEN coalesce(v.sent_at, v.created_at, now()) ELSE v.sent_at END,
           v.reply_to_provider_id, v.experiment_id, v.variant_id
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
           $10::text[], $11::boolean[], $12::text[], $13::timestamptz[], $14::timestamptz[], $15::text[], $16::text[],
           $17::text[])
           AS v(id, channel_id, contact_id, kind, provider_id, body_enc, body_bidx, type, status, is_cold, decision_id,
             created_at, sent_at, reply_to_provider_id, experiment_id, variant_id)`;
    if (via !== undefined) {
      await via.query(insert, params);
      const out: Message[] = [];
      for (const [i, input] of inputs.entries()) {
        const message = plannedOutbound(c.tenantId, ids[i]!, input, input.createdAtMs as number);
        await announce('message.created', message);
        out.push(message);
      }
      return out;
    }
    let inserted: MessageRow[];
    try {
      ({ rows: inserted } = await c.tx.query<MessageRow>(`${insert}\n         RETURNING ${COLUMNS}`, params));
    } catch (err) {
      // UNIQUE (channel_id, provider_id): the only unique key an outbound insert can break.
      const taken = inputs.find((i) => i.providerId);
      if (isUniqueViolation(err) && taken?.providerId) {
        throw new ProviderIdTakenError(taken.channelId, taken.providerId, { cause: err });
      }
      throw err;
    }
    // RETURNING gives the rows in the arrays' order for a plain INSERT; matched by id all the same.
    const byId = new Map(inserted.map((row) => [row.id, row]));
    const out: Message[] = [];
    for (const id of ids) {
      const row = byId.get(id);
      if (!row) throw new Error('outbound message insert returned fewer rows than it was given');
      const message = toMessage(row);
      await announce('message.created', message);
      out.push(message);
    }
    return out;
  }

  return {
    async insertInbound(input) {
      const id = newId('msg');
      const { rows } = await c.tx.query<MessageRow>(
        `INSERT INTO messages (id, tenant_id, channel_id, contact_id, direction, kind, provider_id, body_enc, type,
           status, created_at)
         VALUES ($1, $2, $3, $4, 'in', 'inbound', $5, $6, coalesce($7, 'text'), 'received',
           coalesce($8::timestamptz, now()))
         ON CONFLICT (channel_id, provider_id) DO NOTHING
         RETURNING ${COLUMNS}`,
        [
          id,
          c.tenantId,
          input.channelId,
          input.contactId,
          input.providerId,
          input.body === undefined || input.body === null ? null : seal(c, TABLE, 'body_enc', id, input.body),
          input.type ?? null,
          isoOrNull(input.createdAtMs),
        ],
      );
      if (rows[0]) {
        const inserted = toMessage(rows[0]);
        await announce('message.created', inserted);
        return { inserted: true, message: inserted };
      }
      const existing = await getByProviderId(input.channelId, input.providerId);
      if (!existing) throw new Error('inbound message conflicted on its provider id but cannot be read back');
      return { inserted: false, message: existing };
    },

    async insertOutbound(input) {
      const [inserted] = await insertOutboundMany([input]);
      return inserted!;
    },

    insertOutboundMany,

    get,
    getByProviderId,

    async insertHumanEcho(input) {
      const id = newId('msg');
      const hasBody = input.body !== null;
      const { rows } = await c.tx.query<MessageRow>(
        `INSERT INTO messages (id, tenant_id, channel_id, contact_id, direction, kind, provider_id, body_enc, body_bidx,
           type, status, created_at, sent_at)
         VALUES ($1, $2, $3, $4, 'out', 'human', $5, $6, $7, coalesce($8, 'text'), 'sent', $9::timestamptz, $9::timestamptz)
         ON CONFLICT (channel_id, provider_id) DO NOTHING
         RETURNING ${COLUMNS}`,
        [
          id,
          c.tenantId,
          input.channelId,
          input.contactId,
          input.providerId,
          hasBody ? seal(c, TABLE, 'body_enc', id, input.body as string) : null,
          hasBody ? c.keyring.blindIndex(input.body as string, c.tenantId) : null,
          input.type ?? null,
          isoOf(input.sentAtMs),
        ],
      );
      if (rows[0]) {
        const inserted = toMessage(rows[0]);
        await announce('message.created', inserted);
        return { inserted: true, message: inserted };
      }
      const existing = await getByProviderId(input.channelId, input.providerId);
      if (!existing) throw new Error('echoed message conflicted on its provider id but cannot be read back');
      return { inserted: false, message: existing };
    },

    async cancelQueuedBot(contactId, errorCode) {
      const { rows } = await c.tx.query<MessageRow>(
        `UPDATE messages SET status = 'failed', error_code = $3, updated_at = now()
         WHERE tenant_id = $1 AND contact_id = $2 AND direction = 'out' AND status = 'queued'
           AND kind IN ('reply', 'followup', 'proactive') AND send_started_at IS NULL
         RETURNING ${COLUMNS}`,
        [c.tenantId, contactId, errorCode],
      );
      for (const row of rows) await announce('message.status', toMessage(row));
      return rows.map((r) => r.id);
    },

    async beginSend(id, atMs) {
      const { rows } = await c.tx.query<MessageRow>(
        `UPDATE messages SET send_started_at = coalesce($3::timestamptz, now()), attempts = attempts + 1, updated_at = now()
         WHERE tenant_id = $1 AND id = $2 AND direction = 'out' AND status = 'queued'
         RETURNING ${COLUMNS}`,
        [c.tenantId, id, isoOrNull(atMs)],
      );
      return rows[0] ? toMessage(rows[0]) : null;
    },

    async abortSend(id) {
      await c.tx.query(
        `UPDATE messages SET send_started_at = NULL, updated_at = now()
         WHERE tenant_id = $1 AND id = $2 AND status = 'queued'`,
        [c.tenantId, id],
      );
    },

    async requeueFailed(id) {
      const { affectedRows } = await c.tx.query(
        `UPDATE messages SET status = 'queued', error_code = NULL, updated_at = now()
         WHERE tenant_id = $1 AND id = $2 AND direction = 'out' AND status = 'failed' AND provider_id IS NULL`,
        [c.tenantId, id],
      );
      return (affectedRows ?? 0) > 0;
    },

    markSent(id, providerId, sentAtMs) {
      return setStatus({ id }, 'sent', { providerId, atMs: sentAtMs });
    },

    setStatus(ref, status, options) {
      return setStatus(ref, status, options);
    },

    async markDecisionPending(id) {
      await c.tx.query(
        `UPDATE messages SET decision_pending = true WHERE tenant_id = $1 AND id = $2 AND direction = 'in'`,
        [c.tenantId, id],
      );
    },

    async decisionPending(id) {
      const { rows } = await c.tx.query<{ pending: boolean }>(
        'SELECT decision_pending AS pending FROM messages WHERE tenant_id = $1 AND id = $2',
        [c.tenantId, id],
      );
      return rows[0]?.pending === true;
    },

    async contactHasPendingDecision(contactId) {
      const { rows } = await c.tx.query(
        'SELECT 1 FROM messages WHERE tenant_id = $1 AND contact_id = $2 AND decision_pending LIMIT 1',
        [c.tenantId, contactId],
      );
      return rows.length > 0;
    },

    async claimDecision(id) {
      const { rows } = await c.tx.query(
        `UPDATE messages SET decision_pending = false
         WHERE tenant_id = $1 AND id = $2 AND decision_pending RETURNING id`,
        [c.tenantId, id],
      );
      return rows.length > 0;
    },

    async history(contactId, options = {}) {
      const page = await pageQuery<MessageRow & { cursor_at: string }>(
        c,
        { select: COLUMNS, from: 'messages', where: ['tenant_id = $1', 'contact_id = $2'] },
        [c.tenantId, contactId],
        options,
      );
      return { items: page.rows.map(toMessage), nextCursor: page.nextCursor };
    },
  };
}
