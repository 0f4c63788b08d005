/**
 * Every reason code the engines can emit has a label for the seller in French and in English
 * (src/web/i18n.js, `reason.<code>`), shown by the "Pourquoi ?" drawer and Mon numéro instead of
 * the engine's English detail. The codes come from two places, so that neither a code built at run
 * time nor one on a path no context here reaches goes unnoticed:
 *
 * - the engine sources, scanned for string literals `'<engine>.<code>'` (engine names read from
 *   the EngineName type), with the exported `*_CODES` lists on top;
 * - decide() itself, run over the development intent corpora (dev.json, dev-3.json, each message
 *   against its own catalogue, as bench/intent-eval.ts does) and over a grid of contexts that reach
 *   the defer, quota, warm-up, health, consent, schedule, follow-up, content and order paths.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCorpus, sellerLanguage } from '../../bench/intent-eval.ts';
import type { Product } from '../../src/domain/types.ts';
import { CONSENT_CODES } from '../../src/engines/consent.ts';
import { CONTENT_CODES } from '../../src/engines/content.ts';
import { type Conversation, type DecisionContext, parseContext } from '../../src/engines/context.ts';
import { DECIDE_CODES, decide } from '../../src/engines/decide.ts';
import { FOLLOWUP_CODES } from '../../src/engines/followup.ts';
import { FUNNEL_CODES } from '../../src/engines/funnel.ts';
import { HEALTH_CODES } from '../../src/engines/health.ts';
import { INTENT_CODES } from '../../src/engines/intent/detect.ts';
import { ORDER_CODES } from '../../src/engines/order.ts';
import { PACING_CODES } from '../../src/engines/pacing.ts';
import { QUOTA_CODES } from '../../src/engines/quota.ts';
import { SCHEDULE_CODES } from '../../src/engines/schedule.ts';
import { VARIATION_CODES } from '../../src/engines/variation.ts';
import { WARMUP_CODES } from '../../src/engines/warmup.ts';

const ROOT = join(import.meta.dirname, '..', '..');

// i18n.js is a browser module with no type declarations: imported by a path the compiler does not
// resolve, and given the one function this test needs.
const I18N: string = join(ROOT, 'src/web/i18n.js');
const { textIn } = (await import(I18N)) as {
  textIn: (language: 'fr' | 'en', key: string) => string | undefined;
};

/** Keys under `reason.` that are not codes. */
const NOT_CODES = new Set(['reason.technical']);

/**
 * Literals shaped like codes that are not reason codes: the exact rules of the consent cue
 * (src/engines/intent/rules.ts, ConsentRule) only ever appear inside the detail of
 * `intent.consent_rule` ("opt_out by the exact rule consent.keyword").
 */
const NOT_REASON_CODES = new Set([
  'consent.keyword',
  'consent.unsubscribe',
  'consent.remove_number',
  'consent.stop_sending',
  'consent.no_more_messages',
  'consent.stop_messages',
  'consent.remove_me',
  'consent.opt_in_keyword',
  'consent.opt_in_request',
]);

// ---------------------------------------------------------------------------------------------
// Codes from the sources

function engineNames(): string[] {
  const types = readFileSync(join(ROOT, 'src/domain/types.ts'), 'utf8');
  const union = /export type EngineName =([^;]+);/.exec(types)?.[1] ?? '';
  return [...union.matchAll(/'([a-z]+)'/g)].map((m) => m[1]!);
}

function engineSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return engineSources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function scannedCodes(): Set<string> {
  const literal = new RegExp(`['"\`]((?:${engineNames().join('|')})\\.[a-z0-9_]+)['"\`]`, 'g');
  const codes = new Set<string>();
  for (const path of engineSources(join(ROOT, 'src/engines'))) {
    for (const m of readFileSync(path, 'utf8').matchAll(literal)) {
      if (!NOT_REASON_CODES.has(m[1]!)) codes.add(m[1]!);
    }
  }
  const lists = [
    CONSENT_CODES,
    CONTENT_CODES,
    DECIDE_CODES,
    FOLLOWUP_CODES,
    FUNNEL_CODES,
    HEALTH_CODES,
    INTENT_CODES,
    ORDER_CODES,
    PACING_CODES,
    QUOTA_CODES,
    SCHEDULE_CODES,
    VARIATION_CODES,
    WARMUP_CODES,
  ];
  for (const list of lists) for (const code of list) codes.add(code);
  return codes;
}

// ---------------------------------------------------------------------------------------------
// Codes decide() emits

