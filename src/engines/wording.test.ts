/**
 * Issue 13.8: wording a seller would sign. Over many generated contexts (fast-check: messages,
 * names, catalogues, playbook facts and free texts, consent state, numbers from French- and
 * English-speaking countries), every reply and every reason detail is scanned for doubled
 * punctuation, "a the", "à vous <Name>", placeholders or spintax left in, and French and English
 * mixed in one reply.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PAYMENT_METHODS, type PaymentMethod } from '../domain/selling.ts';
import type { DecisionContext, PlaybookInput } from './context.ts';
import { decide } from './decide.ts';
import { composeFollowup, tidyText } from './reply.ts';

const MESSAGES = [
  'Bonjour',
  'Bonsoir, je voudrais des infos',
  'Hello',
  "c'est combien le sac noir ?",
  'cb le sac rouge',
  'how much is the black bag?',
  'le sac noir est dispo ?',
  'is the red bag available?',
  'vous avez des chaussures bleues ?',
  'do you have blue shoes?',
  'je veux commander 2 sacs noirs',
  'I want to order 3 black bags',
  'je veux commander',
  'vous pouvez faire un prix ?',
  'can you give me a discount on the black bag?',
  'on paie comment ?',
  'how can I pay?',
  'vous livrez ?',
  'do you deliver to Cocody?',
  'vous livrez à Yopougon ?',
  'vous êtes où ?',
  'where is your shop?',
  'vous ouvrez à quelle heure ?',
  'what are your opening hours?',
  'vous avez quoi comme sacs ?',
  'what do you sell?',
  'je ne suis pas content, le sac est abîmé',
  'I want a refund, the bag is broken',
  "je veux parler à quelqu'un",
  'can I talk to a human?',
  'merci beaucoup',
  'thanks a lot',
  'STOP',
  'START',
  'unsubscribe',
  'arrêt',
  'blabla xyz',
  '👍',
  'Bonjour, vous livrez et on paie comment ?',
  'Hello, do you deliver? how can I pay? where are you?',
  "c'est combien le sac noir et vous livrez à Cocody ?",
  'je veux 2 sacs noirs livrés à Yopougon, je paie par Wave',
];

const NAMES = [undefined, 'Fatou', 'Fatou Diallo', 'Awa K.', 'Jean-Marc', 'Mary Ann', 'Kofi'];
const PHONES = ['+2250701020304', '+221771234567', '+2348031234567', '+233241234567', '+33612345678'];
const PRODUCT_NAMES = ['Sac noir', 'Sac rouge', 'Escarpins', 'Pagne wax', 'Boubou brodé', 'Montre dorée'];
const ZONES = ['Yopougon', 'Cocody', 'Abobo', 'Plateau', 'Marcory', 'Treichville'];
const DELAYS = ['24 h', 'le jour même', '48 h.', '2 jours', 'same day'];
/** Seller free texts, as sellers type them: with or without a final full stop. */
const FREE = {
  delivery: ['Livraison 1000 FCFA à Abobo.', 'Livraison 1000 FCFA à Abobo'],
  payment: ['Orange Money', 'par Wave.', 'Wave ou Orange Money.', 'Nous acceptons Wave uniquement.'],
  location: ['Adjamé, près de la gare.', 'Adjamé, près de la gare'],
  hours: ['Tous les jours 10 h – 19 h.', 'Du lundi au vendredi'],
};
const FREE_EN = {
  delivery: ['Delivery 1000 FCFA in Abobo.', 'Delivery 1000 FCFA in Abobo'],
  payment: ['Orange Money', 'by Wave.', 'Wave or Orange Money.', 'We only take Wave.'],
  location: ['Adjamé, near the station.', 'Adjamé, near the station'],
  hours: ['Every day 10 am – 7 pm.', 'Monday to Friday'],
};

const catalogArb = fc.uniqueArray(
  fc.record({
    name: fc.constantFrom(...PRODUCT_NAMES),
    price: fc.integer({ min: 0, max: 500_000 }),
    currency: fc.constantFrom('XOF', 'XOF', 'EUR'),
    stock: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
  }),
  { selector: (p) => p.name, maxLength: 6 },
);

