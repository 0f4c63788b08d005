/**
 * SellifyClient: the Sellify HTTP API as typed methods. Each method names the operation it calls
 * by its `METHOD path` key in the generated `Operations` type, so its argument and result types
 * come from the server's own schemas and a renamed or removed route fails the type check.
 */

import type {
  ApiKey,
  Channel,
  Contact,
  ContentVerdict,
  Conversation,
  CreatedApiKey,
  DeadLetter,
  DeadLetterReplay,
  Decision,
  DecisionRecord,
  FailedEvent,
  FailedEventDetail,
  FailedEventReplay,
  Message,
  Order,
  Pairing,
  Playbook,
  Product,
  Tenant,
  ThreadMessage,
  WebhookDelivery,
  WebhookEndpoint,
} from './generated.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.ts';
import {
  type FetchLike,
  type HttpResponse,
  type QueryValue,
  type RequestOptions,
  type RetryEvent,
  type SleepLike,
  sleep,
  Transport,
} from './transport.ts';
import type {
  BodyOf,
  ChannelCreate,
  ChannelUpdate,
  ContactListQuery,
  ContactUpdate,
  ConversationListQuery,
  DeadLetterListQuery,
  DecisionContext,
  DecisionListQuery,
  EventListQuery,
  EventPage,
  EventStreamQuery,
  FailedEventListQuery,
  HumanMessageInput,
  KeyCreate,
  KeyListQuery,
  KeyRevokeQuery,
  OperationKey,
  OrderCreate,
  OrderCsvQuery,
  OrderListQuery,
  OrderPaymentInput,
  OrderUpdate,
  Page,
  PageQuery,
  ParamsOf,
  PlaybookInput,
  ProductCreate,
  ProductUpdate,
  QueryOf,
  RecordMessageInput,
  RecordMessageResult,
  ResponseOf,
  Stats,
  StatsQuery,
  TakeOverInput,
  TenantCreate,
  ValidateTextInput,
  WebhookDeliveryListQuery,
  WebhookEndpointCreate,
  WebhookEndpointUpdate,
} from './types.ts';

export interface SellifyClientOptions {
  /** Where the API runs, without `/api/v1`: `http://127.0.0.1:3000`, `https://sellify.example.com`. */
  baseUrl: string;
  /** An API key (`sk_…`), sent as X-API-Key. */
  apiKey?: string;
  /** Default: the global fetch. */
  fetch?: FetchLike;
  /** Timeout of each attempt, in milliseconds. Default 10000. */
  timeoutMs?: number;
  /** Retries after the first attempt (0 disables them). Default 3. */
  maxRetries?: number;
  /** First backoff, in milliseconds, doubling on each retry. Default 500. */
  baseDelayMs?: number;
  /** Upper bound of one backoff, in milliseconds. Default 8000. */
  maxDelayMs?: number;
  /** Longest Retry-After waited for, in milliseconds; a longer one throws at once. Default 60000. */
  maxRetryAfterMs?: number;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** Called before each retry (logging, metrics). */
  onRetry?: (event: RetryEvent) => void;
  /** The wait between attempts. Default: setTimeout (tests pass one that records and returns). */
  sleep?: SleepLike;
  /** A draw in [0, 1) for the jitter. Default Math.random. */
  random?: () => number;
  /** Epoch ms, to read Retry-After dates. Default Date.now. */
  now?: () => number;
}

/** `params` is required exactly when the path has parameters, `body` when the operation takes one. */
export type RequestInput<K extends OperationKey> = (ParamsOf<K> extends Record<string, never>
  ? { params?: undefined }
  : { params: ParamsOf<K> }) & { query?: QueryOf<K> } & ([BodyOf<K>] extends [never]
    ? { body?: undefined }
    : { body: BodyOf<K> });

/** POSTs that change nothing, hence take no Idempotency-Key. */
const SAFE_POSTS: ReadonlySet<OperationKey> = new Set<OperationKey>(['POST /api/v1/validate']);

