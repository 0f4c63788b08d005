/** `sellify migrate`: brings the database schema up to date and lists the applied migrations. */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../../config.ts';
import { DataDirInUseError, MigrationError, openDb } from '../../store/index.ts';
import { CliError } from '../io.ts';

export const usage = `Usage: sellify migrate

Applies the pending migrations (migrations/NNNN_name.sql) to DATABASE_URL, or to the embedded
database in SELLIFY_DATA_DIR, and lists every applied one. The server does this at start too; run
it on its own before deploying several instances. With the embedded database, stop the server first.`;

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
  let db: Awaited<ReturnType<typeof openDb>>;
  try {
    const config = loadConfig();
    db = await openDb({
      dataDir: config.dataDir,
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    });
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DataDirInUseError || err instanceof MigrationError) {
      throw new CliError(err.message);
    }
    throw err;
  }
  try {
    const { rows } = await db.exec('SELECT version, name FROM schema_migrations ORDER BY version');
    console.log(`Database schema up to date (${db.kind}). Applied migrations:`);
    for (const row of rows) console.log(`  ${String(row.version).padStart(4, '0')} ${String(row.name)}`);
    return 0;
  } finally {
    await db.close();
  }
}
