/**
 * Issue 17: POST /decision writes its 200 body itself (the reasons and the verdicts from the JSON
 * made once for the audit row) instead of running the response schema's serializer over the
 * whole decision. These tests hold it to the bytes the schema serializer writes, and the audit
 * JSON to the bytes JSON.stringify writes, over the intent corpus and decisions with every
 * optional field.
 */
import { readFileSync } from 'node:fs';
import { fastify } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionContext } from '../../../engines/context.ts';
import { type Decision, decide } from '../../../engines/decide.ts';
import { decisionRecord } from '../../../pipeline/act.ts';
import { detailsJsonOf } from '../../../store/repos/decisions.ts';
import {
  DecisionResponse,
  DecisionResponseHead,
  DecisionResponseTail,
  decisionResponseJson,
  reasonsJson,
} from './advisor.ts';

const corpus = JSON.parse(
  readFileSync(new URL('../../../../test/fixtures/intent-corpus.json', import.meta.url), 'utf8'),
) as { catalog: DecisionContext['catalog']; messages: { text: string }[] };
const example = JSON.parse(
  readFileSync(new URL('../../../../examples/decision-context.json', import.meta.url), 'utf8'),
) as DecisionContext;

/** Decisions over the corpus, in several contact stages and send counters (replies, defers, blocks). */
function corpusDecisions(): Decision[] {
  const out: Decision[] = [];
  const variants: Partial<DecisionContext>[] = [
    {},
    { contact: { ...example.contact, stage: 'interested' } },
    { stats: { sentLastMinute: 500, sentLastHour: 5000, sentToday: 50_000 } },
    { now: '2026-11-27T23:30:00Z' },
  ];
  corpus.messages.forEach((m, i) => {
    const variant = variants[i % variants.length]!;
    out.push(
      decide({
        ...example,
        catalog: corpus.catalog,
        ...variant,
        message: { id: `wamid.c${i}`, text: m.text },
      } as DecisionContext),
    );
  });
  return out;
}

/** A decision with every optional field set, and strings JSON must escape. */
function everyField(base: Decision): Decision {
  return {
    ...base,
    text: 'Quote " backslash \\ newline \n tab \t emoji 😀 lone \ud800 end',
    template: { name: 'relance_1', language: 'fr' },
    experiment: { id: 'exp_1', variantId: 'b' },
    sendAtMs: 1_764_238_500_000,
    sendAt: '2026-11-27T10:15:00.000Z',
    conversation: null,
    order: {
      draft: {
        items: [
          {
            productId: 'prd_1',
            name: 'Sac "noir"',
            quantity: 2,
            unitPrice: 15000,
            variant: { colour: 'noir' },
          },
        ],
        currency: 'XOF',
        subtotal: 30000,
        deliveryFee: 1000,
        total: 31000,
        delivery: { zone: 'abidjan', zoneName: 'Abidjan', address: null, pickup: false },
        paymentMethod: null,
        sourceMessageId: 'wamid.1',
      },
      ifOutOfStock: { conversation: { cart: [] } as never, stage: 'interested' },
    },
    questionForSeller: { topics: ['delivery', 'payment'] },
    reasons: [...base.reasons, { engine: 'decide', code: 'x.y', detail: '"sac \\ noir" \u2028 \u0001' }],
  };
}

