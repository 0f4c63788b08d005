/**
 * The seller's playbook: answer templates per intent and language, business hours, follow-up
 * ladder, away message and the info texts (location, delivery, payment). One row per tenant;
 * a tenant without one gets the defaults.
 */

import { type EventType, isEventType } from '../../domain/events.ts';
import type { Experiment } from '../../domain/experiments.ts';
import type { DeliveryFacts, LlmSwitches, PaymentFacts, PickupFacts } from '../../domain/selling.ts';
import { msOf, type RepoContext } from './common.ts';

export interface PlaybookInfo {
  location?: string;
  delivery?: string;
  payment?: string;
  [key: string]: string | undefined;
}

export interface Playbook {
  /** Templates by intent then language, e.g. `{ price: { fr: ['…'] } }` (spintax and {{variables}}). */
  templates: Record<string, unknown>;
  businessHours: Record<string, unknown> | null;
  /** Delays of the follow-up steps after the customer's last message. */
  followupLadderMs: number[];
  awayMessage: string | null;
  info: PlaybookInfo;
  /** Null while the defaults are in use. */
  updatedAtMs: number | null;
}

export type PlaybookPatch = Partial<Omit<Playbook, 'updatedAtMs'>>;

/** +15 min, +1 h, +24 h (DESIGN.md, follow-up engine). */
export const DEFAULT_FOLLOWUP_LADDER_MS: readonly number[] = [15 * 60_000, 60 * 60_000, 24 * 60 * 60_000];

export function defaultPlaybook(): Playbook {
  return {
    templates: {},
    businessHours: null,
    followupLadderMs: [...DEFAULT_FOLLOWUP_LADDER_MS],
    awayMessage: null,
    info: {},
    updatedAtMs: null,
  };
}

/** A text per language: one string or several variants (spintax allowed). */
export interface LocalizedText {
  fr?: string | string[];
  en?: string | string[];
}

export const PLAYBOOK_INFO_KEYS = ['location', 'hours', 'delivery', 'payment'] as const;

/** The playbook as sellers and decide() see it, decoded from the stored row. */
export interface PlaybookFields {
  sellerName: string | null;
  templates: Record<string, LocalizedText>;
  info: Partial<Record<(typeof PLAYBOOK_INFO_KEYS)[number], LocalizedText>>;
  followupTemplate: { name: string; language: string } | null;
  followupLadderMs: number[];
  awayMessage: string | null;
  delivery: DeliveryFacts | null;
  payment: PaymentFacts | null;
  pickup: PickupFacts | null;
  llm: LlmSwitches | null;
  /** Hand-off settings: the bot returns after `autoReturnAfterMs` without a person's message (null: never). */
  handoff: { autoReturnAfterMs: number | null };
  /** WhatsApp notifications to the seller's own number, per event type (null: none). */
  notifications: { to: string; events: EventType[] } | null;
  /** A/B experiments on templates (src/engines/experiments.ts); [] when none. */
  experiments: Experiment[];
}

/**
 * Keys of the `info` column that hold the structured facts (the API validated them on the way in;
 * `info.delivery` and `info.payment` are the older free texts).
 */
export const STRUCTURED_INFO_KEYS = {
  delivery: 'deliveryFacts',
  payment: 'paymentFacts',
  pickup: 'pickupFacts',
  llm: 'llmSwitches',
} as const;

/** Key of the `info` column that holds the A/B experiments (validated by the API on the way in). */
export const EXPERIMENTS_INFO_KEY = 'experiments';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Decodes the stored row: the `info` column holds the facts plus `sellerName` and
 * `followupTemplate`, which have no column yet. Older rows may hold a fact as a plain string: it
 * reads as the French text.
 */
