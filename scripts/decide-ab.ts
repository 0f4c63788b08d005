/**
 * The engine of this work tree against the engine of another commit, loaded side by side in one
 * process (`git archive` of the other commit's src/ unpacked under node_modules/.cache, so both
 * resolve the same packages). For performance work that must not change any result (issue 14).
 *
 *   node --import tsx scripts/decide-ab.ts check   [--base <rev>]
 *     detectIntent() and decide() on every message of every intent corpus under test/fixtures,
 *     with both engines: per corpus, the number of messages, a hash of the outputs and how many
 *     differ. Exits 1 on any difference. Held-out corpora are only hashed and counted: their texts
 *     and outcomes are never printed (differing message ids are listed for development corpora).
 *   node --import tsx scripts/decide-ab.ts latency [--base <rev>] [--reps 6] [--calls 20000]
 *     decide() on the short development messages (the `npm run bench intents` latency set), the
 *     two engines alternately, each block of `calls` calls in a fresh process (two copies in one
 *     process are not comparable), which engine goes first alternating; medians over the blocks.
 *     Both engines are unpacked commits (HEAD and the base), loaded the same way: commit first.
 *   node --import tsx scripts/decide-ab.ts memory  [--base <rev>]
 *     Heap and RSS of a fresh process that loads one engine and decides every message of the
 *     development corpora once (every pattern run), three processes per engine.
 *
 * `--base` defaults to the merge base of HEAD and main.
 */
import { execFileSync, execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  contextFor,
  DEV_CORPORA,
  type IntentCorpus,
  loadCorpus,
  sellerLanguage,
  shortDevContexts,
} from '../bench/intent-eval.ts';
import type { DecisionContext } from '../src/engines/context.ts';
import type { IntentInput, IntentVerdict } from '../src/engines/intent.ts';

interface Engine {
  label: string;
  decide: (ctx: DecisionContext) => unknown;
  detectIntent: (input: IntentInput) => IntentVerdict;
}

const HELDOUT_NAME = /heldout-\d+\.json$/;
/**
 * A held-out corpus: only hashed and counted, its messages never listed. Every heldout-N.json is,
 * unless it was retired into development data (DEV_CORPORA: heldout-2 and heldout-3 since the sixth
 * pass), so a new held-out set is protected before anyone names it here.
 */
function isHeldOut(path: string): boolean {
  return HELDOUT_NAME.test(path) && !DEV_CORPORA.includes(path);
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

/** src/ of `rev`, unpacked once under node_modules/.cache (ignored by git, resolves node_modules). */
function baseSrc(rev: string): string {
  const sha = execFileSync('git', ['rev-parse', rev], { encoding: 'utf8' }).trim();
  const dir = resolve('node_modules/.cache/decide-ab', sha);
  if (!existsSync(join(dir, 'src'))) {
    mkdirSync(dir, { recursive: true });
    execSync(`git archive ${sha} src | tar -x -C ${JSON.stringify(dir)}`);
  }
  return join(dir, 'src');
}

async function loadEngine(label: string, src: string): Promise<Engine> {
  const decideModule = await import(pathToFileURL(join(src, 'engines/decide.ts')).href);
  const intentModule = await import(pathToFileURL(join(src, 'engines/intent.ts')).href);
  return { label, decide: decideModule.decide, detectIntent: intentModule.detectIntent };
}

function baseRev(): string {
  return option('base', execFileSync('git', ['merge-base', 'HEAD', 'main'], { encoding: 'utf8' }).trim());
}

function corpusPaths(): string[] {
  const dir = 'test/fixtures/intents';
  return [
    'test/fixtures/intent-corpus.json',
    ...readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => `${dir}/${f}`),
  ];
}

/** One JSON line per message: the whole verdict and the whole decision. */
function outputs(engine: Engine, corpus: IntentCorpus): string[] {
  return corpus.messages.map((m) => {
    const catalog = corpus.catalogues[m.catalogue]!.products;
    const verdict = engine.detectIntent({ text: m.text, catalog, defaultLanguage: sellerLanguage(catalog) });
    const decision = engine.decide(contextFor(m, catalog));
    return JSON.stringify({ verdict, decision });
  });
}

