/** Starts the pipeline's queue workers: sends, deferred decisions and follow-ups. */
import { decideWithModel } from './assist.ts';
import type { PipelineDeps } from './deps.ts';
import { handleFollowup } from './followup.ts';
import { redecide } from './inbound.ts';
import { handleOutbound } from './outbound.ts';
import { handleAutoReturn } from './ownership.ts';

export interface WorkerOptions {
  /** Channels sending at the same time (each channel still sends one message at a time). */
  sendConcurrency?: number;
}

export async function startWorkers(deps: PipelineDeps, options: WorkerOptions = {}): Promise<void> {
  await deps.queue.work('outbound', (job) => handleOutbound(deps, job), {
    concurrency: options.sendConcurrency ?? 8,
  });
  await deps.queue.work(
    'inbound',
    // `decide`: a message left to the language model (assist.ts); otherwise a deferred decision.
    (job) =>
      job.data.step === 'decide'
        ? decideWithModel(deps, String(job.data.tenantId), String(job.data.messageId))
        : redecide(deps, String(job.data.tenantId), String(job.data.messageId)),
    {
      concurrency: 2,
    },
  );
  await deps.queue.work(
    'handback',
    (job) => handleAutoReturn(deps, String(job.data.tenantId), String(job.data.contactId)),
    { concurrency: 1 },
  );
  await deps.queue.work(
    'followup',
    (job) => handleFollowup(deps, String(job.data.tenantId), String(job.data.contactId)),
    {
      concurrency: 2,
    },
  );
}
