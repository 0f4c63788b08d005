/**
 * The live connection: one EventSource on GET /api/v1/events/stream for the whole page, opened when
 * a screen listens and closed when no listening screen is on the page any more. The session cookie
 * authenticates it (a GET needs no CSRF header).
 *
 * Reconnection, without a storm: after a drop the browser retries by itself once the server's
 * `retry` delay has passed and sends `Last-Event-ID`, so the server resumes after the last event
 * seen. When that fails a few times in a row (the server is restarting, the network is gone), the
 * stream is closed and reopened on a back-off (1 s, 2 s, 4 s … 30 s, with jitter) with
 * `?after=<last id>`, which the server reads like Last-Event-ID; coming back online or to the tab
 * retries at once. Each (re)opening also tells the screens (`open`), which reload what they show
 * once: events committed while nobody listened are not lost.
 */

const STREAM = '/api/v1/events/stream';
/** The event types the screens react to (SSE needs one listener per named event). */
const TYPES = [
  'message.created',
  'message.status',
  'handoff.requested',
  'conversation.taken_over',
  'conversation.handed_back',
  'question.for_seller',
  'order.created',
  'order.updated',
  'channel.connected',
  'channel.disconnected',
  'channel.paused',
  'channel.resumed',
  'channel.pairing_started',
  'channel.pairing_qr',
  'channel.pairing_failed',
  'contact.opted_out',
  'contact.opted_in',
];
/** Browser retries tolerated before the manual back-off takes over. */
const NATIVE_RETRIES = 3;
const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

const listeners = new Set();
let source = null;
let lastId = null;
let failures = 0;
let retryTimer = null;
let state = 'closed';

/** A screen's element is put on the page after its render() resolves: a short grace until then. */
const MOUNT_GRACE_MS = 10_000;

function alive() {
  const nowMs = Date.now();
  for (const l of listeners) {
    if (l.el.isConnected) l.mounted = true;
    else if (l.mounted || nowMs - l.sinceMs > MOUNT_GRACE_MS) listeners.delete(l);
  }
  return listeners.size > 0;
}

function setState(next) {
  state = next;
  for (const l of listeners) l.onState(next);
}

function stop() {
  if (source !== null) source.close();
  source = null;
  clearTimeout(retryTimer);
  retryTimer = null;
  failures = 0;
  state = 'closed';
}

function dispatch(message) {
  if (message.lastEventId) lastId = message.lastEventId;
  if (!alive()) {
    stop();
    return;
  }
  let event;
  try {
    event = JSON.parse(message.data);
  } catch {
    return;
  }
  for (const l of listeners) l.onEvent(event);
}

function scheduleRetry() {
  clearTimeout(retryTimer);
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.min(failures - NATIVE_RETRIES, 5));
  const delayMs = base / 2 + Math.random() * (base / 2);
  retryTimer = setTimeout(open, delayMs);
}

function open() {
  retryTimer = null;
  if (!alive()) {
    stop();
    return;
  }
  if (source !== null) source.close();
  const url = lastId === null ? STREAM : `${STREAM}?after=${encodeURIComponent(lastId)}`;
  const es = new EventSource(url);
  source = es;
  es.addEventListener('open', () => {
    if (source !== es) return;
    failures = 0;
    setState('live');
    if (!alive()) {
      stop();
      return;
    }
    for (const l of listeners) l.onOpen();
  });
  es.addEventListener('error', () => {
    if (source !== es) return;
    failures += 1;
    setState('reconnecting');
    if (!alive()) {
      stop();
      return;
    }
    // CLOSED: the browser gave up (an HTTP error such as 401 or 503); too many failures: take over.
    if (es.readyState === EventSource.CLOSED || failures >= NATIVE_RETRIES) {
      es.close();
      source = null;
      scheduleRetry();
    }
  });
  for (const type of TYPES) es.addEventListener(type, dispatch);
}

function reconnectNow() {
  if (state === 'reconnecting' && retryTimer !== null) {
    clearTimeout(retryTimer);
    open();
  }
}

window.addEventListener('online', reconnectNow);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') reconnectNow();
});

/**
 * Listens while `el` is on the page: `onEvent(event)` for each event (the Event JSON of docs/API.md),
 * `onOpen()` after each (re)connection, `onState('live' | 'reconnecting')`.
 */
export function listen(el, { onEvent = () => {}, onOpen = () => {}, onState = () => {} } = {}) {
  const listener = { el, onEvent, onOpen, onState, mounted: false, sinceMs: Date.now() };
  listeners.add(listener);
  if (source === null && retryTimer === null) open();
  else onState(state);
  return () => listeners.delete(listener);
}

/** The connection's state: 'live', 'reconnecting' or 'closed'. */
export function liveState() {
  return state;
}

/**
 * Calls `fn` at most once per `waitMs` however many events arrive (trailing call), so a burst of
 * ticks reloads a screen once, not once per event.
 */
export function coalesce(fn, waitMs = 250) {
  let timer = null;
  let running = false;
  let again = false;
  const run = async () => {
    timer = null;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await fn();
    } catch {
      // Offline or the server restarting: the reconnection reloads the screen (onOpen).
    } finally {
      running = false;
      if (again) {
        again = false;
        timer = setTimeout(run, waitMs);
      }
    }
  };
  return () => {
    if (timer === null) timer = setTimeout(run, waitMs);
  };
}
