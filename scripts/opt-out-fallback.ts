/**
 * `node --import tsx scripts/opt-out-fallback.ts [--list]`: what the fallback opt-out detector
 * (possibleOptOut in src/engines/intent/rules.ts, applied by detect.ts) does on every development
 * and training corpus. Per corpus: opt-out recall and false opt-outs without the fallback (the exact
 * rules and the model-backed opt-out) and with it, and how many messages take the question path
 * (the reply asks to confirm with STOP) by label. Validation splits are counted in aggregate only;
 * `--list` lists the tuning splits' and training corpora's messages the fallback touches.
 */
import { isValidationMessage, loadCorpus, SPLIT_CORPORA, sellerLanguage } from '../bench/intent-eval.ts';
import { analyze, classify, detectIntent, optOutFallback } from '../src/engines/intent/detect.ts';
import { INTENT_MODEL } from '../src/engines/intent/model.ts';
import { possibleOptOut } from '../src/engines/intent/rules.ts';

const list = process.argv.includes('--list');
// `--alone`: the detector on every message, exact rules or not (how broad it is on its own).
const alone = process.argv.includes('--alone');
const sources: { name: string; path: string; part?: 'tuning' | 'validation' }[] = [];
for (const path of SPLIT_CORPORA) {
  const name = path.split('/').pop()!.replace('.json', '');
  sources.push({ name: `${name} tuning`, path, part: 'tuning' });
}
for (const path of SPLIT_CORPORA) {
  const name = path.split('/').pop()!.replace('.json', '');
  sources.push({ name: `${name} validation`, path, part: 'validation' });
}
for (const t of ['a', 'b', 'c'])
  sources.push({ name: `train-${t}`, path: `test/fixtures/intents/train-${t}.json` });
sources.push({ name: 'older corpus', path: 'test/fixtures/intent-corpus.json' });

const header = [
  'corpus',
  'opt-outs',
  'found before / after',
  'false before / after',
  'by the fallback rule (opt-outs / others)',
  'asked to confirm: opt-outs / others (their labels)',
  'detector alone: opt-outs / others (strong)',
];
console.log(`| ${header.join(' | ')} |`);
console.log(`| ${header.map(() => '---').join(' | ')} |`);
const total = { support: 0, before: 0, after: 0, falseBefore: 0, falseAfter: 0, askedOut: 0, askedOther: 0 };
for (const src of sources) {
  const corpus = loadCorpus(src.path);
  let support = 0;
  let before = 0;
  let after = 0;
  let falseBefore = 0;
  let falseAfter = 0;
  const strong = [0, 0];
  const asked = [0, 0];
  const askedLabels = new Map<string, number>();
  const lone = [0, 0, 0, 0];
  for (const m of corpus.messages) {
    if (src.part !== undefined && isValidationMessage(m) !== (src.part === 'validation')) continue;
    const products = corpus.catalogues[m.catalogue]!.products;
    const input = { text: m.text, catalog: products, defaultLanguage: sellerLanguage(products) };
    const a = analyze(input, INTENT_MODEL.chars);
    const old = classify(a, INTENT_MODEL).intent;
    const v = detectIntent(input);
    const isOut = m.intent === 'opt_out';
    if (isOut) support++;
    if (old === 'opt_out') isOut ? before++ : falseBefore++;
    if (v.intent === 'opt_out') isOut ? after++ : falseAfter++;
    const own = a.unreadConsent === undefined ? possibleOptOut(a.tokens.join(' ')) : optOutFallback(a);
    if (own) {
      lone[isOut ? 0 : 1]!++;
      if (own.strong) lone[isOut ? 2 : 3]!++;
    }
    if (alone && list && src.part !== 'validation' && (own !== undefined) !== isOut)
      console.error(
        `ALONE ${src.name} ${m.id} ${m.intent} ${own ? (own.strong ? 'strong' : 'fires') : 'silent'} ${JSON.stringify(m.text)}`,
      );
    const byFallback = v.reasons.some((r) => r.code === 'intent.opt_out_fallback');
    if (byFallback) strong[isOut ? 0 : 1]!++;
    if (v.optOutQuestion) {
      asked[isOut ? 0 : 1]!++;
      if (!isOut) askedLabels.set(m.intent, (askedLabels.get(m.intent) ?? 0) + 1);
    }
    if (
      list &&
      src.part !== 'validation' &&
      (byFallback || v.optOutQuestion || (isOut && v.intent !== 'opt_out'))
    )
      console.error(
        `${src.name} ${m.id} ${m.intent} → ${v.intent}${byFallback ? ' (fallback)' : ''}${v.optOutQuestion ? ' (asked)' : ''} ${JSON.stringify(m.text)}`,
      );
  }
  const labels = [...askedLabels].map(([k, n]) => `${k} ${n}`).join(', ');
  console.log(
    `| ${[src.name, support, `${before} / ${after}`, `${falseBefore} / ${falseAfter}`, `${strong[0]} / ${strong[1]}`, `${asked[0]} / ${asked[1]}${labels ? ` (${labels})` : ''}`, `${lone[0]} / ${lone[1]} (${lone[2]} / ${lone[3]})`].join(' | ')} |`,
  );
  total.support += support;
  total.before += before;
  total.after += after;
  total.falseBefore += falseBefore;
  total.falseAfter += falseAfter;
  total.askedOut += asked[0]!;
  total.askedOther += asked[1]!;
}
console.log(
  `| all | ${total.support} | ${total.before} / ${total.after} | ${total.falseBefore} / ${total.falseAfter} | | ${total.askedOut} / ${total.askedOther} |`,
);
