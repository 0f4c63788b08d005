/**
 * Tenants: a seller's workspace. The app role reads only its own row; tenants are created by the
 * owner (CLI, first start with SELLIFY_API_KEY), never by request handling.
 */

import { newId } from '../ids.ts';
import type { Db } from '../types.ts';
import { msOf, type RepoContext } from './common.ts';

export interface Tenant {
  id: string;
  name: string;
  createdAtMs: number;
}

interface TenantRow {
  id: string;
  name: string;
  created_at: Date;
}

function toTenant(r: TenantRow): Tenant {
  return { id: r.id, name: r.name, createdAtMs: msOf(r.created_at) };
}

export interface TenantsRepo {
  /** The transaction's own tenant (null if it does not exist). */
  get(): Promise<Tenant | null>;
}

export function tenantsRepo(c: RepoContext): TenantsRepo {
  return {
    async get() {
      const { rows } = await c.tx.query<TenantRow>('SELECT id, name, created_at FROM tenants WHERE id = $1', [
        c.tenantId,
      ]);
      return rows[0] ? toTenant(rows[0]) : null;
    },
  };
}

/** Owner-level: creates a tenant (fresh `ten_…` id unless one is given). */
export async function createTenant(db: Db, input: { name: string; id?: string }): Promise<Tenant> {
  const id = input.id ?? newId('ten');
  const { rows } = await db.ownerTx((tx) =>
    tx.query<TenantRow>('INSERT INTO tenants (id, name) VALUES ($1, $2) RETURNING id, name, created_at', [
      id,
      input.name,
    ]),
  );
  return toTenant(rows[0]!);
}

/** Owner-level and idempotent: the default tenant of SELLIFY_API_KEY exists after this, whoever created it. */
export async function ensureTenant(db: Db, input: { id: string; name: string }): Promise<Tenant> {
  return db.ownerTx(async (tx) => {
    await tx.query('INSERT INTO tenants (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [
      input.id,
      input.name,
    ]);
    const { rows } = await tx.query<TenantRow>('SELECT id, name, created_at FROM tenants WHERE id = $1', [
      input.id,
    ]);
    return toTenant(rows[0]!);
  });
}
