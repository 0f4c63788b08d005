import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localParts } from '../domain/time.ts';
import type { PresetName } from '../domain/types.ts';
import { PRESETS } from './config.ts';
import { type DecisionContext, parseContext } from './context.ts';
import { decide } from './decide.ts';
import { quotableMentions } from './reply.ts';

const catalog = [
  {
    id: 'prd_sac_noir',
    name: 'Sac noir',
    aliases: ['sac a main noir'],
    price: 15000,
    currency: 'XOF',
    stock: 4,
  },
  { id: 'prd_robe_wax', name: 'Robe wax', price: 12000, currency: 'XOF', stock: 0 },
  { id: 'prd_baskets', name: 'Baskets Nike', aliases: ['nike'], price: 25000, currency: 'XOF' },
];

function context(overrides: Partial<DecisionContext> = {}): DecisionContext {
  return parseContext({
    now: '2026-11-27T10:15:00Z',
    channel: {
      id: 'chn_1',
      createdAt: '2026-09-01T08:00:00Z',
      timezone: 'Africa/Abidjan',
      transport: 'cloud',
    },
    contact: { id: 'ctc_1', phone: '+2250701020304', name: 'Aminata Koné' },
    message: { id: 'wamid.1', text: "Bonjour, c'est combien le sac noir ?" },
    catalog,
    ...overrides,
  });
}

