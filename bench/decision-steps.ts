/**
 * Issue 17: where the CPU of one POST /api/v1/decision goes, step by step, measured as process CPU
 * time per call (not wall time, so a loaded machine inflates the figures less than it does
 * req/s). Each step runs alone in a loop on the example context; the whole request is measured
 * three ways through `inject` (the real app, one request at a time): POST /validate (the same
 * platform plugins, a small body, no write), POST /decision with the database left out (a store
 * whose statements go nowhere: everything up to the SQL text and its parameters, sealing
 * included), and POST /decision on PGlite in memory (group commit of one; PostgreSQL with
 * TEST_DATABASE_URL). Rounds alternate the measurements so drifting load hits them all alike; the
 * median of the rounds is printed.
 *
 * `node --import tsx bench/decision-steps.ts [rounds] [calls]`
 */
import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import fastJsonStringify from 'fast-json-stringify';
import { loadConfig } from '../src/config.ts';
import { createKeyring, generateKey } from '../src/crypto/keyring.ts';
import { parseContext } from '../src/engines/context.ts';
import { decide } from '../src/engines/decide.ts';
import { buildApp } from '../src/http/app.ts';
import { DecisionResponse, mergeContext } from '../src/http/routes/v1/advisor.ts';
import { decisionRecord } from '../src/pipeline/act.ts';
import { createMemoryLimiter } from '../src/ratelimit/memory.ts';
import { createStore, createTenant, newId, openDb, type Store } from '../src/store/index.ts';
import { decisionsRepo, packDetails } from '../src/store/repos/decisions.ts';
import { tenantRepos } from '../src/store/store.ts';

const rounds = Number(process.argv[2] ?? 5);
const calls = Number(process.argv[3] ?? 2000);
const API_KEY = `sk_bench${'0123456789abcdef'.repeat(2)}`;
const databaseUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;

const bodyText = JSON.stringify(
  JSON.parse(readFileSync(new URL('../examples/decision-context.json', import.meta.url), 'utf8')),
);
const validateText = JSON.stringify({
  text: 'Bonjour Aminata ! Sac noir : 15 000 FCFA. Je vous en réserve ?',
});

/** Thread CPU µs per call of fn, over `n` calls (async fns awaited one after the other). */
async function cpuPerCall(n: number, fn: () => unknown): Promise<number> {
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const r = fn();
    if (r instanceof Promise) await r;
  }
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / n;
}

const keyring = createKeyring(generateKey());
const db = await openDb(databaseUrl ? { dataDir: '', databaseUrl } : { dataDir: '', memory: true });
const tenant = await createTenant(db, { name: 'Steps' });
const realStore = createStore(db, keyring);
/** Every statement resolves with no rows at once: the app's own CPU without the database. */
let statements = 0;
const nullStore: Store = {
  ...realStore,
  async tx(tenantId, fn) {
    return fn(
      tenantRepos({
        tenantId,
        keyring,
        plaintexts: new Map(),
        tx: {
          async query() {
            statements++;
            return { rows: [] };
          },
        },
      }),
    );
  },
};
const config = {
  ...loadConfig({}),
  apiKey: API_KEY,
  rateLimitPerMinute: 1_000_000_000,
  tenantRateLimitPerMinute: 1_000_000_000,
};
const appOf = (store: Store) =>
  buildApp({
    config,
    store,
    limiter: createMemoryLimiter(),
    collectDefaultMetrics: false,
    defaultTenantId: tenant.id,
  });
const realApp = await appOf(realStore);
const nullApp = await appOf(nullStore);
const headers = { 'content-type': 'application/json', 'x-api-key': API_KEY };
const injectOk = async (app: typeof realApp, url: string, payload: string) => {
  const res = await app.inject({ method: 'POST', url, headers, payload });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
};

