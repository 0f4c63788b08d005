/**
 * The event log's consumers for systems and people (issue 15, item 5): outgoing webhooks and the
 * WhatsApp notification to the seller's own number. Whatever code appends an event in its
 * transaction (a hand-off, an order, a channel pause) is delivered without calling anything here:
 * the fan-out tails each tenant's log by cursor (`event_cursors`), woken at once by a commit in this
 * process and by a poll for the others, and turns each event into jobs on the durable queue:
 *
 * - `webhook`: one delivery per (endpoint, event), POSTed with a Stripe/Svix-style signature
 *   (`Sellify-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`), retried by pg-boss
 *   with back-off; after the last attempt the delivery is `dead` (listed, replayable through the API).
 *   Targets go through the SSRF-safe egress (private addresses only with SELLIFY_ALLOW_PRIVATE_GATEWAYS).
 * - `notify`: a short text to the number in the playbook's `notifications.to`, for the event types
 *   it opted in to, through the event's channel (a link to the conversation when
 *   SELLIFY_DASHBOARD_URL is set).
 *
 * Both are at least once: a receiver dedupes on `Sellify-Event-Id` (a webhook retry after a lost
 * answer sends the same event again).
 */

import { createHmac } from 'node:crypto';
import { type EventType, isActivityEvent } from '../domain/events.ts';
import { type Job, redactError } from '../queue/index.ts';
import type { EventRecord, TenantRepos } from '../store/index.ts';
import type { PipelineDeps } from './deps.ts';
import { DEFAULT_SETTLE_MS, EventTail } from './event-tail.ts';

/** Tenants read per query when a pass looks for tenants with new events. */
const TENANT_PAGE = 500;

/** The fan-out's cursor name in `event_cursors`. */
export const FANOUT_CONSUMER = 'fanout';
/** Other processes' events are found by this poll (this process's commits wake the loop at once). */
export const FANOUT_POLL_MS = 1_000;
/** A notification about an event older than this is not sent (a seller who opts in late is not flooded). */
export const NOTIFY_MAX_AGE_MS = 10 * 60_000;
/** How long a receiver has to answer a delivery. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
export const SIGNATURE_HEADER = 'Sellify-Signature';

export interface FanoutDeps extends PipelineDeps {
  /** The SSRF-safe fetch for integrators' URLs (createGuardedFetch). */
  webhookFetch: typeof fetch;
  /** SELLIFY_DASHBOARD_URL: notifications link to `<url>/conversations/<contactId>`. */
  dashboardUrl?: string;
}

/** The seller's notification settings, kept in the playbook (`notifications`). */
export interface NotificationSettings {
  /** The seller's own WhatsApp number, E.164. */
  to: string;
  events: EventType[];
}

export function notificationSettingsOf(info: Record<string, unknown>): NotificationSettings | null {
  const n = info.notifications as { to?: unknown; events?: unknown } | undefined;
  if (!n || typeof n.to !== 'string' || !Array.isArray(n.events) || n.events.length === 0) return null;
  return { to: n.to, events: n.events.filter((e): e is EventType => typeof e === 'string') };
}

/** `t=<unix seconds>,v1=<hex>`: HMAC-SHA256 with the endpoint secret over `<t>.<raw body>`. */
export function signPayload(secret: string, timestampS: number, body: string): string {
  const v1 = createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex');
  return `t=${timestampS},v1=${v1}`;
}

export interface EventPayload {
  id: string;
  seq: number;
  type: string;
  createdAt: string;
  channelId: string | null;
  contactId: string | null;
  subjectId: string | null;
  data: Record<string, unknown>;
}

/** The JSON an integrator receives (also the SSE `data`). */
export function eventPayload(e: EventRecord): EventPayload {
  return {
    id: e.id,
    seq: e.seq,
    type: e.type,
    createdAt: new Date(e.atMs).toISOString(),
    channelId: e.channelId,
    contactId: e.contactId,
    subjectId: e.subjectId,
    data: e.data,
  };
}

/** Turns one tenant's new events into delivery and notification jobs (same transaction). */
async function fanOutEvents(deps: PipelineDeps, r: TenantRepos, events: EventRecord[], nowMs: number) {
  if (events.length === 0) return;
  const endpoints = (await r.webhooksOut.listEndpoints()).filter((e) => e.enabled);
  const notify = notificationSettingsOf((await r.playbook.get()).info as Record<string, unknown>);
  for (const e of events) {
    for (const endpoint of endpoints) {
      if (e.seq <= endpoint.fromSeq) continue;
      // An endpoint listing no types gets every type but the conversation activity (opt-in).
      if (endpoint.eventTypes.length === 0 ? isActivityEvent(e.type) : !endpoint.eventTypes.includes(e.type))
        continue;
      const delivery = await r.webhooksOut.createDelivery({
        endpointId: endpoint.id,
        eventId: e.id,
        eventSeq: e.seq,
        eventType: e.type,
      });
      if (delivery === null) continue;
      await deps.queue.enqueueIn(r.sql, {
        name: 'webhook',
        data: { tenantId: r.tenantId, deliveryId: delivery.id },
        singletonKey: `webhook:${delivery.id}`,
      });
    }
    if (notify?.events.includes(e.type) && !isActivityEvent(e.type) && nowMs - e.atMs <= NOTIFY_MAX_AGE_MS) {
      await deps.queue.enqueueIn(r.sql, {
        name: 'notify',
        data: { tenantId: r.tenantId, eventId: e.id },
        singletonKey: `notify:${e.id}`,
      });
    }
  }
}