/** Walks every page from the first, yielding items; stops on a cursor the server repeats. */
async function* paginate<T>(load: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T, void> {
  let cursor: string | undefined;
  for (;;) {
    const page = await load(cursor);
    yield* page.items;
    if (page.nextCursor === null) return;
    if (page.nextCursor === cursor) throw new Error('pagination: the server returned the same cursor twice');
    cursor = page.nextCursor;
  }
}

type Options = RequestOptions | undefined;

export class SellifyClient {
  readonly channels: ChannelsApi;
  readonly contacts: ContactsApi;
  readonly products: ProductsApi;
  readonly playbook: PlaybookApi;
  readonly decisions: DecisionsApi;
  readonly orders: OrdersApi;
  /** The seller's numbers for a period (GET /api/v1/stats). */
  readonly stats: StatsApi;
  readonly failedEvents: FailedEventsApi;
  /** Jobs that failed their last attempt (admin scope). */
  readonly deadLetters: DeadLettersApi;
  readonly keys: KeysApi;
  readonly tenants: TenantsApi;
  readonly pairing: PairingApi;
  readonly users: UsersApi;
  readonly conversations: ConversationsApi;
  readonly events: EventsApi;
  readonly webhooks: WebhooksApi;
  readonly #transport: Transport;

  constructor(options: SellifyClientOptions) {
    if (typeof options.baseUrl !== 'string' || !/^https?:\/\//i.test(options.baseUrl)) {
      throw new TypeError('SellifyClient: baseUrl must be an http(s) URL, e.g. http://127.0.0.1:3000');
    }
    const retry: RetryPolicy = {
      maxRetries: options.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
      baseDelayMs: options.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
      maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_RETRY_POLICY.maxRetryAfterMs,
    };
    this.#transport = new Transport({
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      // Called through a wrapper: a browser's fetch throws "Illegal invocation" when detached from window.
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      sleep: options.sleep ?? sleep,
      random: options.random ?? Math.random,
      now: options.now ?? Date.now,
      timeoutMs: options.timeoutMs ?? 10_000,
      retry,
      headers: { ...options.headers },
      onRetry: options.onRetry,
    });
    this.channels = new ChannelsApi(this);
    this.contacts = new ContactsApi(this);
    this.products = new ProductsApi(this);
    this.playbook = new PlaybookApi(this);
    this.decisions = new DecisionsApi(this);
    this.orders = new OrdersApi(this);
    this.stats = new StatsApi(this);
    this.failedEvents = new FailedEventsApi(this);
    this.deadLetters = new DeadLettersApi(this);
    this.keys = new KeysApi(this);
    this.tenants = new TenantsApi(this);
    this.pairing = new PairingApi(this);
    this.users = new UsersApi(this);
    this.conversations = new ConversationsApi(this);
    this.events = new EventsApi(this);
    this.webhooks = new WebhooksApi(this);
  }

  /**
   * Advisor mode: what to send, when, and why (POST /api/v1/decision). Give `channelId` and
   * `contactId` (or `contact`) and the inbound `message`; stored settings, catalogue, playbook
   * and send counters fill the rest. Send the answer yourself after `delayMs`, showing "typing…"
   * for the last `typingMs`, then call recordMessage.
   */
  makeDecision(context: DecisionContext, options?: RequestOptions): Promise<Decision> {
    return this.request('POST /api/v1/decision', { body: context }, options);
  }

  /** Checks a text before you send it: spam score, problems and suggestions (POST /api/v1/validate). */
  validateText(input: ValidateTextInput, options?: RequestOptions): Promise<ContentVerdict> {
    return this.request('POST /api/v1/validate', { body: input }, options);
  }

  /**
   * Records a message your bot received (`direction: "in"`) or sent (`"out"`), so quotas, the
   * funnel and the 24-hour window stay true (POST /api/v1/messages). Recording the same
   * `providerId` again changes nothing and resolves with `created: false`.
   */
  async recordMessage(message: RecordMessageInput, options?: RequestOptions): Promise<RecordMessageResult> {
    const res = await this.send('POST /api/v1/messages', { body: message }, options);
    return { ...(res.data as ResponseOf<'POST /api/v1/messages'>), created: res.status === 201 };
  }

  /**
   * Any operation by its `METHOD path` key, typed from the OpenAPI document:
   * `client.request('GET /api/v1/products/{id}', { params: { id } })`.
   */
  async request<K extends OperationKey>(
    operation: K,
    input: RequestInput<K>,
    options?: RequestOptions,
  ): Promise<ResponseOf<K>> {
    return (await this.send(operation, input, options)).data as ResponseOf<K>;
  }

  /** Like request, with the status and headers of the answer. */
  send<K extends OperationKey>(
    operation: K,
    input: RequestInput<K>,
    options?: RequestOptions,
  ): Promise<HttpResponse> {
    const space = operation.indexOf(' ');
    const method = operation.slice(0, space);
    const params = (input.params ?? {}) as Record<string, string>;
    const path = operation.slice(space + 1).replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = params[name];
      if (typeof value !== 'string' || value === '') {
        throw new TypeError(`${operation}: the path parameter "${name}" is required`);
      }
      return encodeURIComponent(value);
    });
    return this.#transport.send(
      {
        method,
        path,
        query: input.query as Record<string, QueryValue> | undefined,
        body: input.body,
        idempotent: method === 'POST' && !SAFE_POSTS.has(operation),
      },
      options,
    );
  }
}

