/**
 * `sellify doctor`: checks a deployment before (or instead of) reading logs. One line per check,
 * ✓ (passes), ! (works, but worth knowing), · (information) or ✗ (will not work), each ✗ with
 * a hint saying what to change. Exit 0 when nothing failed, 1 otherwise.
 *
 * The checks read and never write: the database is opened without running migrations (pending
 * ones are reported; the server applies them at start), no development key is generated, and
 * channel credentials are checked with read-only calls, each by its transport's own check in
 * src/whatsapp/<transport>/check.ts (Cloud: the phone number's details; Evolution: the connection
 * state; WAHA: the session).
 */
import { accessSync, constants, existsSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig } from '../../config.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import { DEV_KEY_FILE, KeyConfigError, loadKeys } from '../../crypto/keys.ts';
import { createStore, DataDirInUseError, type Db, loadMigrations, type Store } from '../../store/index.ts';
import {
  type CredentialCheck,
  checkCloudCredentials,
  checkEvolutionCredentials,
  checkWahaCredentials,
  type EgressPolicy,
} from '../../whatsapp/index.ts';
import { safeOrigin } from '../../whatsapp/shared/credential-check.ts';
import { printable } from '../io.ts';

export const usage = `Usage: sellify doctor

Checks the configuration in the environment (the same variables as sellify serve, see
.env.example) and what it points at: the data directory, the encryption key, the database and its
migrations, Redis (when REDIS_URL is set) and the credentials of every channel (Cloud API token
and phone number id, Evolution instance connection, WAHA session). Changes nothing.

Prints one line per check: ✓ passes, ! works but worth knowing, · information, ✗ fails (with a
hint). Exit codes: 0 nothing failed, 1 at least one check failed.`;

export type CheckStatus = 'ok' | 'warn' | 'info' | 'fail';

export interface Check {
  status: CheckStatus;
  /** What was checked ("Database", "Channel chn_… (cloud)"). */
  name: string;
  detail: string;
  /** What to do about a failure or a warning. */
  hint?: string;
}

export interface DoctorOptions {
  /** Per network check (Redis, WhatsApp providers), in milliseconds. Default 5000. */
  timeoutMs?: number;
  /** Each check as it completes. Default: nothing (the caller prints the result). */
  onCheck?: (check: Check) => void;
}

const SYMBOLS: Record<CheckStatus, string> = { ok: '✓', warn: '!', info: '·', fail: '✗' };

/** One check as printed; every part is made printable (remote text may carry escape sequences). */
export function formatCheck(check: Check): string {
  const line = `${SYMBOLS[check.status]} ${printable(check.name, 300)}: ${printable(check.detail, 1000)}`;
  return check.hint === undefined ? line : `${line}\n    → ${printable(check.hint, 1000)}`;
}

type Env = Readonly<Record<string, string | undefined>>;

function errorCode(err: unknown): string {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return err instanceof Error ? err.message : String(err);
}

function checkDataDir(config: Config): Check {
  const name = 'Data directory';
  const dir = config.dataDir;
  // With Postgres and a configured key nothing is written there (the dev key, admin.key and
  // sandbox.secret are development conveniences), so a read-only container is fine.
  const needed = config.databaseUrl === undefined || config.encryptionKey === undefined;
  if (!existsSync(dir)) {
    let parent = dirname(dir);
    while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
    try {
      accessSync(parent, constants.W_OK);
      return { status: 'ok', name, detail: `${dir} does not exist yet; it will be created at first start` };
    } catch {
      return needed
        ? {
            status: 'fail',
            name,
            detail: `${dir} does not exist and ${parent} is not writable`,
            hint: 'create it, or set SELLIFY_DATA_DIR to a writable directory',
          }
        : { status: 'info', name, detail: `${dir} is not writable; not needed with DATABASE_URL and a key` };
    }
  }
  if (!statSync(dir).isDirectory()) {
    return {
      status: 'fail',
      name,
      detail: `${dir} is not a directory`,
      hint: 'set SELLIFY_DATA_DIR to a directory',
    };
  }
  const probe = join(dir, `.doctor-${process.pid}`);
  try {
    writeFileSync(probe, '');
    unlinkSync(probe);
    return { status: 'ok', name, detail: `${dir} is writable` };
  } catch (err) {
    if (!needed)
      return {
        status: 'info',
        name,
        detail: `${dir} is not writable; not needed with DATABASE_URL and a key`,
      };
    return {
      status: 'fail',
      name,
      detail: `${dir} is not writable (${errorCode(err)})`,
      hint: 'give the user running Sellify write access (in Docker, the /data volume belongs to the "node" user)',
    };
  }
}

