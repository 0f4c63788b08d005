/**
 * `sellify keys`: API keys from the command line, for the operator (first key of a new tenant,
 * a lost admin key). Talks to the database directly; with the embedded database, stop the
 * server first (or use POST /api/v1/keys with an admin key).
 */
import { parseArgs } from 'node:util';
import { ConfigError, DEFAULT_TENANT_ID, DEFAULT_TENANT_NAME, loadConfig } from '../../config.ts';
import { DecryptError } from '../../crypto/keyring.ts';
import { ENCRYPTION_KEY_VAR, KeyConfigError, loadKeys, OLD_KEYS_VAR } from '../../crypto/keys.ts';
import {
  API_KEY_SCOPES,
  type ApiKeyScope,
  createStore,
  createTenant,
  DataDirInUseError,
  ensureTenant,
  generateApiKey,
  MigrationError,
  openDb,
  rotateKeys,
  type Store,
} from '../../store/index.ts';
import { CliError } from '../io.ts';

export const usage = `Usage:
  sellify keys create --name NAME [--scopes admin,write,read] [--tenant ID | --new-tenant NAME] [--rate-limit N]
  sellify keys list [--tenant ID]
  sellify keys revoke KEY_ID [--tenant ID]
  sellify keys rotate

Creates, lists and revokes API keys. The secret of a new key is printed once. --tenant defaults to
the default tenant (${DEFAULT_TENANT_ID}); --new-tenant creates a tenant and prints its id. --scopes
defaults to read. With the embedded database, stop the server first.

rotate re-encrypts the stored personal data under the current encryption key: set
${ENCRYPTION_KEY_VAR} to the new key and ${OLD_KEYS_VAR} to the previous one(s), run it (it can be
run again after an interruption; on PostgreSQL the server may keep running), and once it reports
every value re-sealed the old keys may leave ${OLD_KEYS_VAR}.`;

async function openStore(): Promise<Store> {
  try {
    const config = loadConfig();
    const keys = loadKeys({
      encryptionKey: config.encryptionKey,
      oldKeys: config.encryptionOldKeys,
      dataDir: config.dataDir,
      production: config.production,
    });
    for (const warning of keys.warnings) console.error(warning);
    const db = await openDb({
      dataDir: config.dataDir,
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    });
    await ensureTenant(db, { id: DEFAULT_TENANT_ID, name: DEFAULT_TENANT_NAME });
    return createStore(db, keys.keyring);
  } catch (err) {
    if (
      err instanceof ConfigError ||
      err instanceof KeyConfigError ||
      err instanceof DataDirInUseError ||
      err instanceof MigrationError
    ) {
      throw new CliError(err.message);
    }
    throw err;
  }
}

async function existingTenant(store: Store, tenantId: string): Promise<string> {
  const tenant = await store.tx(tenantId, (r) => r.tenants.get());
  if (tenant === null) throw new CliError(`no tenant ${tenantId}`);
  return tenantId;
}

function parseScopes(raw: string | undefined): ApiKeyScope[] {
  const scopes = (raw ?? 'read').split(',').map((s) => s.trim());
  for (const scope of scopes) {
    if (!API_KEY_SCOPES.includes(scope as ApiKeyScope)) {
      throw new CliError(`--scopes takes admin, write and read, got "${scope}"`);
    }
  }
  return [...new Set(scopes)] as ApiKeyScope[];
}

/** `keys rotate`: every sealed value re-encrypted under the current key, with a line per column. */
async function rotate(store: Store): Promise<number> {
  let result: Awaited<ReturnType<typeof rotateKeys>>;
  try {
    result = await rotateKeys(store, {
      onProgress: (p) => {
        if (p.done === p.total) console.log(`  ${p.table}.${p.column}: ${p.total} value(s) checked`);
      },
    });
  } catch (err) {
    // A value sealed with a key that is not configured: the run stops, nothing is lost.
    if (err instanceof DecryptError) throw new CliError(`${err.message}; nothing after it was rotated`);
    throw err;
  }
  console.log(
    `Re-encrypted ${result.reencrypted} value(s) under key ${store.keyring.currentKeyId}` +
      ` (${result.skipped} changed meanwhile, ${result.failed} unreadable).`,
  );
  if (result.skipped > 0) {
    console.log('Some values changed while rotating: run "sellify keys rotate" again.');
    return 1;
  }
  if (result.failed > 0) {
    console.log(`${result.failed} value(s) fail authentication (damaged) and were left as they are.`);
    return 1;
  }
  console.log(`Every value is sealed with the current key: the old keys may leave ${OLD_KEYS_VAR}.`);
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      name: { type: 'string' },
      scopes: { type: 'string' },
      tenant: { type: 'string' },
      'new-tenant': { type: 'string' },
      'rate-limit': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [action, ...rest] = positionals;
  if (values.help || action === undefined) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  if (!['create', 'list', 'revoke', 'rotate'].includes(action))
    throw new CliError(`unknown action "${action}"\n\n${usage}`);
  if (values.tenant !== undefined && values['new-tenant'] !== undefined) {
    throw new CliError('give --tenant or --new-tenant, not both');
  }
  const rateLimit = values['rate-limit'];
  if (rateLimit !== undefined && (!/^\d+$/.test(rateLimit) || Number(rateLimit) < 1)) {
    throw new CliError('--rate-limit must be a whole number of requests per minute, at least 1');
  }
  const scopes = parseScopes(values.scopes);
  if (action === 'create' && (values.name === undefined || values.name.trim() === '')) {
    throw new CliError('keys create needs --name');
  }
  if (action === 'revoke' && rest[0] === undefined) throw new CliError('keys revoke needs a key id (key_…)');

  const store = await openStore();
  try {
    if (action === 'rotate') return await rotate(store);
    let tenantId = values.tenant ?? DEFAULT_TENANT_ID;
    if (values['new-tenant'] !== undefined) {
      if (action !== 'create') throw new CliError('--new-tenant only goes with create');
      tenantId = (await createTenant(store.db, { name: values['new-tenant'] })).id;
      console.log(`Created tenant ${tenantId} (${values['new-tenant']})`);
    } else {
      await existingTenant(store, tenantId);
    }

    if (action === 'create') {
      const generated = generateApiKey();
      const key = await store.tx(tenantId, (r) =>
        r.apiKeys.create({
          name: values.name ?? '',
          keyHash: generated.keyHash,
          prefix: generated.prefix,
          scopes,
          rateLimitPerMinute: rateLimit === undefined ? null : Number(rateLimit),
        }),
      );
      console.log(
        `Created ${key.id} for ${tenantId} with scopes ${key.scopes.join(',')}. The key (shown once):`,
      );
      console.log(generated.secret);
      return 0;
    }
    if (action === 'list') {
      const keys = await store.tx(tenantId, (r) => r.apiKeys.list());
      for (const k of keys) {
        const state = k.revokedAtMs === null ? 'active' : `revoked ${new Date(k.revokedAtMs).toISOString()}`;
        console.log(`${k.id}  ${k.prefix}…  ${k.scopes.join(',').padEnd(16)} ${state}  ${k.name}`);
      }
      if (keys.length === 0) console.log(`No keys for ${tenantId}.`);
      return 0;
    }
    const id = rest[0] ?? '';
    const revoked = await store.tx(tenantId, (r) => r.apiKeys.revoke(id));
    if (revoked === null) throw new CliError(`no key ${id} in tenant ${tenantId}`);
    console.log(`Revoked ${revoked.id} (${revoked.name}).`);
    return 0;
  } finally {
    await store.close();
  }
}
