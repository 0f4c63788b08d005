/**
 * Who answers a conversation: the bot, a person, or nobody yet (the bot handed off). Every change
 * of hands happens here, inside the caller's tenant transaction, together with its event in the
 * tenant's log (which feeds the event stream, outgoing webhooks and the seller's notifications):
 *
 * - `requestHandoff`: the bot handed the conversation over → `waiting`, `handoff.requested`;
 * - `takeOver`: a person answers (API, dashboard, a reply typed on the phone) → `human`,
 *   `conversation.taken_over`; the bot's messages still queued for that customer are cancelled;
 * - `handBack`: back to the bot (by a person, or after the playbook's quiet period) → `bot`,
 *   `conversation.handed_back`.
 */

import type { Contact, TenantRepos } from '../store/index.ts';
import type { PipelineDeps } from './deps.ts';

/** Error code of a bot message cancelled because a person answered first. */
export const CANCELLED_BY_HUMAN = 'cancelled_human';

/** How the person took over: the API (or a dashboard on it), or a message typed on the phone. */
export type TakeOverVia = 'api' | 'phone';

export async function requestHandoff(
  r: TenantRepos,
  contact: Contact,
  input: { atMs: number; reason: string; decisionId?: string },
): Promise<Contact> {
  if (contact.ownership !== 'bot') return contact;
  const updated = await r.contacts.patch(contact.id, { ownership: { state: 'waiting', atMs: input.atMs } });
  await r.events.append({
    type: 'handoff.requested',
    channelId: contact.channelId,
    contactId: contact.id,
    subjectId: input.decisionId ?? null,
    data: { reason: input.reason, ...(contact.name ? { contactName: contact.name } : {}) },
    atMs: input.atMs,
  });
  return updated ?? contact;
}

export async function takeOver(
  deps: Pick<PipelineDeps, 'queue'>,
  r: TenantRepos,
  contact: Contact,
  input: { atMs: number; via: TakeOverVia; owner?: string | null; autoReturnAfterMs?: number | null },
): Promise<{ contact: Contact; cancelled: string[]; changed: boolean }> {
  const cancelled = await r.messages.cancelQueuedBot(contact.id, CANCELLED_BY_HUMAN);
  const owner = input.owner ?? (input.via === 'phone' ? 'phone' : null);
  const changed = contact.ownership !== 'human';
  const patched = await r.contacts.patch(contact.id, {
    ...(changed ? { ownership: { state: 'human', owner, atMs: input.atMs } } : {}),
    lastHumanAtMs: input.atMs,
  });
  if (changed) {
    await r.events.append({
      type: 'conversation.taken_over',
      channelId: contact.channelId,
      contactId: contact.id,
      data: {
        via: input.via,
        from: contact.ownership,
        ...(owner ? { owner } : {}),
        cancelledMessages: cancelled.length,
        ...(contact.name ? { contactName: contact.name } : {}),
      },
      atMs: input.atMs,
    });
  }
  await scheduleAutoReturn(deps, r, contact, input.atMs, input.autoReturnAfterMs);
  return { contact: patched ?? contact, cancelled, changed };
}

export async function handBack(
  r: TenantRepos,
  contact: Contact,
  input: { atMs: number; reason: 'api' | 'quiet_period' },
): Promise<Contact> {
  if (contact.ownership === 'bot') return contact;
  const updated = await r.contacts.patch(contact.id, {
    ownership: { state: 'bot', atMs: input.atMs },
    // The customer's silence during the person's conversation is not the bot's to chase.
    followupsSent: 0,
  });
  await r.events.append({
    type: 'conversation.handed_back',
    channelId: contact.channelId,
    contactId: contact.id,
    data: { reason: input.reason, from: contact.ownership },
    atMs: input.atMs,
  });
  return updated ?? contact;
}

/** The playbook's quiet period before the bot returns (null: off, the default). */
export async function autoReturnAfterMsOf(r: TenantRepos): Promise<number | null> {
  const info = (await r.playbook.get()).info as Record<string, unknown>;
  const handoff = info.handoff as { autoReturnAfterMs?: unknown } | undefined;
  const ms = handoff?.autoReturnAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : null;
}

/** A check at the end of the quiet period; the check itself decides whether the bot returns. */
export async function scheduleAutoReturn(
  deps: Pick<PipelineDeps, 'queue'>,
  r: TenantRepos,
  contact: Contact,
  lastHumanAtMs: number,
  autoReturnAfterMs?: number | null,
): Promise<void> {
  const quietMs = autoReturnAfterMs === undefined ? await autoReturnAfterMsOf(r) : autoReturnAfterMs;
  if (quietMs === null) return;
  const atMs = lastHumanAtMs + quietMs;
  await deps.queue.enqueueIn(r.sql, {
    name: 'handback',
    data: { tenantId: r.tenantId, contactId: contact.id },
    singletonKey: `handback:${contact.id}:${atMs.toString(36)}`,
    startAfterMs: atMs,
  });
}

/** The `handback` job: the bot returns when a person has been quiet for the whole period. */
export async function handleAutoReturn(
  deps: PipelineDeps,
  tenantId: string,
  contactId: string,
): Promise<void> {
  const nowMs = deps.nowMs();
  await deps.store.tx(tenantId, async (r) => {
    const contact = await r.contacts.get(contactId);
    if (contact?.ownership !== 'human') return;
    const quietMs = await autoReturnAfterMsOf(r);
    if (quietMs === null) return;
    const lastHumanAtMs = contact.lastHumanAtMs ?? contact.ownershipSinceMs ?? 0;
    // A later message of the person scheduled its own check.
    if (nowMs < lastHumanAtMs + quietMs) return;
    await handBack(r, contact, { atMs: nowMs, reason: 'quiet_period' });
  });
}
