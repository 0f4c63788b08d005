/**
 * Asking the language model before a reply is decided (issue 18). decide() never calls the model:
 * this step does, outside any transaction, and puts the answers into the decision context's
 * `assist`, so the decision (and any replay of it) is decide(context) as always.
 *
 * 1. decide() without the model. Nothing to answer, or an answer the engine is sure of: done.
 * 2. The intent engine was unsure and the seller enabled classification: ask the model for a
 *    classification (JSON schema), decide again with it (the gate in engines/assist.ts decides
 *    whether it counts).
 * 3. The seller enabled rephrasing and the decision is a reply: ask the model to reword the composed
 *    text; decide() gates the rewording against the composed text.
 * Consent, hand-off, quotas and pacing never depend on the model.
 *
 * Integrated mode never waits for the model before acknowledging a webhook: the message's
 * transaction stores it, and when the model would be asked (`modelWanted`) it marks the message
 * pending and enqueues a `decide` job (`deferToModel`) instead of deciding. The job
 * (`decideWithModel`) asks the model outside any transaction, then decides and acts in the
 * transaction that takes the pending mark, so a redelivered webhook or a re-run job answers once.
 */

import {
  type AssistContext,
  classificationRequest,
  rephraseRequest,
  wantsClassification,
} from '../engines/assist.ts';
import type { DecisionContext } from '../engines/context.ts';
import { type Decision, decide } from '../engines/decide.ts';
import type { LlmClient } from '../llm/client.ts';
import type { LlmMetrics } from '../llm/metrics.ts';
import type { Channel, Contact, Message, TenantRepos } from '../store/index.ts';
import { act } from './act.ts';
import { messagePart, storedContext } from './context.ts';
import type { PipelineDeps } from './deps.ts';

export interface AssistSwitches {
  classify: boolean;
  rephrase: boolean;
}

export interface AssistOptions {
  llm: LlmClient | undefined;
  metrics?: LlmMetrics;
  tenantId: string;
  /** The model calls must be over by then (ms since the epoch). */
  deadlineMs: number;
}

/** The context decided with (the given one, plus the model's answers when asked) and its decision. */
export interface Assisted {
  context: DecisionContext;
  decision: Decision;
}

/** The seller's switches in the playbook (off unless set). */
export function assistSwitches(ctx: DecisionContext): AssistSwitches {
  const llm = ctx.playbook?.llm;
  return { classify: llm?.classify === true, rephrase: llm?.rephrase === true };
}

/** Whether the seller switched any part of the model on. */
export function assistOn(ctx: DecisionContext): boolean {
  const switches = assistSwitches(ctx);
  return switches.classify || switches.rephrase;
}

/**
 * Whether withAssist would ask the model about this decision (the one decide(ctx) gives without
 * it): a reply or hand-off to a message with text, whose intent the engine is unsure of
 * (classification on), or a reply with text to reword (rephrasing on).
 */
export function modelWanted(ctx: DecisionContext, decision: Decision): boolean {
  const switches = assistSwitches(ctx);
  if (ctx.message === undefined || ctx.message.text.trim() === '') return false;
  const intent = decision.verdicts.intent;
  if (intent === undefined || (decision.action !== 'reply' && decision.action !== 'handoff')) return false;
  if (switches.classify && wantsClassification(intent)) return true;
  return switches.rephrase && decision.action === 'reply' && decision.text !== undefined;
}

/**
 * The context to decide with and its decision: the given context and decide(ctx) when the model is
 * not asked (`first` is that decision when the caller has it already), else the context with the
 * model's answers and the decision taken on it. decide() runs once per answer, never again after.
 */
export async function withAssist(
  ctx: DecisionContext,
  options: AssistOptions,
  first?: Decision,
): Promise<Assisted> {
  let decision = first ?? decide(ctx);
  if (options.llm === undefined || !modelWanted(ctx, decision)) return { context: ctx, decision };
  const llm = options.llm;
  const message = ctx.message!;
  const switches = assistSwitches(ctx);
  const assist: AssistContext = {};
  let context = ctx;
  const intent = decision.verdicts.intent;
  if (switches.classify && intent !== undefined && wantsClassification(intent)) {
    assist.classification = await llm.complete(
      classificationRequest(llm.model, message.text, ctx.catalog ?? []),
      options,
    );
    context = { ...ctx, assist: { ...assist } };
    decision = decide(context);
  }
  if (switches.rephrase && decision.action === 'reply' && decision.text !== undefined) {
    assist.rephrase = await llm.complete(
      rephraseRequest(llm.model, decision.text, message.text, decision.language),
      options,
    );
    context = { ...ctx, assist: { ...assist } };
    decision = decide(context);
  }
  if (options.metrics !== undefined) {
    for (const r of decision.reasons) {
      if (r.code.startsWith('llm.rejected_') || r.code === 'llm.malformed')
        options.metrics.rejections.inc({ reason: r.code });
    }
  }
  return { context, decision };
}

