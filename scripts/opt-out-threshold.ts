/**
 * `node --import tsx scripts/opt-out-threshold.ts [--model <path>] [--list]`: how a model-backed
 * opt-out (second line after the exact consent rules) would do at several thresholds, on every
 * development corpus: for the messages no exact consent rule reads, how many true opt-outs the
 * model's opt_out probability (with the opt-out cue and no trap, see optOutLike in rules.ts) would
 * catch, and how many non-opt-outs it would opt out. Validation splits are counted in aggregate
 * only; `--list` lists the tuning splits' and training corpora's messages above the lowest threshold.
 */
import { readFileSync } from 'node:fs';
import { isValidationMessage, loadCorpus, sellerLanguage } from '../bench/intent-eval.ts';
import { analyze, classify, LOW_CONFIDENCE, readsLikeOptOut } from '../src/engines/intent/detect.ts';
import { INTENT_MODEL, loadModel, type ModelFile, scoreFeatures } from '../src/engines/intent/model.ts';

const args = process.argv.slice(2);
const modelPath = args.includes('--model') ? args[args.indexOf('--model') + 1] : undefined;
const model =
  modelPath === undefined
    ? INTENT_MODEL
    : loadModel(JSON.parse(readFileSync(modelPath, 'utf8')) as ModelFile);
const list = args.includes('--list');
const THRESHOLDS = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95];

const sources: { name: string; path: string; part?: 'tuning' | 'validation' }[] = [
  { name: 'dev tuning', path: 'test/fixtures/intents/dev.json', part: 'tuning' },
  { name: 'dev validation', path: 'test/fixtures/intents/dev.json', part: 'validation' },
  { name: 'retired tuning', path: 'test/fixtures/intents/heldout.json', part: 'tuning' },
  { name: 'retired validation', path: 'test/fixtures/intents/heldout.json', part: 'validation' },
  { name: 'dev-3 tuning', path: 'test/fixtures/intents/dev-3.json', part: 'tuning' },
  { name: 'dev-3 validation', path: 'test/fixtures/intents/dev-3.json', part: 'validation' },
  { name: 'train-a', path: 'test/fixtures/intents/train-a.json' },
  { name: 'train-b', path: 'test/fixtures/intents/train-b.json' },
  { name: 'older corpus', path: 'test/fixtures/intent-corpus.json' },
];

const header = ['corpus', 'opt-outs missed by the rules', ...THRESHOLDS.map((t) => `≥ ${t}: caught / false`)];
console.log(`| ${header.join(' | ')} |`);
console.log(`| ${header.map(() => '---').join(' | ')} |`);
for (const src of sources) {
  const corpus = loadCorpus(src.path);
  const caught = THRESHOLDS.map(() => 0);
  const falses = THRESHOLDS.map(() => 0);
  let missed = 0;
  // The confirm question (clarify_opt_out) as it is: the model's top class is opt_out and its best
  // other class is below LOW_CONFIDENCE. Counted as [opt-outs asked, others asked].
  const asked = [0, 0];
  const askedIfCue = THRESHOLDS.map(() => [0, 0]);
  for (const m of corpus.messages) {
    if (src.part !== undefined && isValidationMessage(m) !== (src.part === 'validation')) continue;
    const products = corpus.catalogues[m.catalogue]!.products;
    const a = analyze(
      { text: m.text, catalog: products, defaultLanguage: sellerLanguage(products) },
      model.chars,
    );
    if (a.consent !== undefined || a.acknowledgement) continue;
    if (m.intent === 'opt_out') missed++;
    const scored = scoreFeatures(model, a.features);
    const p = scored.probabilities[model.classes.indexOf('opt_out')]!;
    const cue = readsLikeOptOut(a);
    const c = classify(a, model);
    const isOptOut = m.intent === 'opt_out' ? 0 : 1;
    const askedNow =
      c.intent !== 'opt_out' && c.unconfirmedConsent === 'opt_out' && c.confidence < LOW_CONFIDENCE;
    if (askedNow) asked[isOptOut]!++;
    THRESHOLDS.forEach((t, k) => {
      if (c.intent !== 'opt_out' && (askedNow || (cue && p >= t))) askedIfCue[k]![isOptOut]!++;
      if (!cue || p < t) return;
      if (m.intent === 'opt_out') caught[k]!++;
      else falses[k]!++;
    });
    if (list && src.part !== 'validation' && p >= THRESHOLDS[0]! && (cue || m.intent === 'opt_out'))
      console.error(`${src.name} ${m.id} ${m.intent} p=${p.toFixed(2)} cue=${cue} ${JSON.stringify(m.text)}`);
  }
  console.log(
    `| ${[src.name, missed, ...THRESHOLDS.map((_, k) => `${caught[k]} / ${falses[k]}`)].join(' | ')} |`,
  );
  if (args.includes('--ask'))
    console.log(
      `|   asked to confirm (opt-outs / others): now ${asked[0]} / ${asked[1]}; also asking on a cue at ≥ t: ${THRESHOLDS.map((t, k) => `${t}: ${askedIfCue[k]![0]} / ${askedIfCue[k]![1]}`).join(', ')} |`,
    );
}