describe('decide — replies', () => {
  it('answers a French price question with the product and its price as a seller writes it', () => {
    const d = decide(context());
    expect(d.action).toBe('reply');
    expect(d.intent).toBe('price');
    expect(d.language).toBe('fr');
    expect(d.entities.products[0]?.productId).toBe('prd_sac_noir');
    expect(d.text).toContain('Sac noir');
    expect(d.text).toContain('15 000 FCFA');
    expect(d.stage).toBe('interested');
    expect(d.delayMs).toBeGreaterThanOrEqual(d.typingMs);
    expect(d.typingMs).toBeGreaterThan(0);
    expect(d.sendAtMs).toBe(Date.parse('2026-11-27T10:15:00Z') + d.delayMs);
  });

  it('answers in English when the customer writes English', () => {
    const d = decide(context({ message: { id: 'm2', text: 'Hello, how much is the black bag? sac noir' } }));
    expect(d.language).toBe('en');
    expect(d.text).toContain('FCFA');
  });

  it('says an out-of-stock product is out of stock and never gives it as available', () => {
    const d = decide(context({ message: { id: 'm3', text: 'la robe wax est dispo ?' } }));
    expect(d.action).toBe('reply');
    expect(d.text).toMatch(/rupture/);
    expect(d.reasons.map((r) => r.code)).toContain('decide.out_of_stock');
  });

  it('never invents a price for an unknown product and lists what is available', () => {
    const d = decide(context({ message: { id: 'm4', text: "c'est combien le parfum ?" } }));
    expect(d.action).toBe('reply');
    expect(d.text).not.toMatch(/parfum\s*:\s*\d/i);
    expect(d.text).toContain('Sac noir');
    expect(d.text).not.toContain('Robe wax'); // out of stock items are not offered
  });

  // A question that needs a product but names none is answered by asking which one, with names and
  // no price; a priced list goes only to a request for the prices in general or the catalogue.
  const whichProductCases: { name: string; text: string; priced: boolean }[] = [
    {
      name: 'a bare price question asks which item, quoting no price',
      text: "C'est combien ?",
      priced: false,
    },
    {
      name: 'an order naming nothing asks which item, quoting no price',
      text: 'Je veux commander svp',
      priced: false,
    },
    {
      name: 'an English price question naming nothing asks which item',
      text: 'How much is it please?',
      priced: false,
    },
    {
      name: 'a request for the prices in general gets the priced list',
      text: 'Vos prix svp ?',
      priced: true,
    },
    {
      name: 'a request for the price list gets the priced list',
      text: 'Send me your price list',
      priced: true,
    },
  ];
  for (const c of whichProductCases)
    it(c.name, () => {
      const d = decide(context({ message: { id: `wp_${c.text.length}`, text: c.text } }));
      expect(d.action).toBe('reply');
      expect(/\d[\d ]* FCFA/.test(d.text ?? '')).toBe(c.priced);
      if (!c.priced) {
        expect(d.text).toContain('Sac noir');
        expect(d.reasons.map((r) => r.code)).toContain('decide.ask_which_product');
      }
    });

  // A catalogue cue beside a question about payment, place or hours ("ou seulement", "or only") is
  // no request for the goods: no priced list, unless the message asks what the shop sells.
  const factListCases: { name: string; text: string; priced: boolean }[] = [
    {
      name: 'a payment question with "ou seulement" gets no priced list',
      text: 'Vous prenez Flooz ou seulement T-Money ?',
      priced: false,
    },
    {
      name: 'a question about another branch with "ou seulement" gets no priced list',
      text: 'Vous avez une boutique à Yopougon ou seulement à Cocody ?',
      priced: false,
    },
    {
      name: 'an English hours question with "or just" gets no priced list',
      text: 'Is the shop open on Sunday or just weekdays?',
      priced: false,
    },
    {
      name: 'a place question that also asks what the shop sells gets the priced list',
      text: 'Vous êtes où exactement ? Et vous vendez quoi ?',
      priced: true,
    },
    {
      name: 'a catalogue request alone gets the priced list',
      text: "Qu'est-ce que vous vendez ?",
      priced: true,
    },
  ];
  for (const c of factListCases)
    it(c.name, () => {
      const d = decide(context({ message: { id: `fl_${c.text.length}`, text: c.text } }));
      expect(d.action).toBe('reply');
      expect(/\d[\d ]* FCFA/.test(d.text ?? '')).toBe(c.priced);
    });

  const mention = (productId: string, score: number) => ({
    productId,
    name: productId,
    matched: productId,
    score,
  });
  const quotableCases: { name: string; scores: [string, number][]; want: string[] }[] = [
    {
      name: 'drops a typo or partial match beside an exact one',
      scores: [
        ['serrure', 1],
        ['cle', 0.5],
      ],
      want: ['serrure'],
    },
    {
      name: 'keeps every exact match',
      scores: [
        ['sac', 1],
        ['montre', 1],
      ],
      want: ['sac', 'montre'],
    },
    {
      name: 'keeps loose matches when none is exact',
      scores: [
        ['sac', 0.85],
        ['montre', 0.7],
      ],
      want: ['sac', 'montre'],
    },
  ];
  for (const c of quotableCases)
    it(`quotable mentions: ${c.name}`, () => {
      const got = quotableMentions(c.scores.map(([id, score]) => mention(id, score))).map((m) => m.productId);
      expect(got).toEqual(c.want);
    });

  it('answers a bargaining word beside a question about something else without quoting a price', () => {
    const text =
      'Vous êtes ouverts jusqu’à quelle heure samedi ? Je viens voir le sac noir pour sa remise de diplôme';
    const d = decide(context({ message: { id: 'rm1', text } }));
    expect(d.intent).toBe('hours');
    expect(d.text).not.toContain('15 000');
  });

  it('confirms an opt-out once, then stays silent on a second STOP', () => {
    const first = decide(context({ message: { id: 'm5', text: 'STOP' } }));
    expect(first.action).toBe('reply');
    expect(first.contactUpdate.optedOut).toBe(true);
    expect(first.stage).toBe('opted_out');
    expect(first.text).toMatch(/START/);
    const again = decide(
      context({
        message: { id: 'm6', text: 'stop' },
        contact: { id: 'ctc_1', phone: '+2250701020304', optedOut: true, stage: 'opted_out' },
      }),
    );
    expect(again.action).toBe('skip');
    expect(again.text).toBeUndefined();
  });

  it('hands the conversation to a person when asked', () => {
    const d = decide(context({ message: { id: 'm7', text: 'je veux parler à un humain svp' } }));
    expect(d.action).toBe('handoff');
    expect(d.text).toBeTruthy();
  });

  it('defers a reply while the number is paused after being logged out', () => {
    const d = decide(
      context({
        channel: {
          id: 'chn_1',
          createdAt: '2026-09-01T08:00:00Z',
          timezone: 'Africa/Abidjan',
          healthEvents: [{ type: 'logged_out', at: '2026-11-27T10:00:00Z' }],
        },
      }),
    );
    expect(d.action).toBe('defer');
    expect(d.reasons.map((r) => r.code)).toContain('decide.defer_health');
    expect(d.sendAtMs).toBeGreaterThan(Date.parse('2026-11-27T10:15:00Z'));
  });

  it('defers a reply when the reply budget of the minute is used up', () => {
    const cap = PRESETS.moderate.quota.reply.perMinute;
    const d = decide(context({ stats: { sentLastMinute: cap } }));
    expect(d.action).toBe('defer');
    expect(d.reasons.map((r) => r.code)).toContain('quota.minute_cap');
  });

  it('resets the follow-up ladder when the customer writes', () => {
    const d = decide(context({ contact: { id: 'ctc_1', phone: '+2250701020304', followupsSent: 2 } }));
    expect(d.contactUpdate.followupsSent).toBe(0);
  });
});

