/**
 * The one error catalogue of the HTTP API. Every error a caller can see has a stable `code` from
 * this closed set, one HTTP status per code, and one body shape (`application/problem+json`,
 * RFC 9457). docs/errors.md documents every code; test/http/errors-doc.test.ts keeps the two in step.
 */

import { type Static, Type } from '@sinclair/typebox';

export const ERROR_CATALOGUE = {
  bad_request: {
    status: 400,
    title: 'Bad request',
    description:
      'The request is malformed (bad URL encoding, a body shorter or longer than its Content-Length).',
  },
  validation_failed: {
    status: 400,
    title: 'Validation failed',
    description: 'The request does not match the schema of this endpoint; `errors` names each field.',
  },
  invalid_json: {
    status: 400,
    title: 'Invalid JSON',
    description: 'The body is empty or is not valid JSON although the Content-Type says it is.',
  },
  payload_invalid: {
    status: 400,
    title: 'Invalid webhook payload',
    description: 'The webhook body is well-formed JSON but not a payload this transport sends.',
  },
  unauthorized: {
    status: 401,
    title: 'Unauthorized',
    description: 'A valid API key is required: send it in the X-API-Key header or as a Bearer token.',
  },
  invalid_signature: {
    status: 401,
    title: 'Invalid signature',
    description: 'The webhook signature or secret token is missing or does not match the body.',
  },
  forbidden: {
    status: 403,
    title: 'Forbidden',
    description: 'The API key is valid but lacks the scope this operation needs.',
  },
  not_found: {
    status: 404,
    title: 'Not found',
    description: 'The resource does not exist or does not belong to your tenant.',
  },
  route_not_found: {
    status: 404,
    title: 'Route not found',
    description: 'No endpoint exists at this path.',
  },
  method_not_allowed: {
    status: 405,
    title: 'Method not allowed',
    description:
      'The path exists but does not accept this HTTP method; the Allow header lists those it accepts.',
  },
  conflict: {
    status: 409,
    title: 'Conflict',
    description: 'The request conflicts with the current state of the resource (for example a duplicate).',
  },
  idempotency_in_flight: {
    status: 409,
    title: 'Idempotent request in progress',
    description: 'A request with the same Idempotency-Key is still being processed.',
  },
  idempotency_secret_withheld: {
    status: 409,
    title: 'Idempotent replay withheld',
    description:
      'The first request with this Idempotency-Key succeeded, but its response held a secret shown only once, which is never stored or replayed.',
  },
  key_limit_reached: {
    status: 409,
    title: 'Too many API keys',
    description: 'The tenant already has as many active API keys as the platform allows; revoke one first.',
  },
  number_unavailable: {
    status: 409,
    title: 'Number unavailable',
    description:
      'This WhatsApp phone number id cannot be registered on this server; the operator can release it (`sellify channels release`).',
  },
  channel_paused: {
    status: 409,
    title: 'Channel paused',
    description: 'The channel is paused (health protection or by the seller) and cannot send now.',
  },
  contact_opted_out: {
    status: 409,
    title: 'Contact opted out',
    description: 'The customer opted out (STOP): nothing may be sent to them until they opt back in.',
  },
  body_too_large: {
    status: 413,
    title: 'Body too large',
    description: 'The request body is larger than this endpoint accepts.',
  },
  uri_too_long: {
    status: 414,
    title: 'URI too long',
    description: 'A path parameter is longer than the server accepts.',
  },
  unsupported_media_type: {
    status: 415,
    title: 'Unsupported media type',
    description: 'The Content-Type of the body is not one this endpoint accepts (usually application/json).',
  },
  idempotency_mismatch: {
    status: 422,
    title: 'Idempotency key reused',
    description: 'The Idempotency-Key was already used with a different request body or endpoint.',
  },
  unprocessable: {
    status: 422,
    title: 'Unprocessable request',
    description: 'The request is well-formed but cannot be carried out as asked.',
  },
  service_window_closed: {
    status: 422,
    title: 'Customer service window closed',
    description:
      'The Cloud API allows free-form messages only within 24 hours of the customer’s last message; after that only an approved template may be sent.',
  },
  rate_limited: {
    status: 429,
    title: 'Rate limited',
    description: 'Too many requests for this API key or client; wait for Retry-After seconds.',
  },
  auth_rate_limited: {
    status: 429,
    title: 'Too many failed authentications',
    description: 'Too many requests with a bad API key came from this address; wait for Retry-After seconds.',
  },
  internal_error: {
    status: 500,
    title: 'Internal error',
    description: 'An unexpected error on the server. It has been logged with the request id.',
  },
  pairing_unsupported: {
    status: 422,
    title: 'Pairing unsupported',
    description:
      'Only Evolution and WAHA channels with stored credentials connect by QR code or pairing code.',
  },
  pairing_not_ready: {
    status: 409,
    title: 'Pairing not ready',
    description:
      'The gateway shows no QR code or pairing code now (not started, still starting, already connected, or failed); `detail` says which.',
  },
  gateway_error: {
    status: 502,
    title: 'Gateway error',
    description:
      "The channel's gateway (Evolution, WAHA) refused the request, failed or did not answer; `detail` says what it answered.",
  },
  unavailable: {
    status: 503,
    title: 'Service unavailable',
    description: 'A dependency (database, queue) is unavailable or the server is shutting down; retry later.',
  },
  invalid_credentials: {
    status: 401,
    title: 'Invalid credentials',
    description: 'The email or password is wrong (the answer never says which).',
  },
  csrf_failed: {
    status: 403,
    title: 'CSRF check failed',
    description:
      'A state-changing request made with the session cookie lacks the X-CSRF-Token header or carries a wrong one.',
  },
  invite_invalid: {
    status: 410,
    title: 'Invite link invalid',
    description: 'The invite link is unknown, already used or expired.',
  },
  login_rate_limited: {
    status: 429,
    title: 'Too many sign-in attempts',
    description:
      'Too many failed sign-ins for this account or from this address; wait for Retry-After seconds.',
  },
  out_of_stock: {
    status: 409,
    title: 'Out of stock',
    description: 'Confirming the order needs more stock than some products have; nothing was changed.',
  },
  order_transition_invalid: {
    status: 409,
    title: 'Order change not allowed',
    description:
      'The order cannot move to that status from where it is (for example a cancelled order is final).',
  },
} as const satisfies Record<string, { status: number; title: string; description: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Every code, in catalogue order (the docs test walks this list). */
export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';
export const PROBLEM_TYPE_BASE = 'https://sellify.dev/errors/';

export interface FieldError {
  /** Where the problem is, as `<part>.<path>`: `body.channel.createdAt`, `query.limit`, `body.items[0].sku`. */
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  requestId: string;
  errors?: FieldError[];
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOGUE, value);
}

