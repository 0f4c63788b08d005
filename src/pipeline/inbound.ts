/**
 * Inbound pipeline: normalized webhook events → stored facts. A customer message is stored keyed
 * on its provider id (a redelivered webhook finds it and does nothing), the contact is updated,
 * the engines decide, and the decision, the reply and its send job are written in the same
 * transaction. Statuses only move forward; connection and quality events feed the health engine.
 */

import { tryParseBsuid } from '../domain/bsuid.ts';
import { presetConfig } from '../engines/config.ts';
import { decide } from '../engines/decide.ts';
import { evaluateHealth } from '../engines/health.ts';
import {
  type Channel,
  type Contact,
  type ContactPatch,
  isDeterministicSqlError,
  type Message,
  sqlStateOf,
  type TenantRepos,
} from '../store/index.ts';
import type { InboundEvent } from '../whatsapp/index.ts';
import { act } from './act.ts';
import { decidesWithModel, deferToModel } from './assist.ts';
import { HEALTH_LOOKBACK_MS, messagePart, storedContext } from './context.ts';
import type { PipelineDeps } from './deps.ts';
import { takeOver } from './ownership.ts';

export interface ChannelTarget {
  tenantId: string;
  channelId: string;
  /** The channel's transport, recorded with a parked event. Default 'unknown'. */
  transport?: string;
}

export interface InboundOutcome {
  messages: number;
  duplicates: number;
  statuses: number;
  health: number;
  ignored: number;
  /** Events whose processing threw: parked in failed_events (their webhook still gets its 200). */
  failed: number;
  /** The parked events' ids, in event order. */
  failedEventIds: string[];
}

/**
 * A repeat of a channel's last health event within this window is dropped when the transport
 * gives the event no identity of its own (no id, no timestamp).
 */
export const HEALTH_REPEAT_WINDOW_MS = 5 * 60_000;

/**
 * Whether an error is the event's own fault (the same event would fail again: park it) rather
 * than the infrastructure's (a lost connection, a deadlock, a shutdown: fail the webhook so the
 * transport redelivers it once we recover). Only errors known to be deterministic are parked;
 * anything else keeps the old behaviour, a 5xx and a redelivery.
 */
export function isPoisonError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (
    [
      'TypeError',
      'RangeError',
      'SyntaxError',
      'ReferenceError',
      'PhoneError',
      'BsuidError',
      'DecryptError',
      'JobPayloadError',
    ].includes(err.name)
  )
    return true;
  // A database error the same values would raise again (data, integrity, syntax, limits).
  if (sqlStateOf(err) !== null) return isDeterministicSqlError(err);
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  // Our own domain codes (invalid_phone, invalid_bsuid, payload_invalid…) are about the input.
  return /^[a-z][a-z_]{2,40}$/.test(code);
}

/** A stable, data-free code for a parked event's error. */
function errorCodeOf(err: unknown): string {
  const state = sqlStateOf(err);
  if (state !== null) return `sql_${state.toLowerCase()}`;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[a-z][a-z_]{2,40}$/.test(code)) return code;
  return err instanceof Error ? err.name.toLowerCase().slice(0, 40) : 'unknown';
}

/** What identifies an event within its channel, without customer data: the parked row's key. */
export function eventKeyOf(event: InboundEvent): string | null {
  switch (event.kind) {
    case 'message':
      return `message:${event.providerId}`;
    case 'status':
      return `status:${event.providerId}:${event.status}`;
    case 'health':
      return `health:${event.eventId ?? `${event.event}:${event.timestampMs ?? ''}`}`;
    default:
      return null;
  }
}

/** Message types a bot should not answer: a reaction or a system notice is not a question. */
const SILENT_TYPES = new Set(['reaction', 'system', 'unsupported', 'sticker']);

type MessageEvent = Extract<InboundEvent, { kind: 'message' }>;
type StatusEvent = Extract<InboundEvent, { kind: 'status' }>;
type HealthEventIn = Extract<InboundEvent, { kind: 'health' }>;