describe('decide — a possible opt-out no rule confirms (issue 14, eighth pass)', () => {
  const maybe = "C'est un numéro professionnel, merci de ne plus y envoyer de publicités.";
  const quiet = {
    id: 'ctc_1',
    phone: '+2250701020304',
    stage: 'interested' as const,
    lastInboundAt: '2026-11-27T09:00:00Z',
    lastOutboundAt: '2026-11-27T09:01:00Z',
  };
  const asked = { cart: [], consentQuestion: 'opt_out' as const };

  it('asks the customer to confirm with STOP instead of opting out or answering', () => {
    const d = decide(context({ message: { id: 'q1', text: maybe } }));
    expect(d.action).toBe('reply');
    expect(d.contactUpdate.optedOut).toBe(false);
    expect(d.text).toMatch(/ne plus recevoir nos messages/);
    expect(d.text).toMatch(/STOP/);
    expect(d.reasons.map((r) => r.code)).toEqual(
      expect.arrayContaining(['intent.opt_out_question', 'decide.ask_opt_out']),
    );
    expect(d.conversation).toEqual(asked);
  });

  it('asks in English when the customer writes English', () => {
    const d = decide(context({ message: { id: 'q2', text: 'These promos every morning, enough please' } }));
    expect(d.text).toMatch(/Would you like to stop receiving our messages\?.*STOP/);
    expect(d.conversation?.consentQuestion).toBe('opt_out');
  });

  it('keeps the cart of an order under way when it asks', () => {
    const cart = [{ productId: 'prd_sac_noir', quantity: 1 }];
    const d = decide(context({ message: { id: 'q3', text: maybe }, conversation: { cart } }));
    expect(d.conversation).toEqual({ cart, consentQuestion: 'opt_out' });
  });

  it('sends no follow-up while the question is open', () => {
    const d = decide(
      context({ message: undefined, contact: quiet, conversation: asked, now: '2026-11-27T09:20:00Z' }),
    );
    expect(d.action).toBe('block');
    expect(d.text).toBeUndefined();
    expect(d.reasons.map((r) => r.code)).toContain('decide.block_opt_out_question');
  });

  it('sends no proactive message while the question is open', () => {
    const d = decide(
      context({
        message: undefined,
        contact: quiet,
        conversation: asked,
        outbound: { kind: 'proactive', text: 'Nouvelle collection !' },
      }),
    );
    expect(d.action).toBe('block');
  });

  it('opts out on a bare "oui" to the question, with the one confirmation', () => {
    const d = decide(context({ message: { id: 'q4', text: 'Oui svp' }, conversation: asked }));
    expect(d.intent).toBe('opt_out');
    expect(d.contactUpdate.optedOut).toBe(true);
    expect(d.text).toMatch(/START/);
    expect(d.conversation).toBeNull();
    expect(d.reasons.map((r) => r.code)).toContain('decide.opt_out_answered');
  });

  it('closes the question on any other answer and answers it as usual', () => {
    const d = decide(
      context({ message: { id: 'q5', text: "Non non, c'est combien le sac noir ?" }, conversation: asked }),
    );
    expect(d.intent).toBe('price');
    expect(d.contactUpdate.optedOut).toBe(false);
    expect(d.text).toContain('15 000 FCFA');
    expect(d.conversation?.consentQuestion).toBeUndefined();
  });

  it('reads a bare "oui" as usual when no question is open', () => {
    const d = decide(context({ message: { id: 'q6', text: 'Oui' } }));
    expect(d.intent).not.toBe('opt_out');
    expect(d.contactUpdate.optedOut).toBe(false);
  });

  it('answers an order first and asks about the opt-out after it when the message asks both', () => {
    const d = decide(
      context({
        message: { id: 'q8', text: 'Je prends le sac noir, et après ça vos pubs là ça me fatigue hein' },
      }),
    );
    expect(d.contactUpdate.optedOut).toBe(false);
    expect(d.text).toContain('Sac noir');
    expect(d.text).toMatch(/ne plus recevoir nos messages.*STOP/s);
    expect(d.conversation?.consentQuestion).toBe('opt_out');
  });

  it('opts out on a strong fallback match ("desincrivez moi") without asking', () => {
    const d = decide(context({ message: { id: 'q7', text: 'desincrivez moi' } }));
    expect(d.intent).toBe('opt_out');
    expect(d.contactUpdate.optedOut).toBe(true);
    expect(d.reasons.map((r) => r.code)).toContain('intent.opt_out_fallback');
  });
});

