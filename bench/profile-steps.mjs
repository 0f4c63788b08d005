// Time per message and step of a .cpuprofile from `bench/profile.ts webhooks N`: each sample goes
// to the innermost frame on its stack that belongs to a step (so JSON.stringify called by the
// decision repository counts as sealing, a writev called by pg as sending), then the steps are
// divided by N. `node bench/profile-steps.mjs f.cpuprofile N`. The profile samples wall time: a
// thread waiting for a core shows up in the call it was in (on a loaded machine, writev).
import { readFileSync } from 'node:fs';

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const messages = Number(process.argv[3] ?? 1500);
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

/** [step, matches(functionName, url)], innermost match wins; first listed wins on one frame. */
const steps = [
  ['writev: sending a statement (includes waiting for a core)', (f) => f === 'writev' || f === 'writeBuffer'],
  ['idle: event loop waiting (for PostgreSQL)', (f) => f === '(idle)'],
  ['garbage collection', (f) => f === '(garbage collector)'],
  ['deflate of the audit verdicts (zlib)', (_, u) => u.startsWith('node:zlib')],
  ['AES-GCM seal and unseal (crypto/keyring)', (_, u) => u.includes('/src/crypto/keyring')],
  ['blind index and other hashing', (f) => /blindIndex|createHash|^Hash$/.test(f)],
  ['decide() (src/engines)', (_, u) => u.includes('/src/engines/')],
  ['time zones (domain/time, Intl)', (f, u) => u.includes('/src/domain/time') || /DateTimeFormat/.test(f)],
  [
    'pg: parsing results (parser, field descriptions, rows, dates)',
    (_, u) => /pg-protocol\/dist\/parser|postgres-date|\/pg\/lib\/result|pg-types/.test(u),
  ],
  [
    'pg: building and sending statements (pg, serializer, socket)',
    (_, u) => /\/pg\/lib\/|pg-protocol|pg-pool|node:net|stream_base_commons|streams\/writable/.test(u),
  ],
  ['socket reads (Node streams)', (_, u) => /streams\/readable/.test(u)],
  ['job rows (src/queue)', (_, u) => u.includes('/src/queue/')],
  ['ids (store/ids)', (_, u) => u.includes('/src/store/ids')],
  ['repositories: rows, SQL text, JSON (src/store)', (_, u) => u.includes('/src/store/')],
  ['pipeline: batcher, context, act (src/pipeline)', (_, u) => u.includes('/src/pipeline/')],
  ['signature check (HMAC)', (f) => /checkSignature|verifyWebhook|verifyCloudWebhook|safeEqual/.test(f)],
  ['webhook parsing (src/http/routes, src/whatsapp)', (_, u) => /\/src\/(http|whatsapp)\//.test(u)],
  ['HTTP: Fastify, inject, helmet', (_, u) => /fastify|light-my-request|helmet|avvio|find-my-way/.test(u)],
  ['benchmark harness (bench/)', (_, u) => u.includes('/bench/')],
];
const OTHER = 'other (Node internals, microtasks, timers)';

const totals = new Map();
let sampled = 0;
for (const [i, id] of profile.samples.entries()) {
  const us = profile.timeDeltas[i] ?? 0;
  sampled += us;
  let hit = OTHER;
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const { functionName, url } = byId.get(cur).callFrame;
    const step = steps.find(([, matches]) => matches(functionName, url));
    if (step) {
      hit = step[0];
      break;
    }
  }
  totals.set(hit, (totals.get(hit) ?? 0) + us);
}
console.log(`sampled ${(sampled / messages).toFixed(0)} µs per message`);
for (const [step, us] of [...totals].sort((a, b) => b[1] - a[1]))
  console.log(
    `| ${step.padEnd(64)} | ${(us / messages).toFixed(0).padStart(6)} | ${((100 * us) / sampled).toFixed(1).padStart(5)} % |`,
  );
