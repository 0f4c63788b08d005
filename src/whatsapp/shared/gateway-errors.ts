/**
 * Failure shapes both Baileys-style gateways (Evolution, WAHA) share: WhatsApp's 463 reach-out
 * lock, and the text of an error body, wherever the gateway put it.
 */
import type { TransportError } from '../types.ts';
import { isObject } from './json.ts';

export interface GatewayErrorInput {
  httpStatus: number;
  body?: unknown;
  headers?: Headers;
}

/** Every string in a JSON body, depth-first, for matching error texts wherever they sit. */
export function bodyTexts(body: unknown, depth = 0): string[] {
  if (depth > 5) return [];
  if (typeof body === 'string') return [body];
  if (typeof body === 'number') return [String(body)];
  if (Array.isArray(body)) return body.flatMap((v) => bodyTexts(v, depth + 1));
  if (isObject(body)) return Object.values(body).flatMap((v) => bodyTexts(v, depth + 1));
  return [];
}

/**
 * WhatsApp refuses messages to new contacts with server error 463 (NackCallerReachoutTimelocked)
 * while a reach-out lock is active; gateways pass it through as text ('server returned error 463').
 */
export function reachoutLock(texts: string[], httpStatus: number): TransportError | undefined {
  const hit = texts.find((t) => /\b463\b|reach-?out.?time-?lock|timelock/i.test(t));
  if (!hit) return undefined;
  return {
    class: 'account',
    code: 'reachout_timelock',
    httpStatus,
    message: hit,
    healthEvent: 'reachout_timelock',
    newContactsOnly: true,
  };
}

export function firstMessage(texts: string[], httpStatus: number): string {
  const text = texts.find((t) => t.length > 3 && !/^\d+$/.test(t));
  return text ?? `HTTP ${httpStatus}`;
}
