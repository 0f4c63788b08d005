/**
 * Contacts: a customer on a channel, known by a phone number (E.164), a Cloud business-scoped user
 * id (BSUID), or both: a username user writes without a phone number. Phone, BSUID and name are
 * sealed; phone and BSUID are found again through their blind indexes. Look-ups try the blind
 * index under every configured key, so a contact written before a key rotation is found (and not
 * duplicated) while the rotation runs.
 */

import { type Bsuid, parseBsuid } from '../../domain/bsuid.ts';
import { normalizePhone, PhoneError, type PhoneNumber, phoneFromWhatsAppId } from '../../domain/phone.ts';
import type { Stage } from '../../domain/types.ts';
import { newId } from '../ids.ts';
import {
  isoOf,
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

export interface Contact {
  id: string;
  tenantId: string;
  channelId: string;
  /** E.164, decrypted; null for a username user known only by BSUID. */
  phone: string | null;
  /** Cloud business-scoped user id ('CI.1502576394655843'), decrypted, when Meta sent one. */
  bsuid: string | null;
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
  /** Who answers: the bot, a person, or nobody yet (the bot handed off and no one took it). */
  ownership: Ownership;
  /** Since when the current ownership holds (null for a conversation the bot always had). */
  ownershipSinceMs: number | null;
  /** Who took it ('phone' for a reply typed on the seller's phone, or the name given to the API). */
  owner: string | null;
  /** Last message a person sent in this conversation (the quiet period before the bot returns). */
  lastHumanAtMs: number | null;
  createdAtMs: number;
  updatedAtMs: number;
}

export const OWNERSHIPS = ['bot', 'human', 'waiting'] as const;
export type Ownership = (typeof OWNERSHIPS)[number];

/** A change of hands; `handoffAtMs` follows it (set unless the bot owns the conversation). */
export interface OwnershipChange {
  state: Ownership;
  /** Who took it (for `human`); cleared otherwise. */
  owner?: string | null;
  atMs: number;
}

export interface ContactPatch {
  ownership?: OwnershipChange;
  lastHumanAtMs?: number | null;
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
  /** A new BSUID (Meta issues one when the user changes number: `user_changed_user_id`). */
  bsuid?: string;
  /** The conversation state of the order dialogue (sealed JSON); null clears it. */
  conversation?: Record<string, unknown> | null;
}

/** Who a contact is: at least one of the two. */
export interface ContactIdentity {
  /** Any spelling normalizePhone accepts, or a WhatsApp id ('225…@s.whatsapp.net'). */
  phone?: string;
  /** Cloud business-scoped user id. */
  bsuid?: string;
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
  /**
   * Finds the contact by phone, then by BSUID, or creates it. What the sender newly reveals is
   * kept: a BSUID beside a known phone, a phone beside a known BSUID (unless another contact of
   * the channel already holds it). Throws PhoneError or BsuidError for a malformed identity, and
   * a RangeError when neither is given.
   */
  upsertBySender(
    channelId: string,
    identity: ContactIdentity,
    name?: string | null,
    options?: { defaultCountryCode?: string },
  ): Promise<UpsertContactResult>;
  findByPhone(
    channelId: string,
    phone: string,
    options?: { defaultCountryCode?: string },
  ): Promise<Contact | null>;
  findByBsuid(channelId: string, bsuid: string): Promise<Contact | null>;
  get(id: string): Promise<Contact | null>;
  /** Newest first. */
  list(options?: PageOptions & { channelId?: string }): Promise<Page<Contact>>;
  patch(id: string, patch: ContactPatch): Promise<Contact | null>;
  /** The stored conversation state (migration 0013), unsealed; null when there is none. */
  conversation(id: string): Promise<Record<string, unknown> | null>;
}

interface ContactRow {
  id: string;
  tenant_id: string;
  channel_id: string;
  phone_enc: string | null;
  bsuid_enc: string | null;
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
  ownership: Ownership;
  ownership_since: Date | null;
  owner_enc: string | null;
  last_human_at: Date | null;
  created_at: Date;
  updated_at: Date;
  /** Only in reads of one contact (ROW_COLUMNS). */
  conversation_enc?: string | null;
}

const TABLE = 'contacts';
const COLUMNS = `id, tenant_id, channel_id, phone_enc, bsuid_enc, name_enc, country, timezone, stage, opted_out, opted_in,
  opted_out_at, last_inbound_at, last_outbound_at, followups_sent, handoff_at, ownership, ownership_since, owner_enc,
  last_human_at, created_at, updated_at`;
/**
 * One contact's reads and writes also bring its sealed conversation state back, so the decision
 * that follows the look-up (or the update) needs no read of its own (issue 17: one statement per
 * message fewer). Lists leave it out.
 */
const ROW_COLUMNS = `${COLUMNS}, conversation_enc`;

/** Bound of RepoContext.knownSenders; past it the set starts over (a miss only costs the seals). */
const KNOWN_SENDERS_MAX = 50_000;

/** E.164 from what a seller typed or what a transport sent (a WhatsApp id like `225…@s.whatsapp.net`). */
function toPhone(input: string, defaultCountryCode?: string): PhoneNumber {
  if (!input.includes('@')) return normalizePhone(input, defaultCountryCode);
  const number = phoneFromWhatsAppId(input);
  // Group and LID ids carry no phone number; the message says what, never the input itself.
  if (!number) throw new PhoneError('WhatsApp id does not contain a phone number (group or LID id?)');
  return number;
}

export function contactsRepo(c: RepoContext): ContactsRepo {
  /**
   * The sealed conversation state of the contacts read or written in this transaction, as of that
   * statement. Every write of the column goes through this repository (patch), which refreshes it.
   */
  const conversations = new Map<string, string | null>();
  const toContact = (r: ContactRow): Contact => {
    if (r.conversation_enc !== undefined) conversations.set(r.id, r.conversation_enc);
    return contactOf(r);
  };
  const contactOf = (r: ContactRow): Contact => ({
    id: r.id,
    tenantId: r.tenant_id,
    channelId: r.channel_id,
    phone: unsealOrNull(c, TABLE, 'phone_enc', r.id, r.phone_enc),
    bsuid: unsealOrNull(c, TABLE, 'bsuid_enc', r.id, r.bsuid_enc),
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
    ownership: r.ownership,
    ownershipSinceMs: msOrNull(r.ownership_since),
    owner: unsealOrNull(c, TABLE, 'owner_enc', r.id, r.owner_enc),
    lastHumanAtMs: msOrNull(r.last_human_at),
    createdAtMs: msOf(r.created_at),
    updatedAtMs: msOf(r.updated_at),
  });

  async function findRow(
    channelId: string,
    column: 'phone_bidx' | 'bsuid_bidx',
    value: string,
  ): Promise<ContactRow | null> {
    const { rows } = await c.tx.query<ContactRow>(
      `SELECT ${ROW_COLUMNS} FROM contacts WHERE tenant_id = $1 AND channel_id = $2 AND ${column} = ANY($3::text[])
       LIMIT 1`,
      [c.tenantId, channelId, c.keyring.blindIndexes(value, c.tenantId)],
    );
    return rows[0] ?? null;
  }

  /** Adds what the sender revealed to a found contact; a value another contact holds is left alone. */
  async function complete(
    row: ContactRow,
    number: PhoneNumber | undefined,
    bsuid: Bsuid | undefined,
    name: string | null,
  ): Promise<ContactRow> {
    const sets: string[] = [];
    const params: unknown[] = [c.tenantId, row.id];
    const set = (column: string, value: unknown) => {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    if (number && row.phone_enc === null && !(await findRow(row.channel_id, 'phone_bidx', number.e164))) {
      set('phone_enc', seal(c, TABLE, 'phone_enc', row.id, number.e164));
      set('phone_bidx', c.keyring.blindIndex(number.e164, c.tenantId));
      if (number.country !== undefined) set('country', number.country);
    }
    if (bsuid) {
      const stored = unsealOrNull(c, TABLE, 'bsuid_enc', row.id, row.bsuid_enc);
      if (stored !== bsuid.value && !(await findRow(row.channel_id, 'bsuid_bidx', bsuid.value))) {
        set('bsuid_enc', seal(c, TABLE, 'bsuid_enc', row.id, bsuid.value));
        set('bsuid_bidx', c.keyring.blindIndex(bsuid.value, c.tenantId));
      }
    }
    if (name !== null && name !== unsealOrNull(c, TABLE, 'name_enc', row.id, row.name_enc)) {
      set('name_enc', seal(c, TABLE, 'name_enc', row.id, name));
    }
    if (sets.length === 0) return row;
    const { rows } = await c.tx.query<ContactRow>(
      `UPDATE contacts SET ${sets.join(', ')}, updated_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING ${ROW_COLUMNS}`,
      params,
    );
    return rows[0] ?? row;
  }

  function rememberSender(key: string): void {
    const known = c.knownSenders;
    if (known === undefined) return;
    if (known.size >= KNOWN_SENDERS_MAX) known.clear();
    known.add(key);
  }

  async function upsert(
    channelId: string,
    identity: ContactIdentity,
    name: string | null | undefined,
    defaultCountryCode: string | undefined,
  ): Promise<UpsertContactResult> {
    const number = identity.phone === undefined ? undefined : toPhone(identity.phone, defaultCountryCode);
    const bsuid = identity.bsuid === undefined ? undefined : parseBsuid(identity.bsuid);
    if (!number && !bsuid) throw new RangeError('a contact needs a phone number or a BSUID');
    const wantedName = name === undefined || name === null || name.trim() === '' ? null : name.trim();
    // The phone's country and zone when there is one; else the BSUID's country prefix.
    const country = number?.country ?? bsuid?.country ?? null;
    const timezone = number ? (number.timeZone ?? null) : (bsuid?.timeZone ?? null);
    // Sealed only for an insert: a returning customer's message needs none of these (issue 17).
    const insertValues = (id: string) => [
      id,
      c.tenantId,
      channelId,
      number ? seal(c, TABLE, 'phone_enc', id, number.e164) : null,
      number ? c.keyring.blindIndex(number.e164, c.tenantId) : null,
      bsuid ? seal(c, TABLE, 'bsuid_enc', id, bsuid.value) : null,
      bsuid ? c.keyring.blindIndex(bsuid.value, c.tenantId) : null,
      wantedName === null ? null : seal(c, TABLE, 'name_enc', id, wantedName),
      country,
      timezone,
    ];
    for (let attempt = 0; attempt < 2; attempt++) {
      const id = newId('ctc');
      // A sender known by one identity (the usual webhook): the look-up and, when nobody holds
      // it, the insert in one statement (one round trip fewer for a new customer). A sender with
      // both is looked up by phone, then by BSUID, as two statements.
      if (attempt === 0 && (number === undefined) !== (bsuid === undefined)) {
        const [column, value] = number
          ? (['phone_bidx', number.e164] as const)
          : (['bsuid_bidx', bsuid!.value] as const);
        // A sender this process has already seen on the channel is looked up alone, so nothing is
        // sealed for an insert that cannot happen (2 AES-GCM calls per message of a returning
        // customer). Still one statement; a contact gone since (erased) falls through to the insert.
        const knownKey = `${c.tenantId}\u0000${channelId}\u0000${column}\u0000${c.keyring.blindIndex(value, c.tenantId)}`;
        if (c.knownSenders?.has(knownKey) === true) {
          const known = await findRow(channelId, column, value);
          if (known) {
            return { contact: toContact(await complete(known, number, bsuid, wantedName)), created: false };
          }
          c.knownSenders.delete(knownKey);
        }
        const { rows } = await c.tx.query<ContactRow & { created: boolean }>(
          `WITH found AS (
             SELECT ${ROW_COLUMNS} FROM contacts
              WHERE tenant_id = $2 AND channel_id = $3 AND ${column} = ANY($11::text[]) LIMIT 1
           ), inserted AS (
             INSERT INTO contacts (id, tenant_id, channel_id, phone_enc, phone_bidx, bsuid_enc, bsuid_bidx, name_enc, country, timezone)
             SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text, $10::text
              WHERE NOT EXISTS (SELECT 1 FROM found)
             ON CONFLICT DO NOTHING
             RETURNING ${ROW_COLUMNS}
           )
           SELECT *, false AS created FROM found UNION ALL SELECT *, true AS created FROM inserted`,
          [...insertValues(id), c.keyring.blindIndexes(value, c.tenantId)],
        );
        const row = rows[0];
        if (row !== undefined) rememberSender(knownKey);
        if (row?.created === true) {
          const { created: _, ...inserted } = row;
          return { contact: toContact(inserted), created: true };
        }
        if (row !== undefined) {
          const { created: _, ...existing } = row;
          return { contact: toContact(await complete(existing, number, bsuid, wantedName)), created: false };
        }
        // Neither found nor inserted: a concurrent transaction inserted the same identity after
        // our snapshot; its row is committed now, so the second attempt finds it.
        continue;
      }
      const existing =
        (number ? await findRow(channelId, 'phone_bidx', number.e164) : null) ??
        (bsuid ? await findRow(channelId, 'bsuid_bidx', bsuid.value) : null);
      if (existing) {
        return { contact: toContact(await complete(existing, number, bsuid, wantedName)), created: false };
      }
      const { rows } = await c.tx.query<ContactRow>(
        `INSERT INTO contacts (id, tenant_id, channel_id, phone_enc, phone_bidx, bsuid_enc, bsuid_bidx, name_enc, country, timezone)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT DO NOTHING
         RETURNING ${ROW_COLUMNS}`,
        insertValues(id),
      );
      if (rows[0]) return { contact: toContact(rows[0]), created: true };
      // A concurrent transaction inserted the same phone or BSUID between our look-up and insert;
      // its row is committed now, so the second look-up finds it.
    }
    throw new Error('contact upsert lost two races in a row');
  }

  return {
    upsertByPhone(channelId, phone, name, options) {
      return upsert(channelId, { phone }, name, options?.defaultCountryCode);
    },

    upsertBySender(channelId, identity, name, options) {
      return upsert(channelId, identity, name, options?.defaultCountryCode);
    },

    async findByPhone(channelId, phone, options) {
      const row = await findRow(channelId, 'phone_bidx', toPhone(phone, options?.defaultCountryCode).e164);
      return row ? toContact(row) : null;
    },

    async findByBsuid(channelId, bsuid) {
      const row = await findRow(channelId, 'bsuid_bidx', parseBsuid(bsuid).value);
      return row ? toContact(row) : null;
    },

    async get(id) {
      const { rows } = await c.tx.query<ContactRow>(
        `SELECT ${ROW_COLUMNS} FROM contacts WHERE tenant_id = $1 AND id = $2`,
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
      if (patch.ownership !== undefined) {
        const o = patch.ownership;
        if (!OWNERSHIPS.includes(o.state)) throw new RangeError(`unknown ownership: ${String(o.state)}`);
        set('ownership = $?', o.state);
        set('ownership_since = $?::timestamptz', isoOf(o.atMs));
        const owner = o.state === 'human' ? (o.owner?.trim() ?? '') : '';
        set('owner_enc = $?', owner === '' ? null : seal(c, TABLE, 'owner_enc', id, owner.slice(0, 200)));
        // The older "automation is quiet" mark, which follow-ups and deferred decisions read.
        set('handoff_at = $?::timestamptz', o.state === 'bot' ? null : isoOf(o.atMs));
      } else if (patch.handoffAtMs !== undefined) {
        set('handoff_at = $?::timestamptz', isoOrNull(patch.handoffAtMs));
        // Older callers hand off with this mark alone: nobody has taken it yet.
        set('ownership = $?', patch.handoffAtMs === null ? 'bot' : 'waiting');
        set('ownership_since = $?::timestamptz', isoOrNull(patch.handoffAtMs));
        sets.push('owner_enc = NULL');
      }
      if (patch.lastHumanAtMs !== undefined)
        set('last_human_at = $?::timestamptz', isoOrNull(patch.lastHumanAtMs));
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
      if (patch.bsuid !== undefined) {
        const bsuid = parseBsuid(patch.bsuid);
        set('bsuid_enc = $?', seal(c, TABLE, 'bsuid_enc', id, bsuid.value));
        set('bsuid_bidx = $?', c.keyring.blindIndex(bsuid.value, c.tenantId));
      }
      if (patch.conversation !== undefined) {
        set(
          'conversation_enc = $?',
          patch.conversation === null
            ? null
            : seal(c, TABLE, 'conversation_enc', id, JSON.stringify(patch.conversation)),
        );
      }
      sets.push('updated_at = now()');
      const { rows } = await c.tx.query<ContactRow>(
        `UPDATE contacts SET ${sets.join(', ')} WHERE tenant_id = $1 AND id = $2 RETURNING ${ROW_COLUMNS}`,
        params,
      );
      if (!rows[0]) conversations.delete(id);
      return rows[0] ? toContact(rows[0]) : null;
    },

    async conversation(id) {
      if (conversations.has(id)) {
        const known = unsealOrNull(c, TABLE, 'conversation_enc', id, conversations.get(id) ?? null);
        return known === null ? null : (JSON.parse(known) as Record<string, unknown>);
      }
      const { rows } = await c.tx.query<{ conversation_enc: string | null }>(
        'SELECT conversation_enc FROM contacts WHERE tenant_id = $1 AND id = $2',
        [c.tenantId, id],
      );
      const sealed = unsealOrNull(c, TABLE, 'conversation_enc', id, rows[0]?.conversation_enc ?? null);
      return sealed === null ? null : (JSON.parse(sealed) as Record<string, unknown>);
    },
  };
}
