/**
 * Profiling harness for issue 17 (not a benchmark section: no baseline). Drives POST
 * /api/v1/decision and signed webhooks through the real app in this process with `inject` and a
 * fixed concurrency, and prints wall time per step (store transaction, decide, seal) collected by
 * wrapping the store. `node --import tsx bench/profile.ts decision|webhooks [requests]` also writes
 * a CPU profile of the measured part only (start-up and migrations left out) to
 * `$PROFILE_DIR/<which>.cpuprofile` (default the system temp dir); summarize it with
 * `node bench/profile-summary.mjs <file.cpuprofile>`.
 * DATABASE_URL or TEST_DATABASE_URL selects PostgreSQL; default PGlite in memory. Webhooks go
 * through the ingestion batcher as in production; PROFILE_BATCH=0 calls processEvents unbatched,
 * PROFILE_LANES=n sets the batcher's lanes.
 */
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { createKeyring, generateKey } from '../src/crypto/keyring.ts';
import { buildApp } from '../src/http/app.ts';
import { createInboundBatcher, processEvents } from '../src/pipeline/index.ts';
import { startQueue } from '../src/queue/index.ts';
import { createMemoryLimiter } from '../src/ratelimit/memory.ts';
import { createStore, createTenant, openDb, type Queryable, type Store } from '../src/store/index.ts';

const which = process.argv[2] ?? 'decision';
const total = Number(process.argv[3] ?? 3000);
const databaseUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
const API_KEY = `sk_bench${'0123456789abcdef'.repeat(2)}`;
const APP_SECRET = 'bench-app-secret';

/** Wall time inside store transactions, and per SQL statement kind. */
const timings = new Map<string, { n: number; ms: number }>();
function add(name: string, ms: number) {
  const t = timings.get(name) ?? { n: 0, ms: 0 };
  t.n++;
  t.ms += ms;
  timings.set(name, t);
}

function timedStore(store: Store): Store {
  return {
    ...store,
    async tx(tenantId, fn, options) {
      const t0 = performance.now();
      try {
        return await store.tx(tenantId, fn, options);
      } finally {
        add('store.tx (whole transaction)', performance.now() - t0);
      }
    },
  };
}

/**
 * PostgreSQL wire counts of Sellify's own pool (application_name 'sellify'; the queue's pool is
 * left out): every query message sent (BEGIN and COMMIT included), and the round trips among them
 * — a query sent while its connection has nothing in flight. A query sent behind one still in
 * flight (pg's pipeline mode) shares that round trip; without pipeline mode pg holds it until the
 * one before has answered, so every query is a round trip of its own.
 */
const wire = { queries: 0, roundTrips: 0, texts: new Set<string>() };
interface PgClientState {
  connectionParameters?: { application_name?: string };
  pipeline?: boolean;
  _activeQuery?: unknown;
  _sentQueryQueue?: unknown[];
  _queryQueue?: unknown[];
}
if (databaseUrl) {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = proto.query;
  proto.query = function (this: PgClientState, ...args: unknown[]) {
    if (this.connectionParameters?.application_name === 'sellify') {
      wire.queries++;
      const inFlight =
        this.pipeline === true &&
        (this._activeQuery != null ||
          (this._sentQueryQueue?.length ?? 0) > 0 ||
          (this._queryQueue?.length ?? 0) > 0);
      if (!inFlight) wire.roundTrips++;
      // Distinct texts sent with values: each takes one of the process's prepared-statement names.
      const config = args[0] as { text?: string; values?: unknown[] } | string;
      if (typeof config === 'string') {
        if (Array.isArray(args[1])) wire.texts.add(config);
      } else if (config.values !== undefined && config.text !== undefined) wire.texts.add(config.text);
    }
    return query.apply(this, args);
  };
}