describe('decide — business-initiated sends', () => {
  const quiet = {
    id: 'ctc_1',
    phone: '+2250701020304',
    stage: 'interested' as const,
    lastInboundAt: '2026-11-27T09:00:00Z',
    lastOutboundAt: '2026-11-27T09:01:00Z',
  };

  it('sends the first follow-up 15 minutes after our last message when the customer went quiet', () => {
    const d = decide(context({ message: undefined, contact: quiet, now: '2026-11-27T09:20:00Z' }));
    expect(d.action).toBe('send');
    expect(d.kind).toBe('followup');
    expect(d.text).toBeTruthy();
    expect(d.contactUpdate.followupsSent).toBe(1);
  });

  it('defers a follow-up that is not due yet to its due time', () => {
    const d = decide(context({ message: undefined, contact: quiet, now: '2026-11-27T09:05:00Z' }));
    expect(d.action).toBe('defer');
    expect(d.sendAtMs).toBe(Date.parse('2026-11-27T09:16:00Z'));
  });

  it('blocks a follow-up to an opted-out contact', () => {
    const d = decide(
      context({ message: undefined, contact: { ...quiet, optedOut: true }, now: '2026-11-27T09:20:00Z' }),
    );
    expect(['block', 'skip']).toContain(d.action);
    expect(d.text === undefined || d.action !== 'send').toBe(true);
  });

  it('waits for the sending window before a follow-up at night', () => {
    const d = decide(
      context({
        message: undefined,
        contact: { ...quiet, lastInboundAt: '2026-11-27T21:30:00Z', lastOutboundAt: '2026-11-27T21:31:00Z' },
        now: '2026-11-27T22:00:00Z',
      }),
    );
    expect(d.action).toBe('defer');
    expect(d.reasons.map((r) => r.code)).toContain('decide.defer_window');
    const local = localParts(d.sendAtMs!, 'Africa/Abidjan');
    expect(local.hour).toBeGreaterThanOrEqual(8);
    expect(local.hour).toBeLessThan(21);
  });

  it('refuses cold outreach to a stranger who never opted in', () => {
    const d = decide(
      context({
        message: undefined,
        outbound: { kind: 'proactive', text: 'Nouvelle collection disponible !' },
        contact: { id: 'c9', phone: '+221771234567' },
      }),
    );
    expect(d.action).toBe('block');
    expect(d.reasons.map((r) => r.code)).toContain('consent.cold_needs_opt_in');
  });

  it('uses the approved template for a Cloud API follow-up after the 24-hour window', () => {
    const d = decide(
      context({
        message: undefined,
        contact: {
          ...quiet,
          followupsSent: 2,
          lastInboundAt: '2026-11-25T09:00:00Z',
          lastOutboundAt: '2026-11-26T09:00:00Z',
        },
        now: '2026-11-27T10:00:00Z',
        playbook: { followupTemplate: { name: 'cart_reminder', language: 'fr' } },
      }),
    );
    expect(d.action).toBe('send');
    expect(d.template).toEqual({ name: 'cart_reminder', language: 'fr' });
    expect(d.text).toBeUndefined();
  });
});

