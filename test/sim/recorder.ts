/**
 * Everything that crossed the simulator: each API call it received (with the response it gave or
 * the fault it applied) and each webhook attempt it made (exact bytes, headers, the receiver's
 * status). Tests assert on these instead of on timing.
 */
import type { IncomingHttpHeaders } from 'node:http';

export type SimTransport = 'cloud' | 'evolution' | 'waha';
export type FaultKind = 'status' | 'hang' | 'reset' | 'slow';

export interface ApiCallRecord {
  seq: number;
  transport: SimTransport | 'unknown';
  method: string;
  /** Path inside the transport, e.g. '/v25.0/106540352242922/messages' (the '/cloud' prefix removed). */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The parsed body, when it was JSON. */
  json?: unknown;
  /** Simulated time when the request arrived. */
  atMs: number;
  /** Undefined until answered (and forever for a hang or a reset). */
  status?: number;
  response?: unknown;
  fault?: FaultKind;
}

export interface WebhookRecord {
  seq: number;
  /** Shared by every attempt (and the duplicates) of one delivery. */
  deliveryId: string;
  transport: SimTransport;
  /** 'messages' / 'statuses' / field name (Cloud), 'messages.upsert' (Evolution), 'message.ack' (WAHA), 'subscribe' for the Cloud GET handshake. */
  event: string;
  url: string;
  method: 'POST' | 'GET';
  body: Buffer;
  headers: Record<string, string>;
  /** 1 for the first try. */
  attempt: number;
  /** A deliberate re-delivery after a success (at-least-once delivery). */
  duplicate: boolean;
  atMs: number;
  /** The receiver's HTTP status; undefined when the request failed (`error`). */
  status?: number;
  responseBody?: string;
  error?: string;
}

export class Recorder {
  readonly calls: ApiCallRecord[] = [];
  readonly webhooks: WebhookRecord[] = [];
  private seq = 0;
  private waiters: { check: () => boolean }[] = [];

  addCall(call: Omit<ApiCallRecord, 'seq'>): ApiCallRecord {
    const record: ApiCallRecord = { seq: ++this.seq, ...call };
    this.calls.push(record);
    this.notify();
    return record;
  }

  /** Called when a recorded call gets its answer, so waiters on the status wake up. */
  updated(): void {
    this.notify();
  }

  addWebhook(hook: Omit<WebhookRecord, 'seq'>): WebhookRecord {
    const record: WebhookRecord = { seq: ++this.seq, ...hook };
    this.webhooks.push(record);
    this.notify();
    return record;
  }

  callsTo(path: string | RegExp, transport?: SimTransport): ApiCallRecord[] {
    return this.calls.filter(
      (c) =>
        (transport === undefined || c.transport === transport) &&
        (typeof path === 'string' ? c.path.includes(path) : path.test(c.path)),
    );
  }

  webhooksOf(transport: SimTransport, event?: string): WebhookRecord[] {
    return this.webhooks.filter(
      (w) => w.transport === transport && (event === undefined || w.event === event),
    );
  }

  /** The parsed JSON bodies of the webhooks (each attempt and duplicate included). */
  webhookJson(transport: SimTransport, event?: string): unknown[] {
    return this.webhooksOf(transport, event).map((w) => JSON.parse(w.body.toString('utf8')) as unknown);
  }

  /** Resolves with the first call (already recorded or future) matching `predicate`. */
  waitForCall(predicate: (c: ApiCallRecord) => boolean, timeoutMs = 5_000): Promise<ApiCallRecord> {
    return this.waitFor(() => this.calls.find(predicate), timeoutMs, 'API call');
  }

  waitForWebhook(predicate: (w: WebhookRecord) => boolean, timeoutMs = 5_000): Promise<WebhookRecord> {
    return this.waitFor(() => this.webhooks.find(predicate), timeoutMs, 'webhook');
  }

  clear(): void {
    this.calls.length = 0;
    this.webhooks.length = 0;
  }

  private waitFor<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        check: (): boolean => {
          const hit = find();
          if (hit === undefined) return false;
          clearTimeout(timer);
          resolve(hit);
          return true;
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`simulator: no matching ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private notify(): void {
    if (this.waiters.length === 0) return;
    this.waiters = this.waiters.filter((w) => !w.check());
  }
}
