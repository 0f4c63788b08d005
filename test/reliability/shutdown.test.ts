/**
 * Graceful shutdown: SIGTERM reaches the real server (PGlite data directory) while signed
 * webhooks, API calls and outbound sends are in flight. The process must exit 0 within 10 s;
 * every request it had accepted before the signal must get its answer (the server's own request
 * log says which ones it had accepted, by the X-Request-Id the test sends); no job may be left
 * active (the data directory is opened again after the exit); and once restarted, every customer
 * still gets exactly one reply.
 */

import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/engines/prng.ts';
import { API_KEY, cleanup, sleep } from '../e2e/harness.ts';
import { startReceiver } from '../sim/receiver.ts';
import { addUp, type Classification, failuresOf, NO_FAILURES } from './lib/classify.ts';
import { BASE_SEED, recordResult, trialCount } from './lib/env.ts';
import { type DbFacts, inspectDb } from './lib/inspect.ts';
import { killStrays, PRICE_QUESTION, pool, type Template, World } from './lib/world.ts';

const TRIALS = trialCount({ ci: 6, full: 100 });
const CUSTOMERS = 40;
const CHANNELS = 4;
const EXIT_BOUND_MS = 10_000;

afterAll(() => {
  killStrays();
  cleanup();
});

interface Outcome {
  id: string;
  kind: 'webhook' | 'api';
  status?: number;
  error?: string;
  /** Wall-clock ms when the answer (or the error) came. */
  doneAtMs?: number;
}

interface TrialResult {
  seed: string;
  signalAfterMs: number;
  exitCode: number | null;
  exitMs: number;
  acceptedBeforeSignal: number;
  inFlightAtSignal: number;
  acceptedUnanswered: string[];
  acceptedFailed: string[];
  jobsActive: number;
  sendsDuringDrain: number;
  facts: DbFacts;
  classification: Classification;
}

/** Request ids the server logged as incoming before it printed that it was stopping. */
function acceptedBeforeStop(log: string): {
  accepted: Set<string>;
  completed: Map<string, number>;
  /** Accepted before the signal, answered after it: the requests in flight when it came. */
  inFlight: number;
} {
  const accepted = new Set<string>();
  const completed = new Map<string, number>();
  let inFlight = 0;
  let stopping = false;
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: { msg?: string; requestId?: string; res?: { statusCode?: number } };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (entry.msg?.startsWith('stopping')) {
      stopping = true;
      continue;
    }
    if (entry.requestId === undefined) continue;
    if (entry.msg === 'incoming request' && !stopping) accepted.add(entry.requestId);
    if (entry.msg === 'request completed') {
      completed.set(entry.requestId, entry.res?.statusCode ?? 0);
      if (stopping && accepted.has(entry.requestId)) inFlight++;
    }
  }
  return { accepted, completed, inFlight };
}

