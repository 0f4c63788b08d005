/**
 * The outbound worker: one send at a time per channel (the queue groups jobs by channel), exactly
 * once. At send time it checks again what may have changed since the decision (a STOP, a paused
 * number, a used-up budget), marks the customer's message read, shows "typing…", sends, and stores
 * the provider id. Transport failures are classified: retry with backoff, defer, give up, or pause
 * the channel.
 */

import { presetConfig } from '../engines/config.ts';
import { evaluateHealth } from '../engines/health.ts';
import { evaluateQuota } from '../engines/quota.ts';
import { type Job, redactError } from '../queue/index.ts';
import {
  type Channel,
  type Contact,
  isConstraintViolation,
  type Message,
  type TenantRepos,
} from '../store/index.ts';
import type { TransportError } from '../whatsapp/index.ts';
import { type OutboundJobData, scheduleFollowup } from './act.ts';
import { HEALTH_LOOKBACK_MS } from './context.ts';
import type { PipelineDeps } from './deps.ts';
import { refreshPause } from './inbound.ts';
import { CANCELLED_BY_HUMAN } from './ownership.ts';

/**
 * A worker that died after calling the transport leaves the message "started" but not sent. The
 * Cloud API echoes our message id in its status webhooks within seconds, so a retry waits this
 * long for that proof before concluding the send never happened.
 */
export const SEND_CONFIRM_WAIT_MS = 30_000;

/**
 * When an in-doubt Cloud send may be sent again. If webhooks could not reach us (or got a 5xx, or
 * an answer too slow for the provider) after the attempt, the status webhooks proving it failed
 * then: Meta retries them on a back-off that roughly doubles, so after D without webhooks its next
 * try comes about D later, give or take its jitter and its own delays. The wait is the usual one
 * plus three times the time from the attempt until webhooks were taken again. Twice was too tight:
 * with the provider's retries running late, a second copy went out a few seconds before the proof
 * arrived (test/reliability/crash.test.ts); a fixed wait sent a second copy whenever the process
 * stayed down more than a few seconds; and counting only the restart, not the minute an overloaded
 * server then took to answer webhooks, sent one more. Waiting longer only delays a reply that is
 * already in doubt; a second copy cannot be taken back.
 */
export function sendConfirmDeadlineMs(sendStartedAtMs: number, webhooksUpSinceMs = 0): number {
  const downMs = Math.max(0, webhooksUpSinceMs - sendStartedAtMs);
  return sendStartedAtMs + SEND_CONFIRM_WAIT_MS + 3 * downMs;
}
/**
 * Failures after which the request may still have reached the provider: the attempt mark stays,
 * so the next attempt first waits for a status webhook proving the send (Cloud) instead of
 * sending a second copy.
 */
const AMBIGUOUS_FAILURES = new Set(['timeout', 'econnreset', 'network', 'aborted']);
/** A paused or over-budget channel is looked at again after this long when no better time is known. */
const RECHECK_MS = 15 * 60_000;

type Plan =
  | { kind: 'done' }
  | { kind: 'later'; atMs: number; reason: string }
  | {
      kind: 'send';
      channel: Channel;
      contact: Contact;
      message: Message;
      credentials: Record<string, unknown> | null;
      template?: { name: string; language: string };
    };

function asData(job: Job): OutboundJobData {
  const d = job.data;
  return {
    tenantId: String(d.tenantId),
    messageId: String(d.messageId),
    typingAtMs: Number(d.typingAtMs ?? 0),
    typingMs: Number(d.typingMs ?? 0),
  };
}

