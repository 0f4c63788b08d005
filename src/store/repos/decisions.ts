/**
 * Decisions: what the engines decided and why, kept for audit and the dashboard. The reply text,
 * the verdicts and the reasons are sealed: all three can quote what the customer wrote (a reason
 * says `"robe awa kone" matches nothing in the catalogue`). Only `{engine, code}` of each reason
 * stays in clear (`reasons`), so the dashboard can filter on codes. Sealing here rather than
 * rewording the engines keeps the details useful to the seller (which products customers ask for)
 * and covers any reason an engine adds later.
 */

import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Keyring } from '../../crypto/keyring.ts';
import type { DecisionAction, Reason } from '../../domain/types.ts';
import { newId } from '../ids.ts';
import type { Db } from '../types.ts';
import {
  isoOrNull,
  msOf,
  msOrNull,
  type Page,
  type PageOptions,
  pageQuery,
  type RepoContext,
  seal,
  unsealOrNull,
} from './common.ts';

export interface DecisionRecord {
  id: string;
  tenantId: string;
  channelId: string | null;
  contactId: string | null;
  messageId: string | null;
  action: DecisionAction;
  intent: string | null;
  stage: string | null;
  /** Decrypted reply text. */
  text: string | null;
  sendAtMs: number | null;
  delayMs: number | null;
  typingMs: number | null;
  reasons: Reason[];
  /** Decrypted engine verdicts. */
  verdicts: Record<string, unknown> | null;
  createdAtMs: number;
}

export interface NewDecision {
  /** Pre-generated id when the caller needs it first (the outbound job is keyed by it). */
  id?: string;
  channelId?: string | null;
  contactId?: string | null;
  messageId?: string | null;
  action: DecisionAction;
  intent?: string | null;
  stage?: string | null;
  text?: string | null;
  sendAtMs?: number | null;
  delayMs?: number | null;
  typingMs?: number | null;
  reasons: readonly Reason[];
  verdicts?: Record<string, unknown> | null;
  /**
   * `JSON.stringify({ reasons, verdicts })` of this input, when the caller already made it (POST
   * /decision serializes the reasons and verdicts once for the row and the response: see
   * `detailsJsonOf`). Must be exactly that string; ignored without verdicts.
   */
  detailsJson?: string;
  createdAtMs?: number;
}

export interface DecisionsRepo {
  insert(input: NewDecision): Promise<DecisionRecord>;
  /** Many decisions in one statement (each needs its pre-generated `id`); for group commit. */
  insertMany(inputs: readonly (NewDecision & { id: string })[]): Promise<void>;
  get(id: string): Promise<DecisionRecord | null>;
  /** Newest first, optionally for one contact or channel. */
  list(options?: PageOptions & { contactId?: string; channelId?: string }): Promise<Page<DecisionRecord>>;
  /** The action of the newest decision taken on an inbound message of the contact, or null if none. */
  lastActionFor(contactId: string, messageId: string): Promise<DecisionAction | null>;
}

interface DecisionRow {
  id: string;
  tenant_id: string;
  channel_id: string | null;
  contact_id: string | null;
  message_id: string | null;
  action: DecisionAction;
  intent: string | null;
  stage: string | null;
  text_enc: string | null;
  send_at: Date | null;
  delay_ms: number | null;
  typing_ms: number | null;
  /** `{engine, code}` only; the full reasons are in reasons_enc (null on rows older than 0006). */
  reasons: Reason[];
  reasons_enc: string | null;
  verdicts_enc: string | null;
  created_at: Date;
}

const TABLE = 'decisions';
const COLUMNS = `id, tenant_id, channel_id, contact_id, message_id, action, intent, stage, text_enc, send_at, delay_ms,
  typing_ms, reasons, reasons_enc, verdicts_enc, created_at`;

/**
 * Marks a sealed JSON value stored deflated (raw DEFLATE, base64). Plain JSON starts with `{`,
 * `[` or `n`, never with this, so rows written before compression read unchanged, and key rotation,
 * which re-seals the plaintext as it is, keeps either form.
 */
const DEFLATED = 'z1:';
/** Below this many characters deflating saves too little to pay for itself. */
const DEFLATE_MIN_CHARS = 256;

