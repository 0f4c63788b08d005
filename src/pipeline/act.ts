/**
 * Turns a decision into stored facts and jobs, inside the caller's tenant transaction: the
 * decision row, the contact's new state, the conversation state, the order the customer confirmed,
 * the outbound message and its send job. Everything commits together, so a crash leaves either all
 * of it or none of it.
 *
 * `applyDecision` is the one place a decision changes a contact: integrated mode (act, below) and
 * advisor mode (advisor.ts, POST /messages) both go through it. `decisionRecord` is the one place
 * a decision becomes an audit row (act here, POST /decision in the advisor routes).
 */
import type { AssistContext } from '../engines/assist.ts';
import type { Decision } from '../engines/decide.ts';
import { outOfStockReply } from '../engines/order.ts';
import type {
  Channel,
  Contact,
  ContactPatch,
  Message,
  NewDecision,
  Order,
  TenantRepos,
} from '../store/index.ts';
import { newId } from '../store/index.ts';
import type { PipelineDeps } from './deps.ts';
import { requestHandoff } from './ownership.ts';

export interface ActInput {
  channel: Channel;
  contact: Contact;
  decision: Decision;
  /** The inbound message the decision answers (replies). */
  inbound?: Message;
  nowMs: number;
  /** The language model's answers the decision was made with (stored sealed with it). */
  assist?: AssistContext;
  /** More of the contact to change in the decision's own update (the inbound time of the message). */
  extra?: ContactPatch;
}

export interface ActResult {
  decisionId: string;
  outboundId?: string;
  /** The order the customer's confirmation created (or found, for a repeated confirmation). */
  orderId?: string;
}

/** Job data of a send: ids and planned instants only (never text or phone numbers). */
export interface OutboundJobData {
  tenantId: string;
  messageId: string;
  /** When to show "typing…" (epoch ms), and for how long. */
  typingAtMs: number;
  typingMs: number;
}

/** The audit row of a decision. */
export function decisionRecord(
  decision: Decision,
  ids: { channelId: string | null; contactId: string | null; messageId: string | null; nowMs: number },
  /** The language model's requests and answers (context.assist), kept so the decision replays without it. */
  assist?: AssistContext,
): NewDecision {
  return {
    channelId: ids.channelId,
    contactId: ids.contactId,
    messageId: ids.messageId,
    action: decision.action,
    intent: decision.intent,
    stage: decision.stage,
    text: decision.text ?? null,
    sendAtMs: decision.sendAtMs ?? null,
    delayMs: decision.delayMs,
    typingMs: decision.typingMs,
    reasons: decision.reasons,
    verdicts: {
      ...decision.verdicts,
      template: decision.template ?? null,
      ...(decision.order ? { orderDraft: decision.order.draft } : {}),
      ...(assist !== undefined ? { assist } : {}),
    } as Record<string, unknown>,
    createdAtMs: ids.nowMs,
  };
}

export interface ApplyInput {
  channel: Channel;
  contact: Contact;
  decision: Decision;
  inbound?: Message;
  nowMs: number;
  /** Integrated mode stops the bot on a hand-off; an advisor's bot decides that itself. */
  handoff: boolean;
  /** More of the contact to change in the same update (advisor mode: the last inbound time). */
  extra?: ContactPatch;
  /**
   * Apply the conversation and the order even when the decision defers the answer (advisor mode:
   * the bot answers when it wants; integrated mode decides the same message again later).
   */
  settleDeferred?: boolean;
}

export interface Applied {
  /** The decision as carried out: an order that found no stock changes its text, stage and state. */
  decision: Decision;
  contact: Contact;
  order?: Order;
}

/**
 * Applies a decision to the contact: its stage, consent and follow-up step, its conversation state,
 * and the order it confirms (placed idempotently on the confirming message, with its
 * `order.created` event for the seller). A deferred decision changes no conversation: it is decided
 * again later on the same state.
 */
