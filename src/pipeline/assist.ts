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
import { catalogPart, channelPart, storedContext } from './context.ts';
import type { PipelineDeps } from './deps.ts';
import { contextPlaybook } from './playbook.ts';

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

/** The seller's switches in the playbook (off unless set). */
export function assistSwitches(ctx: DecisionContext): AssistSwitches {
  const llm = ctx.playbook?.llm;
  return { classify: llm?.classify === true, rephrase: llm?.rephrase === true };
}

/** The context to decide with: the given one, plus the model's answers when they were asked for. */
export async function withAssist(ctx: DecisionContext, options: AssistOptions): Promise<DecisionContext> {
  const switches = assistSwitches(ctx);
  if (options.llm === undefined || ctx.message === undefined || (!switches.classify && !switches.rephrase)) {
    return ctx;
  }
  const llm = options.llm;
  const message = ctx.message;
  const catalog = ctx.catalog ?? [];
  let decision: Decision = decide(ctx);
  const intent = decision.verdicts.intent;
  if (intent === undefined || (decision.action !== 'reply' && decision.action !== 'handoff')) return ctx;

  const assist: AssistContext = {};
  let current = ctx;
  if (switches.classify && wantsClassification(intent)) {
    assist.classification = await llm.complete(
      classificationRequest(llm.model, message.text, catalog),
      options,
    );
    current = { ...ctx, assist: { ...assist } };
    decision = decide(current);
  }
  if (switches.rephrase && decision.action === 'reply' && decision.text !== undefined) {
    assist.rephrase = await llm.complete(
      rephraseRequest(llm.model, decision.text, message.text, decision.language),
      options,
    );
    current = { ...ctx, assist: { ...assist } };
  }
  if (options.metrics !== undefined && current !== ctx) {
    for (const r of decide(current).reasons) {
      if (r.code.startsWith('llm.rejected_') || r.code === 'llm.malformed')
        options.metrics.rejections.inc({ reason: r.code });
    }
  }
  return current;
}

/**
 * Integrated mode: the model's answers for an inbound message, asked before its transaction opens
 * (a model call never holds a database transaction). Only for a seller who switched the model on,
 * never for a message already stored (a redelivery), bounded by the configured timeout; the
 * webhook's acknowledgement waits for it. Undefined: decide without the model.
 */
export async function prepareAssist(
  deps: PipelineDeps,
  target: { tenantId: string; channelId: string },
  input: { providerId: string; text: string; phone?: string; bsuid?: string },
  nowMs: number,
): Promise<AssistContext | undefined> {
  const llm = deps.llm;
  if (llm === undefined || input.text.trim() === '') return undefined;
  const ctx = await deps.store.tx(target.tenantId, async (r) => {
    const channel = await r.channels.get(target.channelId);
    if (!channel) return null;
    if (await r.messages.getByProviderId(channel.id, input.providerId)) return null;
    const message = { id: input.providerId, text: input.text.slice(0, 65_536) };
    const contact =
      input.phone !== undefined
        ? await r.contacts.findByPhone(channel.id, input.phone).catch(() => null)
        : input.bsuid !== undefined
          ? await r.contacts.findByBsuid(channel.id, input.bsuid)
          : null;
    if (contact) return storedContext(r, { channel, contact, nowMs, message });
    // A first message: the contact does not exist yet; its id only seeds the wording.
    const context: DecisionContext = {
      now: new Date(nowMs).toISOString(),
      channel: await channelPart(r, channel, nowMs),
      contact: { id: 'ctc_new', ...(input.phone !== undefined ? { phone: input.phone } : {}) },
      catalog: await catalogPart(r),
      playbook: contextPlaybook(await r.playbook.get()),
      message,
    };
    return context;
  });
  if (ctx === null) return undefined;
  const assisted = await withAssist(ctx, {
    llm: llm.client,
    ...(llm.metrics !== undefined ? { metrics: llm.metrics } : {}),
    tenantId: target.tenantId,
    deadlineMs: Date.now() + llm.timeoutMs + 1_000,
  });
  return assisted.assist;
}