/**
 * The verdicts and reasons of a decision are a few KB of repetitive JSON (issue 17: the audit row
 * was 6.9 KB, most of it sealed JSON): deflated before sealing they take about 40 % of the bytes,
 * so every decision writes, and every page of the audit reads, less. The level is the fastest:
 * higher levels saved 4 % more for several times the CPU.
 */
export function packJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json.length < DEFLATE_MIN_CHARS) return json;
  return DEFLATED + deflateRawSync(json, { level: 1 }).toString('base64');
}

/**
 * Marks a sealed `verdicts_enc` holding the reasons and the verdicts together, deflated:
 * `z2:` + base64 of raw DEFLATE of `{"reasons": […], "verdicts": {…}}`. Every verdict repeats its
 * engine's reasons, so one stream compresses both to about 70 % of the two deflated apart (dev
 * messages: 1,535 against 831 + 1,345 base64 characters) and a decision deflates once instead of
 * twice, the larger part of the row's CPU outside the engines (issue 17). `reasons_enc` then
 * seals REASONS_WITH_VERDICTS instead of the reasons.
 */
const DEFLATED_PAIR = 'z2:';
/** The sealed reasons of a row whose reasons are in its `z2:` verdicts. Not JSON, not `z1:`. */
const REASONS_WITH_VERDICTS = '@verdicts';

/** The plaintexts of reasons_enc and verdicts_enc for a new decision. */
export function packDetails(
  reasons: readonly Reason[],
  verdicts: Record<string, unknown> | null | undefined,
  /** `JSON.stringify({ reasons, verdicts })` when the caller already has it. */
  detailsJson?: string,
): { reasons: string; verdicts: string | null } {
  if (verdicts === undefined || verdicts === null) return { reasons: packJson(reasons), verdicts: null };
  const json = detailsJson ?? JSON.stringify({ reasons, verdicts });
  return {
    reasons: REASONS_WITH_VERDICTS,
    verdicts: DEFLATED_PAIR + deflateRawSync(json, { level: 1 }).toString('base64'),
  };
}

/** Keys JSON.stringify would move ahead of the others (array indexes come first in property order). */
const INDEX_KEY = /^(0|[1-9][0-9]*)$/;

/**
 * `JSON.stringify({ reasons, verdicts: extended })` built from the JSON of `reasons` and of
 * `verdicts` the caller already made, where `extended` is `{ ...verdicts, ...extra }` (the audit
 * row's verdicts: the engines' plus the template, the order draft and the model's answers). Only
 * `extra` is serialized here. Undefined when the result could differ from JSON.stringify's (a key
 * of `verdicts` changed or dropped in `extended`, an index-like key): the caller then leaves the
 * serializing to `packDetails`. Issue 17: POST /decision serialized the reasons and the verdicts
 * twice, once for the audit row and once for the response.
 */
export function detailsJsonOf(
  reasonsJson: string,
  verdictsJson: string,
  verdicts: Readonly<Record<string, unknown>>,
  extended: Readonly<Record<string, unknown>>,
): string | undefined {
  const keys = Object.keys(extended);
  const own = Object.keys(verdicts);
  if (keys.length < own.length) return undefined;
  const extra: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (INDEX_KEY.test(key)) return undefined;
    if (i < own.length) {
      if (key !== own[i] || extended[key] !== verdicts[key]) return undefined;
    } else {
      if (Object.hasOwn(verdicts, key)) return undefined;
      extra[key] = extended[key];
    }
  }
  const extraJson = JSON.stringify(extra);
  const merged =
    extraJson === '{}'
      ? verdictsJson
      : verdictsJson === '{}'
        ? extraJson
        : `${verdictsJson.slice(0, -1)},${extraJson.slice(1)}`;
  return `{"reasons":${reasonsJson},"verdicts":${merged}}`;
}

/**
 * Reasons and verdicts from the unsealed reasons_enc and verdicts_enc of any row: plain JSON
 * (before compression), `z1:` each (deflated apart), or the `z2:` pair. Null where the column is.
 */