/** WhatsApp numbers, one per transport (`cloud`, `evolution`, `waha`, `sandbox`). */
export class ChannelsApi {
  readonly #c: SellifyClient;
  constructor(client: SellifyClient) {
    this.#c = client;
  }
  create(channel: ChannelCreate, options?: Options): Promise<Channel> {
    return this.#c.request('POST /api/v1/channels', { body: channel }, options);
  }
  /** One page, oldest first. */
  list(query?: PageQuery, options?: Options): Promise<Page<Channel>> {
    return this.#c.request('GET /api/v1/channels', { query }, options);
  }
  /** Every channel, page after page. */
  all(query?: Omit<PageQuery, 'cursor'>, options?: Options): AsyncGenerator<Channel, void> {
    return paginate((cursor) => this.list({ ...query, cursor }, options));
  }
  /** The channel with its health (score, level, paused, reasons). */
  get(id: string, options?: Options): Promise<Channel> {
    return this.#c.request('GET /api/v1/channels/{id}', { params: { id } }, options);
  }
  update(id: string, patch: ChannelUpdate, options?: Options): Promise<Channel> {
    return this.#c.request('PATCH /api/v1/channels/{id}', { params: { id }, body: patch }, options);
  }
  /** Deletes the channel with its contacts, messages and events. */
  async delete(id: string, options?: Options): Promise<void> {
    await this.#c.request('DELETE /api/v1/channels/{id}', { params: { id } }, options);
  }
}

/**
 * Connecting an Evolution or WAHA channel's number by QR code or pairing code: start, the state,
 * the QR to scan (raw and PNG data URL), a pairing code, restart and log out.
 */
export class PairingApi {
  readonly #c: SellifyClient;
  constructor(client: SellifyClient) {
    this.#c = client;
  }
  /** Creates or reuses the instance/session, sets Sellify's webhook, starts; with a phone number, a pairing code too. */
  start(channelId: string, body: { phoneNumber?: string } = {}, options?: Options): Promise<Pairing> {
    return this.#c.request(
      'POST /api/v1/channels/{id}/pairing',
      { params: { id: channelId }, body },
      options,
    );
  }
  /** The tracked state; `refresh: true` asks the gateway first. */
  state(channelId: string, query?: { refresh?: boolean }, options?: Options): Promise<Pairing> {
    return this.#c.request(
      'GET /api/v1/channels/{id}/pairing',
      { params: { id: channelId }, query },
      options,
    );
  }
  /** The QR to scan now (`pairing_not_ready` when none is shown). */
  qr(channelId: string, options?: Options): Promise<Pairing> {
    return this.#c.request('GET /api/v1/channels/{id}/pairing/qr', { params: { id: channelId } }, options);
  }
  /** A pairing code (XXXX-XXXX) for the number to link. */
  code(channelId: string, phoneNumber: string, options?: Options): Promise<Pairing> {
    return this.#c.request(
      'POST /api/v1/channels/{id}/pairing/code',
      { params: { id: channelId }, body: { phoneNumber } },
      options,
    );
  }
  restart(channelId: string, options?: Options): Promise<Pairing> {
    return this.#c.request(
      'POST /api/v1/channels/{id}/pairing/restart',
      { params: { id: channelId } },
      options,
    );
  }
  logout(channelId: string, options?: Options): Promise<Pairing> {
    return this.#c.request(
      'POST /api/v1/channels/{id}/pairing/logout',
      { params: { id: channelId } },
      options,
    );
  }
}