export async function applyDecision(r: TenantRepos, input: ApplyInput): Promise<Applied> {
  const { channel, contact, inbound, nowMs } = input;
  let decision = input.decision;
  let order: Order | undefined;
  const settled = decision.action !== 'defer' || input.settleDeferred === true;
  if (settled && decision.order) {
    const { draft, ifOutOfStock } = decision.order;
    const placed = await r.orders.place({
      channelId: channel.id,
      contactId: contact.id,
      currency: draft.currency,
      items: draft.items,
      deliveryFee: draft.deliveryFee,
      delivery: {
        zone: draft.delivery.zone,
        zoneName: draft.delivery.zoneName,
        address: draft.delivery.address,
      },
      paymentMethod: draft.paymentMethod,
      source: 'chat',
      sourceMessageId: inbound?.id ?? draft.sourceMessageId,
      status: 'confirmed',
      atMs: nowMs,
    });
    if (placed.outcome === 'out_of_stock') {
      const names = draft.items.filter((i) => placed.productIds.includes(i.productId)).map((i) => i.name);
      const stage = ifOutOfStock.stage;
      decision = {
        ...decision,
        text: outOfStockReply({
          language: decision.language,
          productNames: names,
          seed: `${channel.id}|${contact.id}|${inbound?.id ?? draft.sourceMessageId}`,
          optedOut: decision.contactUpdate.optedOut,
        }),
        stage,
        contactUpdate: { ...decision.contactUpdate, stage },
        conversation: ifOutOfStock.conversation,
        reasons: [
          ...decision.reasons,
          {
            engine: 'order',
            code: 'order.out_of_stock',
            detail: 'Stock ran out before the confirmation: no order, the cart is kept',
          },
        ],
      };
      delete decision.order;
    } else {
      order = placed.order;
      if (placed.outcome === 'created') {
        await r.events.append({
          type: 'order.created',
          channelId: channel.id,
          contactId: contact.id,
          subjectId: order.id,
          data: {
            orderId: order.id,
            total: order.total,
            currency: order.currency,
            lines: order.items.length,
            source: 'chat',
          },
          atMs: nowMs,
        });
      }
    }
  }

  const u = decision.contactUpdate;
  // `extra.optedOutAtMs` dates an opt-out this message makes; it is not a change of its own.
  const { optedOutAtMs, ...extra } = input.extra ?? {};
  const patch: ContactPatch = { ...extra, followupsSent: u.followupsSent, stage: u.stage };
  if (u.optedOut !== contact.optedOut) {
    patch.optedOut = u.optedOut;
    if (u.optedOut && optedOutAtMs !== undefined) patch.optedOutAtMs = optedOutAtMs;
  }
  if (u.optedIn !== contact.optedIn) patch.optedIn = u.optedIn;
  // A hand-off is recorded by act() through requestHandoff (ownership `waiting` and its event).
  if (settled && decision.conversation !== undefined) patch.conversation = decision.conversation;
  const updated = await r.contacts.patch(contact.id, patch);
  // The seller hears about consent changes (event stream, webhooks, notifications).
  if (patch.optedOut === true || patch.optedIn === true) {
    await r.events.append({
      type: patch.optedOut === true ? 'contact.opted_out' : 'contact.opted_in',
      channelId: channel.id,
      contactId: contact.id,
      subjectId: inbound?.id ?? null,
      data: contact.name ? { contactName: contact.name } : {},
      atMs: nowMs,
    });
  }
  return { decision, contact: updated ?? contact, ...(order ? { order } : {}) };
}

