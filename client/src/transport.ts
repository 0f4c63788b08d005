/**
 * One HTTP call with its retries. Only web-platform APIs are used (fetch, AbortSignal, Headers,
 * crypto.randomUUID), so the same code runs in Node ≥ 20 and in browsers.
 *
 * - Every attempt has its own timeout (`AbortSignal.timeout`) and also stops when the caller's
 *   signal aborts; a caller abort is never retried.
 * - A POST with side effects carries an `Idempotency-Key` made once per logical call and sent
 *   unchanged on every retry: the server runs the request at most once and replays its answer.
 * - 429, 5xx (not 501), 409 `idempotency_in_flight`, network errors and timeouts are retried with
 *   exponential backoff and jitter, or after exactly the server's `Retry-After`.
 */

import { SellifyError, SellifyNetworkError, SellifyTimeoutError } from './errors.ts';
import { backoffDelayMs, isRetryableStatus, parseRetryAfter, type RetryPolicy } from './retry.ts';

/** The part of `fetch` the client uses: inject one for tests, proxies or instrumentation. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Waits `ms`, or rejects with `signal.reason` as soon as the signal aborts. */
export type SleepLike = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface RetryEvent {
  method: string;
  url: string;
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  error: SellifyError | SellifyNetworkError;
}

export interface TransportConfig {
  baseUrl: string;
  apiKey: string | undefined;
  fetch: FetchLike;
  sleep: SleepLike;
  /** A draw in [0, 1) for the backoff jitter. */
  random: () => number;
  /** Epoch ms, to read a Retry-After date. */
  now: () => number;
  timeoutMs: number;
  retry: RetryPolicy;
  headers: Record<string, string>;
  onRetry: ((event: RetryEvent) => void) | undefined;
}

/** Per-call options, accepted as the last argument of every client method. */
export interface RequestOptions {
  /** Cancels the call (all attempts and the waits between them). */
  signal?: AbortSignal;
  /** Timeout of each attempt, in milliseconds; default the client's (10 s). */
  timeoutMs?: number;
  /** Retries for this call; default the client's (3). */
  maxRetries?: number;
  /**
   * The Idempotency-Key of a POST with side effects. Default: a random UUID made once for this
   * call. Pass your own (derived from your message id, say) to stay safe across process restarts.
   */
  idempotencyKey?: string;
  /** Sent as X-Request-Id, to find this call in the server's logs. */
  requestId?: string;
  /** More headers for this call. */
  headers?: Record<string, string>;
}

export type QueryValue = string | number | boolean | null | undefined;

export interface HttpRequest {
  method: string;
  /** Path below the base URL, already filled in: `/api/v1/products/prd_…`. */
  path: string;
  query?: Record<string, QueryValue> | undefined;
  body?: unknown;
  /** Send an Idempotency-Key (POST with side effects). */
  idempotent: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, the text of a non-JSON answer, or undefined for an empty one (204). */
  data: unknown;
}

export const sleep: SleepLike = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** A random UUID; falls back to getRandomValues where randomUUID is missing (plain-HTTP pages). */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function buildUrl(baseUrl: string, path: string, query?: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null) params.append(name, String(value));
  }
  const qs = params.toString();
  return `${baseUrl.replace(/\/+$/, '')}${path}${qs === '' ? '' : `?${qs}`}`;
}

/** One signal that aborts when any of `signals` does; `dispose` detaches it from them. */
function anySignal(signals: (AbortSignal | undefined)[]): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const attached: { signal: AbortSignal; onAbort: () => void }[] = [];
  for (const signal of signals) {
    if (signal === undefined) continue;
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    attached.push({ signal, onAbort });
  }
  return {
    signal: controller.signal,
    dispose: () => {
      for (const { signal, onAbort } of attached) signal.removeEventListener('abort', onAbort);
    },
  };
}

