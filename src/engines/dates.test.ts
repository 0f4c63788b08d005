/**
 * Property test over every date-time field of the decision context (issue 11, item 13): whatever
 * instant a field holds, the context is either refused naming that field (outside
 * [2009-01-01, 2100-01-01)) or decided without an exception, in any time zone, with a send time
 * that stays a four-digit-year ISO date (what Intl, JSON and Postgres handle).
 */

import type { TSchema } from '@sinclair/typebox';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EARLIEST_INSTANT_MS, LATEST_INSTANT_MS } from '../domain/instants.ts';
import { ContextError, DecisionContextSchema, parseContext } from './context.ts';
import { decide } from './decide.ts';

/** Paths of every `format: 'date-time'` in a schema, `[]` marking an array item. */
function dateTimePaths(schema: TSchema, path: string[] = []): string[][] {
  const s = schema as TSchema & {
    format?: string;
    properties?: Record<string, TSchema>;
    items?: TSchema;
    anyOf?: TSchema[];
  };
  if (s.format === 'date-time') return [path];
  const out: string[][] = [];
  for (const [key, child] of Object.entries(s.properties ?? {}))
    out.push(...dateTimePaths(child, [...path, key]));
  if (s.items !== undefined) out.push(...dateTimePaths(s.items, [...path, '[]']));
  for (const option of s.anyOf ?? []) out.push(...dateTimePaths(option, path));
  return out;
}

const PATHS = dateTimePaths(DecisionContextSchema);
/** The field as parseContext names it (`channel.healthEvents.0.at`). */
const name = (path: string[]) => path.map((p) => (p === '[]' ? '0' : p)).join('.');

const ZONES = [
  'Africa/Abidjan',
  'Pacific/Kiritimati', // UTC+14
  'Pacific/Niue', // UTC−11
  'Asia/Kathmandu', // +05:45
  'America/Santiago', // DST in the southern summer
  'Europe/Paris',
  'Australia/Lord_Howe', // a half-hour DST shift
];

type Json = Record<string, unknown>;

function baseContext(kind: 'reply' | 'followup' | 'proactive', zone: string): Json {
  const ctx: Json = {
    now: '2026-11-27T10:15:00Z',
    channel: {
      id: 'chn_dates',
      createdAt: '2026-10-01T08:00:00Z',
      timezone: zone,
      transport: 'cloud',
      warmupStartedAt: '2026-10-02T08:00:00Z',
      healthEvents: [
        { type: 'reachout_timelock', at: '2026-11-27T09:00:00Z', until: '2026-11-28T09:00:00Z' },
      ],
    },
    contact: {
      id: 'ctc_dates',
      phone: '+2250701020304',
      timezone: zone,
      optedIn: true,
      lastInboundAt: '2026-11-27T10:00:00Z',
      lastOutboundAt: '2026-11-27T10:05:00Z',
    },
    catalog: [{ id: 'prd_1', name: 'Sac noir', price: 15000, currency: 'XOF', stock: 3 }],
    stats: { sentLastMinute: 1, sentLastHour: 5, sentToday: 20, lastSentAt: '2026-11-27T10:05:00Z' },
    conversation: { cart: [{ productId: 'prd_1', quantity: 1 }], updatedAt: '2026-11-27T10:00:00Z' },
  };
  if (kind === 'reply') ctx.message = { id: 'wamid.dates', text: "Bonjour, c'est combien le sac noir ?" };
  else ctx.outbound = { kind, text: 'Le sac noir est de retour en stock.' };
  return ctx;
}

/** Sets the field at `path` (creating the first array item) to `value`. */
function setAt(ctx: Json, path: string[], value: string): void {
  let node: Json = ctx;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    if (key === '[]') continue;
    const next = path[i + 1] === '[]' ? ((node[key] as Json[] | undefined)?.[0] ?? {}) : (node[key] as Json);
    if (path[i + 1] === '[]') {
      node[key] = [{ type: 'disconnected', ...next }];
      node = (node[key] as Json[])[0]!;
    } else {
      node[key] = next ?? {};
      node = node[key] as Json;
    }
  }
  node[path[path.length - 1]!] = value;
}

const MIN_MS = -8.64e15;
const MAX_MS = 8.64e15;
const EDGES = [
  MIN_MS,
  Date.parse('0000-01-01T00:00:00Z'),
  0,
  EARLIEST_INSTANT_MS - 1,
  EARLIEST_INSTANT_MS,
  LATEST_INSTANT_MS - 1,
  LATEST_INSTANT_MS,
  Date.parse('9999-12-31T23:59:59Z'),
  MAX_MS,
];
const instant = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(...EDGES) },
  { weight: 2, arbitrary: fc.integer({ min: EARLIEST_INSTANT_MS, max: LATEST_INSTANT_MS - 1 }) },
  { weight: 1, arbitrary: fc.double({ min: MIN_MS, max: MAX_MS, noNaN: true }).map(Math.round) },
);
/** ISO text as a client would send it (expanded years for dates past 9999 or before 0). */
const iso = (ms: number) => new Date(ms).toISOString();

describe('dates in the decision context', () => {
  it('finds every date-time field of the schema', () => {
    expect(PATHS.map(name).sort()).toEqual(
      [
        'now',
        'channel.createdAt',
        'channel.warmupStartedAt',
        'channel.healthEvents.0.at',
        'channel.healthEvents.0.until',
        'contact.lastInboundAt',
        'contact.lastOutboundAt',
        'stats.lastSentAt',
        'conversation.updatedAt',
      ].sort(),
    );
  });

  it('refuses an out-of-range instant naming its field, and decides any in-range one without throwing', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PATHS),
        instant,
        fc.constantFrom('reply' as const, 'followup' as const, 'proactive' as const),
        fc.constantFrom(...ZONES),
        (path, ms, kind, zone) => {
          const ctx = baseContext(kind, zone);
          setAt(ctx, path, iso(ms));
          const inRange = ms >= EARLIEST_INSTANT_MS && ms < LATEST_INSTANT_MS;
          if (!inRange) {
            let caught: unknown;
            try {
              parseContext(ctx);
            } catch (err) {
              caught = err;
            }
            expect(caught).toBeInstanceOf(ContextError);
            expect((caught as ContextError).field).toBe(name(path));
            return;
          }
          const decision = decide(parseContext(ctx));
          expect(Number.isFinite(decision.delayMs)).toBe(true);
          if (decision.sendAtMs !== undefined) {
            expect(Number.isFinite(decision.sendAtMs)).toBe(true);
            expect(decision.sendAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
          }
          expect(() => JSON.stringify(decision)).not.toThrow();
        },
      ),
      { numRuns: 400 },
    );
  });

  it('decides when every date field holds an arbitrary accepted instant at once, in every zone', () => {
    const accepted = fc.integer({ min: EARLIEST_INSTANT_MS, max: LATEST_INSTANT_MS - 1 });
    fc.assert(
      fc.property(
        fc.array(accepted, { minLength: PATHS.length, maxLength: PATHS.length }),
        fc.constantFrom('reply' as const, 'followup' as const, 'proactive' as const),
        fc.constantFrom(...ZONES),
        (instants, kind, zone) => {
          const ctx = baseContext(kind, zone);
          PATHS.forEach((path, i) => {
            setAt(ctx, path, iso(instants[i]!));
          });
          const decision = decide(parseContext(ctx));
          if (decision.sendAt !== undefined) expect(decision.sendAt).toMatch(/^\d{4}-/);
          expect(() => JSON.stringify(decision)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });
});
