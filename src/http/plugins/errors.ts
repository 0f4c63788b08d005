/**
 * One error handler and one not-found handler for the whole app: every error leaves as
 * `application/problem+json` with a code from the catalogue (src/http/errors.ts). Client mistakes
 * the framework detects (bad JSON, wrong media type, schema violations, oversized bodies) map to
 * their 4xx codes; anything unexpected becomes `internal_error` with a generic detail, and the real
 * error is logged with the request id, never sent to the caller.
 */

import type {
  FastifyError,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  FastifySchemaValidationError,
} from 'fastify';
import fp from 'fastify-plugin';
import {
  ApiError,
  ERROR_CATALOGUE,
  type ErrorCode,
  type FieldError,
  PROBLEM_CONTENT_TYPE,
  problemBody,
} from '../errors.ts';
import { REQUEST_ID_HEADER } from './request-id.ts';
import { RouteTable } from './route-table.ts';

/** What the caller will be told about an error. */
export interface ClassifiedError {
  code: ErrorCode;
  detail?: string;
  errors?: FieldError[];
  headers?: Readonly<Record<string, string>>;
}

/** Framework error codes that are the caller's fault, with the catalogue code they map to. */
const FRAMEWORK_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_BAD_URL: 'bad_request',
  FST_ERR_MAX_PARAM_LENGTH: 'uri_too_long',
  FST_ERR_NOT_FOUND: 'route_not_found',
};

/** Status → code for client errors we know nothing else about (thrown by a library with a statusCode). */
const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'body_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited',
  503: 'unavailable',
};

interface ErrorLike {
  code?: unknown;
  statusCode?: unknown;
  validation?: unknown;
  validationContext?: unknown;
  name?: unknown;
}

/**
 * Maps any thrown value to a catalogue code. `beforeBodyParsed` says the request had not finished
 * body parsing when it failed: only then is a bare SyntaxError the caller's bad JSON (a custom
 * content-type parser's), while a SyntaxError from a handler is our bug.
 */
export function classifyError(error: unknown, beforeBodyParsed = false): ClassifiedError {
  if (error instanceof ApiError) {
    const out: ClassifiedError = { code: error.code, detail: error.detail, headers: error.headers };
    if (error.errors !== undefined) out.errors = error.errors;
    return out;
  }
  if (typeof error !== 'object' || error === null) return { code: 'internal_error' };
  const e = error as ErrorLike;
  if (Array.isArray(e.validation)) {
    const context = typeof e.validationContext === 'string' ? e.validationContext : 'body';
    const errors = (e.validation as FastifySchemaValidationError[]).map((v) => toFieldError(context, v));
    const fields = errors.map((f) => f.field).join(', ');
    return {
      code: 'validation_failed',
      detail: `The request does not match the schema (${fields}).`,
      errors,
    };
  }
  if (typeof e.code === 'string') {
    const mapped = FRAMEWORK_CODES[e.code];
    if (mapped !== undefined) return { code: mapped };
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (e.name === 'SyntaxError' && (beforeBodyParsed || status === 400)) return { code: 'invalid_json' };
  if (status !== undefined && status >= 400 && status < 500) {
    return { code: STATUS_CODES[status] ?? 'bad_request' };
  }
  if (status === 503) return { code: 'unavailable' };
  return { code: 'internal_error' };
}

/** `body.channel.createdAt`, `query.limit`, `body.items[0].sku` from an AJV or TypeBox error. */
function toFieldError(context: string, v: FastifySchemaValidationError): FieldError {
  const part = context === 'querystring' ? 'query' : context;
  const segments = (v.instancePath ?? '')
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = v.params ?? {};
  const missing = v.keyword === 'required' ? params.missingProperty : undefined;
  const extra = v.keyword === 'additionalProperties' ? params.additionalProperty : undefined;
  if (typeof missing === 'string') segments.push(missing);
  if (typeof extra === 'string') segments.push(extra);
  let field = part;
  for (const s of segments) field += /^\d+$/.test(s) ? `[${s}]` : `.${s}`;
  let message = v.message ?? 'is invalid';
  if (typeof missing === 'string') message = 'is required';
  if (typeof extra === 'string') message = 'is not allowed';
  return { field, message };
}

/** Writes a problem+json response. Exported for the few places that answer outside the handlers. */
export function sendProblem(
  reply: FastifyReply,
  problem: ClassifiedError,
  requestId: string = reply.request.id,
): FastifyReply {
  const body = problemBody(problem.code, requestId, problem.detail, problem.errors);
  if (problem.headers !== undefined) reply.headers(problem.headers);
  // Sent as a string so a route's response schema for this status can never reshape an error body.
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

function log(req: FastifyRequest, error: unknown, problem: ClassifiedError): void {
  const status = ERROR_CATALOGUE[problem.code].status;
  if (status >= 500) {
    // The request id is bound to req.log (Fastify's requestIdLogLabel): one field, `requestId`.
    req.log.error({ err: error, code: problem.code }, 'request failed');
  } else {
    // The message of a client error may echo the request, so only the code is logged.
    req.log.info({ code: problem.code, status }, 'request refused');
  }
}

/**
 * Pass as Fastify's `frameworkErrors` option: requests Fastify refuses before routing (a URL it
 * cannot decode, an over-long path parameter) then get a problem body and request id like the rest.
 */
export function frameworkErrors(error: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const problem = classifyError(error);
  log(req, error, problem);
  // The hooks that normally add these do not run for a request refused before routing.
  reply.header(REQUEST_ID_HEADER, req.id);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('cache-control', 'no-store');
  sendProblem(reply, problem, req.id);
}

/**
 * Registers the error handler, the not-found handler and the route table behind 405 answers.
 * Register it before any route so the table sees them all.
 */
const errorsImpl: FastifyPluginAsync = async (app) => {
  const routes = new RouteTable();
  const parsed = new WeakSet<FastifyRequest>();

  app.addHook('onRoute', (route) => {
    routes.add(route.method, route.url);
  });
  // Marks requests whose body parsed; an error before this point may be the body parser's.
  app.addHook('preValidation', async (req) => {
    parsed.add(req);
  });

  app.setErrorHandler((error, req, reply) => {
    const problem = classifyError(error, !parsed.has(req));
    log(req, error, problem);
    return sendProblem(reply, problem);
  });

  app.setNotFoundHandler((req, reply) => {
    const methods = routes.methodsFor(req.url);
    // OPTIONS and HEAD routes are added for every path by CORS and Fastify, so they alone do not
    // mean the path exists.
    if (methods.some((m) => m !== 'OPTIONS' && m !== 'HEAD')) {
      const problem: ClassifiedError = {
        code: 'method_not_allowed',
        detail: `${req.method} is not allowed here; use ${methods.join(', ')}.`,
        headers: { allow: methods.join(', ') },
      };
      log(req, undefined, problem);
      return sendProblem(reply, problem);
    }
    const problem: ClassifiedError = {
      code: 'route_not_found',
      detail: `No endpoint at ${req.method} ${pathOf(req.url)}.`,
    };
    log(req, undefined, problem);
    return sendProblem(reply, problem);
  });
};

export const errorsPlugin = fp(errorsImpl, { name: 'sellify-errors', fastify: '5.x' });

/** The path without its query string, cut to a length safe to echo. */
function pathOf(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}