function digest(lines: readonly string[]): string {
  const h = createHash('sha256');
  for (const l of lines) h.update(l).update('\n');
  return h.digest('hex').slice(0, 16);
}

async function check(): Promise<number> {
  const rev = baseRev();
  const head = await loadEngine('head', resolve('src'));
  const base = await loadEngine(`base ${rev.slice(0, 7)}`, baseSrc(rev));
  let differing = 0;
  console.log(`corpus${' '.repeat(34)}messages  head hash         base hash         differ`);
  for (const path of corpusPaths()) {
    const corpus = loadCorpus(path);
    const a = outputs(head, corpus);
    const b = outputs(base, corpus);
    const diff: string[] = [];
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff.push(corpus.messages[i]!.id);
    differing += diff.length;
    console.log(
      `${path.padEnd(40)}${String(a.length).padStart(8)}  ${digest(a)}  ${digest(b)}  ${diff.length}`,
    );
    // Held-out corpora: counts only, never which messages.
    if (diff.length > 0 && !isHeldOut(path)) console.log(`  differing ids: ${diff.slice(0, 10).join(' ')}`);
  }
  console.log(differing === 0 ? 'identical outputs' : `${differing} messages differ`);
  return differing === 0 ? 0 : 1;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function summary(samples: Float64Array): { p50: number; p90: number; p99: number; mean: number } {
  const sorted = Float64Array.from(samples).sort();
  let total = 0;
  for (const s of samples) total += s;
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    mean: total / samples.length,
  };
}

/** CPU time of the process per call, µs, by block: unlike wall time, not inflated by preemption. */
const cpuPerCall = new Map<string, number[]>();

function block(
  engine: Engine,
  ctxs: readonly DecisionContext[],
  calls: number,
  offset: number,
): Float64Array {
  const samples = new Float64Array(calls);
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    const ctx = ctxs[(offset + i) % ctxs.length]!;
    const t0 = process.hrtime.bigint();
    engine.decide(ctx);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const cpu = process.cpuUsage(cpu0);
  const list = cpuPerCall.get(engine.label) ?? [];
  list.push((cpu.user + cpu.system) / calls);
  cpuPerCall.set(engine.label, list);
  return samples;
}

function format(label: string, s: ReturnType<typeof summary>): string {
  return `${label.padEnd(24)} p50 ${s.p50.toFixed(1).padStart(7)}  p90 ${s.p90.toFixed(1).padStart(7)}  p99 ${s.p99.toFixed(1).padStart(7)}  mean ${s.mean.toFixed(1).padStart(7)} µs`;
}

/**
 * One engine alone in this process: warm-up, then `calls` decisions; prints the samples' summary
 * and the CPU time per call as JSON. Two copies of the engine in one process are not comparable
 * (the copy loaded second measured 1.6× slower than the first on the same code), so each block of
 * the comparison runs in a fresh process.
 */
async function latencyChild(src: string, calls: number, offset: number): Promise<number> {
  const engine = await loadEngine('child', src);
  const ctxs = shortDevContexts();
  block(engine, ctxs, 4000, 0); // warm-up: every pattern compiled, every cache filled
  const samples = block(engine, ctxs, calls, offset);
  console.log(JSON.stringify({ ...summary(samples), cpu: cpuPerCall.get('child')!.at(-1)! }));
  return 0;
}