export async function processEvents(
  deps: PipelineDeps,
  target: ChannelTarget,
  events: readonly InboundEvent[],
): Promise<InboundOutcome> {
  const outcome: InboundOutcome = {
    messages: 0,
    duplicates: 0,
    statuses: 0,
    health: 0,
    ignored: 0,
    failed: 0,
    failedEventIds: [],
  };
  // Each event commits in its own transaction, so one that throws rolls back alone: the events
  // before and after it in the same webhook are stored, decided and enqueued exactly once, and a
  // redelivery finds them by their provider ids.
  for (const event of events) {
    try {
      await processOne(deps, target, event, outcome);
    } catch (err) {
      const key = eventKeyOf(event);
      if (key === null || !isPoisonError(err)) throw err;
      // If the database cannot take this either, the webhook fails and is redelivered.
      const parked = await deps.store.tx(target.tenantId, (r) =>
        r.failedEvents.record({
          channelId: target.channelId,
          transport: target.transport ?? 'unknown',
          eventKind: event.kind,
          eventKey: key,
          errorCode: errorCodeOf(err),
          payload: {
            event,
            error: { name: (err as Error).name, message: (err as Error).message },
          },
          atMs: deps.nowMs(),
        }),
      );
      outcome.failed++;
      outcome.failedEventIds.push(parked.id);
      // No customer data here: ids, kinds and codes only (the event and the message are sealed).
      deps.log.warn(
        {
          tenantId: target.tenantId,
          channelId: target.channelId,
          failedEventId: parked.id,
          eventKind: event.kind,
          errorCode: parked.errorCode,
          attempts: parked.attempts,
        },
        'webhook event failed; parked for replay',
      );
    }
  }
  return outcome;
}

/** One event in its own transaction (the unbatched path: replays, the CLI, a batch's fallback). */
function processOne(
  deps: PipelineDeps,
  target: ChannelTarget,
  event: InboundEvent,
  outcome: InboundOutcome,
): Promise<void> {
  if (event.kind !== 'message' && event.kind !== 'status' && event.kind !== 'health') {
    outcome.ignored++;
    return Promise.resolve();
  }
  // Counted only once the transaction has committed, so a failed one leaves the outcome untouched.
  const own = emptyOutcome();
  return deps.store
    .tx(target.tenantId, (r) => processEventIn(deps, r, target, event, own))
    .then(() => addOutcome(outcome, own));
}

export function emptyOutcome(): InboundOutcome {
  return { messages: 0, duplicates: 0, statuses: 0, health: 0, ignored: 0, failed: 0, failedEventIds: [] };
}

function addOutcome(into: InboundOutcome, from: InboundOutcome): void {
  into.messages += from.messages;
  into.duplicates += from.duplicates;
  into.statuses += from.statuses;
  into.health += from.health;
  into.ignored += from.ignored;
  into.failed += from.failed;
  into.failedEventIds.push(...from.failedEventIds);
}

/**
 * One event inside the caller's tenant transaction: its own (processOne) or a batch's
 * (src/pipeline/batch.ts). Counts what it did into `outcome`.
 */
export async function processEventIn(
  deps: PipelineDeps,
  r: TenantRepos,
  target: ChannelTarget,
  event: InboundEvent,
  outcome: InboundOutcome,
): Promise<void> {
  switch (event.kind) {
    case 'message': {
      const stored = await storeMessage(deps, r, target, event);
      if (stored === 'duplicate') outcome.duplicates++;
      else if (stored === 'ignored') outcome.ignored++;
      else outcome.messages++;
      break;
    }
    case 'status':
      await storeStatus(deps, r, target, event);
      outcome.statuses++;
      break;
    case 'health':
      if ((await storeHealth(deps, r, target, event)) === 'duplicate') outcome.duplicates++;
      else outcome.health++;
      break;
    default:
      outcome.ignored++;
  }
}

