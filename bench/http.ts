/**
 * POST /api/v1/decision over real HTTP (authentication, rate limit set high, the engines, the
 * decision stored in PGlite; context sent inline, no storage fill) against a bare Fastify route
 * returning a constant for the same request, both measured in this run with 50 concurrent
 * keep-alive connections. Each server runs in its own worker thread so the load generator (this
 * thread) does not share an event loop with it. Goal: ≥ 50% of the bare route's requests per
 * second and p99 ≤ 10 ms.
 */

import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const CONNECTIONS = 50;
const WARMUP_MS = 2_000;
const MEASURE_MS = 8_000;
const API_KEY = `sk_bench${'0123456789abcdef'.repeat(2)}`;
const PATH = '/api/v1/decision';

type Kind = 'bare' | 'sellify';

interface ServerSpec {
  kind: Kind;
  /** Postgres instead of the embedded PGlite (sellify only). */
  databaseUrl?: string;
}

interface Result {
  name: string;
  requests: number;
  errors: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

/** Runs inside a worker thread: one server, its port posted back, closed on 'stop'. */
async function serveInWorker({ kind, databaseUrl }: ServerSpec): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('serveInWorker runs in a worker thread');
  let close: () => Promise<void>;
  let address: number;
  if (kind === 'bare') {
    const { fastify } = await import('fastify');
    const app = fastify({ logger: false });
    app.post(PATH, async () => ({ action: 'reply' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    address = (app.server.address() as { port: number }).port;
    close = () => app.close();
  } else {
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
      config: { ...loadConfig({}), apiKey: API_KEY, rateLimitPerMinute: 1_000_000_000 },
      store,
      limiter: createMemoryLimiter(),
      collectDefaultMetrics: false,
      defaultTenantId: tenant.id,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    address = (app.server.address() as { port: number }).port;
    close = async () => {
      await app.close();
      await db.exec('DELETE FROM tenants WHERE id = $1', [tenant.id]);
      await store.close();
    };
  }
  port.on('message', (message) => {
    if (message === 'stop') void close().then(() => port.postMessage('stopped'));
  });
  port.postMessage({ port: address });
}

if (!isMainThread && (workerData as { benchServer?: ServerSpec } | null)?.benchServer !== undefined) {
  await serveInWorker((workerData as { benchServer: ServerSpec }).benchServer);
}

function startServer(spec: ServerSpec): Promise<{ port: number; stop: () => Promise<void> }> {
  // A worker does not inherit the main thread's tsx loader: it registers tsx, then loads this file.
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
    .then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(bootstrap, { eval: true, workerData: { benchServer: spec } });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (message: { port: number }) => {
      resolve({
        port: message.port,
        stop: () =>
          new Promise<void>((done) => {
            worker.once('message', () => void worker.terminate().then(() => done()));
            worker.postMessage('stop');
          }),
      });
    });
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

/** One POST on a keep-alive socket; resolves with the status code. */
function post(agent: Agent, port: number, path: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': body.length, 'x-api-key': API_KEY },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** CONNECTIONS loops, each sending one request after the other for durationMs. */
async function load(
  name: string,
  port: number,
  path: string,
  body: Buffer,
  durationMs: number,
): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latenciesMs: number[] = [];
  let errors = 0;
  const start = process.hrtime.bigint();
  const endNs = start + BigInt(durationMs) * 1_000_000n;
  const loop = async () => {
    while (process.hrtime.bigint() < endNs) {
      const t0 = process.hrtime.bigint();
      const status = await post(agent, port, path, body).catch(() => 0);
      latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (status !== 200) errors += 1;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, loop));
  const elapsedS = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  const sorted = Float64Array.from(latenciesMs).sort();
  return {
    name,
    requests: latenciesMs.length,
    errors,
    reqPerSec: latenciesMs.length / elapsedS,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  };
}

async function measureServer(spec: ServerSpec, name: string, path: string, body: Buffer): Promise<Result> {
  const server = await startServer(spec);
  try {
    await load(`${name} (warm-up)`, server.port, path, body, WARMUP_MS);
    return await load(name, server.port, path, body, MEASURE_MS);
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
  const sellify = await measureServer(
    { kind: 'sellify' },
    'POST /api/v1/decision, PGlite (auth, rate limit, decide, store)',
    PATH,
    body,
  );
  const rows = [bare, sellify];
  // The same platform without the database write: where the time goes when the decision is stored.
  rows.push(
    await measureServer(
      { kind: 'sellify' },
      'POST /api/v1/validate (auth, rate limit, content engine; no write)',
      '/api/v1/validate',
      Buffer.from(JSON.stringify({ text: 'Bonjour Aminata ! Sac noir : 15 000 FCFA. Je vous en réserve ?' })),
    ),
  );
  const databaseUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (databaseUrl) {
    rows.push(
      await measureServer(
        { kind: 'sellify', databaseUrl },
        'POST /api/v1/decision, PostgreSQL (pool of 10)',
        PATH,
        body,
      ),
    );
  }
  const ratio = sellify.reqPerSec / bare.reqPerSec;
  const lines = [
    `${CONNECTIONS} keep-alive connections, ${MEASURE_MS / 1000} s after a ${WARMUP_MS / 1000} s warm-up, ${body.length}-byte context`,
    '',
    `${'benchmark'.padEnd(68)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)} ${'vs baseline'.padStart(12)}`,
  ];
  for (const r of rows) {
    lines.push(
      `${r.name.padEnd(68)} ${Math.round(r.reqPerSec).toLocaleString('en-US').padStart(9)} ${r.p50Ms.toFixed(2).padStart(8)} ${r.p99Ms.toFixed(2).padStart(8)} ${String(r.errors).padStart(7)} ${`${(r.reqPerSec / bare.reqPerSec).toFixed(3)}×`.padStart(12)}`,
    );
  }
  lines.push(
    '',
    `POST /api/v1/decision on PGlite: goal ≥ 0.50× the baseline ${ratio >= 0.5 ? 'met' : 'NOT met'} (${ratio.toFixed(3)}×); goal p99 ≤ 10 ms ${sellify.p99Ms <= 10 ? 'met' : 'NOT met'} (${sellify.p99Ms.toFixed(2)} ms)`,
  );
  return lines.join('\n');
}