const CATALOG: Product[] = [
  { id: 'prd_sac', name: 'Sac noir', aliases: ['sac a main noir'], price: 15000, currency: 'XOF', stock: 4 },
  { id: 'prd_robe', name: 'Robe wax', price: 12000, currency: 'XOF', stock: 0 },
  {
    id: 'prd_esc',
    name: 'Escarpins',
    price: 20000,
    currency: 'XOF',
    stock: 3,
    variants: { size: ['39', '40'] },
  },
];

const PLAYBOOK = {
  delivery: {
    zones: [
      { id: 'yopougon', name: 'Yopougon', fee: 1000, delay: '24 h' },
      { id: 'cocody', name: 'Cocody', fee: 1500 },
    ],
  },
  payment: { methods: ['orange_money', 'wave'] },
  awayMessage: 'Nous sommes fermés, nous répondons dès 8 h.',
  followupTemplate: { name: 'cart_reminder', language: 'fr' },
};

const TEXTS = [
  "Bonjour, c'est combien le sac noir ?",
  'Hello, how much is the black bag?',
  'la robe wax est dispo ?',
  "c'est combien le parfum ?",
  'STOP',
  'START',
  'merci',
  'je veux parler à un humain svp',
  'je veux commander',
  'je veux les escarpins en 42',
  'vous livrez le dimanche ?',
  'hmm',
];

const CONTACTS: DecisionContext['contact'][] = [
  { id: 'ctc_new', phone: '+2250701020304', name: 'Aminata Koné' },
  {
    id: 'ctc_quiet',
    phone: '+2250701020304',
    stage: 'interested',
    lastInboundAt: '2026-11-27T09:00:00Z',
    lastOutboundAt: '2026-11-27T09:01:00Z',
  },
  { id: 'ctc_out', phone: '+2250701020304', optedOut: true, stage: 'opted_out' },
  { id: 'ctc_human', phone: '+2250701020304', ownership: 'human' },
  { id: 'ctc_wait', phone: '+2250701020304', ownership: 'waiting' },
  {
    id: 'ctc_lost',
    phone: '+2250701020304',
    stage: 'lost',
    followupsSent: 3,
    lastOutboundAt: '2026-11-20T09:00:00Z',
  },
  {
    id: 'ctc_done',
    phone: '+2250701020304',
    stage: 'ordered',
    optedIn: true,
    lastOutboundAt: '2026-11-26T09:00:00Z',
  },
  {
    id: 'ctc_ladder',
    phone: '+2250701020304',
    stage: 'engaged',
    followupsSent: 2,
    lastInboundAt: '2026-11-25T09:00:00Z',
    lastOutboundAt: '2026-11-26T09:00:00Z',
  },
  {
    id: 'ctc_recent',
    phone: '+2250701020304',
    lastInboundAt: '2026-11-27T10:05:00Z',
    lastOutboundAt: '2026-11-27T10:10:00Z',
  },
  {
    id: 'ctc_owed',
    phone: '+2250701020304',
    lastInboundAt: '2026-11-27T09:05:00Z',
    lastOutboundAt: '2026-11-27T09:01:00Z',
  },
];

/** Agreed to receive messages but was never written to: a first, "cold" message. */
const STRANGER: DecisionContext['contact'] = { id: 'ctc_stranger', phone: '+2250701020305', optedIn: true };

const CHANNELS: DecisionContext['channel'][] = [
  { id: 'chn_old', createdAt: '2026-01-01T00:00:00Z', transport: 'cloud' },
  { id: 'chn_day0', createdAt: '2026-11-27T06:00:00Z', transport: 'evolution' },
  {
    id: 'chn_out',
    createdAt: '2026-01-01T00:00:00Z',
    healthEvents: [{ type: 'logged_out', at: '2026-11-27T08:00:00Z' }],
  },
  {
    id: 'chn_restricted',
    createdAt: '2026-01-01T00:00:00Z',
    healthEvents: [{ type: 'account_restricted', at: '2026-11-27T08:00:00Z' }],
  },
  {
    id: 'chn_sick',
    createdAt: '2026-01-01T00:00:00Z',
    healthEvents: [
      { type: 'spam_limit', at: '2026-11-27T07:00:00Z' },
      { type: 'send_failed', at: '2026-11-27T07:10:00Z' },
      { type: 'quality_low', at: '2026-11-27T07:20:00Z' },
      { type: 'forbidden', at: '2026-11-27T07:30:00Z' },
    ],
  },
  {
    id: 'chn_paused',
    createdAt: '2026-01-01T00:00:00Z',
    paused: true,
    healthEvents: [{ type: 'send_ok', at: '2026-11-27T07:00:00Z' }],
  },
  {
    id: 'chn_lock',
    createdAt: '2026-01-01T00:00:00Z',
    healthEvents: [{ type: 'reachout_timelock', at: '2026-11-27T08:00:00Z', until: '2026-11-28T08:00:00Z' }],
  },
];

