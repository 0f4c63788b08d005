/** Prometheus metrics of the language-model layer, on the app's registry. */

import { Counter, Histogram, type Registry } from 'prom-client';

export interface LlmMetrics {
  /** `sellify_llm_calls_total{outcome}`: ok, timeout, http_error, network, circuit_open, budget_exhausted, … */
  readonly calls: Counter<'outcome'>;
  /** `sellify_llm_latency_seconds`: successful calls, retries included. */
  readonly latency: Histogram;
  /** `sellify_llm_tokens_total{kind}`: prompt and completion tokens. */
  readonly tokens: Counter<'kind'>;
  /** `sellify_llm_rejections_total{reason}`: model answers the gate refused (`llm.rejected_price`, …). */
  readonly rejections: Counter<'reason'>;
}

export function createLlmMetrics(registry: Registry): LlmMetrics {
  return {
    calls: new Counter({
      name: 'sellify_llm_calls_total',
      help: 'Language-model calls by outcome.',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'sellify_llm_latency_seconds',
      help: 'Latency of successful language-model calls, retries included.',
      buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8],
      registers: [registry],
    }),
    tokens: new Counter({
      name: 'sellify_llm_tokens_total',
      help: 'Language-model tokens by kind (prompt, completion).',
      labelNames: ['kind'],
      registers: [registry],
    }),
    rejections: new Counter({
      name: 'sellify_llm_rejections_total',
      help: 'Model answers the deterministic gate refused, by reason code.',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}
