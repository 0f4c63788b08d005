/**
 * deploy/postgres/init-roles.sh against a real PostgreSQL server (TEST_DATABASE_URL, as a
 * superuser; skipped without it or without psql). With throwaway role and database names it
 * proves what docker-compose.yml relies on: Sellify's migrations, its queue and its look-ups run
 * as a role that is not superuser and cannot bypass row-level security, the rules then apply to
 * that role itself, and Sellify's and Evolution's roles cannot enter each other's database.
 */

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring, generateKey } from '../../src/crypto/keyring.ts';
import { startQueue } from '../../src/queue/index.ts';
import { createStore, createTenant, type Db, generateApiKey, openDb } from '../../src/store/index.ts';
import { findApiKeyByHash } from '../../src/store/repos/api-keys.ts';

const SCRIPT = fileURLToPath(new URL('../../deploy/postgres/init-roles.sh', import.meta.url));
const ADMIN_URL = process.env.TEST_DATABASE_URL;
const hasPsql = spawnSync('psql', ['--version']).status === 0;

const suffix = randomBytes(4).toString('hex');
const names = {
  SELLIFY_DB_USER: `sellify_t_${suffix}`,
  SELLIFY_DB_NAME: `sellify_t_${suffix}`,
  EVOLUTION_DB_USER: `evolution_t_${suffix}`,
  EVOLUTION_DB_NAME: `evolution_t_${suffix}`,
};
const passwords = {
  SELLIFY_DB_PASSWORD: randomBytes(18).toString('hex'),
  EVOLUTION_DB_PASSWORD: randomBytes(18).toString('hex'),
};

function serverEnv(): Record<string, string> {
  const url = new URL(ADMIN_URL ?? 'postgres://localhost');
  return {
    PGHOST: url.hostname,
    PGPORT: url.port || '5432',
    POSTGRES_USER: decodeURIComponent(url.username || 'postgres'),
    ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}),
  };
}

function urlFor(user: string, password: string, database: string): string {
  const url = new URL(ADMIN_URL ?? 'postgres://localhost');
  url.username = user;
  url.password = password;
  url.pathname = `/${database}`;
  return url.toString();
}

function runScript(extra: Record<string, string> = {}) {
  return spawnSync('sh', [SCRIPT], {
    env: { PATH: process.env.PATH ?? '', ...serverEnv(), ...names, ...passwords, ...extra },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function canConnect(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.end();
    return 'connected';
  } catch (err) {
    return (err as Error).message;
  }
}

describe.skipIf(ADMIN_URL === undefined || !hasPsql)('deploy/postgres/init-roles.sh', () => {
  const sellifyUrl = urlFor(names.SELLIFY_DB_USER, passwords.SELLIFY_DB_PASSWORD, names.SELLIFY_DB_NAME);
  let db: Db | undefined;

  beforeAll(() => {
    const first = runScript();
    expect(first.status, first.stderr).toBe(0);
  });

  afterAll(async () => {
    await db?.close();
    await admin(async (c) => {
      for (const database of [names.SELLIFY_DB_NAME, names.EVOLUTION_DB_NAME])
        await c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await c
        .query(`REVOKE SET ON PARAMETER app.owner_access FROM "${names.SELLIFY_DB_USER}"`)
        .catch(() => {});
      for (const role of [names.SELLIFY_DB_USER, names.EVOLUTION_DB_USER])
        await c.query(`DROP ROLE IF EXISTS "${role}"`);
    });
  });

  it('creates login roles that are neither superuser nor able to bypass row-level security', async () => {
    const roles = await admin(
      async (c) =>
        (
          await c.query<{
            rolname: string;
            rolsuper: boolean;
            rolbypassrls: boolean;
            rolcreaterole: boolean;
          }>(
            'SELECT rolname, rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname',
            [[names.SELLIFY_DB_USER, names.EVOLUTION_DB_USER]],
          )
        ).rows,
    );
    expect(roles).toHaveLength(2);
    for (const role of roles)
      expect(role).toMatchObject({ rolsuper: false, rolbypassrls: false, rolcreaterole: false });
  });

  it("runs every migration, the queue and the look-ups as Sellify's role, and row-level security binds that role", async () => {
    db = await openDb({ databaseUrl: sellifyUrl, dataDir: '' });
    const queue = await startQueue(db, { databaseUrl: sellifyUrl, onError: () => {} });
    await queue.stop({ graceful: false });
    const store = createStore(db, createKeyring(generateKey()));
    const tenant = await createTenant(db, { name: 'Boutique' });
    await store.tx(tenant.id, (r) => r.channels.create({ name: 'Main', transport: 'sandbox' }));
    const key = generateApiKey();
    await store.tx(tenant.id, (r) =>
      r.apiKeys.create({ name: 'k', keyHash: key.keyHash, prefix: key.prefix, scopes: ['read'] }),
    );
    expect((await findApiKeyByHash(db, key.keyHash))?.tenantId).toBe(tenant.id);
    // Outside a tenant transaction, the owner itself sees no tenant's rows (FORCE ROW LEVEL SECURITY).
    const seen = await db.exec(
      'SELECT (SELECT count(*)::int FROM channels) AS n, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS su',
    );
    expect(seen.rows).toEqual([{ n: 0, su: false }]);
  });

  it("keeps each role out of the other's database", async () => {
    const evolutionInSellify = urlFor(
      names.EVOLUTION_DB_USER,
      passwords.EVOLUTION_DB_PASSWORD,
      names.SELLIFY_DB_NAME,
    );
    const sellifyInEvolution = urlFor(
      names.SELLIFY_DB_USER,
      passwords.SELLIFY_DB_PASSWORD,
      names.EVOLUTION_DB_NAME,
    );
    expect(await canConnect(evolutionInSellify)).toMatch(/permission denied|CONNECT privilege/);
    expect(await canConnect(sellifyInEvolution)).toMatch(/permission denied|CONNECT privilege/);
    const own = urlFor(names.EVOLUTION_DB_USER, passwords.EVOLUTION_DB_PASSWORD, names.EVOLUTION_DB_NAME);
    expect(await canConnect(own)).toBe('connected');
  });

  it('is idempotent, and takes superuser away from a Sellify role an older compose file made one', async () => {
    await admin((c) => c.query(`ALTER ROLE "${names.SELLIFY_DB_USER}" SUPERUSER`));
    const again = runScript();
    expect(again.status, again.stderr).toBe(0);
    const su = await admin(
      async (c) =>
        (
          await c.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = $1', [
            names.SELLIFY_DB_USER,
          ])
        ).rows[0]?.rolsuper,
    );
    expect(su).toBe(false);
  });

  it('refuses to run without SELLIFY_DB_PASSWORD', () => {
    const res = runScript({ SELLIFY_DB_PASSWORD: '' });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('SELLIFY_DB_PASSWORD is not set');
  });
});
