/**
 * `npm run train:intents [--cv-only] [--grid]`: trains the intent model and writes
 * src/engines/intent/model.json. Reproducible: the same data and code give the same file byte for
 * byte (fixed example order, full-batch AdaGrad from zero weights, integer quantization).
 *
 * Training data: the development corpus (test/fixtures/intents/dev.json), the older corpus
 * (test/fixtures/intent-corpus.json) and examples written for training only
 * (scripts/intent-training/own-examples.json). The held-out corpus is never read here.
 *
 * Model selection: 5-fold cross-validation on the development corpus (each fold scored by the
 * whole classifier — exact consent rules plus the model — trained on the other four folds, the old
 * corpus and the own examples) over a small grid; the best setting is then trained on everything.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { type CorpusMessage, type IntentCorpus, loadCorpus, sellerLanguage } from '../bench/intent-eval.ts';
import { INTENTS, type Intent } from '../src/domain/types.ts';
import { type Analysis, analyze, classify } from '../src/engines/intent/detect.ts';
import { featureBucket, HASH_BITS } from '../src/engines/intent/features.ts';
import type { IntentModel, ModelFile } from '../src/engines/intent/model.ts';

const DEV = 'test/fixtures/intents/dev.json';
const OLD = 'test/fixtures/intent-corpus.json';
const OWN = 'scripts/intent-training/own-examples.json';
const OUT = 'src/engines/intent/model.json';
const FOLDS = 5;
const SCALE = 1000;
const MIN_COUNT = 2;

interface Example {
  buckets: number[];
  label: number;
  weight: number;
}

interface Setting {
  l2: number;
  chars: boolean;
  oldWeight: number;
  iterations: number;
}

const classes: readonly Intent[] = INTENTS;
const K = classes.length;

function analyses(corpus: IntentCorpus, chars: boolean): Analysis[] {
  return corpus.messages.map((m: CorpusMessage) => {
    const catalog = corpus.catalogues[m.catalogue]!.products;
    return analyze({ text: m.text, catalog, defaultLanguage: sellerLanguage(catalog) }, chars);
  });
}

function toExamples(corpus: IntentCorpus, list: readonly Analysis[], weight: number): Example[] {
  return corpus.messages.map((m, i) => {
    const seen = new Set<number>();
    for (const f of list[i]!.features) seen.add(featureBucket(f));
    return { buckets: [...seen].sort((a, b) => a - b), label: classes.indexOf(m.intent), weight };
  });
}

/** Weighted softmax regression with L2, full-batch AdaGrad from zero: deterministic. */
function train(
  examples: readonly Example[],
  s: Setting,
): { bias: Float64Array; weights: Map<number, Float64Array> } {
  const counts = new Map<number, number>();
  for (const e of examples) for (const b of e.buckets) counts.set(b, (counts.get(b) ?? 0) + 1);
  const kept = [...counts.entries()].filter(([, c]) => c >= MIN_COUNT).map(([b]) => b);
  kept.sort((a, b) => a - b);
  const col = new Map<number, number>();
  kept.forEach((b, i) => {
    col.set(b, i);
  });
  const rows = examples.map((e) =>
    e.buckets.map((b) => col.get(b)).filter((i): i is number => i !== undefined),
  );
  const W = new Float64Array(kept.length * K);
  const bias = new Float64Array(K);
  const gW = new Float64Array(W.length);
  const gB = new Float64Array(K);
  const hW = new Float64Array(W.length).fill(1e-8);
  const hB = new Float64Array(K).fill(1e-8);
  const lr = 0.3;
  let totalWeight = 0;
  for (const e of examples) totalWeight += e.weight;
  const z = new Float64Array(K);
  for (let it = 0; it < s.iterations; it++) {
    gW.fill(0);
    gB.fill(0);
    for (let n = 0; n < examples.length; n++) {
      const e = examples[n]!;
      const r = rows[n]!;
      for (let c = 0; c < K; c++) z[c] = bias[c]!;
      for (const j of r) for (let c = 0; c < K; c++) z[c]! += W[j * K + c]!;
      let max = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < K; c++) if (z[c]! > max) max = z[c]!;
      let sum = 0;
      for (let c = 0; c < K; c++) {
        z[c] = Math.exp(z[c]! - max);
        sum += z[c]!;
      }
      const w = e.weight / totalWeight;
      for (let c = 0; c < K; c++) {
        const g = w * (z[c]! / sum - (c === e.label ? 1 : 0));
        gB[c]! += g;
        for (const j of r) gW[j * K + c]! += g;
      }
    }
    for (let i = 0; i < W.length; i++) {
      const g = gW[i]! + s.l2 * W[i]!;
      hW[i]! += g * g;
      W[i]! -= (lr * g) / Math.sqrt(hW[i]!);
    }
    for (let c = 0; c < K; c++) {
      hB[c]! += gB[c]! * gB[c]!;
      bias[c]! -= (lr * gB[c]!) / Math.sqrt(hB[c]!);
    }
  }
  const weights = new Map<number, Float64Array>();
  kept.forEach((b, i) => {
    weights.set(b, W.slice(i * K, (i + 1) * K));
  });
  return { bias, weights };
}

function quantize(w: number): number {
  return Math.max(-32767, Math.min(32767, Math.round(w * SCALE)));
}