export function unpackDetails(
  reasons: string | null,
  verdicts: string | null,
): { reasons: Reason[] | null; verdicts: Record<string, unknown> | null } {
  if (verdicts?.startsWith(DEFLATED_PAIR)) {
    const pair = JSON.parse(
      inflateRawSync(Buffer.from(verdicts.slice(DEFLATED_PAIR.length), 'base64')).toString('utf8'),
    ) as { reasons: Reason[]; verdicts: Record<string, unknown> };
    return {
      reasons:
        reasons === null || reasons === REASONS_WITH_VERDICTS
          ? pair.reasons
          : (unpackJson(reasons) as Reason[]),
      verdicts: pair.verdicts,
    };
  }
  if (reasons === REASONS_WITH_VERDICTS) {
    throw new Error('decision reasons are stored with its verdicts, but the verdicts are not a z2: pair');
  }
  return {
    reasons: reasons === null ? null : (unpackJson(reasons) as Reason[]),
    verdicts: verdicts === null ? null : (unpackJson(verdicts) as Record<string, unknown>),
  };
}

export function unpackJson(packed: string): unknown {
  return JSON.parse(
    packed.startsWith(DEFLATED)
      ? inflateRawSync(Buffer.from(packed.slice(DEFLATED.length), 'base64')).toString('utf8')
      : packed,
  );
}

/** What stays in clear of each reason: its engine and code, never the detail. */
export function reasonCodes(reasons: readonly Reason[]): { engine: string; code: string }[] {
  return reasons.map((r) => ({ engine: r.engine, code: r.code }));
}

export function decisionsRepo(c: RepoContext): DecisionsRepo {
  const toRecord = (r: DecisionRow): DecisionRecord => {
    const details = unpackDetails(
      unsealOrNull(c, TABLE, 'reasons_enc', r.id, r.reasons_enc),
      unsealOrNull(c, TABLE, 'verdicts_enc', r.id, r.verdicts_enc),
    );
    return {
      id: r.id,
      tenantId: r.tenant_id,
      channelId: r.channel_id,
      contactId: r.contact_id,
      messageId: r.message_id,
      action: r.action,
      intent: r.intent,
      stage: r.stage,
      text: unsealOrNull(c, TABLE, 'text_enc', r.id, r.text_enc),
      sendAtMs: msOrNull(r.send_at),
      delayMs: r.delay_ms,
      typingMs: r.typing_ms,
      reasons: details.reasons ?? r.reasons,
      verdicts: details.verdicts,
      createdAtMs: msOf(r.created_at),
    };
  };

  /** The 16 column values of one decision row, sealed. */
  const values = (id: string, input: NewDecision): unknown[] => {
    const details = packDetails(input.reasons, input.verdicts, input.detailsJson);
    return [
      id,
      c.tenantId,
      input.channelId ?? null,
      input.contactId ?? null,
      input.messageId ?? null,
      input.action,
      input.intent ?? null,
      input.stage ?? null,
      input.text === undefined || input.text === null ? null : seal(c, TABLE, 'text_enc', id, input.text),
      isoOrNull(input.sendAtMs),
      input.delayMs === undefined || input.delayMs === null ? null : Math.round(input.delayMs),
      input.typingMs === undefined || input.typingMs === null ? null : Math.round(input.typingMs),
      JSON.stringify(reasonCodes(input.reasons)),
      seal(c, TABLE, 'reasons_enc', id, details.reasons),
      details.verdicts === null ? null : seal(c, TABLE, 'verdicts_enc', id, details.verdicts),
      isoOrNull(input.createdAtMs),
    ];
  };

  return {
    async insertMany(inputs) {
      if (inputs.length === 0) return;
      // One array per column: the statement's text does not depend on the number of rows, so
      // PostgreSQL prepares it once per connection (src/store/postgres.ts, named statements).
      const columns: unknown[][] = Array.from({ length: 16 }, () => []);
      for (const input of inputs) for (const [i, v] of values(input.id, input).entries()) columns[i]!.push(v);
      await c.tx.query(
        `INSERT INTO decisions (id, tenant_id, channel_id, contact_id, message_id, action, intent, stage, text_enc,
           send_at, delay_ms, typing_ms, reasons, reasons_enc, verdicts_enc, created_at)
         SELECT v.id, v.tenant_id, v.channel_id, v.contact_id, v.message_id, v.action, v.intent, v.stage, v.text_enc,
           v.send_at, v.delay_ms, v.typing_ms, v.reasons::jsonb, v.reasons_enc, v.verdicts_enc,
           coalesce(v.created_at, now())
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
           $9::text[], $10::timestamptz[], $11::int[], $12::int[], $13::text[], $14::text[], $15::text[],
           $16::timestamptz[])
           AS v(id, tenant_id, channel_id, contact_id, message_id, action, intent, stage, text_enc, send_at, delay_ms,
             typing_ms, reasons, reasons_enc, verdicts_enc, created_at)`,
        columns,
      );
    },

    async insert(input) {
      const id = input.id ?? newId('dec');
      const { rows } = await c.tx.query<DecisionRow>(
        `INSERT INTO decisions (id, tenant_id, channel_id, contact_id, message_id, action, intent, stage, text_enc,
           send_at, delay_ms, typing_ms, reasons, reasons_enc, verdicts_enc, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::timestamptz, $11, $12, $13::jsonb, $14, $15,
           coalesce($16::timestamptz, now()))
         RETURNING ${COLUMNS}`,
        values(id, input),
      );
      return toRecord(rows[0]!);
    },

    async get(id) {
      const { rows } = await c.tx.query<DecisionRow>(
        `SELECT ${COLUMNS} FROM decisions WHERE tenant_id = $1 AND id = $2`,
        [c.tenantId, id],
      );
      return rows[0] ? toRecord(rows[0]) : null;
    },

    async lastActionFor(contactId, messageId) {
      const { rows } = await c.tx.query<{ action: DecisionAction }>(
        `SELECT action FROM decisions WHERE tenant_id = $1 AND contact_id = $2 AND message_id = $3
         ORDER BY created_at DESC, id DESC LIMIT 1`,
        [c.tenantId, contactId, messageId],
      );
      return rows[0]?.action ?? null;
    },

    async list(options = {}) {
      const where = ['tenant_id = $1'];
      const params: unknown[] = [c.tenantId];
      if (options.contactId !== undefined) {
        params.push(options.contactId);
        where.push(`contact_id = $${params.length}`);
      }
      if (options.channelId !== undefined) {
        params.push(options.channelId);
        where.push(`channel_id = $${params.length}`);
      }
      const page = await pageQuery<DecisionRow & { cursor_at: string }>(
        c,
        { select: COLUMNS, from: 'decisions', where },
        params,
        options,
      );
      return { items: page.rows.map(toRecord), nextCursor: page.nextCursor };
    },
  };
}

