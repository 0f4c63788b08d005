/**
 * POST /api/v1/decision over real HTTP (authentication, rate limit set high, the engines, the
 * decision stored in PGlite; context sent inline, no storage fill) against a bare Fastify route
 * returning a constant for the same request, both measured in this run with 50 concurrent
 * keep-alive connections. Second baseline, per backend: the same route committing one row of the
 * audit row's size through group commit before answering (durability alone, no Sellify). Each server runs in its own worker thread so the load generator (this
 * thread) does not share an event loop with it. Goal: ≥ 50% of the bare route's requests per
 * second and p99 ≤ 10 ms.
 */

import { readFileSync } from 'node:fs';
import { isMainThread, workerData } from 'node:worker_threads';
import {
  type BenchRequest,
  type LoadResult,
  load,
  loadTable,
  serveInThisWorker,
  startDurableBaseline,
  startWorkerServer,
} from './httpload.ts';

const CONNECTIONS = 50;
const WARMUP_MS = 2_000;
const MEASURE_MS = 8_000;
const API_KEY = `sk_bench${'0123456789abcdef'.repeat(2)}`;
const PATH = '/api/v1/decision';

type Kind = 'bare' | 'durable' | 'sellify';

/**
 * Bytes of a stored decision row of the example context (sealed text, deflated reasons and verdicts plus
 * the clear columns), as printed by the Sellify server of this benchmark when it closes: 3,553 since
 * the reasons and verdicts are deflated together (z2); the baseline kept the earlier 4,480 until
 * issue 17's helper thrD.
 */
const DECISION_ROW_BYTES = 3_553;

interface ServerSpec {
  kind: Kind;
  /** Postgres instead of the embedded PGlite (sellify only). */
  databaseUrl?: string;
}