/** The keyring when there is one to load without creating anything. */
function checkKeys(config: Config): { check: Check; keyring?: Keyring } {
  const name = 'Encryption key';
  const devKeyPath = join(config.dataDir, DEV_KEY_FILE);
  if (config.encryptionKey === undefined && !config.production && !existsSync(devKeyPath)) {
    return {
      check: {
        status: 'warn',
        name,
        detail: 'SELLIFY_ENCRYPTION_KEY is not set; the first start generates a development key',
        hint: `fine for trying Sellify; for production set SELLIFY_ENCRYPTION_KEY (node -e "console.log(require('crypto').randomBytes(32).toString('base64'))")`,
      },
    };
  }
  try {
    const keys = loadKeys({
      encryptionKey: config.encryptionKey,
      oldKeys: config.encryptionOldKeys,
      dataDir: config.dataDir,
      production: config.production,
    });
    const count = keys.keyring.keyIds.length;
    const old = count > 1 ? ` (+${count - 1} old key${count > 2 ? 's' : ''} for decryption)` : '';
    if (config.encryptionKey === undefined) {
      return {
        keyring: keys.keyring,
        check: {
          status: 'warn',
          name,
          detail: `development key in ${devKeyPath}${old}`,
          hint: 'for production set SELLIFY_ENCRYPTION_KEY; keep a copy of this file or lose the data it encrypts',
        },
      };
    }
    const warning = keys.warnings[0];
    return {
      keyring: keys.keyring,
      check: {
        status: warning === undefined ? 'ok' : 'warn',
        name,
        detail: `SELLIFY_ENCRYPTION_KEY is a valid 32-byte key${old}`,
        ...(warning === undefined ? {} : { hint: warning }),
      },
    };
  } catch (err) {
    if (!(err instanceof KeyConfigError)) throw err;
    return { check: { status: 'fail', name, detail: err.message } };
  }
}

/**
 * Opens the database without migrating it. The opening functions are imported from their own
 * files because `openDb` always applies pending migrations, and a check must not change anything.
 */
async function openReadOnly(config: Config): Promise<Db> {
  if (config.databaseUrl !== undefined) {
    const { openPostgres } = await import('../../store/postgres.ts');
    return openPostgres({ databaseUrl: config.databaseUrl, maxConnections: 2, onError: () => {} });
  }
  const { openPglite } = await import('../../store/pglite.ts');
  return openPglite({ dataDir: config.dataDir });
}