/** Weekday morning, weekday night, Saturday morning (Abidjan is UTC). */
const NOWS = ['2026-11-27T10:15:00Z', '2026-11-27T22:30:00Z', '2026-11-28T10:15:00Z'];

const STATS: DecisionContext['stats'][] = [
  {},
  { sentLastMinute: 1000 },
  { coldToday: 1_000_000 },
  { sentLastHour: 100_000 },
  { sentToday: 1_000_000, coldToday: 1_000_000, identicalLastHour: 1000, lastSentAt: '2026-11-27T10:14:59Z' },
];

const OUTBOUNDS: DecisionContext['outbound'][] = [
  { kind: 'followup' },
  { kind: 'proactive', text: 'Bonjour {{name}}, notre nouvelle collection est arrivée.' },
  {
    kind: 'proactive',
    text: 'GRATUIT!!! PROMO URGENTE 🎁🎁🎁🎁🎁 http://bit.ly/x http://a.b/c 100% GAGNANT​',
  },
  { kind: 'proactive', text: 'Bonjour {{prenom}} {voir' },
  { kind: 'proactive', text: '   ' },
  { kind: 'proactive' },
];

function* gridContexts(): Generator<unknown> {
  // Every kind of contact against every message and business-initiated send, on a healthy number…
  for (const now of NOWS) {
    for (const contact of CONTACTS) {
      const base = { now, channel: CHANNELS[0], contact, catalog: CATALOG, playbook: PLAYBOOK };
      for (const text of TEXTS) yield { ...base, message: { id: 'wamid.1', text } };
      for (const outbound of OUTBOUNDS) yield { ...base, outbound };
    }
  }
  // …and every state of the number and of the sending budget against a few of them.
  const few = [
    { contact: CONTACTS[0], message: { id: 'wamid.2', text: "c'est combien le sac noir ?" } },
    { contact: CONTACTS[1], outbound: OUTBOUNDS[0] },
    { contact: CONTACTS[6], outbound: OUTBOUNDS[1] },
    { contact: STRANGER, outbound: OUTBOUNDS[1] },
  ];
  for (const channel of CHANNELS) {
    for (const now of NOWS) {
      for (const stats of STATS) {
        for (const f of few) yield { now, channel, stats, catalog: CATALOG, playbook: PLAYBOOK, ...f };
      }
    }
  }
  // A channel idle for weeks restarts its warm-up; a Cloud follow-up after 24 h needs a template.
  yield {
    now: '2026-11-27T10:15:00Z',
    channel: { id: 'chn_idle', createdAt: '2026-01-01T00:00:00Z', transport: 'evolution' },
    contact: CONTACTS[1],
    stats: { lastSentAt: '2026-10-01T00:00:00Z' },
    outbound: { kind: 'proactive', text: 'Bonjour' },
    catalog: CATALOG,
  };
  yield {
    now: '2026-11-27T10:15:00Z',
    channel: { id: 'chn_old', createdAt: '2026-01-01T00:00:00Z', transport: 'cloud' },
    contact: CONTACTS[7],
    outbound: { kind: 'followup' },
    catalog: CATALOG,
  };
}

/** Order dialogues, turn by turn, the conversation carried from one decision to the next. */
const DIALOGUES = [
  ['Je veux 2 sacs noirs', 'Yopougon Selmer, près de la pharmacie. Je paie par Orange Money', 'oui'],
  [
    'Je veux des escarpins',
    '40',
    "c'est quoi vos horaires ?",
    'Cocody',
    'je paie par carte bancaire',
    'annuler',
  ],
  [
    'Je veux 10 sacs noirs',
    'je veux la robe wax aussi',
    'c’est combien les escarpins ?',
    'Yopougon',
    'wave',
    'oui',
  ],
  ['I want 2 black bags', 'Cocody, I pay with Wave', 'yes'],
];

function dialogueDecisions(): ReturnType<typeof decide>[] {
  const out: ReturnType<typeof decide>[] = [];
  for (const [n, turns] of DIALOGUES.entries()) {
    let conversation: Conversation | undefined;
    for (const [i, text] of turns.entries()) {
      const d = decide(
        parseContext({
          now: '2026-12-06T10:00:00Z',
          channel: { id: 'chn_1', createdAt: '2026-01-01T00:00:00Z', transport: 'cloud' },
          contact: { id: `ctc_${n}`, stage: 'engaged', lastInboundAt: '2026-12-06T09:59:00Z' },
          message: { id: `wamid.${n}.${i}`, text },
          catalog: CATALOG,
          playbook: PLAYBOOK,
          ...(conversation ? { conversation } : {}),
        }),
      );
      if (d.conversation !== undefined) conversation = d.conversation ?? undefined;
      out.push(d);
    }
  }
  // A cart left alone for more than 3 days is dropped.
  out.push(
    decide(
      parseContext({
        now: '2026-12-10T10:00:00Z',
        channel: { id: 'chn_1', createdAt: '2026-01-01T00:00:00Z' },
        contact: { id: 'ctc_old_cart', stage: 'interested' },
        message: { id: 'wamid.old', text: 'bonjour' },
        catalog: CATALOG,
        conversation: {
          cart: [{ productId: 'prd_sac', quantity: 1 }],
          awaiting: 'address',
          updatedAt: '2026-12-01T10:00:00Z',
        },
      }),
    ),
  );
  return out;
}

