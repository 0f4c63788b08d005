/**
 * Decisions: what the engines decided and why, kept for audit and the dashboard. The reply text
 * and the verdicts (which can quote what the customer wrote) are sealed; reason codes stay in
 * clear so the dashboard can filter on them.
 */

import type { DecisionAction } from '../../engines/decide.ts';
import type { Reason } from '../../engines/types.ts';
import { newId } from '../ids.ts';
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
  createdAtMs?: number;
}

export interface DecisionsRepo {
  insert(input: NewDecision): Promise<DecisionRecord>;
  /** Many decisions in one statement (each needs its pre-generated `id`); for group commit. */
  insertMany(inputs: readonly (NewDecision & { id: string })[]): Promise<void>;
  get(id: string): Promise<DecisionRecord | null>;
  /** Newest first, optionally for one contact or channel. */
  list(options?: PageOptions & { contactId?: string; channelId?: string }): Promise<Page<DecisionRecord>>;
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
  reasons: Reason[];
  verdicts_enc: string | null;
  created_at: Date;
}

const TABLE = 'decisions';
const COLUMNS = `id, tenant_id, channel_id, contact_id, message_id, action, intent, stage, text_enc, send_at, delay_ms,
  typing_ms, reasons, verdicts_enc, created_at`;

export function decisionsRepo(c: RepoContext): DecisionsRepo {
  const toRecord = (r: DecisionRow): DecisionRecord => {
    const verdicts = unsealOrNull(c, TABLE, 'verdicts_enc', r.id, r.verdicts_enc);
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
      reasons: r.reasons,
      verdicts: verdicts === null ? null : (JSON.parse(verdicts) as Record<string, unknown>),
      createdAtMs: msOf(r.created_at),
    };
  };

  /** The 15 column values of one decision row, sealed. */
  const values = (id: string, input: NewDecision): unknown[] => [
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
    JSON.stringify(input.reasons),
    input.verdicts === undefined || input.verdicts === null
      ? null
      : seal(c, TABLE, 'verdicts_enc', id, JSON.stringify(input.verdicts)),
    isoOrNull(input.createdAtMs),
  ];

  return {
    async insertMany(inputs) {
      if (inputs.length === 0) return;
      const params: unknown[] = [];
      const rows: string[] = [];
      for (const input of inputs) {
        const base = params.length;
        params.push(...values(input.id, input));
        const p = (n: number) => `$${base + n}`;
        rows.push(
          `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}, ${p(9)}, ${p(10)}::timestamptz, ${p(11)}::int, ${p(12)}::int, ${p(13)}::jsonb, ${p(14)}, coalesce(${p(15)}::timestamptz, now()))`,
        );
      }
      await c.tx.query(
        `INSERT INTO decisions (id, tenant_id, channel_id, contact_id, message_id, action, intent, stage, text_enc,
           send_at, delay_ms, typing_ms, reasons, verdicts_enc, created_at)
         VALUES ${rows.join(', ')}`,
        params,
      );
    },

    async insert(input) {
      const id = input.id ?? newId('dec');
      const { rows } = await c.tx.query<DecisionRow>(
        `INSERT INTO decisions (id, tenant_id, channel_id, contact_id, message_id, action, intent, stage, text_enc,
           send_at, delay_ms, typing_ms, reasons, verdicts_enc, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::timestamptz, $11, $12, $13::jsonb, $14,
           coalesce($15::timestamptz, now()))
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