const playbookArb: fc.Arbitrary<PlaybookInput | undefined> = fc.option(
  fc
    .record(
      {
        delivery: fc.record(
          {
            zones: fc.uniqueArray(
              fc.record(
                {
                  name: fc.constantFrom(...ZONES),
                  fee: fc.integer({ min: 0, max: 10_000 }),
                  delay: fc.constantFrom(...DELAYS),
                },
                { requiredKeys: ['name', 'fee'] },
              ),
              { selector: (z) => z.name, maxLength: 4 },
            ),
            default: fc.record({
              fee: fc.integer({ min: 0, max: 10_000 }),
              delay: fc.constantFrom(...DELAYS),
            }),
          },
          { requiredKeys: ['zones'] },
        ),
        payment: fc.record(
          {
            methods: fc.uniqueArray(fc.constantFrom<PaymentMethod>(...PAYMENT_METHODS), { minLength: 1 }),
            details: fc.constant({ wave: '01 23 45 67 89 (Awa K.)', orange_money: '07 07 07 07 07.' }),
          },
          { requiredKeys: ['methods'] },
        ),
        pickup: fc.record(
          {
            address: fc.constantFrom('Marché de Treichville, allée 4', 'Cocody Angré, 7e tranche.'),
            hours: fc.constantFrom('9 h – 18 h', 'lun–sam 9 h–18 h.'),
          },
          { requiredKeys: ['address'] },
        ),
        info: fc.record(
          {
            delivery: fc.nat(1).map((i) => ({ fr: FREE.delivery[i] ?? '', en: FREE_EN.delivery[i] ?? '' })),
            payment: fc.nat(3).map((i) => ({ fr: FREE.payment[i] ?? '', en: FREE_EN.payment[i] ?? '' })),
            location: fc.nat(1).map((i) => ({ fr: FREE.location[i] ?? '', en: FREE_EN.location[i] ?? '' })),
            hours: fc.nat(1).map((i) => ({ fr: FREE.hours[i] ?? '', en: FREE_EN.hours[i] ?? '' })),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    )
    .map((p) => {
      const out = { ...p } as PlaybookInput;
      if (p.delivery)
        out.delivery = {
          ...p.delivery,
          zones: p.delivery.zones.map((z) => ({ ...z, id: z.name.toLowerCase() })),
        };
      return out;
    }),
  { nil: undefined },
);

const contextArb = fc
  .record({
    text: fc.constantFrom(...MESSAGES),
    messageId: fc.string({ minLength: 1, maxLength: 12 }),
    name: fc.constantFrom(...NAMES),
    phone: fc.constantFrom(...PHONES),
    optedOut: fc.boolean(),
    language: fc.option(fc.constantFrom('fr' as const, 'en' as const), { nil: undefined }),
    catalog: catalogArb,
    playbook: playbookArb,
  })
  .map((g): DecisionContext => {
    const ctx: DecisionContext = {
      now: '2026-11-28T22:30:00Z',
      channel: { id: 'chn_w', createdAt: '2026-01-01T00:00:00Z', transport: 'sandbox' },
      contact: {
        id: 'ctc_w',
        phone: g.phone,
        optedOut: g.optedOut,
        ...(g.optedOut ? { stage: 'opted_out' } : {}),
      },
      message: { id: `m_${g.messageId}`, text: g.text },
      catalog: g.catalog.map((p, i) => ({ id: `p${i}`, ...p })),
    };
    if (g.name !== undefined) ctx.contact.name = g.name;
    if (g.language !== undefined) ctx.channel.language = g.language;
    if (g.playbook !== undefined) ctx.playbook = g.playbook;
    return ctx;
  });

/** What a generated text must never hold; each entry names the flaw. */
const FLAWS: { name: string; re: RegExp }[] = [
  { name: 'doubled full stop', re: /(?<!\.)\.\.(?!\.)/ },
  { name: 'full stop after ! or ?', re: /[!?]\./ },
  { name: 'doubled comma or mark', re: /,,|!!|\?\?|::/ },
  { name: 'space before a full stop or comma', re: / [.,](?!\d)/ },
  { name: 'article before an article', re: /\b(?:a|an) (?:the|a|an)\b/i },
  { name: '"a" before a vowel', re: /\ba (?:[aeio][a-z]+)\b/i },
  { name: '"à vous" before a name', re: /à vous\s+\p{Lu}/u },
  { name: 'placeholder left in', re: /\{\{|\}\}|\{[^{}\n]*\|[^{}\n]*\}/ },
  { name: 'a value that was never filled', re: /\bundefined\b|\bnull\b|\bNaN\b|\[object /i },
  { name: 'payer without par', re: /payer (?!par |en |avec |via |à |au )\p{Lu}/u },
  { name: 'reason wording', re: /divided by/ },
];

/** Words that give a reply away as English, and as French (our own wording only). */
const EN_WORDS =
  /\b(?:the|you|your|please|would|we|our|with|is|are|available|delivery|order|reply|thank|sorry|hello|hi)\b/i;
const FR_WORDS =
  /\b(?:vous|nous|votre|vos|notre|nos|le|la|les|des|est|pour|avec|merci|bonjour|livraison|disponible|commande|désolé)\b/i;

/** The reply without what the seller or the customer wrote (names, addresses, their own texts). */
function ourWords(text: string, ctx: DecisionContext): string {
  const theirs = [
    ...(ctx.catalog ?? []).map((p) => p.name),
    ...(ctx.playbook?.delivery?.zones ?? []).flatMap((z) => [z.name, z.delay ?? '']),
    ctx.playbook?.delivery?.default?.delay ?? '',
    ctx.playbook?.pickup?.address ?? '',
    ctx.playbook?.pickup?.hours ?? '',
    ...Object.values(ctx.playbook?.payment?.details ?? {}),
    ...Object.values(ctx.playbook?.info ?? {}).flatMap((t) => [String(t?.fr ?? ''), String(t?.en ?? '')]),
    ...(ctx.contact.name ?? '').split(/\s+/),
    ctx.message?.text ?? '',
    'Orange Money',
    'Moov Money',
    'MTN MoMo',
  ]
    .map((s) => s.trim().replace(/\.$/, ''))
    .filter((s) => s.length > 0)
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const s of theirs) out = out.split(s).join(' ');
  return out;
}

function flawsOf(text: string): string[] {
  return FLAWS.filter((f) => f.re.test(text)).map(
    (f) => `${f.name}: ${JSON.stringify(text.match(f.re)?.[0])}`,
  );
}

describe('wording of generated replies and reasons', () => {
  it('tidyText removes doubled stops and stray spaces but keeps an ellipsis', () => {
    const cases: [string, string][] = [
      ['Livraison 1000 FCFA à Abobo..', 'Livraison 1000 FCFA à Abobo.'],
      ['Merci !.', 'Merci !'],
      ['Attendez...', 'Attendez...'],
      ['Adjamé , près de la gare .', 'Adjamé, près de la gare.'],
      ['a  b \nc', 'a b\nc'],
    ];
    for (const [input, want] of cases) expect(tidyText(input)).toBe(want);
  });

  it('no reply or reason detail over generated contexts has a wording flaw or mixes French and English', () => {
    fc.assert(
      fc.property(contextArb, (ctx) => {
        const d = decide(ctx);
        const problems: string[] = [];
        if (d.text !== undefined) {
          problems.push(...flawsOf(d.text));
          const ours = ourWords(d.text, ctx);
          const foreign = d.language === 'fr' ? EN_WORDS : FR_WORDS;
          const hit = ours.match(foreign);
          if (hit) problems.push(`${d.language} reply holds "${hit[0]}"`);
        }
        for (const r of d.reasons) problems.push(...flawsOf(r.detail).map((p) => `${r.code}: ${p}`));
        if (problems.length > 0) throw new Error(`${problems.join('; ')}\n${d.text}\n${JSON.stringify(ctx)}`);
      }),
      { numRuns: 400, seed: 13_8 },
    );
  });

  it('no follow-up or proactive decision has a wording flaw in its text or reasons', () => {
    const HOUR = 3_600_000;
    const stages = [
      'new',
      'engaged',
      'interested',
      'negotiating',
      'ordered',
      'paid',
      'lost',
      'opted_out',
    ] as const;
    const healthTypes = [
      'logged_out',
      'send_failed',
      'spam_limit',
      'reachout_timelock',
      'quality_low',
    ] as const;
    const arb = fc.record({
      nowMs: fc.integer({ min: Date.parse('2026-11-23T00:00:00Z'), max: Date.parse('2026-11-30T00:00:00Z') }),
      stage: fc.constantFrom(...stages),
      followupsSent: fc.integer({ min: 0, max: 4 }),
      sinceOutboundH: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
      optedOut: fc.boolean(),
      transport: fc.constantFrom('cloud' as const, 'sandbox' as const),
      proactive: fc.option(fc.constantFrom('Nouvel arrivage : sacs en cuir !', 'New stock: leather bags!'), {
        nil: undefined,
      }),
      health: fc.array(fc.constantFrom(...healthTypes), { maxLength: 4 }),
      name: fc.constantFrom(...NAMES),
      sentToday: fc.integer({ min: 0, max: 400 }),
    });
    fc.assert(
      fc.property(arb, (g) => {
        const now = new Date(g.nowMs).toISOString();
        const ctx: DecisionContext = {
          now,
          channel: {
            id: 'chn_o',
            createdAt: '2026-11-20T00:00:00Z',
            transport: g.transport,
            healthEvents: g.health.map((type, i) => ({
              type,
              at: new Date(g.nowMs - (i + 1) * HOUR).toISOString(),
              ...(type === 'reachout_timelock' ? { until: new Date(g.nowMs + HOUR).toISOString() } : {}),
            })),
          },
          contact: {
            id: 'ctc_o',
            phone: '+2250701020304',
            stage: g.stage,
            optedOut: g.optedOut,
            followupsSent: g.followupsSent,
            ...(g.name ? { name: g.name } : {}),
            ...(g.sinceOutboundH === undefined
              ? {}
              : { lastOutboundAt: new Date(g.nowMs - g.sinceOutboundH * HOUR).toISOString() }),
          },
          stats: { sentToday: g.sentToday },
          ...(g.proactive ? { outbound: { kind: 'proactive' as const, text: g.proactive } } : {}),
        };
        const d = decide(ctx);
        const problems = [
          ...(d.text === undefined ? [] : flawsOf(d.text)),
          ...d.reasons.flatMap((r) => flawsOf(r.detail).map((p) => `${r.code}: ${p}`)),
        ];
        if (problems.length > 0) throw new Error(`${problems.join('; ')}\n${d.text}\n${JSON.stringify(ctx)}`);
      }),
      { numRuns: 300, seed: 13_8 },
    );
  });

  it('greets a customer by name without "à vous", in both languages', () => {
    for (let i = 0; i < 40; i++) {
      for (const text of ['Bonjour, vous livrez ?', 'Hello, do you deliver?']) {
        const d = decide({
          now: '2026-11-23T10:00:00Z',
          channel: { id: 'chn_g', createdAt: '2026-01-01T00:00:00Z' },
          contact: { id: 'ctc_g', phone: '+2250701020304', name: 'Fatou Diallo' },
          message: { id: `g${i}`, text },
          catalog: [],
        });
        expect(d.text).toMatch(/^(?:Bonjour|Hello|Hi) Fatou ?!/);
        expect(d.text).not.toMatch(/à vous/);
      }
    }
  });

  it('follow-ups have no wording flaw', () => {
    for (const lang of ['fr', 'en'] as const)
      for (const name of NAMES)
        for (let step = 0; step < 3; step++)
          for (let seed = 0; seed < 20; seed++)
            expect(flawsOf(composeFollowup(step, lang, `w${seed}`, undefined, name))).toEqual([]);
  });

  it('reason texts read as sentences: the weekend factor and a message that does not move the funnel', () => {
    const d = decide({
      now: '2026-11-28T10:00:00Z', // a Saturday
      channel: { id: 'chn_r', createdAt: '2026-01-01T00:00:00Z' },
      contact: { id: 'ctc_r', phone: '+2250701020304', stage: 'interested' },
      message: { id: 'r1', text: 'merci' },
      catalog: [],
    });
    const details = d.reasons.map((r) => `${r.code} ${r.detail}`);
    expect(details).toContain('schedule.weekend_slower weekend: delays ×2 (activity factor 0.5)');
    expect(details).toContain(
      'funnel.kept stays interested: this message (the customer wrote) never moves the funnel back',
    );
  });
});
