/**
 * The instants Sellify accepts, defined once for every layer.
 *
 * JavaScript dates reach year 275760 and a valid ISO string may say year 0000 or 9999, but the
 * rest of the system does not follow: Postgres refuses year 0 (a 500), a year-9999 decision sends
 * in year 10000, which `toISOString()` writes `+010000-…` and Postgres refuses too, and an absurd
 * webhook timestamp (`-1e13` seconds) is not a date at all. So:
 *
 * - **Every date-time field** of the API and the decision context lies in
 *   [2009-01-01T00:00:00Z, 2100-01-01T00:00:00Z): WhatsApp launched in 2009, so nothing Sellify
 *   handles is older, and the upper bound leaves the engines (which add at most weeks to `now`)
 *   far inside four-digit years, which Intl, ISO strings and Postgres all handle.
 * - **Message times** (a message received or sent, a webhook event) are also at most one day
 *   after the server's clock (clock skew between the transport and us), so a message from the
 *   future cannot hold a contact's 24-hour window open for years.
 *
 * The API refuses anything else with 400 `validation_failed` naming the field; webhooks, whose
 * sender cannot fix a payload, replace a bad event time with the time the webhook arrived
 * (`eventTimeOrReceived`) and process the event.
 */

/** WhatsApp's launch year: no message, channel or decision Sellify sees is older. */
export const EARLIEST_INSTANT_MS = Date.UTC(2009, 0, 1);
/** First instant no longer accepted (exclusive bound). */
export const LATEST_INSTANT_MS = Date.UTC(2100, 0, 1);
export const EARLIEST_INSTANT_ISO = '2009-01-01T00:00:00Z';
export const LATEST_INSTANT_ISO = '2100-01-01T00:00:00Z';
/** How far a message time may run ahead of the server's clock. */
export const MESSAGE_CLOCK_SKEW_MS = 24 * 60 * 60_000;

/** The rule, in words, for error messages. */
export const INSTANT_RANGE_TEXT = `from ${EARLIEST_INSTANT_ISO} to before ${LATEST_INSTANT_ISO}`;

/** True for epoch milliseconds inside [EARLIEST_INSTANT_MS, LATEST_INSTANT_MS). */
export function isAcceptedInstant(ms: number): boolean {
  return Number.isFinite(ms) && ms >= EARLIEST_INSTANT_MS && ms < LATEST_INSTANT_MS;
}

/** True for a message time: an accepted instant no more than a day after `nowMs`. */
export function isMessageTime(ms: number, nowMs: number): boolean {
  return isAcceptedInstant(ms) && ms <= nowMs + MESSAGE_CLOCK_SKEW_MS;
}

/** A transport's event time when it is a message time, else when the webhook arrived. */
export function eventTimeOrReceived(ms: number | undefined, receivedAtMs: number): number {
  return ms !== undefined && isMessageTime(ms, receivedAtMs) ? ms : receivedAtMs;
}
