/**
 * Channels: one WhatsApp number on one transport. Transport credentials (access tokens, webhook
 * secrets) are an object serialized to JSON and sealed; get/list never return them, only
 * getCredentials does, so a channel can be logged or sent to the dashboard without leaking them.
 */

import type { PresetName, Transport } from '../../engines/types.ts';
import { newId } from '../ids.ts';
import type { Db } from '../types.ts';
import {
  ConflictError,
  isoOrNull,
  isUniqueViolation,
  msOf,
  msOrNull,
  type RepoContext,
  seal,
  unseal,
} from './common.ts';

export const TRANSPORTS: readonly Transport[] = ['cloud', 'evolution', 'waha', 'sandbox'];

export interface Channel {
  id: string;
  tenantId: string;
  name: string;
  transport: Transport;
  /** Webhook routing key, e.g. `cloud:<phone_number_id>`; unique across tenants. */
  routeKey: string | null;
  /** IANA zone of the seller (daily caps reset at its midnight). */
  timezone: string;
  preset: PresetName;
  settings: Record<string, unknown>;
  status: string;
  paused: boolean;
  warmupStartedAtMs: number | null;
  /** Whether sealed credentials are stored (their content only through getCredentials). */
  hasCredentials: boolean;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface NewChannel {
  /** Pre-generated id, when the caller needs it first (webhook route keys contain it). */
  id?: string;
  name: string;
  transport: Transport;
  routeKey?: string | null;
  credentials?: Record<string, unknown> | null;
  /** Default 'Africa/Abidjan'. */
  timezone?: string;
  /** Default 'moderate'. */
  preset?: PresetName;
  settings?: Record<string, unknown>;
  /** Default 'active'. */
  status?: string;
  paused?: boolean;
  warmupStartedAtMs?: number | null;
}

/** Fields to change; `credentials: null` removes them. The transport of a channel never changes. */
export type ChannelPatch = Partial<Omit<NewChannel, 'transport' | 'id'>>;

export interface ChannelRoute {
  tenantId: string;
  channelId: string;
  transport: Transport;
}

interface ChannelRow {
  id: string;
  tenant_id: string;
  name: string;
  transport: Transport;
  route_key: string | null;
  has_credentials: boolean;
  timezone: string;
  preset: PresetName;
  settings: Record<string, unknown>;
  status: string;
  paused: boolean;
  warmup_started_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, tenant_id, name, transport, route_key, credentials_enc IS NOT NULL AS has_credentials, timezone,
  preset, settings, status, paused, warmup_started_at, created_at, updated_at`;

function toChannel(r: ChannelRow): Channel {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    transport: r.transport,
    routeKey: r.route_key,
    timezone: r.timezone,
    preset: r.preset,
    settings: r.settings,
    status: r.status,
    paused: r.paused,
    warmupStartedAtMs: msOrNull(r.warmup_started_at),
    hasCredentials: r.has_credentials,
    createdAtMs: msOf(r.created_at),
    updatedAtMs: msOf(r.updated_at),
  };
}

export interface ChannelsRepo {
  create(input: NewChannel): Promise<Channel>;
  get(id: string): Promise<Channel | null>;
  /** Every channel of the tenant, oldest first. */
  list(): Promise<Channel[]>;
  update(id: string, patch: ChannelPatch): Promise<Channel | null>;
  /** Deletes the channel and, by cascade, its contacts, messages and events. */
  delete(id: string): Promise<boolean>;
  /** The decrypted credentials object; null when none are stored or no such channel. */
  getCredentials(id: string): Promise<Record<string, unknown> | null>;
}

const TABLE = 'channels';
const CREDENTIALS = 'credentials_enc';

export function channelsRepo(c: RepoContext): ChannelsRepo {
  const sealCredentials = (id: string, credentials: Record<string, unknown> | null | undefined) =>
    credentials ? seal(c, TABLE, CREDENTIALS, id, JSON.stringify(credentials)) : null;

  const conflict = (err: unknown): never => {
    if (isUniqueViolation(err))
      throw new ConflictError('another channel already uses this route key', { cause: err });
    throw err;
  };

  return {
    async create(input) {
      if (!TRANSPORTS.includes(input.transport))
        throw new RangeError(`unknown transport '${input.transport}'`);
      const id = input.id ?? newId('chn');
      try {
        const { rows } = await c.tx.query<ChannelRow>(
          `INSERT INTO channels (id, tenant_id, name, transport, route_key, credentials_enc, timezone, preset, settings,
             status, paused, warmup_started_at)
           VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, 'Africa/Abidjan'), coalesce($8, 'moderate'),
             coalesce($9::jsonb, '{}'), coalesce($10, 'active'), coalesce($11, false), $12::timestamptz)
           RETURNING ${COLUMNS}`,
          [
            id,
            c.tenantId,
            input.name,
            input.transport,
            input.routeKey ?? null,
            sealCredentials(id, input.credentials),
            input.timezone ?? null,
            input.preset ?? null,
            input.settings === undefined ? null : JSON.stringify(input.settings),
            input.status ?? null,
            input.paused ?? null,
            isoOrNull(input.warmupStartedAtMs),
          ],
        );
        return toChannel(rows[0]!);
      } catch (err) {
        return conflict(err);
      }
    },

    async get(id) {
      const { rows } = await c.tx.query<ChannelRow>(
        `SELECT ${COLUMNS} FROM channels WHERE tenant_id = $1 AND id = $2`,
        [c.tenantId, id],
      );
      return rows[0] ? toChannel(rows[0]) : null;
    },

    async list() {
      const { rows } = await c.tx.query<ChannelRow>(
        `SELECT ${COLUMNS} FROM channels WHERE tenant_id = $1 ORDER BY created_at, id`,
        [c.tenantId],
      );
      return rows.map(toChannel);
    },

    async update(id, patch) {
      const sets: string[] = [];
      const params: unknown[] = [c.tenantId, id];
      const set = (column: string, value: unknown, cast = '') => {
        params.push(value);
        sets.push(`${column} = $${params.length}${cast}`);
      };
      if (patch.name !== undefined) set('name', patch.name);
      if (patch.routeKey !== undefined) set('route_key', patch.routeKey);
      if (patch.credentials !== undefined) set(CREDENTIALS, sealCredentials(id, patch.credentials));
      if (patch.timezone !== undefined) set('timezone', patch.timezone);
      if (patch.preset !== undefined) set('preset', patch.preset);
      if (patch.settings !== undefined) set('settings', JSON.stringify(patch.settings), '::jsonb');
      if (patch.status !== undefined) set('status', patch.status);
      if (patch.paused !== undefined) set('paused', patch.paused);
      if (patch.warmupStartedAtMs !== undefined)
        set('warmup_started_at', isoOrNull(patch.warmupStartedAtMs), '::timestamptz');
      sets.push('updated_at = now()');
      try {
        const { rows } = await c.tx.query<ChannelRow>(
          `UPDATE channels SET ${sets.join(', ')} WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
          params,
        );
        return rows[0] ? toChannel(rows[0]) : null;
      } catch (err) {
        return conflict(err);
      }
    },

    async delete(id) {
      const r = await c.tx.query('DELETE FROM channels WHERE tenant_id = $1 AND id = $2', [c.tenantId, id]);
      return (r.affectedRows ?? 0) > 0;
    },

    async getCredentials(id) {
      const { rows } = await c.tx.query<{ credentials_enc: string | null }>(
        'SELECT credentials_enc FROM channels WHERE tenant_id = $1 AND id = $2',
        [c.tenantId, id],
      );
      const sealed = rows[0]?.credentials_enc;
      if (!sealed) return null;
      return JSON.parse(unseal(c, TABLE, CREDENTIALS, id, sealed)) as Record<string, unknown>;
    },
  };
}

/** Webhook routing before the tenant is known, through `sellify_find_channel` as the restricted role. */
export async function findChannelByRouteKey(db: Db, routeKey: string): Promise<ChannelRoute | null> {
  const { rows } = await db.appTx((tx) =>
    tx.query<{ tenant_id: string; channel_id: string; transport: Transport }>(
      'SELECT tenant_id, channel_id, transport FROM sellify_find_channel($1)',
      [routeKey],
    ),
  );
  const r = rows[0];
  return r ? { tenantId: r.tenant_id, channelId: r.channel_id, transport: r.transport } : null;
}

/** Every Cloud API channel of every tenant (for the verify-token handshake), through `sellify_cloud_channels`. */
export async function listCloudChannels(db: Db): Promise<{ tenantId: string; channelId: string }[]> {
  const { rows } = await db.appTx((tx) =>
    tx.query<{ tenant_id: string; channel_id: string }>(
      'SELECT tenant_id, channel_id FROM sellify_cloud_channels()',
    ),
  );
  return rows.map((r) => ({ tenantId: r.tenant_id, channelId: r.channel_id }));
}
