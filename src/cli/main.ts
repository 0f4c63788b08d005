/**
 * The `sellify` command. Each subcommand lives in commands/ and exports `usage` and `run(argv)`.
 * Errors the user can fix print one line and exit 2; anything else is a bug and keeps its stack.
 */
import { CliError } from './io.ts';

type Command = {
  summary: string;
  load: () => Promise<{ usage: string; run: (argv: string[]) => Promise<number> }>;
};

const commands: Record<string, Command> = {
  decide: {
    summary: 'decide for one context read from stdin or --file',
    load: () => import('./commands/decide.ts'),
  },
  serve: {
    summary: 'run the HTTP API and the worker (npm start)',
    load: () => import('./commands/serve.ts'),
  },
  migrate: {
    summary: 'apply pending database migrations',
    load: () => import('./commands/migrate.ts'),
  },
  keys: {
    summary: 'create, list and revoke API keys',
    load: () => import('./commands/keys.ts'),
  },
  users: {
    summary: 'dashboard accounts: create, reset a password, list',
    load: () => import('./commands/users.ts'),
  },
  chat: {
    summary: 'talk to your bot as a customer through a sandbox channel of a running server',
    load: () => import('./commands/chat.ts'),
  },
  channels: {
    summary: 'operator: show or release the channel holding a Cloud phone number id',
    load: () => import('./commands/channels.ts'),
  },
  'failed-events': {
    summary: 'operator: list and replay webhook events that failed and were parked',
    load: () => import('./commands/failed-events.ts'),
  },
  'dead-letters': {
    summary: 'operator: list and replay jobs that failed their last attempt',
    load: () => import('./commands/dead-letters.ts'),
  },
  doctor: {
    summary: 'check the configuration, database, Redis and channel credentials',
    load: () => import('./commands/doctor.ts'),
  },
};

function help(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`);
  return `Usage: sellify <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "sellify <command> --help" for the options of a command.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`sellify: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest);
  } catch (err) {
    if (err instanceof CliError) {
      console.error(`sellify ${name}: ${err.message}`);
      return err.exitCode;
    }
    if (err instanceof TypeError && (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`sellify ${name}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