async function trial(index: number, template: Template): Promise<TrialResult> {
  const seed = `${BASE_SEED}:shutdown:${index}`;
  const rng = createRng(seed, 'signal');
  const world = await World.create({
    seed,
    customers: CUSTOMERS,
    channels: CHANNELS,
    template,
    // Human pacing at a fifth of real time keeps each send in its handler for about a second.
    pacingScale: 0.2,
    // debug: read-only requests (the GET loops) log their request lines at debug only.
    env: { LOG_LEVEL: 'debug' },
  });
  const receiver = await startReceiver();
  try {
    // Signed webhooks made by the simulator but captured, so the test posts them itself with ids.
    const target = world.sim.cloud.webhookUrl;
    world.sim.cloud.webhookUrl = receiver.url;
    await world.burst({ concurrency: 8 });
    world.sim.cloud.webhookUrl = target;
    const webhooks = receiver.requests.map((r, i) => ({ id: `rel-wh-${index}-${i}`, request: r }));

    const server = await world.start();
    const outcomes: Outcome[] = [];
    const post = async (id: string, kind: Outcome['kind'], path: string, init: RequestInit) => {
      const outcome: Outcome = { id, kind };
      outcomes.push(outcome);
      try {
        const res = await fetch(`${world.url}${path}`, {
          ...init,
          headers: { ...(init.headers as Record<string, string>), 'x-request-id': id },
          signal: AbortSignal.timeout(30_000),
        });
        await res.arrayBuffer();
        outcome.status = res.status;
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause;
        outcome.error = cause?.code ?? (err as Error).message;
      }
      outcome.doneAtMs = Date.now();
      return outcome;
    };

    /** A webhook whose body arrives in pieces over a second or two: accepted, then still reading. */
    const postSlowly = (id: string, w: (typeof webhooks)[number], gapsMs: number[]) =>
      new Promise<void>((resolve) => {
        const outcome: Outcome = { id, kind: 'webhook' };
        outcomes.push(outcome);
        const body = w.request.rawBody;
        const req = httpRequest(`${world.url}/webhooks/whatsapp`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': String(body.length),
            'x-hub-signature-256': String(w.request.headers['x-hub-signature-256']),
            'x-request-id': id,
          },
        });
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => {
            outcome.status = res.statusCode;
            outcome.doneAtMs = Date.now();
            resolve();
          });
        });
        req.on('error', (err: NodeJS.ErrnoException) => {
          outcome.error = err.code ?? err.message;
          outcome.doneAtMs = Date.now();
          resolve();
        });
        const piece = Math.ceil(body.length / (gapsMs.length + 1));
        void (async () => {
          for (let i = 0; i <= gapsMs.length; i++) {
            if (req.destroyed) return;
            req.write(body.subarray(i * piece, (i + 1) * piece));
            if (i < gapsMs.length) await sleep(gapsMs[i]!);
          }
          req.end();
        })();
      });

    let signalled = false;
    const firstWave = webhooks.slice(0, CUSTOMERS / 2);
    const secondWave = webhooks.slice(CUSTOMERS / 2);
    const sendWebhooks = (list: typeof webhooks) =>
      pool(list, 8, async (w) => {
        await post(w.id, 'webhook', '/webhooks/whatsapp', {
          method: 'POST',
          headers: Object.fromEntries(
            Object.entries(w.request.headers).filter(
              ([k, v]) =>
                typeof v === 'string' && ['content-type', 'x-hub-signature-256', 'user-agent'].includes(k),
            ),
          ) as Record<string, string>,
          body: new Uint8Array(w.request.rawBody),
        });
      });
    let apiSeq = 0;
    const apiClient = async () => {
      while (!signalled || apiSeq % 7 !== 0) {
        const n = apiSeq++;
        const out =
          n % 2 === 0
            ? await post(`rel-api-${index}-${n}`, 'api', '/api/v1/contacts?limit=50', {
                headers: { 'x-api-key': API_KEY },
              })
            : await post(`rel-api-${index}-${n}`, 'api', '/api/v1/validate', {
                method: 'POST',
                headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
                body: JSON.stringify({ text: PRICE_QUESTION }),
              });
        if (out.error !== undefined && signalled) return;
      }
    };

    // The first wave is acknowledged and its replies are being sent (paced) when the second wave,
    // the API clients and the signal arrive.
    await sendWebhooks(firstWave);
    const clients = [apiClient(), apiClient(), apiClient(), apiClient()];
    const slow = createRng(seed, 'slow');
    const wave = pool(secondWave, 8, (w) =>
      postSlowly(w.id, w, [slow.int(0, 600), slow.int(0, 600), slow.int(0, 600)]),
    );
    const signalAfterMs = rng.int(100, 2500);
    await sleep(signalAfterMs);
    const signalAt = Date.now();
    signalled = true;
    server.child.kill('SIGTERM');
    const exitCode = await server.exit;
    const exitMs = Date.now() - signalAt;
    world.server = null;
    await Promise.all([wave, ...clients]);
    // Replies the simulator accepted between the signal and the exit: sends drained, not dropped.
    const sendsDuringDrain = world.sim.recorder.calls.filter(
      (c) =>
        c.status === 200 &&
        (c.json as { type?: string } | undefined)?.type === 'text' &&
        c.atMs >= signalAt &&
        c.atMs <= signalAt + exitMs,
    ).length;

    const { accepted, completed, inFlight } = acceptedBeforeStop(server.stderr());
    if (process.env.RELIABILITY_DEBUG) {
      console.log(
        outcomes
          .filter((o) => (o.doneAtMs ?? 0) >= signalAt)
          .map((o) => `${o.id} ${o.status ?? o.error} +${(o.doneAtMs ?? 0) - signalAt} ms`)
          .join('\n'),
      );
      const lines = server.stderr().split('\n');
      const at = lines.findIndex((l) => l.includes('"msg":"stopping'));
      console.log(lines.slice(Math.max(0, at - 5), at + 15).join('\n'));
    }
    const byId = new Map(outcomes.map((o) => [o.id, o]));
    const acceptedUnanswered: string[] = [];
    const acceptedFailed: string[] = [];
    for (const id of accepted) {
      const o = byId.get(id);
      if (!o) continue; // a request the simulator made (status webhooks), checked below
      if (o.status === undefined) acceptedUnanswered.push(`${id}: ${o.error}`);
      else if (o.status >= 500) acceptedFailed.push(`${id}: ${o.status}`);
    }
    // The server's own view: every accepted request (ours and the simulator's) was answered.
    for (const id of accepted) {
      const status = completed.get(id);
      if (status === undefined) acceptedUnanswered.push(`${id}: no 'request completed' line`);
      else if (status >= 500) acceptedFailed.push(`${id}: completed with ${status}`);
    }

    const dataDir = world.env.SELLIFY_DATA_DIR!;
    const facts = await inspectDb({ dataDir });

    // Restart: what was not acknowledged is delivered again, and everyone gets one reply.
    world.env.LOG_LEVEL = 'error';
    await world.restart();
    const unacked = webhooks.filter((w) => byId.get(w.id)?.status !== 200);
    for (let round = 0; round < 5 && unacked.length > 0; round++) {
      await sendWebhooks(unacked.map((w) => ({ ...w, id: `${w.id}-again-${round}` })));
      const stillUnacked = unacked.filter((w) => byId.get(`${w.id}-again-${round}`)?.status !== 200);
      unacked.splice(0, unacked.length, ...stillUnacked);
    }
    const settled = await world.quiesce(120_000);
    const classification = world.classify();
    const result: TrialResult = {
      seed,
      signalAfterMs,
      exitCode,
      exitMs,
      acceptedBeforeSignal: accepted.size,
      inFlightAtSignal: inFlight,
      acceptedUnanswered,
      acceptedFailed,
      jobsActive: facts.jobsByState.active ?? 0,
      sendsDuringDrain,
      facts,
      classification,
    };
    console.log(
      `[shutdown] trial ${index + 1}: ${JSON.stringify({ ...result, facts: undefined, settled, classification: { delivered: classification.delivered, lost: classification.lost, duplicated: classification.duplicated } })}`,
    );
    return result;
  } finally {
    await receiver.close();
    await world.close();
  }
}

