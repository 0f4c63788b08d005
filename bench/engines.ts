/**
 * decide() over a realistic mix of contexts (replies with a 20-product catalogue, follow-ups,
 * proactive sends), next to a baseline measured in the same run: a JSON deep copy of the context.
 */
import { type DecisionContext, parseContext } from '../src/engines/context.ts';
import { decide } from '../src/engines/decide.ts';
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
  return `${formatTable([baseline, decisions, replies], baseline)}\n${goal}`;
}