/** Customers, their consent and funnel stage, and their conversations. */
export class ContactsApi {
  readonly #c: SellifyClient;
  constructor(client: SellifyClient) {
    this.#c = client;
  }
  /** One page, newest first; `channelId` narrows to one channel. */
  list(query?: ContactListQuery, options?: Options): Promise<Page<Contact>> {
    return this.#c.request('GET /api/v1/contacts', { query }, options);
  }
  all(query?: Omit<ContactListQuery, 'cursor'>, options?: Options): AsyncGenerator<Contact, void> {
    return paginate((cursor) => this.list({ ...query, cursor }, options));
  }
  get(id: string, options?: Options): Promise<Contact> {
    return this.#c.request('GET /api/v1/contacts/{id}', { params: { id } }, options);
  }
  /** Consent (`optedOut`, `optedIn`), funnel `stage` or `name`. */
  update(id: string, patch: ContactUpdate, options?: Options): Promise<Contact> {
    return this.#c.request('PATCH /api/v1/contacts/{id}', { params: { id }, body: patch }, options);
  }
  /** One page of the conversation, newest first. */
  history(id: string, query?: PageQuery, options?: Options): Promise<Page<Message>> {
    return this.#c.request('GET /api/v1/contacts/{id}/messages', { params: { id }, query }, options);
  }
  /** The whole conversation, newest first. */
  historyAll(
    id: string,
    query?: Omit<PageQuery, 'cursor'>,
    options?: Options,
  ): AsyncGenerator<Message, void> {
    return paginate((cursor) => this.history(id, { ...query, cursor }, options));
  }
}

/** The catalogue: prices are integers in minor units (15000 XOF = 15000; 1550 EUR = 15,50 €). */
export class ProductsApi {
  readonly #c: SellifyClient;
  constructor(client: SellifyClient) {
    this.#c = client;
  }
  create(product: ProductCreate, options?: Options): Promise<Product> {
    return this.#c.request('POST /api/v1/products', { body: product }, options);
  }
  /** One page, by name. */
  list(query?: PageQuery, options?: Options): Promise<Page<Product>> {
    return this.#c.request('GET /api/v1/products', { query }, options);
  }
  all(query?: Omit<PageQuery, 'cursor'>, options?: Options): AsyncGenerator<Product, void> {
    return paginate((cursor) => this.list({ ...query, cursor }, options));
  }
  get(id: string, options?: Options): Promise<Product> {
    return this.#c.request('GET /api/v1/products/{id}', { params: { id } }, options);
  }
  update(id: string, patch: ProductUpdate, options?: Options): Promise<Product> {
    return this.#c.request('PATCH /api/v1/products/{id}', { params: { id }, body: patch }, options);
  }
  async delete(id: string, options?: Options): Promise<void> {
    await this.#c.request('DELETE /api/v1/products/{id}', { params: { id } }, options);
  }
}

/** Answer templates, shop facts, the follow-up ladder and the away message. */
export class PlaybookApi {
  readonly #c: SellifyClient;
  constructor(client: SellifyClient) {
    this.#c = client;
  }
  /** The playbook (defaults, `updatedAt: null`, until one is saved). */
  get(options?: Options): Promise<Playbook> {
    return this.#c.request('GET /api/v1/playbook', {}, options);
  }
  /** Replaces the playbook: fields left out go back to their defaults. */
  put(playbook: PlaybookInput, options?: Options): Promise<Playbook> {
    return this.#c.request('PUT /api/v1/playbook', { body: playbook }, options);
  }
}

