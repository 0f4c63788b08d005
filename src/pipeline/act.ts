/**
 * Turns a decision into stored facts and jobs, inside the caller's tenant transaction: the
 * decision row, the contact's new state, the outbound message and its send job. Everything
 * commits together, so a crash leaves either all of it or none of it.
 */
import type { Decision } from '../engines/decide.ts';
import type { Channel, Contact, Message, TenantRepos } from '../store/index.ts';
import type { PipelineDeps } from './deps.ts';
import { requestHandoff } from './ownership.ts';

export interface ActInput {
  channel: Channel;
  contact: Contact;
  decision: Decision;
  /** The inbound message the decision answers (replies). */
  inbound?: Message;
  nowMs: number;
}

export interface ActResult {
  decisionId: string;
  outboundId?: string;
}

/** Job data of a send: ids and planned instants only (never text or phone numbers). */
export interface OutboundJobData {
  tenantId: string;
  messageId: string;
  /** When to show "typing…" (epoch ms), and for how long. */
  typingAtMs: number;
  typingMs: number;
}

export async function act(deps: PipelineDeps, r: TenantRepos, input: ActInput): Promise<ActResult> {
  const { channel, contact, decision, inbound, nowMs } = input;
  const record = await r.decisions.insert({
    channelId: channel.id,
    contactId: contact.id,
    messageId: inbound?.id ?? null,
    action: decision.action,
    intent: decision.intent,
    stage: decision.stage,
    text: decision.text ?? null,
    sendAtMs: decision.sendAtMs ?? null,
    delayMs: decision.delayMs,
    typingMs: decision.typingMs,
    reasons: decision.reasons,
    verdicts: { ...decision.verdicts, template: decision.template ?? null } as Record<string, unknown>,
    createdAtMs: nowMs,
  });

  const u = decision.contactUpdate;
  await r.contacts.patch(contact.id, {
    stage: u.stage,
    optedOut: u.optedOut,
    optedIn: u.optedIn,
    followupsSent: u.followupsSent,
  });
  // The conversation waits for a person; the event tells the seller (stream, webhooks, WhatsApp).
  if (decision.action === 'handoff')
    await requestHandoff(r, contact, {
      atMs: nowMs,
      reason: decision.intent ?? 'handoff',
      decisionId: record.id,
    });
  if (decision.restartWarmup) await r.channels.update(channel.id, { warmupStartedAtMs: nowMs });

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
    return { decisionId: record.id, outboundId: out.id };
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
  return { decisionId: record.id };
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