/** Runs inside a worker thread: one server. */
async function startBenchServer({
  kind,
  databaseUrl,
}: ServerSpec): Promise<{ port: number; close: () => Promise<void> }> {
  if (kind === 'bare') {
    const { fastify } = await import('fastify');
    const app = fastify({ logger: false });
    app.post(PATH, async () => ({ action: 'reply' }));
    app.post('/api/v1/validate', async () => ({ allowed: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { port: (app.server.address() as { port: number }).port, close: () => app.close() };
  }
  if (kind === 'durable') {
    return startDurableBaseline({
      ...(databaseUrl ? { databaseUrl } : {}),
      rowBytes: DECISION_ROW_BYTES,
      path: PATH,
      answer: { action: 'reply' },
    });
  }
  const { loadConfig } = await import('../src/config.ts');
  const { buildApp } = await import('../src/http/app.ts');
  const { createKeyring, generateKey } = await import('../src/crypto/keyring.ts');
  const { createMemoryLimiter } = await import('../src/ratelimit/memory.ts');
  const { createStore, createTenant, openDb } = await import('../src/store/index.ts');
  const db = await openDb(databaseUrl ? { dataDir: '', databaseUrl } : { dataDir: '', memory: true });
  // A tenant of its own, removed afterwards, so a shared Postgres keeps nothing from the run.
  const tenant = await createTenant(db, { name: 'Bench' });
  const store = createStore(db, createKeyring(generateKey()));
  const app = await buildApp({
    // Every limit out of the way (the tenant's defaults to 10× the key's, 1,000/min, which a
    // benchmark passes in a second): the figures are the cost of a request, not of a 429.
    config: {
      ...loadConfig({}),
      apiKey: API_KEY,
      rateLimitPerMinute: 1_000_000_000,
      tenantRateLimitPerMinute: 1_000_000_000,
    },
    store,
    limiter: createMemoryLimiter(),
    collectDefaultMetrics: false,
    defaultTenantId: tenant.id,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    port: (app.server.address() as { port: number }).port,
    close: async () => {
      await app.close();
      const size = await db.exec(
        `SELECT count(*)::int AS n, coalesce(avg(octet_length(d::text)), 0)::int AS text_bytes,
                coalesce(avg(pg_column_size(d.*)), 0)::int AS stored_bytes
           FROM decisions d WHERE tenant_id = $1`,
        [tenant.id],
      );
      const row = size.rows[0] as { n: number; text_bytes: number; stored_bytes: number };
      if (row.n > 0)
        console.log(
          `  ${databaseUrl ? 'PostgreSQL' : 'PGlite'}: ${row.n} decisions stored, ${row.text_bytes} bytes per row as text, ${row.stored_bytes} bytes stored (after TOAST compression)`,
        );
      await db.exec('DELETE FROM tenants WHERE id = $1', [tenant.id]);
      await store.close();
    },
  };
}

if (!isMainThread && (workerData as { benchServer?: ServerSpec } | null)?.benchServer !== undefined) {
  await serveInThisWorker(() => startBenchServer((workerData as { benchServer: ServerSpec }).benchServer));
}

async function measureServer(
  spec: ServerSpec,
  name: string,
  path: string,
  body: Buffer,
): Promise<LoadResult> {
  const server = await startWorkerServer(import.meta.url, { benchServer: spec });
  const request: BenchRequest = { path, body, headers: { 'x-api-key': API_KEY } };
  const options = { connections: CONNECTIONS, next: () => request };
  try {
    await load(`${name} (warm-up)`, server.port, { ...options, durationMs: WARMUP_MS });
    return await load(name, server.port, { ...options, durationMs: MEASURE_MS });
  } finally {
    await server.stop();
  }
}

export async function run(): Promise<string> {
  const context = readFileSync(new URL('../examples/decision-context.json', import.meta.url), 'utf8');
  const body = Buffer.from(JSON.stringify(JSON.parse(context)), 'utf8');
  const bare = await measureServer(
    { kind: 'bare' },
    'baseline: bare Fastify POST route, constant answer',
    PATH,
    body,
  );
  const durablePglite = await measureServer(
    { kind: 'durable' },
    `baseline: same route + group-committed ${DECISION_ROW_BYTES} B row, PGlite`,
    PATH,
    body,
  );
  const sellify = await measureServer(
    { kind: 'sellify' },
    'POST /api/v1/decision, PGlite (auth, rate limit, decide, store)',
    PATH,
    body,
  );
  const rows = [bare, durablePglite, sellify];
  // The same platform without the database write: where the time goes when the decision is stored.
  rows.push(
    await measureServer(
      { kind: 'sellify' },
      'POST /api/v1/validate (auth, rate limit, content engine; no write)',
      '/api/v1/validate',
      Buffer.from(JSON.stringify({ text: 'Bonjour Aminata ! Sac noir : 15 000 FCFA. Je vous en réserve ?' })),
    ),
  );
  const pairs: [string, LoadResult, LoadResult][] = [['PGlite', durablePglite, sellify]];
  const databaseUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (databaseUrl) {
    const durablePg = await measureServer(
      { kind: 'durable', databaseUrl },
      `baseline: same route + group-committed ${DECISION_ROW_BYTES} B row, PostgreSQL`,
      PATH,
      body,
    );
    const sellifyPg = await measureServer(
      { kind: 'sellify', databaseUrl },
      'POST /api/v1/decision, PostgreSQL (pool of 10)',
      PATH,
      body,
    );
    rows.push(durablePg, sellifyPg);
    pairs.push(['PostgreSQL', durablePg, sellifyPg]);
  }
  const lines = [
    `${CONNECTIONS} keep-alive connections, ${MEASURE_MS / 1000} s after a ${WARMUP_MS / 1000} s warm-up, ${body.length}-byte context`,
    '',
    loadTable(rows, bare),
    '',
  ];
  for (const [backend, durable, decision] of pairs) {
    const ratio = decision.reqPerSec / bare.reqPerSec;
    lines.push(
      `POST /api/v1/decision on ${backend}: ${(decision.reqPerSec / durable.reqPerSec).toFixed(3)}× the durable-insert baseline; goal ≥ 0.50× the bare route ${ratio >= 0.5 ? 'met' : 'NOT met'} (${ratio.toFixed(3)}×); goal p99 ≤ 10 ms ${decision.p99Ms <= 10 ? 'met' : 'NOT met'} (${decision.p99Ms.toFixed(2)} ms)`,
    );
  }
  return lines.join('\n');
}