/** The seller's numbers: conversations, messages, orders, response times, each channel's allowance and health. */
export class StatsApi {
  readonly #c: SellifyClient;
  constructor(client: SellifyClient) {
    this.#c = client;
  }
  get(query?: StatsQuery, options?: Options): Promise<Stats> {
    return this.#c.request('GET /api/v1/stats', { query }, options);
  }
  /** The playbook's A/B experiments with outcomes per variant ("not_enough_data" below the minimum sample). */
  experiments(options?: Options): Promise<ResponseOf<'GET /api/v1/experiments'>> {
    return this.#c.request('GET /api/v1/experiments', {}, options);
  }
}

/** The audit trail of decisions. */
export class DecisionsApi {
  readonly #c: SellifyClient;
  constructor(client: SellifyClient) {
    this.#c = client;
  }
  /** One page, newest first, without verdicts. */
  list(query?: DecisionListQuery, options?: Options): Promise<Page<DecisionRecord>> {
    return this.#c.request('GET /api/v1/decisions', { query }, options);
  }
  all(query?: Omit<DecisionListQuery, 'cursor'>, options?: Options): AsyncGenerator<DecisionRecord, void> {
    return paginate((cursor) => this.list({ ...query, cursor }, options));
  }
  /** One decision with every engine's full verdict. */
  get(id: string, options?: Options): Promise<DecisionRecord> {
    return this.#c.request('GET /api/v1/decisions/{id}', { params: { id } }, options);
  }
}

/** Webhook events that could not be processed and were parked (admin scope). */
export class FailedEventsApi {
  readonly #c: SellifyClient;
  constructor(client: SellifyClient) {
    this.#c = client;
  }
  /** One page, newest first, without the events' content. */
  list(query?: FailedEventListQuery, options?: Options): Promise<Page<FailedEvent>> {
    return this.#c.request('GET /api/v1/failed-events', { query }, options);
  }
  all(query?: Omit<FailedEventListQuery, 'cursor'>, options?: Options): AsyncGenerator<FailedEvent, void> {
    return paginate((cursor) => this.list({ ...query, cursor }, options));
  }
  /** One parked event with the event itself and its error. */
  get(id: string, options?: Options): Promise<FailedEventDetail> {
    return this.#c.request('GET /api/v1/failed-events/{id}', { params: { id } }, options);
  }
  /** Runs the event through the inbound pipeline again (idempotent like a redelivery). */
  replay(id: string, options?: Options): Promise<FailedEventReplay> {
    return this.#c.request('POST /api/v1/failed-events/{id}/replay', { params: { id } }, options);
  }
}

/** Jobs (sends, follow-ups, deliveries…) that failed their last attempt (admin scope). */
export class DeadLettersApi {
  readonly #c: SellifyClient;
  constructor(client: SellifyClient) {
    this.#c = client;
  }
  /** One page, newest first: ids and the masked last error, never customer data. */
  list(query?: DeadLetterListQuery, options?: Options): Promise<Page<DeadLetter>> {
    return this.#c.request('GET /api/v1/dead-letters', { query }, options);
  }
  all(query?: Omit<DeadLetterListQuery, 'cursor'>, options?: Options): AsyncGenerator<DeadLetter, void> {
    return paginate((cursor) => this.list({ ...query, cursor }, options));
  }
  /** Puts the job back in its queue; a send whose message reached WhatsApp is refused (409 conflict). */
  replay(id: string, options?: Options): Promise<DeadLetterReplay> {
    return this.#c.request('POST /api/v1/dead-letters/{id}/replay', { params: { id } }, options);
  }
}

