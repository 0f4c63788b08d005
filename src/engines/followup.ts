/**
 * Follow-up engine: when to nudge a customer who went quiet. Steps follow a ladder counted from
 * our last message (+15 min, +1 h, +24 h by default) and stop on a reply, a purchase, an opt-out
 * or the end of the ladder. On the Cloud API a message more than 24 h after the customer's last
 * one must be an approved template, so without one the follow-up is not sent.
 */

import type { Reason, Stage, Transport } from '../domain/types.ts';
import type { FollowupConfig } from './config.ts';

export interface FollowupInput {
  transport: Transport;
  stage: Stage;
  optedOut: boolean;
  /** Follow-ups already sent since the customer last wrote. */
  followupsSent: number;
  lastInboundAtMs?: number;
  lastOutboundAtMs?: number;
  /** An approved template exists for sends outside the Cloud API 24 h window. */
  hasTemplate: boolean;
}

export interface FollowupVerdict {
  due: boolean;
  /** Index in the ladder of the next follow-up (0 = first). */
  step: number;
  dueAtMs?: number;
  requiresTemplate: boolean;
  exhausted: boolean;
  reasons: Reason[];
}

export const FOLLOWUP_CODES = [
  'followup.opted_out',
  'followup.converted',
  'followup.closed',
  'followup.nothing_to_follow',
  'followup.customer_replied',
  'followup.exhausted',
  'followup.not_yet',
  'followup.window_closed_no_template',
  'followup.due_template',
  'followup.due',
] as const;

type FollowupCode = (typeof FOLLOWUP_CODES)[number];

const CONVERTED: ReadonlySet<Stage> = new Set<Stage>(['ordered', 'paid', 'fulfilled']);
const CLOSED: ReadonlySet<Stage> = new Set<Stage>(['lost', 'opted_out']);

export function planFollowup(input: FollowupInput, config: FollowupConfig, nowMs: number): FollowupVerdict {
  const step = input.followupsSent;
  const stop = (
    code: FollowupCode,
    detail: string,
    extra: Partial<FollowupVerdict> = {},
  ): FollowupVerdict => ({
    due: false,
    step,
    requiresTemplate: false,
    exhausted: false,
    ...extra,
    reasons: [{ engine: 'followup', code, detail }],
  });

  if (input.optedOut) return stop('followup.opted_out', 'the contact opted out');
  if (CONVERTED.has(input.stage))
    return stop('followup.converted', `the conversation already reached ${input.stage}`);
  if (CLOSED.has(input.stage)) return stop('followup.closed', `the conversation is ${input.stage}`);
  const lastOut = input.lastOutboundAtMs;
  if (lastOut === undefined) return stop('followup.nothing_to_follow', 'we have not written to this contact');
  if (input.lastInboundAtMs !== undefined && input.lastInboundAtMs > lastOut) {
    return stop('followup.customer_replied', 'the customer wrote last: they are owed a reply, not a nudge');
  }
  const waitMs = config.ladderMs[step];
  if (waitMs === undefined) {
    return stop('followup.exhausted', `${step} of ${config.ladderMs.length} follow-ups sent`, {
      exhausted: true,
    });
  }
  const dueAtMs = lastOut + waitMs;
  if (nowMs < dueAtMs) {
    return stop('followup.not_yet', `follow-up ${step + 1} due at ${new Date(dueAtMs).toISOString()}`, {
      dueAtMs,
    });
  }

  const windowClosed =
    input.transport === 'cloud' &&
    (input.lastInboundAtMs === undefined || nowMs - input.lastInboundAtMs > config.serviceWindowMs);
  if (windowClosed) {
    if (!input.hasTemplate) {
      return stop(
        'followup.window_closed_no_template',
        'outside the Cloud API 24 h window and no approved template',
        { dueAtMs, requiresTemplate: true },
      );
    }
    return {
      due: true,
      step,
      dueAtMs,
      requiresTemplate: true,
      exhausted: false,
      reasons: [
        { engine: 'followup', code: 'followup.due_template', detail: `follow-up ${step + 1} as a template` },
      ],
    };
  }
  return {
    due: true,
    step,
    dueAtMs,
    requiresTemplate: false,
    exhausted: false,
    reasons: [
      {
        engine: 'followup',
        code: 'followup.due',
        detail: `follow-up ${step + 1} of ${config.ladderMs.length}`,
      },
    ],
  };
}
