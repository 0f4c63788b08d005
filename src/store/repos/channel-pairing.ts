/**
 * The pairing state of gateway channels (migration 0012): what the QR / pairing-code flow last
 * reached, moved by the gateways' webhooks and by polls (src/pipeline/pairing.ts). Nothing here is
 * personal data or a secret: the QR itself is never stored, only the key of the last update applied.
 */

import type { Queryable } from '../types.ts';
import { isoOf, msOf } from './common.ts';

export interface ChannelPairingRecord {
  state: string;
  reason: string | null;
  qrCount: number;
  lastKey: string | null;
  updatedAtMs: number;
}

export interface ChannelPairingRepo {
  /** The channel's pairing, locked until the transaction ends (two webhooks at once apply in turn). */
  getForUpdate(channelId: string): Promise<ChannelPairingRecord | null>;
  put(channelId: string, record: ChannelPairingRecord): Promise<void>;
}

interface Row {
  state: string;
  reason: string | null;
  qr_count: number;
  last_key: string | null;
  updated_at: Date;
}

/** Over a tenant transaction (`TenantRepos`: its `sql` and `tenantId`). */
export function channelPairingRepo(r: { sql: Queryable; tenantId: string }): ChannelPairingRepo {
  return {
    async getForUpdate(channelId) {
      const { rows } = await r.sql.query<Row>(
        `SELECT state, reason, qr_count, last_key, updated_at FROM channel_pairing
         WHERE tenant_id = $1 AND channel_id = $2 FOR UPDATE`,
        [r.tenantId, channelId],
      );
      const row = rows[0];
      if (row === undefined) return null;
      return {
        state: row.state,
        reason: row.reason,
        qrCount: Number(row.qr_count),
        lastKey: row.last_key,
        updatedAtMs: msOf(row.updated_at),
      };
    },

    async put(channelId, record) {
      await r.sql.query(
        `INSERT INTO channel_pairing (tenant_id, channel_id, state, reason, qr_count, last_key, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz)
         ON CONFLICT (tenant_id, channel_id) DO UPDATE SET state = EXCLUDED.state, reason = EXCLUDED.reason,
           qr_count = EXCLUDED.qr_count, last_key = EXCLUDED.last_key, updated_at = EXCLUDED.updated_at`,
        [
          r.tenantId,
          channelId,
          record.state,
          record.reason,
          record.qrCount,
          record.lastKey,
          isoOf(record.updatedAtMs),
        ],
      );
    },
  };
}