function corpusContexts(path: string): unknown[] {
  const corpus = loadCorpus(join(ROOT, path));
  return corpus.messages.map((m) => {
    const catalog = corpus.catalogues[m.catalogue]?.products ?? [];
    return {
      now: '2026-03-02T10:00:00Z',
      channel: {
        id: 'chn_eval',
        createdAt: '2025-06-01T08:00:00Z',
        transport: 'cloud',
        language: sellerLanguage(catalog),
      },
      contact: {
        id: 'ctc_eval',
        phone: '+2250701020304',
        stage: 'engaged',
        lastInboundAt: '2026-03-02T09:00:00Z',
        lastOutboundAt: '2026-03-02T09:01:00Z',
      },
      message: { id: `wamid.${m.id}`, text: m.text },
      catalog,
    };
  });
}

function emittedCodes(): Set<string> {
  const codes = new Set<string>();
  const contexts = [
    ...corpusContexts('test/fixtures/intents/dev.json'),
    ...corpusContexts('test/fixtures/intents/dev-3.json'),
    ...gridContexts(),
  ];
  const decisions = [...contexts.map((c) => decide(parseContext(c))), ...dialogueDecisions()];
  for (const d of decisions) for (const r of d.reasons) codes.add(r.code);
  return codes;
}

// ---------------------------------------------------------------------------------------------

const scanned = scannedCodes();
const emitted = emittedCodes();
const codes = [...new Set([...scanned, ...emitted])].sort();

function unlabelled(language: 'fr' | 'en'): string[] {
  return codes.filter((code) => !textIn(language, `reason.${code}`)?.trim());
}

describe('reason labels for the seller', () => {
  it('every reason code the engines emit has a French label', () => {
    expect(unlabelled('fr')).toEqual([]);
  });

  it('every reason code the engines emit has an English label', () => {
    expect(unlabelled('en')).toEqual([]);
  });

  it('labels no code the engines no longer emit, in either language', () => {
    for (const language of ['fr', 'en'] as const) {
      const stale = [...labelledKeys(language)].filter((key) => !codes.includes(key.slice('reason.'.length)));
      expect(stale, language).toEqual([]);
    }
  });

  it('the source scan finds every code decide() emits (else codes are built in a way the scan misses)', () => {
    expect([...emitted].filter((code) => !scanned.has(code))).toEqual([]);
  });

  it('the contexts reach the defer, quota, warm-up, health, consent, follow-up, content and order paths', () => {
    const reached = [
      'decide.defer_health',
      'decide.defer_quota',
      'decide.defer_warmup',
      'decide.defer_window',
      'decide.human_owner',
      'decide.awaiting_human',
      'decide.block_consent',
      'decide.block_content',
      'quota.minute_cap',
      'quota.hour_cap',
      'quota.daily_cap',
      'warmup.daily_cap',
      'warmup.cold_cap',
      'health.logged_out',
      'health.restricted',
      'health.timelock_new_contact',
      'consent.opt_out_confirm',
      'consent.already_opted_out',
      'consent.opt_in_confirm',
      'consent.cold_needs_opt_in',
      'schedule.away_message',
      'followup.due',
      'followup.not_yet',
      'content.spam_score',
      'order.started',
      'order.confirmed',
      'order.cancelled',
      'order.ask_variant',
      'intent.product_matched',
      'pacing.typing',
    ];
    expect(reached.filter((code) => !emitted.has(code))).toEqual([]);
    expect(codes.length).toBeGreaterThan(100);
  });
});

function labelledKeys(language: 'fr' | 'en'): Set<string> {
  // The dictionaries are not exported; every key is tried through textIn over the known codes and
  // the keys the source of i18n.js spells, so a label for a removed code is found too.
  const source = readFileSync(I18N, 'utf8');
  const keys = new Set<string>();
  for (const m of source.matchAll(/'(reason\.[a-z0-9_.]+)'\s*:/g)) {
    if (!NOT_CODES.has(m[1]!) && textIn(language, m[1]!) !== undefined) keys.add(m[1]!);
  }
  return keys;
}
