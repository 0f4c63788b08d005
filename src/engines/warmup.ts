/**
 * Warm-up engine: a new number, or one that fell silent, earns its volume day by day. The caps by
 * warm-up day bound business-initiated sends and, separately, first messages to strangers, which is
 * what gets young numbers banned. Replies are exempt: answering people who wrote is not the risk.
 */

import { DAY_MS, HOUR_MS, isValidTimeZone, nextLocalMidnight } from '../domain/time.ts';
import type { Reason, SendKind, SendStats } from '../domain/types.ts';
import type { WarmupConfig } from './config.ts';

export const WARMUP_CODES = [
  'warmup.ok',
  'warmup.reply_exempt',
  'warmup.daily_cap',
  'warmup.cold_cap',
  'warmup.rewarm',
] as const;
export type WarmupCode = (typeof WARMUP_CODES)[number];

export interface WarmupInput {
  kind: SendKind;
  channelCreatedAtMs: number;
  /** Set when the warm-up was restarted after an idle period; counts days from here instead. */
  warmupStartedAtMs?: number;
  /** Last send of the channel, to detect an idle number. */
  lastSentAtMs?: number;
  /** First message to a contact with no history in either direction. */
  isColdContact: boolean;
  stats: SendStats;
  /** The channel's IANA zone: daily counts restart at its local midnight. */
  timeZone: string;
}

export interface WarmupVerdict {
  allowed: boolean;
  /** Whole 24 h periods since the warm-up started (0 on the first day, and after a restart). */
  dayIndex: number;
  dailyCap: number;
  coldCap: number;
  /** True when the number was idle for at least rewarmIdleMs: the caller stores warmupStartedAt = nowMs. */
  restartWarmup: boolean;
  /** When refused: next local midnight, when the daily counts restart. */
  retryAtMs?: number;
  reasons: Reason[];
}

function capFor(caps: readonly number[], dayIndex: number, name: string): number {
  const cap = caps[Math.min(dayIndex, caps.length - 1)];
  if (cap === undefined) throw new RangeError(`warmup: config.${name} must list at least one cap`);
  return cap;
}

export function evaluateWarmup(input: WarmupInput, config: WarmupConfig, nowMs: number): WarmupVerdict {
  const { kind, stats, timeZone } = input;
  if (!isValidTimeZone(timeZone)) throw new RangeError(`warmup: unknown time zone ${timeZone}`);

  const startedAtMs = input.warmupStartedAtMs ?? input.channelCreatedAtMs;
  // A start in the future (clock skew between hosts) counts as day 0 rather than a negative day.
  let dayIndex = Math.max(0, Math.floor((nowMs - startedAtMs) / DAY_MS));
  const reasons: Reason[] = [];

  // A number that was silent for days looks like a fresh one to the provider, so it ramps up again.
  // On day 0 it is already ramping from the bottom: restarting would change nothing.
  let restartWarmup = false;
  if (input.lastSentAtMs !== undefined && nowMs - input.lastSentAtMs >= config.rewarmIdleMs && dayIndex > 0) {
    restartWarmup = true;
    const idleHours = Math.floor((nowMs - input.lastSentAtMs) / HOUR_MS);
    reasons.push({
      engine: 'warmup',
      code: 'warmup.rewarm',
      detail: `no send for ${idleHours} h (threshold ${config.rewarmIdleMs / HOUR_MS} h): warm-up restarts at day 0 instead of day ${dayIndex}`,
    });
    dayIndex = 0;
  }

  const dailyCap = capFor(config.dailyCaps, dayIndex, 'dailyCaps');
  const coldCap = capFor(config.coldCaps, dayIndex, 'coldCaps');

  if (kind === 'reply') {
    reasons.push({
      engine: 'warmup',
      code: 'warmup.reply_exempt',
      detail: `replies are exempt from warm-up caps (day ${dayIndex}: ${dailyCap} sends, ${coldCap} cold contacts)`,
    });
    return { allowed: true, dayIndex, dailyCap, coldCap, restartWarmup, reasons };
  }

  let allowed = true;
  if (stats.sentToday >= dailyCap) {
    allowed = false;
    reasons.push({
      engine: 'warmup',
      code: 'warmup.daily_cap',
      detail: `warm-up day ${dayIndex}: ${stats.sentToday} sent today, cap ${dailyCap}`,
    });
  }
  if (input.isColdContact && stats.coldToday >= coldCap) {
    allowed = false;
    reasons.push({
      engine: 'warmup',
      code: 'warmup.cold_cap',
      detail: `warm-up day ${dayIndex}: ${stats.coldToday} first messages to strangers today, cap ${coldCap}`,
    });
  }

  if (!allowed) {
    return {
      allowed,
      dayIndex,
      dailyCap,
      coldCap,
      restartWarmup,
      retryAtMs: nextLocalMidnight(nowMs, timeZone),
      reasons,
    };
  }
  reasons.push({
    engine: 'warmup',
    code: 'warmup.ok',
    detail: `warm-up day ${dayIndex}: ${stats.sentToday}/${dailyCap} sent today, ${stats.coldToday}/${coldCap} cold`,
  });
  return { allowed, dayIndex, dailyCap, coldCap, restartWarmup, reasons };
}