// ---------- properties ----------

const presetArb = fc.constantFrom<PresetName>('conservative', 'moderate', 'aggressive');
const zoneArb = fc.constantFrom(
  'Africa/Abidjan',
  'Africa/Douala',
  'Africa/Dakar',
  'Europe/Paris',
  'America/New_York',
);
const textArb = fc.oneof(
  fc.constantFrom(
    "Bonjour, c'est combien le sac noir ?",
    'cb les baskets nike stp',
    'STOP',
    'vous livrez a cocody ?',
    'je veux 2 sacs noirs',
    'hello how much',
    'merci 🙏',
    'je veux parler a quelqu un',
  ),
  fc.string({ maxLength: 120 }),
);
const instantArb = fc.integer({
  min: Date.parse('2026-01-01T00:00:00Z'),
  max: Date.parse('2027-12-31T00:00:00Z'),
});

const contextArb = fc
  .record({
    now: instantArb,
    preset: presetArb,
    zone: zoneArb,
    ageDays: fc.integer({ min: 0, max: 30 }),
    text: fc.option(textArb, { nil: undefined }),
    kind: fc.constantFrom('followup', 'proactive'),
    optedOut: fc.boolean(),
    optedIn: fc.boolean(),
    inboundAgoMs: fc.option(fc.integer({ min: 0, max: 5 * 86_400_000 }), { nil: undefined }),
    outboundAgoMs: fc.option(fc.integer({ min: 0, max: 5 * 86_400_000 }), { nil: undefined }),
    sentToday: fc.integer({ min: 0, max: 5000 }),
    sentLastHour: fc.integer({ min: 0, max: 900 }),
    sentLastMinute: fc.integer({ min: 0, max: 70 }),
    ids: fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ minLength: 1, maxLength: 8 })),
  })
  .map((r) =>
    parseContext({
      now: new Date(r.now).toISOString(),
      channel: {
        id: `chn_${r.ids[0]}`,
        createdAt: new Date(r.now - r.ageDays * 86_400_000).toISOString(),
        timezone: r.zone,
        preset: r.preset,
        transport: 'cloud',
      },
      contact: {
        id: `ctc_${r.ids[1]}`,
        phone: '+2250701020304',
        timezone: r.zone,
        optedOut: r.optedOut,
        optedIn: r.optedIn,
        ...(r.inboundAgoMs === undefined
          ? {}
          : { lastInboundAt: new Date(r.now - r.inboundAgoMs).toISOString() }),
        ...(r.outboundAgoMs === undefined
          ? {}
          : { lastOutboundAt: new Date(r.now - r.outboundAgoMs).toISOString() }),
      },
      ...(r.text === undefined
        ? {
            outbound: {
              kind: r.kind,
              ...(r.kind === 'proactive' ? { text: 'Bonjour, notre nouvelle collection est arrivée.' } : {}),
            },
          }
        : { message: { id: `m_${r.ids.join('_')}`, text: r.text } }),
      catalog,
      stats: { sentToday: r.sentToday, sentLastHour: r.sentLastHour, sentLastMinute: r.sentLastMinute },
    }),
  );