export interface Fanout {
  /** Runs one pass over every tenant with new events (tests call it directly). */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the fan-out loop and registers the `webhook` and `notify` workers. */
export async function startFanout(
  deps: FanoutDeps,
  options: { pollMs?: number; settleMs?: number; loop?: boolean; tenantPage?: number } = {},
): Promise<Fanout> {
  const tails = new Map<string, EventTail>();
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  const tenantPage = options.tenantPage ?? TENANT_PAGE;

  /**
   * Every tenant whose log holds events past the fan-out's cursor, read in pages of
   * `tenantPage` (TENANT_PAGE) ordered by id, so a pass reaches every one of them however many there are.
   */
  async function tenantsWithNews(): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const after = out.at(-1) ?? '';
      const { rows } = await deps.store.db.ownerTx((tx) =>
        tx.query<{ tenant_id: string }>(
          `SELECT e.tenant_id FROM events e
           LEFT JOIN event_cursors c ON c.tenant_id = e.tenant_id AND c.consumer = $1
           WHERE e.seq > coalesce(c.last_seq, 0) AND e.tenant_id > $2
           GROUP BY e.tenant_id ORDER BY e.tenant_id LIMIT $3`,
          [FANOUT_CONSUMER, after, tenantPage],
        ),
      );
      for (const r of rows) out.push(r.tenant_id);
      if (rows.length < tenantPage) return out;
    }
  }

  async function runTenant(tenantId: string): Promise<void> {
    const nowMs = deps.nowMs();
    await deps.store.tx(tenantId, async (r) => {
      let tail = tails.get(tenantId);
      if (tail === undefined) {
        tail = new EventTail(await r.webhooksOut.cursor(FANOUT_CONSUMER), settleMs);
        tails.set(tenantId, tail);
      }
      const fresh = await tail.poll((after) => r.events.listAfter(after, { limit: 200 }), nowMs);
      await fanOutEvents(deps, r, fresh, nowMs);
      await r.webhooksOut.setCursor(FANOUT_CONSUMER, tail.position);
    });
  }

  let running: Promise<void> | null = null;
  let again = false;
  const wanted = new Set<string>();
  async function pass(): Promise<void> {
    let news: string[];
    try {
      news = await tenantsWithNews();
    } catch (err) {
      // The database is away (an outage, a killed connection): the next pass tries again. A
      // rejection here would otherwise end the process through an unhandled promise.
      deps.log.error({ error: redactError(err) }, 'event fan-out could not read the event log');
      return;
    }
    const tenants = new Set([...wanted, ...news]);
    wanted.clear();
    for (const tenantId of tenants) {
      try {
        await runTenant(tenantId);
      } catch (err) {
        // The tail stays where it was; the next pass reads the same events again (idempotent).
        tails.delete(tenantId);
        deps.log.error({ tenantId, error: redactError(err) }, 'event fan-out failed for a tenant');
      }
    }
  }
  function runOnce(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await pass();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  }

  await deps.queue.work('webhook', (job) => deliverWebhook(deps, job), { concurrency: 4 });
  await deps.queue.work('notify', (job) => sendNotification(deps, job), { concurrency: 2 });

  let timer: NodeJS.Timeout | undefined;
  let unsubscribe = () => {};
  if (options.loop !== false) {
    unsubscribe = deps.store.onEventsCommitted((tenantId) => {
      wanted.add(tenantId);
      runOnce().catch(() => {});
    });
    timer = setInterval(() => runOnce().catch(() => {}), options.pollMs ?? FANOUT_POLL_MS);
    timer.unref();
  }
  return {
    runOnce,
    async stop() {
      unsubscribe();
      if (timer) clearInterval(timer);
      await running;
    },
  };
}

class DeliveryFailed extends Error {
  override readonly name = 'DeliveryFailed';
}