describe('POST /decision response body', () => {
  const app = fastify({ logger: false });
  let current: { id: string } & Decision;
  app.get('/schema', { schema: { response: { 200: DecisionResponse } } }, async () => current);
  app.get('/spliced', async (_req, reply) => {
    const json = { reasons: reasonsJson(current.reasons), verdicts: JSON.stringify(current.verdicts) };
    const body = decisionResponseJson(
      reply.compileSerializationSchema(DecisionResponseHead),
      reply.compileSerializationSchema(DecisionResponseTail),
      current,
      json,
    );
    return reply.type('application/json; charset=utf-8').send(body);
  });
  beforeAll(() => app.ready());
  afterAll(() => app.close());

  const compare = async (decision: Decision) => {
    current = { id: 'dec_0123456789abcdefghijklmn', ...decision };
    const [a, b] = await Promise.all([app.inject('/schema'), app.inject('/spliced')]);
    expect(b.headers['content-type']).toBe(a.headers['content-type']);
    expect(b.body).toBe(a.body);
  };

  it('is byte for byte what the response schema writes, over the intent corpus', async () => {
    const decisions = corpusDecisions();
    expect(decisions.length).toBeGreaterThan(100);
    const actions = new Set(decisions.map((d) => d.action));
    expect(actions.size).toBeGreaterThan(1);
    for (const d of decisions) await compare(d);
  });

  it('is byte for byte what the response schema writes with every optional field and escapes', async () => {
    const base = decide(example);
    await compare(everyField(base));
    await compare({ ...everyField(base), questionForSeller: undefined, reasons: [] });
  });

  it('differs when the parts differ (the comparison can fail)', async () => {
    const base = decide(example);
    current = { id: 'dec_0123456789abcdefghijklmn', ...base };
    const schema = (await app.inject('/schema')).body;
    const reordered = {
      ...base,
      reasons: base.reasons.map((r) => ({ detail: r.detail, code: r.code, engine: r.engine })),
    };
    expect(JSON.stringify(reordered.reasons)).not.toBe(JSON.stringify(base.reasons));
    expect(reasonsJson(reordered.reasons)).toBe(JSON.stringify(base.reasons));
    current = {
      id: 'dec_0123456789abcdefghijklmn',
      ...base,
      verdicts: { ...base.verdicts, extra: 1 } as never,
    };
    expect((await app.inject('/spliced')).body).not.toBe(schema);
  });
});

describe('detailsJsonOf (the audit row JSON from the response parts)', () => {
  const stringify = (d: Decision, extended: Record<string, unknown>) =>
    detailsJsonOf(JSON.stringify(d.reasons), JSON.stringify(d.verdicts), d.verdicts, extended);

  it('is JSON.stringify({ reasons, verdicts }) of the audit record, over the corpus and every field', () => {
    const assist = { classification: { ok: true } } as never;
    for (const d of [...corpusDecisions(), everyField(decide(example))]) {
      for (const withAssist of [false, true]) {
        const record = decisionRecord(
          d,
          { channelId: null, contactId: null, messageId: null, nowMs: 0 },
          withAssist ? assist : undefined,
        );
        const verdicts = record.verdicts as Record<string, unknown>;
        expect(stringify(d, verdicts)).toBe(JSON.stringify({ reasons: record.reasons, verdicts }));
      }
    }
  });

  it('handles empty sides and extras that are undefined', () => {
    const d = decide(example);
    const empty = { ...d, verdicts: {} as Decision['verdicts'] };
    expect(stringify(empty, { template: null })).toBe(
      JSON.stringify({ reasons: d.reasons, verdicts: { template: null } }),
    );
    expect(stringify(d, { ...d.verdicts })).toBe(
      JSON.stringify({ reasons: d.reasons, verdicts: d.verdicts }),
    );
    expect(stringify(d, { ...d.verdicts, assist: undefined })).toBe(
      JSON.stringify({ reasons: d.reasons, verdicts: d.verdicts }),
    );
  });

  it('declines what splicing could get wrong: a verdict changed, dropped or reordered, an index key', () => {
    const d = decide(example);
    const v = d.verdicts as Record<string, unknown>;
    const [first, ...rest] = Object.keys(v);
    expect(stringify(d, { ...v, [first!]: { changed: true } })).toBeUndefined();
    expect(stringify(d, Object.fromEntries(rest.map((k) => [k, v[k]])))).toBeUndefined();
    expect(stringify(d, Object.fromEntries([...rest, first!].map((k) => [k, v[k]])))).toBeUndefined();
    expect(stringify(d, { ...v, 7: 'x' })).toBeUndefined();
  });
});