function toModel(trained: ReturnType<typeof train>, chars: boolean): { model: IntentModel; file: ModelFile } {
  const buckets = [...trained.weights.keys()].sort((a, b) => a - b);
  const kept: number[] = [];
  const values: number[] = [];
  for (const b of buckets) {
    const row = Array.from(trained.weights.get(b)!, quantize);
    if (row.every((v) => v === 0)) continue;
    kept.push(b);
    values.push(...row);
  }
  const bucketBuf = Buffer.alloc(kept.length * 4);
  kept.forEach((b, i) => {
    bucketBuf.writeUInt32LE(b, i * 4);
  });
  const weightBuf = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => {
    weightBuf.writeInt16LE(v, i * 2);
  });
  const bias = Array.from(trained.bias, quantize);
  const rowOf = new Map<number, number>();
  kept.forEach((b, i) => {
    rowOf.set(b, i * K);
  });
  const model: IntentModel = {
    classes,
    scale: SCALE,
    chars,
    bias: Int32Array.from(bias),
    rowOf,
    rows: Int16Array.from(values),
  };
  const file: ModelFile = {
    format: 'sellify-intent-model/1',
    classes: [...classes],
    hashBits: HASH_BITS,
    scale: SCALE,
    chars,
    bias,
    buckets: bucketBuf.toString('base64'),
    weights: weightBuf.toString('base64'),
    training: {},
  };
  return { model, file };
}

const dev = loadCorpus(DEV);
const old = loadCorpus(OLD);
const own = loadCorpus(OWN);
const cache = new Map<boolean, { dev: Analysis[]; old: Analysis[]; own: Analysis[] }>();
function analysed(chars: boolean) {
  let a = cache.get(chars);
  if (!a) {
    a = { dev: analyses(dev, chars), old: analyses(old, chars), own: analyses(own, chars) };
    cache.set(chars, a);
  }
  return a;
}

interface CvResult {
  accuracy: number;
  correct: number;
  total: number;
  perLanguage: Record<string, [number, number]>;
}

function crossValidate(s: Setting): CvResult {
  const a = analysed(s.chars);
  const devExamples = toExamples(dev, a.dev, 1);
  const rest = [...toExamples(old, a.old, s.oldWeight), ...toExamples(own, a.own, 1)];
  let correct = 0;
  const perLanguage: Record<string, [number, number]> = {};
  for (let f = 0; f < FOLDS; f++) {
    const trainSet = [...devExamples.filter((_, i) => i % FOLDS !== f), ...rest];
    const { model } = toModel(train(trainSet, s), s.chars);
    dev.messages.forEach((m, i) => {
      if (i % FOLDS !== f) return;
      const ok = classify(a.dev[i]!, model).intent === m.intent;
      if (ok) correct++;
      const l = perLanguage[m.lang] ?? [0, 0];
      perLanguage[m.lang] = l;
      l[1]++;
      if (ok) l[0]++;
    });
  }
  return { accuracy: correct / dev.messages.length, correct, total: dev.messages.length, perLanguage };
}

// The grid cross-validated last (see model.json "crossValidation"); `--grid` runs the wider one.
const grid: Setting[] = [];
if (process.argv.includes('--grid')) {
  for (const chars of [true, false])
    for (const l2 of [1e-4, 1e-3])
      for (const oldWeight of [0.5, 1]) grid.push({ l2, chars, oldWeight, iterations: 300 });
} else {
  grid.push({ l2: 1e-4, chars: true, oldWeight: 1, iterations: 300 });
}

const results: { setting: Setting; cv: CvResult }[] = [];
for (const setting of grid) {
  const cv = crossValidate(setting);
  results.push({ setting, cv });
  console.log(
    `cv ${JSON.stringify(setting)} → ${(cv.accuracy * 100).toFixed(1)} % (${cv.correct}/${cv.total}) ${Object.entries(
      cv.perLanguage,
    )
      .map(([l, [c, t]]) => `${l} ${((100 * c) / t).toFixed(1)} %`)
      .join(', ')}`,
  );
}
results.sort((x, y) => y.cv.accuracy - x.cv.accuracy || grid.indexOf(x.setting) - grid.indexOf(y.setting));
const best = results[0]!;
console.log(`best: ${JSON.stringify(best.setting)}`);

if (!process.argv.includes('--cv-only')) {
  const a = analysed(best.setting.chars);
  const all = [
    ...toExamples(dev, a.dev, 1),
    ...toExamples(old, a.old, best.setting.oldWeight),
    ...toExamples(own, a.own, 1),
  ];
  const { file } = toModel(train(all, best.setting), best.setting.chars);
  const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);
  file.training = {
    script: 'scripts/train-intents.ts',
    data: {
      [DEV]: { messages: dev.messages.length, sha256: sha(DEV) },
      [OLD]: { messages: old.messages.length, sha256: sha(OLD), weight: best.setting.oldWeight },
      [OWN]: { messages: own.messages.length, sha256: sha(OWN) },
    },
    setting: best.setting,
    minFeatureCount: MIN_COUNT,
    crossValidation: results.map((r) => ({
      setting: r.setting,
      accuracy: Math.round(r.cv.accuracy * 1000) / 1000,
    })),
  };
  writeFileSync(OUT, `${JSON.stringify(file, null, 1)}\n`);
  console.log(`wrote ${OUT} (${Buffer.byteLength(JSON.stringify(file))} bytes)`);
}