/** Re-checks everything in one transaction; the attempt is marked later, just before the transport call. */
async function plan(
  r: TenantRepos,
  data: OutboundJobData,
  nowMs: number,
  webhooksUpSinceMs: number | undefined,
): Promise<Plan> {
  const message = await r.messages.get(data.messageId);
  if (message?.status !== 'queued') return { kind: 'done' };
  const channel = await r.channels.get(message.channelId);
  const contact = await r.contacts.get(message.contactId);
  if (!channel || !contact) return { kind: 'done' };

  if (message.sendStartedAtMs !== null && message.providerId === null) {
    // An earlier attempt may have gone out: wait for its status webhook before sending again.
    const proofBy = sendConfirmDeadlineMs(message.sendStartedAtMs, webhooksUpSinceMs);
    if (channel.transport === 'cloud' && nowMs < proofBy)
      return { kind: 'later', atMs: proofBy, reason: 'await_confirmation' };
  }

  const decision = message.decisionId ? await r.decisions.get(message.decisionId) : null;
  // A STOP that arrived after the decision wins over everything except its own confirmation. A
  // reply the engine decided knowing the opt-out (the customer wrote again after STOP) is service
  // and goes; follow-ups and proactive sends never do (the rule of src/engines/consent.ts).
  const answersAfterStop =
    message.kind === 'reply' &&
    (decision?.reasons.some((x) => x.code === 'consent.opted_out_reply_only') ?? false);
  if (contact.optedOut && decision?.intent !== 'opt_out' && !answersAfterStop) {
    await r.messages.setStatus({ id: message.id }, 'failed', { errorCode: 'cancelled_opted_out' });
    return { kind: 'done' };
  }
  if (contact.phone === null && channel.transport !== 'cloud') {
    // Only the Cloud API can address a user by BSUID; a gateway needs the number.
    await r.messages.setStatus({ id: message.id }, 'failed', { errorCode: 'no_phone_number' });
    return { kind: 'done' };
  }
  if (message.kind !== 'human' && contact.ownership === 'human') {
    // A person took the conversation over after the bot decided: the person answers, the bot is quiet.
    await r.messages.setStatus({ id: message.id }, 'failed', { errorCode: CANCELLED_HUMAN });
    return { kind: 'done' };
  }
  if (message.kind !== 'reply' && message.kind !== 'human' && contact.handoffAtMs !== null) {
    await r.messages.setStatus({ id: message.id }, 'failed', { errorCode: 'cancelled_handoff' });
    return { kind: 'done' };
  }

  const config = presetConfig(channel.preset);
  const events = await r.healthEvents.recent(channel.id, { sinceMs: nowMs - HEALTH_LOOKBACK_MS });
  const isNewContact = contact.lastInboundAtMs === null && contact.lastOutboundAtMs === null;
  const health = evaluateHealth({ events, paused: channel.paused, isNewContact }, config.health, nowMs);
  if (!health.allowed)
    return { kind: 'later', atMs: health.retryAtMs ?? nowMs + RECHECK_MS, reason: 'health' };
  // A person's message spends the reply budget: no bot pacing, but the same caps and pair limit.
  const kind = message.kind === 'inbound' || message.kind === 'human' ? 'reply' : message.kind;
  const stats = await r.stats.sendStats(channel.id, nowMs, channel.timezone);
  const quota = evaluateQuota({ kind, stats, timeZone: channel.timezone }, config.quota, nowMs);
  if (!quota.allowed) return { kind: 'later', atMs: quota.retryAtMs ?? nowMs + RECHECK_MS, reason: 'quota' };

  const template = (decision?.verdicts?.template ?? undefined) as
    | { name: string; language: string }
    | null
    | undefined;
  return {
    kind: 'send',
    channel,
    contact,
    message,
    credentials: await r.channels.getCredentials(channel.id),
    ...(template ? { template } : {}),
  };
}

async function requeue(
  deps: PipelineDeps,
  r: TenantRepos,
  data: OutboundJobData,
  channelId: string,
  atMs: number,
) {
  await deps.queue.enqueueIn(r.sql, {
    name: 'outbound',
    data: { ...data, typingAtMs: atMs },
    groupKey: channelId,
    singletonKey: `send:${data.messageId}:${atMs.toString(36)}`,
    startAfterMs: atMs,
  });
}

/** A bot message cancelled at send time because a person owns the conversation. */
const CANCELLED_HUMAN = CANCELLED_BY_HUMAN;

/** The message's error code when the send job itself failed (not the transport): see the worker's log. */
export const WORKER_ERROR_CODE = 'worker_error';

/** Thrown for a classified transport failure that pg-boss retries; already logged and recorded. */
class TransportRetry extends Error {
  override readonly name = 'TransportRetry';
}

