/**
 * The decision context of a stored conversation: channel settings and health, contact state,
 * send counters, catalogue and playbook, read in the caller's tenant transaction. The advisor
 * route (POST /decision) and the pipelines build their contexts here, so both decide on the same
 * facts.
 */

import { DAY_MS } from '../domain/time.ts';
import { limitCatalog } from '../engines/catalog.ts';
import { type DecisionContext, parseConversation } from '../engines/context.ts';
import type { Channel, Contact, Message, TenantRepos } from '../store/index.ts';
import { contextPlaybook } from './playbook.ts';

/** Health events older than this are not sent to the engine (their score has decayed by then). */
export const HEALTH_LOOKBACK_MS = 30 * DAY_MS;

type ContextChannel = DecisionContext['channel'];
type ContextContact = DecisionContext['contact'];

const iso = (ms: number) => new Date(ms).toISOString();

export function contactPart(c: Contact): ContextContact {
  const out: ContextContact = {
    id: c.id,
    stage: c.stage,
    optedOut: c.optedOut,
    optedIn: c.optedIn,
    followupsSent: Math.min(c.followupsSent, 100),
  };
  if (c.ownership !== 'bot') out.ownership = c.ownership;
  if (c.phone !== null) out.phone = c.phone;
  if (c.name !== null) out.name = c.name;
  if (c.timezone !== null) out.timezone = c.timezone;
  if (c.lastInboundAtMs !== null) out.lastInboundAt = iso(c.lastInboundAtMs);
  if (c.lastOutboundAtMs !== null) out.lastOutboundAt = iso(c.lastOutboundAtMs);
  return out;
}

export async function channelPart(r: TenantRepos, channel: Channel, nowMs: number): Promise<ContextChannel> {
  const events = await r.healthEvents.recent(channel.id, { sinceMs: nowMs - HEALTH_LOOKBACK_MS });
  const part: ContextChannel = {
    id: channel.id,
    createdAt: iso(channel.createdAtMs),
    timezone: channel.timezone,
    preset: channel.preset,
    transport: channel.transport,
    paused: channel.paused,
    healthEvents: events.map((e) =>
      e.untilMs === undefined
        ? { type: e.type, at: iso(e.atMs) }
        : { type: e.type, at: iso(e.atMs), until: iso(e.untilMs) },
    ),
  };
  const language = channel.settings.language;
  if (language === 'fr' || language === 'en') part.language = language;
  if (channel.warmupStartedAtMs !== null) part.warmupStartedAt = iso(channel.warmupStartedAtMs);
  return part;
}

export async function statsPart(
  r: TenantRepos,
  channel: Channel,
  nowMs: number,
  timeZone: string,
  outboundText?: string,
): Promise<NonNullable<DecisionContext['stats']>> {
  const s = await r.stats.sendStats(channel.id, nowMs, timeZone, outboundText);
  const stats: NonNullable<DecisionContext['stats']> = {
    sentLastMinute: s.sentLastMinute,
    sentLastHour: s.sentLastHour,
    sentToday: s.sentToday,
    coldToday: s.coldToday,
    identicalLastHour: s.identicalLastHour,
  };
  if (s.lastSentAtMs !== undefined) stats.lastSentAt = iso(s.lastSentAtMs);
  return stats;
}

/**
 * The stored catalogue by name, within CATALOG_LIMITS (the products API keeps new catalogues
 * within them; this also bounds a catalogue stored before the limits existed).
 */
export async function catalogPart(r: TenantRepos): Promise<NonNullable<DecisionContext['catalog']>> {
  const products = await r.products.list();
  return limitCatalog(products).map((p) => {
    const product: NonNullable<DecisionContext['catalog']>[number] = {
      id: p.id,
      name: p.name,
      aliases: p.aliases,
      price: p.price,
      currency: p.currency,
      stock: p.stock,
    };
    if (p.category !== null) product.category = p.category;
    if (Object.keys(p.variants).length > 0) product.variants = p.variants;
    return product;
  });
}

/** A stored inbound message as the decision context takes it (the provider id, as it was received). */
export function messagePart(m: Message): NonNullable<DecisionContext['message']> {
  return { id: m.providerId ?? m.id, text: (m.body ?? '').slice(0, 65_536) };
}

/** The contact's stored order dialogue state (migration 0013), when it has one. */
export async function conversationPart(
  r: TenantRepos,
  contactId: string,
): Promise<DecisionContext['conversation']> {
  return parseConversation(await r.contacts.conversation(contactId));
}

/** Everything storage knows about one conversation, as a complete decision context. */
export async function storedContext(
  r: TenantRepos,
  input: {
    channel: Channel;
    contact: Contact;
    nowMs: number;
    message?: DecisionContext['message'];
    outbound?: DecisionContext['outbound'];
  },
): Promise<DecisionContext> {
  const { channel, contact, nowMs } = input;
  const ctx: DecisionContext = {
    now: iso(nowMs),
    channel: await channelPart(r, channel, nowMs),
    contact: contactPart(contact),
    catalog: await catalogPart(r),
    stats: await statsPart(r, channel, nowMs, channel.timezone, input.outbound?.text),
    playbook: contextPlaybook(await r.playbook.get()),
  };
  if (input.message) ctx.message = input.message;
  if (input.outbound) ctx.outbound = input.outbound;
  const conversation = await conversationPart(r, contact.id);
  if (conversation) ctx.conversation = conversation;
  return ctx;
}
