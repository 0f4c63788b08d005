/**
 * What the three simulated providers share: clock, recorder, webhook dispatcher, seeded ids, and
 * the registry of numbers that are not on WhatsApp.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { createRng } from '../../src/engines/prng.ts';
import type { SimClock } from './clock.ts';
import type { Recorder } from './recorder.ts';
import type { WebhookDispatcher } from './webhooks.ts';

export interface SimRequest {
  method: string;
  /** Path inside the transport, starting with '/'. */
  path: string;
  segments: string[];
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  json: unknown;
  jsonError: boolean;
}

export interface SimResponse {
  status: number;
  /** Objects are sent as JSON, strings as text, Buffers as bytes; undefined is an empty body. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface TransportHandler {
  handle(req: SimRequest): Promise<SimResponse>;
}

export class SimContext {
  readonly notOnWhatsApp = new Set<string>();
  private counters = new Map<string, number>();

  constructor(
    readonly seed: string | number,
    readonly clock: SimClock,
    readonly recorder: Recorder,
    readonly dispatcher: WebhookDispatcher,
    private readonly baseUrl: () => string,
  ) {}

  get url(): string {
    return this.baseUrl();
  }

  /** A deterministic string of `length` characters from `alphabet`, new at each call for `kind`. */
  randomId(kind: string, length: number, alphabet = '0123456789ABCDEF'): string {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    const rng = createRng(this.seed, kind, n);
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(rng.next() * alphabet.length)];
    return out;
  }

  isOnWhatsApp(digits: string): boolean {
    return !this.notOnWhatsApp.has(digits);
  }
}

export function digits(value: string): string {
  return value.replace(/\D/g, '');
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function field(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}

export function stringField(value: unknown, key: string): string | undefined {
  const v = field(value, key);
  return typeof v === 'string' ? v : undefined;
}

/** Characters as a user sees them (code points), the measure the length limits use here. */
export function charCount(text: string): number {
  return [...text].length;
}
