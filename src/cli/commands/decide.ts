/** `sellify decide`: reads a decision context (stdin or --file) and prints the decision JSON. */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ContextError, parseContext } from '../../engines/context.ts';
import { decide } from '../../engines/decide.ts';
import { CliError, readStdin } from '../io.ts';

export const usage = `Usage: sellify decide [--file PATH] [--pretty]

Reads a decision context (JSON, see docs/API.md) from stdin or PATH and prints the decision as JSON.
Exit codes: 0 decided, 2 invalid input (the message names the field).

Example:
  sellify decide --file examples/decision-context.json --pretty`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      file: { type: 'string', short: 'f' },
      pretty: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  let raw: string;
  if (values.file) {
    try {
      raw = await readFile(values.file, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read ${values.file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  } else {
    raw = await readStdin();
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    // JSON.parse quotes the input in its message; keep the error on one line.
    throw new CliError(`invalid JSON: ${(err as Error).message.replace(/\s+/g, ' ')}`);
  }
  try {
    const decision = decide(parseContext(json));
    process.stdout.write(`${JSON.stringify(decision, null, values.pretty ? 2 : undefined)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof ContextError) throw new CliError(`invalid context: ${err.message}`);
    throw err;
  }
}
