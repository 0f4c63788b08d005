/**
 * A message a person writes through Sellify (the dashboard, an integrator): stored as an outbound
 * `human` message and sent by the same outbound worker as the bot's replies, on the same durable,
 * exactly-once, one-at-a-time-per-channel queue, so its statuses flow back the same way. No human
 * pacing (a person already took their time), only the Cloud API pair limit. Sending takes the
 * conversation over: the bot's queued replies are cancelled and it stays quiet.
 */

import { DAY_MS } from '../domain/time.ts';
import type { Queue } from '../queue/index.ts';
import type { Channel, Contact, Message, TenantRepos } from '../store/index.ts';
import type { OutboundJobData } from './act.ts';
import { takeOver } from './ownership.ts';

/** The Cloud API customer service window: free-form messages within 24 h of the customer's last one. */
export const SERVICE_WINDOW_MS = DAY_MS;
/** Meta's pair limit: about one message per 6 s to the same recipient. */
export const PAIR_GAP_MS = 6_000;

export type ManualSendResult =
  | { ok: true; message: Message; contact: Contact }
  | { ok: false; refusal: 'not_found' | 'opted_out' | 'window_closed' };

export async function sendAsHuman(
  deps: { queue: Queue },
  r: TenantRepos,
  input: { contactId: string; text: string; owner?: string | null; nowMs: number },
): Promise<ManualSendResult> {
  const contact = await r.contacts.get(input.contactId);
  if (!contact) return { ok: false, refusal: 'not_found' };
  const channel: Channel | null = await r.channels.get(contact.channelId);
  if (!channel) return { ok: false, refusal: 'not_found' };
  if (contact.optedOut) return { ok: false, refusal: 'opted_out' };
  if (
    channel.transport === 'cloud' &&
    (contact.lastInboundAtMs === null || input.nowMs - contact.lastInboundAtMs >= SERVICE_WINDOW_MS)
  ) {
    return { ok: false, refusal: 'window_closed' };
  }
  const { contact: owned } = await takeOver(deps, r, contact, {
    atMs: input.nowMs,
    via: 'api',
    owner: input.owner ?? null,
  });
  const message = await r.messages.insertOutbound({
    channelId: channel.id,
    contactId: contact.id,
    kind: 'human',
    body: input.text,
    type: 'text',
    createdAtMs: input.nowMs,
  });
  const startAtMs = Math.max(input.nowMs, (contact.lastOutboundAtMs ?? 0) + PAIR_GAP_MS);
  const data: OutboundJobData = {
    tenantId: r.tenantId,
    messageId: message.id,
    typingAtMs: startAtMs,
    typingMs: 0,
  };
  await deps.queue.enqueueIn(r.sql, {
    name: 'outbound',
    data: { ...data },
    groupKey: channel.id,
    singletonKey: `send:${message.id}`,
    startAfterMs: startAtMs,
  });
  return { ok: true, message, contact: owned };
}
