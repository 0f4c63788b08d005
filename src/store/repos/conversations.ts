/**
 * The conversation inbox: one row per contact that has messages, newest activity first, with what
 * a seller scans a list for (the last message, how many customer messages wait for an answer, who
 * answers, an open order). Contacts and messages themselves are read through their repositories
 * (their fields are sealed); this repository only finds and orders them.
 */

import { type Page, type PageOptions, pageQuery, type RepoContext } from './common.ts';
import type { Ownership } from './contacts.ts';

export interface ConversationRow {
  contactId: string;
  lastMessageId: string;
  /** Customer messages since the last outbound message that was not a failure. */
  unread: number;
  /** The newest order still pending, confirmed or paid. */
  openOrderId: string | null;
}

export interface ConversationFilter {
  ownership?: readonly Ownership[];
  channelId?: string;
}

interface Row {
  id: string;
  last_message_id: string;
  unread: string | number;
  open_order_id: string | null;
  cursor_at: string;
}

export interface ConversationsRepo {
  /** Newest activity first (the last message's time), paged by that time and the contact id. */
  list(options?: PageOptions & ConversationFilter): Promise<Page<ConversationRow>>;
}

export function conversationsRepo(c: RepoContext): ConversationsRepo {
  return {
    async list(options = {}) {
      const params: unknown[] = [c.tenantId];
      const inner = ['ct.tenant_id = $1'];
      if (options.ownership && options.ownership.length > 0) {
        params.push([...options.ownership]);
        inner.push(`ct.ownership = ANY($${params.length}::text[])`);
      }
      if (options.channelId !== undefined) {
        params.push(options.channelId);
        inner.push(`ct.channel_id = $${params.length}`);
      }
      // `created_at` of the derived table is the conversation's last activity, so pageQuery's
      // (created_at, id) cursor pages it newest first like any other collection.
      const from = `(
        SELECT ct.id, ct.tenant_id, lm.id AS last_message_id, lm.created_at,
          (SELECT count(*) FROM messages mi
            WHERE mi.tenant_id = ct.tenant_id AND mi.contact_id = ct.id AND mi.direction = 'in'
              AND mi.created_at > coalesce((
                SELECT max(mo.created_at) FROM messages mo
                WHERE mo.tenant_id = ct.tenant_id AND mo.contact_id = ct.id AND mo.direction = 'out'
                  AND mo.status <> 'failed'), '-infinity'::timestamptz)) AS unread,
          (SELECT o.id FROM orders o
            WHERE o.tenant_id = ct.tenant_id AND o.contact_id = ct.id AND o.status IN ('pending', 'confirmed', 'paid')
            ORDER BY o.created_at DESC, o.id DESC LIMIT 1) AS open_order_id
        FROM contacts ct
        JOIN LATERAL (
          SELECT m.id, m.created_at FROM messages m
          WHERE m.tenant_id = ct.tenant_id AND m.contact_id = ct.id
          ORDER BY m.created_at DESC, m.id DESC LIMIT 1
        ) lm ON true
        WHERE ${inner.join(' AND ')}
      ) AS conv`;
      const page = await pageQuery<Row>(
        c,
        { select: 'id, last_message_id, unread, open_order_id', from, where: ['tenant_id = $1'] },
        params,
        options,
      );
      return {
        items: page.rows.map((r) => ({
          contactId: r.id,
          lastMessageId: r.last_message_id,
          unread: Number(r.unread),
          openOrderId: r.open_order_id,
        })),
        nextCursor: page.nextCursor,
      };
    },
  };
}
