/**
 * Signed Cloud API webhooks over real HTTP: each acknowledgement means the message was stored,
 * decided, and its reply and send job enqueued in one transaction (the 200 comes after the
 * commit), so acknowledgements per second are messages processed end to end per second.
 * Baselines in the same run: a bare Fastify route answering 200 to the same requests, and per
 * backend the same route committing one row of the bytes Sellify stores per message (group
 * commit, answered after the commit): durability alone, without Sellify.
 * Goals: ack p99 < 50 ms; ≥ 500 inbound messages/s end to end on Postgres. Sellify runs with the
 * production ingestion batcher (src/pipeline/batch.ts), and once per backend one transaction per
 * event, the path before it, for the ratio.
 */
import { createHmac, randomBytes } from 'node:crypto';
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

const CONNECTIONS = 16;
/** Customers writing in the default rows: most measured messages come from a new customer. */
const NEW_CUSTOMERS = 5_000;
/**
 * Customers of the returning-customer rows: the warm-up alone sends each of them several
 * messages, so every measured message comes from a customer that already exists (issue 17).
 */
const RETURNING_CUSTOMERS = 100;
const WARMUP_MS = 2_000;
const MEASURE_MS = 8_000;
const APP_SECRET = 'bench-app-secret';
const PATH = '/webhooks/whatsapp';
/**
 * Bytes Sellify stores per inbound message (the message, decision, reply and job rows as text),
 * as printed by the Sellify server of this benchmark when it closes.
 */
const STORED_BYTES_PER_MESSAGE = 6_144;

interface ServerSpec {
  kind: 'bare' | 'durable' | 'sellify';
  /** Sellify: one transaction per event (the path before issue 17) instead of the production batcher. */
  unbatched?: boolean;
  /** Sellify batcher's lanes (default: the batcher's own, 1 on PGlite and 4 on PostgreSQL). */
  lanes?: number;
  databaseUrl?: string;
  phoneNumberId: string;
}