/**
 * Sends one outbound message (see the file comment). A failure of the job itself (a bug, the
 * database) is never silent: each attempt logs the ids and what happens next; the message is
 * marked failed (`worker_error`) when the last attempt fails or when retrying cannot help, so the
 * API, `sellify chat` and the dashboard show it instead of a reply that stays "queued" for good.
 */
export async function handleOutbound(deps: PipelineDeps, job: Job): Promise<void> {
  try {
    await sendMessage(deps, job);
  } catch (err) {
    if (err instanceof TransportRetry) throw err;
    // A failure retrying cannot help ends here, its message marked failed: no pointless retries.
    if ((await onJobError(deps, job, err)) === 'failed') return;
    throw err;
  }
}

/** Logs a failed send job and marks its message failed when no retry follows; returns the outcome. */
async function onJobError(
  deps: PipelineDeps,
  job: Job,
  err: unknown,
): Promise<'retry' | 'failed' | 'dead_letter'> {
  const data = asData(job);
  const lastAttempt = job.attempt >= job.retryLimit + 1;
  // A constraint refused what the attempt produced (a provider id already stored for this
  // channel, say): retrying cannot change that.
  const permanent = isConstraintViolation(err);
  const outcome = lastAttempt ? 'dead_letter' : permanent ? 'failed' : 'retry';
  deps.metrics?.send(WORKER_ERROR_CODE);
  const log = {
    tenantId: data.tenantId,
    messageId: data.messageId,
    jobId: job.id,
    attempt: job.attempt,
    attempts: job.retryLimit + 1,
    outcome,
    error: redactError(err),
  };
  if (outcome === 'retry') {
    // An aborted job was released by the queue itself (expiry, shutdown) and comes back: not a failure.
    if (!job.signal.aborted) deps.log.warn(log, 'send job failed; it will be retried');
    return outcome;
  }
  try {
    await deps.store.tx(data.tenantId, (r) =>
      r.messages.setStatus({ id: data.messageId }, 'failed', { errorCode: WORKER_ERROR_CODE }),
    );
  } catch (markErr) {
    deps.log.error(
      { ...log, markError: redactError(markErr) },
      'send job failed; the message could not be marked failed',
    );
    return 'retry';
  }
  deps.log.error(
    log,
    outcome === 'dead_letter'
      ? 'send job failed on its last attempt: message marked failed, job dead-lettered'
      : 'send job failed and retrying cannot help: message marked failed',
  );
  return outcome;
}

async function sendMessage(deps: PipelineDeps, job: Job): Promise<void> {
  const data = asData(job);
  const nowMs = deps.nowMs();
  const p = await deps.store.tx(data.tenantId, async (r) => {
    const planned = await plan(r, data, nowMs, deps.webhooksUp?.sinceMs());
    if (planned.kind === 'later') {
      const message = await r.messages.get(data.messageId);
      if (message) await requeue(deps, r, data, message.channelId, planned.atMs);
    }
    return planned;
  });
  if (p.kind !== 'send') return;

  const client = deps.clientFor(p.channel, p.credentials);
  // A username user has no phone number: the Cloud API is then addressed by BSUID.
  const phone = p.contact.phone ?? '';
  const byBsuid =
    p.contact.phone === null && p.contact.bsuid !== null ? { recipientBsuid: p.contact.bsuid } : {};
  // Read the customer's message, wait the paced gap, show typing, send — as a person would.
  if (p.message.replyToProviderId) await client.markRead(p.message.replyToProviderId, phone, job.signal);
  await deps.sleep(data.typingAtMs - deps.nowMs(), job.signal);
  if (data.typingMs > 0 && p.template === undefined) {
    await client.typing(phone, data.typingMs, p.message.replyToProviderId ?? undefined, job.signal);
  }
  // The attempt mark is what makes a send "in doubt" after a crash or a stop, so it is set only
  // now: a handler stopped during the paced wait has sent nothing and its retry need not wait for
  // proof, and the confirmation wait counts from the real attempt, not from the start of the gap.
  const started = await deps.store.tx(data.tenantId, (r) => r.messages.beginSend(p.message.id, deps.nowMs()));
  if (!started) return;
  const attempt = Math.max(0, started.attempts - 1);
  const result = p.template
    ? await client.sendTemplate(
        {
          to: phone,
          name: p.template.name,
          language: p.template.language,
          callbackData: p.message.id,
          attempt,
          ...byBsuid,
        },
        job.signal,
      )
    : await client.sendText(
        { to: phone, text: p.message.body ?? '', callbackData: p.message.id, attempt, ...byBsuid },
        job.signal,
      );

  const doneAtMs = deps.nowMs();
  if (result.ok) {
    deps.metrics?.send('sent');
    deps.log.info(
      {
        tenantId: data.tenantId,
        channelId: p.channel.id,
        messageId: p.message.id,
        jobId: job.id,
        attempt: job.attempt,
        providerId: result.providerId,
        outcome: 'sent',
      },
      'sent',
    );
    await deps.store.tx(data.tenantId, async (r) => {
      await r.messages.markSent(p.message.id, result.providerId, doneAtMs);
      const contact = await r.contacts.patch(p.contact.id, { lastOutboundAtMs: doneAtMs });
      // Nudge later if the customer goes quiet; the follow-up job re-checks everything then.
      if (contact && !contact.optedOut && p.message.kind !== 'proactive' && p.message.kind !== 'human') {
        const ladder = (await r.playbook.get()).followupLadderMs;
        const waitMs = ladder[contact.followupsSent];
        if (waitMs !== undefined) await scheduleFollowup(deps, r, p.channel, contact.id, doneAtMs + waitMs);
      }
    });
    return;
  }
  await onFailure(deps, job, data, p, result.error, doneAtMs);
}

