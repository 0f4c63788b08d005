/**
 * Contacts: a customer on a channel. The phone number (E.164) and the name are sealed; the number
 * is found again through its blind index. Look-ups try the blind index under every configured key,
 * so a contact written before a key rotation is found (and not duplicated) while the rotation runs.
 */

import { normalizePhone, PhoneError, type PhoneNumber, phoneFromWhatsAppId } from '../../domain/phone.ts';
import type { Stage } from '../../engines/types.ts';
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
  unseal,
  unsealOrNull,
} from './common.ts';

export interface Contact {
  id: string;
  tenantId: string;
  channelId: string;
  /** E.164, decrypted. */
  phone: string;
  name: string | null;
  /** ISO 3166-1 alpha-2 from the calling code. */
  country: string | null;
  /** IANA zone from the calling code (sending windows use it). */
  timezone: string | null;
  stage: Stage;
  optedOut: boolean;
  optedIn: boolean;
  optedOutAtMs: number | null;
  lastInboundAtMs: number | null;
  lastOutboundAtMs: number | null;
  followupsSent: number;
  /** The conversation was handed to a person: automation stays quiet until this is cleared. */
  handoffAtMs: number | null;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface ContactPatch {
  stage?: Stage;
  /** true stamps opted_out_at (now, or optedOutAtMs); false clears it. */
  optedOut?: boolean;
  optedOutAtMs?: number | null;
  optedIn?: boolean;
  followupsSent?: number;
  handoffAtMs?: number | null;
  lastInboundAtMs?: number | null;
  lastOutboundAtMs?: number | null;
  name?: string | null;
  timezone?: string | null;
}

export interface UpsertContactResult {
  contact: Contact;
  /** True when this call created the contact (its first message). */
  created: boolean;
}

export interface ContactsRepo {
  /**
   * Finds the contact of this phone on the channel or creates it. A given name that differs from
   * the stored one replaces it (WhatsApp profile names change). The phone may be any spelling
   * normalizePhone accepts ('+225 07…', '2250701020304@s.whatsapp.net').
   */
  upsertByPhone(
    channelId: string,
    phone: string,
    name?: string | null,
    options?: { defaultCountryCode?: string },
  ): Promise<UpsertContactResult>;
  findByPhone(
    channelId: string,
    phone: string,
    options?: { defaultCountryCode?: string },
  ): Promise<Contact | null>;
  get(id: string): Promise<Contact | null>;
  /** Newest first. */
  list(options?: PageOptions & { channelId?: string }): Promise<Page<Contact>>;
  patch(id: string, patch: ContactPatch): Promise<Contact | null>;
}

interface ContactRow {
  id: string;
  tenant_id: string;
  channel_id: string;
  phone_enc: string;
  name_enc: string | null;
  country: string | null;
  timezone: string | null;
  stage: Stage;
  opted_out: boolean;
  opted_in: boolean;
  opted_out_at: Date | null;
  last_inbound_at: Date | null;
  last_outbound_at: Date | null;
  followups_sent: number;
  handoff_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const TABLE = 'contacts';
const COLUMNS = `id, tenant_id, channel_id, phone_enc, name_enc, country, timezone, stage, opted_out, opted_in,
  opted_out_at, last_inbound_at, last_outbound_at, followups_sent, handoff_at, created_at, updated_at`;

/** E.164 from what a seller typed or what a transport sent (a WhatsApp id like `225…@s.whatsapp.net`). */
function toPhone(input: string, defaultCountryCode?: string): PhoneNumber {
  if (!input.includes('@')) return normalizePhone(input, defaultCountryCode);
  const number = phoneFromWhatsAppId(input);
  // Group and LID ids carry no phone number; the message says what, never the input itself.
  if (!number) throw new PhoneError('WhatsApp id does not contain a phone number (group or LID id?)');
  return number;
}

export function contactsRepo(c: RepoContext): ContactsRepo {
  const toContact = (r: ContactRow): Contact => ({
    id: r.id,
    tenantId: r.tenant_id,
    channelId: r.channel_id,
    phone: unseal(c, TABLE, 'phone_enc', r.id, r.phone_enc),
    name: unsealOrNull(c, TABLE, 'name_enc', r.id, r.name_enc),
    country: r.country,
    timezone: r.timezone,
    stage: r.stage,
    optedOut: r.opted_out,
    optedIn: r.opted_in,
    optedOutAtMs: msOrNull(r.opted_out_at),
    lastInboundAtMs: msOrNull(r.last_inbound_at),
    lastOutboundAtMs: msOrNull(r.last_outbound_at),
    followupsSent: r.followups_sent,
    handoffAtMs: msOrNull(r.handoff_at),
    createdAtMs: msOf(r.created_at),
    updatedAtMs: msOf(r.updated_at),
  });

  async function findRow(channelId: string, e164: string): Promise<ContactRow | null> {
    const { rows } = await c.tx.query<ContactRow>(
      `SELECT ${COLUMNS} FROM contacts WHERE tenant_id = $1 AND channel_id = $2 AND phone_bidx = ANY($3::text[])
       LIMIT 1`,
      [c.tenantId, channelId, c.keyring.blindIndexes(e164, c.tenantId)],
    );
    return rows[0] ?? null;
  }

  async function setName(row: ContactRow, name: string): Promise<ContactRow> {
    const { rows } = await c.tx.query<ContactRow>(
      `UPDATE contacts SET name_enc = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [c.tenantId, row.id, seal(c, TABLE, 'name_enc', row.id, name)],
    );
    return rows[0] ?? row;
  }

  return {
    async upsertByPhone(channelId, phone, name, options) {
      const number = toPhone(phone, options?.defaultCountryCode);
      const wantedName = name === undefined || name === null || name.trim() === '' ? null : name.trim();
      for (let attempt = 0; attempt < 2; attempt++) {
        const existing = await findRow(channelId, number.e164);
        if (existing) {
          const storedName = unsealOrNull(c, TABLE, 'name_enc', existing.id, existing.name_enc);
          const row =
            wantedName !== null && wantedName !== storedName ? await setName(existing, wantedName) : existing;
          return { contact: toContact(row), created: false };
        }
        const id = newId('ctc');
        const { rows } = await c.tx.query<ContactRow>(
          `INSERT INTO contacts (id, tenant_id, channel_id, phone_enc, phone_bidx, name_enc, country, timezone)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (tenant_id, channel_id, phone_bidx) DO NOTHING
           RETURNING ${COLUMNS}`,
          [
            id,
            c.tenantId,
            channelId,
            seal(c, TABLE, 'phone_enc', id, number.e164),
            c.keyring.blindIndex(number.e164, c.tenantId),
            wantedName === null ? null : seal(c, TABLE, 'name_enc', id, wantedName),
            number.country ?? null,
            number.timeZone ?? null,
          ],
        );
        if (rows[0]) return { contact: toContact(rows[0]), created: true };
        // A concurrent transaction inserted the same number between our look-up and insert; its
        // row is committed now, so the second look-up finds it.
      }
      throw new Error('contact upsert lost two races in a row');
    },

    async findByPhone(channelId, phone, options) {
      const row = await findRow(channelId, toPhone(phone, options?.defaultCountryCode).e164);
      return row ? toContact(row) : null;
    },

    async get(id) {
      const { rows } = await c.tx.query<ContactRow>(
        `SELECT ${COLUMNS} FROM contacts WHERE tenant_id = $1 AND id = $2`,
        [c.tenantId, id],
      );
      return rows[0] ? toContact(rows[0]) : null;
    },

    async list(options = {}) {
      const where = ['tenant_id = $1'];
      const params: unknown[] = [c.tenantId];
      if (options.channelId !== undefined) {
        params.push(options.channelId);
        where.push(`channel_id = $${params.length}`);
      }
      const page = await pageQuery<ContactRow & { cursor_at: string }>(
        c,
        { select: COLUMNS, from: 'contacts', where },
        params,
        options,
      );
      return { items: page.rows.map(toContact), nextCursor: page.nextCursor };
    },

    async patch(id, patch) {
      const sets: string[] = [];
      const params: unknown[] = [c.tenantId, id];
      const set = (sql: string, value: unknown) => {
        params.push(value);
        sets.push(sql.replaceAll('$?', `$${params.length}`));
      };
      if (patch.stage !== undefined) set('stage = $?', patch.stage);
      if (patch.optedOut !== undefined) {
        set('opted_out = $?', patch.optedOut);
        if (patch.optedOut) {
          set('opted_out_at = coalesce($?::timestamptz, now())', isoOrNull(patch.optedOutAtMs));
        } else {
          sets.push('opted_out_at = NULL');
        }
      } else if (patch.optedOutAtMs !== undefined) {
        set('opted_out_at = $?::timestamptz', isoOrNull(patch.optedOutAtMs));
      }
      if (patch.optedIn !== undefined) set('opted_in = $?', patch.optedIn);
      if (patch.followupsSent !== undefined) {
        if (!Number.isInteger(patch.followupsSent) || patch.followupsSent < 0) {
          throw new RangeError('followupsSent must be a non-negative integer');
        }
        set('followups_sent = $?', patch.followupsSent);
      }
      if (patch.handoffAtMs !== undefined) set('handoff_at = $?::timestamptz', isoOrNull(patch.handoffAtMs));
      if (patch.lastInboundAtMs !== undefined)
        set('last_inbound_at = $?::timestamptz', isoOrNull(patch.lastInboundAtMs));
      if (patch.lastOutboundAtMs !== undefined) {
        set('last_outbound_at = $?::timestamptz', isoOrNull(patch.lastOutboundAtMs));
      }
      if (patch.name !== undefined) {
        const trimmed = patch.name?.trim() ?? '';
        set('name_enc = $?', trimmed === '' ? null : seal(c, TABLE, 'name_enc', id, trimmed));
      }
      if (patch.timezone !== undefined) set('timezone = $?', patch.timezone);
      sets.push('updated_at = now()');
      const { rows } = await c.tx.query<ContactRow>(
        `UPDATE contacts SET ${sets.join(', ')} WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        params,
      );
      return rows[0] ? toContact(rows[0]) : null;
    },
  };
}
