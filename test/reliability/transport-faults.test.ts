/**
 * Transport faults: the Cloud simulator answers some of Sellify's Graph calls with 5xx pages,
 * never answers (hang), answers late (slow, once past the client's 15 s timeout while still
 * accepting the message), resets the connection, or refuses with Graph errors 130429 (throughput)
 * and 131056 (pair rate limit). Each business number gets one kind of fault, few enough that its
 * health score stays under the pause threshold. Every customer must still get exactly one reply
 * naming the price; refused sends must have been deferred and sent later, not dropped.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup } from '../e2e/harness.ts';
import type { FaultSpec } from '../sim/index.ts';
import { addUp, type Classification, failuresOf, NO_FAILURES } from './lib/classify.ts';
import { BASE_SEED, recordResult, trialCount } from './lib/env.ts';
import { killStrays, World } from './lib/world.ts';

const TRIALS = trialCount({ ci: 1, full: 3 });
const CHANNELS = 6;
const CUSTOMERS_PER_CHANNEL = 20;

afterAll(() => {
  killStrays();
  cleanup();
});

/**
 * One fault kind per business number. A send is three Graph calls (read receipt, typing, text) on
 * the number's path, so `times: 3` covers every call of one reply.
 */
function faultsFor(phoneNumberId: string, index: number): { label: string; specs: FaultSpec[] } {
  const path = new RegExp(`/${phoneNumberId}/messages$`);
  const on = { transport: 'cloud' as const, method: 'POST', path };
  switch (index) {
    case 0:
      return { label: '500 without a Graph body', specs: [{ ...on, kind: 'status', status: 500, times: 6 }] };
    case 1:
      return {
        label: '502 HTML page, then 503',
        specs: [
          { ...on, kind: 'status', status: 502, body: '<html><body>Bad Gateway</body></html>', times: 6 },
          { ...on, kind: 'status', status: 503, headers: { 'retry-after': '1' }, times: 3 },
        ],
      };
    case 2:
      return { label: 'hang (no answer, client timeout)', specs: [{ ...on, kind: 'hang', times: 3 }] };
    case 3:
      return { label: 'connection reset', specs: [{ ...on, kind: 'reset', times: 9 }] };
    case 4:
      return {
        label: 'slow: 16 s (past the timeout, accepted), then 2 s',
        specs: [
          { ...on, kind: 'slow', delayMs: 16_000, times: 3 },
          { ...on, kind: 'slow', delayMs: 2_000, times: 6 },
        ],
      };
    default:
      return { label: 'none (Graph errors land anywhere)', specs: [] };
  }
}

interface TrialResult {
  classification: Classification;
  /** Replies refused with 130429/131056, and how many of them went out later. */
  deferred: number;
  deferredThenSent: number;
  faultsApplied: Record<string, number>;
  graphErrors: Record<string, number>;
  durationMs: number;
}

async function trial(index: number): Promise<TrialResult> {
  const started = Date.now();
  const world = await World.create({
    seed: `${BASE_SEED}:transport:${index}`,
    customers: CHANNELS * CUSTOMERS_PER_CHANNEL,
    channels: CHANNELS,
  });
  try {
    await world.start();
    await world.setUp();
    const labels: string[] = [];
    for (const [i, n] of world.numbers.entries()) {
      const plan = faultsFor(n.phoneNumberId, i);
      labels.push(plan.label);
      for (const spec of plan.specs) world.sim.faults.add(spec);
    }
    world.sim.cloud.failNext(130429, { times: 4 });
    world.sim.cloud.failNext(131056, { times: 4 });

    await world.burst({ concurrency: 16 });
    const settled = await world.quiesce(400_000);
    const classification = world.classify();

    // A refused reply must reappear later as an accepted send to the same customer.
    const calls = world.sim.recorder.calls;
    const refused = calls.filter((c) => {
      const code = (c.response as { error?: { code?: number } } | undefined)?.error?.code;
      return code === 130429 || code === 131056;
    });
    const deferredThenSent = refused.filter((r) => {
      const to = (r.json as { to?: string }).to;
      return calls.some(
        (c) =>
          c.seq > r.seq &&
          c.status === 200 &&
          (c.json as { to?: string; type?: string }).to === to &&
          (c.json as { type?: string }).type === 'text',
      );
    }).length;
    const faultsApplied: Record<string, number> = {};
    const graphErrors: Record<string, number> = {};
    for (const c of world.sim.recorder.calls) {
      if (c.fault) faultsApplied[c.fault] = (faultsApplied[c.fault] ?? 0) + 1;
      const code = (c.response as { error?: { code?: number } } | undefined)?.error?.code;
      if (code !== undefined) graphErrors[String(code)] = (graphErrors[String(code)] ?? 0) + 1;
    }
    console.log(
      `[transport] trial ${index + 1}: ${JSON.stringify({ labels, settled, faultsApplied, graphErrors, classification: { ...classification, lostTo: classification.lostTo.slice(0, 5) } })}`,
    );
    if (!settled.quiet || classification.delivered !== classification.messages) {
      const who = [...classification.duplicatedTo, ...classification.lostTo].slice(0, 3);
      console.error(
        who.map((d) => `customer ${d}:\n  ${world.trace(d).join('\n  ')}`).join('\n'),
        world.serverErrors(),
      );
    }
    expect(settled.quiet, settled.detail).toBe(true);
    return {
      classification,
      deferred: refused.length,
      deferredThenSent,
      faultsApplied,
      graphErrors,
      durationMs: Date.now() - started,
    };
  } finally {
    await world.close();
  }
}

describe('transport faults: 5xx, hangs, slow answers, resets, 130429 and 131056', () => {
  const results: TrialResult[] = [];

  afterAll(() => {
    if (results.length === 0) return;
    recordResult('transport-faults', {
      trials: results.length,
      customersPerTrial: CHANNELS * CUSTOMERS_PER_CHANNEL,
      total: addUp(results.map((r) => r.classification)),
      deferred: results.reduce((s, r) => s + r.deferred, 0),
      deferredThenSent: results.reduce((s, r) => s + r.deferredThenSent, 0),
      faultsApplied: results.map((r) => r.faultsApplied),
      graphErrors: results.map((r) => r.graphErrors),
      meanTrialMs: Math.round(results.reduce((s, r) => s + r.durationMs, 0) / results.length),
    });
  });

  for (let i = 0; i < TRIALS; i++) {
    it(`trial ${i + 1}: every customer gets exactly one reply, refused sends are deferred and sent later`, async () => {
      const r = await trial(i);
      results.push(r);
      expect(failuresOf(r.classification)).toEqual(NO_FAILURES);
      // Every planned fault was served (so each path above was exercised)…
      expect(r.faultsApplied).toEqual({ status: 15, hang: 3, reset: 9, slow: 9 });
      // …and the injected Graph refusals were answered, then those replies went out later.
      expect(r.graphErrors['130429']).toBe(4);
      expect(r.graphErrors['131056']).toBe(4);
      expect(r.deferredThenSent).toBe(r.deferred);
    });
  }
});
