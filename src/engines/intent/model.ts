/**
 * The intent model: a multinomial logistic regression over hashed features (features.ts), trained
 * offline by `npm run train:intents` (scripts/train-intents.ts) and committed as model.json. Weights
 * are integers (the trained weight × `scale`), so a message's score is an exact integer sum: no
 * floating-point order can change a verdict. Ties go to the class listed first.
 */
import { Buffer } from 'node:buffer';
import { inflateRawSync } from 'node:zlib';
import type { Intent } from '../../domain/types.ts';
import { FEATURE_GROUPS, type FeatureGroup, featureBucket } from './features.ts';
import weights from './model.json' with { type: 'json' };

export interface ModelFile {
  /** `/1`: buckets and weights are base64 of the raw arrays; `/2`: base64 of their raw deflate. */
  format: 'sellify-intent-model/1' | 'sellify-intent-model/2';
  classes: string[];
  hashBits: number;
  /** Integer weights are the trained weights times this. */
  scale: number;
  /** Character n-grams were features when the model was trained. */
  chars: boolean;
  bias: number[];
  /** Base64 of the buckets (uint32, little-endian, ascending). */
  buckets: string;
  /** Base64 of the weights (int16, little-endian), one row of `classes.length` per bucket. */
  weights: string;
  training: Record<string, unknown>;
}

export interface IntentModel {
  classes: readonly Intent[];
  scale: number;
  chars: boolean;
  bias: Int32Array;
  /** Bucket → row offset into `rows`. */
  rowOf: Map<number, number>;
  rows: Int16Array;
}

export function loadModel(file: ModelFile): IntentModel {
  const deflated = file.format === 'sellify-intent-model/2';
  if (!deflated && file.format !== 'sellify-intent-model/1')
    throw new Error(`unknown intent model format ${file.format}`);
  const bytes = (base64: string) =>
    deflated ? inflateRawSync(Buffer.from(base64, 'base64')) : Buffer.from(base64, 'base64');
  const k = file.classes.length;
  const bucketBytes = bytes(file.buckets);
  const weightBytes = bytes(file.weights);
  const n = bucketBytes.length / 4;
  if (weightBytes.length !== n * k * 2) throw new Error('intent model: weights do not match the buckets');
  const rowOf = new Map<number, number>();
  for (let i = 0; i < n; i++) rowOf.set(bucketBytes.readUInt32LE(i * 4), i * k);
  const rows = new Int16Array(n * k);
  for (let i = 0; i < n * k; i++) rows[i] = weightBytes.readInt16LE(i * 2);
  return {
    classes: file.classes as Intent[],
    scale: file.scale,
    chars: file.chars,
    bias: Int32Array.from(file.bias),
    rowOf,
    rows,
  };
}

/** The committed model, loaded once. */
export const INTENT_MODEL: IntentModel = loadModel(weights as ModelFile);

export interface ModelScore {
  /** Probability per class, in `classes` order. */
  probabilities: number[];
  /** Integer score per class. */
  scores: number[];
  /** For one class: how much each feature group added, for explanations. */
  contributions(classIndex: number): { group: FeatureGroup; amount: number }[];
}

/**
 * Per model, an open-addressing table from bucket to row (twice as many slots as rows, power of
 * two, linear probing; buckets are already hashes) read with two typed arrays instead of the Map,
 * and the call that last counted each row, so a feature whose bucket was already counted in this
 * call is skipped without a Set per message (issue 14: decide() latency). 12 bytes per row and
 * slot pair: about 0.6 MB for the committed model.
 */
interface ScoringTables {
  /** Bucket + 1 per slot, 0 for an empty slot. */
  keys: Int32Array;
  /** Row offset per slot. */
  rowAt: Int32Array;
  mask: number;
  /** Per row (offset / classes): the call that last counted it. */
  stamps: Int32Array;
  call: number;
}
const TABLES = new WeakMap<IntentModel, ScoringTables>();

function tablesFor(model: IntentModel, k: number): ScoringTables {
  let t = TABLES.get(model);
  if (t !== undefined && t.stamps.length * k >= model.rows.length) return t;
  let size = 16;
  while (size < model.rowOf.size * 2) size *= 2;
  const keys = new Int32Array(size);
  const rowAt = new Int32Array(size);
  const mask = size - 1;
  for (const [bucket, row] of model.rowOf) {
    let slot = bucket & mask;
    while (keys[slot] !== 0) slot = (slot + 1) & mask;
    keys[slot] = bucket + 1;
    rowAt[slot] = row;
  }
  t = { keys, rowAt, mask, stamps: new Int32Array(Math.ceil(model.rows.length / Math.max(1, k))), call: 0 };
  TABLES.set(model, t);
  return t;
}

/** Scores a message's features. Each distinct feature counts once. */
export function scoreFeatures(model: IntentModel, features: readonly string[]): ModelScore {
  const k = model.classes.length;
  const scores = Array.from(model.bias);
  const t = tablesFor(model, k);
  // Stamps only grow within a process; after 2^31 calls they start again from 1.
  const call = t.call === 0x7fffffff ? 1 : t.call + 1;
  if (call === 1) t.stamps.fill(0);
  t.call = call;
  const { keys, rowAt, mask, stamps } = t;
  const rows = model.rows;
  const hits: { row: number; group: FeatureGroup }[] = [];
  for (let i = 0; i < features.length; i++) {
    const f = features[i]!;
    // Buckets absent from the model add nothing: only the model's rows need counting once.
    const key = featureBucket(f) + 1;
    let slot = (key - 1) & mask;
    while (keys[slot] !== key && keys[slot] !== 0) slot = (slot + 1) & mask;
    if (keys[slot] === 0) continue;
    const row = rowAt[slot]!;
    const at = row / k;
    if (stamps[at] === call) continue;
    stamps[at] = call;
    hits.push({ row, group: f[0] as FeatureGroup });
    for (let c = 0; c < k; c++) scores[c]! += rows[row + c]!;
  }
  // Integer sums are exact; the softmax below only turns them into readable confidences.
  let max = Number.NEGATIVE_INFINITY;
  for (const s of scores) if (s > max) max = s;
  const exps = scores.map((s) => Math.exp((s - max) / model.scale));
  let total = 0;
  for (const e of exps) total += e;
  const probabilities = exps.map((e) => e / total);
  return {
    probabilities,
    scores,
    contributions(classIndex) {
      const byGroup = new Map<FeatureGroup, number>();
      for (const h of hits) {
        // How much the feature favours this class over the average class.
        let mean = 0;
        for (let c = 0; c < k; c++) mean += model.rows[h.row + c]!;
        const amount = model.rows[h.row + classIndex]! - mean / k;
        byGroup.set(h.group, (byGroup.get(h.group) ?? 0) + amount);
      }
      return (Object.keys(FEATURE_GROUPS) as FeatureGroup[])
        .map((group) => ({ group, amount: (byGroup.get(group) ?? 0) / model.scale }))
        .filter((g) => g.amount > 0)
        .sort((a, b) => b.amount - a.amount);
    },
  };
}