async function storeMessage(
  deps: PipelineDeps,
  r: TenantRepos,
  target: ChannelTarget,
  event: MessageEvent,
): Promise<'stored' | 'duplicate' | 'ignored'> {
  // Messages typed on the seller's own phone come back through the transport: not questions, but
  // a person answering, who takes the conversation over.
  if (event.fromMe) return storeHumanEcho(deps, r, target, event);
  const phone = event.from.phone ?? event.from.waId;
  // A username user writes without a phone number (Cloud): the BSUID identifies them. A gateway's
  // LID chat carries neither and cannot be answered yet.
  const bsuid = event.from.bsuid !== undefined ? tryParseBsuid(event.from.bsuid)?.value : undefined;
  if (!phone && !bsuid) return 'ignored';
  const identity = { ...(phone ? { phone } : {}), ...(bsuid ? { bsuid } : {}) };
  const nowMs = deps.nowMs();
  const channel = await r.channels.get(target.channelId);
  if (!channel) return 'ignored';
  const { contact } = await r.contacts.upsertBySender(channel.id, identity, event.from.name ?? null);
  const { inserted, message } = await r.messages.insertInbound({
    channelId: channel.id,
    contactId: contact.id,
    providerId: event.providerId,
    body: event.text ?? null,
    type: event.type,
    createdAtMs: Math.min(event.timestampMs, nowMs),
  });
  if (!inserted) return 'duplicate';
  if (event.type === 'system') await applySystemNotice(r, contact, event);
  const receivedAtMs = Math.min(event.timestampMs, nowMs);
  const inboundAt = { lastInboundAtMs: Math.max(contact.lastInboundAtMs ?? 0, receivedAtMs) };
  if (SILENT_TYPES.has(event.type)) {
    await r.contacts.patch(contact.id, inboundAt);
    return 'stored';
  }
  // A person owns the conversation (or it waits for one): decide() answers `skip` with the reason,
  // recorded for the thread ("why the bot stayed quiet"), and a STOP still counts. The inbound
  // time is decided on and stored with the decision's own contact update (one UPDATE, not two).
  await decideFor(deps, r, channel, { ...contact, ...inboundAt }, message, nowMs, inboundAt);
  return 'stored';
}

/**
 * A message the seller typed on the phone (Evolution `fromMe`, WAHA `source: app`, Cloud
 * `smb_message_echoes`): stored as an outbound `human` message, and the conversation becomes the
 * person's, also when the seller starts the chat. The bot's replies still queued for that customer
 * are cancelled; one already being sent is re-checked by the worker just before the call.
 */
async function storeHumanEcho(
  deps: PipelineDeps,
  r: TenantRepos,
  target: ChannelTarget,
  event: MessageEvent,
): Promise<'stored' | 'duplicate' | 'ignored'> {
  const phone = event.from.phone ?? event.from.waId;
  const bsuid = event.from.bsuid !== undefined ? tryParseBsuid(event.from.bsuid)?.value : undefined;
  if (!phone && !bsuid) return 'ignored';
  const identity = { ...(phone ? { phone } : {}), ...(bsuid ? { bsuid } : {}) };
  const nowMs = deps.nowMs();
  const sentAtMs = Math.min(event.timestampMs, nowMs);
  const channel = await r.channels.get(target.channelId);
  if (!channel) return 'ignored';
  const { contact } = await r.contacts.upsertBySender(channel.id, identity, null);
  const { inserted } = await r.messages.insertHumanEcho({
    channelId: channel.id,
    contactId: contact.id,
    providerId: event.providerId,
    body: event.text ?? null,
    type: event.type,
    sentAtMs,
  });
  if (!inserted) return 'duplicate';
  const { contact: owned } = await takeOver(deps, r, contact, { atMs: sentAtMs, via: 'phone' });
  await r.contacts.patch(owned.id, {
    lastOutboundAtMs: Math.max(owned.lastOutboundAtMs ?? 0, sentAtMs),
  });
  return 'stored';
}

/**
 * Meta issues a new BSUID when a user changes number (`user_changed_user_id`, or the new id beside
 * `user_changed_number`): the contact keeps its history under the new id. A new id that another
 * contact of the channel already holds is left alone rather than merging two conversations.
 */
async function applySystemNotice(r: TenantRepos, contact: Contact, event: MessageEvent): Promise<void> {
  const next = event.system?.newBsuid === undefined ? undefined : tryParseBsuid(event.system.newBsuid);
  if (!next || next.value === contact.bsuid) return;
  const holder = await r.contacts.findByBsuid(contact.channelId, next.value);
  if (holder === null) await r.contacts.patch(contact.id, { bsuid: next.value });
}

/**
 * Decides on an inbound message and acts on the decision (same transaction). With the language
 * model on for the seller, a decision the model would help with is left to the `decide` job instead
 * (src/pipeline/assist.ts), so the webhook's acknowledgement never waits for the model.
 */
async function decideFor(
  deps: PipelineDeps,
  r: TenantRepos,
  channel: Channel,
  contact: Contact,
  message: Message,
  nowMs: number,
  extra?: ContactPatch,
): Promise<void> {
  const ctx = await storedContext(r, { channel, contact, nowMs, message: messagePart(message) });
  const decision = decide(ctx);
  if (deps.llm !== undefined && (await decidesWithModel(deps, r, contact, ctx, decision))) {
    // The decision waits for the model; the inbound time is stored now.
    if (extra !== undefined) await r.contacts.patch(contact.id, extra);
    await deferToModel(deps, r, { channel, contact, message, nowMs });
    return;
  }
  await act(deps, r, { channel, contact, decision, inbound: message, nowMs, ...(extra ? { extra } : {}) });
}

