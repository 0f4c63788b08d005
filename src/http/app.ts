/**
 * The Fastify app: platform plugins, the operational routes and the /api/v1 routes, built from
 * its dependencies and never listening (src/server.ts listens; tests use `inject`). Everything it
 * needs arrives in `deps`, so tests pass an in-memory PGlite store, a fixed clock and a fresh
 * limiter, and production passes what config.ts describes.
 */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type ValueError, ValueErrorType } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { type FastifyBaseLogger, type FastifySchemaValidationError, fastify, LogController } from 'fastify';
import type { Config, LogLevel } from '../config.ts';
import { DEFAULT_TENANT_ID } from '../config.ts';
import { createLlmClient, type LlmClient } from '../llm/client.ts';
import { createLlmMetrics, type LlmMetrics } from '../llm/metrics.ts';
import { type Logger, pathOnly, REQUEST_ID_LOG_FIELD } from '../log.ts';
import type { Queue } from '../queue/index.ts';
import type { RateLimiter } from '../ratelimit/types.ts';
import type { Store } from '../store/index.ts';
import type { EgressPolicy } from '../whatsapp/index.ts';
import { type AuthState, createAuthenticator } from './plugins/auth.ts';
import { bodyDepthPlugin } from './plugins/body-depth.ts';
import { errorsPlugin, frameworkErrors } from './plugins/errors.ts';
import { type AppMetrics, metricsPlugin } from './plugins/metrics.ts';
import { openapiPlugin } from './plugins/openapi.ts';
import { rateLimitPlugin } from './plugins/rate-limit.ts';
import { genReqId, requestIdPlugin } from './plugins/request-id.ts';
import { securityPlugin } from './plugins/security.ts';
import { opsRoutes } from './routes/ops.ts';
import { sessionRoutes } from './routes/session.ts';
import type { Api } from './routes/v1/common.ts';
import { API_V1_PREFIX, v1Routes } from './routes/v1/index.ts';
import { loadWebFiles, webRoot, webRoutes } from './routes/web.ts';
import { ChannelCache, type WebhookDeps, webhookRoutes } from './routes/webhooks.ts';

export type AppConfig = Pick<
  Config,
  | 'rateLimitPerMinute'
  | 'tenantRateLimitPerMinute'
  | 'maxKeysPerTenant'
  | 'idempotencyTtlMs'
  | 'apiKey'
  | 'metricsToken'
  | 'corsOrigins'
  | 'apiBodyLimitBytes'
  | 'trustProxy'
  | 'allowPrivateGateways'
  | 'webhookRateLimitPerMinute'
  | 'webhookVerifyRateLimitPerMinute'
  | 'sandbox'
  | 'llm'
  | 'publicUrl'
>;

export interface AppDeps {
  config: AppConfig;
  store: Store;
  /** Per-key request counters (memory, or Redis when REDIS_URL is set). */
  limiter: RateLimiter;
  /** Failed-authentication counters per IP. Default: `limiter`. */
  authFailureLimiter?: RateLimiter;
  /** Epoch ms. Default Date.now. */
  clock?: () => number;
  /**
   * The process logger (src/log.ts); the app logs through a child with `component: http`. Default:
   * no logging.
   */
  logger?: Logger;
  /** The platform operator's tenant. Default `ten_default`. */
  defaultTenantId?: string;
  /** Node process metrics in /metrics. Default true. */
  collectDefaultMetrics?: boolean;
  /** The process's metric set, shared with the worker. Default: a fresh one. */
  metrics?: AppMetrics;
  /** Version in the OpenAPI document. Default package.json's. */
  version?: string;
  /** Resolves gateway host names when a channel's baseUrl is checked; injected by tests. Default: the system resolver. */
  resolveHost?: EgressPolicy['resolve'];
  /** The job queue: messages a person sends through the API are enqueued on it. Default: none (503). */
  queue?: Queue;
  /** SELLIFY_PACING_SCALE, for the pair-limit spacing of those messages. Default 1. */
  pacingScale?: number;
  /** The WhatsApp webhook routes (/webhooks/*), when the pipelines run. Default: not mounted. */
  webhooks?: Pick<WebhookDeps, 'processEvents' | 'cloudDefaults' | 'onMissedAck' | 'slowAckMs'>;
  /** The language model shared with the pipelines (one client, one budget). Default: made from config.llm. */
  llm?: { client: LlmClient; metrics?: LlmMetrics };
  /** The session cookie gets `Secure` (NODE_ENV=production). Default false. */
  secureCookies?: boolean;
  /** Serve the dashboard (src/web) at `/`. Default true. */
  dashboard?: boolean;
}

