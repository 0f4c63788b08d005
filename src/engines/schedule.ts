/**
 * Schedule engine: business-initiated messages go out only inside the sending window of the
 * contact's local day; replies go out at any hour, since the customer just wrote, but more slowly
 * at night and on weekends, as a person would answer.
 */

import { instantOfLocal, localParts } from '../domain/time.ts';
import type { Reason, SendKind } from '../domain/types.ts';
import type { ScheduleConfig } from './config.ts';

export const SCHEDULE_CODES = [
  'schedule.inside_window',
  'schedule.outside_window',
  'schedule.night_reply_slower',
  'schedule.weekend_slower',
  'schedule.weekend_closed',
  'schedule.away_message',
] as const;
export type ScheduleCode = (typeof SCHEDULE_CODES)[number];

export interface ScheduleInput {
  kind: SendKind;
  /** The contact's IANA zone: the window is in their local time. */
  timeZone: string;
}

export interface ScheduleVerdict {
  /** May the send happen now (replies: always). */
  allowed: boolean;
  /** nowMs when allowed, else the start of the next sending window. */
  sendAtMs: number;
  /** Local hour (0–23) at nowMs in the zone. */
  localHour: number;
  /** Whether nowMs falls on a Saturday or Sunday in the zone. */
  weekend: boolean;
  /**
   * Multiplier (≥ 1) for the pacing gap, for the day and hour the send happens: a proactive send
   * deferred from Friday night to Saturday morning is paced as a weekend send.
   */
  delayFactor: number;
  reasons: Reason[];
}

const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

function isWeekendDay(weekday: number): boolean {
  return weekday === 0 || weekday === 6;
}

function hhmm(hour: number, minute: number): string {
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

function assertConfig(config: ScheduleConfig): void {
  const { windowStartHour: start, windowEndHour: end } = config;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > 24 || start >= end) {
    throw new RangeError(`schedule: window must satisfy 0 <= start < end <= 24, got ${start}–${end}`);
  }
  if (!(config.weekendFactor > 0 && config.weekendFactor <= 1)) {
    throw new RangeError(`schedule: weekendFactor must be in (0, 1], got ${config.weekendFactor}`);
  }
  if (!(config.nightReplyDelayFactor >= 1)) {
    throw new RangeError(`schedule: nightReplyDelayFactor must be >= 1, got ${config.nightReplyDelayFactor}`);
  }
}

export function evaluateSchedule(
  input: ScheduleInput,
  config: ScheduleConfig,
  nowMs: number,
): ScheduleVerdict {
  assertConfig(config);
  const { kind, timeZone } = input;
  const { windowStartHour: startHour, windowEndHour: endHour } = config;
  const now = localParts(nowMs, timeZone);
  const weekend = isWeekendDay(now.weekday);
  const insideHours = now.hour >= startHour && now.hour < endHour;
  const window = `${hhmm(startHour, 0)}–${hhmm(endHour, 0)}`;
  const local = `${WEEKDAY_NAMES[now.weekday] ?? ''} ${hhmm(now.hour, now.minute)} in ${timeZone}`;
  const reasons: Reason[] = [];
  let delayFactor = 1;

  if (kind === 'reply') {
    if (insideHours) {
      reasons.push({
        engine: 'schedule',
        code: 'schedule.inside_window',
        detail: `${local} is inside ${window}`,
      });
    } else {
      delayFactor *= config.nightReplyDelayFactor;
      reasons.push({
        engine: 'schedule',
        code: 'schedule.night_reply_slower',
        detail: `${local} is outside ${window}: the reply is sent, ${config.nightReplyDelayFactor}× slower`,
      });
    }
    if (weekend) delayFactor = applyWeekend(delayFactor, config, reasons);
    return { allowed: true, sendAtMs: nowMs, localHour: now.hour, weekend, delayFactor, reasons };
  }

  const weekendClosed = weekend && !config.weekendProactive;
  if (insideHours && !weekendClosed) {
    reasons.push({
      engine: 'schedule',
      code: 'schedule.inside_window',
      detail: `${local} is inside ${window}`,
    });
    if (weekend) delayFactor = applyWeekend(delayFactor, config, reasons);
    return { allowed: true, sendAtMs: nowMs, localHour: now.hour, weekend, delayFactor, reasons };
  }

  // The next window opens today if its start hour is still ahead, else on a following day that
  // allows business-initiated sends.
  let dayOffset = now.hour < startHour ? 0 : 1;
  if (!config.weekendProactive) {
    while (isWeekendDay((now.weekday + dayOffset) % 7)) dayOffset++;
  }
  // Day overflow is fine: instantOfLocal reads day 32 as the first of the next month.
  const sendAtMs = instantOfLocal(timeZone, now.year, now.month, now.day + dayOffset, startHour);
  const sendWeekday = (now.weekday + dayOffset) % 7;
  const opens = `${WEEKDAY_NAMES[sendWeekday] ?? ''} ${hhmm(startHour, 0)} local`;

  if (weekendClosed) {
    reasons.push({
      engine: 'schedule',
      code: 'schedule.weekend_closed',
      detail: `${local}: no business-initiated sends on weekends; deferred to ${opens}`,
    });
  }
  if (!insideHours) {
    reasons.push({
      engine: 'schedule',
      code: 'schedule.outside_window',
      detail: `${local} is outside ${window}; deferred to ${opens}`,
    });
  }
  if (isWeekendDay(sendWeekday)) delayFactor = applyWeekend(delayFactor, config, reasons);
  return { allowed: false, sendAtMs, localHour: now.hour, weekend, delayFactor, reasons };
}

