/**
 * Pacing engine: when exactly a message goes out. A person reads the customer's message, waits a
 * little, types for a time that grows with the text, and never fires two messages at once; the
 * channel keeps its gap between sends and each recipient its own minimum gap (the Cloud API pair
 * limit). Every random draw comes from a generator seeded by the caller's stable ids, so the same
 * message always gets the same timing.
 */

import type { Reason } from '../domain/types.ts';
import type { PacingConfig } from './config.ts';
import { createRng } from './prng.ts';

export const PACING_CODES = [
  'pacing.read_delay',
  'pacing.gap',
  'pacing.typing',
  'pacing.new_chat',
  'pacing.channel_gap',
  'pacing.pair_gap',
  'pacing.window_start',
] as const;
export type PacingCode = (typeof PACING_CODES)[number];

export interface PacingInput {
  /** Stable ids joined by the caller (channel, contact, message). */
  seed: string;
  /** Characters of the text to send. */
  textLength: number;
  /** First message ever to this chat: adds an extra wait. */
  isNewChat: boolean;
  /** From the schedule engine (≥ 1). */
  delayFactor: number;
  /** True for replies: we read the customer's message first. */
  includeReadDelay: boolean;
  /** Earliest start (e.g. the window start); default nowMs. */
  startAtMs?: number;
  /** Last send of the channel. */
  lastSentAtMs?: number;
  /** Last send to this recipient. */
  recipientLastOutboundAtMs?: number;
  /** Per-recipient minimum gap (Cloud API pair limit ≈ 6 s). */
  pairMinGapMs: number;
}

