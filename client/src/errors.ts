/**
 * What a failed call throws. The API answers every error with an RFC 9457 problem body carrying a
 * stable `code` (docs/errors.md); `SellifyError` exposes it as typed fields. Failures where no
 * answer arrived at all are `SellifyNetworkError`, and its subclass `SellifyTimeoutError` when the
 * per-request timeout ran out. A call cancelled through the caller's own AbortSignal rejects with
 * that signal's reason (an `AbortError`), as `fetch` does.
 */

import type { Problem } from './generated.ts';

/** A stable error code of the API (docs/errors.md), or `http_error` for an answer that was not a problem body. */
export type ErrorCode = Problem['code'] | 'http_error';

/** One field that failed validation: `body.price`, `query.limit`, `body.channel.createdAt`. */
export interface FieldError {
  field: string;
  message: string;
}

export interface SellifyErrorInit {
  status: number;
  code: string;
  title: string;
  detail: string;
  requestId: string | undefined;
  errors?: FieldError[];
  retryAfterMs?: number;
  type?: string;
  method: string;
  url: string;
}

/** The API answered with an error status (4xx or 5xx). */
export class SellifyError extends Error {
  override readonly name = 'SellifyError';
  /** HTTP status. */
  readonly status: number;
  /**
   * The API's stable code (`not_found`, `validation_failed`, `rate_limited`…). A code this client
   * version does not know is passed through as is, hence the open string type.
   */
  readonly code: ErrorCode | (string & Record<never, never>);
  readonly title: string;
  readonly detail: string;
  /** The server's request id (body, else the X-Request-Id header): quote it when reporting a problem. */
  readonly requestId: string | undefined;
  /** Field errors of a `validation_failed` answer; empty otherwise. */
  readonly errors: FieldError[];
  /** How long the server asked to wait (Retry-After), in milliseconds, when it said. */
  readonly retryAfterMs: number | undefined;
  /** The problem type URI (`https://sellify.dev/errors/<code>`). */
  readonly type: string | undefined;
  readonly method: string;
  readonly url: string;

  constructor(init: SellifyErrorInit) {
    super(`${init.status} ${init.code}: ${init.detail}`);
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.requestId = init.requestId;
    this.errors = init.errors ?? [];
    this.retryAfterMs = init.retryAfterMs;
    this.type = init.type;
    this.method = init.method;
    this.url = init.url;
  }
}

/** No answer arrived: connection refused or reset, DNS failure, TLS error, CORS refusal… */
export class SellifyNetworkError extends Error {
  override readonly name: string = 'SellifyNetworkError';
  readonly method: string;
  readonly url: string;

  constructor(message: string, init: { method: string; url: string; cause?: unknown }) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.method = init.method;
    this.url = init.url;
  }
}

/** No answer arrived within the per-request timeout (`timeoutMs`). */
export class SellifyTimeoutError extends SellifyNetworkError {
  override readonly name: string = 'SellifyTimeoutError';
  /** The timeout of each attempt, in milliseconds. */
  readonly timeoutMs: number;

  constructor(init: { method: string; url: string; timeoutMs: number; cause?: unknown }) {
    super(`${init.method} ${init.url}: no answer within ${init.timeoutMs} ms`, init);
    this.timeoutMs = init.timeoutMs;
  }
}
