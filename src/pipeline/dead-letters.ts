/**
 * Dead-lettered jobs, for the operator (`sellify dead-letters`) and for a tenant's admin
 * (`/api/v1/dead-letters`): listed with ids and the masked last error only (never a customer's
 * data), and replayed by putting the job back in its queue. A dead-lettered send had its message
 * marked failed; replaying it moves that message back to `queued` (only when it never reached the
 * transport) and restores its channel group, so it goes out in order with the others.
 */
import type { DeadLetter, DeadLetterPage, Queue, QueueName } from '../queue/index.ts';
import type { Store } from '../store/index.ts';

export interface DeadLetterDeps {
  store: Store;
  queue: Queue;
}

/** What a dead letter shows: ids, the queue, the masked error, when. */
export interface DeadLetterSummary {
  id: string;
  queue: QueueName;
  tenantId: string | null;
  /** The ids the job carried (messageId, contactId, decisionId, deliveryId, eventId…), tenant's aside. */
  refs: Record<string, string>;
  originalJobId: string | null;
  /** Last error, digit runs masked and capped by the queue. */
  error: string | null;
  failedAtMs: number;
}

export type ReplayOutcome =
  | { replayed: true; jobId: string | null; deadLetter: DeadLetterSummary }
  /** `already_sent`: the send reached WhatsApp before it failed; running it again would send twice. */
  | { replayed: false; reason: 'not_found' }
  | { replayed: false; reason: 'already_sent'; deadLetter: DeadLetterSummary };

/** The tenant a dead letter belongs to (every job carries its tenant id). */
export function deadLetterTenant(dead: DeadLetter): string | null {
  return typeof dead.data.tenantId === 'string' ? dead.data.tenantId : null;
}

const REF_KEY = /^[a-z][A-Za-z]*Id$/;

/**
 * A dead letter as the operator sees it. Job data holds ids only (the queue's guard refuses
 * anything else), and of those only the `…Id` strings are shown, so a flag or a time never leaks.
 */
export function summarizeDeadLetter(dead: DeadLetter): DeadLetterSummary {
  const refs: Record<string, string> = {};
  for (const [key, value] of Object.entries(dead.data)) {
    if (key !== 'tenantId' && REF_KEY.test(key) && typeof value === 'string') refs[key] = value;
  }
  return {
    id: dead.id,
    queue: dead.queue,
    tenantId: deadLetterTenant(dead),
    refs,
    originalJobId: dead.originalJobId,
    error: dead.error,
    failedAtMs: dead.failedAtMs,
  };
}

/**
 * One page of dead letters, newest first. With `tenantId`, only that tenant's (the API's view);
 * without it (the operator's CLI) every tenant's. A malformed cursor throws the store's
 * InvalidCursorError.
 */
export async function listDeadLetters(
  deps: Pick<DeadLetterDeps, 'queue'>,
  options: { tenantId?: string; limit?: number; cursor?: string },
): Promise<{ items: DeadLetterSummary[]; nextCursor: string | null }> {
  const page: DeadLetterPage = await deps.queue.deadLetters(options);
  return { items: page.items.map(summarizeDeadLetter), nextCursor: page.nextCursor };
}

/**
 * Replays one dead letter. With `tenantId`, a dead letter of another tenant is `not_found` (the
 * API's view); without it (the operator's CLI) any dead letter can be replayed. Replaying one dead
 * letter twice enqueues one job (the queue derives the job's id from the dead letter's); once it is
 * replayed, the dead letter is gone and a second call finds nothing.
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
    const found = await deps.store.tx(owner, async (r) => {
      const message = await r.messages.get(messageId);
      if (message === null) return { sendable: true, channelId: undefined };
      // Queued: a replay that crashed before removing the dead letter already requeued it.
      const sendable = message.status === 'queued' || (await r.messages.requeueFailed(message.id));
      return { sendable, channelId: message.channelId };
    });
    if (!found.sendable)
      return { replayed: false, reason: 'already_sent', deadLetter: summarizeDeadLetter(dead) };
    groupKey = found.channelId;
  }
  const jobId = await deps.queue.replayDeadLetter(id, groupKey === undefined ? {} : { groupKey });
  return { replayed: true, jobId, deadLetter: summarizeDeadLetter(dead) };
}
