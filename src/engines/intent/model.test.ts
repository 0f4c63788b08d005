import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { INTENTS } from '../../domain/types.ts';
import { analyze, classify, LOW_CONFIDENCE } from './detect.ts';
import { INTENT_MODEL, type IntentModel, loadModel, type ModelFile } from './model.ts';

/** A model file of three buckets over every intent, in either encoding of its arrays. */
function modelFile(format: ModelFile['format']): ModelFile {
  const k = INTENTS.length;
  const buckets = Buffer.alloc(3 * 4);
  [7, 4_096, 1_000_003].forEach((b, i) => {
    buckets.writeUInt32LE(b, i * 4);
  });
  const weights = Buffer.alloc(3 * k * 2);
  for (let i = 0; i < 3 * k; i++) weights.writeInt16LE(((i * 7919) % 65_535) - 32_767, i * 2);
  const encode = (bytes: Buffer) =>
    (format === 'sellify-intent-model/2' ? deflateRawSync(bytes) : bytes).toString('base64');
  return {
    format,
    classes: [...INTENTS],
    hashBits: 20,
    scale: 1000,
    chars: true,
    bias: INTENTS.map((_, i) => i * 10 - 50),
    buckets: encode(buckets),
    weights: encode(weights),
    training: {},
  };
}

describe('intent model file', () => {
  it('reads the same model from raw and from deflated arrays', () => {
    const raw = loadModel(modelFile('sellify-intent-model/1'));
    const deflated = loadModel(modelFile('sellify-intent-model/2'));
    expect([...deflated.rowOf]).toEqual([...raw.rowOf]);
    expect([...deflated.rowOf.keys()]).toEqual([7, 4_096, 1_000_003]);
    expect(Array.from(deflated.rows)).toEqual(Array.from(raw.rows));
    expect(raw.rows[0]).toBe(-32_767);
    expect(Array.from(deflated.bias)).toEqual(Array.from(raw.bias));
  });

  it('refuses an unknown format and arrays that do not match', () => {
    const unknown = { ...modelFile('sellify-intent-model/1'), format: 'sellify-intent-model/9' };
    expect(() => loadModel(unknown as unknown as ModelFile)).toThrow(/unknown intent model format/);
    // Deflated arrays announced as raw: the byte counts no longer match.
    const mislabelled = { ...modelFile('sellify-intent-model/2'), format: 'sellify-intent-model/1' as const };
    expect(() => loadModel(mislabelled)).toThrow(/do not match/);
  });

  it('loads the committed model', () => {
    expect(INTENT_MODEL.classes).toEqual([...INTENTS]);
    expect(INTENT_MODEL.rowOf.size).toBeGreaterThan(10_000);
    expect(INTENT_MODEL.rows.length).toBe(INTENT_MODEL.rowOf.size * INTENTS.length);
  });
});

/** A model with no features: its verdict is its bias, here price slightly ahead of availability. */
function biasOnlyModel(): IntentModel {
  return {
    classes: [...INTENTS],
    scale: 1000,
    chars: true,
    bias: Int32Array.from(INTENTS.map((c) => (c === 'price' ? 100 : c === 'availability' ? 50 : 0))),
    rowOf: new Map(),
    rows: new Int16Array(0),
  };
}

describe('classify() with an unsure model', () => {
  it("keeps the model's best class when the cue rules name another intent", () => {
    const a = analyze({ text: 'robe wax x3', catalog: [] });
    const c = classify({ ...a, rulePrimary: 'order' }, biasOnlyModel());
    expect(c.confidence).toBeLessThan(LOW_CONFIDENCE);
    expect(c.intent).toBe('price');
    expect(c.reason.detail).toMatch(/^price by the model/);
  });

  it('takes the cue rules’ reading of a message without a letter, and only then', () => {
    const angry = classify(analyze({ text: '😡😡', catalog: [] }), biasOnlyModel());
    expect(angry.intent).toBe('complaint');
    expect(angry.reason.detail).toMatch(/^complaint by the cue rules on a message without words/);
    // A word beside the same emojis: the model's class stands.
    const worded = classify(analyze({ text: 'hmm 😡😡', catalog: [] }), biasOnlyModel());
    expect(worded.intent).toBe('price');
    // No cue at all: nothing to take.
    expect(classify(analyze({ text: '???', catalog: [] }), biasOnlyModel()).intent).toBe('price');
  });
});
