/**
 * Friendly names over the generated operation types. Every alias points into `Operations`
 * (client/src/generated.ts, generated from the server's OpenAPI document), so a change to a
 * route's schema changes these types, and a removed or renamed route fails the type check here.
 */

import type { Operations } from './generated.ts';

export type {
  ApiKey,
  Channel,
  ChannelHealth,
  Contact,
  ContentVerdict,
  Conversation,
  CreatedApiKey,
  Decision,
  DecisionRecord,
  DecisionRequest,
  Message,
  Operations,
  Order,
  OrderItem,
  OrderPayment,
  Playbook,
  Problem,
  Product,
  Reason,
  RecordedMessage,
  RecordMessage,
  Stats,
  Tenant,
  ThreadMessage,
  WebhookDelivery,
  WebhookEndpoint,
} from './generated.ts';

/** `METHOD path` of every operation: `'POST /api/v1/products'`. */
export type OperationKey = keyof Operations;
/** Path parameters of an operation. */
export type ParamsOf<K extends OperationKey> = Operations[K]['params'];
/** Query parameters of an operation. */
export type QueryOf<K extends OperationKey> = Operations[K]['query'];
/** JSON body of an operation (`never` when it takes none). */
export type BodyOf<K extends OperationKey> = Operations[K]['body'];
/** The body of any success answer of an operation. */
export type ResponseOf<K extends OperationKey> = Operations[K]['responses'][keyof Operations[K]['responses']];

/** One page of a list: pass `nextCursor` as `cursor` for the next one; null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** `limit` (1–200, default 50) and `cursor`. */
export type PageQuery = QueryOf<'GET /api/v1/products'>;

/** The decision context of POST /api/v1/decision (docs/API.md): stored parts may be left out. */
export type DecisionContext = BodyOf<'POST /api/v1/decision'>;
export type ValidateTextInput = BodyOf<'POST /api/v1/validate'>;
export type RecordMessageInput = BodyOf<'POST /api/v1/messages'>;
/** What recordMessage resolves with: the stored message and contact, and whether this call created it. */
export type RecordMessageResult = ResponseOf<'POST /api/v1/messages'> & {
  /** true on 201 (recorded now); false on 200 (this providerId was already recorded: nothing changed). */
  created: boolean;
};

export type ChannelCreate = BodyOf<'POST /api/v1/channels'>;
export type ChannelUpdate = BodyOf<'PATCH /api/v1/channels/{id}'>;
export type ContactListQuery = QueryOf<'GET /api/v1/contacts'>;
export type ContactUpdate = BodyOf<'PATCH /api/v1/contacts/{id}'>;
export type ProductCreate = BodyOf<'POST /api/v1/products'>;
export type ProductUpdate = BodyOf<'PATCH /api/v1/products/{id}'>;
export type PlaybookInput = BodyOf<'PUT /api/v1/playbook'>;
export type DecisionListQuery = QueryOf<'GET /api/v1/decisions'>;
export type OrderListQuery = QueryOf<'GET /api/v1/orders'>;
export type StatsQuery = QueryOf<'GET /api/v1/stats'>;
export type OrderCsvQuery = QueryOf<'GET /api/v1/orders.csv'>;
export type OrderCreate = BodyOf<'POST /api/v1/orders'>;
export type OrderUpdate = BodyOf<'PATCH /api/v1/orders/{id}'>;
export type OrderPaymentInput = BodyOf<'POST /api/v1/orders/{id}/payments'>;
export type FailedEventListQuery = QueryOf<'GET /api/v1/failed-events'>;
export type DeadLetterListQuery = QueryOf<'GET /api/v1/dead-letters'>;
export type KeyCreate = BodyOf<'POST /api/v1/keys'>;
export type KeyListQuery = QueryOf<'GET /api/v1/keys'>;
export type KeyRevokeQuery = QueryOf<'DELETE /api/v1/keys/{id}'>;
export type TenantCreate = BodyOf<'POST /api/v1/tenants'>;
export type ConversationListQuery = QueryOf<'GET /api/v1/conversations'>;
export type TakeOverInput = BodyOf<'POST /api/v1/conversations/{id}/takeover'>;
export type HumanMessageInput = BodyOf<'POST /api/v1/conversations/{id}/messages'>;
export type EventListQuery = QueryOf<'GET /api/v1/events'>;
export type EventPage = ResponseOf<'GET /api/v1/events'>;
export type EventStreamQuery = QueryOf<'GET /api/v1/events/stream'>;
export type WebhookEndpointCreate = BodyOf<'POST /api/v1/webhook-endpoints'>;
export type WebhookEndpointUpdate = BodyOf<'PATCH /api/v1/webhook-endpoints/{id}'>;
export type WebhookDeliveryListQuery = QueryOf<'GET /api/v1/webhook-endpoints/{id}/deliveries'>;