export interface SealLegacyOptions {
  /** Rows per transaction. Default 500. */
  batchSize?: number;
  /** Aborting stops before the next batch; sealed batches stay sealed. */
  signal?: AbortSignal;
}

/**
 * Seals the reasons of decisions stored before migration 0006, whose details are in clear, and
 * leaves only `{engine, code}` there. Owner-level maintenance, run once at start (server.ts):
 * each batch is its own transaction and only touches rows still without `reasons_enc`, so several
 * instances starting together, or a run stopped midway, simply share or resume the work. Returns
 * how many rows it sealed.
 */
export async function sealLegacyReasons(
  store: { db: Db; keyring: Keyring },
  options: SealLegacyOptions = {},
): Promise<number> {
  const batchSize = options.batchSize ?? 500;
  let total = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const sealed = await store.db.ownerTx(async (tx) => {
      const { rows } = await tx.query<{ id: string; tenant_id: string; reasons: Reason[] }>(
        `SELECT id, tenant_id, reasons FROM decisions WHERE reasons_enc IS NULL
         ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );
      if (rows.length === 0) return 0;
      const ids: string[] = [];
      const sealedValues: string[] = [];
      const codes: string[] = [];
      for (const row of rows) {
        const reasons = Array.isArray(row.reasons) ? row.reasons : [];
        ids.push(row.id);
        sealedValues.push(
          store.keyring.encrypt(JSON.stringify(reasons), {
            tenantId: row.tenant_id,
            table: TABLE,
            column: 'reasons_enc',
            rowId: row.id,
          }),
        );
        codes.push(JSON.stringify(reasonCodes(reasons)));
      }
      await tx.query(
        `UPDATE decisions AS t SET reasons_enc = v.sealed, reasons = v.codes::jsonb
         FROM unnest($1::text[], $2::text[], $3::text[]) AS v(id, sealed, codes)
         WHERE t.id = v.id AND t.reasons_enc IS NULL`,
        [ids, sealedValues, codes],
      );
      return rows.length;
    });
    total += sealed;
    if (sealed < batchSize) return total;
  }
}
