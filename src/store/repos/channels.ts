/**
 * Channels: one WhatsApp number on one transport. Transport credentials (access tokens, webhook
 * secrets) are an object serialized to JSON and sealed; get/list never return them, only
 * getCredentials does, so a channel can be logged or sent to the dashboard without leaking them.
 */

import type { Keyring } from '../../crypto/keyring.ts';
import type { PresetName, Transport } from '../../domain/types.ts';
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
  /** Set by the batched look-up (findChannelsByRouteKeys). */
  routeKey?: string;
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
  /** Recomputes the verify-token hash of a Cloud channel from its credentials (start-up backfill). */
  reindexVerifyToken(id: string): Promise<void>;
}

const TABLE = 'channels';
const CREDENTIALS = 'credentials_enc';

/** Blind-index scope of Cloud verify tokens: no tenant (the handshake names none), a fixed purpose. */
export const VERIFY_TOKEN_SCOPE = 'cloud-verify-token';

/** The keyed hash Meta's GET handshake looks a verify token up by; null when there is none. */
export function verifyTokenHash(
  keyring: Keyring,
  credentials: Record<string, unknown> | null | undefined,
): string | null {
  const token = credentials?.verifyToken;
  return typeof token === 'string' && token !== '' ? keyring.blindIndex(token, VERIFY_TOKEN_SCOPE) : null;
}

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
             status, paused, warmup_started_at, verify_token_hash)
           VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, 'Africa/Abidjan'), coalesce($8, 'moderate'),
             coalesce($9::jsonb, '{}'), coalesce($10, 'active'), coalesce($11, false), $12::timestamptz, $13)
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
            input.transport === 'cloud' ? verifyTokenHash(c.keyring, input.credentials) : null,
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
      if (patch.credentials !== undefined) {
        set(CREDENTIALS, sealCredentials(id, patch.credentials));
        // Only Cloud credentials carry a verifyToken (the credential schema is closed per transport).
        set('verify_token_hash', verifyTokenHash(c.keyring, patch.credentials));
      }
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

    async reindexVerifyToken(id) {
      const credentials = await this.getCredentials(id);
      await c.tx.query(
        `UPDATE channels SET verify_token_hash = $3 WHERE tenant_id = $1 AND id = $2 AND transport = 'cloud'`,
        [c.tenantId, id, verifyTokenHash(c.keyring, credentials)],
      );
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

/**
 * Whether some Cloud channel has this verify token (Meta's GET handshake, before any tenant is
 * known): one indexed look-up of its keyed hash under every key of the keyring, through
 * `sellify_cloud_verify_token_known`. Nothing is decrypted.
 */
export async function cloudVerifyTokenKnown(db: Db, keyring: Keyring, token: string): Promise<boolean> {
  const hashes = keyring.blindIndexes(token, VERIFY_TOKEN_SCOPE);
  const { rows } = await db.appTx((tx) =>
    tx.query<{ known: boolean }>('SELECT sellify_cloud_verify_token_known($1::text[]) AS known', [hashes]),
  );
  return rows[0]?.known === true;
}

/**
 * The channels of several route keys in one query (a Cloud webhook names up to
 * MAX_CLOUD_NUMBERS_PER_WEBHOOK numbers), through `sellify_find_channels`.
 */
export async function findChannelsByRouteKeys(db: Db, routeKeys: readonly string[]): Promise<ChannelRoute[]> {
  if (routeKeys.length === 0) return [];
  const { rows } = await db.appTx((tx) =>
    tx.query<{ route_key: string; tenant_id: string; channel_id: string; transport: Transport }>(
      'SELECT route_key, tenant_id, channel_id, transport FROM sellify_find_channels($1::text[])',
      [routeKeys],
    ),
  );
  return rows.map((r) => ({
    routeKey: r.route_key,
    tenantId: r.tenant_id,
    channelId: r.channel_id,
    transport: r.transport,
  }));
}

/**
 * Cloud channels stored before verify tokens were indexed (migration 0005) get their hash, once,
 * at start-up. Runs as the owner (it crosses tenants), then in each channel's tenant.
 */
export async function backfillVerifyTokenHashes(
  db: Db,
  reindex: (tenantId: string, channelId: string) => Promise<void>,
): Promise<number> {
  const { rows } = await db.ownerTx((tx) =>
    tx.query<{ tenant_id: string; id: string }>(
      `SELECT tenant_id, id FROM channels
       WHERE transport = 'cloud' AND credentials_enc IS NOT NULL AND verify_token_hash IS NULL`,
      [],
    ),
  );
  for (const row of rows) await reindex(row.tenant_id, row.id);
  return rows.length;
}
