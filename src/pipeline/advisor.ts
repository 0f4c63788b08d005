/**
 * Advisor mode: the seller's own bot talks to WhatsApp and records each message with
 * POST /api/v1/messages. A customer's message is decided here exactly as in integrated mode (the
 * same stored context, the same decide()), and the decision is applied through the same
 * applyDecision: stage, consent, follow-up ladder, conversation state and the order a "oui"
 * confirms. Nothing is sent: the bot asked POST /decision for the words and sends them itself.
 */

import { decide } from '../engines/decide.ts';
import type { Channel, Contact, Message, Order, TenantRepos } from '../store/index.ts';
import { applyDecision } from './act.ts';
import { storedContext } from './context.ts';

export interface AdvisorInbound {
  channel: Channel;
  /** The contact as it was before this message. */
  contact: Contact;
  /** The stored inbound message (just inserted). */
  message: Message;
  /** When the customer sent it. */
  atMs: number;
  nowMs: number;
}

export interface AdvisorInboundResult {
  contact: Contact;
  order?: Order;
}

const later = (stored: number | null, atMs: number): number =>
  stored === null ? atMs : Math.max(stored, atMs);

/** Applies a recorded customer message to the contact, as decide() sees it. */
export async function applyAdvisorInbound(
  r: TenantRepos,
  input: AdvisorInbound,
): Promise<AdvisorInboundResult> {
  const { channel, contact, message, atMs, nowMs } = input;
  const context = await storedContext(r, {
    channel,
    contact,
    nowMs,
    message: { id: message.providerId ?? message.id, text: (message.body ?? '').slice(0, 65_536) },
  });
  const applied = await applyDecision(r, {
    channel,
    contact,
    decision: decide(context),
    inbound: message,
    nowMs,
    handoff: false,
    settleDeferred: true,
    extra: { lastInboundAtMs: later(contact.lastInboundAtMs, atMs), optedOutAtMs: atMs },
  });
  return { contact: applied.contact, ...(applied.order ? { order: applied.order } : {}) };
}
