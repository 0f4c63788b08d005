/**
 * @sellify/client: the Sellify API from Node ≥ 20 and browsers, with typed methods, retries that
 * never duplicate a side effect, timeouts and typed errors. See client/README.md.
 */

export {
  ChannelsApi,
  ContactsApi,
  ConversationsApi,
  DeadLettersApi,
  DecisionsApi,
  EventsApi,
  FailedEventsApi,
  KeysApi,
  OrdersApi,
  PlaybookApi,
  ProductsApi,
  type RequestInput,
  SellifyClient,
  type SellifyClientOptions,
  TenantsApi,
  UsersApi,
  WebhooksApi,
} from './client.ts';
export {
  type ErrorCode,
  type FieldError,
  SellifyError,
  SellifyNetworkError,
  SellifyTimeoutError,
} from './errors.ts';
export { OPERATION_KEYS } from './generated.ts';
export {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
} from './retry.ts';
export {
  type FetchLike,
  type HttpResponse,
  newIdempotencyKey,
  type RequestOptions,
  type RetryEvent,
  type SleepLike,
} from './transport.ts';
export type * from './types.ts';