describe(`graceful shutdown: SIGTERM with requests and sends in flight, ${TRIALS} trials`, () => {
  const results: TrialResult[] = [];
  let template: Template;

  beforeAll(async () => {
    template = await World.template({ customers: CUSTOMERS, channels: CHANNELS });
  });

  afterAll(() => {
    if (results.length === 0) return;
    recordResult('shutdown', {
      trials: results.length,
      exitedZeroWithin10s: results.filter((r) => r.exitCode === 0 && r.exitMs <= EXIT_BOUND_MS).length,
      maxExitMs: Math.max(...results.map((r) => r.exitMs)),
      acceptedBeforeSignal: results.reduce((s, r) => s + r.acceptedBeforeSignal, 0),
      inFlightAtSignal: results.reduce((s, r) => s + r.inFlightAtSignal, 0),
      trialsWithRequestsInFlight: results.filter((r) => r.inFlightAtSignal > 0).length,
      trialsWithSendsDuringDrain: results.filter((r) => r.sendsDuringDrain > 0).length,
      acceptedUnanswered: results.reduce((s, r) => s + r.acceptedUnanswered.length, 0),
      acceptedFailed: results.reduce((s, r) => s + r.acceptedFailed.length, 0),
      jobsLeftActive: results.reduce((s, r) => s + r.jobsActive, 0),
      sendsDuringDrain: results.reduce((s, r) => s + r.sendsDuringDrain, 0),
      total: addUp(results.map((r) => r.classification)),
    });
  });

  for (let i = 0; i < TRIALS; i++) {
    it.concurrent(`trial ${i + 1}: exits 0 within 10 s, answers every request it accepted, leaves no job active, loses no reply`, async ({
      expect,
    }) => {
      const r = await trial(i, template);
      results.push(r);
      expect({ seed: r.seed, exitCode: r.exitCode, withinBound: r.exitMs <= EXIT_BOUND_MS }).toEqual({
        seed: r.seed,
        exitCode: 0,
        withinBound: true,
      });
      expect(r.acceptedBeforeSignal).toBeGreaterThan(0);
      // Each branch can be checked only if it happened in some trials; the report counts them.
      expect(r.acceptedUnanswered).toEqual([]);
      expect(r.acceptedFailed).toEqual([]);
      expect(r.jobsActive).toBe(0);
      expect(failuresOf(r.classification)).toEqual(NO_FAILURES);
    });
  }

  it('the signals found requests in flight in some trials and sends draining in others', () => {
    if (results.length < 3) return;
    expect(results.filter((r) => r.inFlightAtSignal > 0).length).toBeGreaterThan(0);
    expect(results.filter((r) => r.sendsDuringDrain > 0).length).toBeGreaterThan(0);
  });
});

