/**
 * Webhook delivery as the providers do it: POST the exact bytes, treat a non-success answer or a
 * timeout as a failure and retry with exponential backoff on the simulator clock, and, at a
 * configurable rate, deliver again after a success (at-least-once delivery). Randomness (jitter,
 * duplicates) comes from the seed and the delivery's own key, so it does not depend on the order
 * in which concurrent deliveries happen.
 */
import { createRng } from '../../src/engines/prng.ts';
import type { SimClock } from './clock.ts';
import type { Recorder, SimTransport, WebhookRecord } from './recorder.ts';

export interface RetryPolicy {
  /** Total attempts including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  factor: number;
  maxDelayMs: number;
  /** ±fraction of random jitter on each delay (0.2 = ±20%). */
  jitter: number;
  /** Statuses after which the provider stops retrying (Evolution: 400/401/403/404/422). */
  giveUpOn: readonly number[];
  /** Which statuses count as delivered (Cloud: only 200; gateways: any 2xx). */
  successOn: 'exactly_200' | '2xx';
}

export interface DeliveryOptions {
  retry: RetryPolicy;
  /** Probability that a delivered webhook is delivered once more (0–1). */
  duplicateProbability: number;
  /** Simulated delay before that duplicate. */
  duplicateDelayMs: number;
  /** Real-time limit on the receiver's answer. */
  timeoutMs: number;
}

export interface WebhookJob {
  transport: SimTransport;
  event: string;
  url: string;
  body: Buffer;
  /** Headers of one attempt (WAHA gives each request its own id and timestamp). */
  headers: (attempt: number) => Record<string, string>;
  /** Stable identity of what is delivered (wamid + status…), the seed of its duplicate draw. */
  key: string;
}

export class WebhookDispatcher {
  private counter = 0;

  constructor(
    private readonly clock: SimClock,
    private readonly recorder: Recorder,
    private readonly seed: string | number,
  ) {}

  /** Delivers now; resolves with the first attempt's record. Retries and duplicates follow on the clock. */
  deliver(job: WebhookJob, options: DeliveryOptions): Promise<WebhookRecord> {
    this.counter += 1;
    const deliveryId = `dlv_${job.transport}_${this.counter}`;
    return this.clock.track(this.attempt(job, options, deliveryId, 1, false));
  }

  private async attempt(
    job: WebhookJob,
    options: DeliveryOptions,
    deliveryId: string,
    attempt: number,
    duplicate: boolean,
  ): Promise<WebhookRecord> {
    const headers = { 'content-type': 'application/json', ...job.headers(attempt) };
    const atMs = this.clock.nowMs();
    let status: number | undefined;
    let responseBody: string | undefined;
    let error: string | undefined;
    try {
      const res = await fetch(job.url, {
        method: 'POST',
        headers,
        body: new Uint8Array(job.body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      status = res.status;
      responseBody = await res.text();
    } catch (err) {
      error = err instanceof Error ? (err.name === 'TimeoutError' ? 'timeout' : err.message) : String(err);
    }
    const record = this.recorder.addWebhook({
      deliveryId,
      transport: job.transport,
      event: job.event,
      url: job.url,
      method: 'POST',
      body: job.body,
      headers,
      attempt,
      duplicate,
      atMs,
      ...(status === undefined ? {} : { status }),
      ...(responseBody === undefined ? {} : { responseBody }),
      ...(error === undefined ? {} : { error }),
    });

    const policy = options.retry;
    const delivered =
      status !== undefined &&
      (policy.successOn === 'exactly_200' ? status === 200 : status >= 200 && status < 300);
    if (delivered) {
      if (!duplicate && options.duplicateProbability > 0) {
        const draw = createRng(this.seed, 'duplicate', job.transport, job.key).next();
        if (draw < options.duplicateProbability) {
          this.clock.schedule(options.duplicateDelayMs, () =>
            this.attempt(job, options, deliveryId, attempt + 1, true).then(() => {}),
          );
        }
      }
      return record;
    }
    const stop = status !== undefined && policy.giveUpOn.includes(status);
    if (!stop && attempt < policy.maxAttempts) {
      const raw = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** (attempt - 1));
      const rng = createRng(this.seed, 'jitter', deliveryId, attempt);
      const delayMs = Math.round(raw * (1 + policy.jitter * (2 * rng.next() - 1)));
      this.clock.schedule(delayMs, () =>
        this.attempt(job, options, deliveryId, attempt + 1, duplicate).then(() => {}),
      );
    }
    return record;
  }
}

/** Serializes like Meta: JSON with every non-ASCII UTF-16 unit escaped as \uXXXX, lowercase hex. */
export function metaJson(value: unknown): Buffer {
  const json = JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return Buffer.from(json, 'utf8');
}
