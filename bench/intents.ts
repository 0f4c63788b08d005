/**
 * `npm run bench intents`: accuracy of the intent engine on the development corpora (the validation
 * splits of dev.json, dev-3.json, train-d.json and the retired held-out sets heldout, heldout-2 and
 * heldout-3, never trained on, then the whole of each) and
 * on a held-out corpus chosen by path (aggregate figures only: the held-out messages are never
 * printed, and their per-message outcomes never leave evaluateCorpus), then decide() latency on short
 * messages next to the engines bench baseline (a JSON deep copy of the same context) measured in the
 * same run.
 *
 * The held-out corpus: `INTENT_BENCH_HELDOUT=<path>` names it; `INTENT_BENCH_HELDOUT=0` skips it (for
 * tuning runs); unset, test/fixtures/intents/heldout-8.json is evaluated when present and the
 * held-out part is skipped, with a message, when it is not.
 */
import { existsSync } from 'node:fs';
import { decide } from '../src/engines/decide.ts';
import {
  DEFAULT_HELDOUT,
  DEV_CORPORA,
  DEV3,
  evaluateCorpus,
  formatAggregates,
  loadCorpus,
  RETIRED_H2,
  RETIRED_H3,
  RETIRED_H4,
  RETIRED_H5,
  RETIRED_H6,
  RETIRED_H7,
  RETIRED_HELDOUT,
  SHORT_CHARS,
  shortDevContexts,
  splitCorpus,
  TRAIN_D,
  TRAIN_E,
  TRAIN_F,
} from './intent-eval.ts';
import { formatTable, measureSync } from './lib.ts';

const DEV = 'test/fixtures/intents/dev.json';
const OLD = 'test/fixtures/intent-corpus.json';

/** Which held-out file to evaluate, or why none is. */
export function heldoutChoice(env: string | undefined): { path: string } | { skip: string } {
  if (env === '0') return { skip: 'skipped (INTENT_BENCH_HELDOUT=0)' };
  const path = env === undefined || env === '' ? DEFAULT_HELDOUT : env;
  if (DEV_CORPORA.includes(path)) return { skip: `${path} is development data, not a held-out set` };
  if (!existsSync(path))
    return {
      skip: `${path} not present: held-out part skipped (INTENT_BENCH_HELDOUT=<path> names another file)`,
    };
  return { path };
}

export async function run(): Promise<string> {
  const parts: string[] = [];
  const dev = loadCorpus(DEV);
  parts.push(
    `${formatAggregates(evaluateCorpus(splitCorpus(dev, 'validation')))}\n\n(validation split: never trained on)`,
  );
  const retired = loadCorpus(RETIRED_HELDOUT);
  parts.push(
    `${formatAggregates(evaluateCorpus(splitCorpus(retired, 'validation')))}\n\n(retired held-out set, validation split: never trained on)`,
  );
  const dev3 = loadCorpus(DEV3);
  parts.push(
    `${formatAggregates(evaluateCorpus(splitCorpus(dev3, 'validation')))}\n\n(dev-3, validation split: never trained on)`,
  );
  const h2 = loadCorpus(RETIRED_H2);
  const h3 = loadCorpus(RETIRED_H3);
  const h4 = loadCorpus(RETIRED_H4);
  const h5 = loadCorpus(RETIRED_H5);
  const h6 = loadCorpus(RETIRED_H6);
  const h7 = loadCorpus(RETIRED_H7);
  const trainE = loadCorpus(TRAIN_E);
  const trainF = loadCorpus(TRAIN_F);
  const trainD = loadCorpus(TRAIN_D);
  for (const c of [h2, h3, h4, h5, h6, h7]) {
    parts.push(
      `${formatAggregates(evaluateCorpus(splitCorpus(c, 'validation')))}\n\n(${c.name}, retired held-out set, validation split: never trained on)`,
    );
  }
  parts.push(
    `${formatAggregates(evaluateCorpus(splitCorpus(trainD, 'validation')))}\n\n(train-d, validation split: never trained on)`,
  );
  parts.push(formatAggregates(evaluateCorpus(dev)));
  parts.push(formatAggregates(evaluateCorpus(retired)));
  parts.push(formatAggregates(evaluateCorpus(dev3)));
  parts.push(formatAggregates(evaluateCorpus(h2)));
  parts.push(formatAggregates(evaluateCorpus(h3)));
  parts.push(formatAggregates(evaluateCorpus(h4)));
  parts.push(formatAggregates(evaluateCorpus(h5)));
  parts.push(formatAggregates(evaluateCorpus(h6)));
  parts.push(formatAggregates(evaluateCorpus(h7)));
  parts.push(formatAggregates(evaluateCorpus(trainE)));
  parts.push(formatAggregates(evaluateCorpus(trainF)));
  parts.push(formatAggregates(evaluateCorpus(trainD)));
  parts.push(formatAggregates(evaluateCorpus(loadCorpus(OLD))));
  // Each look at the held-out set is counted, so tuning runs skip it (INTENT_BENCH_HELDOUT=0).
  const choice = heldoutChoice(process.env.INTENT_BENCH_HELDOUT);
  if ('skip' in choice) parts.push(`### held-out: ${choice.skip}`);
  else {
    parts.push(
      `${formatAggregates(evaluateCorpus(loadCorpus(choice.path)))}\n\n(held-out ${choice.path}: aggregate figures only, by design)`,
    );
  }

  const ctxs = shortDevContexts();
  const iterations = 40_000;
  const baseline = measureSync('baseline: JSON deep copy of the context', iterations, (i) =>
    JSON.parse(JSON.stringify(ctxs[i % ctxs.length])),
  );
  const decisions = measureSync(
    `decide() — ${ctxs.length} short dev messages (≤ ${SHORT_CHARS} chars)`,
    iterations,
    (i) => decide(ctxs[i % ctxs.length]!),
  );
  const goal = `goal: decide() p99 < 200 µs on short messages → ${decisions.p99Us < 200 ? 'met' : 'NOT met'} (p99 ${decisions.p99Us.toFixed(1)} µs)`;
  parts.push(`### decide() latency\n\n${formatTable([baseline, decisions], baseline)}\n${goal}`);
  return parts.join('\n\n');
}
