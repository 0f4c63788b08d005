/**
 * Shared pieces of the HTTP benchmarks: a server started in its own worker thread (so the load
 * generator in this thread does not share an event loop with it) and a keep-alive load generator
 * that reports requests per second and latency percentiles.
 */
import { Agent, request } from 'node:http';
import { parentPort, Worker } from 'node:worker_threads';

export interface LoadResult {
  name: string;
  requests: number;
  errors: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

export interface BenchRequest {
  path: string;
  body: Buffer;
  headers?: Record<string, string>;
}

/**
 * Inside a worker: runs `start` (which listens and returns its port and a close function), posts
 * the port to the parent and closes on 'stop'.
 */
export async function serveInThisWorker(start: () => Promise<{ port: number; close: () => Promise<void> }>) {
  const port = parentPort;
  if (port === null) throw new Error('serveInThisWorker runs in a worker thread');
  const server = await start();
  port.on('message', (message) => {
    if (message === 'stop') void server.close().then(() => port.postMessage('stopped'));
  });
  port.postMessage({ port: server.port });
}

/** Starts the module at moduleUrl in a worker thread with workerData; resolves with the port it listens on. */
export function startWorkerServer(
  moduleUrl: string,
  data: unknown,
): Promise<{ port: number; stop: () => Promise<void> }> {
  // A worker does not inherit the main thread's tsx loader: it registers tsx, then loads the module.
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
    .then((tsx) => { tsx.register(); return import(${JSON.stringify(moduleUrl)}); })`;
  const worker = new Worker(bootstrap, { eval: true, workerData: data });
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

function post(agent: Agent, port: number, req: BenchRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path: req.path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': req.body.length, ...req.headers },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

/** `connections` loops, each sending one request after the other for durationMs; non-200 answers count as errors. */
export async function load(
  name: string,
  port: number,
  options: { connections: number; durationMs: number; next: (i: number) => BenchRequest },
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const latenciesMs: number[] = [];
  let errors = 0;
  let seq = 0;
  const start = process.hrtime.bigint();
  const endNs = start + BigInt(options.durationMs) * 1_000_000n;
  const loop = async () => {
    while (process.hrtime.bigint() < endNs) {
      const req = options.next(seq++);
      const t0 = process.hrtime.bigint();
      const status = await post(agent, port, req).catch(() => 0);
      latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (status !== 200) errors += 1;
    }
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
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

export function loadTable(rows: readonly LoadResult[], baseline: LoadResult): string {
  const lines = [
    `${'benchmark'.padEnd(68)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)} ${'vs baseline'.padStart(12)}`,
  ];
  for (const r of rows) {
    lines.push(
      `${r.name.padEnd(68)} ${Math.round(r.reqPerSec).toLocaleString('en-US').padStart(9)} ${r.p50Ms.toFixed(2).padStart(8)} ${r.p99Ms.toFixed(2).padStart(8)} ${String(r.errors).padStart(7)} ${`${(r.reqPerSec / baseline.reqPerSec).toFixed(3)}×`.padStart(12)}`,
    );
  }
  return lines.join('\n');
}

export interface DurableBaselineSpec {
  /** Postgres instead of the embedded PGlite (in memory, as the Sellify servers of the benchmarks). */
  databaseUrl?: string;
  /** Bytes of the row each request inserts (a random base64 payload). */
  rowBytes: number;
  path: string;
  /** The constant the route answers once the row is committed. */
  answer: unknown;
}

/**
 * The durability baseline: the same Fastify route, but each request inserts one row of
 * `rowBytes` into a scratch table and is answered only after the commit, with concurrent requests
 * sharing one transaction and one multi-row INSERT (the group commit Sellify uses). No
 * authentication, no engines, no encryption, no row-level security: what durability alone costs
 * on this database, to read next to Sellify's durable routes.
 */
export async function startDurableBaseline(
  spec: DurableBaselineSpec,
): Promise<{ port: number; close: () => Promise<void> }> {
  const { randomBytes } = await import('node:crypto');
  const { fastify } = await import('fastify');
  const { openDb } = await import('../src/store/db.ts');
  const { createGroupWriter } = await import('../src/store/group-commit.ts');
  const db = await openDb(
    spec.databaseUrl ? { dataDir: '', databaseUrl: spec.databaseUrl } : { dataDir: '', memory: true },
  );
  const table = `bench_durable_${randomBytes(4).toString('hex')}`;
  await db.ownerTx((tx) =>
    tx.query(
      `CREATE TABLE ${table} (id bigint PRIMARY KEY, payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
      [],
    ),
  );
  let seq = 0;
  const writer = createGroupWriter<{ id: number; payload: string }>((_, rows) =>
    db.ownerTx(async (tx) => {
      await tx.query(
        `INSERT INTO ${table} (id, payload) VALUES ${rows.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ')}`,
        rows.flatMap((r) => [r.id, r.payload]),
      );
    }),
  );
  const app = fastify({ logger: false, bodyLimit: 3 * 1024 * 1024 });
  app.post(spec.path, async () => {
    await writer.write('baseline', {
      id: ++seq,
      // Base64 of random bytes, as a sealed column is stored (and as little compressible).
      payload: randomBytes(Math.ceil((spec.rowBytes * 3) / 4))
        .toString('base64')
        .slice(0, spec.rowBytes),
    });
    return spec.answer;
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    port: (app.server.address() as { port: number }).port,
    close: async () => {
      await app.close();
      await db.ownerTx((tx) => tx.query(`DROP TABLE ${table}`, []));
      await db.close();
    },
  };
}
