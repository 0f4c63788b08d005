/**
 * The store: repositories bound to one tenant and one transaction. Request handling and pipelines
 * only ever reach the database through `store.tx(tenantId, …)`, which runs as the restricted role
 * with the tenant set, so row-level security backs up every WHERE tenant_id = … below.
 */

import type { Keyring } from '../crypto/keyring.ts';
import { type ApiKeysRepo, apiKeysRepo } from './repos/api-keys.ts';
import { type ChannelsRepo, channelsRepo } from './repos/channels.ts';
import type { RepoContext } from './repos/common.ts';
import { type ContactsRepo, contactsRepo } from './repos/contacts.ts';
import { type ConversationsRepo, conversationsRepo } from './repos/conversations.ts';
import { type DecisionsRepo, decisionsRepo } from './repos/decisions.ts';
import { type EventsRepo, eventsRepo, flushDeferredEvents } from './repos/events.ts';
import { type FailedEventsRepo, failedEventsRepo } from './repos/failed-events.ts';
import { type HealthEventsRepo, healthEventsRepo } from './repos/health-events.ts';
import { type IdempotencyRepo, idempotencyRepo } from './repos/idempotency.ts';
import { type MessagesRepo, messagesRepo } from './repos/messages.ts';
import { type OrdersRepo, ordersRepo } from './repos/orders.ts';
import { type PlaybookRepo, playbookRepo } from './repos/playbook.ts';
import { type ProductsRepo, productsRepo } from './repos/products.ts';
import { type StatsRepo, statsRepo } from './repos/stats.ts';
import { type TenantsRepo, tenantsRepo } from './repos/tenants.ts';
import { type UsersRepo, usersRepo } from './repos/users.ts';
import { type WebhooksOutRepo, webhooksOutRepo } from './repos/webhooks-out.ts';
import type { Db, Queryable } from './types.ts';

export interface TenantRepos {
  readonly tenantId: string;
  /**
   * The open transaction itself (as the app role, tenant set), for work that must commit together
   * with the repositories' writes, such as enqueueing the outbound job of a decision.
   */
  readonly sql: Queryable;
  readonly tenants: TenantsRepo;
  readonly apiKeys: ApiKeysRepo;
  readonly channels: ChannelsRepo;
  readonly contacts: ContactsRepo;
  readonly messages: MessagesRepo;
  readonly decisions: DecisionsRepo;
  readonly products: ProductsRepo;
  readonly playbook: PlaybookRepo;
  readonly orders: OrdersRepo;
  readonly idempotency: IdempotencyRepo;
  readonly stats: StatsRepo;
  readonly healthEvents: HealthEventsRepo;
  readonly events: EventsRepo;
  readonly failedEvents: FailedEventsRepo;
  readonly conversations: ConversationsRepo;
  readonly webhooksOut: WebhooksOutRepo;
  readonly users: UsersRepo;
}

export interface Store {
  readonly db: Db;
  readonly keyring: Keyring;
  /**
   * Every repository call runs inside one tenant's transaction. `deferEvents`: the event log's
   * appends are written together in one statement when fn returns, before the COMMIT (a batch of
   * webhooks appends two per message).
   */
  tx<T>(tenantId: string, fn: (r: TenantRepos) => Promise<T>, options?: TxOptions): Promise<T>;
  /**
   * Called with the tenant id after a transaction that appended to the event log has committed:
   * the in-process wake-up of the log's readers (event stream, webhooks, notifications).
   */
  onEventsCommitted(listener: (tenantId: string) => void): () => void;
  close(): Promise<void>;
}

export interface TxOptions {
  deferEvents?: boolean;
}

export function tenantRepos(context: RepoContext): TenantRepos {
  return {
    tenantId: context.tenantId,
    sql: context.tx,
    tenants: tenantsRepo(context),
    apiKeys: apiKeysRepo(context),
    channels: channelsRepo(context),
    contacts: contactsRepo(context),
    messages: messagesRepo(context),
    decisions: decisionsRepo(context),
    products: productsRepo(context),
    playbook: playbookRepo(context),
    orders: ordersRepo(context),
    idempotency: idempotencyRepo(context),
    stats: statsRepo(context),
    healthEvents: healthEventsRepo(context),
    events: eventsRepo(context),
    failedEvents: failedEventsRepo(context),
    conversations: conversationsRepo(context),
    webhooksOut: webhooksOutRepo(context),
    users: usersRepo(context),
  };
}

export function createStore(db: Db, keyring: Keyring): Store {
  const eventListeners = new Set<(tenantId: string) => void>();
  // Shared by this store's transactions (repos/common.ts, RepoContext.knownSenders).
  const knownSenders = new Set<string>();
  return {
    db,
    keyring,
    async tx(tenantId, fn, options = {}) {
      let appended = false;
      const onEventAppended = () => {
        appended = true;
      };
      const result = await db.tenantTx(tenantId, async (tx) => {
        // One memo of plaintexts per transaction (repos/common.ts, `seal`).
        const plaintexts = new Map<string, string>();
        if (options.deferEvents !== true)
          return fn(tenantRepos({ tx, tenantId, keyring, onEventAppended, plaintexts, knownSenders }));
        const context: RepoContext = {
          tx,
          tenantId,
          keyring,
          onEventAppended,
          deferredEvents: [],
          plaintexts,
          knownSenders,
        };
        const value = await fn(tenantRepos(context));
        await flushDeferredEvents(context);
        return value;
      });
      if (appended) for (const listener of [...eventListeners]) listener(tenantId);
      return result;
    },
    onEventsCommitted(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    close() {
      return db.close();
    },
  };
}
