/**
 * `npm run intents:errors [dev|dev3|retired|h2|h3|h4|h5|h6|h7|td|te|tf|old|trainc] [--intent X]`: lists the messages of a DEVELOPMENT corpus
 * the intent engine gets wrong (label, prediction, products, quantities, unasked prices), to tune on.
 * For dev.json, dev-3.json, train-d.json, train-e.json, train-f.json and the retired held-out sets (heldout.json, heldout-2.json and
 * heldout-3.json, heldout-4.json, heldout-5.json, heldout-6.json, heldout-7.json, development data since they were retired) only their tuning split is listed (see
 * isValidationMessage in bench/intent-eval.ts). It refuses every other corpus, by name or path: the
 * held-out set (heldout-8.json) is only ever evaluated in aggregate (`npm run bench intents`), so
 * nobody tunes on its messages.
 */
import { readFileSync } from 'node:fs';
import { DEV_CORPORA, evaluateMessage, isValidationMessage, loadCorpus } from '../bench/intent-eval.ts';
import { loadModel, type ModelFile } from '../src/engines/intent/model.ts';

const args = process.argv.slice(2);
const which = args[0] ?? 'dev';
const named: Record<string, string> = {
  dev: DEV_CORPORA[0]!,
  old: DEV_CORPORA[1]!,
  retired: DEV_CORPORA[2]!,
  dev3: DEV_CORPORA[3]!,
  h2: DEV_CORPORA[4]!,
  h3: DEV_CORPORA[5]!,
  td: DEV_CORPORA[6]!,
  h4: DEV_CORPORA[7]!,
  h5: DEV_CORPORA[8]!,
  h6: DEV_CORPORA[9]!,
  h7: DEV_CORPORA[10]!,
  te: DEV_CORPORA[11]!,
  tf: DEV_CORPORA[12]!,
  // Training data, written for training only: listed whole.
  trainc: 'test/fixtures/intents/train-c.json',
};
const path = Object.hasOwn(named, which) ? named[which] : undefined;
if (path === undefined) {
  console.error(
    'intent-errors lists development corpora only: "dev", "dev3", "retired", "h2", "h3", "h4", "h5", "h6", "h7", "td", "te", "tf", "old" or "trainc". The held-out set is aggregate-only.',
  );
  process.exit(2);
}
const onlyIntent = args.includes('--intent') ? args[args.indexOf('--intent') + 1] : undefined;
const all = args.includes('--all');
// `--model <path>`: a model file written by `npm run train:intents -- --without-dev --out <path>`.
const modelPath = args.includes('--model') ? args[args.indexOf('--model') + 1] : undefined;
const model =
  modelPath === undefined ? undefined : loadModel(JSON.parse(readFileSync(modelPath, 'utf8')) as ModelFile);
const corpus = loadCorpus(path);
let shown = 0;
for (const m of corpus.messages) {
  // The validation splits of dev.json, dev-3.json and the retired sets are scored in aggregate only.
  if (which !== 'old' && which !== 'trainc' && isValidationMessage(m)) continue;
  if (onlyIntent && m.intent !== onlyIntent) continue;
  const o = evaluateMessage(m, corpus.catalogues[m.catalogue]!.products, model);
  const problems: string[] = [];
  if (o.predicted !== m.intent)
    problems.push(`intent ${m.intent} → ${o.predicted} [${o.intents.join(',')}] conf ${o.confidence}`);
  const want = [...m.products].sort().join(',');
  const got = [...o.products].sort().join(',');
  if (want !== got)
    problems.push(
      `products ${want || '-'} → ${got || '-'}${o.family.length ? ` (family ${o.family.join(',')})` : ''}`,
    );
  if ((m.unknownProduct === true) !== o.unknownProduct)
    problems.push(`unknownProduct ${m.unknownProduct === true} → ${o.unknownProduct}`);
  if (corpus.fullLabels) {
    const wq = JSON.stringify(m.quantities ?? {});
    const gq = JSON.stringify(o.quantities);
    if (wq !== gq) problems.push(`quantities ${wq} → ${gq}`);
    if (m.variant && JSON.stringify(m.variant) !== JSON.stringify(o.variants))
      problems.push(`variant ${JSON.stringify(m.variant)} → ${JSON.stringify(o.variants)}`);
    if (o.reply.unaskedQuotes.length > 0)
      problems.push(`UNASKED PRICE ${o.reply.unaskedQuotes.join(',')}: ${JSON.stringify(o.reply.text)}`);
  }
  if (problems.length === 0 && !all) continue;
  shown++;
  console.log(`${m.id} [${m.lang}] ${JSON.stringify(m.text)}\n    ${problems.join('\n    ')}`);
}
console.log(`${shown} messages listed`);
