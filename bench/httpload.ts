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
