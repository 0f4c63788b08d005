// Self time of a .cpuprofile grouped by where the code lives: node_modules package, src/ folder,
// Node internals, the WASM of PGlite, garbage collection. `node bench/profile-summary.mjs f.cpuprofile [top]`
import { readFileSync } from 'node:fs';

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const top = Number(process.argv[3] ?? 25);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const deltas = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0));
}
const group = (url, fn) => {
  if (fn === '(garbage collector)') return 'gc';
  if (fn === '(idle)' || fn === '(program)') return fn;
  if (!url) return fn.startsWith('$') || /^\d+$/.test(fn) ? 'wasm (pglite)' : `native: ${fn}`;
  if (url.startsWith('wasm://')) return 'wasm (pglite)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
    return `npm: ${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const src = url.indexOf('/src/');
  if (src >= 0)
    return `src/${
      url
        .slice(src + 5)
        .split('/')
        .slice(0, -1)
        .join('/') || '.'
    }`;
  if (url.startsWith('node:')) return `node: ${url.slice(5).split('/')[0]}`;
  return url.split('/').slice(-2).join('/');
};
const groups = new Map();
const fns = new Map();
let sum = 0;
for (const [id, us] of self) {
  const n = byId.get(id);
  const g = group(n.callFrame.url, n.callFrame.functionName);
  groups.set(g, (groups.get(g) ?? 0) + us);
  const f = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
  fns.set(f, (fns.get(f) ?? 0) + us);
  sum += us;
}
const print = (m) => {
  const rows = [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [k, us] of rows)
    console.log(
      `${((100 * us) / sum).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`,
    );
};
console.log(`total ${(sum / 1000).toFixed(0)} ms sampled\n-- by place`);
print(groups);
console.log('-- by function');
print(fns);
