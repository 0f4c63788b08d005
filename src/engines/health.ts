/**
 * Health engine: is the number at risk, and should it pause? A score 0–100 is folded from the
 * channel's recent events (each adds its delta, the score decays between events), with hysteresis
 * so the channel does not flap between paused and running. Account-level events (logged out,
 * restricted) pause regardless of the score until the number reconnects, and a 463 reach-out lock
 * refuses first messages to new contacts while existing chats carry on.
 */

import type { HealthEvent, Reason } from '../domain/types.ts';
import type { HealthConfig } from './config.ts';

export interface HealthInput {
  events: readonly HealthEvent[];
  /** Whether the channel was paused after the previous evaluation. */
  paused: boolean;
  /** The send would open a chat with someone the number has never talked to. */
  isNewContact: boolean;
}

export type HealthLevel = 'low' | 'medium' | 'high' | 'critical';

export interface HealthVerdict {
  score: number;
  level: HealthLevel;
  /** Paused state after this evaluation (hysteresis applied). */
  paused: boolean;
  /** False when paused, or when a reach-out lock is active and the contact is new. */
  allowed: boolean;
  /** End of an active 463 reach-out lock (buffer included). */
  timelockUntilMs?: number;
  /** When sending may resume, if that can be computed (not after a log-out: that needs a reconnection). */
  retryAtMs?: number;
  reasons: Reason[];
}

export const HEALTH_CODES = [
  'health.ok',
  'health.score',
  'health.paused',
  'health.resumed',
  'health.logged_out',
  'health.restricted',
  'health.timelock_new_contact',
  'health.timelock_active',
] as const;

/** Margin after the end of a reach-out lock before new contacts are tried again. */
export const TIMELOCK_BUFFER_MS = 10_000;

export function healthLevel(score: number): HealthLevel {
  if (score >= 80) return 'critical';
  if (score >= 40) return 'high';
  if (score >= 15) return 'medium';
  return 'low';
}

function clampScore(score: number): number {
  return Math.min(100, Math.max(0, score));
}

function decayed(score: number, elapsedMs: number, config: HealthConfig): number {
  if (elapsedMs <= 0 || config.decayPoints <= 0 || config.decayPeriodMs <= 0) return score;
  return clampScore(score - Math.floor(elapsedMs / config.decayPeriodMs) * config.decayPoints);
}

interface Fold {
  score: number;
  /** Score right after the last event in memory, and that event's time (for retryAtMs). */
  lastScore: number;
  lastAtMs: number | undefined;
}

/** Folds the events remembered at nowMs into a score. `sorted` is ordered by atMs and holds no future event. */
function foldScore(sorted: readonly HealthEvent[], config: HealthConfig, nowMs: number): Fold {
  let score = 0;
  let lastAtMs: number | undefined;
  for (const event of sorted) {
    if (nowMs - event.atMs > config.memoryMs) continue;
    if (lastAtMs !== undefined) score = decayed(score, event.atMs - lastAtMs, config);
    score = clampScore(score + (config.eventDeltas[event.type] ?? 0));
    lastAtMs = event.atMs;
  }
  const lastScore = score;
  if (lastAtMs !== undefined) score = decayed(score, nowMs - lastAtMs, config);
  return { score, lastScore, lastAtMs };
}

/** The first instant at which decay brings the score down to resumeAtScore, if it ever does. */
function resumeInstant(fold: Fold, config: HealthConfig): number | undefined {
  if (fold.lastAtMs === undefined) return undefined;
  if (config.decayPoints <= 0 || config.decayPeriodMs <= 0) return undefined;
  const periods = Math.ceil((fold.lastScore - config.resumeAtScore) / config.decayPoints);
  return fold.lastAtMs + Math.max(0, periods) * config.decayPeriodMs;
}

/** The last logged_out / account_restricted event not followed by a connected event. */
function accountBlock(sorted: readonly HealthEvent[]): HealthEvent | undefined {
  let block: HealthEvent | undefined;
  for (const event of sorted) {
    if (event.type === 'connected') block = undefined;
    else if (event.type === 'logged_out' || event.type === 'account_restricted') block = event;
  }
  return block;
}