async function checkMigrations(db: Db): Promise<{ check: Check; applied: number }> {
  const name = 'Migrations';
  const files = await loadMigrations();
  const { rows: exists } = await db.exec("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  const rows =
    exists[0]?.present === true
      ? (await db.exec('SELECT version, name, checksum FROM schema_migrations ORDER BY version')).rows
      : [];
  const known = new Map(files.map((f) => [f.version, f]));
  for (const row of rows) {
    const file = known.get(Number(row.version));
    const label = `${String(row.version).padStart(4, '0')}_${String(row.name)}`;
    if (file === undefined) {
      const check: Check = {
        status: 'fail',
        name,
        detail: `the database has migration ${label}, which this build does not know`,
        hint: 'run the Sellify version that migrated this database, or a newer one',
      };
      return { check, applied: rows.length };
    }
    if (file.checksum !== row.checksum) {
      const check: Check = {
        status: 'fail',
        name,
        detail: `migration ${label} was changed after it was applied`,
        hint: 'restore the original file and add a new migration instead',
      };
      return { check, applied: rows.length };
    }
  }
  const done = new Set(rows.map((r) => Number(r.version)));
  const pending = files.filter((f) => !done.has(f.version));
  if (pending.length > 0) {
    const check: Check = {
      status: 'warn',
      name,
      detail: `${done.size} applied, ${pending.length} pending (${pending.map((f) => `${String(f.version).padStart(4, '0')}_${f.name}`).join(', ')})`,
      hint: 'the server applies them at start; with several instances run "sellify migrate" once first',
    };
    return { check, applied: done.size };
  }
  return { check: { status: 'ok', name, detail: `all ${files.length} applied` }, applied: done.size };
}

async function checkRedis(redisUrl: string, timeoutMs: number): Promise<Check> {
  const name = 'Redis';
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // The connection error is more telling than the "Connection is closed" the command fails with.
  let lastError: unknown;
  redis.on('error', (err: unknown) => {
    lastError = err;
  });
  try {
    await redis.connect();
    const pong = await redis.ping();
    return { status: 'ok', name, detail: `${safeOrigin(redisUrl)} answers ${pong}` };
  } catch (err) {
    return {
      status: 'fail',
      name,
      detail: `cannot use ${safeOrigin(redisUrl)} (${errorCode(lastError ?? err)})`,
      hint: 'start Redis or fix REDIS_URL; unset it to keep rate-limit counters in the process (one instance only)',
    };
  } finally {
    redis.disconnect();
  }
}

/** A string field of the decrypted credentials ('' when absent: the check then says what is wrong). */
const text = (credentials: Record<string, unknown>, key: string): string =>
  typeof credentials[key] === 'string' ? credentials[key] : '';

/** A transport's answer, with the remote text in it made printable. */
function channelCheck(name: string, check: CredentialCheck): Check {
  return {
    status: check.status,
    name,
    detail: printable(check.detail),
    ...(check.hint === undefined ? {} : { hint: printable(check.hint) }),
  };
}

async function checkChannels(
  db: Db,
  keyring: Keyring | undefined,
  config: Config,
  timeoutMs: number,
): Promise<Check[]> {
  const { rows } = await db.exec(
    'SELECT tenant_id, id, transport FROM channels ORDER BY tenant_id, created_at, id',
  );
  if (rows.length === 0) return [{ status: 'info', name: 'Channels', detail: 'none yet' }];
  if (keyring === undefined) {
    return [
      {
        status: 'fail',
        name: 'Channels',
        detail: `${rows.length} channel(s), not checked: no encryption key to read their credentials`,
        hint: 'set SELLIFY_ENCRYPTION_KEY to the key this database was written with',
      },
    ];
  }
  const store: Store = createStore(db, keyring);
  const egress: EgressPolicy = { allowPrivate: config.allowPrivateGateways };
  const checks: Check[] = [];
  for (const row of rows) {
    const tenantId = String(row.tenant_id);
    const channelId = String(row.id);
    const transport = String(row.transport);
    const name = `Channel ${channelId} (${transport}${tenantId === 'ten_default' ? '' : `, ${tenantId}`})`;
    let credentials: Record<string, unknown> | null;
    try {
      credentials = await store.tx(tenantId, (r) => r.channels.getCredentials(channelId));
    } catch (err) {
      checks.push({
        status: 'fail',
        name,
        detail: `credentials do not decrypt (${(err as Error).message})`,
        hint: 'the key that sealed them is missing: add it to SELLIFY_ENCRYPTION_OLD_KEYS',
      });
      continue;
    }
    if (transport === 'sandbox') {
      checks.push({ status: 'ok', name, detail: 'in-process sandbox, nothing to reach' });
    } else if (credentials === null) {
      checks.push({ status: 'info', name, detail: 'advisor-only (no credentials), nothing to reach' });
    } else if (transport === 'cloud') {
      const check = await checkCloudCredentials(
        { phoneNumberId: text(credentials, 'phoneNumberId'), accessToken: text(credentials, 'accessToken') },
        { graphUrl: config.whatsapp.graphUrl, timeoutMs },
      );
      checks.push(channelCheck(name, check));
    } else if (transport === 'evolution') {
      const check = await checkEvolutionCredentials(
        {
          baseUrl: text(credentials, 'baseUrl'),
          instance: text(credentials, 'instance'),
          apiKey: text(credentials, 'apiKey'),
        },
        { timeoutMs, egress },
      );
      checks.push(channelCheck(name, check));
    } else if (transport === 'waha') {
      const check = await checkWahaCredentials(
        {
          baseUrl: text(credentials, 'baseUrl'),
          session: text(credentials, 'session'),
          apiKey: text(credentials, 'apiKey'),
        },
        { timeoutMs, egress },
      );
      checks.push(channelCheck(name, check));
    } else {
      checks.push({ status: 'warn', name, detail: `unknown transport "${transport}"` });
    }
  }
  return checks;
}

/** The database, its migrations and every channel's credentials (which need the open store). */
async function checkDatabase(
  config: Config,
  keyring: Keyring | undefined,
  timeoutMs: number,
  add: (check: Check) => void,
): Promise<void> {
  const name = 'Database';
  if (config.databaseUrl === undefined && !existsSync(join(config.dataDir, 'pglite'))) {
    add({
      status: 'ok',
      name,
      detail: `no embedded database yet; the first start creates it in ${config.dataDir}`,
    });
    return;
  }
  let db: Db;
  try {
    db = await openReadOnly(config);
  } catch (err) {
    if (err instanceof DataDirInUseError) {
      add({
        status: 'info',
        name,
        detail: `embedded database in use by pid ${err.pid} (a running server); not opened, channels not checked`,
        hint: 'stop the server to check the database and the channel credentials too',
      });
      return;
    }
    add(
      config.databaseUrl === undefined
        ? { status: 'fail', name, detail: `cannot open the embedded database (${errorCode(err)})` }
        : {
            status: 'fail',
            name,
            detail: `cannot connect to ${safeOrigin(config.databaseUrl)} (${errorCode(err)})`,
            hint: 'start PostgreSQL or fix DATABASE_URL',
          },
    );
    return;
  }
  try {
    // Postgres connects lazily: the first statement is where an unreachable server shows up.
    try {
      await db.exec('SELECT 1');
    } catch (err) {
      add({
        status: 'fail',
        name,
        detail: `cannot connect to ${safeOrigin(config.databaseUrl ?? '')} (${errorCode(err)})`,
        hint: 'start PostgreSQL or fix DATABASE_URL',
      });
      return;
    }
    add({
      status: 'ok',
      name,
      detail:
        db.kind === 'postgres'
          ? `PostgreSQL at ${safeOrigin(config.databaseUrl ?? '')} answers`
          : `embedded database in ${config.dataDir} opens`,
    });
    const migrations = await checkMigrations(db);
    add(migrations.check);
    // Channels live in tables the first migration creates; a changed ledger means the schema is unknown.
    if (migrations.check.status === 'fail' || migrations.applied === 0) return;
    for (const check of await checkChannels(db, keyring, config, timeoutMs)) add(check);
  } catch (err) {
    add({ status: 'fail', name, detail: `query failed (${errorCode(err)})` });
  } finally {
    await db.close();
  }
}

/** Runs every check against `env`; stops early only when the configuration itself does not parse. */
export async function runChecks(env: Env, options: DoctorOptions = {}): Promise<Check[]> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const checks: Check[] = [];
  const add = (check: Check) => {
    checks.push(check);
    options.onCheck?.(check);
  };
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    add({
      status: 'fail',
      name: 'Configuration',
      detail: err.message,
      hint: 'see .env.example for every variable',
    });
    return checks;
  }
  const where = config.databaseUrl === undefined ? 'embedded database' : 'PostgreSQL';
  add({
    status: 'ok',
    name: 'Configuration',
    detail: `parses (${config.production ? 'production' : 'development'}, ${config.host}:${config.port}, ${where})`,
  });
  if (config.production && config.apiKey === undefined) {
    add({
      status: 'warn',
      name: 'Admin key',
      detail: 'SELLIFY_API_KEY is not set; production creates no admin key',
      hint: 'set SELLIFY_API_KEY, or make keys with "sellify keys create"',
    });
  }
  add(checkDataDir(config));
  const keys = checkKeys(config);
  add(keys.check);
  await checkDatabase(config, keys.keyring, timeoutMs, add);
  if (config.redisUrl !== undefined) add(await checkRedis(config.redisUrl, timeoutMs));
  return checks;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const checks = await runChecks(process.env, { onCheck: (check) => console.log(formatCheck(check)) });
  const failed = checks.filter((c) => c.status === 'fail').length;
  console.log(failed === 0 ? '\nAll checks passed.' : `\n${failed} check${failed === 1 ? '' : 's'} failed.`);
  return failed === 0 ? 0 : 1;
}