const db = await openDb(databaseUrl ? { dataDir: '', databaseUrl } : { dataDir: '', memory: true });
// Per statement: wrap the tenant transaction's query.
const tenantTx = db.tenantTx.bind(db);
function timedSql(sql: string, t0: number): void {
  add(`sql: ${sql.replace(/\s+/g, ' ').trim().slice(0, 60)}`, performance.now() - t0);
}
db.tenantTx = (tenantId, fn) =>
  tenantTx(tenantId, (tx) => {
    const timedTx: Queryable = {
      async query<T>(sql: string, params?: unknown[]) {
        const t0 = performance.now();
        try {
          return await tx.query<T>(sql, params);
        } finally {
          timedSql(sql, t0);
        }
      },
    };
    // The batch's last write goes with its COMMIT where the database can (PostgreSQL).
    if (tx.queryThenCommit !== undefined)
      timedTx.queryThenCommit = async <T>(sql: string, params: unknown[]) => {
        const t0 = performance.now();
        try {
          return await (tx.queryThenCommit as NonNullable<Queryable['queryThenCommit']>)<T>(sql, params);
        } finally {
          timedSql(sql, t0);
        }
      };
    return fn(timedTx);
  });
const tenant = await createTenant(db, { name: 'Profile' });
// Seals and unseals per column: each is one AES-GCM call (a cipher object, the AAD, base64).
const keyring = createKeyring(generateKey());
const countedKeyring: typeof keyring = {
  ...keyring,
  encrypt(plaintext, ctx) {
    add(`seal: ${ctx.table}.${ctx.column}`, 0);
    return keyring.encrypt(plaintext, ctx);
  },
  decrypt(sealed, ctx) {
    add(`unseal: ${ctx.table}.${ctx.column}`, 0);
    return keyring.decrypt(sealed, ctx);
  },
};
const store = timedStore(createStore(db, countedKeyring));
const config = {
  ...loadConfig({}),
  apiKey: API_KEY,
  rateLimitPerMinute: 1_000_000_000,
  tenantRateLimitPerMinute: 1_000_000_000,
  webhookRateLimitPerMinute: 1_000_000_000,
};