/** The `inbound` job: decide again on a deferred message, unless something newer superseded it. */
export async function redecide(deps: PipelineDeps, tenantId: string, messageId: string): Promise<void> {
  const nowMs = deps.nowMs();
  await deps.store.tx(tenantId, async (r) => {
    const message = await r.messages.get(messageId);
    if (message?.direction !== 'in') return;
    const contact = await r.contacts.get(message.contactId);
    const channel = await r.channels.get(message.channelId);
    if (!contact || !channel || contact.handoffAtMs !== null) return;
    // A newer message from the customer gets its own decision; answering this one too would repeat.
    if ((contact.lastInboundAtMs ?? 0) > message.createdAtMs) return;
    // The job ran before (a worker stopped after this transaction committed, before the queue
    // recorded the job as done): the message was decided on since it was deferred.
    if ((await r.decisions.lastActionFor(contact.id, message.id)) !== 'defer') return;
    await decideFor(deps, r, channel, contact, message, nowMs);
  });
}

async function storeStatus(
  deps: PipelineDeps,
  r: TenantRepos,
  target: ChannelTarget,
  event: StatusEvent,
): Promise<void> {
  {
    const errorCode = event.error ? String(event.error.code) : null;
    if (event.status === 'played') return;
    let update = await r.messages.setStatus(
      { channelId: target.channelId, providerId: event.providerId },
      event.status,
      {
        errorCode,
        atMs: event.timestampMs,
      },
    );
    // The worker may have died between Meta's answer and storing the provider id: our own id,
    // echoed as callback data, ties the status to the message (and tells the worker it went out).
    if (update.message === null && event.callbackData?.startsWith('msg_')) {
      const mine = await r.messages.get(event.callbackData);
      if (mine && mine.channelId === target.channelId && mine.providerId === null) {
        if (event.status !== 'failed')
          await r.messages.markSent(mine.id, event.providerId, event.timestampMs);
        update = await r.messages.setStatus({ id: mine.id }, event.status, {
          errorCode,
          atMs: event.timestampMs,
        });
      }
    }
    if (event.status === 'failed' && event.error && update.message) {
      await r.healthEvents.add({
        channelId: target.channelId,
        type: 'send_failed',
        atMs: deps.nowMs(),
        detail: { code: event.error.code },
      });
    }
  }
}

/**
 * A health event counts once: a replayed webhook (the same WAHA `session.status FAILED` posted
 * again with its valid signature) finds its event id taken; an event without any identity that
 * repeats the channel's last event within HEALTH_REPEAT_WINDOW_MS is a repeat, not news.
 */
async function storeHealth(
  deps: PipelineDeps,
  r: TenantRepos,
  target: ChannelTarget,
  event: HealthEventIn,
): Promise<'stored' | 'duplicate'> {
  const nowMs = deps.nowMs();
  const channel = await r.channels.get(target.channelId);
  if (!channel) return 'duplicate';
  const input = {
    channelId: channel.id,
    type: event.event,
    atMs: nowMs,
    ...(event.untilMs === undefined ? {} : { untilMs: event.untilMs }),
  };
  if (event.eventId !== undefined) {
    if ((await r.healthEvents.addOnce({ ...input, dedupKey: event.eventId })) === null) return 'duplicate';
  } else {
    const [last] = await r.healthEvents.recent(channel.id, { limit: 1 });
    if (last !== undefined && last.type === event.event && nowMs - last.atMs < HEALTH_REPEAT_WINDOW_MS)
      return 'duplicate';
    await r.healthEvents.add(input);
  }
  await refreshPause(r, channel, nowMs);
  return 'stored';
}

/** Re-evaluates the health engine and stores whether the channel is paused (with hysteresis). */
export async function refreshPause(r: TenantRepos, channel: Channel, nowMs: number): Promise<boolean> {
  const events = await r.healthEvents.recent(channel.id, { sinceMs: nowMs - HEALTH_LOOKBACK_MS });
  const verdict = evaluateHealth(
    { events, paused: channel.paused, isNewContact: false },
    presetConfig(channel.preset).health,
    nowMs,
  );
  if (verdict.paused !== channel.paused) {
    await r.channels.update(channel.id, {
      paused: verdict.paused,
      status: verdict.paused ? 'paused' : 'active',
    });
  }
  return verdict.paused;
}
