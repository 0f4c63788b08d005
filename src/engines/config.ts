/**
 * Engine configuration and the three presets. Numbers come from the public anti-ban
 * implementations and Meta's published limits (see docs/ARCHITECTURE.md, "Where the numbers come from").
 * Every field carries its unit in its name.
 */
import type { PresetName } from '../domain/types.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

export interface QuotaCaps {
  perMinute: number;
  perHour: number;
  perDay: number;
}

export interface QuotaConfig {
  /** Caps for business-initiated sends (follow-ups, first contact), counted against everything sent. */
  proactive: QuotaCaps;
  /** Generous caps for replies to customers who wrote: answering is not what gets numbers banned. */
  reply: QuotaCaps;
  /** Minimum gap between two sends to the same recipient (Cloud API pair limit ≈ 1 per 6 s). */
  pairMinGapMs: number;
}

export interface WarmupConfig {
  /** Daily cap of business-initiated sends by warm-up day (day 0 first); the last entry holds after. */
  dailyCaps: number[];
  /** Daily cap of first messages to strangers by warm-up day. */
  coldCaps: number[];
  /** Without any send for this long, the number starts its warm-up again. Default 72 h. */
  rewarmIdleMs: number;
}

export interface ScheduleConfig {
  /** Proactive sends allowed from this local hour (inclusive)… */
  windowStartHour: number;
  /** …until this local hour (exclusive). Default 08:00–21:00. */
  windowEndHour: number;
  /** Activity factor on Saturdays and Sundays: delays are divided by it (0.5 → twice as slow). */
  weekendFactor: number;
  /** Delay multiplier for replies sent at night (between windowEndHour and windowStartHour). */
  nightReplyDelayFactor: number;
  /** Proactive sends are also refused on weekends when false. */
  weekendProactive: boolean;
}

export interface PacingConfig {
  /** Gap between two sends of a channel: truncated Gaussian on [gapMinMs, gapMaxMs]. */
  gapMinMs: number;
  gapMaxMs: number;
  /** Typing time = clamp(typingBaseMs + typingPerCharMs × chars, typingMinMs, typingMaxMs) × U(1 ± typingJitterRatio). */
  typingBaseMs: number;
  typingPerCharMs: number;
  typingMinMs: number;
  typingMaxMs: number;
  typingJitterRatio: number;
  /** Extra wait before the first message to a new chat: U(newChatExtraMinMs, newChatExtraMaxMs). */
  newChatExtraMinMs: number;
  newChatExtraMaxMs: number;
  /** Read receipt delay: Normal(readDelayMeanMs, readDelaySdMs) clamped to [readDelayMinMs, readDelayMaxMs]. */
  readDelayMeanMs: number;
  readDelaySdMs: number;
  readDelayMinMs: number;
  readDelayMaxMs: number;
}

export interface ContentConfig {
  /** WhatsApp's text limit. */
  maxChars: number;
  /** More identical texts than this in one hour are refused. */
  maxIdenticalPerHour: number;
  /** Spam score (0–100) from which a text is refused. */
  blockScore: number;
  /** Spam score from which a text is flagged with suggestions. */
  warnScore: number;
}

export interface HealthConfig {
  /** Score added per event type (negative values heal). */
  eventDeltas: Record<string, number>;
  /** Points removed per decay period since the previous event. */
  decayPoints: number;
  decayPeriodMs: number;
  /** Pause sending at or above this score… */
  pauseAtScore: number;
  /** …and resume only at or below this one (hysteresis against flapping). */
  resumeAtScore: number;
  /** Events older than this are forgotten. */
  memoryMs: number;
  /** Assumed length of a 463 reach-out lock when the server states no end. */
  timelockDefaultMs: number;
}

export interface FollowupConfig {
  /** Wait before each follow-up, counted from our last message. Default +15 min, +1 h, +24 h. */
  ladderMs: number[];
  /** Cloud API customer service window: free-form messages only within this time of the last inbound. */
  serviceWindowMs: number;
}

export interface EngineConfig {
  preset: PresetName;
  quota: QuotaConfig;
  warmup: WarmupConfig;
  schedule: ScheduleConfig;
  pacing: PacingConfig;
  content: ContentConfig;
  health: HealthConfig;
  followup: FollowupConfig;
}