/**
 * In the transaction that stored an inbound message (or re-decides a deferred one): whether its
 * decision goes to the model job rather than being taken here. Only with a model configured and
 * switched on by the seller; then for a message the model would help with, and for any message of
 * a contact that already has one pending (the replies keep the messages' order).
 */
export async function decidesWithModel(
  deps: PipelineDeps,
  r: TenantRepos,
  contact: Contact,
  ctx: DecisionContext,
  decision: Decision,
): Promise<boolean> {
  if (deps.llm === undefined || !assistOn(ctx)) return false;
  return modelWanted(ctx, decision) || (await r.messages.contactHasPendingDecision(contact.id));
}

/**
 * Hands the message's decision to the `decide` job (queue `inbound`), in the caller's transaction:
 * the mark and the job commit with the message, so an acknowledged message is decided exactly once.
 * The contact's jobs run one at a time, in order (group key), so two messages are answered in turn.
 */
export async function deferToModel(
  deps: PipelineDeps,
  r: TenantRepos,
  input: { channel: Channel; contact: Contact; message: Message; nowMs: number },
): Promise<void> {
  const { channel, contact, message, nowMs } = input;
  await r.messages.markDecisionPending(message.id);
  await deps.queue.enqueueIn(r.sql, {
    name: 'inbound',
    data: { tenantId: channel.tenantId, messageId: message.id, step: 'decide' },
    groupKey: `decide:${contact.id}`,
    // A message deferred and decided again later may come back here: a key per hand-over.
    singletonKey: `decide:${message.id}:${nowMs.toString(36)}`,
  });
}

/**
 * The `decide` job: the model's answers for a pending message, asked outside any transaction
 * (bounded by the configured timeout), then the decision, taken on the facts stored at that point,
 * and acted on in the transaction that takes the pending mark. A re-run (worker crash after the
 * commit, expiry) finds the mark gone and does nothing; a crash before the commit leaves the mark
 * and the job is retried, asking the model again.
 */
export async function decideWithModel(
  deps: PipelineDeps,
  tenantId: string,
  messageId: string,
): Promise<void> {
  const nowMs = deps.nowMs();
  const before = await deps.store.tx(tenantId, async (r) =>
    (await r.messages.decisionPending(messageId)) ? pendingContext(r, messageId, nowMs) : null,
  );
  if (before === null) return;
  const llm = deps.llm;
  const assisted = await withAssist(before.ctx, {
    llm: llm?.client,
    ...(llm?.metrics !== undefined ? { metrics: llm.metrics } : {}),
    tenantId,
    deadlineMs: Date.now() + (llm?.timeoutMs ?? 0) + 1_000,
  });
  const assist = assisted.context.assist;
  await deps.store.tx(tenantId, async (r) => {
    if (!(await r.messages.claimDecision(messageId))) return;
    const now = await pendingContext(r, messageId, nowMs);
    if (now === null) return;
    // Facts unchanged since the model was asked (the usual case): its decision stands as taken.
    const same = JSON.stringify(now.ctx) === JSON.stringify(before.ctx);
    if (assist !== undefined) now.ctx.assist = assist;
    const decision = same ? assisted.decision : decide(now.ctx);
    await act(deps, r, {
      channel: now.channel,
      contact: now.contact,
      decision,
      inbound: now.message,
      nowMs,
      ...(assist !== undefined ? { assist } : {}),
    });
  });
}

/** A pending message with its contact, its channel and the decision context stored for it. */
async function pendingContext(r: TenantRepos, messageId: string, nowMs: number) {
  const message = await r.messages.get(messageId);
  if (message?.direction !== 'in') return null;
  const contact = await r.contacts.get(message.contactId);
  const channel = await r.channels.get(message.channelId);
  if (!contact || !channel) return null;
  const ctx = await storedContext(r, { channel, contact, nowMs, message: messagePart(message) });
  return { message, contact, channel, ctx };
}
