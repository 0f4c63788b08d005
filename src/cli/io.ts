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

/** Longest piece of remote text shown in one line of output. */
const MAX_REMOTE_TEXT = 200;

/**
 * Text from a remote server or a tenant, safe to print on an operator's terminal: escape
 * sequences (CSI `ESC[…`, OSC `ESC]…BEL`) and every other control character are removed, as are
 * bidirectional overrides and zero-width characters that could disguise a line; what is left is
 * cut to MAX_REMOTE_TEXT characters. (A gateway answering `\u001b[2J✓ All checks passed` must not
 * clear the screen and fake a verdict.)
 */
export function printable(text: string, maxLength = MAX_REMOTE_TEXT): string {
  const cleaned = text
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing escape sequences is the point.
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing escape sequences is the point.
    .replace(/\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g, '')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]/g, '');
  return cleaned.length > maxLength ? `${cleaned.slice(0, maxLength)}…` : cleaned;
}
