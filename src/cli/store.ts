/**
 * Opening the store from the environment for operator commands (`sellify channels`, `sellify
 * failed-events`): the same configuration and keys as `sellify serve`, errors the operator can fix
 * as one line. With the embedded database, the server must be stopped first (it holds the files).
 */
import { type Config, ConfigError, DEFAULT_TENANT_ID, DEFAULT_TENANT_NAME, loadConfig } from '../config.ts';
import { KeyConfigError, loadKeys } from '../crypto/keys.ts';
import {
  createStore,
  DataDirInUseError,
  ensureTenant,
  MigrationError,
  openDb,
  type Store,
} from '../store/index.ts';
import { CliError } from './io.ts';

export async function openOperatorStore(): Promise<{ store: Store; config: Config }> {
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
    return { store: createStore(db, keys.keyring), config };
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