/** Orders captured from conversations. */
export class OrdersApi {
  readonly #c: SellifyClient;
  constructor(client: SellifyClient) {
    this.#c = client;
  }
  list(query?: OrderListQuery, options?: Options): Promise<Page<Order>> {
    return this.#c.request('GET /api/v1/orders', { query }, options);
  }
  all(query?: Omit<OrderListQuery, 'cursor'>, options?: Options): AsyncGenerator<Order, void> {
    return paginate((cursor) => this.list({ ...query, cursor }, options));
  }
  /** An order with its payments. */
  get(id: string, options?: Options): Promise<Order> {
    return this.#c.request('GET /api/v1/orders/{id}', { params: { id } }, options);
  }
  /**
   * Creates an order from catalogue product ids (prices and delivery fee from the catalogue and
   * playbook unless given). `created` is false when an order with this `reference` already existed.
   */
  async create(order: OrderCreate, options?: Options): Promise<Order & { created: boolean }> {
    const res = await this.#c.send('POST /api/v1/orders', { body: order }, options);
    return { ...(res.data as Order), created: res.status === 201 };
  }
  /** Moves the order, its payment (refunded only) or its delivery; 409 order_transition_invalid when not allowed. */
  update(id: string, change: OrderUpdate, options?: Options): Promise<Order> {
    return this.#c.request('PATCH /api/v1/orders/{id}', { params: { id }, body: change }, options);
  }
  /** Records a payment received; the payment status follows the sum of payments. */
  recordPayment(id: string, payment: OrderPaymentInput, options?: Options): Promise<Order> {
    return this.#c.request('POST /api/v1/orders/{id}/payments', { params: { id }, body: payment }, options);
  }
  /** The orders as CSV text (a header row, then one line per order); at most 10 000 rows per call. */
  exportCsv(query?: OrderCsvQuery, options?: Options): Promise<string> {
    return this.#c.request('GET /api/v1/orders.csv', { query }, options);
  }
}

/** API keys (admin scope). The secret is only in the answer to create. */
export class KeysApi {
  readonly #c: SellifyClient;
  constructor(client: SellifyClient) {
    this.#c = client;
  }
  create(key: KeyCreate, options?: Options): Promise<CreatedApiKey> {
    return this.#c.request('POST /api/v1/keys', { body: key }, options);
  }
  /** One page of keys, revoked ones included (never the secrets). */
  list(query?: KeyListQuery, options?: Options): Promise<Page<ApiKey>> {
    return this.#c.request('GET /api/v1/keys', { query }, options);
  }
  all(query?: Omit<KeyListQuery, 'cursor'>, options?: Options): AsyncGenerator<ApiKey, void> {
    return paginate((cursor) => this.list({ ...query, cursor }, options));
  }
  /** Revokes a key: it is refused from the next request on. */
  revoke(id: string, query?: KeyRevokeQuery, options?: Options): Promise<ApiKey> {
    return this.#c.request('DELETE /api/v1/keys/{id}', { params: { id }, query }, options);
  }
}

/** Sellers' workspaces (platform operator's admin keys only). */
export class TenantsApi {
  readonly #c: SellifyClient;
  constructor(client: SellifyClient) {
    this.#c = client;
  }
  create(tenant: TenantCreate, options?: Options): Promise<Tenant> {
    return this.#c.request('POST /api/v1/tenants', { body: tenant }, options);
  }
}