/**
 * Read-only requests (GET, HEAD: health probes, metrics scrapes, clients polling for messages,
 * the docs) are logged at debug, not info: an operator's info log is about what changed and what
 * failed, not about a probe every 10 s. Their failures are still logged (error level).
 */
function quietLevelFor(rootLevel: string | undefined): LogLevel {
  return rootLevel === 'debug' || rootLevel === 'trace' ? rootLevel : 'warn';
}

/** Trusts the `hops` proxies nearest to the server: the address the farthest of them saw is the client. */
function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}

/** At most this many field errors are reported for one request (the first ones found). */
const MAX_FIELD_ERRORS = 10;

/** TypeBox errors in the shape errorsPlugin reads from AJV: missing and unexpected properties named. */
function toValidationErrors(errors: Iterable<ValueError>): FastifySchemaValidationError[] {
  const out: FastifySchemaValidationError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (seen.has(e.path)) continue;
    seen.add(e.path);
    const cut = e.path.lastIndexOf('/');
    const parent = e.path.slice(0, Math.max(0, cut));
    const property = e.path
      .slice(cut + 1)
      .replace(/~1/g, '/')
      .replace(/~0/g, '~');
    if (e.type === ValueErrorType.ObjectRequiredProperty) {
      out.push({
        keyword: 'required',
        instancePath: parent,
        schemaPath: '',
        params: { missingProperty: property },
        message: 'is required',
      });
    } else if (e.type === ValueErrorType.ObjectAdditionalProperties) {
      out.push({
        keyword: 'additionalProperties',
        instancePath: parent,
        schemaPath: '',
        params: { additionalProperty: property },
        message: 'is not allowed',
      });
    } else {
      out.push({ keyword: 'type', instancePath: e.path, schemaPath: '', params: {}, message: e.message });
    }
    if (out.length >= MAX_FIELD_ERRORS) break;
  }
  return out;
}

/**
 * Validates with TypeBox's compiler instead of Fastify's default AJV set-up, which silently
 * removes unknown properties (removeAdditional) and coerces body types ("5" → 5). Here an unknown
 * field is a 400 naming it, a body is never coerced, and only the query string and path
 * parameters (always strings on the wire) are converted to the schema's types.
 */
function validatorCompiler({ schema, httpPart }: { schema: unknown; httpPart?: string }) {
  const typeSchema = schema as TSchema;
  const check = TypeCompiler.Compile(typeSchema);
  return (value: unknown) => {
    const input = httpPart === 'body' ? value : Value.Convert(typeSchema, value);
    if (check.Check(input)) return { value: input };
    return { error: toValidationErrors(check.Errors(input)) };
  };
}