async function drive(concurrency: number, request: (i: number) => Promise<number>): Promise<void> {
  // A short warm-up (JIT, caches), not profiled nor counted.
  for (let i = 0; i < 100; i++) await request(-1 - i);
  timings.clear();
  wire.queries = 0;
  wire.roundTrips = 0;
  wire.texts.clear();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  let next = 0;
  let errors = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        if ((await request(next++)) !== 200) errors++;
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const { profile } = await session.post('Profiler.stop');
  const file = join(process.env.PROFILE_DIR ?? tmpdir(), `${which}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  console.log(`profile: ${file}`);
  session.disconnect();
  console.log(`${which}: ${total} requests, ${errors} errors, ${(total / s).toFixed(0)} req/s in process`);
  // Process CPU (user and kernel) per request: what the sampling profile's shares are shares of,
  // except that a sample also counts the time the thread waited for a core (the profile is wall
  // time), which on a loaded machine shows up in the system call that was running (writev).
  console.log(
    `process CPU per request: ${(cpu.user / total).toFixed(0)} µs user + ${(cpu.system / total).toFixed(0)} µs system, wall ${((s * 1e6) / total).toFixed(0)} µs`,
  );
}

if (which === 'decision') {
  const app = await buildApp({
    config,
    store,
    limiter: createMemoryLimiter(),
    collectDefaultMetrics: false,
    defaultTenantId: tenant.id,
  });
  const body = readFileSync(new URL('../examples/decision-context.json', import.meta.url), 'utf8');
  await drive(50, async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/decision',
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
      payload: body,
    });
    return res.statusCode;
  });
  await app.close();
} else {
  const phoneNumberId = `7${Date.now()}`;
  const queue = await startQueue(db, databaseUrl ? { databaseUrl } : {});
  await store.tx(tenant.id, async (r) => {
    await r.channels.create({
      name: 'Bench',
      transport: 'cloud',
      routeKey: `cloud:${phoneNumberId}`,
      credentials: { phoneNumberId, accessToken: 't', appSecret: APP_SECRET, verifyToken: 'v' },
    });
    for (const [name, price] of [
      ['Sac noir', 15000],
      ['Robe wax', 12000],
      ['Baskets Nike', 25000],
    ] as const)
      await r.products.create({ name, price, currency: 'XOF', stock: 100 });
  });
  const deps = {
    store,
    queue,
    nowMs: Date.now,
    clientFor: () => {
      throw new Error('no sends');
    },
    sleep: async () => {},
    pacingScale: 1,
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
  const batched = process.env.PROFILE_BATCH !== '0';
  const batches = { n: 0, events: 0 };
  const ingest = batched
    ? createInboundBatcher(deps, {
        ...(process.env.PROFILE_LANES ? { lanes: Number(process.env.PROFILE_LANES) } : {}),
        onBatch: (b) => {
          batches.n++;
          batches.events += b.events;
        },
      })
    : (target: Parameters<typeof processEvents>[1], events: Parameters<typeof processEvents>[2]) =>
        processEvents(deps, target, events);
  process.on('beforeExit', () => {
    if (batched)
      console.log(
        `batches: ${batches.n}, ${(batches.events / Math.max(1, batches.n)).toFixed(1)} events each`,
      );
  });
  const app = await buildApp({
    config,
    store,
    limiter: createMemoryLimiter(),
    collectDefaultMetrics: false,
    webhooks: {
      processEvents: async (target, events) => {
        const t0 = performance.now();
        try {
          return await ingest(target, events);
        } finally {
          add('processEvents (whole message)', performance.now() - t0);
        }
      },
    },
  });
  const run = Date.now();
  const questions = [
    "Bonjour, c'est combien le sac noir ?",
    'cb la robe wax stp',
    'Hello, how much are the Nike shoes?',
  ];
  // PROFILE_SENDERS distinct customers (default 5,000: every measured message is a new one up to
  // 4,900 requests); at 100 or fewer the warm-up has met them all, so every one is returning.
  const senders = Number(process.env.PROFILE_SENDERS ?? 5_000);
  await drive(16, async (i) => {
    const from = `22507${String(10_000_000 + ((i + senders) % senders)).slice(-8)}`;
    const payload = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '2250700000001', phone_number_id: phoneNumberId },
                contacts: [{ profile: { name: 'Client' }, wa_id: from }],
                messages: [
                  {
                    from,
                    id: `wamid.prof_${run}_${i}`,
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    type: 'text',
                    text: { body: questions[i % questions.length] },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    const signature = createHmac('sha256', APP_SECRET).update(payload).digest('hex');
    const res = await app.inject({
      method: 'POST',
      url: '/webhooks/whatsapp',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${signature}` },
      payload,
    });
    return res.statusCode;
  });
  await app.close();
  await db.exec(`DELETE FROM pgboss.job WHERE data->>'tenantId' = $1`, [tenant.id]);
  await queue.stop({ graceful: false });
}

const rows = [...timings.entries()]
  .filter(([name]) => !/^(un)?seal: /.test(name))
  .sort((a, b) => b[1].ms - a[1].ms);
const seals = [...timings.entries()]
  .filter(([name]) => /^(un)?seal: /.test(name))
  .sort((a, b) => b[1].n - a[1].n);
console.log(
  `${(seals.reduce((sum, [, t]) => sum + t.n, 0) / total).toFixed(2)} seals and unseals per request: ${seals
    .map(([name, t]) => `${name} ${(t.n / total).toFixed(2)}`)
    .join(', ')}`,
);
let statements = 0;
for (const [name, t] of rows) if (name.startsWith('sql: ')) statements += t.n;
console.log(`${(statements / total).toFixed(2)} SQL statements per request (tenant transactions)`);
if (databaseUrl)
  console.log(
    `PostgreSQL wire (all of Sellify's pool, BEGIN and COMMIT included): ${(wire.queries / total).toFixed(2)} queries, ${(wire.roundTrips / total).toFixed(2)} round trips per request; ${wire.texts.size} distinct statement texts with values`,
  );
for (const [name, t] of rows.slice(0, 30))
  console.log(
    `${(t.ms / total).toFixed(3).padStart(8)} ms/req  ${String(t.n).padStart(6)}×  ${(t.ms / t.n).toFixed(3).padStart(8)} ms each  ${name}`,
  );
await db.exec('DELETE FROM tenants WHERE id = $1', [tenant.id]);
await db.close();
