/**
 * The /api/v1 scope: the auth hook and the idempotency hooks first, then every v1 route. Being
 * one encapsulated Fastify context, the hooks guard exactly these routes and nothing else.
 */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { type Authenticator, type AuthState, authPlugin } from '../../plugins/auth.ts';
import { idempotencyPlugin } from '../../plugins/idempotency.ts';
import { advisorRoutes } from './advisor.ts';
import { auditRoutes } from './audit.ts';
import { channelRoutes } from './channels.ts';
import type { RouteContext } from './common.ts';
import { contactRoutes } from './contacts.ts';
import { conversationRoutes } from './conversations.ts';
import { deadLetterRoutes } from './dead-letters.ts';
import { eventRoutes } from './events.ts';
import { failedEventRoutes } from './failed-events.ts';
import { keyRoutes } from './keys.ts';
import { messageRoutes } from './messages.ts';
import { orderRoutes } from './orders.ts';
import { pairingRoutes } from './pairing.ts';
import { playbookRoutes } from './playbook.ts';
import { productRoutes } from './products.ts';
import { statsRoutes } from './stats.ts';
import { userRoutes } from './users.ts';

export const API_V1_PREFIX = '/api/v1';

export interface V1Options {
  ctx: RouteContext;
  authenticator: Authenticator;
  authState: AuthState;
}

export const v1Routes: FastifyPluginAsync<V1Options> = async (scope, options) => {
  const { ctx } = options;
  await scope.register(authPlugin, {
    authenticator: options.authenticator,
    defaultRateLimitPerMinute: ctx.config.rateLimitPerMinute,
    tenantRateLimitPerMinute: ctx.config.tenantRateLimitPerMinute,
    state: options.authState,
  });
  await scope.register(idempotencyPlugin, { store: ctx.store, ttlMs: ctx.config.idempotencyTtlMs });
  const api = scope.withTypeProvider<TypeBoxTypeProvider>();
  advisorRoutes(api, ctx);
  messageRoutes(api, ctx);
  channelRoutes(api, ctx);
  contactRoutes(api, ctx);
  productRoutes(api, ctx);
  playbookRoutes(api, ctx);
  auditRoutes(api, ctx);
  orderRoutes(api, ctx);
  statsRoutes(api, ctx);
  keyRoutes(api, ctx);
  failedEventRoutes(api, ctx);
  deadLetterRoutes(api, ctx);
  conversationRoutes(api, ctx);
  eventRoutes(api, ctx);
  pairingRoutes(api, ctx);
  userRoutes(api, ctx);
};
