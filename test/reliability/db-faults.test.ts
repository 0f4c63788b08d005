/**
 * Database faults (Postgres; skipped unless TEST_DATABASE_URL is set). The real server runs on a
 * database created for the test. While a burst of price questions is processed, the test kills
 * the server's connections (pg_terminate_backend on every backend of that database, several times
 * in a row: the stand-in for a database restart, since the shared cluster itself cannot be
 * restarted here) and then forces a real outage (ALLOW_CONNECTIONS false + terminate), during
 * which /ready must answer 503, then 200 once connections are allowed again. The service must
 * recover by itself (same process, no restart) and every customer must get exactly one reply.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/engines/prng.ts';
import { cleanup, sleep } from '../e2e/harness.ts';
import { addUp, type Classification, failuresOf, NO_FAILURES } from './lib/classify.ts';
import { BASE_SEED, recordResult, sizeOf, trialCount } from './lib/env.ts';
import { type DbFacts, inspectDb } from './lib/inspect.ts';
import { killStrays, World } from './lib/world.ts';

const ADMIN_URL = process.env.TEST_DATABASE_URL;
const TRIALS = trialCount({ ci: 1, full: 5 });
const CUSTOMERS = sizeOf('RELIABILITY_DB_CUSTOMERS', { ci: 120, full: 400 });
/** A job whose completion could not be written waits for pg-boss's expiry (60 s) and maintenance (30 s). */
const QUIESCE_TIMEOUT_MS = 300_000;

afterAll(() => {
  killStrays();
  cleanup();
});

function urlFor(database: string): string {
  const url = new URL(ADMIN_URL!);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL, application_name: 'sellify-reliability' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Terminates every backend connected to `database` (the server's pool and pg-boss's). */
async function terminateAll(client: pg.Client, database: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n
       FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
    [database],
  );
  return Number(rows[0]?.n ?? 0);
}

async function readyStatus(world: World): Promise<number> {
  try {
    const res = await fetch(`${world.url}/ready`, { signal: AbortSignal.timeout(15_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** Polls /ready until it answers `status`; returns how long that took, or -1 past the timeout. */
async function readyBecomes(world: World, status: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if ((await readyStatus(world)) === status) return Date.now() - started;
    await sleep(100);
  }
  return -1;
}

interface TrialResult {
  database: string;
  terminated: number;
  terminationRounds: number;
  readyDuringOutage: number;
  readyAfterOutageMs: number;
  serverAlive: boolean;
  quiet: boolean;
  classification: Classification;
  facts: DbFacts;
}

async function trial(index: number): Promise<TrialResult> {
  const seed = `${BASE_SEED}:db:${index}`;
  const rng = createRng(seed, 'faults');
  const database = `sellify_rel_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${database}`));
  const databaseUrl = urlFor(database);
  const world = await World.create({ seed, customers: CUSTOMERS, env: { DATABASE_URL: databaseUrl } });
  try {
    await world.start();
    await world.setUp();
    const burst = world.burst({ concurrency: 16 });

    // Connection kills while webhooks are stored and replies sent.
    let terminated = 0;
    const terminationRounds = rng.int(3, 6);
    await admin(async (c) => {
      for (let round = 0; round < terminationRounds; round++) {
        await sleep(rng.int(200, 1500));
        terminated += await terminateAll(c, database);
      }
    });

    // A real outage: no new connections, every existing one killed.
    let readyDuringOutage = 0;
    await admin(async (c) => {
      await c.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
      try {
        terminated += await terminateAll(c, database);
        const waited = await readyBecomes(world, 503, 20_000);
        readyDuringOutage = waited >= 0 ? 503 : await readyStatus(world);
        await sleep(rng.int(1000, 4000));
        terminated += await terminateAll(c, database);
      } finally {
        await c.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
      }
    });
    const readyAfterOutageMs = await readyBecomes(world, 200, 30_000);

    await burst;
    const settled = await world.quiesce(QUIESCE_TIMEOUT_MS);
    const serverAlive = world.server?.child.exitCode === null && world.server?.child.signalCode === null;
    const classification = world.classify();
    const exitCode = await world.stopGracefully();
    const facts = await inspectDb({ dataDir: world.env.SELLIFY_DATA_DIR!, databaseUrl });
    const result: TrialResult = {
      database,
      terminated,
      terminationRounds,
      readyDuringOutage,
      readyAfterOutageMs,
      serverAlive: serverAlive && exitCode === 0,
      quiet: settled.quiet,
      classification,
      facts,
    };
    console.log(`[db-faults] trial ${index + 1}: ${JSON.stringify({ ...result, settled, exitCode })}`);
    if (!settled.quiet || classification.delivered !== classification.messages) {
      const who = [...classification.duplicatedTo, ...classification.lostTo].slice(0, 3);
      console.error(
        who.map((d) => `customer ${d}:\n  ${world.trace(d).join('\n  ')}`).join('\n'),
        world.serverErrors(),
      );
    }
    return result;
  } finally {
    await world.close();
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => {});
  }
}

describe.skipIf(!ADMIN_URL)(
  'database faults on Postgres: killed connections and an outage under load',
  () => {
    const results: TrialResult[] = [];

    afterAll(() => {
      if (results.length === 0) return;
      recordResult('db-faults', {
        trials: results.length,
        customersPerTrial: CUSTOMERS,
        connectionsTerminated: results.reduce((s, r) => s + r.terminated, 0),
        terminationRounds: results.reduce((s, r) => s + r.terminationRounds, 0),
        readyDuringOutage: results.map((r) => r.readyDuringOutage),
        readyAfterOutageMs: results.map((r) => r.readyAfterOutageMs),
        total: addUp(results.map((r) => r.classification)),
      });
    });

    for (let i = 0; i < TRIALS; i++) {
      it(`trial ${i + 1}: /ready says 503 during the outage and 200 after, the same process recovers, every customer gets one reply`, async () => {
        const r = await trial(i);
        results.push(r);
        expect(r.terminated).toBeGreaterThan(0);
        expect(r.readyDuringOutage).toBe(503);
        expect(r.readyAfterOutageMs).toBeGreaterThanOrEqual(0);
        expect(r.serverAlive, 'the server process survived and stopped cleanly').toBe(true);
        expect(r.quiet).toBe(true);
        expect(failuresOf(r.classification)).toEqual(NO_FAILURES);
        expect(r.facts.inbound).toBe(CUSTOMERS);
        expect(r.facts.outbound).toBe(CUSTOMERS);
        expect(r.facts.jobsByState.active ?? 0).toBe(0);
      });
    }
  },
);