async function latency(): Promise<number> {
  const rev = baseRev();
  const reps = Number(option('reps', '6'));
  const calls = Number(option('calls', '20000'));
  const engines = [
    // HEAD unpacked like the base, so that both load the same way (committed changes only).
    { label: 'head', src: baseSrc('HEAD') },
    { label: `base ${rev.slice(0, 7)}`, src: baseSrc(rev) },
  ];
  console.log(`load before: ${execSync('uptime').toString().trim()}`);
  console.log(
    `512 short dev messages; ${reps} repetitions × ${calls} calls per engine, each in a fresh process, alternating`,
  );
  type Block = ReturnType<typeof summary> & { cpu: number };
  const blocks: Block[][] = engines.map(() => []);
  for (let r = 0; r < reps; r++) {
    const order = r % 2 === 0 ? [0, 1] : [1, 0];
    for (const k of order) {
      const out = execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          'scripts/decide-ab.ts',
          'latency-child',
          engines[k]!.src,
          String(calls),
          String(r * 7919),
        ],
        { encoding: 'utf8' },
      );
      const b = JSON.parse(out.trim().split('\n').pop()!) as Block;
      blocks[k]!.push(b);
      console.log(`${format(`rep ${r + 1} ${engines[k]!.label}`, b)}  cpu ${b.cpu.toFixed(1)} µs/call`);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const med = blocks.map((bs) => ({
    p50: median(bs.map((b) => b.p50)),
    p90: median(bs.map((b) => b.p90)),
    p99: median(bs.map((b) => b.p99)),
    mean: median(bs.map((b) => b.mean)),
    cpu: median(bs.map((b) => b.cpu)),
  }));
  console.log('median over repetitions:');
  for (const [k, e] of engines.entries())
    console.log(`${format(e.label, med[k]!)}  cpu ${med[k]!.cpu.toFixed(1)} µs/call`);
  const [h, b] = med as [(typeof med)[number], (typeof med)[number]];
  console.log(
    `head/base: p50 ${(h.p50 / b.p50).toFixed(2)}×, p90 ${(h.p90 / b.p90).toFixed(2)}×, p99 ${(h.p99 / b.p99).toFixed(2)}×, mean ${(h.mean / b.mean).toFixed(2)}×, cpu ${(h.cpu / b.cpu).toFixed(2)}×`,
  );
  console.log(`load after: ${execSync('uptime').toString().trim()}`);
  return 0;
}

async function memoryChild(src: string): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  const before = process.memoryUsage();
  const engine = await loadEngine('child', src);
  // Every message of the development corpora, so that every pattern has run (and been compiled)
  // in both engines: a prefilter that skips patterns would otherwise look like a memory saving.
  for (const path of corpusPaths().filter((p) => !isHeldOut(p))) {
    const corpus = loadCorpus(path);
    for (const m of corpus.messages) {
      const catalog = corpus.catalogues[m.catalogue]!.products;
      engine.decide(contextFor(m, catalog));
    }
  }
  for (const ctx of shortDevContexts()) engine.decide(ctx);
  gc();
  gc();
  const after = process.memoryUsage();
  console.log(
    JSON.stringify({
      heapUsedMB: after.heapUsed / 2 ** 20,
      rssMB: after.rss / 2 ** 20,
      arrayBuffersMB: after.arrayBuffers / 2 ** 20,
      heapGrowthMB: (after.heapUsed - before.heapUsed) / 2 ** 20,
    }),
  );
  return 0;
}

async function memory(): Promise<number> {
  const rev = baseRev();
  for (const [label, src] of [
    ['head', resolve('src')],
    [`base ${rev.slice(0, 7)}`, baseSrc(rev)],
  ] as const) {
    for (let run = 0; run < 3; run++) {
      const out = execFileSync(
        process.execPath,
        ['--expose-gc', '--import', 'tsx', 'scripts/decide-ab.ts', 'memory-child', src],
        { encoding: 'utf8' },
      );
      const m = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
      console.log(
        `${label.padEnd(14)} heap used ${m.heapUsedMB!.toFixed(2)} MB (engine loaded and warm: +${m.heapGrowthMB!.toFixed(2)} MB), array buffers ${m.arrayBuffersMB!.toFixed(2)} MB, rss ${m.rssMB!.toFixed(1)} MB`,
      );
    }
  }
  return 0;
}

const mode = process.argv[2] ?? 'check';
const modes: Record<string, () => Promise<number>> = {
  check,
  latency,
  memory,
  'memory-child': () => memoryChild(process.argv[3]!),
  'latency-child': () => latencyChild(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5])),
};
const run = modes[mode];
if (!run) {
  console.error(`unknown mode ${mode}: check, latency or memory`);
  process.exit(2);
}
process.exitCode = await run();