export interface PacingVerdict {
  readDelayMs: number;
  gapMs: number;
  newChatExtraMs: number;
  typingMs: number;
  /** When the message goes out. */
  sendAtMs: number;
  /** sendAtMs − nowMs; the typing indicator shows during its last typingMs. */
  delayMs: number;
  reasons: Reason[];
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

/**
 * Rounds to whole ms and keeps the result inside [min, max] even when a bound is fractional
 * (gapMinMs × 1.5), so that every component honours its documented range exactly.
 */
function roundWithin(value: number, min: number, max: number): number {
  return clamp(Math.round(value), Math.ceil(min), Math.floor(max));
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function assertRange(name: string, min: number, max: number): void {
  if (!(Number.isFinite(min) && Number.isFinite(max) && min >= 0 && min <= max)) {
    throw new RangeError(`pacing: config ${name} must satisfy 0 <= min <= max, got ${min}..${max}`);
  }
}

function assertConfig(config: PacingConfig): void {
  assertRange('gapMinMs..gapMaxMs', config.gapMinMs, config.gapMaxMs);
  assertRange('typingMinMs..typingMaxMs', config.typingMinMs, config.typingMaxMs);
  assertRange('newChatExtraMinMs..newChatExtraMaxMs', config.newChatExtraMinMs, config.newChatExtraMaxMs);
  assertRange('readDelayMinMs..readDelayMaxMs', config.readDelayMinMs, config.readDelayMaxMs);
  if (!(config.typingJitterRatio >= 0 && config.typingJitterRatio < 1)) {
    throw new RangeError(`pacing: typingJitterRatio must be in [0, 1), got ${config.typingJitterRatio}`);
  }
}

function assertDelayFactor(delayFactor: number): void {
  // A factor below 1 would pace faster than the configured minimum gap, which is the anti-ban floor.
  if (!(Number.isFinite(delayFactor) && delayFactor >= 1)) {
    throw new RangeError(`pacing: delayFactor must be a finite number >= 1, got ${delayFactor}`);
  }
}

/**
 * Bounds of delayMs when no channel gap, pair gap or start time constrains the send: the smallest
 * delay skips the read delay and the new-chat wait, the largest includes both at their maximum.
 */
export function pacingBounds(
  config: PacingConfig,
  delayFactor: number,
): { minDelayMs: number; maxDelayMs: number } {
  assertConfig(config);
  assertDelayFactor(delayFactor);
  return {
    minDelayMs: Math.ceil(config.gapMinMs * delayFactor) + Math.ceil(config.typingMinMs),
    maxDelayMs:
      Math.floor(config.readDelayMaxMs) +
      Math.floor(config.gapMaxMs * delayFactor) +
      Math.floor(config.newChatExtraMaxMs) +
      Math.floor(config.typingMaxMs),
  };
}

export function evaluatePacing(input: PacingInput, config: PacingConfig, nowMs: number): PacingVerdict {
  assertConfig(config);
  assertDelayFactor(input.delayFactor);
  if (!Number.isFinite(nowMs)) throw new RangeError(`pacing: nowMs must be finite, got ${nowMs}`);
  if (!(Number.isFinite(input.textLength) && input.textLength >= 0)) {
    throw new RangeError(`pacing: textLength must be >= 0, got ${input.textLength}`);
  }
  const f = input.delayFactor;
  const rng = createRng('pacing', input.seed);

  // Every draw happens in a fixed order whether or not it is used, so turning one component on or
  // off (read delay, new chat) does not reshuffle the others for the same seed.
  const readDraw = rng.gaussian(config.readDelayMeanMs, config.readDelaySdMs);
  const gapDraw = rng.truncatedGaussian(config.gapMinMs, config.gapMaxMs) * f;
  const jitter = rng.uniform(1 - config.typingJitterRatio, 1 + config.typingJitterRatio);
  const newChatDraw = rng.uniform(config.newChatExtraMinMs, config.newChatExtraMaxMs);

  const readDelayMs = input.includeReadDelay
    ? roundWithin(readDraw, config.readDelayMinMs, config.readDelayMaxMs)
    : 0;
  const gapMs = roundWithin(gapDraw, config.gapMinMs * f, config.gapMaxMs * f);
  const plannedTypingMs = clamp(
    config.typingBaseMs + config.typingPerCharMs * input.textLength,
    config.typingMinMs,
    config.typingMaxMs,
  );
  const typingMs = roundWithin(plannedTypingMs * jitter, config.typingMinMs, config.typingMaxMs);
  const newChatExtraMs = input.isNewChat
    ? roundWithin(newChatDraw, config.newChatExtraMinMs, config.newChatExtraMaxMs)
    : 0;

  const startMs = Math.max(nowMs, input.startAtMs ?? nowMs);
  const ownAtMs = startMs + readDelayMs + gapMs + newChatExtraMs + typingMs;
  // The channel keeps its gap between two sends, typing included, whatever this message's own wait.
  const channelAtMs = input.lastSentAtMs === undefined ? -Infinity : input.lastSentAtMs + gapMs + typingMs;
  const pairAtMs =
    input.recipientLastOutboundAtMs === undefined
      ? -Infinity
      : input.recipientLastOutboundAtMs + input.pairMinGapMs;
  // Rounding up keeps every lower bound when an input instant is fractional; integers pass unchanged.
  const sendAtMs = Math.ceil(Math.max(ownAtMs, channelAtMs, pairAtMs));

  const reasons: Reason[] = [];
  if (startMs > nowMs) {
    reasons.push({
      engine: 'pacing',
      code: 'pacing.window_start',
      detail: `starts at the window start, ${seconds(startMs - nowMs)} from now`,
    });
  }
  if (input.includeReadDelay) {
    reasons.push({
      engine: 'pacing',
      code: 'pacing.read_delay',
      detail: `reads the customer's message for ${seconds(readDelayMs)}`,
    });
  }
  reasons.push({
    engine: 'pacing',
    code: 'pacing.gap',
    detail: f === 1 ? `waits ${seconds(gapMs)}` : `waits ${seconds(gapMs)} (delays ×${Number(f.toFixed(2))})`,
  });
  if (input.isNewChat) {
    reasons.push({
      engine: 'pacing',
      code: 'pacing.new_chat',
      detail: `first message to this chat: ${seconds(newChatExtraMs)} more`,
    });
  }
  reasons.push({
    engine: 'pacing',
    code: 'pacing.typing',
    detail: `types for ${seconds(typingMs)} (${input.textLength} characters)`,
  });
  // Ties go to this message's own timing: a constraint is reported only when it pushed the send later.
  if (channelAtMs > ownAtMs && channelAtMs >= pairAtMs) {
    reasons.push({
      engine: 'pacing',
      code: 'pacing.channel_gap',
      detail: `the channel sent ${seconds(nowMs - (input.lastSentAtMs ?? nowMs))} ago: keeps its gap, sends in ${seconds(sendAtMs - nowMs)}`,
    });
  } else if (pairAtMs > ownAtMs) {
    reasons.push({
      engine: 'pacing',
      code: 'pacing.pair_gap',
      detail: `this recipient got a message ${seconds(nowMs - (input.recipientLastOutboundAtMs ?? nowMs))} ago: waits for the ${seconds(input.pairMinGapMs)} pair gap`,
    });
  }

  return { readDelayMs, gapMs, newChatExtraMs, typingMs, sendAtMs, delayMs: sendAtMs - nowMs, reasons };
}