/** People answer more slowly on weekends; a factor of 1 means no change and no reason. */
function applyWeekend(delayFactor: number, config: ScheduleConfig, reasons: Reason[]): number {
  if (config.weekendFactor === 1) return delayFactor;
  reasons.push({
    engine: 'schedule',
    code: 'schedule.weekend_slower',
    // The factor is an activity level (0.5: half as active), so delays grow by its inverse.
    detail: `weekend: delays ×${Number((1 / config.weekendFactor).toFixed(2))} (activity factor ${config.weekendFactor})`,
  });
  return delayFactor / config.weekendFactor;
}

export interface AwayInput {
  /** The seller's IANA zone: the away message speaks of the seller's hours. */
  timeZone: string;
  /** When the bot or the seller last wrote to this contact; undefined: never. */
  lastOutboundAtMs: number | undefined;
}

export interface AwayVerdict {
  /** Start the reply with the away message. */
  due: boolean;
  /** Start of the quiet period nowMs falls in (the last window end); undefined inside the hours. */
  quietSinceMs?: number;
  reasons: Reason[];
}

/**
 * Whether a reply to a customer's message at nowMs opens with the seller's away message: only
 * outside the active hours (the same window as the sending window, in the seller's zone), and only
 * for the first answer of that quiet period. "First" is read from the contact's last outbound time:
 * when nothing went to the contact since the quiet period began (the last window end), this reply is
 * the first of the night; once it is sent, lastOutboundAt moves past the start and later replies of
 * the same night go without it. Two messages decided before the first answer is sent both get it.
 */
export function evaluateAway(input: AwayInput, config: ScheduleConfig, nowMs: number): AwayVerdict {
  assertConfig(config);
  const { windowStartHour: startHour, windowEndHour: endHour } = config;
  const now = localParts(nowMs, input.timeZone);
  if (now.hour >= startHour && now.hour < endHour) return { due: false, reasons: [] };
  // Before the window opens the quiet period began at yesterday's window end, else at today's.
  const dayOffset = now.hour < startHour ? -1 : 0;
  const quietSinceMs =
    endHour === 24
      ? instantOfLocal(input.timeZone, now.year, now.month, now.day + dayOffset + 1, 0)
      : instantOfLocal(input.timeZone, now.year, now.month, now.day + dayOffset, endHour);
  const last = input.lastOutboundAtMs;
  if (last !== undefined && last >= quietSinceMs) return { due: false, quietSinceMs, reasons: [] };
  const window = `${hhmm(startHour, 0)}–${hhmm(endHour, 0)}`;
  return {
    due: true,
    quietSinceMs,
    reasons: [
      {
        engine: 'schedule',
        code: 'schedule.away_message',
        detail: `${hhmm(now.hour, now.minute)} in ${input.timeZone} is outside ${window} and nothing was sent to this contact since ${new Date(quietSinceMs).toISOString()}: the reply opens with the away message`,
      },
    ],
  };
}
