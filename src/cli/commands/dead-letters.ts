/**
 * `sellify dead-letters`: jobs that failed their last attempt (a send, a follow-up, a re-decision)
 * and wait in a dead-letter queue. `list` shows them (ids, queue, tenant, message or contact id and
 * the masked last error; never a customer's data); `replay` puts one back in its queue, as
 * POST /api/v1/dead-letters/{id}/replay does (a failed send's message goes back to queued). Talks to
 * the database directly; with the embedded database, stop the server first.
 */
import { parseArgs } from 'node:util';
import { type DeadLetterSummary, listDeadLetters, replayDeadLetter } from '../../pipeline/index.ts';
import { startQueue } from '../../queue/index.ts';
import { CliError } from '../io.ts';
import { openOperatorStore } from '../store.ts';

export const usage = `Usage:
  sellify dead-letters list [--tenant ID] [--limit N]
  sellify dead-letters replay DEAD_LETTER_ID

list prints dead-lettered jobs, newest first (every tenant unless --tenant; default limit 100).
replay puts one back in its queue with fresh attempts and removes it from the dead letters; a send's
message goes back to queued when it never reached WhatsApp (one that did is not sent again). The
server's workers then run it. With the embedded database, stop the server first.`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One line per dead letter: ids and the masked error only. */
export function deadLetterLine(d: DeadLetterSummary): string {
  const subject =
    d.refs.messageId ?? d.refs.contactId ?? d.refs.decisionId ?? Object.values(d.refs)[0] ?? '-';
  return [
    d.id,
    d.queue.padEnd(9),
    d.tenantId ?? '-',
    subject,
    new Date(d.failedAtMs).toISOString(),
    d.error ?? '',
  ].join('  ');
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      tenant: { type: 'string' },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [action, id] = positionals;
  if (values.help || action === undefined) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  if (action !== 'list' && action !== 'replay') throw new CliError(`unknown action "${action}"\n\n${usage}`);
  const limit = values.limit === undefined ? 100 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliError('--limit takes 1 to 1000');
  if (action === 'replay' && (id === undefined || !UUID.test(id)))
    throw new CliError(
      'dead-letters replay needs a dead letter id (a UUID, from "sellify dead-letters list")',
    );

  const { store, config } = await openOperatorStore();
  try {
    const queue = await startQueue(store.db, {
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
      onError: () => {},
    });
    try {
      if (action === 'list') {
        const page = await listDeadLetters(
          { queue },
          { limit, ...(values.tenant !== undefined ? { tenantId: values.tenant } : {}) },
        );
        for (const d of page.items) console.log(deadLetterLine(d));
        if (page.items.length === 0) console.log('No dead letters.');
        else if (page.nextCursor !== null) console.log(`(more than ${limit}; raise --limit to see more)`);
        return 0;
      }
      const outcome = await replayDeadLetter({ store, queue }, id ?? '');
      if (!outcome.replayed && outcome.reason === 'already_sent')
        throw new CliError(`dead letter ${id}: its message reached WhatsApp; it is not sent again`);
      if (!outcome.replayed) throw new CliError(`no dead letter ${id}`);
      console.log(`Replayed ${id} into the ${outcome.deadLetter.queue} queue (job ${outcome.jobId ?? '?'}).`);
      return 0;
    } finally {
      await queue.stop({ graceful: false });
    }
  } finally {
    await store.close();
  }
}
