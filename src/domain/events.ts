/**
 * The events a seller or an integrator hears about. One closed list: the store refuses other types,
 * the event stream, outgoing webhooks and notifications filter on these names. Add a type here when
 * a new fact must reach people (and document it in docs/API.md, "Events").
 */
export const EVENT_TYPES = [
  /** The bot handed the conversation to a person (the customer asked, complained, or the bot could not answer). */
  'handoff.requested',
  /** A person took the conversation over (through the API, the dashboard, or a reply from the phone). */
  'conversation.taken_over',
  /** The conversation went back to the bot (by a person, or after the quiet period). */
  'conversation.handed_back',
  /** A customer asked something only the seller can answer (a fact the playbook does not hold). */
  'question.for_seller',
  'order.created',
  'order.updated',
  'channel.connected',
  'channel.disconnected',
  'channel.paused',
  'channel.resumed',
  'contact.opted_out',
  'contact.opted_in',
  /** A QR or pairing-code connection was started (through the API, or by the gateway itself). */
  'channel.pairing_started',
  /** A new QR code is waiting to be scanned (fetch it from GET /channels/{id}/pairing/qr). */
  'channel.pairing_qr',
  /** The gateway gave up pairing (QR limit reached, session FAILED): start again. */
  'channel.pairing_failed',
  /**
   * Conversation activity, for live screens: a message was stored (a customer's, the bot's, a
   * person's), or an outbound message's status moved (its ticks). The data holds ids, direction and
   * status, never the text. Outgoing webhooks get these only when they list them, and they are never
   * notified on WhatsApp (a notification is itself a message).
   */
  'message.created',
  'message.status',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** The conversation activity types: frequent, for screens; opt-in for webhooks, never notified. */
export const ACTIVITY_EVENT_TYPES: readonly EventType[] = ['message.created', 'message.status'];

export function isActivityEvent(type: string): boolean {
  return (ACTIVITY_EVENT_TYPES as readonly string[]).includes(type);
}

/** The types a seller may be told about on WhatsApp (everything but the activity). */
export const NOTIFIABLE_EVENT_TYPES: readonly EventType[] = EVENT_TYPES.filter((t) => !isActivityEvent(t));

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}
