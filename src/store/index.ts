/** Public surface of the store; other folders import from here. */

export { DATA_DIR_MODE, ensureDataDir, secureDataDir } from './data-dir.ts';
export { type OpenDbOptions, openDb } from './db.ts';
export { type IdPrefix, isId, newId } from './ids.ts';
export { checkStoredKeys, KeyMismatchError, storedKeyIds } from './key-check.ts';
export { loadMigrations, MigrationError, runMigrations } from './migrate.ts';
export { DataDirInUseError } from './pglite.ts';
export {
  API_KEY_SCOPES,
  type ApiKey,
  type ApiKeyLookup,
  type ApiKeyScope,
  findApiKeyByHash,
  generateApiKey,
  hashApiKey,
  KeyLimitError,
  type NewApiKey,
} from './repos/api-keys.ts';
export {
  backfillVerifyTokenHashes,
  type Channel,
  type ChannelPatch,
  type ChannelRoute,
  cloudVerifyTokenKnown,
  findChannelByRouteKey,
  findChannelsByRouteKeys,
  type NewChannel,
  VERIFY_TOKEN_SCOPE,
  verifyTokenHash,
} from './repos/channels.ts';
export {
  ConflictError,
  InvalidCursorError,
  isConstraintViolation,
  isDeterministicSqlError,
  type Page,
  type PageOptions,
  ProviderIdTakenError,
  sqlStateOf,
} from './repos/common.ts';
export {
  type Contact,
  type ContactPatch,
  OWNERSHIPS,
  type Ownership,
  type OwnershipChange,
  type UpsertContactResult,
} from './repos/contacts.ts';
export type { ConversationFilter, ConversationRow } from './repos/conversations.ts';
export { type DecisionRecord, type NewDecision, sealLegacyReasons } from './repos/decisions.ts';
export {
  type EventRecord,
  type EventsRepo,
  type NewEvent,
  type PurgeEventsOptions,
  purgeOldEvents,
} from './repos/events.ts';
export type {
  FailedEvent,
  FailedEventPayload,
  FailedEventState,
  NewFailedEvent,
} from './repos/failed-events.ts';
export type { HealthEventRecord, NewHealthEvent } from './repos/health-events.ts';
export {
  type BeginResult,
  type IdempotencyKey,
  type IdempotencyOptions,
  purgeExpiredIdempotencyKeys,
} from './repos/idempotency.ts';
export {
  canMoveStatus,
  type Message,
  type MessageDirection,
  type MessageKind,
  type MessageRef,
  type MessageStatus,
  type NewInboundMessage,
  type NewOutboundMessage,
  type OutboundStatus,
  type StatusUpdate,
} from './repos/messages.ts';
export type {
  ChangeResult,
  NewOrder,
  NewPayment,
  Order,
  OrderChanges,
  OrderFilter,
  OrderItem,
  OrderPayment,
  OrderStatus,
  PaymentResult,
  PlaceOrder,
  PlaceResult,
} from './repos/orders.ts';
export { ORDER_SOURCES, orderCreatedEvent } from './repos/orders.ts';
export {
  DEFAULT_FOLLOWUP_LADDER_MS,
  defaultPlaybook,
  EXPERIMENTS_INFO_KEY,
  type LocalizedText,
  PLAYBOOK_INFO_KEYS,
  type Playbook,
  type PlaybookFields,
  type PlaybookPatch,
  playbookFields,
  STRUCTURED_INFO_KEYS,
} from './repos/playbook.ts';
export type { NewProduct, ProductPatch, ProductRecord } from './repos/products.ts';
export { createTenant, ensureTenant, type Tenant } from './repos/tenants.ts';
export {
  EMAIL_BIDX_SCOPE,
  findInviteByHash,
  findSessionByHash,
  findUserByEmail,
  hashToken,
  type Invite,
  type InviteLookup,
  newToken,
  normalizeEmail,
  type SessionLookup,
  USER_ROLES,
  type User,
  type UserLookup,
  type UserRole,
  type UsersRepo,
} from './repos/users.ts';
export type { DeliveryStatus, WebhookDelivery, WebhookEndpoint } from './repos/webhooks-out.ts';
export { type RotationOptions, type RotationProgress, type RotationResult, rotateKeys } from './rotate.ts';
export { createStore, type Store, type TenantRepos } from './store.ts';
export { APP_ROLE, type Db, type DbKind, type Queryable, type QueryResult } from './types.ts';
