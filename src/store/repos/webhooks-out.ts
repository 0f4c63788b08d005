/**
 * Outgoing webhooks (migration 0011): the endpoints an integrator registered (URL and signing
 * secret sealed), one delivery row per event and endpoint (its attempts, last answer, and whether
 * it was delivered or dead-lettered), and the event-log cursors of the fan-out consumers.
 */

import type { EventType } from '../../domain/events.ts';
import { newId } from '../ids.ts';
import {
  msOf,
  msOrNull,
  type Page,
  type PageOptions,
  pageQuery,
  type RepoContext,
  seal,
  unseal,
} from './common.ts';

export interface WebhookEndpoint {
  id: string;
  url: string;
  /** The signing secret (`whsec_…`), decrypted. */
  secret: string;
  /** Delivered types; empty: every type. */
  eventTypes: EventType[];
  description: string | null;
  enabled: boolean;
  /** Events at or before this position of the log are not delivered. */
  fromSeq: number;
  createdAtMs: number;
  updatedAtMs: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventSeq: number;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAtMs: number;
  updatedAtMs: number;
  deliveredAtMs: number | null;
}

export interface WebhooksOutRepo {
  createEndpoint(input: {
    url: string;
    secret: string;
    eventTypes: readonly EventType[];
    description?: string | null;
  }): Promise<WebhookEndpoint>;
  listEndpoints(): Promise<WebhookEndpoint[]>;
  getEndpoint(id: string): Promise<WebhookEndpoint | null>;
  updateEndpoint(
    id: string,
    patch: {
      url?: string;
      eventTypes?: readonly EventType[];
      description?: string | null;
      enabled?: boolean;
    },
  ): Promise<WebhookEndpoint | null>;
  deleteEndpoint(id: string): Promise<boolean>;
  /** One delivery per (endpoint, event); null when it exists already (the fan-out read the event twice). */
  createDelivery(input: {
    endpointId: string;
    eventId: string;
    eventSeq: number;
    eventType: string;
  }): Promise<WebhookDelivery | null>;
  getDelivery(id: string): Promise<WebhookDelivery | null>;
  /** An attempt's outcome: delivered, still pending (a retry follows) or dead (no more retries). */
  recordAttempt(
    id: string,
    outcome: { status: DeliveryStatus; statusCode: number | null; error: string | null; atMs: number },
  ): Promise<WebhookDelivery | null>;
  /** Back to pending for a replay; null unless it was dead or delivered. */
  resetForReplay(id: string): Promise<WebhookDelivery | null>;
  listDeliveries(
    options?: PageOptions & { endpointId?: string; status?: DeliveryStatus },
  ): Promise<Page<WebhookDelivery>>;
  /** The consumer's position in this tenant's event log (0 before its first run). */
  cursor(consumer: string): Promise<number>;
  setCursor(consumer: string, seq: number): Promise<void>;
  /** The log's newest position (new endpoints start after it). */
  lastEventSeq(): Promise<number>;
}

interface EndpointRow {
  id: string;
  url_enc: string;
  secret_enc: string;
  event_types: string[];
  description: string | null;
  enabled: boolean;
  from_seq: string | number;
  created_at: Date;
  updated_at: Date;
}

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_seq: string | number;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  delivered_at: Date | null;
}

const TABLE = 'webhook_endpoints';
const ENDPOINT_COLUMNS =
  'id, url_enc, secret_enc, event_types, description, enabled, from_seq, created_at, updated_at';
const DELIVERY_COLUMNS = `id, endpoint_id, event_id, event_seq, event_type, status, attempts, last_status_code,
  last_error, created_at, updated_at, delivered_at`;

