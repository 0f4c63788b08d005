/**
 * One HTTP call with a timeout, turning network failures into classified TransportErrors. A
 * transport client only looks at the status and the parsed body; it never sees a thrown error.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { TransportError } from '../types.ts';
import { isObject } from './json.ts';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

export type HttpResponse =
  | { ok: true; status: number; body: unknown; text: string; headers: Headers }
  | { ok: false; error: TransportError };

export async function httpCall(fetchFn: typeof fetch, req: HttpRequest): Promise<HttpResponse> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  try {
    const res = await fetchFn(req.url, {
      method: req.method,
      headers: { accept: 'application/json', ...req.headers },
      ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
      // A redirect would carry the method, the body and the API key to another host: never followed.
      redirect: 'manual',
      signal,
    });
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel().catch(() => {});
      return {
        ok: false,
        error: {
          class: 'permanent',
          code: 'redirect',
          httpStatus: res.status,
          message: `the transport answered a redirect (HTTP ${res.status}); redirects are not followed`,
        },
      };
    }
    const text = await res.text();
    let body: unknown = text;
    if (text !== '') {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        // Proxies answer HTML on 502/504; the status decides, the text is kept for the message.
      }
    }
    return { ok: true, status: res.status, body, text, headers: res.headers };
  } catch (err) {
    return { ok: false, error: classifyNetworkError(err, timeout, req.signal) };
  }
}

function errorCode(err: unknown): string | undefined {
  // undici wraps the socket error: TypeError('fetch failed') with `cause` { code: 'ECONNRESET' }.
  let current: unknown = err;
  for (let depth = 0; depth < 5 && isObject(current); depth++) {
    if (typeof current.code === 'string') return current.code;
    current = current.cause;
  }
  return undefined;
}

/**
 * Every network failure is worth a retry: the request may not have reached the server, or its
 * answer was lost. (A lost answer can mean a message that did go out; the pipeline's idempotency
 * on statuses and its retry budget bound the cost of a rare duplicate.)
 */
export function classifyNetworkError(
  err: unknown,
  timeoutSignal?: AbortSignal,
  callerSignal?: AbortSignal,
): TransportError {
  const message = err instanceof Error ? err.message : String(err);
  if (callerSignal?.aborted) {
    return { class: 'retry', code: 'aborted', message: 'the caller aborted the request' };
  }
  const name = err instanceof Error ? err.name : '';
  if (timeoutSignal?.aborted || name === 'TimeoutError') {
    return { class: 'retry', code: 'timeout', message: 'the transport did not answer in time' };
  }
  const code = errorCode(err);
  switch (code) {
    case 'ESELLIFY_EGRESS_REFUSED':
      // The gateway URL (or what its name resolves to now) is not one Sellify may call.
      return { class: 'permanent', code: 'forbidden_address', message };
    case 'ERESPONSETOOLARGE':
      return { class: 'permanent', code: 'invalid_response', message: 'the transport answer is too large' };
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return { class: 'retry', code: 'econnreset', message: `connection reset: ${message}` };
    case 'ECONNREFUSED':
      return { class: 'retry', code: 'econnrefused', message: `connection refused: ${message}` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { class: 'retry', code: 'dns', message: `host not found: ${message}` };
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
      return { class: 'retry', code: 'timeout', message: `timed out: ${message}` };
    default:
      return { class: 'retry', code: 'network', message: `network error: ${code ?? message}` };
  }
}

/** Status-only classification for when the body says nothing useful. */
export function classifyHttpStatus(status: number, message: string, headers?: Headers): TransportError {
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(headers?.get('retry-after') ?? undefined);
    return {
      class: 'defer',
      code: 'http_429',
      httpStatus: status,
      message,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  if (status >= 500 || status === 408)
    return { class: 'retry', code: `http_${status}`, httpStatus: status, message };
  return { class: 'permanent', code: `http_${status}`, httpStatus: status, message };
}

/** `Retry-After` in seconds or as an HTTP date, to milliseconds. */
export function parseRetryAfter(value: string | undefined, nowMs = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** A short, secret-free description of a response body for error messages. */
export function describeBody(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 300 ? `${oneLine.slice(0, 300)}…` : oneLine;
}

export async function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  await delay(ms, undefined, signal ? { signal } : {});
}

/**
 * One path segment from a configured value (an instance or session name, an API version, a phone
 * number id), percent-encoded. `.` and `..` (also encoded: the URL parser treats %2e as a dot) would
 * climb out of the route, so they are refused.
 */
export function pathSegment(value: string): string {
  const encoded = encodeURIComponent(value);
  if (/^(\.|%2e){1,2}$/i.test(encoded) || encoded === '') throw new RangeError('invalid path segment');
  return encoded;
}

/** Joins a base URL and a path without doubling or losing the slash. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
