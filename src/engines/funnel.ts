/**
 * Funnel engine: where the conversation stands. Stages only move forward
 * (new → engaged → interested → negotiating → ordered → paid → fulfilled); the two exits are
 * opted_out (STOP, from anywhere, left only by an opt-in) and lost (follow-ups exhausted before
 * an order, left by any new inbound message). paid and fulfilled are set by order events elsewhere.
 */
import type { Intent, Reason, Stage } from '../domain/types.ts';

export interface FunnelInput {
  stage: Stage;
  direction: 'inbound' | 'outbound';
  /** Intents of the message; only inbound intents move the funnel. */
  intents: readonly Intent[];
  /** The message names a product of the catalogue (or the conversation already has one in focus). */
  hasProduct: boolean;
  /** The follow-up ladder ran out without an answer. */
  followupsExhausted?: boolean;
}

export interface FunnelVerdict {
  stage: Stage;
  previous: Stage;
  changed: boolean;
  reasons: Reason[];
}

/** Progress order. The exits rank below `new` so that leaving them always reads as moving up. */
export const STAGE_RANK: Readonly<Record<Stage, number>> = {
  opted_out: -2,
  lost: -1,
  new: 0,
  engaged: 1,
  interested: 2,
  negotiating: 3,
  ordered: 4,
  paid: 5,
  fulfilled: 6,
};

export const FUNNEL_CODES = [
  'funnel.unchanged',
  'funnel.advanced',
  'funnel.kept',
  'funnel.order_needs_product',
  'funnel.opted_out',
  'funnel.opted_in',
  'funnel.stays_opted_out',
  'funnel.lost',
  'funnel.reengaged',
] as const;

type FunnelCode = (typeof FUNNEL_CODES)[number];

const INTEREST_INTENTS: ReadonlySet<Intent> = new Set<Intent>(['price', 'availability', 'catalog']);

function reason(code: FunnelCode, detail: string): Reason {
  return { engine: 'funnel', code, detail };
}

function result(previous: Stage, stage: Stage, reasons: Reason[]): FunnelVerdict {
  return { stage, previous, changed: stage !== previous, reasons };
}

/** The highest stage an inbound message points to on its own, and why. */
function inboundTarget(input: FunnelInput): { stage: Stage; why: string; needsProduct: boolean } {
  const has = (intent: Intent): boolean => input.intents.includes(intent);
  const needsProduct = has('order') && !input.hasProduct;
  if (has('order') && input.hasProduct)
    return { stage: 'ordered', why: 'order for a known product', needsProduct };
  if (has('negotiate')) return { stage: 'negotiating', why: 'negotiation', needsProduct };
  if (needsProduct) return { stage: 'interested', why: 'order without a product', needsProduct };
  if (input.hasProduct) return { stage: 'interested', why: 'product mentioned', needsProduct };
  const interest = input.intents.find((i) => INTEREST_INTENTS.has(i));
  if (interest) return { stage: 'interested', why: `${interest} question`, needsProduct };
  return { stage: 'engaged', why: 'the customer wrote', needsProduct };
}

export function advanceFunnel(input: FunnelInput, _config?: unknown, _nowMs?: number): FunnelVerdict {
  const previous = input.stage;

  if (input.direction === 'outbound') {
    // Only silence moves the funnel on our side: the last follow-up went unanswered.
    if (input.followupsExhausted && STAGE_RANK[previous] >= 0 && STAGE_RANK[previous] < STAGE_RANK.ordered) {
      return result(previous, 'lost', [reason('funnel.lost', `follow-ups exhausted at ${previous}`)]);
    }
    return result(previous, previous, [reason('funnel.unchanged', 'outbound message')]);
  }

  if (input.intents.includes('opt_out')) {
    return result(previous, 'opted_out', [reason('funnel.opted_out', `opt-out from ${previous}`)]);
  }
  if (previous === 'opted_out') {
    return input.intents.includes('opt_in')
      ? result(previous, 'engaged', [reason('funnel.opted_in', 'opted back in')])
      : result(previous, previous, [
          reason('funnel.stays_opted_out', 'an opted-out contact stays out until opt-in'),
        ]);
  }

  const target = inboundTarget(input);
  const reasons: Reason[] = [];
  if (target.needsProduct) {
    reasons.push(reason('funnel.order_needs_product', 'order intent without a product: ask which one'));
  }
  // From lost, any inbound message starts again from the beginning of the funnel.
  const base: Stage = previous === 'lost' ? 'new' : previous;
  if (STAGE_RANK[target.stage] > STAGE_RANK[base]) {
    reasons.push(
      previous === 'lost'
        ? reason('funnel.reengaged', `lost → ${target.stage} (${target.why})`)
        : reason('funnel.advanced', `${previous} → ${target.stage} (${target.why})`),
    );
    return result(previous, target.stage, reasons);
  }
  reasons.push(
    target.stage === base
      ? reason('funnel.unchanged', `stays ${previous} (${target.why})`)
      : reason('funnel.kept', `stays ${previous}: this message (${target.why}) never moves the funnel back`),
  );
  return result(previous, previous, reasons);
}
