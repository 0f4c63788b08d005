/** Advisor mode with the language model: POST /decision asks it, gates it and keeps its answers with the decision. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, ENV_KEY, type World } from '../http/helpers.ts';
import { type FakeLlm, startFakeLlm } from '../sim/llm.ts';

const example = JSON.parse(
  readFileSync(new URL('../../examples/decision-context.json', import.meta.url), 'utf8'),
);

let w: World;
let fake: FakeLlm;

beforeAll(async () => {
  fake = await startFakeLlm();
  w = await createWorld(
    {},
    {
      llm: { apiKey: fake.apiKey, baseUrl: fake.baseUrl, model: 'fake-1', timeoutMs: 3_000, dailyBudget: 50 },
    },
  );
});

afterAll(async () => {
  await w.close();
  await fake.close();
});

describe('POST /api/v1/decision with the language model', () => {
  it('asks nothing while the seller has not switched it on', async () => {
    const res = await w.call('POST', '/api/v1/decision', w.a.write, example);
    expect(res.statusCode).toBe(200);
    expect(res.json().assisted).toEqual({ classification: null, rephrase: null });
    expect(fake.requests).toHaveLength(0);
  });

  it('keeps the catalogue price when the model rewrites it, and stores the exchange sealed with the decision', async () => {
    fake.respond = (req) => {
      const user = req.body.messages?.[1]?.content ?? '';
      const composed = user.slice(user.indexOf('Reply to rewrite: ') + 'Reply to rewrite: '.length);
      return { content: JSON.stringify({ text: composed.replace(/15\s?000/, '5 000') }) };
    };
    const body = { ...example, playbook: { ...(example.playbook ?? {}), llm: { rephrase: true } } };
    const res = await w.call('POST', '/api/v1/decision', w.a.write, body);
    expect(res.statusCode, res.body).toBe(200);
    const decision = res.json();
    expect(decision.text).toContain('15 000');
    expect(decision.assisted).toEqual({ classification: null, rephrase: 'rejected' });
    expect(
      decision.reasons.map((r: { code: string }) => r.code),
      JSON.stringify(decision.reasons.filter((r: { engine: string }) => r.engine === 'llm')),
    ).toContain('llm.rejected_price');
    expect(fake.requests).toHaveLength(1);
    const stored = (await w.call('GET', `/api/v1/decisions/${decision.id}`, w.a.read)).json();
    expect(stored.verdicts.assist.rephrase.content).toContain('5 000');
    const { rows } = await w.db.ownerTx((tx) =>
      tx.query<{ verdicts_enc: string }>('SELECT verdicts_enc FROM decisions WHERE id = $1', [decision.id]),
    );
    expect(rows[0]?.verdicts_enc).not.toContain('5 000');
    const metrics = await w.app.inject({ method: 'GET', url: '/metrics', headers: { 'x-api-key': ENV_KEY } });
    expect(metrics.body).toMatch(/sellify_llm_calls_total\{outcome="ok"\} 1/);
  });
});
