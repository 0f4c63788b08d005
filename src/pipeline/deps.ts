/**
 * What the pipelines need from the outside world, passed in by the composition root: the store,
 * the queue, the clock, a way to reach each channel's transport, and how long waits really are.
 */
import type { Decision } from '../engines/decide.ts';
import type { LlmClient } from '../llm/client.ts';
import type { LlmMetrics } from '../llm/metrics.ts';
import type { Queue } from '../queue/index.ts';
import type { Channel, Store } from '../store/index.ts';
import type { TransportClient } from '../whatsapp/index.ts';
import type { WebhookUptime } from './webhook-uptime.ts';

export interface PipelineLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * Counters the pipelines feed (the composition root backs them with the Prometheus metrics).
 * Labels are closed sets: never an id, never customer data.
 */
export interface PipelineMetrics {
  /** One send attempt's outcome: `sent`, a transport error class (`retry`, `defer`, `account`, `window`, `unreachable`, `permanent`) or `worker_error`. */
  send(outcome: string): void;
  /** One decision taken and stored by the pipeline: `webhook` (an inbound message) or `followup`. */
  decision(mode: 'webhook' | 'followup', decision: Decision): void;
}

export interface PipelineDeps {
  store: Store;
  queue: Queue;
  /** The clock, in epoch ms. */
  nowMs: () => number;
  /** The transport client of a channel, from its decrypted credentials. */
  clientFor: (channel: Channel, credentials: Record<string, unknown> | null) => TransportClient;
  /** Waits ms (the typing time, the gap before a send); tests pass a fast one. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Multiplies every human-like wait (read delay, gap, typing). 1 in production; the end-to-end
   * tests compress time with a small value. Quotas, windows and follow-up ladders are not scaled.
   */
  pacingScale: number;
  /**
   * Since when webhooks have been reaching us (src/pipeline/webhook-uptime.ts): a send left in doubt
   * waits longer for its proof after webhooks could not be taken. Default: the wait counts from the
   * send only.
   */
  webhooksUp?: WebhookUptime;
  log: PipelineLog;
  /** Default: nothing counted. */
  metrics?: PipelineMetrics;
  /**
   * The optional language model (OPENAI_API_KEY): asked before deciding a message of a seller who
   * switched it on (src/pipeline/assist.ts). Default: never asked.
   */
  llm?: { client: LlmClient; metrics?: LlmMetrics; timeoutMs: number };
}

export function sleepMs(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