/**
 * In production replies are paced like a person: a send's handler waits seconds (gap, typing)
 * before the transport call, longer than the shutdown budget allows. The process must still exit
 * 0 within 10 s, hand the unfinished sends back to the queue, and send them after a restart.
 */
describe('graceful shutdown while replies are paced at full human speed', () => {
  let template: Template;

  beforeAll(async () => {
    template = await World.template({ customers: CHANNELS, channels: CHANNELS });
  });

  it('exits 0 within 10 s, leaves no job active, and sends every reply once after the restart', async () => {
    const world = await World.create({
      seed: `${BASE_SEED}:shutdown-paced`,
      customers: CHANNELS,
      channels: CHANNELS,
      template,
      pacingScale: 1,
    });
    try {
      const server = await world.start();
      await world.burst({ concurrency: CHANNELS });
      // A handler is running once its read receipt went out; it now waits the paced gap.
      await world.sim.recorder.waitForCall(
        (c) => (c.json as { status?: string } | undefined)?.status === 'read',
        30_000,
      );
      const signalAt = Date.now();
      server.child.kill('SIGTERM');
      const exitCode = await server.exit;
      const exitMs = Date.now() - signalAt;
      world.server = null;
      const facts = await inspectDb({ dataDir: world.env.SELLIFY_DATA_DIR! });
      expect({ exitCode, withinBound: exitMs <= EXIT_BOUND_MS }).toEqual({ exitCode: 0, withinBound: true });
      expect(facts.jobsByState.active ?? 0).toBe(0);

      world.env.SELLIFY_PACING_SCALE = '0.001';
      await world.restart();
      const settled = await world.quiesce(120_000);
      const c = world.classify();
      expect({
        quiet: settled.quiet,
        delivered: c.delivered,
        duplicated: c.duplicated,
        lost: c.lost,
      }).toEqual({
        quiet: true,
        delivered: CHANNELS,
        duplicated: 0,
        lost: 0,
      });
    } finally {
      await world.close();
    }
  });
});