const parsed = JSON.parse(bodyText);
const nowIso = parsed.now as string;
const ctx = parseContext(mergeContext(parsed, {}, nowIso));
const decision = decide(ctx);
const record = decisionRecord(decision, { channelId: null, contactId: null, messageId: null, nowMs: 0 });
const serialize = fastJsonStringify(DecisionResponse as object);
const recordingRepo = decisionsRepo({
  tenantId: tenant.id,
  keyring,
  tx: {
    async query() {
      return { rows: [] };
    },
  },
});

const steps: [string, () => unknown][] = [
  [
    'inject POST /validate (platform, small body, no write)',
    () => injectOk(nullApp, '/api/v1/validate', validateText),
  ],
  ['inject POST /decision, database left out', () => injectOk(nullApp, '/api/v1/decision', bodyText)],
  [
    `inject POST /decision, ${databaseUrl ? 'PostgreSQL' : 'PGlite'} (one request at a time)`,
    () => injectOk(realApp, '/api/v1/decision', bodyText),
  ],
  ['  JSON.parse of the body', () => JSON.parse(bodyText)],
  ['  mergeContext + parseContext (TypeBox check)', () => parseContext(mergeContext(parsed, {}, nowIso))],
  ['  decide()', () => decide(ctx)],
  [
    '  decisionRecord (audit row object)',
    () => decisionRecord(decision, { channelId: null, contactId: null, messageId: null, nowMs: 0 }),
  ],
  [
    '  packDetails (JSON + deflate of reasons and verdicts)',
    () => packDetails(record.reasons, record.verdicts),
  ],
  [
    '    JSON.stringify of reasons and verdicts',
    () => JSON.stringify({ reasons: record.reasons, verdicts: record.verdicts }),
  ],
  [
    '    deflateRawSync level 1 of that JSON',
    () =>
      deflateRawSync(JSON.stringify({ reasons: record.reasons, verdicts: record.verdicts }), { level: 1 }),
  ],
  [
    '  insertMany row values (pack + 3 seals + SQL text), no database',
    () => recordingRepo.insertMany([{ id: newId('dec'), ...record }]),
  ],
  [
    '  keyring.encrypt of the verdicts',
    () =>
      keyring.encrypt('x'.repeat(1631), {
        tenantId: tenant.id,
        table: 'decisions',
        column: 'verdicts_enc',
        rowId: 'dec_x',
      }),
  ],
  [
    '  response serialization (fast-json-stringify, the route schema)',
    () => serialize({ id: 'dec_x', ...decision }),
  ],
  ['  JSON.stringify of the response', () => JSON.stringify({ id: 'dec_x', ...decision })],
  ['  newId', () => newId('dec')],
];

// Warm-up: JIT and caches.
for (const [, fn] of steps) await cpuPerCall(Math.min(calls, 300), fn);
const results = new Map<string, number[]>();
for (let round = 0; round < rounds; round++) {
  for (const [name, fn] of steps) {
    const n = name.startsWith('inject') ? Math.max(200, Math.round(calls / 4)) : calls;
    const us = await cpuPerCall(n, fn);
    results.set(name, [...(results.get(name) ?? []), us]);
  }
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};
statements = 0;
await injectOk(nullApp, '/api/v1/decision', bodyText);
console.log(`rounds ${rounds}, load average ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
console.log(`statements per decision (database left out): ${statements}`);
console.log(
  `response JSON ${serialize({ id: 'dec_x', ...decision }).length} bytes, row ${JSON.stringify(record).length} bytes of JSON before sealing`,
);
for (const [name] of steps) {
  const xs = results.get(name) ?? [];
  console.log(
    `| ${name.padEnd(68)} | ${median(xs).toFixed(1).padStart(7)} | ${Math.min(...xs)
      .toFixed(1)
      .padStart(7)} |`,
  );
}
await realApp.close();
await nullApp.close();
await db.exec('DELETE FROM tenants WHERE id = $1', [tenant.id]);
await db.close();
