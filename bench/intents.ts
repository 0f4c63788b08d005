/**
 * `npm run bench intents`: accuracy of the intent engine on the development corpus (its validation
 * split, never trained on, then the whole of it) and on the held-out corpus (aggregate figures only: the held-out messages are never printed, and their
 * per-message outcomes never leave evaluateCorpus), then decide() latency on short messages next to
 * the engines bench baseline (a JSON deep copy of the same context) measured in the same run.
 */
import { existsSync } from 'node:fs';
import { type DecisionContext, parseContext } from '../src/engines/context.ts';
import { decide } from '../src/engines/decide.ts';
import { evaluateCorpus, formatAggregates, loadCorpus, sellerLanguage, splitCorpus } from './intent-eval.ts';
import { formatTable, measureSync } from './lib.ts';

const DEV = 'test/fixtures/intents/dev.json';
const OLD = 'test/fixtures/intent-corpus.json';
const HELDOUT = 'test/fixtures/intents/heldout.json';
/** "Short" WhatsApp messages for the latency goal. */
const SHORT_CHARS = 60;

function latencyContexts(): DecisionContext[] {
  const dev = loadCorpus(DEV);
  const out: DecisionContext[] = [];
  for (const m of dev.messages) {
    if ([...m.text].length > SHORT_CHARS) continue;
    const catalog = dev.catalogues[m.catalogue]!.products;
    out.push(
      parseContext({
        now: '2026-03-02T10:00:00Z',
        channel: {
          id: 'chn_bench',
          createdAt: '2025-06-01T08:00:00Z',
          transport: 'cloud',
          language: sellerLanguage(catalog),
        },
        contact: {
          id: `ctc_${m.id}`,
          phone: '+2250701020304',
          stage: 'engaged',
          lastInboundAt: '2026-03-02T09:00:00Z',
          lastOutboundAt: '2026-03-02T09:01:00Z',
        },
        message: { id: `wamid.${m.id}`, text: m.text },
        catalog,
        stats: { sentLastMinute: 1, sentLastHour: 40, sentToday: 200, coldToday: 1 },
      }),
    );
  }
  return out;
}

export async function run(): Promise<string> {
  const parts: string[] = [];
  const dev = loadCorpus(DEV);
  parts.push(
    `${formatAggregates(evaluateCorpus(splitCorpus(dev, 'validation')))}\n\n(validation split: never trained on)`,
  );
  parts.push(formatAggregates(evaluateCorpus(dev)));
  parts.push(formatAggregates(evaluateCorpus(loadCorpus(OLD))));
  // INTENT_BENCH_HELDOUT=0 skips the held-out set: each look at it is counted, so tuning runs skip it.
  if (process.env.INTENT_BENCH_HELDOUT === '0') parts.push('### heldout: skipped (INTENT_BENCH_HELDOUT=0)');
  else if (existsSync(HELDOUT)) {
    parts.push(
      `${formatAggregates(evaluateCorpus(loadCorpus(HELDOUT)))}\n\n(held-out: aggregate figures only, by design)`,
    );
  } else parts.push(`### heldout: ${HELDOUT} not present`);

  const ctxs = latencyContexts();
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
