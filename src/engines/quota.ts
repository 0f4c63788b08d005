/**
 * Quota engine: may the channel send one more message now, given what it already sent in the last
 * minute, hour and local day? Replies get the generous caps and business-initiated sends the strict
 * ones, but both are counted against everything the channel sent, because the provider sees one
 * number sending, whatever the reason.
 */

import { isValidTimeZone, MINUTE_MS, nextLocalMidnight } from '../domain/time.ts';
import type { Reason, SendKind, SendStats } from '../domain/types.ts';
import type { QuotaCaps, QuotaConfig } from './config.ts';

export const QUOTA_CODES = ['quota.ok', 'quota.minute_cap', 'quota.hour_cap', 'quota.daily_cap'] as const;
export type QuotaCode = (typeof QUOTA_CODES)[number];

export interface QuotaInput {
  kind: SendKind;
  stats: SendStats;
  /** The channel's IANA zone: the daily count restarts at its local midnight. */
  timeZone: string;
}

export interface QuotaVerdict {
  allowed: boolean;
  /** When refused: the earliest instant worth evaluating again (the longest wait of the caps hit). */
  retryAtMs?: number;
  /** The caps applied: `config.reply` for replies, `config.proactive` otherwise. */
  caps: QuotaCaps;
  /** Sends left under each cap; never negative. */
  remaining: { minute: number; hour: number; day: number };
  /** One reason per cap hit, longest wait first; `quota.ok` alone when allowed. */
  reasons: Reason[];
}

/**
 * The counts carry no timestamps, so the engine cannot know when the oldest send leaves the hour
 * window; it asks to be re-checked after a fixed wait instead of guessing.
 */
const MINUTE_RETRY_MS = MINUTE_MS;
const HOUR_RETRY_MS = 10 * MINUTE_MS;

function assertCount(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`quota: stats.${name} must be a finite count >= 0, got ${value}`);
  }
}

export function evaluateQuota(input: QuotaInput, config: QuotaConfig, nowMs: number): QuotaVerdict {
  const { kind, stats, timeZone } = input;
  assertCount('sentLastMinute', stats.sentLastMinute);
  assertCount('sentLastHour', stats.sentLastHour);
  assertCount('sentToday', stats.sentToday);
  // Checked on every call so that a bad zone fails at once, not on the first day a cap is reached.
  if (!isValidTimeZone(timeZone)) throw new RangeError(`quota: unknown time zone ${timeZone}`);

  const caps = kind === 'reply' ? config.reply : config.proactive;
  const capsName = kind === 'reply' ? 'reply' : 'business-initiated';
  const remaining = {
    minute: Math.max(0, caps.perMinute - stats.sentLastMinute),
    hour: Math.max(0, caps.perHour - stats.sentLastHour),
    day: Math.max(0, caps.perDay - stats.sentToday),
  };

  const hits: { retryAtMs: number; reason: Reason }[] = [];
  if (stats.sentLastMinute >= caps.perMinute) {
    hits.push({
      retryAtMs: nowMs + MINUTE_RETRY_MS,
      reason: {
        engine: 'quota',
        code: 'quota.minute_cap',
        detail: `${stats.sentLastMinute} sent in the last minute; the ${capsName} cap is ${caps.perMinute} per minute`,
      },
    });
  }
  if (stats.sentLastHour >= caps.perHour) {
    hits.push({
      retryAtMs: nowMs + HOUR_RETRY_MS,
      reason: {
        engine: 'quota',
        code: 'quota.hour_cap',
        detail: `${stats.sentLastHour} sent in the last hour; the ${capsName} cap is ${caps.perHour} per hour`,
      },
    });
  }
  if (stats.sentToday >= caps.perDay) {
    hits.push({
      retryAtMs: nextLocalMidnight(nowMs, timeZone),
      reason: {
        engine: 'quota',
        code: 'quota.daily_cap',
        detail: `${stats.sentToday} sent today; the ${capsName} cap is ${caps.perDay} per day, reset at midnight in ${timeZone}`,
      },
    });
  }

  if (hits.length === 0) {
    return {
      allowed: true,
      caps,
      remaining,
      reasons: [
        {
          engine: 'quota',
          code: 'quota.ok',
          detail: `${capsName} caps ${caps.perMinute}/min, ${caps.perHour}/h, ${caps.perDay}/day; left ${remaining.minute}, ${remaining.hour}, ${remaining.day}`,
        },
      ],
    };
  }

  // Every cap hit must have cleared before a send can pass, so the longest wait is the one to report.
  hits.sort((a, b) => b.retryAtMs - a.retryAtMs);
  return {
    allowed: false,
    retryAtMs: hits[0]?.retryAtMs ?? nowMs,
    caps,
    remaining,
    reasons: hits.map((h) => h.reason),
  };
}
