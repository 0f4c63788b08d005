/**
 * The language-model client (issue 18): one OpenAI-compatible chat-completions call with a JSON
 * schema for the answer (OpenAI, Ollama, vLLM, llama.cpp server). It never throws: a timeout, a 429
 * or 5xx after its retries, an open circuit or an exhausted budget come back as an exchange with an
 * `error`, and the engines fall back to their deterministic decision.
 *
 * - Deadline: each call gets the time the reply's pacing leaves (`deadlineMs`); retries with back-off
 *   (honouring Retry-After) happen only while they fit in it.
 * - Circuit breaker: after `breakerThreshold` consecutive failures the client stops calling for
 *   `breakerCooldownMs`, then lets one call through to test the service.
 * - Budget: at most `dailyBudget` calls per tenant per UTC day, counted by `deps.budget` (the
 *   server's rate limiter: shared by every instance through Redis when REDIS_URL is set), else in
 *   this process. A budget that cannot be read (Redis down) refuses the call: the engines decide
 *   alone rather than spend without a count.
 * - The base URL is the operator's (environment), never a tenant's, so it may be a local server.
 */

import type { AssistExchange, AssistRequest } from '../engines/assist.ts';
import type { LlmMetrics } from './metrics.ts';

export interface LlmConfig {
  apiKey: string;
  /** e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1 (Ollama). */
  baseUrl: string;
  model: string;
  /** One HTTP attempt's limit. */
  timeoutMs: number;
  /** Calls per tenant per UTC day. */
  dailyBudget: number;
  breakerThreshold?: number;
  breakerCooldownMs?: number;
  maxRetries?: number;
}

export interface LlmCallOptions {
  tenantId: string;
  /** The call must be over by then (ms since the epoch, from `now()`). */
  deadlineMs: number;
}

export interface LlmClient {
  readonly model: string;
  complete(request: AssistRequest, options: LlmCallOptions): Promise<AssistExchange>;
}

/** Counts a tenant's calls of one UTC day; true when this call is within `limit`. */
export interface LlmBudget {
  take(tenantId: string, day: number, limit: number): Promise<boolean>;
}

export interface LlmDeps {
  fetch?: typeof fetch;
  /** Where calls are counted. Default: in this process. */
  budget?: LlmBudget;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  metrics?: LlmMetrics;
}

const DAY_MS = 86_400_000;
const BASE_BACKOFF_MS = 250;

interface ChatAnswer {
  choices?: Array<{ message?: { content?: unknown; refusal?: unknown } }>;
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
}

function retryAfterMs(header: string | null, nowMs: number): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** Calls counted in this process (one instance, or no shared store). */
export function processBudget(): LlmBudget {
  const usage = new Map<string, { day: number; calls: number }>();
  return {
    async take(tenantId, day, limit) {
      const entry = usage.get(tenantId);
      if (!entry || entry.day !== day) {
        usage.set(tenantId, { day, calls: 1 });
        return limit >= 1;
      }
      if (entry.calls >= limit) return false;
      entry.calls++;
      return true;
    },
  };
}

export function createLlmClient(config: LlmConfig, deps: LlmDeps = {}): LlmClient {
  const doFetch = deps.fetch ?? fetch;
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const threshold = config.breakerThreshold ?? 5;
  const cooldownMs = config.breakerCooldownMs ?? 30_000;
  const maxRetries = config.maxRetries ?? 2;
  const url = `${config.baseUrl.replace(/\/+$/, '')}/chat/completions`;

  let consecutiveFailures = 0;
  let openUntilMs = 0;
  const budget = deps.budget ?? processBudget();

  async function takeBudget(tenantId: string): Promise<boolean> {
    if (config.dailyBudget < 1) return false;
    try {
      return await budget.take(tenantId, Math.floor(now() / DAY_MS), config.dailyBudget);
    } catch {
      return false;
    }
  }

  function failed(exchange: AssistExchange, error: string): AssistExchange {
    consecutiveFailures++;
    if (consecutiveFailures >= threshold) openUntilMs = now() + cooldownMs;
    deps.metrics?.calls.inc({ outcome: error.startsWith('http_') ? 'http_error' : error });
    return { ...exchange, error };
  }

  async function attempt(
    request: AssistRequest,
    timeoutMs: number,
  ): Promise<{ exchange?: Partial<AssistExchange>; error?: string; retryAfterMs?: number | null }> {
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'POST',
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
        headers: { authorization: `Bearer ${config.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: request.model,
          messages: request.messages,
          temperature: 0,
          max_tokens: 400,
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'answer', strict: true, schema: request.schema },
          },
        }),
      });
    } catch (err) {
      const name = (err as Error).name;
      return { error: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network' };
    }
    if (res.status === 429 || res.status >= 500) {
      await res.body?.cancel().catch(() => undefined);
      return {
        error: `http_${res.status}`,
        retryAfterMs: retryAfterMs(res.headers.get('retry-after'), now()),
      };
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      return { error: `http_${res.status}`, retryAfterMs: null };
    }
    let body: ChatAnswer;
    try {
      body = (await res.json()) as ChatAnswer;
    } catch {
      return { error: 'malformed_response', retryAfterMs: null };
    }
    const content = body.choices?.[0]?.message?.content;
    if (typeof content !== 'string') return { error: 'no_content', retryAfterMs: null };
    const prompt = Number(body.usage?.prompt_tokens ?? 0);
    const completion = Number(body.usage?.completion_tokens ?? 0);
    return {
      exchange: {
        content,
        tokens: {
          prompt: Number.isFinite(prompt) ? prompt : 0,
          completion: Number.isFinite(completion) ? completion : 0,
        },
      },
    };
  }

  return {
    model: config.model,
    async complete(request, options) {
      const base: AssistExchange = { request };
      if (now() < openUntilMs) {
        deps.metrics?.calls.inc({ outcome: 'circuit_open' });
        return { ...base, error: 'circuit_open' };
      }
      if (!(await takeBudget(options.tenantId))) {
        deps.metrics?.calls.inc({ outcome: 'budget_exhausted' });
        return { ...base, error: 'budget_exhausted' };
      }
      const started = now();
      let lastError = 'timeout';
      for (let attemptNo = 0; attemptNo <= maxRetries; attemptNo++) {
        const remaining = options.deadlineMs - now();
        if (remaining <= 0) break;
        const result = await attempt(request, Math.min(config.timeoutMs, remaining));
        if (result.exchange) {
          consecutiveFailures = 0;
          deps.metrics?.calls.inc({ outcome: 'ok' });
          deps.metrics?.latency.observe((now() - started) / 1000);
          if (result.exchange.tokens) {
            deps.metrics?.tokens.inc({ kind: 'prompt' }, result.exchange.tokens.prompt);
            deps.metrics?.tokens.inc({ kind: 'completion' }, result.exchange.tokens.completion);
          }
          return { ...base, ...result.exchange };
        }
        lastError = result.error ?? 'error';
        // Only throttling, server errors and network failures are worth another try.
        const retryable =
          lastError === 'network' || lastError === 'http_429' || /^http_5\d\d$/.test(lastError);
        if (!retryable) break;
        const wait = Math.max(result.retryAfterMs ?? 0, BASE_BACKOFF_MS * 2 ** attemptNo);
        if (now() + wait >= options.deadlineMs) break;
        await sleep(wait);
      }
      return failed(base, lastError);
    },
  };
}
