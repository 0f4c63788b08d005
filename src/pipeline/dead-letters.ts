/**
 * Dead-lettered jobs, for the operator: listed with ids and the masked last error only (never a
 * customer's data), and replayed by putting the job back in its queue. A dead-lettered send had its
 * message marked failed; replaying it moves that message back to `queued` (only when it never
 * reached the transport) and restores its channel group, so it goes out in order with the others.
 */
import type { DeadLetter, Queue } from '../queue/index.ts';
import type { Store } from '../store/index.ts';

export interface DeadLetterDeps {
  store: Store;
  queue: Queue;
}

export type ReplayOutcome =
  | { replayed: true; jobId: string | null; deadLetter: DeadLetter }
  | { replayed: false; reason: 'not_found' };

/** The tenant a dead letter belongs to (every job carries its tenant id). */
export function deadLetterTenant(dead: DeadLetter): string | null {
  return typeof dead.data.tenantId === 'string' ? dead.data.tenantId : null;
}

/**
 * Replays one dead letter. With `tenantId`, a dead letter of another tenant is `not_found` (the
 * API's view); without it (the operator's CLI) any dead letter can be replayed.
 */
export async function replayDeadLetter(
  deps: DeadLetterDeps,
  id: string,
  tenantId?: string,
): Promise<ReplayOutcome> {
  const dead = await deps.queue.deadLetter(id);
  const owner = dead === null ? null : deadLetterTenant(dead);
  if (dead === null || owner === null || (tenantId !== undefined && owner !== tenantId)) {
    return { replayed: false, reason: 'not_found' };
  }
  let groupKey: string | undefined;
  if (dead.queue === 'outbound' && typeof dead.data.messageId === 'string') {
    const messageId = dead.data.messageId;
    groupKey = await deps.store.tx(owner, async (r) => {
      const message = await r.messages.get(messageId);
      if (message === null) return undefined;
      await r.messages.requeueFailed(message.id);
      return message.channelId;
    });
  }
  const jobId = await deps.queue.replayDeadLetter(id, groupKey === undefined ? {} : { groupKey });
  return { replayed: true, jobId, deadLetter: dead };
}
