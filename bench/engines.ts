/**
 * decide() over a realistic mix of contexts (replies with a 20-product catalogue, follow-ups,
 * proactive sends), next to a baseline measured in the same run: a JSON deep copy of the context.
 * Then hostile and large inputs: a 64 KB word against a 1 KB one, a catalogue at the limits.
 */

import type { Product } from '../src/domain/types.ts';
import { CATALOG_LIMITS } from '../src/engines/catalog.ts';
import { type DecisionContext, parseContext } from '../src/engines/context.ts';
import { decide } from '../src/engines/decide.ts';
import { catalogIndexBuilds } from '../src/engines/intent.ts';
import { formatTable, measureSync } from './lib.ts';

const names = [
  ['Sac noir', ['sac a main noir']],
  ['Sac à main rouge', ['sac rouge']],
  ['Baskets Nike Air', ['nike', 'basket']],
  ['Robe wax', ['robe pagne']],
  ['Pagne hollandais', ['pagne']],
  ['T-shirt blanc', ['tshirt', 'tee shirt']],
  ['Montre Casio', ['montre']],
  ['Parfum Dior Sauvage', ['parfum dior']],
  ['iPhone 11', ['iphone']],
  ['Coque iPhone', ['coque']],
  ['Perruque brésilienne', ['perruque', 'tissage']],
  ['Chaussures à talon', ['talons']],
  ['Jean slim', ['jean']],
  ['Chemise pagne', ['chemise']],
  ['Lunettes de soleil', ['lunettes']],
  ['Ceinture cuir', ['ceinture']],
  ['Sandales', ['sandale']],
  ['Boubou brodé', ['boubou']],
  ['Écouteurs Bluetooth', ['ecouteurs', 'airpods']],
  ['Crème éclaircissante', ['creme']],
] as const;

const catalog = names.map(([name, aliases], i) => ({
  id: `prd_${i}`,
  name,
  aliases: [...aliases],
  price: 2500 * (i + 2),
  currency: 'XOF',
  stock: i % 7 === 3 ? 0 : 10,
}));

const texts = [
  "Bonjour, c'est combien le sac noir ?",
  'cb les baskets nike stp',
  'slt vous avez la robe wax en taille M ? et vous livrez a yopougon',
  'je veux 2 perruques brésiliennes, je paie par wave',
  'Hello, how much is the iPhone 11? Do you deliver to Plateau?',
  'STOP',
  'merci beaucoup 🙏🙏',
  'c quoi le dernier prix pour la montre casio',
  'Bonsoir, vous êtes situés où exactement ?',
  'je veux parler a un humain',
  'le parfum dior est dispo ?',
  'Vous avez quoi comme articles ?',
];

function contexts(): DecisionContext[] {
  const out: DecisionContext[] = [];
  const base = Date.parse('2026-11-27T10:00:00Z');
  for (let i = 0; i < 240; i++) {
    const now = base + i * 37_000;
    const kind = i % 6;
    const common = {
      now: new Date(now).toISOString(),
      channel: {
        id: `chn_${i % 3}`,
        createdAt: '2026-09-01T08:00:00Z',
        timezone: 'Africa/Abidjan',
        transport: 'cloud',
      },
      catalog,
      stats: {
        sentLastMinute: i % 5,
        sentLastHour: 40 + (i % 50),
        sentToday: 200 + i,
        coldToday: i % 4,
        lastSentAt: new Date(now - 9_000).toISOString(),
      },
    };
    const contact = {
      id: `ctc_${i}`,
      phone: '+2250701020304',
      name: 'Aminata Koné',
      stage: 'engaged',
      lastInboundAt: new Date(now - 3_600_000).toISOString(),
      lastOutboundAt: new Date(now - 3_500_000).toISOString(),
    };
    if (kind < 4) {
      out.push(
        parseContext({ ...common, contact, message: { id: `wamid.${i}`, text: texts[i % texts.length] } }),
      );
    } else if (kind === 4) {
      out.push(parseContext({ ...common, contact: { ...contact, followupsSent: i % 3 } }));
    } else {
      out.push(
        parseContext({
          ...common,
          contact: { ...contact, optedIn: true },
          outbound: {
            kind: 'proactive',
            id: `o_${i}`,
            text: 'Bonjour ! Nos nouveaux pagnes sont arrivés, passez nous voir.',
          },
        }),
      );
    }
  }
  return out;
}

/** A reply context around one message and one catalogue. */
function replyContext(text: string, catalogue: readonly unknown[]): DecisionContext {
  return {
    now: '2026-11-27T10:00:00.000Z',
    channel: {
      id: 'chn_0',
      createdAt: '2026-09-01T08:00:00Z',
      timezone: 'Africa/Abidjan',
      transport: 'cloud',
    },
    contact: {
      id: 'ctc_0',
      phone: '+2250701020304',
      stage: 'engaged',
      lastInboundAt: '2026-11-27T09:00:00Z',
      lastOutboundAt: '2026-11-27T09:01:00Z',
    },
    catalog: catalogue as DecisionContext['catalog'],
    message: { id: 'wamid.0', text },
  };
}

