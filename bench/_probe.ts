import { parseContext } from '../src/engines/context.ts';
import { decide } from '../src/engines/decide.ts';
import { loadCorpus, sellerLanguage } from './intent-eval.ts';
const dev = loadCorpus('test/fixtures/intents/dev.json');
const ctxs = dev.messages.filter((m) => [...m.text].length <= 60).map((m) => {
  const catalog = dev.catalogues[m.catalogue]!.products;
  return parseContext({ now: '2026-03-02T10:00:00Z', channel: { id: 'chn_bench', createdAt: '2025-06-01T08:00:00Z', transport: 'cloud', language: sellerLanguage(catalog) },
    contact: { id: `ctc_${m.id}`, phone: '+2250701020304', stage: 'engaged', lastInboundAt: '2026-03-02T09:00:00Z', lastOutboundAt: '2026-03-02T09:01:00Z' },
    message: { id: `wamid.${m.id}`, text: m.text }, catalog, stats: { sentLastMinute: 1, sentLastHour: 40, sentToday: 200, coldToday: 1 } } as any);
});
for (let i = 0; i < 5000; i++) decide(ctxs[i % ctxs.length]!);
const times: number[] = [];
for (let i = 0; i < 60000; i++) { const t0 = performance.now(); decide(ctxs[i % ctxs.length]!); times.push(performance.now() - t0); }
times.sort((a, b) => a - b);
console.log('n', ctxs.length, 'p50', (times[30000]! * 1000).toFixed(1), 'p90', (times[54000]! * 1000).toFixed(1), 'p99', (times[59400]! * 1000).toFixed(1), 'µs');
