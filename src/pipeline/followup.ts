/**
 * The follow-up job: when a customer went quiet, decide whether to nudge. The decision re-reads
 * everything (a reply, an order or a STOP since scheduling cancels it), so a job that finds
 * nothing to do is normal.
 */
import { decide } from '../engines/decide.ts';
import { act } from './act.ts';
import { storedContext } from './context.ts';
import type { PipelineDeps } from './deps.ts';

export async function handleFollowup(deps: PipelineDeps, tenantId: string, contactId: string): Promise<void> {
  const nowMs = deps.nowMs();
  await deps.store.tx(tenantId, async (r) => {
    const contact = await r.contacts.get(contactId);
    if (!contact || contact.handoffAtMs !== null || contact.optedOut) return;
    const channel = await r.channels.get(contact.channelId);
    if (!channel) return;
    const decision = decide(await storedContext(r, { channel, contact, nowMs }));
    if (decision.action === 'skip' && decision.stage === contact.stage) return;
    await act(deps, r, { channel, contact, decision, nowMs });
  });
}