async function onFailure(
  deps: PipelineDeps,
  job: Job,
  data: OutboundJobData,
  p: Extract<Plan, { kind: 'send' }>,
  error: TransportError,
  nowMs: number,
): Promise<void> {
  const log = {
    tenantId: data.tenantId,
    channelId: p.channel.id,
    messageId: data.messageId,
    jobId: job.id,
    attempt: job.attempt,
    code: error.code,
    class: error.class,
  };
  deps.metrics?.send(error.class);
  if (error.class === 'retry') {
    const lastAttempt = job.attempt >= job.retryLimit + 1;
    await deps.store.tx(data.tenantId, async (r) => {
      if (lastAttempt) await r.messages.setStatus({ id: p.message.id }, 'failed', { errorCode: error.code });
      else if (!AMBIGUOUS_FAILURES.has(error.code)) await r.messages.abortSend(p.message.id);
      await r.healthEvents.add({
        channelId: p.channel.id,
        type: 'send_failed',
        atMs: nowMs,
        detail: { code: error.code },
      });
    });
    if (lastAttempt) {
      deps.log.error(log, 'send failed after the last attempt');
      throw new TransportRetry(`send failed after the last attempt: ${error.code}`);
    }
    // pg-boss retries with jittered exponential backoff; the next attempt re-checks everything.
    deps.log.warn({ ...log, outcome: 'retry' }, 'send failed; it will be retried');
    throw new TransportRetry(`transient send failure: ${error.code}`);
  }
  await deps.store.tx(data.tenantId, async (r) => {
    switch (error.class) {
      case 'defer': {
        await r.messages.abortSend(p.message.id);
        if (error.healthEvent)
          await r.healthEvents.add({ channelId: p.channel.id, type: error.healthEvent, atMs: nowMs });
        await requeue(deps, r, data, p.channel.id, nowMs + (error.retryAfterMs ?? 60_000));
        break;
      }
      case 'account': {
        await r.messages.abortSend(p.message.id);
        await r.healthEvents.add({
          channelId: p.channel.id,
          type: error.healthEvent ?? 'forbidden',
          atMs: nowMs,
          ...(error.untilMs === undefined ? {} : { untilMs: error.untilMs }),
        });
        await refreshPause(r, p.channel, nowMs);
        await requeue(deps, r, data, p.channel.id, error.untilMs ?? nowMs + RECHECK_MS);
        break;
      }
      default: {
        // window (131047), unreachable (131026) and permanent errors: this message will never go.
        if (error.healthEvent)
          await r.healthEvents.add({ channelId: p.channel.id, type: error.healthEvent, atMs: nowMs });
        await r.messages.setStatus({ id: p.message.id }, 'failed', { errorCode: error.code });
      }
    }
  });
  deps.log.warn(log, 'send not delivered to the transport');
}