export async function buildApp(deps: AppDeps): Promise<Api> {
  const { config, store } = deps;
  const clock = deps.clock ?? Date.now;
  const defaultTenantId = deps.defaultTenantId ?? DEFAULT_TENANT_ID;

  const egress: EgressPolicy = {
    allowPrivate: config.allowPrivateGateways,
    ...(deps.resolveHost !== undefined ? { resolve: deps.resolveHost } : {}),
  };

  const logger = deps.logger?.child({ component: 'http' });
  const app = fastify({
    // Typed as Fastify's base logger so the app keeps the instance type every route module uses.
    ...(logger !== undefined ? { loggerInstance: logger as FastifyBaseLogger } : {}),
    // One request id field in every line, named as in error bodies.
    logController: new LogController({ requestIdLogLabel: REQUEST_ID_LOG_FIELD }),
    genReqId,
    frameworkErrors,
    bodyLimit: config.apiBodyLimitBytes,
    // A hop count trusts that many proxies nearest to us (proxy-addr's own rule for a number).
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
    // Keep-alive sockets idle at shutdown are closed at once; busy ones finish their request.
    forceCloseConnections: 'idle',
    // Fastify logs "incoming request" / "request completed" itself, with src/log.ts's serializers.
  }).withTypeProvider<TypeBoxTypeProvider>();
  const quietLevel = quietLevelFor(logger?.level);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (route.logLevel === undefined && methods.every((m) => m === 'GET' || m === 'HEAD'))
      route.logLevel = quietLevel;
  });
  app.setValidatorCompiler(validatorCompiler);

  const authenticator = createAuthenticator({
    db: store.db,
    store,
    defaultTenantId,
    clock,
    ...(config.apiKey !== undefined ? { envApiKey: config.apiKey } : {}),
  });
  const authState: AuthState = { routes: [] };
  app.decorate('auth', authState);

  await app.register(errorsPlugin); // first: its route table must see every route
  await app.register(requestIdPlugin);
  await app.register(bodyDepthPlugin);
  await app.register(securityPlugin, { corsOrigins: config.corsOrigins });
  await app.register(rateLimitPlugin, {
    limiter: deps.limiter,
    // Webhooks are unauthenticated until their signature is checked: each client address gets a
    // budget before any body is read (the handshake a small one: Meta sends it only on set-up).
    keyFor: (req) => {
      const path = pathOnly(req.url);
      if (!path.startsWith('/webhooks/')) return null;
      return req.method === 'GET' || req.method === 'HEAD'
        ? { key: `webhook-verify:${req.ip}`, limit: config.webhookVerifyRateLimitPerMinute }
        : { key: `webhook:${req.ip}`, limit: config.webhookRateLimitPerMinute };
    },
    ...(deps.authFailureLimiter !== undefined ? { authFailureLimiter: deps.authFailureLimiter } : {}),
  });
  await app.register(metricsPlugin, {
    collectDefaultMetrics: deps.collectDefaultMetrics ?? true,
    ...(deps.metrics !== undefined ? { metrics: deps.metrics } : {}),
  });
  await app.register(openapiPlugin, deps.version !== undefined ? { version: deps.version } : {}); // before the routes

  opsRoutes(app, {
    db: store.db,
    authenticator,
    ...(config.metricsToken !== undefined ? { metricsToken: config.metricsToken } : {}),
  });
  const webhooks = deps.webhooks;
  // Channels' routes and secrets, cached for the webhooks; the channel routes invalidate them.
  const channelCache = new ChannelCache();
  if (webhooks !== undefined) {
    // Its own plugin scope: raw bodies (signatures cover the exact bytes) and a 3 MB limit stay here.
    await app.register(async (scope) =>
      webhookRoutes(scope as Api, { ...webhooks, store, clock, channelCache }),
    );
  }
  // The optional language model (OPENAI_API_KEY): advisor decisions ask it when the seller enabled it.
  const llmMetrics =
    deps.llm !== undefined
      ? deps.llm.metrics
      : config.llm !== undefined
        ? createLlmMetrics(app.metrics.registry)
        : undefined;
  const llm =
    deps.llm?.client ??
    (config.llm !== undefined ? createLlmClient(config.llm, { metrics: llmMetrics }) : undefined);
  // The dashboard: its sign-in routes and its files (issue 16).
  sessionRoutes(app, { store, clock, secureCookies: deps.secureCookies ?? false });
  const web = deps.dashboard === false ? undefined : webRoot();
  if (web !== undefined) webRoutes(app, loadWebFiles(web));
  await app.register(v1Routes, {
    prefix: API_V1_PREFIX,
    ctx: {
      store,
      clock,
      config,
      defaultTenantId,
      egress,
      ...(llm !== undefined ? { llm } : {}),
      ...(llmMetrics !== undefined ? { llmMetrics } : {}),
      onChannelChanged: (channelId) => channelCache.invalidate(channelId),
      ...(webhooks !== undefined ? { processEvents: webhooks.processEvents } : {}),
      ...(deps.queue !== undefined ? { queue: deps.queue } : {}),
      ...(deps.pacingScale !== undefined ? { pacingScale: deps.pacingScale } : {}),
    },
    authenticator,
    authState,
  });

  await app.ready();
  return app;
}
