// Time per request and step of a .cpuprofile from `bench/profile.ts decision N` (issue 17): each
// sample goes to the innermost frame on its stack that belongs to a step (so JSON.stringify called
// by the decision repository counts as the audit row, zlib called by it as deflate), then the
// steps are divided by N. `node bench/decision-profile-steps.mjs f.cpuprofile N`. The profile
// samples wall time: on a loaded machine a thread waiting for a core shows up in the call it was in.
import { readFileSync } from 'node:fs';

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const N = Number(process.argv[3] ?? 2000);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const steps = [
  ['gc', (f) => f === '(garbage collector)'],
  ['idle', (f) => f === '(idle)'],
  ['deflate (zlib)', (_, u) => u.startsWith('node:zlib')],
  ['AES-GCM (keyring)', (_, u) => u.includes('/src/crypto/keyring')],
  ['ids / request id', (_, u) => u.includes('/src/store/ids') || u.includes('plugins/request-id')],
  ['decide() (src/engines)', (_, u) => u.includes('/src/engines/')],
  ['withAssist', (_, u) => u.includes('pipeline/assist')],
  [
    'metrics (prom-client, plugins/metrics)',
    (_, u) => u.includes('prom-client') || u.includes('plugins/metrics'),
  ],
  ['rate limit', (_, u) => u.includes('/src/ratelimit') || u.includes('plugins/rate-limit')],
  ['auth', (_, u) => u.includes('plugins/auth')],
  ['typebox (parseContext)', (_, u) => u.includes('@sinclair/typebox') || u.includes('engines/context')],
  ['audit row: decisions repo (JSON, SQL)', (_, u) => u.includes('repos/decisions')],
  ['group commit', (_, u) => u.includes('group-commit')],
  ['store (tx, repos)', (_, u) => u.includes('/src/store/')],
  ['pglite', (_, u) => u.includes('pglite') || u.startsWith('wasm')],
  ['pg', (_, u) => /\/pg\/lib\/|pg-protocol|pg-pool/.test(u)],
  [
    'response serialization (fast-json-stringify)',
    (f, u) => u.includes('fast-json-stringify') || (/serialize/i.test(f) && u.includes('fastify')),
  ],
  [
    'body parse (secure-json-parse, content-type-parser)',
    (_, u) => u.includes('secure-json-parse') || u.includes('content-type-parser'),
  ],
  ['ajv validation', (f, u) => u.includes('/ajv') || /^validate\d+$/.test(f) || u.includes('lib/validation')],
  ['route handler (advisor.ts)', (_, u) => u.includes('routes/v1/advisor')],
  ['other src/http', (_, u) => u.includes('/src/http/')],
  ['light-my-request (inject)', (_, u) => u.includes('light-my-request')],
  ['fastify core', (_, u) => /fastify|avvio|find-my-way|helmet/.test(u)],
  ['bench harness', (_, u) => u.includes('/bench/')],
];
const totals = new Map();
let sampled = 0;
for (const [i, id] of profile.samples.entries()) {
  const us = profile.timeDeltas[i] ?? 0;
  sampled += us;
  let hit = 'other (node internals, microtasks)';
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const { functionName, url } = byId.get(cur).callFrame;
    const s = steps.find(([, m]) => m(functionName, url));
    if (s) {
      hit = s[0];
      break;
    }
  }
  totals.set(hit, (totals.get(hit) ?? 0) + us);
}
console.log(`sampled ${(sampled / N).toFixed(0)} µs per request`);
for (const [s, us] of [...totals].sort((a, b) => b[1] - a[1]))
  console.log(
    `| ${s.padEnd(52)} | ${(us / N).toFixed(0).padStart(5)} | ${((100 * us) / sampled).toFixed(1).padStart(5)} % |`,
  );