async function startBenchServer(spec: ServerSpec): Promise<{ port: number; close: () => Promise<void> }> {
  if (spec.kind === 'bare') {
    const { fastify } = await import('fastify');
    const app = fastify({ logger: false, bodyLimit: 3 * 1024 * 1024 });
    app.post(PATH, async () => ({ received: 1 }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { port: (app.server.address() as { port: number }).port, close: () => app.close() };
  }
  if (spec.kind === 'durable') {
    return startDurableBaseline({
      ...(spec.databaseUrl ? { databaseUrl: spec.databaseUrl } : {}),
      rowBytes: STORED_BYTES_PER_MESSAGE,
      path: PATH,
      answer: { received: 1 },
    });
  }
  const { loadConfig } = await import('../src/config.ts');
  const { buildApp } = await import('../src/http/app.ts');
  const { createKeyring, generateKey } = await import('../src/crypto/keyring.ts');
  const { createMemoryLimiter } = await import('../src/ratelimit/memory.ts');
  const { createStore, createTenant, openDb } = await import('../src/store/index.ts');
  const { startQueue } = await import('../src/queue/index.ts');
  const { createInboundBatcher, processEvents } = await import('../src/pipeline/index.ts');
  const db = await openDb(
    spec.databaseUrl ? { dataDir: '', databaseUrl: spec.databaseUrl } : { dataDir: '', memory: true },
  );
  const tenant = await createTenant(db, { name: 'Bench webhooks' });
  const store = createStore(db, createKeyring(generateKey()));
  const queue = await startQueue(db, spec.databaseUrl ? { databaseUrl: spec.databaseUrl } : {});
  await store.tx(tenant.id, async (r) => {
    await r.channels.create({
      name: 'Bench',
      transport: 'cloud',
      routeKey: `cloud:${spec.phoneNumberId}`,
      credentials: {
        phoneNumberId: spec.phoneNumberId,
        accessToken: 't',
        appSecret: APP_SECRET,
        verifyToken: 'v',
      },
    });
    for (const [name, price] of [
      ['Sac noir', 15000],
      ['Robe wax', 12000],
      ['Baskets Nike', 25000],
    ] as const) {
      await r.products.create({ name, price, currency: 'XOF', stock: 100 });
    }
  });
  const deps = {
    store,
    queue,
    nowMs: Date.now,
    clientFor: () => {
      throw new Error('no sends in this benchmark');
    },
    sleep: async () => {},
    pacingScale: 1,
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
  const app = await buildApp({
    // The webhook limit (default 6,000/min per channel) out of the way: the figures are the cost
    // of a message, not of a 429.
    config: {
      ...loadConfig({}),
      rateLimitPerMinute: 1_000_000_000,
      tenantRateLimitPerMinute: 1_000_000_000,
      webhookRateLimitPerMinute: 1_000_000_000,
    },
    store,
    limiter: createMemoryLimiter(),
    collectDefaultMetrics: false,
    webhooks: {
      processEvents: spec.unbatched
        ? (target, events) => processEvents(deps, target, events)
        : createInboundBatcher(deps, spec.lanes === undefined ? {} : { lanes: spec.lanes }),
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    port: (app.server.address() as { port: number }).port,
    close: async () => {
      await app.close();
      const counts = await db.exec(
        `SELECT (SELECT count(*) FROM messages WHERE tenant_id = $1 AND direction = 'in')::int AS inbound,
                (SELECT count(*) FROM decisions WHERE tenant_id = $1)::int AS decisions,
                (SELECT count(*) FROM pgboss.job WHERE data->>'tenantId' = $1)::int AS jobs,
                ((SELECT coalesce(sum(octet_length(m::text)), 0) FROM messages m WHERE tenant_id = $1)
                 + (SELECT coalesce(sum(octet_length(d::text)), 0) FROM decisions d WHERE tenant_id = $1)
                 + (SELECT coalesce(sum(octet_length(j::text)), 0) FROM pgboss.job j WHERE data->>'tenantId' = $1))
                 / greatest(1, (SELECT count(*) FROM messages WHERE tenant_id = $1 AND direction = 'in'))::int
                 AS bytes_per_inbound`,
        [tenant.id],
      );
      console.log(
        `  stored for ${spec.databaseUrl ? 'Postgres' : 'PGlite'}: ${JSON.stringify(counts.rows[0])}`,
      );
      await db.exec(`DELETE FROM pgboss.job WHERE data->>'tenantId' = $1`, [tenant.id]);
      await db.exec('DELETE FROM tenants WHERE id = $1', [tenant.id]);
      await queue.stop({ graceful: false });
      await store.close();
    },
  };
}

if (!isMainThread && (workerData as { benchServer?: ServerSpec } | null)?.benchServer !== undefined) {
  await serveInThisWorker(() => startBenchServer((workerData as { benchServer: ServerSpec }).benchServer));
}

const QUESTIONS = [
  "Bonjour, c'est combien le sac noir ?",
  'cb la robe wax stp',
  'vous livrez à Yopougon ? et les baskets nike sont dispo ?',
  'Hello, how much are the Nike shoes?',
];

/** Meta's serialization: non-ASCII escaped as \\uXXXX with lowercase hex, signed over exactly those bytes. */
function signedWebhook(phoneNumberId: string, run: string, i: number, customers: number): BenchRequest {
  const from = `22507${String(10_000_000 + (i % customers)).slice(-8)}`;
  const payload = {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '2250700000001', phone_number_id: phoneNumberId },
              contacts: [{ profile: { name: 'Client Bench' }, wa_id: from }],
              messages: [
                {
                  from,
                  id: `wamid.bench_${run}_${i}`,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: 'text',
                  text: { body: QUESTIONS[i % QUESTIONS.length] },
                },
              ],
            },
          },
        ],
      },
    ],
  };
  const json = JSON.stringify(payload).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  const body = Buffer.from(json, 'utf8');
  const signature = createHmac('sha256', APP_SECRET).update(body).digest('hex');
  return { path: PATH, body, headers: { 'x-hub-signature-256': `sha256=${signature}` } };
}

/**
 * The process's CPU (user + system, every thread: the server's worker and the load generator) per
 * acknowledged request over the measured part, by benchmark name. PostgreSQL's own CPU is not in
 * it (another process, shared with whatever else runs on the machine).
 */
const cpuPerRequestUs = new Map<string, number>();

async function measure(spec: ServerSpec, name: string, customers = NEW_CUSTOMERS): Promise<LoadResult> {
  const server = await startWorkerServer(import.meta.url, { benchServer: spec });
  const run = randomBytes(4).toString('hex');
  try {
    await load(`${name} (warm-up)`, server.port, {
      connections: CONNECTIONS,
      durationMs: WARMUP_MS,
      next: (i) => signedWebhook(spec.phoneNumberId, `w${run}`, i, customers),
    });
    const cpu0 = process.cpuUsage();
    const result = await load(name, server.port, {
      connections: CONNECTIONS,
      durationMs: MEASURE_MS,
      next: (i) => signedWebhook(spec.phoneNumberId, run, i, customers),
    });
    const cpu = process.cpuUsage(cpu0);
    cpuPerRequestUs.set(name, (cpu.user + cpu.system) / Math.max(1, result.requests));
    return result;
  } finally {
    await server.stop();
  }
}

