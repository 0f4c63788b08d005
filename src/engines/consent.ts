/**
 * Consent engine: may we message this person at all? STOP opts out with exactly one
 * confirmation and silence after it; START opts back in; business-initiated messages never go to
 * an opted-out contact, and a cold first contact needs an explicit opt-in.
 *
 * The rule after STOP (issue 13.7), the same here and in the outbound worker: a customer's own new
 * message is answered, because an answer is service, not marketing (action `reply_only`: the reply
 * reminds that START re-subscribes); nothing business-initiated (follow-up, proactive) goes out
 * until START. A second STOP gets no second confirmation, and a bare thank-you no answer.
 */
import type { Intent, Reason, SendKind } from '../domain/types.ts';

export interface ConsentInput {
  kind: SendKind;
  optedOut: boolean;
  optedIn: boolean;
  /** The contact wrote to us at least once, or we already talked. */
  hasHistory: boolean;
  /** Primary intent of the inbound message being answered (kind 'reply'). */
  inboundIntent?: Intent;
}

/**
 * allow: send as usual; reply_only: answer an opted-out customer who wrote, with the START reminder;
 * confirm_opt_out / confirm_opt_in: the confirmation is the reply; silent / block: nothing goes out.
 */
export type ConsentAction =
  | 'allow'
  | 'reply_only'
  | 'confirm_opt_out'
  | 'confirm_opt_in'
  | 'silent'
  | 'block';

export interface ConsentVerdict {
  allowed: boolean;
  action: ConsentAction;
  /** Opt-out state after this message. */
  optedOut: boolean;
  reasons: Reason[];
}

export const CONSENT_CODES = [
  'consent.ok',
  'consent.opt_out_confirm',
  'consent.already_opted_out',
  'consent.opt_in_confirm',
  'consent.opted_out_reply_only',
  'consent.opted_out_thanks',
  'consent.opted_out',
  'consent.cold_needs_opt_in',
] as const;

function verdict(
  allowed: boolean,
  action: ConsentAction,
  optedOut: boolean,
  code: (typeof CONSENT_CODES)[number],
  detail: string,
): ConsentVerdict {
  return { allowed, action, optedOut, reasons: [{ engine: 'consent', code, detail }] };
}

export function evaluateConsent(input: ConsentInput, _config?: unknown, _nowMs?: number): ConsentVerdict {
  if (input.kind === 'reply') {
    if (input.inboundIntent === 'opt_out') {
      return input.optedOut
        ? verdict(
            false,
            'silent',
            true,
            'consent.already_opted_out',
            'already opted out and confirmed: stay silent',
          )
        : verdict(
            true,
            'confirm_opt_out',
            true,
            'consent.opt_out_confirm',
            'opt-out: send one confirmation, then silence',
          );
    }
    if (input.inboundIntent === 'opt_in') {
      return verdict(
        true,
        'confirm_opt_in',
        false,
        'consent.opt_in_confirm',
        'opt-in: confirm and resume messages',
      );
    }
    if (input.optedOut && input.inboundIntent === 'thanks') {
      // "Merci" after the STOP confirmation acknowledges it; an answer would only be one more message.
      return verdict(
        false,
        'silent',
        true,
        'consent.opted_out_thanks',
        'opted out and only thanked us: nothing to answer',
      );
    }
    if (input.optedOut) {
      // They opted out of our messages, not of answers to their own questions.
      return verdict(
        true,
        'reply_only',
        true,
        'consent.opted_out_reply_only',
        'opted out, but wrote to us: the reply is allowed and reminds of START; no follow-up or promotion',
      );
    }
    return verdict(true, 'allow', false, 'consent.ok', 'reply to a customer who wrote');
  }

  if (input.optedOut) {
    return verdict(
      false,
      'block',
      true,
      'consent.opted_out',
      `the contact opted out: no ${input.kind} message`,
    );
  }
  if (input.kind === 'proactive' && !input.hasHistory && !input.optedIn) {
    return verdict(
      false,
      'block',
      false,
      'consent.cold_needs_opt_in',
      'first contact with someone who never wrote to us needs their opt-in',
    );
  }
  return verdict(true, 'allow', false, 'consent.ok', `${input.kind} to a contact who did not opt out`);
}