/**
 * A catalogue at CATALOG_LIMITS: 2,000 products whose names and aliases fill the 120,000
 * characters, every word different (the worst case for the typo index).
 */
function maxCatalogue(): Product[] {
  const syllables = [
    'ba',
    'ko',
    'ri',
    'ma',
    'tu',
    'ne',
    'so',
    'li',
    'de',
    'fa',
    'gu',
    'pe',
    'zo',
    'vi',
    'ha',
    'je',
  ];
  let n = 0;
  const word = () => {
    let w = '';
    for (let k = 0, x = n++; k < 4; k++, x >>= 4) w += syllables[x & 15];
    return w;
  };
  const perProduct = CATALOG_LIMITS.totalLabelChars / CATALOG_LIMITS.products;
  return Array.from({ length: CATALOG_LIMITS.products }, (_, i) => {
    const name = `${word()} ${word()} ${word()}`; // 26 characters
    const alias = `${word()} ${word()} ${word()} ${word()}`.slice(0, perProduct - name.length);
    return { id: `prd_${i}`, name, aliases: [alias], price: 1000 + i, currency: 'XOF' };
  });
}

/**
 * Hostile and large inputs: one 64 KB word against one 1 KB word of the same shape (the ratio
 * shows the cost is linear; it was quadratic), and a catalogue at the limits read from a new array
 * for every decision, as the pipeline reads it from the database, against the 20-product one.
 */
function limits(): string {
  const hostile = (size: number) => `${'ed'.repeat(size / 2 - 1)}a`;
  const big = replyContext(hostile(64 * 1024), catalog);
  const small = replyContext(hostile(1024), catalog);
  const bigWord = measureSync('decide() — one 64 KB word ("eded…a")', 400, () => decide(big), 20);
  const smallWord = measureSync('decide() — one 1 KB word ("eded…a")', 4000, () => decide(small), 200);

  // Deep copies: every decision sees new strings in a new array, as from the database.
  const copies = Array.from({ length: 8 }, () => structuredClone(maxCatalogue()));
  const smallCopies = Array.from({ length: 8 }, () => structuredClone(catalog));
  const text = "Bonjour, c'est combien le sac noir ? et vous livrez a yopougon";
  const maxCtx = copies.map((c) => replyContext(text, c));
  const smallCtx = smallCopies.map((c) => replyContext(text, c));
  const builds0 = catalogIndexBuilds();
  const startMs = performance.now();
  decide({ ...maxCtx[0]!, catalog: [...maxCtx[0]!.catalog!] });
  const buildMs = performance.now() - startMs;
  const maxRun = measureSync('decide() — catalogue at the limits, new array', 2000, (i) => {
    const ctx = maxCtx[i % maxCtx.length]!;
    return decide({ ...ctx, catalog: [...ctx.catalog!] });
  });
  const smallRun = measureSync('decide() — 20-product catalogue, new array', 2000, (i) => {
    const ctx = smallCtx[i % smallCtx.length]!;
    return decide({ ...ctx, catalog: [...ctx.catalog!] });
  });
  const rebuilt = catalogIndexBuilds() - builds0;
  return [
    formatTable([smallWord, bigWord, smallRun, maxRun], smallWord),
    `cost of a 64 KB word / cost of a 1 KB word: ${(smallWord.opsPerSec / bigWord.opsPerSec).toFixed(1)}× (linear: ≤ 64×; the message is read up to 8,192 characters)`,
    `catalogue at the limits (${CATALOG_LIMITS.products} products, ${CATALOG_LIMITS.totalLabelChars.toLocaleString('en-US')} characters): index built once in ${buildMs.toFixed(0)} ms, then ${(smallRun.opsPerSec / maxRun.opsPerSec).toFixed(1)}× the cost of a 20-product decision (p50 ${maxRun.p50Us.toFixed(0)} µs); ${rebuilt} index builds over ${2 * 2000 + 1} decisions with new arrays`,
  ].join('\n');
}

export async function run(): Promise<string> {
  const ctxs = contexts();
  const iterations = 40_000;
  const baseline = measureSync('baseline: JSON deep copy of the context', iterations, (i) =>
    JSON.parse(JSON.stringify(ctxs[i % ctxs.length])),
  );
  const decisions = measureSync('decide() — mixed contexts', iterations, (i) =>
    decide(ctxs[i % ctxs.length]!),
  );
  const replies = measureSync('decide() — replies only', iterations, (i) => decide(ctxs[(i % 40) * 6]!));
  const goal = `goal: p99 < 200 µs and ≥ 20,000 decisions/s → ${
    decisions.p99Us < 200 && decisions.opsPerSec >= 20_000 ? 'met' : 'NOT met'
  } (p99 ${decisions.p99Us.toFixed(1)} µs, ${Math.round(decisions.opsPerSec).toLocaleString('en-US')}/s)`;
  return `${formatTable([baseline, decisions, replies], baseline)}\n${goal}\n\n${limits()}`;
}