export async function run(): Promise<string> {
  const phoneNumberId = `9${Date.now()}`;
  const bare = await measure(
    { kind: 'bare', phoneNumberId },
    'baseline: bare Fastify POST route, constant 200',
  );
  const durablePglite = await measure(
    { kind: 'durable', phoneNumberId },
    `baseline: same route + group-committed ${STORED_BYTES_PER_MESSAGE} B row, PGlite`,
  );
  const pgliteOne = await measure(
    { kind: 'sellify', unbatched: true, phoneNumberId: `7${Date.now()}` },
    'same, one transaction per event (before batching), PGlite',
  );
  const pglite = await measure(
    { kind: 'sellify', phoneNumberId },
    'signed webhook → stored, decided, enqueued (PGlite)',
  );
  const pgliteReturning = await measure(
    { kind: 'sellify', phoneNumberId: `4${Date.now()}` },
    `same, ${RETURNING_CUSTOMERS} returning customers (PGlite)`,
    RETURNING_CUSTOMERS,
  );
  const rows = [bare, durablePglite, pgliteOne, pglite, pgliteReturning];
  const pairs: [string, LoadResult, LoadResult][] = [['PGlite', durablePglite, pglite]];
  const databaseUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (databaseUrl) {
    const durablePg = await measure(
      { kind: 'durable', databaseUrl, phoneNumberId },
      `baseline: same route + group-committed ${STORED_BYTES_PER_MESSAGE} B row, PostgreSQL`,
    );
    const pgOne = await measure(
      { kind: 'sellify', unbatched: true, databaseUrl, phoneNumberId: `6${Date.now()}` },
      'same, one transaction per event (before batching), PostgreSQL',
    );
    const pgOneLane = await measure(
      { kind: 'sellify', lanes: 1, databaseUrl, phoneNumberId: `5${Date.now()}` },
      'same, batched in one lane (one batch in flight), PostgreSQL',
    );
    const pg = await measure(
      { kind: 'sellify', databaseUrl, phoneNumberId: `8${Date.now()}` },
      'signed webhook → stored, decided, enqueued (PostgreSQL)',
    );
    const pgReturning = await measure(
      { kind: 'sellify', databaseUrl, phoneNumberId: `3${Date.now()}` },
      `same, ${RETURNING_CUSTOMERS} returning customers (PostgreSQL)`,
      RETURNING_CUSTOMERS,
    );
    rows.push(durablePg, pgOne, pgOneLane, pg, pgReturning);
    pairs.push(['PostgreSQL', durablePg, pg]);
  }
  const sellifyRows = pairs.map(([, , r]) => r);
  const last = pairs.at(-1)![2];
  return [
    `${CONNECTIONS} keep-alive connections, ${MEASURE_MS / 1000} s after a ${WARMUP_MS / 1000} s warm-up; ${NEW_CUSTOMERS.toLocaleString('en-US')} customers (${RETURNING_CUSTOMERS} in the returning-customer rows), 4 questions`,
    '',
    loadTable(rows, bare),
    '',
    'Node CPU per acknowledged request (user + system, server worker and load generator together):',
    ...rows.map(
      (r) =>
        `  ${r.name.padEnd(66)} ${Math.round(cpuPerRequestUs.get(r.name) ?? 0)
          .toLocaleString('en-US')
          .padStart(7)} µs`,
    ),
    '',
    ...pairs.map(
      ([backend, durable, r]) =>
        `${backend}: ${(r.reqPerSec / durable.reqPerSec).toFixed(3)}× the durable-insert baseline, ${(r.reqPerSec / bare.reqPerSec).toFixed(3)}× the bare route`,
    ),
    `goal ack p99 < 50 ms: ${sellifyRows.every((r) => r.p99Ms < 50) ? 'met' : 'NOT met'}; goal ≥ 500 messages/s end to end on Postgres: ${
      databaseUrl ? (last.reqPerSec >= 500 ? 'met' : 'NOT met') : 'not measured (no TEST_DATABASE_URL)'
    } (${Math.round(last.reqPerSec)}/s)`,
  ].join('\n');
}