/** The people who sign in to the dashboard (admin scope). An invite link is only in the answer to invite. */
export class UsersApi {
  readonly #c: SellifyClient;
  constructor(client: SellifyClient) {
    this.#c = client;
  }
  list(options?: Options) {
    return this.#c.request('GET /api/v1/users', {}, options);
  }
  /** A one-time invite link for a new owner, agent or viewer (valid 7 days). */
  invite(invite: { role: 'owner' | 'agent' | 'viewer' }, options?: Options) {
    return this.#c.request('POST /api/v1/users/invites', { body: invite }, options);
  }
}
/** The inbox, who answers each conversation, and a person's replies (a conversation is a contact id). */
export class ConversationsApi {
  readonly #c: SellifyClient;
  constructor(client: SellifyClient) {
    this.#c = client;
  }
  /** One page, newest activity first; `filter`: all, waiting, human, bot, people. */
  list(query?: ConversationListQuery, options?: Options): Promise<Page<Conversation>> {
    return this.#c.request('GET /api/v1/conversations', { query }, options);
  }
  all(query?: Omit<ConversationListQuery, 'cursor'>, options?: Options): AsyncGenerator<Conversation, void> {
    return paginate((cursor) => this.list({ ...query, cursor }, options));
  }
  /** One page of the thread, newest first, with ticks and the bot's reasons. */
  thread(id: string, query?: PageQuery, options?: Options): Promise<Page<ThreadMessage>> {
    return this.#c.request('GET /api/v1/conversations/{id}/messages', { params: { id }, query }, options);
  }
  /** A person takes the conversation over: the bot stops answering. */
  takeOver(id: string, body: TakeOverInput = {}, options?: Options): Promise<Contact> {
    return this.#c.request('POST /api/v1/conversations/{id}/takeover', { params: { id }, body }, options);
  }
  /** Back to the bot. */
  handBack(id: string, options?: Options): Promise<Contact> {
    return this.#c.request('POST /api/v1/conversations/{id}/handback', { params: { id } }, options);
  }
  /** A person's message, sent through the channel on the durable queue (202, status queued). */
  reply(id: string, message: HumanMessageInput, options?: Options): Promise<Message> {
    return this.#c.request(
      'POST /api/v1/conversations/{id}/messages',
      { params: { id }, body: message },
      options,
    );
  }
}

/** The tenant's event log (hand-offs, orders, channel states, opt-outs). */
export class EventsApi {
  readonly #c: SellifyClient;
  constructor(client: SellifyClient) {
    this.#c = client;
  }
  /** Events after a seq, oldest first; pass `nextAfter` as `after` next time. */
  list(query?: EventListQuery, options?: Options): Promise<EventPage> {
    return this.#c.request('GET /api/v1/events', { query }, options);
  }
  /**
   * The Server-Sent Events text of what is in the log after `after`, without following it
   * (`follow=false`). For a live stream, read GET /api/v1/events/stream with your own SSE reader.
   */
  async backlog(query: Omit<EventStreamQuery, 'follow'> = {}, options?: Options): Promise<string> {
    const data = await this.#c.request(
      'GET /api/v1/events/stream',
      { query: { ...query, follow: false } },
      options,
    );
    return typeof data === 'string' ? data : '';
  }
}

/** Outgoing webhooks: endpoints, their deliveries and replays. */
export class WebhooksApi {
  readonly #c: SellifyClient;
  constructor(client: SellifyClient) {
    this.#c = client;
  }
  /** The answer holds the signing secret, shown only this once. */
  create(endpoint: WebhookEndpointCreate, options?: Options): Promise<WebhookEndpoint> {
    return this.#c.request('POST /api/v1/webhook-endpoints', { body: endpoint }, options);
  }
  list(options?: Options): Promise<{ items: WebhookEndpoint[] }> {
    return this.#c.request('GET /api/v1/webhook-endpoints', {}, options);
  }
  get(id: string, options?: Options): Promise<WebhookEndpoint> {
    return this.#c.request('GET /api/v1/webhook-endpoints/{id}', { params: { id } }, options);
  }
  update(id: string, patch: WebhookEndpointUpdate, options?: Options): Promise<WebhookEndpoint> {
    return this.#c.request('PATCH /api/v1/webhook-endpoints/{id}', { params: { id }, body: patch }, options);
  }
  async delete(id: string, options?: Options): Promise<void> {
    await this.#c.request('DELETE /api/v1/webhook-endpoints/{id}', { params: { id } }, options);
  }
  /** One page of deliveries, newest first; `status: 'dead'` lists the dead letters. */
  deliveries(
    id: string,
    query?: WebhookDeliveryListQuery,
    options?: Options,
  ): Promise<Page<WebhookDelivery>> {
    return this.#c.request(
      'GET /api/v1/webhook-endpoints/{id}/deliveries',
      { params: { id }, query },
      options,
    );
  }
  /** Sends a dead (or delivered) delivery again, with a fresh set of retries. */
  replay(deliveryId: string, options?: Options): Promise<WebhookDelivery> {
    return this.#c.request(
      'POST /api/v1/webhook-deliveries/{id}/replay',
      { params: { id: deliveryId } },
      options,
    );
  }
}
