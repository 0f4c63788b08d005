/**
 * Reading untrusted webhook JSON without `any`: each accessor returns undefined for a missing or
 * mistyped value, so a parser can skip what it does not understand instead of throwing.
 */
import { WebhookPayloadError } from '../types.ts';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function obj(value: unknown, key: string): JsonObject | undefined {
  if (!isObject(value)) return undefined;
  const v = value[key];
  return isObject(v) ? v : undefined;
}

export function arr(value: unknown, key: string): unknown[] {
  if (!isObject(value)) return [];
  const v = value[key];
  return Array.isArray(v) ? v : [];
}

/** A non-empty string; numbers are turned into strings (ids and timestamps come both ways). */
export function str(value: unknown, key: string): string | undefined {
  if (!isObject(value)) return undefined;
  const v = value[key];
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** A finite number; numeric strings ('1764250000', '-1') are accepted. */
export function num(value: unknown, key: string): number | undefined {
  if (!isObject(value)) return undefined;
  return toNumber(value[key]);
}

export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  // protobuf Long as serialized by Baileys ({ low, high, unsigned }).
  if (isObject(v) && typeof v.low === 'number' && typeof v.high === 'number') {
    return v.high * 2 ** 32 + (v.low >>> 0);
  }
  return undefined;
}

export function bool(value: unknown, key: string): boolean | undefined {
  if (!isObject(value)) return undefined;
  const v = value[key];
  return typeof v === 'boolean' ? v : undefined;
}

/** Seconds (number or string) to milliseconds; values already in ms (13+ digits) are kept. */
export function secondsToMs(v: unknown): number | undefined {
  const n = toNumber(v);
  if (n === undefined) return undefined;
  return n >= 1e12 ? n : n * 1000;
}

/** Parses a raw webhook body; invalid JSON is a WebhookPayloadError (answer 400). */
export function parseJsonBody(rawBody: Buffer | string): unknown {
  const text = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new WebhookPayloadError('webhook body is not valid JSON');
  }
}

/** Drops undefined properties so events compare cleanly and serialize small. */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}
