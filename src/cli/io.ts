/** Small helpers shared by the CLI commands: clear one-line errors and stdin reading. */

/** An error the user can fix: printed as one line, exit code given, no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError('no input: pipe a JSON document on stdin or pass --file PATH');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