export function playbookFields(p: Playbook): PlaybookFields {
  const raw = p.info as Record<string, unknown>;
  const info: PlaybookFields['info'] = {};
  for (const key of PLAYBOOK_INFO_KEYS) {
    const value = raw[key];
    if (typeof value === 'string') info[key] = { fr: value };
    else if (isRecord(value)) info[key] = value as LocalizedText;
  }
  const followup = raw.followupTemplate;
  return {
    sellerName: typeof raw.sellerName === 'string' ? raw.sellerName : null,
    templates: p.templates as Record<string, LocalizedText>,
    info,
    followupTemplate:
      isRecord(followup) && typeof followup.name === 'string' && typeof followup.language === 'string'
        ? { name: followup.name, language: followup.language }
        : null,
    followupLadderMs: p.followupLadderMs,
    awayMessage: p.awayMessage,
    delivery: isRecord(raw[STRUCTURED_INFO_KEYS.delivery])
      ? (raw[STRUCTURED_INFO_KEYS.delivery] as DeliveryFacts)
      : null,
    payment: isRecord(raw[STRUCTURED_INFO_KEYS.payment])
      ? (raw[STRUCTURED_INFO_KEYS.payment] as PaymentFacts)
      : null,
    pickup: isRecord(raw[STRUCTURED_INFO_KEYS.pickup])
      ? (raw[STRUCTURED_INFO_KEYS.pickup] as PickupFacts)
      : null,
    llm: isRecord(raw[STRUCTURED_INFO_KEYS.llm]) ? (raw[STRUCTURED_INFO_KEYS.llm] as LlmSwitches) : null,
    handoff: {
      autoReturnAfterMs:
        isRecord(raw.handoff) && typeof raw.handoff.autoReturnAfterMs === 'number'
          ? raw.handoff.autoReturnAfterMs
          : null,
    },
    notifications:
      isRecord(raw.notifications) &&
      typeof raw.notifications.to === 'string' &&
      Array.isArray(raw.notifications.events)
        ? {
            to: raw.notifications.to,
            events: raw.notifications.events.filter(
              (e): e is EventType => typeof e === 'string' && isEventType(e),
            ),
          }
        : null,
    experiments: Array.isArray(raw[EXPERIMENTS_INFO_KEY]) ? (raw[EXPERIMENTS_INFO_KEY] as Experiment[]) : [],
  };
}

export interface PlaybookRepo {
  get(): Promise<Playbook>;
  /** Replaces the given fields, keeps the others (defaults on first write). */
  put(patch: PlaybookPatch): Promise<Playbook>;
}

interface PlaybookRow {
  templates: Record<string, unknown>;
  business_hours: Record<string, unknown> | null;
  followup_ladder_ms: number[];
  away_message: string | null;
  info: PlaybookInfo;
  updated_at: Date;
}

const COLUMNS = 'templates, business_hours, followup_ladder_ms, away_message, info, updated_at';

function toPlaybook(r: PlaybookRow): Playbook {
  return {
    templates: r.templates,
    businessHours: r.business_hours,
    followupLadderMs: r.followup_ladder_ms,
    awayMessage: r.away_message,
    info: r.info,
    updatedAtMs: msOf(r.updated_at),
  };
}

export function playbookRepo(c: RepoContext): PlaybookRepo {
  async function get(): Promise<Playbook> {
    const { rows } = await c.tx.query<PlaybookRow>(`SELECT ${COLUMNS} FROM playbooks WHERE tenant_id = $1`, [
      c.tenantId,
    ]);
    return rows[0] ? toPlaybook(rows[0]) : defaultPlaybook();
  }

  return {
    get,
    async put(patch) {
      if (patch.followupLadderMs !== undefined) {
        for (const ms of patch.followupLadderMs) {
          if (!Number.isInteger(ms) || ms <= 0 || ms > 2_147_483_647) {
            throw new RangeError('follow-up delays must be positive integers of milliseconds below 2^31');
          }
        }
      }
      const merged = { ...(await get()), ...patch };
      const { rows } = await c.tx.query<PlaybookRow>(
        `INSERT INTO playbooks (tenant_id, templates, business_hours, followup_ladder_ms, away_message, info, updated_at)
         VALUES ($1, $2::jsonb, $3::jsonb, $4::int[], $5, $6::jsonb, now())
         ON CONFLICT (tenant_id) DO UPDATE SET templates = EXCLUDED.templates, business_hours = EXCLUDED.business_hours,
           followup_ladder_ms = EXCLUDED.followup_ladder_ms, away_message = EXCLUDED.away_message,
           info = EXCLUDED.info, updated_at = now()
         RETURNING ${COLUMNS}`,
        [
          c.tenantId,
          JSON.stringify(merged.templates),
          merged.businessHours === null ? null : JSON.stringify(merged.businessHours),
          merged.followupLadderMs,
          merged.awayMessage,
          JSON.stringify(merged.info),
        ],
      );
      return toPlaybook(rows[0]!);
    },
  };
}
