/** `sellify serve`: runs the HTTP API and the worker (npm start). */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../../config.ts';
import { KeyConfigError } from '../../crypto/keys.ts';
import { ROLES, type Role, startServer } from '../../server.ts';
import { DataDirInUseError, KeyMismatchError, MigrationError } from '../../store/index.ts';
import { CliError } from '../io.ts';

export const usage = `Usage: sellify serve [--role api|worker|both] [--port N] [--host ADDRESS]

Runs Sellify: the HTTP API (docs at /docs) and the background worker, on the embedded database in
SELLIFY_DATA_DIR (default ./data) or on DATABASE_URL. Stops gracefully on SIGTERM or Ctrl-C.

  --role   api (HTTP only), worker (background jobs only) or both (default)
  --port   overrides PORT (default 3000; 0 picks a free port)
  --host   overrides HOST (default 127.0.0.1, 0.0.0.0 in production)

Configuration comes from the environment: see .env.example and docs/API.md.`;

/** Errors the operator fixes by changing configuration: one line, exit 2. */
function startupError(err: unknown): CliError | undefined {
  if (err instanceof ConfigError || err instanceof KeyConfigError) return new CliError(err.message);
  if (err instanceof DataDirInUseError || err instanceof MigrationError || err instanceof KeyMismatchError)
    return new CliError(err.message);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    return new CliError(`cannot listen: ${(err as Error).message} (set PORT or HOST)`);
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND') {
    return new CliError(`cannot reach the database: ${code} (check DATABASE_URL)`);
  }
  return undefined;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      role: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const role = (values.role ?? 'both') as Role;
  if (!ROLES.includes(role)) throw new CliError(`--role must be api, worker or both, got "${values.role}"`);
  const env = { ...process.env };
  if (values.port !== undefined) env.PORT = values.port;
  if (values.host !== undefined) env.HOST = values.host;

  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(loadConfig(env), { role });
  } catch (err) {
    throw startupError(err) ?? err;
  }
  await server.closed;
  // Everything is closed; if a stray handle still holds the event loop, do not hang the deploy.
  setTimeout(() => process.exit(0), 2_000).unref();
  return 0;
}