export async function act(deps: PipelineDeps, r: TenantRepos, input: ActInput): Promise<ActResult> {
  const { channel, contact, inbound, nowMs } = input;
  const applied = await applyDecision(r, { ...input, handoff: true });
  const decision = applied.decision;
  deps.metrics?.decision(inbound === undefined ? 'followup' : 'webhook', decision);
  const orderId = applied.order?.id;
  // Written without reading the row back: only its id is needed, and reading it would decrypt
  // and parse the sealed verdicts just written (issue 17).
  const record = { id: newId('dec') };
  await r.decisions.insertMany([
    {
      id: record.id,
      ...decisionRecord(
        decision,
        { channelId: channel.id, contactId: contact.id, messageId: inbound?.id ?? null, nowMs },
        input.assist,
      ),
    },
  ]);
  // The conversation waits for a person; the event tells the seller (stream, webhooks, WhatsApp).
  if (decision.action === 'handoff') {
    await requestHandoff(r, applied.contact, {
      atMs: nowMs,
      reason: decision.intent ?? 'handoff',
      decisionId: record.id,
    });
  }
  if (decision.restartWarmup) await r.channels.update(channel.id, { warmupStartedAtMs: nowMs });
  if (decision.questionForSeller) {
    // The reply said the bot will check with the seller: the question reaches them with it.
    await r.events.append({
      type: 'question.for_seller',
      channelId: channel.id,
      contactId: contact.id,
      subjectId: inbound?.id ?? null,
      data: {
        topics: decision.questionForSeller.topics,
        question: inbound?.body ?? null,
        decisionId: record.id,
      },
      atMs: nowMs,
    });
  }

  const sends = decision.action === 'reply' || decision.action === 'handoff' || decision.action === 'send';
  if (sends && (decision.text !== undefined || decision.template !== undefined)) {
    const out = await r.messages.insertOutbound({
      channelId: channel.id,
      contactId: contact.id,
      kind: decision.kind,
      body: decision.text ?? null,
      type: decision.template ? 'template' : 'text',
      decisionId: record.id,
      replyToProviderId: inbound?.providerId ?? null,
      isCold: contact.lastInboundAtMs === null && contact.lastOutboundAtMs === null,
      createdAtMs: nowMs,
      experiment: decision.experiment ?? null,
    });
    // Human pacing, compressed by pacingScale in tests: read, wait, type, send.
    const scale = deps.pacingScale;
    const readAtMs = nowMs + Math.round(decision.readDelayMs * scale);
    const typingAtMs = nowMs + Math.round((decision.delayMs - decision.typingMs) * scale);
    const data: OutboundJobData = {
      tenantId: channel.tenantId,
      messageId: out.id,
      typingAtMs,
      typingMs: Math.round(decision.typingMs * scale),
    };
    await deps.queue.enqueueIn(r.sql, {
      name: 'outbound',
      data: { ...data },
      groupKey: channel.id,
      singletonKey: `send:${out.id}`,
      startAfterMs: decision.kind === 'reply' ? readAtMs : typingAtMs,
    });
    return { decisionId: record.id, outboundId: out.id, ...(orderId ? { orderId } : {}) };
  }

  if (decision.action === 'defer' && decision.sendAtMs !== undefined) {
    // Decide again when the engines said to; the job re-reads everything then.
    if (inbound) {
      await deps.queue.enqueueIn(r.sql, {
        name: 'inbound',
        data: { tenantId: channel.tenantId, messageId: inbound.id },
        singletonKey: `redecide:${inbound.id}:${decision.sendAtMs.toString(36)}`,
        startAfterMs: decision.sendAtMs,
      });
    } else {
      await scheduleFollowup(deps, r, channel, contact.id, decision.sendAtMs);
    }
  }
  return { decisionId: record.id, ...(orderId ? { orderId } : {}) };
}

/** A follow-up check for a contact at a given instant (the check may find nothing to do). */
export async function scheduleFollowup(
  deps: PipelineDeps,
  r: TenantRepos,
  channel: Channel,
  contactId: string,
  atMs: number,
): Promise<void> {
  await deps.queue.enqueueIn(r.sql, {
    name: 'followup',
    data: { tenantId: channel.tenantId, contactId },
    singletonKey: `followup:${contactId}:${atMs.toString(36)}`,
    startAfterMs: atMs,
  });
}
