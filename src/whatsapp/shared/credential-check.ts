/**
 * What a transport's credential check returns (`sellify doctor` prints it): one read-only call
 * per channel that says whether the credentials work, and what to change when they do not.
 */
import type { TransportError } from '../types.ts';
import { checkGatewayUrl, type EgressPolicy, guardedFetchFor, refusalText } from './egress.ts';
import { httpCall, joinUrl } from './http.ts';
import { isObject } from './json.ts';

export interface CredentialCheck {
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  /** What to do about a failure or a warning. */
  hint?: string;
}

export interface CredentialCheckOptions {
  /** For the one call, in milliseconds. */
  timeoutMs: number;
  /** Default: the global fetch (Cloud), the egress-guarded fetch (gateways). Tests inject one. */
  fetch?: typeof fetch;
}

/** A URL without its user, password, path or query: safe to print. */
export function safeOrigin(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}`;
  } catch {
    return '(unparsable URL)';
  }
}

/** Why a call got no answer, in a few words (never the error's message: it may quote a URL with a key). */
export function unreachableText(error: TransportError, timeoutMs: number): string {
  if (error.code === 'redirect')
    return `answered a redirect (HTTP ${error.httpStatus ?? '3xx'}), not followed`;
  if (error.code === 'timeout') return `no answer within ${timeoutMs} ms`;
  if (error.code === 'forbidden_address') return 'address refused';
  return error.code;
}

export function unreachable(
  what: string,
  error: TransportError,
  timeoutMs: number,
  hint: string,
): CredentialCheck {
  return { status: 'fail', detail: `cannot reach ${what} (${unreachableText(error, timeoutMs)})`, hint };
}

/** A field of a remote JSON answer, whatever its shape. */
export const field = (body: unknown, key: string): unknown => (isObject(body) ? body[key] : undefined);

/** A string from a remote answer, capped (the caller makes it printable). */
export const remoteText = (value: unknown): string | undefined =>
  typeof value === 'string' ? value.slice(0, 300) : undefined;

/** 401 or 403 from a gateway: its API key is wrong. */
export function gatewayAuthFailure(status: number, what: string): CredentialCheck | undefined {
  if (status !== 401 && status !== 403) return undefined;
  return {
    status: 'fail',
    detail: `${what} refused the API key (HTTP ${status})`,
    hint: 'PATCH /api/v1/channels/<id> with all its credentials and the right apiKey (they are replaced whole)',
  };
}

/** A gateway's read-only status call, and what a check says when it did not answer 200. */
export interface GatewayStatusCall {
  /** "Evolution", "WAHA": how the check names the gateway. */
  gateway: string;
  baseUrl: string;
  /** The status path under baseUrl, already encoded. */
  path: string;
  headers: Record<string, string>;
  /** The answer to a 404: the instance or session does not exist. */
  missing: CredentialCheck;
}

/**
 * The part every gateway check shares: the gateway URL must pass the server's egress rules, then
 * one GET of the status path. Returns the 200 body, or the failed check (egress refusal,
 * unreachable, refused API key, missing instance or session, another status).
 */
export async function readGatewayStatus(
  call: GatewayStatusCall,
  options: CredentialCheckOptions & { egress: EgressPolicy },
): Promise<{ body: unknown } | { check: CredentialCheck }> {
  const verdict = await checkGatewayUrl(call.baseUrl, options.egress);
  if (!verdict.ok) {
    return {
      check: {
        status: 'fail',
        detail: `not checked: the gateway URL ${refusalText(verdict.refusal)}`,
        hint: 'PATCH /api/v1/channels/<id> with a gateway URL Sellify may call',
      },
    };
  }
  const reply = await httpCall(options.fetch ?? guardedFetchFor(options.egress), {
    method: 'GET',
    url: joinUrl(call.baseUrl, call.path),
    headers: call.headers,
    timeoutMs: options.timeoutMs,
  });
  if (!reply.ok) {
    const where = `${call.gateway} at ${safeOrigin(call.baseUrl)}`;
    return { check: unreachable(where, reply.error, options.timeoutMs, 'check the channel baseUrl') };
  }
  const auth = gatewayAuthFailure(reply.status, call.gateway);
  if (auth) return { check: auth };
  if (reply.status === 404) return { check: call.missing };
  if (reply.status !== 200) {
    return { check: { status: 'fail', detail: `${call.gateway} answered HTTP ${reply.status}` } };
  }
  return { body: reply.body };
}
