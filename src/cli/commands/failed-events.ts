/**
 * `sellify failed-events`: webhook events whose processing failed and were parked (sealed) instead
 * of failing their webhook. `list` shows them (every tenant with --all-tenants; ids, kinds and
 * error codes only, never their content); `replay` runs one through the inbound pipeline again,
 * as POST /api/v1/failed-events/{id}/replay does. Talks to the database directly; with the
 * embedded database, stop the server first.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_TENANT_ID } from '../../config.ts';
import { processEvents } from '../../pipeline/index.ts';
import { startQueue } from '../../queue/index.ts';
import type { FailedEvent } from '../../store/index.ts';
import type { InboundEvent } from '../../whatsapp/index.ts';
import { CliError } from '../io.ts';
import { openOperatorStore } from '../store.ts';

export const usage = `Usage:
  sellify failed-events list [--tenant ID | --all-tenants] [--state failed|replayed]
  sellify failed-events replay FAILED_EVENT_ID [--tenant ID]

list prints parked webhook events, newest first (default: the default tenant, state failed).
replay runs one through the inbound pipeline again (a message already stored is a duplicate,
not a second copy) and marks it replayed when it goes through. With the embedded database, stop
the server first.`;

function line(
  tenantId: string,
  f: Pick<
    FailedEvent,
    'id' | 'channelId' | 'eventKind' | 'errorCode' | 'state' | 'attempts' | 'lastFailedAtMs'
  >,
): string {
  return [
    f.id,
    tenantId,
    f.channelId,
    f.eventKind.padEnd(7),
    f.errorCode.padEnd(16),
    f.state.padEnd(8),
    `attempts ${f.attempts}`,
    new Date(f.lastFailedAtMs).toISOString(),
  ].join('  ');
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      tenant: { type: 'string' },
      'all-tenants': { type: 'boolean' },
      state: { type: 'string' },
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
  const state = values.state ?? 'failed';
  if (state !== 'failed' && state !== 'replayed') throw new CliError('--state takes failed or replayed');
  if (values['all-tenants'] && values.tenant !== undefined)
    throw new CliError('give --tenant or --all-tenants, not both');
  if (action === 'replay' && (id === undefined || !/^fev_[0-9A-Za-z]{1,64}$/.test(id)))
    throw new CliError('failed-events replay needs a failed event id (fev_…)');
  const tenantId = values.tenant ?? DEFAULT_TENANT_ID;

  const { store } = await openOperatorStore();
  try {
    if (action === 'list') {
      const rows = values['all-tenants']
        ? (
            await store.db.ownerTx((tx) =>
              tx.query<{
                tenant_id: string;
                id: string;
                channel_id: string;
                event_kind: string;
                error_code: string;
                state: 'failed' | 'replayed';
                attempts: number;
                last_failed_at: Date;
              }>(
                `SELECT tenant_id, id, channel_id, event_kind, error_code, state, attempts, last_failed_at
                 FROM failed_events WHERE state = $1 ORDER BY last_failed_at DESC, id DESC LIMIT 500`,
                [state],
              ),
            )
          ).rows.map((r) =>
            line(r.tenant_id, {
              id: r.id,
              channelId: r.channel_id,
              eventKind: r.event_kind,
              errorCode: r.error_code,
              state: r.state,
              attempts: r.attempts,
              lastFailedAtMs: new Date(r.last_failed_at).getTime(),
            }),
          )
        : (await store.tx(tenantId, (r) => r.failedEvents.list({ state, limit: 200 }))).items.map((f) =>
            line(tenantId, f),
          );
      for (const l of rows) console.log(l);
      if (rows.length === 0) console.log(`No ${state} events.`);
      return 0;
    }

    const found = await store.tx(tenantId, async (r) => {
      const record = await r.failedEvents.get(id ?? '');
      return record === null ? null : { record, payload: await r.failedEvents.payload(record.id) };
    });
    if (found === null || found.payload === null)
      throw new CliError(`no failed event ${id} in tenant ${tenantId}`);
    // Sends are only enqueued here (in the same transaction as the decision); the server's workers send them.
    const queue = await startQueue(store.db, { onError: () => {} });
    try {
      const outcome = await processEvents(
        {
          store,
          queue,
          nowMs: Date.now,
          clientFor: () => {
            throw new Error('the CLI does not send');
          },
          sleep: async () => {},
          pacingScale: 1,
          log: { info: () => {}, warn: () => {}, error: () => {} },
        },
        { tenantId, channelId: found.record.channelId, transport: found.record.transport },
        [found.payload.event as InboundEvent],
      );
      if (outcome.failed > 0) {
        const again = await store.tx(tenantId, (r) => r.failedEvents.get(found.record.id));
        console.log(`Replay failed again (${again?.errorCode ?? '?'}, attempts ${again?.attempts ?? '?'}).`);
        return 1;
      }
      await store.tx(tenantId, (r) => r.failedEvents.markReplayed(found.record.id, Date.now()));
      console.log(`Replayed ${found.record.id}: the pipeline took the event.`);
      return 0;
    } finally {
      await queue.stop({ graceful: false });
    }
  } finally {
    await store.close();
  }
}
