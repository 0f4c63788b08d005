/** The language-model client against a local OpenAI-compatible server: answers, failures, limits. */
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { classificationRequest } from '../../src/engines/assist.ts';
import { createLlmClient, type LlmBudget, type LlmConfig } from '../../src/llm/client.ts';
import { createLlmMetrics } from '../../src/llm/metrics.ts';
import { createMemoryLimiter } from '../../src/ratelimit/index.ts';
import { limiterBudget } from '../../src/server.ts';
import { type FakeLlm, startFakeLlm } from '../sim/llm.ts';

let fake: FakeLlm;
const request = classificationRequest('test-model', 'Bonjour', [
  { id: 'p1', name: 'Sac noir', price: 15000, currency: 'XOF' },
]);

function client(overrides: Partial<LlmConfig> = {}, sleeps: number[] = [], budget?: LlmBudget) {
  const registry = new Registry();
  const metrics = createLlmMetrics(registry);
  const llm = createLlmClient(
    {
      apiKey: fake.apiKey,
      baseUrl: fake.baseUrl,
      model: 'test-model',
      timeoutMs: 4_000,
      dailyBudget: 100,
      ...overrides,
    },
    {
      metrics,
      ...(budget !== undefined ? { budget } : {}),
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    },
  );
  return { llm, registry };
}

const soon = () => ({ tenantId: 'ten_a', deadlineMs: Date.now() + 20_000 });

beforeAll(async () => {
  fake = await startFakeLlm();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

describe('LLM client', () => {
  it('sends the request with the key, temperature 0 and the JSON schema, and returns content and tokens', async () => {
    fake.respond = () => ({
      content: '{"intent":"price"}',
      usage: { prompt_tokens: 50, completion_tokens: 7 },
    });
    const { llm, registry } = client();
    const exchange = await llm.complete(request, soon());
    expect(exchange).toEqual({
      request,
      content: '{"intent":"price"}',
      tokens: { prompt: 50, completion: 7 },
    });
    const sent = fake.requests[0]!;
    expect(sent.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(sent.body).toMatchObject({
      model: 'test-model',
      temperature: 0,
      response_format: { type: 'json_schema' },
    });
    expect(sent.body.response_format?.json_schema?.schema).toEqual(request.schema);
    expect(await registry.metrics()).toMatch(/sellify_llm_tokens_total\{kind="prompt"\} 50/);
  });

  it('retries a 429 after its Retry-After and a 500 with back-off, then answers', async () => {
    fake.respond = (_, i) =>
      i === 0 ? { status: 429, retryAfter: '1' } : i === 1 ? { status: 503 } : { content: '{}' };
    const sleeps: number[] = [];
    const { llm } = client({}, sleeps);
    const exchange = await llm.complete(request, soon());
    expect(exchange.content).toBe('{}');
    expect(fake.requests).toHaveLength(3);
    expect(sleeps).toEqual([1000, 500]);
  });

  it('gives up when the next try would pass the deadline', async () => {
    fake.respond = () => ({ status: 429, retryAfter: '30' });
    const { llm } = client();
    const exchange = await llm.complete(request, { tenantId: 'ten_a', deadlineMs: Date.now() + 2_000 });
    expect(exchange).toMatchObject({ error: 'http_429' });
    expect(exchange.content).toBeUndefined();
    expect(fake.requests).toHaveLength(1);
  });

  it('times out a server that never answers', async () => {
    fake.respond = () => 'hang';
    const { llm } = client({ timeoutMs: 100, maxRetries: 0 });
    expect(await llm.complete(request, soon())).toMatchObject({ error: 'timeout' });
  });

  it('reports a body that is not JSON, a wrong key and a 400 without retrying them', async () => {
    fake.respond = () => 'garbage';
    expect(await client().llm.complete(request, soon())).toMatchObject({ error: 'malformed_response' });
    fake.respond = () => ({ status: 400 });
    expect(await client().llm.complete(request, soon())).toMatchObject({ error: 'http_400' });
    expect(await client({ apiKey: 'wrong' }).llm.complete(request, soon())).toMatchObject({
      error: 'http_401',
    });
    expect(fake.requests).toHaveLength(2);
  });

  it('opens the circuit after consecutive failures and stops calling', async () => {
    fake.respond = () => ({ status: 400 });
    const { llm, registry } = client({ breakerThreshold: 3, breakerCooldownMs: 60_000 });
    for (let i = 0; i < 3; i++) await llm.complete(request, soon());
    expect(await llm.complete(request, soon())).toMatchObject({ error: 'circuit_open' });
    expect(fake.requests).toHaveLength(3);
    expect(await registry.metrics()).toMatch(/sellify_llm_calls_total\{outcome="circuit_open"\} 1/);
  });

  it('keeps each tenant to its daily budget', async () => {
    fake.respond = () => ({ content: '{}' });
    const { llm } = client({ dailyBudget: 2 });
    await llm.complete(request, soon());
    await llm.complete(request, soon());
    expect(await llm.complete(request, soon())).toMatchObject({ error: 'budget_exhausted' });
    expect(
      (await llm.complete(request, { tenantId: 'ten_b', deadlineMs: Date.now() + 20_000 })).content,
    ).toBe('{}');
    expect(fake.requests).toHaveLength(3);
  });

  it('shares the daily budget between instances that share the counters', async () => {
    fake.respond = () => ({ content: '{}' });
    // Two server instances, one set of counters (Redis in production; the same contract in memory).
    const shared = limiterBudget(createMemoryLimiter());
    const a = client({ dailyBudget: 3 }, [], shared).llm;
    const b = client({ dailyBudget: 3 }, [], shared).llm;
    const outcomes = [];
    for (const llm of [a, b, a, b, a]) outcomes.push((await llm.complete(request, soon())).error ?? 'ok');
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'budget_exhausted', 'budget_exhausted']);
    expect(fake.requests).toHaveLength(3);
  });

  it('refuses the call when the budget cannot be counted', async () => {
    fake.respond = () => ({ content: '{}' });
    const broken: LlmBudget = {
      take: async () => {
        throw new Error('redis down');
      },
    };
    expect(await client({}, [], broken).llm.complete(request, soon())).toMatchObject({
      error: 'budget_exhausted',
    });
    expect(fake.requests).toHaveLength(0);
  });
});