function timelockEnd(sorted: readonly HealthEvent[], config: HealthConfig): number | undefined {
  let end: number | undefined;
  for (const event of sorted) {
    if (event.type !== 'reachout_timelock') continue;
    const until = (event.untilMs ?? event.atMs + config.timelockDefaultMs) + TIMELOCK_BUFFER_MS;
    end = end === undefined ? until : Math.max(end, until);
  }
  return end;
}

export function evaluateHealth(input: HealthInput, config: HealthConfig, nowMs: number): HealthVerdict {
  if (config.resumeAtScore > config.pauseAtScore) {
    throw new Error(
      `health config: resumeAtScore ${config.resumeAtScore} > pauseAtScore ${config.pauseAtScore}`,
    );
  }
  // A stable sort keeps the caller's order for events of the same instant.
  const sorted = input.events.filter((e) => e.atMs <= nowMs).sort((a, b) => a.atMs - b.atMs);
  const fold = foldScore(sorted, config, nowMs);
  const { score } = fold;
  const level = healthLevel(score);
  const reasons: Reason[] = [{ engine: 'health', code: 'health.score', detail: `score ${score} (${level})` }];

  // Account-level events are read over every event given, not only the remembered ones: a number
  // that was logged out stays unusable until it reconnects, however long ago that happened.
  const block = accountBlock(sorted);
  let paused: boolean;
  let retryAtMs: number | undefined;
  if (block) {
    paused = true;
    reasons.push(
      block.type === 'logged_out'
        ? {
            engine: 'health',
            code: 'health.logged_out',
            detail: 'the number is logged out; reconnect it to resume',
          }
        : {
            engine: 'health',
            code: 'health.restricted',
            detail: 'WhatsApp restricted the account; sending resumes after it reconnects',
          },
    );
  } else if (input.paused) {
    paused = score > config.resumeAtScore;
    if (paused) {
      retryAtMs = resumeInstant(fold, config);
      reasons.push({
        engine: 'health',
        code: 'health.paused',
        detail: `paused until the score falls to ${config.resumeAtScore} (now ${score})`,
      });
    } else {
      reasons.push({
        engine: 'health',
        code: 'health.resumed',
        detail: `score ${score} ≤ ${config.resumeAtScore}: sending resumes`,
      });
    }
  } else {
    paused = score >= config.pauseAtScore;
    if (paused) {
      retryAtMs = resumeInstant(fold, config);
      reasons.push({
        engine: 'health',
        code: 'health.paused',
        detail: `score ${score} ≥ ${config.pauseAtScore}: paused until it falls to ${config.resumeAtScore}`,
      });
    }
  }

  let allowed = !paused;
  let timelockUntilMs: number | undefined;
  const lockEnd = timelockEnd(sorted, config);
  if (lockEnd !== undefined && nowMs < lockEnd) {
    timelockUntilMs = lockEnd;
    if (input.isNewContact) {
      allowed = false;
      // Without a block, the send can happen once both the pause and the lock are over.
      if (!block)
        retryAtMs = paused ? (retryAtMs === undefined ? undefined : Math.max(retryAtMs, lockEnd)) : lockEnd;
      reasons.push({
        engine: 'health',
        code: 'health.timelock_new_contact',
        detail: `reach-out lock (463) until ${new Date(lockEnd).toISOString()}: no first message to a new contact`,
      });
    } else {
      reasons.push({
        engine: 'health',
        code: 'health.timelock_active',
        detail: `reach-out lock (463) until ${new Date(lockEnd).toISOString()}; existing chats are not affected`,
      });
    }
  }

  if (allowed)
    reasons.push({
      engine: 'health',
      code: 'health.ok',
      detail: `score ${score} (${level}): sending allowed`,
    });
  return { score, level, paused, allowed, timelockUntilMs, retryAtMs, reasons };
}
