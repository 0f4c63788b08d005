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
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}