/**
 * An expected refusal, thrown by routes and hooks and turned into a problem+json response by
 * errorsPlugin. `detail` is sent to the caller as is, so it must never carry secrets or say which
 * part of a credential was wrong. `headers` are set on the response (Retry-After, Allow).
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string;
  readonly errors: FieldError[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ErrorCode,
    detail?: string,
    extra?: { errors?: FieldError[]; headers?: Record<string, string> },
  ) {
    const entry = ERROR_CATALOGUE[code];
    super(detail ?? entry.title);
    this.name = 'ApiError';
    this.code = code;
    this.status = entry.status;
    this.detail = detail ?? entry.description;
    this.errors = extra?.errors;
    this.headers = extra?.headers ?? {};
  }

  /** Fastify's own error handler and logger read `statusCode`; keeping it makes ApiError safe there too. */
  get statusCode(): number {
    return this.status;
  }
}

/** The response body for `code`; `detail` defaults to the catalogue description. */
export function problemBody(
  code: ErrorCode,
  requestId: string,
  detail?: string,
  errors?: FieldError[],
): Problem {
  const entry = ERROR_CATALOGUE[code];
  const body: Problem = {
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title: entry.title,
    status: entry.status,
    code,
    detail: detail ?? entry.description,
    requestId,
  };
  if (errors !== undefined && errors.length > 0) body.errors = errors;
  return body;
}

/** TypeBox schema of the problem body, for route response schemas and the OpenAPI document. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ format: 'uri', examples: ['https://sellify.dev/errors/validation_failed'] }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    // One enum rather than a union of literals: it reads better in the OpenAPI document.
    code: Type.Unsafe<ErrorCode>({ type: 'string', enum: ERROR_CODES }),
    detail: Type.String(),
    requestId: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { title: 'Problem', description: 'RFC 9457 problem details with a stable Sellify error code.' },
);
export type ProblemBody = Static<typeof ProblemSchema>;

/** One documented error response: a description and the problem body under its own media type. */
export interface ProblemResponseSchema {
  description: string;
  content: { 'application/problem+json': { schema: typeof ProblemSchema } };
}

/**
 * Response-schema entries documenting the given error codes, grouped by status, for a route's
 * `schema.response`: `{ 200: Ok, ...problemResponses('unauthorized', 'rate_limited') }`.
 * Error bodies are sent pre-serialized by errorsPlugin, so these entries only document.
 */
export function problemResponses(...codes: ErrorCode[]): Record<number, ProblemResponseSchema> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_CATALOGUE[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Record<number, ProblemResponseSchema> = {};
  for (const [status, list] of byStatus) {
    out[status] = {
      description: list.map((c) => `\`${c}\`: ${ERROR_CATALOGUE[c].title}`).join('; '),
      content: { 'application/problem+json': { schema: ProblemSchema } },
    };
  }
  return out;
}