const shared = {
  schedule: {
    windowStartHour: 8,
    windowEndHour: 21,
    weekendFactor: 0.5,
    nightReplyDelayFactor: 2,
    weekendProactive: true,
  },
  pacing: {
    typingBaseMs: 500,
    typingPerCharMs: 45,
    typingMinMs: 600,
    typingMaxMs: 8000,
    typingJitterRatio: 0.15,
    newChatExtraMinMs: 2000,
    newChatExtraMaxMs: 4000,
    readDelayMeanMs: 1500,
    readDelaySdMs: 800,
    readDelayMinMs: 200,
    readDelayMaxMs: 8000,
  },
  content: { maxChars: 4096, maxIdenticalPerHour: 3, blockScore: 70, warnScore: 40 },
  health: {
    eventDeltas: {
      logged_out: 50,
      forbidden: 40,
      account_restricted: 60,
      reachout_timelock: 25,
      spam_limit: 40,
      disconnected: 15,
      send_failed: 5,
      pair_limit: 5,
      throughput_limit: 5,
      quality_low: 30,
      quality_ok: -20,
      connected: -20,
      send_ok: -1,
    },
    decayPoints: 3,
    decayPeriodMs: 5 * MINUTE_MS,
    pauseAtScore: 70,
    resumeAtScore: 30,
    memoryMs: 24 * HOUR_MS,
    timelockDefaultMs: 60_000,
  },
  followup: { ladderMs: [15 * MINUTE_MS, HOUR_MS, 24 * HOUR_MS], serviceWindowMs: 24 * HOUR_MS },
} as const;

export const PRESETS: Readonly<Record<PresetName, EngineConfig>> = {
  conservative: {
    preset: 'conservative',
    quota: {
      proactive: { perMinute: 5, perHour: 100, perDay: 800 },
      reply: { perMinute: 15, perHour: 400, perDay: 2000 },
      pairMinGapMs: 6000,
    },
    warmup: {
      dailyCaps: [15, 27, 49, 87, 157, 283, 510, 800],
      coldCaps: [3, 5, 10, 20, 30, 40, 50],
      rewarmIdleMs: 72 * HOUR_MS,
    },
    schedule: { ...shared.schedule, windowStartHour: 9, windowEndHour: 20 },
    pacing: { ...shared.pacing, gapMinMs: 3000, gapMaxMs: 9000 },
    content: { ...shared.content, blockScore: 60, warnScore: 30 },
    health: { ...shared.health, eventDeltas: { ...shared.health.eventDeltas }, pauseAtScore: 60 },
    followup: { ...shared.followup, ladderMs: [...shared.followup.ladderMs] },
  },
  moderate: {
    preset: 'moderate',
    quota: {
      proactive: { perMinute: 10, perHour: 300, perDay: 1500 },
      reply: { perMinute: 30, perHour: 800, perDay: 4000 },
      pairMinGapMs: 6000,
    },
    warmup: {
      dailyCaps: [20, 40, 80, 160, 320, 640, 1000],
      coldCaps: [5, 10, 20, 40, 60, 80, 100],
      rewarmIdleMs: 72 * HOUR_MS,
    },
    schedule: { ...shared.schedule },
    pacing: { ...shared.pacing, gapMinMs: 2500, gapMaxMs: 7000 },
    content: { ...shared.content },
    health: { ...shared.health, eventDeltas: { ...shared.health.eventDeltas } },
    followup: { ...shared.followup, ladderMs: [...shared.followup.ladderMs] },
  },
  aggressive: {
    preset: 'aggressive',
    quota: {
      proactive: { perMinute: 20, perHour: 800, perDay: 4000 },
      reply: { perMinute: 60, perHour: 2000, perDay: 10000 },
      pairMinGapMs: 6000,
    },
    warmup: {
      dailyCaps: [35, 70, 140, 280, 560, 1000, 2000],
      coldCaps: [10, 20, 40, 80, 120, 160, 200],
      rewarmIdleMs: 48 * HOUR_MS,
    },
    schedule: { ...shared.schedule, windowStartHour: 7, windowEndHour: 22 },
    pacing: { ...shared.pacing, gapMinMs: 1500, gapMaxMs: 4500 },
    content: { ...shared.content, blockScore: 80, warnScore: 50 },
    health: { ...shared.health, eventDeltas: { ...shared.health.eventDeltas }, pauseAtScore: 80 },
    followup: { ...shared.followup, ladderMs: [...shared.followup.ladderMs] },
  },
};

export const DEFAULT_PRESET: PresetName = 'moderate';

export function presetConfig(preset: PresetName = DEFAULT_PRESET): EngineConfig {
  return PRESETS[preset];
}