/** "fetch failed (ECONNREFUSED)": Node's fetch hides the useful part in `cause`. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause: unknown = err.cause;
  if (!(cause instanceof Error)) return err.message;
  const code = (cause as { code?: unknown }).code;
  return `${err.message} (${typeof code === 'string' ? code : cause.message})`;
}

function isJson(contentType: string | null): boolean {
  return contentType !== null && /^application\/([\w.+-]+\+)?json\b/i.test(contentType);
}

interface ProblemLike {
  code?: unknown;
  title?: unknown;
  detail?: unknown;
  requestId?: unknown;
  errors?: unknown;
  type?: unknown;
}

function fieldErrors(value: unknown): { field: string; message: string }[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value
    .filter((e): e is { field: unknown; message: unknown } => typeof e === 'object' && e !== null)
    .map((e) => ({ field: String(e.field), message: String(e.message) }));
}

function toError(res: HttpResponse, method: string, url: string, nowMs: number): SellifyError {
  const p: ProblemLike = typeof res.data === 'object' && res.data !== null ? (res.data as ProblemLike) : {};
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const text = typeof res.data === 'string' ? res.data.slice(0, 500) : undefined;
  const errors = fieldErrors(p.errors);
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), nowMs);
  return new SellifyError({
    status: res.status,
    code: str(p.code) ?? 'http_error',
    title: str(p.title) ?? `HTTP ${res.status}`,
    detail: str(p.detail) ?? (text || `The server answered ${res.status}.`),
    requestId: str(p.requestId) ?? res.headers.get('x-request-id') ?? undefined,
    ...(errors !== undefined ? { errors } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(str(p.type) !== undefined ? { type: str(p.type) } : {}),
    method,
    url,
  });
}

export class Transport {
  readonly config: TransportConfig;

  constructor(config: TransportConfig) {
    this.config = config;
  }

  /** Sends `req`, retrying as the policy allows; resolves with a 2xx answer or throws. */
  async send(req: HttpRequest, options: RequestOptions = {}): Promise<HttpResponse> {
    const cfg = this.config;
    const url = buildUrl(cfg.baseUrl, req.path, req.query);
    const maxRetries = options.maxRetries ?? cfg.retry.maxRetries;
    const timeoutMs = options.timeoutMs ?? cfg.timeoutMs;
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json',
      ...cfg.headers,
    };
    if (cfg.apiKey !== undefined) headers['x-api-key'] = cfg.apiKey;
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    // Made once, before the first attempt: every retry of this call carries the same key.
    if (req.idempotent) headers['idempotency-key'] = options.idempotencyKey ?? newIdempotencyKey();
    if (options.requestId !== undefined) headers['x-request-id'] = options.requestId;
    Object.assign(headers, options.headers);
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);

    for (let retry = 0; ; retry++) {
      options.signal?.throwIfAborted();
      let error: SellifyError | SellifyNetworkError;
      try {
        const res = await this.attempt(req.method, url, headers, body, timeoutMs, options.signal);
        if (res.status >= 200 && res.status < 300) return res;
        error = toError(res, req.method, url, cfg.now());
      } catch (err) {
        if (!(err instanceof SellifyNetworkError)) throw err;
        error = err;
      }
      const retryable = error instanceof SellifyNetworkError || isRetryableStatus(error.status, error.code);
      if (!retryable || retry >= maxRetries) throw error;
      const retryAfterMs = error instanceof SellifyError ? error.retryAfterMs : undefined;
      if (retryAfterMs !== undefined && retryAfterMs > cfg.retry.maxRetryAfterMs) throw error;
      const delayMs = retryAfterMs ?? backoffDelayMs(retry, cfg.retry, cfg.random());
      cfg.onRetry?.({ method: req.method, url, retry: retry + 1, delayMs, error });
      await cfg.sleep(delayMs, options.signal);
    }
  }

  /** One attempt: the answer with its body read, or a SellifyNetworkError; a caller abort rethrows its reason. */
  private async attempt(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
    timeoutMs: number,
    callerSignal: AbortSignal | undefined,
  ): Promise<HttpResponse> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const { signal, dispose } = anySignal([callerSignal, timeout]);
    try {
      const res = await this.config.fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal,
      });
      // The body is read under the same signal: a server that stalls mid-answer times out too.
      const text = await res.text();
      let data: unknown;
      if (text === '') data = undefined;
      else if (isJson(res.headers.get('content-type'))) {
        try {
          data = JSON.parse(text);
        } catch {
          data = text;
        }
      } else data = text;
      return { status: res.status, headers: res.headers, data };
    } catch (err) {
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (timeout.aborted) throw new SellifyTimeoutError({ method, url, timeoutMs, cause: err });
      throw new SellifyNetworkError(`${method} ${url}: ${describe(err)}`, { method, url, cause: err });
    } finally {
      dispose();
    }
  }
}