describe('decide — properties', () => {
  it('gives byte-identical decision JSON for the same context', () => {
    fc.assert(
      fc.property(contextArb, (ctx) => {
        const a = JSON.stringify(decide(ctx));
        const b = JSON.stringify(decide(structuredClone(ctx)));
        expect(a).toBe(b);
      }),
      { numRuns: 300 },
    );
  });

  it('never sends a business-initiated message to an opted-out contact', () => {
    fc.assert(
      fc.property(contextArb, (ctx) => {
        if (ctx.message || !ctx.contact.optedOut) return;
        const d = decide(ctx);
        expect(d.action === 'send' || d.action === 'reply').toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('never plans a business-initiated send outside the sending window of the contact', () => {
    fc.assert(
      fc.property(contextArb, (ctx) => {
        if (ctx.message) return;
        const d = decide(ctx);
        if ((d.action !== 'send' && d.action !== 'defer') || d.sendAtMs === undefined) return;
        if (!d.verdicts.schedule) return; // deferred before the window was looked at (follow-up not due)
        const schedule = PRESETS[ctx.channel.preset ?? 'moderate'].schedule;
        const hour = localParts(d.sendAtMs, ctx.contact.timezone ?? 'UTC').hour;
        expect(hour).toBeGreaterThanOrEqual(schedule.windowStartHour);
        expect(hour).toBeLessThan(schedule.windowEndHour);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps unconstrained reply delays inside the configured bounds', () => {
    fc.assert(
      fc.property(contextArb, (ctx) => {
        if (!ctx.message) return;
        const d = decide({ ...ctx, stats: {}, contact: { ...ctx.contact, lastOutboundAt: undefined } });
        if (d.action !== 'reply' && d.action !== 'handoff') return;
        const cfg = PRESETS[ctx.channel.preset ?? 'moderate'].pacing;
        const factor = d.verdicts.schedule?.delayFactor ?? 1;
        expect(d.typingMs).toBeGreaterThanOrEqual(cfg.typingMinMs);
        expect(d.typingMs).toBeLessThanOrEqual(cfg.typingMaxMs);
        expect(d.readDelayMs).toBeGreaterThanOrEqual(cfg.readDelayMinMs);
        expect(d.readDelayMs).toBeLessThanOrEqual(cfg.readDelayMaxMs);
        const min = cfg.readDelayMinMs + cfg.gapMinMs * factor + cfg.typingMinMs;
        const max = cfg.readDelayMaxMs + cfg.gapMaxMs * factor + cfg.newChatExtraMaxMs + cfg.typingMaxMs;
        expect(d.delayMs).toBeGreaterThanOrEqual(Math.floor(min));
        expect(d.delayMs).toBeLessThanOrEqual(Math.ceil(max) + 1);
      }),
      { numRuns: 500 },
    );
  });

  it('over a simulated day of traffic never admits more sends than the quota and warm-up caps', () => {
    const dayArb = fc.record({
      preset: presetArb,
      ageDays: fc.integer({ min: 0, max: 8 }),
      // Each event: minutes after the previous one, and whether it is an inbound message or a proactive attempt.
      events: fc.array(
        fc.record({ gapSec: fc.integer({ min: 0, max: 240 }), inbound: fc.boolean(), cold: fc.boolean() }),
        {
          minLength: 50,
          maxLength: 700,
        },
      ),
    });
    fc.assert(
      fc.property(dayArb, ({ preset, ageDays, events }) => {
        const cfg = PRESETS[preset];
        const zone = 'Africa/Abidjan';
        const start = Date.parse('2026-11-23T08:00:00Z'); // a Monday, inside the window
        const createdAt = new Date(start - ageDays * 86_400_000).toISOString();
        const sends: { atMs: number; proactive: boolean; cold: boolean }[] = [];
        let now = start;
        let n = 0;
        for (const e of events) {
          now += e.gapSec * 1000;
          if (now >= start + 86_400_000) break;
          const since = (ms: number) => sends.filter((s) => s.atMs > now - ms).length;
          const today = sends.length; // the simulation covers one local day (UTC+0 zone, starting 08:00)
          const coldToday = sends.filter((s) => s.cold).length;
          const ctx = parseContext({
            now: new Date(now).toISOString(),
            channel: { id: 'chn_sim', createdAt, timezone: zone, preset },
            contact: {
              id: `ctc_${n}`,
              phone: '+2250701020304',
              timezone: zone,
              optedIn: true,
              ...(e.inbound || !e.cold ? { lastInboundAt: new Date(now - 3_600_000).toISOString() } : {}),
            },
            ...(e.inbound
              ? { message: { id: `m_${n}`, text: 'cb le sac noir' } }
              : {
                  outbound: {
                    kind: 'proactive',
                    id: `o_${n}`,
                    text: `Bonjour, votre commande numéro ${n} est prête.`,
                  },
                }),
            catalog,
            stats: {
              sentLastMinute: since(60_000),
              sentLastHour: since(3_600_000),
              sentToday: today,
              coldToday,
            },
          });
          n++;
          const d = decide(ctx);
          if (d.action === 'reply' || d.action === 'send' || d.action === 'handoff') {
            sends.push({ atMs: now, proactive: !e.inbound, cold: !e.inbound && e.cold });
          }
        }
        const dayIndex = Math.min(ageDays, cfg.warmup.dailyCaps.length - 1);
        const proactive = sends.filter((s) => s.proactive);
        expect(proactive.length).toBeLessThanOrEqual(
          Math.min(cfg.warmup.dailyCaps[dayIndex]!, cfg.quota.proactive.perDay),
        );
        expect(sends.filter((s) => s.cold).length).toBeLessThanOrEqual(
          cfg.warmup.coldCaps[Math.min(ageDays, cfg.warmup.coldCaps.length - 1)]!,
        );
        expect(sends.length).toBeLessThanOrEqual(cfg.quota.reply.perDay);
        for (const s of sends) {
          const inMinute = sends.filter((o) => o.atMs > s.atMs - 60_000 && o.atMs <= s.atMs).length;
          const inHour = sends.filter((o) => o.atMs > s.atMs - 3_600_000 && o.atMs <= s.atMs).length;
          const caps = s.proactive ? cfg.quota.proactive : cfg.quota.reply;
          expect(inMinute).toBeLessThanOrEqual(caps.perMinute);
          expect(inHour).toBeLessThanOrEqual(caps.perHour);
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('decide — away message', () => {
  const away = 'Nous sommes fermés pour ce soir{{name}}, nous répondons dès 8 h.';
  // 22:30 in Abidjan (UTC+0): outside the moderate hours 08:00–21:00.
  const night = (overrides: Partial<DecisionContext> = {}) =>
    context({
      now: '2026-11-27T22:30:00Z',
      playbook: { awayMessage: away },
      contact: {
        id: 'ctc_1',
        phone: '+2250701020304',
        name: 'Aminata Koné',
        lastInboundAt: '2026-11-27T22:30:00Z',
        lastOutboundAt: '2026-11-27T18:00:00Z',
      },
      ...overrides,
    });
  const withoutAway = (ctx: DecisionContext): DecisionContext => {
    const { awayMessage: _, ...playbook } = ctx.playbook ?? {};
    return { ...ctx, playbook };
  };

  it('opens the first answer of the night with the away message, then gives the usual answer', () => {
    const ctx = night();
    const d = decide(ctx);
    const usual = decide(withoutAway(ctx));
    expect(d.action).toBe('reply');
    expect(d.text).toBe(`Nous sommes fermés pour ce soir Aminata, nous répondons dès 8 h.\n${usual.text}`);
    expect(d.reasons.map((r) => r.code)).toContain('schedule.away_message');
    expect(d.reasons.map((r) => r.code)).toContain('schedule.night_reply_slower');
  });

  it('leaves the second message of the night as it was (an answer already went after 21:00)', () => {
    const ctx = night({
      contact: { id: 'ctc_1', phone: '+2250701020304', lastOutboundAt: '2026-11-27T21:10:00Z' },
    });
    expect(decide(ctx)).toEqual(decide(withoutAway(ctx)));
  });

  it('leaves an answer inside the hours as it was', () => {
    const ctx = context({ playbook: { awayMessage: away } });
    expect(decide(ctx)).toEqual(decide(withoutAway(ctx)));
  });

  it('gives a byte-for-byte identical decision when the away message is empty or blank', () => {
    const ctx = night();
    const plain = JSON.stringify(decide(withoutAway(ctx)));
    expect(JSON.stringify(decide({ ...ctx, playbook: { awayMessage: '' } }))).toBe(plain);
    expect(JSON.stringify(decide({ ...ctx, playbook: { awayMessage: '  ' } }))).toBe(plain);
  });

  it("reads the hours in the seller's zone, not the contact's", () => {
    // 07:30 UTC: 07:30 for a seller in Abidjan (closed), 08:30 for a contact in Paris: due.
    const sellerClosed = night({
      now: '2026-11-28T07:30:00Z',
      contact: { id: 'ctc_1', timezone: 'Europe/Paris', lastOutboundAt: '2026-11-27T18:00:00Z' },
    });
    const d = decide(sellerClosed);
    expect(d.text?.startsWith('Nous sommes fermés pour ce soir, nous répondons dès 8 h.\n')).toBe(true);
    expect(d.reasons.map((r) => r.code)).toContain('schedule.inside_window');
    // The same instant for a seller in Paris (open) and a contact in Abidjan: not due.
    const sellerOpen = night({
      now: '2026-11-28T07:30:00Z',
      channel: {
        id: 'chn_1',
        createdAt: '2026-09-01T08:00:00Z',
        timezone: 'Europe/Paris',
        transport: 'cloud',
      },
    });
    expect(decide(sellerOpen)).toEqual(decide(withoutAway(sellerOpen)));
  });

  it('never opens a STOP confirmation, an answer to an opted-out customer or a follow-up with it', () => {
    const stop = night({ message: { id: 'wamid.stop', text: 'STOP' } });
    expect(decide(stop).text).toBe(decide(withoutAway(stop)).text);
    const optedOut = night({
      contact: {
        id: 'ctc_1',
        phone: '+2250701020304',
        optedOut: true,
        lastOutboundAt: '2026-11-27T18:00:00Z',
      },
    });
    expect(decide(optedOut).text).toBe(decide(withoutAway(optedOut)).text);
    const { message: _, ...followupCtx } = night({ now: '2026-11-28T10:00:00Z' });
    const followup = decide(followupCtx);
    expect(followup.reasons.map((r) => r.code)).not.toContain('schedule.away_message');
    expect(followup.text ?? '').not.toContain('fermés');
  });

  it('stays quiet when a person owns the conversation', () => {
    const ctx = night({
      contact: { id: 'ctc_1', phone: '+2250701020304', ownership: 'human' },
    });
    const d = decide(ctx);
    expect(d.action).toBe('skip');
    expect(d.text).toBeUndefined();
  });
});