export function webhooksOutRepo(c: RepoContext): WebhooksOutRepo {
  const toEndpoint = (r: EndpointRow): WebhookEndpoint => ({
    id: r.id,
    url: unseal(c, TABLE, 'url_enc', r.id, r.url_enc),
    secret: unseal(c, TABLE, 'secret_enc', r.id, r.secret_enc),
    eventTypes: r.event_types as EventType[],
    description: r.description,
    enabled: r.enabled,
    fromSeq: Number(r.from_seq),
    createdAtMs: msOf(r.created_at),
    updatedAtMs: msOf(r.updated_at),
  });
  const toDelivery = (r: DeliveryRow): WebhookDelivery => ({
    id: r.id,
    endpointId: r.endpoint_id,
    eventId: r.event_id,
    eventSeq: Number(r.event_seq),
    eventType: r.event_type,
    status: r.status,
    attempts: r.attempts,
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    createdAtMs: msOf(r.created_at),
    updatedAtMs: msOf(r.updated_at),
    deliveredAtMs: msOrNull(r.delivered_at),
  });

  async function lastEventSeq(): Promise<number> {
    const { rows } = await c.tx.query<{ seq: string | number | null }>(
      'SELECT max(seq) AS seq FROM events WHERE tenant_id = $1',
      [c.tenantId],
    );
    return Number(rows[0]?.seq ?? 0);
  }

  return {
    async createEndpoint(input) {
      const id = newId('whe');
      const { rows } = await c.tx.query<EndpointRow>(
        `INSERT INTO webhook_endpoints (id, tenant_id, url_enc, secret_enc, event_types, description, from_seq)
         VALUES ($1, $2, $3, $4, $5::text[], $6, $7) RETURNING ${ENDPOINT_COLUMNS}`,
        [
          id,
          c.tenantId,
          seal(c, TABLE, 'url_enc', id, input.url),
          seal(c, TABLE, 'secret_enc', id, input.secret),
          [...input.eventTypes],
          input.description ?? null,
          await lastEventSeq(),
        ],
      );
      return toEndpoint(rows[0]!);
    },

    async listEndpoints() {
      const { rows } = await c.tx.query<EndpointRow>(
        `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE tenant_id = $1 ORDER BY created_at, id`,
        [c.tenantId],
      );
      return rows.map(toEndpoint);
    },

    async getEndpoint(id) {
      const { rows } = await c.tx.query<EndpointRow>(
        `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2`,
        [c.tenantId, id],
      );
      return rows[0] ? toEndpoint(rows[0]) : null;
    },

    async updateEndpoint(id, patch) {
      const sets: string[] = [];
      const params: unknown[] = [c.tenantId, id];
      const set = (sql: string, value: unknown) => {
        params.push(value);
        sets.push(sql.replaceAll('$?', `$${params.length}`));
      };
      if (patch.url !== undefined) set('url_enc = $?', seal(c, TABLE, 'url_enc', id, patch.url));
      if (patch.eventTypes !== undefined) set('event_types = $?::text[]', [...patch.eventTypes]);
      if (patch.description !== undefined) set('description = $?', patch.description);
      if (patch.enabled !== undefined) set('enabled = $?', patch.enabled);
      sets.push('updated_at = now()');
      const { rows } = await c.tx.query<EndpointRow>(
        `UPDATE webhook_endpoints SET ${sets.join(', ')} WHERE tenant_id = $1 AND id = $2 RETURNING ${ENDPOINT_COLUMNS}`,
        params,
      );
      return rows[0] ? toEndpoint(rows[0]) : null;
    },

    async deleteEndpoint(id) {
      const { rows } = await c.tx.query<{ id: string }>(
        'DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2 RETURNING id',
        [c.tenantId, id],
      );
      return rows.length > 0;
    },

    async createDelivery(input) {
      const { rows } = await c.tx.query<DeliveryRow>(
        `INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_seq, event_type, status)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending')
         ON CONFLICT (tenant_id, endpoint_id, event_id) DO NOTHING
         RETURNING ${DELIVERY_COLUMNS}`,
        [newId('whd'), c.tenantId, input.endpointId, input.eventId, input.eventSeq, input.eventType],
      );
      return rows[0] ? toDelivery(rows[0]) : null;
    },

    async getDelivery(id) {
      const { rows } = await c.tx.query<DeliveryRow>(
        `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE tenant_id = $1 AND id = $2`,
        [c.tenantId, id],
      );
      return rows[0] ? toDelivery(rows[0]) : null;
    },

    async recordAttempt(id, outcome) {
      const { rows } = await c.tx.query<DeliveryRow>(
        `UPDATE webhook_deliveries SET status = $3, attempts = attempts + 1, last_status_code = $4,
           last_error = $5, updated_at = $6::timestamptz,
           delivered_at = CASE WHEN $3 = 'delivered' THEN $6::timestamptz ELSE delivered_at END
         WHERE tenant_id = $1 AND id = $2 RETURNING ${DELIVERY_COLUMNS}`,
        [
          c.tenantId,
          id,
          outcome.status,
          outcome.statusCode,
          outcome.error?.slice(0, 300) ?? null,
          new Date(outcome.atMs).toISOString(),
        ],
      );
      return rows[0] ? toDelivery(rows[0]) : null;
    },

    async resetForReplay(id) {
      const { rows } = await c.tx.query<DeliveryRow>(
        `UPDATE webhook_deliveries SET status = 'pending', updated_at = now()
         WHERE tenant_id = $1 AND id = $2 AND status IN ('dead', 'delivered') RETURNING ${DELIVERY_COLUMNS}`,
        [c.tenantId, id],
      );
      return rows[0] ? toDelivery(rows[0]) : null;
    },

    async listDeliveries(options = {}) {
      const where = ['tenant_id = $1'];
      const params: unknown[] = [c.tenantId];
      if (options.endpointId !== undefined) {
        params.push(options.endpointId);
        where.push(`endpoint_id = $${params.length}`);
      }
      if (options.status !== undefined) {
        params.push(options.status);
        where.push(`status = $${params.length}`);
      }
      const page = await pageQuery<DeliveryRow & { cursor_at: string }>(
        c,
        { select: DELIVERY_COLUMNS, from: 'webhook_deliveries', where },
        params,
        options,
      );
      return { items: page.rows.map(toDelivery), nextCursor: page.nextCursor };
    },

    async cursor(consumer) {
      const { rows } = await c.tx.query<{ last_seq: string | number }>(
        'SELECT last_seq FROM event_cursors WHERE tenant_id = $1 AND consumer = $2',
        [c.tenantId, consumer],
      );
      return Number(rows[0]?.last_seq ?? 0);
    },

    async setCursor(consumer, seq) {
      await c.tx.query(
        `INSERT INTO event_cursors (tenant_id, consumer, last_seq) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, consumer) DO UPDATE SET last_seq = greatest(event_cursors.last_seq, EXCLUDED.last_seq),
           updated_at = now()`,
        [c.tenantId, consumer, seq],
      );
    },

    lastEventSeq,
  };
}