/** The `webhook` job: one signed POST of one event to one endpoint. */
export async function deliverWebhook(deps: FanoutDeps, job: Job): Promise<void> {
  const tenantId = String(job.data.tenantId);
  const deliveryId = String(job.data.deliveryId);
  const loaded = await deps.store.tx(tenantId, async (r) => {
    const delivery = await r.webhooksOut.getDelivery(deliveryId);
    if (delivery?.status !== 'pending') return null;
    const endpoint = await r.webhooksOut.getEndpoint(delivery.endpointId);
    const event = await r.events.get(delivery.eventId);
    if (!endpoint || !event) return null;
    return { delivery, endpoint, event };
  });
  if (loaded === null) return;
  const { endpoint, event } = loaded;
  const body = JSON.stringify(eventPayload(event));
  const timestampS = Math.floor(deps.nowMs() / 1000);
  let statusCode: number | null = null;
  let error: string | null = null;
  try {
    const res = await deps.webhookFetch(endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Sellify-Webhooks/1',
        [SIGNATURE_HEADER]: signPayload(endpoint.secret, timestampS, body),
        'Sellify-Event-Id': event.id,
        'Sellify-Event-Type': event.type,
        'Sellify-Delivery-Id': deliveryId,
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.any([job.signal, AbortSignal.timeout(WEBHOOK_TIMEOUT_MS)]),
    });
    statusCode = res.status;
    await res.body?.cancel().catch(() => {});
    if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
  } catch (err) {
    error = redactError(err);
  }
  const lastAttempt = job.attempt >= job.retryLimit + 1;
  const status = error === null ? 'delivered' : lastAttempt ? 'dead' : 'pending';
  await deps.store.tx(tenantId, (r) =>
    r.webhooksOut.recordAttempt(deliveryId, { status, statusCode, error, atMs: deps.nowMs() }),
  );
  // pg-boss retries with jittered exponential back-off; the last failure dead-letters the job too.
  if (error !== null && !lastAttempt) throw new DeliveryFailed(`webhook delivery failed: ${error}`);
}

const NOTIFY_TEXT: Partial<Record<EventType, string>> = {
  'handoff.requested': '{name} attend une réponse de votre part (le bot a passé la main).',
  'question.for_seller': '{name} pose une question à laquelle seul vous pouvez répondre.',
  'conversation.taken_over': 'La conversation avec {name} est maintenant suivie par une personne.',
  'conversation.handed_back': 'Le bot reprend la conversation avec {name}.',
  'order.created': 'Nouvelle commande de {name}.',
  'order.updated': 'La commande de {name} a changé.',
  'channel.disconnected': 'Votre numéro WhatsApp est déconnecté de Sellify.',
  'channel.connected': 'Votre numéro WhatsApp est connecté à Sellify.',
  'channel.paused': 'Sellify a mis vos envois en pause pour protéger votre numéro.',
  'channel.resumed': 'Sellify a repris les envois sur votre numéro.',
  'contact.opted_out': '{name} ne souhaite plus recevoir de messages.',
  'contact.opted_in': '{name} accepte de nouveau vos messages.',
};

/** The notification text: what happened, who, and a link when a dashboard URL is configured. */
export function notificationText(e: EventRecord, contactName: string | null, dashboardUrl?: string): string {
  const template = NOTIFY_TEXT[e.type] ?? `Sellify : ${e.type}`;
  const text = `Sellify : ${template.replace('{name}', contactName ?? 'Un client')}`;
  if (dashboardUrl && e.contactId)
    return `${text}\n${dashboardUrl.replace(/\/+$/, '')}/conversations/${e.contactId}`;
  return text;
}

/** The `notify` job: a short WhatsApp text to the seller's own number through the event's channel. */
export async function sendNotification(deps: FanoutDeps, job: Job): Promise<void> {
  const tenantId = String(job.data.tenantId);
  const eventId = String(job.data.eventId);
  const plan = await deps.store.tx(tenantId, async (r) => {
    const event = await r.events.get(eventId);
    const settings = notificationSettingsOf((await r.playbook.get()).info as Record<string, unknown>);
    if (!event || !settings?.events.includes(event.type)) return null;
    const channel = event.channelId
      ? await r.channels.get(event.channelId)
      : ((await r.channels.list()).find((c) => c.routeKey !== null) ?? null);
    if (!channel || channel.paused) return null;
    const contact = event.contactId ? await r.contacts.get(event.contactId) : null;
    return {
      event,
      settings,
      channel,
      credentials: await r.channels.getCredentials(channel.id),
      contactName: contact?.name ?? contact?.phone ?? null,
    };
  });
  if (plan === null) return;
  const client = deps.clientFor(plan.channel, plan.credentials);
  const result = await client.sendText(
    {
      to: plan.settings.to,
      text: notificationText(plan.event, plan.contactName, deps.dashboardUrl),
      callbackData: `notify:${plan.event.id}`,
      attempt: job.attempt - 1,
    },
    job.signal,
  );
  if (!result.ok) {
    if (result.error.class === 'retry' || result.error.class === 'defer')
      throw new DeliveryFailed(`notification not sent: ${result.error.code}`);
    deps.log.warn(
      { tenantId, eventId, code: result.error.code, class: result.error.class },
      'seller notification not sent',
    );
  }
}
