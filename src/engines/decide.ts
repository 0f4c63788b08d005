/**
 * decide(): runs the engines over one decision context and returns one explained decision.
 *
 * Two paths. A reply answers an inbound message: intent → consent → funnel → wording → content →
 * health → quota (generous reply caps) → schedule (replies any time, slower at night) → pacing.
 * A business-initiated send (follow-up or proactive) gets the strict path: follow-up ladder →
 * consent → content → health → quota (strict caps) → warm-up and cold caps → sending window → pacing,
 * and the send time is checked against the window again so it never lands outside it.
 */
import { tryNormalizePhone } from '../domain/phone.ts';
import { isoFromMs, msFromIso } from '../domain/time.ts';
import type {
  DecisionAction,
  Entities,
  HealthEvent,
  Intent,
  Language,
  Reason,
  SendKind,
  SendStats,
  Stage,
} from '../domain/types.ts';
import { type AssistUse, applyClassification, applyRephrase } from './assist.ts';
import { type EngineConfig, presetConfig } from './config.ts';
import { type ConsentVerdict, evaluateConsent } from './consent.ts';
import { type ContentVerdict, evaluateContent } from './content.ts';
import type { Conversation, DecisionContext } from './context.ts';
import { type FollowupVerdict, planFollowup } from './followup.ts';
import { advanceFunnel, type FunnelVerdict, STAGE_RANK } from './funnel.ts';
import { evaluateHealth, type HealthVerdict } from './health.ts';
import { type IntentVerdict, readIntent } from './intent.ts';
import { continueOrder, isConfirmation, type OrderDraft, type OrderStep } from './order.ts';
import { evaluatePacing, type PacingVerdict } from './pacing.ts';
import { evaluateQuota, type QuotaVerdict } from './quota.ts';
import {
  composeFollowup,
  composeOptOutQuestion,
  composeReply,
  customerLanguage,
  type SellerQuestion,
  SPECIFIC_MATCH_SCORE,
} from './reply.ts';
import { evaluateAway, evaluateSchedule, type ScheduleVerdict } from './schedule.ts';
import { normalizeText } from './text.ts';
import { renderTemplate } from './variation.ts';
import { evaluateWarmup, type WarmupVerdict } from './warmup.ts';

export type { DecisionAction } from '../domain/types.ts';

/** State the caller should store after acting on the decision. */
export interface ContactUpdate {
  stage: Stage;
  optedOut: boolean;
  optedIn: boolean;
  followupsSent: number;
}

export interface Decision {
  action: DecisionAction;
  kind: SendKind;
  text?: string;
  /** An approved template to send instead of free text (Cloud API, outside the 24-hour window). */
  template?: { name: string; language: string };
  /** The A/B variant the text carries; stored on the outbound message so outcomes count per variant. */
  experiment?: { id: string; variantId: string };
  /** When to send (reply/send/handoff), or when to decide again (defer). */
  sendAtMs?: number;
  sendAt?: string;
  /** Wait from `now` to the send; the typing indicator shows during its last `typingMs`. */
  delayMs: number;
  typingMs: number;
  /** When to mark the customer's message as read, from `now`. */
  readDelayMs: number;
  intent: Intent | null;
  intents: Intent[];
  /** How sure the intent engine is of `intent` (0–1); null when no message was read. */
  confidence: number | null;
  language: Language;
  entities: Entities;
  stage: Stage;
  contactUpdate: ContactUpdate;
  /**
   * The conversation state to store after this decision (the order being taken): null clears it;
   * absent leaves it as it is (follow-ups, skipped or deferred messages).
   */
  conversation?: Conversation | null;
  /**
   * The customer confirmed the order summary: place this order (idempotent on the message id).
   * When stock ran out meanwhile, keep `ifOutOfStock.conversation` and tell the customer instead.
   */
  order?: { draft: OrderDraft; ifOutOfStock: { conversation: Conversation; stage: Stage } };
  /** The warm-up restarts (the number was idle too long): store warmupStartedAt = now. */
  restartWarmup: boolean;
  /** What came from the language model (null: not asked); see engines/assist.ts. */
  assisted: AssistUse;
  reasons: Reason[];
  /**
   * The reply told the customer the bot will check these topics with the seller (the playbook does
   * not say): the caller hands the question to the seller (the pipeline appends a
   * `question.for_seller` event). Absent when nothing is asked of the seller.
   */
  questionForSeller?: { topics: SellerQuestion[] };
  verdicts: {
    intent?: IntentVerdict;
    consent?: ConsentVerdict;
    funnel?: FunnelVerdict;
    followup?: FollowupVerdict;
    order?: Omit<OrderStep, 'text' | 'conversation' | 'order' | 'ifOutOfStock'>;
    content?: ContentVerdict;
    health: HealthVerdict;
    quota?: QuotaVerdict;
    warmup?: WarmupVerdict;
    schedule?: ScheduleVerdict;
    pacing?: PacingVerdict;
  };
}

const DEFAULT_TIMEZONE = 'Africa/Abidjan';
/** A paused channel without a known resume time is looked at again after this long. */
const HEALTH_RECHECK_MS = 30 * 60_000;
/** Re-checking the window after pacing can move the send at most this many times. */
const MAX_WINDOW_SHIFTS = 3;

const optionalMs = (iso: string | undefined): number | undefined =>
  iso === undefined ? undefined : msFromIso(iso);

interface Prepared {
  ctx: DecisionContext;
  nowMs: number;
  config: EngineConfig;
  transport: NonNullable<DecisionContext['channel']['transport']>;
  channelTz: string;
  contactTz: string;
  stats: SendStats;
  lastInboundAtMs?: number;
  lastOutboundAtMs?: number;
  hasHistory: boolean;
  stage: Stage;
  optedOut: boolean;
  optedIn: boolean;
  followupsSent: number;
  health: HealthVerdict;
}

function prepare(ctx: DecisionContext): Prepared {
  const nowMs = msFromIso(ctx.now);
  const config = presetConfig(ctx.channel.preset);
  const ladderMs = ctx.playbook?.followupLadderMs;
  const effective: EngineConfig = ladderMs
    ? { ...config, followup: { ...config.followup, ladderMs } }
    : config;
  const channelTz = ctx.channel.timezone ?? DEFAULT_TIMEZONE;
  const phoneTz =
    ctx.contact.phone === undefined ? undefined : tryNormalizePhone(ctx.contact.phone)?.timeZone;
  const contactTz = ctx.contact.timezone ?? phoneTz ?? channelTz;
  const s = ctx.stats ?? {};
  const stats: SendStats = {
    sentLastMinute: s.sentLastMinute ?? 0,
    sentLastHour: s.sentLastHour ?? 0,
    sentToday: s.sentToday ?? 0,
    coldToday: s.coldToday ?? 0,
    identicalLastHour: s.identicalLastHour ?? 0,
    lastSentAtMs: optionalMs(s.lastSentAt),
  };
  const lastInboundAtMs = optionalMs(ctx.contact.lastInboundAt);
  const lastOutboundAtMs = optionalMs(ctx.contact.lastOutboundAt);
  const hasHistory = lastInboundAtMs !== undefined || lastOutboundAtMs !== undefined;
  const events: HealthEvent[] = (ctx.channel.healthEvents ?? []).map((e) => ({
    type: e.type as HealthEvent['type'],
    atMs: msFromIso(e.at),
    untilMs: optionalMs(e.until),
  }));
  // A reply goes to someone who just wrote, so the chat exists even if we never answered.
  const isNewContact = !hasHistory && ctx.message === undefined;
  const health = evaluateHealth(
    { events, paused: ctx.channel.paused ?? false, isNewContact },
    effective.health,
    nowMs,
  );
  return {
    ctx,
    nowMs,
    config: effective,
    transport: ctx.channel.transport ?? 'sandbox',
    channelTz,
    contactTz,
    stats,
    lastInboundAtMs,
    lastOutboundAtMs,
    hasHistory,
    stage: (ctx.contact.stage ?? 'new') as Stage,
    optedOut: ctx.contact.optedOut ?? false,
    optedIn: ctx.contact.optedIn ?? false,
    followupsSent: ctx.contact.followupsSent ?? 0,
    health,
  };
}

/**
 * The funnel stage with the order dialogue: `ordered` only once the customer confirmed a summary
 * (an order intent alone no longer counts as ordered while the dialogue collects what is missing).
 */
function orderStage(previous: Stage, funnelStage: Stage, step: OrderStep | undefined): Stage {
  if (step?.stage === 'ordered') return STAGE_RANK[previous] > STAGE_RANK.ordered ? previous : 'ordered';
  if (step?.handled && funnelStage === 'ordered' && previous !== 'ordered')
    return STAGE_RANK[previous] > STAGE_RANK.interested ? previous : 'interested';
  return funnelStage;
}

function reason(code: string, detail: string): Reason {
  return { engine: 'decide', code, detail };
}

/** A person owns the conversation (or it waits for one): the bot stays quiet, and says why. */
function humanOwner(ctx: DecisionContext): Reason | null {
  const ownership = ctx.contact.ownership ?? 'bot';
  if (ownership === 'bot') return null;
  return ownership === 'human'
    ? reason('decide.human_owner', 'A person has taken this conversation over: the bot does not answer')
    : reason('decide.awaiting_human', 'The conversation was handed to a person: the bot waits for them');
}

/** Paces a send that may start at startAtMs; for business-initiated sends keeps the send inside the window. */
function pace(
  p: Prepared,
  kind: SendKind,
  seed: string,
  textLength: number,
  startAtMs: number,
  delayFactor: number,
): { pacing: PacingVerdict; shifted: boolean } {
  const run = (start: number) =>
    evaluatePacing(
      {
        seed,
        textLength,
        isNewChat: p.lastOutboundAtMs === undefined,
        delayFactor,
        includeReadDelay: kind === 'reply',
        startAtMs: start,
        lastSentAtMs: p.stats.lastSentAtMs,
        recipientLastOutboundAtMs: p.lastOutboundAtMs,
        pairMinGapMs: p.config.quota.pairMinGapMs,
      },
      p.config.pacing,
      p.nowMs,
    );
  let pacing = run(startAtMs);
  let shifted = false;
  if (kind !== 'reply') {
    for (let i = 0; i < MAX_WINDOW_SHIFTS; i++) {
      const atSend = evaluateSchedule({ kind, timeZone: p.contactTz }, p.config.schedule, pacing.sendAtMs);
      if (atSend.allowed) break;
      shifted = true;
      pacing = run(atSend.sendAtMs);
    }
  }
  return { pacing, shifted };
}

function timing(p: Prepared, pacing: PacingVerdict | undefined, sendAtMs?: number) {
  const at = pacing?.sendAtMs ?? sendAtMs;
  return {
    sendAtMs: at,
    sendAt: at === undefined ? undefined : isoFromMs(at),
    delayMs: at === undefined ? 0 : Math.max(0, at - p.nowMs),
    typingMs: pacing?.typingMs ?? 0,
    readDelayMs: pacing?.readDelayMs ?? 0,
  };
}

/**
 * The rendered away message when this reply opens with it: the seller set one, the customer wrote
 * outside the active hours and nothing went to them since the quiet period began. Only for an
 * ordinary answer: a STOP or START confirmation and an opted-out customer's reply go without it
 * (a person owning the conversation means no reply at all).
 */
function awayOpening(
  p: Prepared,
  consentAction: ConsentVerdict['action'],
  seed: string,
): { text?: string; reasons: Reason[] } {
  const template = p.ctx.playbook?.awayMessage;
  if (template === undefined || template.trim() === '' || consentAction !== 'allow') return { reasons: [] };
  const verdict = evaluateAway(
    { timeZone: p.channelTz, lastOutboundAtMs: p.lastOutboundAtMs },
    p.config.schedule,
    p.nowMs,
  );
  if (!verdict.due) return { reasons: [] };
  const firstName = p.ctx.contact.name?.trim().split(/\s+/)[0];
  const rendered = renderTemplate({
    template,
    // {{name}} as in the answer templates: " Awa" (with its space) or nothing.
    variables: { name: firstName === undefined || firstName === '' ? '' : ` ${firstName}` },
    seed: `${seed}|away`,
  });
  if (rendered.text === '') return { reasons: [] };
  return { text: rendered.text, reasons: verdict.reasons };
}

function decideReply(p: Prepared, message: NonNullable<DecisionContext['message']>): Decision {
  const { ctx, nowMs, config } = p;
  const catalog = ctx.catalog ?? [];
  const seed = `${ctx.channel.id}|${ctx.contact.id}|${message.id}`;
  const read = readIntent({
    text: message.text,
    catalog,
    defaultLanguage: customerLanguage(ctx.contact.phone, ctx.channel.language),
  });
  const classified = applyClassification(read.verdict, ctx.assist?.classification, catalog);
  // The bot asked whether the customer wants to stop our messages (decide.ask_opt_out): this
  // message is the answer. A bare "oui"/"yes" confirms the opt-out; anything else closes the question.
  const questionOpen = ctx.conversation?.consentQuestion === 'opt_out';
  // The same bare yes that confirms an order summary ("oui", "yes svp", "ok", 👍): anything longer
  // is a message of its own.
  const answeredYes =
    questionOpen &&
    classified.verdict.intent !== 'opt_in' &&
    isConfirmation(message.text, read.normalizedText ?? normalizeText(message.text));
  const intent: IntentVerdict = answeredYes
    ? { ...classified.verdict, intent: 'opt_out', intents: ['opt_out'], confidence: 1 }
    : classified.verdict;
  const conversationIn = questionOpen ? withoutQuestion(ctx.conversation) : ctx.conversation;
  const consent = evaluateConsent({
    kind: 'reply',
    optedOut: p.optedOut,
    optedIn: p.optedIn,
    hasHistory: p.hasHistory,
    inboundIntent: intent.intent,
  });
  const funnel = advanceFunnel({
    stage: p.stage,
    direction: 'inbound',
    intents: intent.intents,
    hasProduct: intent.entities.products.some((m) => m.score >= SPECIFIC_MATCH_SCORE),
  });
  const reasons: Reason[] = [...intent.reasons, ...consent.reasons, ...funnel.reasons];
  if (questionOpen)
    reasons.push(
      reason(
        'decide.opt_out_answered',
        answeredYes
          ? 'The customer answered yes to the question whether to stop our messages: opted out'
          : 'The customer answered the question whether to stop our messages: the question is closed',
      ),
    );
  // The order dialogue reads the message once consent allows an answer (an opted-out customer who
  // writes again too: buying is service, and each reply reminds them of START) and no person is
  // asked for.
  const answersAfterStop = consent.action === 'reply_only';
  const step: OrderStep | undefined =
    consent.allowed &&
    (consent.action === 'allow' || answersAfterStop) &&
    !intent.intents.includes('human') &&
    !intent.intents.includes('complaint')
      ? continueOrder({
          conversation: conversationIn,
          intent,
          text: message.text,
          normalizedText: read.normalizedText,
          catalog,
          playbook: ctx.playbook,
          messageId: message.id,
          contactName: ctx.contact.name,
          seed,
          nowMs,
          ...(answersAfterStop ? { optedOut: true } : {}),
        })
      : undefined;
  if (step) reasons.push(...step.reasons);
  const stage = orderStage(p.stage, funnel.stage, step);
  const base = {
    kind: 'reply' as const,
    intent: intent.intent,
    intents: intent.intents,
    confidence: intent.confidence,
    language: intent.language,
    entities: intent.entities,
    stage,
    // The customer spoke: the follow-up ladder starts again from the bottom.
    contactUpdate: {
      stage,
      optedOut: consent.optedOut,
      optedIn:
        consent.action === 'confirm_opt_in' ? true : consent.action === 'confirm_opt_out' ? false : p.optedIn,
      followupsSent: 0,
    },
    restartWarmup: false,
    assisted: { classification: classified.use, rephrase: null } as AssistUse,
    ...(step?.conversation !== undefined ? { conversation: step.conversation } : {}),
    ...(step?.order
      ? {
          order: {
            draft: step.order,
            ifOutOfStock: {
              conversation: step.ifOutOfStock?.conversation ?? { cart: [] },
              stage: orderStage(p.stage, funnel.stage, { ...step, stage: undefined }),
            },
          },
        }
      : {}),
  };
  // The question answered, the state no longer carries it (unless the order dialogue changed it).
  if (questionOpen && step?.conversation === undefined)
    Object.assign(base, { conversation: orNull(conversationIn) });
  const verdicts: Decision['verdicts'] = { intent, consent, funnel, health: p.health };
  if (step) verdicts.order = { handled: step.handled, stage: step.stage, reasons: step.reasons };

  if (!consent.allowed) {
    reasons.push(reason('decide.skip', 'Nothing to send for this message'));
    return { action: 'skip', ...base, ...timing(p, undefined), reasons, verdicts };
  }
  const owner = humanOwner(ctx);
  if (owner) {
    reasons.push(owner);
    return { action: 'skip', ...base, ...timing(p, undefined), reasons, verdicts };
  }

  // A question in the middle of the order dialogue: the usual reply answers it, then says what the
  // order still waits for (and, for an opted-out customer, ends with the START reminder after that).
  const pending = step && !step.handled ? step.pending : undefined;
  const composed =
    step?.handled && step.text !== undefined
      ? { text: step.text, handoff: false, reasons: [], questionsForSeller: [] as SellerQuestion[] }
      : composeReply({
          intent,
          consentAction: pending !== undefined && answersAfterStop ? 'allow' : consent.action,
          catalog,
          playbook: ctx.playbook,
          contactName: ctx.contact.name,
          contactId: ctx.contact.id,
          seed,
          text: message.text,
        });
  if (pending !== undefined) {
    // composeReply left the START reminder out (consentAction 'allow' above) so it comes last.
    const startReminder =
      answersAfterStop && !('parts' in composed && composed.parts.includes('clarify_opt_in'))
        ? step?.startReminder
        : undefined;
    composed.text = [composed.text, composed.handoff ? undefined : pending, startReminder]
      .filter((t) => t !== undefined)
      .join('\n');
  }

  reasons.push(...composed.reasons);
  let askedOptOut = 'parts' in composed && composed.parts.includes('clarify_opt_out');
  if (intent.optOutQuestion && !askedOptOut && !composed.handoff && !p.optedOut && step?.handled) {
    // The order dialogue answered: the question whether to stop our messages comes after it.
    composed.text = `${composed.text}\n${composeOptOutQuestion(intent.language, seed, ctx.playbook, ctx.contact.name)}`;
    reasons.push(
      reason(
        'decide.ask_opt_out',
        'The message may also ask to stop our messages but no rule confirms it: answered, then asked to confirm with STOP; nothing business-initiated goes out until the customer answers',
      ),
    );
    askedOptOut = true;
  }
  if (intent.optOutQuestion && !p.optedOut && askedOptOut) {
    // Nothing business-initiated goes to this customer until they answer (decideOutbound).
    const kept = step?.conversation !== undefined ? step.conversation : conversationIn;
    Object.assign(base, { conversation: { ...(kept ?? { cart: [] }), consentQuestion: 'opt_out' } });
  }
  // The model's rewording replaces the composed text only when the gate finds no new fact in it.
  const rephrased = applyRephrase(composed.text, ctx.assist?.rephrase, catalog);
  reasons.push(...rephrased.reasons);
  base.assisted.rephrase = rephrased.use;
  // The seller's away message opens the first answer of a quiet period, in the seller's own words
  // (after the rephrasing, which may not touch it); the usual answer follows on the next line.
  const away = awayOpening(p, consent.action, seed);
  reasons.push(...away.reasons);
  const replyText = away.text === undefined ? rephrased.text : `${away.text}\n${rephrased.text}`;
  // Identical answers to different customers are normal for replies: the identical-text cap is for broadcasts.
  const content = evaluateContent({ text: replyText, identicalLastHour: 0 }, config.content, nowMs);
  verdicts.content = content;
  reasons.push(...content.reasons);
  if (!content.allowed) {
    reasons.push(
      reason('decide.block_content', 'The composed answer failed the content check: a person should answer'),
    );
    return { action: 'block', ...base, text: replyText, ...timing(p, undefined), reasons, verdicts };
  }

  const quota = evaluateQuota({ kind: 'reply', stats: p.stats, timeZone: p.channelTz }, config.quota, nowMs);
  const warmup = evaluateWarmup(
    {
      kind: 'reply',
      channelCreatedAtMs: msFromIso(ctx.channel.createdAt),
      warmupStartedAtMs: optionalMs(ctx.channel.warmupStartedAt),
      lastSentAtMs: p.stats.lastSentAtMs,
      isColdContact: false,
      stats: p.stats,
      timeZone: p.channelTz,
    },
    config.warmup,
    nowMs,
  );
  const schedule = evaluateSchedule({ kind: 'reply', timeZone: p.contactTz }, config.schedule, nowMs);
  Object.assign(verdicts, { quota, warmup, schedule });
  reasons.push(...p.health.reasons, ...quota.reasons, ...warmup.reasons, ...schedule.reasons);

  let startAtMs = nowMs;
  let deferred = false;
  if (!p.health.allowed) {
    deferred = true;
    startAtMs = Math.max(startAtMs, p.health.retryAtMs ?? nowMs + HEALTH_RECHECK_MS);
    reasons.push(reason('decide.defer_health', 'The number is paused to protect it; the answer waits'));
  }
  if (!quota.allowed) {
    deferred = true;
    startAtMs = Math.max(startAtMs, quota.retryAtMs ?? nowMs + 60_000);
    reasons.push(reason('decide.defer_quota', 'Reply budget used up for now; the answer waits'));
  }
  const { pacing } = pace(p, 'reply', seed, [...replyText].length, startAtMs, schedule.delayFactor);
  verdicts.pacing = pacing;
  reasons.push(...pacing.reasons);

  const action: DecisionAction = deferred ? 'defer' : composed.handoff ? 'handoff' : 'reply';
  reasons.push(
    action === 'defer'
      ? reason('decide.defer', 'Decide again at sendAt')
      : action === 'handoff'
        ? reason(
            'decide.handoff',
            'The customer needs a person: send the holding message and hand the conversation over',
          )
        : reason('decide.reply', 'Answer the customer'),
  );
  return {
    action,
    ...base,
    text: replyText,
    ...('experiment' in composed && composed.experiment ? { experiment: composed.experiment } : {}),
    ...timing(p, pacing),
    restartWarmup: warmup.restartWarmup,
    reasons,
    // A deferred answer is decided again later; the question goes to the seller when it is sent.
    ...(action !== 'defer' && composed.questionsForSeller.length > 0
      ? { questionForSeller: { topics: composed.questionsForSeller } }
      : {}),
    verdicts,
  };
}

/** The conversation state without the open consent question. */
function withoutQuestion(c: Conversation | undefined): Conversation | undefined {
  if (c === undefined) return undefined;
  const { consentQuestion: _asked, ...rest } = c;
  return rest;
}

/** A state that holds nothing (no cart, nothing else) is cleared. */
function orNull(c: Conversation | undefined): Conversation | null {
  if (c === undefined) return null;
  return c.cart.length === 0 && Object.keys(c).length === 1 ? null : c;
}

function decideOutbound(p: Prepared): Decision {
  const { ctx, nowMs, config } = p;
  const kind: SendKind = ctx.outbound?.kind ?? 'followup';
  const language: Language = ctx.channel.language ?? 'fr';
  const reasons: Reason[] = [];
  const verdicts: Decision['verdicts'] = { health: p.health };
  let text = ctx.outbound?.text;
  let template: Decision['template'];
  let followupsSent = p.followupsSent;
  let stage = p.stage;
  const stepId = ctx.outbound?.id ?? `followup-${p.followupsSent}`;
  const seed = `${ctx.channel.id}|${ctx.contact.id}|${stepId}`;

  const result = (
    action: DecisionAction,
    extra: Partial<Decision> & { pacing?: PacingVerdict; sendAtMs?: number },
  ): Decision => ({
    action,
    kind,
    text,
    template,
    ...timing(p, extra.pacing, extra.sendAtMs),
    intent: null,
    intents: [],
    confidence: null,
    language,
    entities: { products: [] },
    stage,
    contactUpdate: { stage, optedOut: p.optedOut, optedIn: p.optedIn, followupsSent },
    restartWarmup: extra.restartWarmup ?? false,
    assisted: { classification: null, rephrase: null },
    reasons,
    verdicts,
  });

  const owner = humanOwner(ctx);
  if (owner) {
    reasons.push(owner);
    return result('skip', {});
  }
  if (ctx.conversation?.consentQuestion === 'opt_out') {
    // The customer may have asked to stop our messages (decide.ask_opt_out): no follow-up or
    // promotion until they answer the question.
    reasons.push(
      reason(
        'decide.block_opt_out_question',
        'The customer was asked whether to stop our messages and has not answered: nothing business-initiated goes out',
      ),
    );
    return result('block', {});
  }

  if (kind === 'followup' && text === undefined) {
    const followup = planFollowup(
      {
        transport: p.transport,
        stage: p.stage,
        optedOut: p.optedOut,
        followupsSent: p.followupsSent,
        lastInboundAtMs: p.lastInboundAtMs,
        lastOutboundAtMs: p.lastOutboundAtMs,
        hasTemplate: ctx.playbook?.followupTemplate !== undefined,
      },
      config.followup,
      nowMs,
    );
    verdicts.followup = followup;
    reasons.push(...followup.reasons);
    if (followup.exhausted) {
      const funnel = advanceFunnel({
        stage: p.stage,
        direction: 'outbound',
        intents: [],
        hasProduct: false,
        followupsExhausted: true,
      });
      verdicts.funnel = funnel;
      reasons.push(...funnel.reasons);
      stage = funnel.stage;
    }
    if (!followup.due) {
      if (followup.dueAtMs !== undefined && followup.dueAtMs > nowMs) {
        reasons.push(reason('decide.defer', 'The next follow-up is not due yet: decide again at sendAt'));
        return result('defer', { sendAtMs: followup.dueAtMs });
      }
      reasons.push(reason('decide.skip', 'No follow-up to send'));
      return result('skip', {});
    }
    if (followup.requiresTemplate && ctx.playbook?.followupTemplate) {
      template = { ...ctx.playbook.followupTemplate };
    } else {
      text = composeFollowup(followup.step, language, seed, ctx.playbook, ctx.contact.name);
    }
    followupsSent = p.followupsSent + 1;
  }

  const consent = evaluateConsent({
    kind,
    optedOut: p.optedOut,
    optedIn: p.optedIn,
    hasHistory: p.hasHistory,
  });
  verdicts.consent = consent;
  reasons.push(...consent.reasons);
  if (!consent.allowed) {
    followupsSent = p.followupsSent;
    reasons.push(reason('decide.block_consent', 'This person may not receive business-initiated messages'));
    return result('block', {});
  }
  if (text === undefined && template === undefined) {
    reasons.push(reason('decide.nothing_to_send', 'A proactive decision needs outbound.text'));
    return result('skip', {});
  }
  if (text !== undefined) {
    const content = evaluateContent(
      { text, identicalLastHour: p.stats.identicalLastHour },
      config.content,
      nowMs,
    );
    verdicts.content = content;
    reasons.push(...content.reasons);
    if (!content.allowed) {
      followupsSent = p.followupsSent;
      reasons.push(reason('decide.block_content', 'The text failed the content check'));
      return result('block', {});
    }
  }

  const isCold = !p.hasHistory;
  const quota = evaluateQuota({ kind, stats: p.stats, timeZone: p.channelTz }, config.quota, nowMs);
  const warmup = evaluateWarmup(
    {
      kind,
      channelCreatedAtMs: msFromIso(ctx.channel.createdAt),
      warmupStartedAtMs: optionalMs(ctx.channel.warmupStartedAt),
      lastSentAtMs: p.stats.lastSentAtMs,
      isColdContact: isCold,
      stats: p.stats,
      timeZone: p.channelTz,
    },
    config.warmup,
    nowMs,
  );
  const schedule = evaluateSchedule({ kind, timeZone: p.contactTz }, config.schedule, nowMs);
  Object.assign(verdicts, { quota, warmup, schedule });
  reasons.push(...p.health.reasons, ...quota.reasons, ...warmup.reasons, ...schedule.reasons);

  let startAtMs = nowMs;
  const waits: [boolean, number | undefined, string, string][] = [
    [
      !p.health.allowed,
      p.health.retryAtMs ?? nowMs + HEALTH_RECHECK_MS,
      'decide.defer_health',
      'The number is paused or locked for new contacts',
    ],
    [!quota.allowed, quota.retryAtMs, 'decide.defer_quota', 'Business-initiated budget used up for now'],
    [
      !warmup.allowed,
      warmup.retryAtMs,
      'decide.defer_warmup',
      'Warm-up or cold-contact cap reached for today',
    ],
    [
      !schedule.allowed,
      schedule.sendAtMs,
      'decide.defer_window',
      'Outside the sending window of the contact',
    ],
  ];
  let deferred = false;
  for (const [blocked, untilMs, code, detail] of waits) {
    if (!blocked) continue;
    deferred = true;
    startAtMs = Math.max(startAtMs, untilMs ?? nowMs + HEALTH_RECHECK_MS);
    reasons.push(reason(code, detail));
  }
  const { pacing, shifted } = pace(
    p,
    kind,
    seed,
    text ? [...text].length : 0,
    startAtMs,
    schedule.delayFactor,
  );
  verdicts.pacing = pacing;
  reasons.push(...pacing.reasons);
  if (shifted) {
    deferred = true;
    reasons.push(reason('decide.defer_window', 'The paced send time fell outside the sending window'));
  }
  if (deferred) {
    // Nothing is sent now, so the ladder does not advance yet.
    followupsSent = p.followupsSent;
    reasons.push(reason('decide.defer', 'Decide again at sendAt'));
    return result('defer', { pacing, restartWarmup: warmup.restartWarmup });
  }
  reasons.push(reason('decide.send', kind === 'followup' ? 'Send the follow-up' : 'Send the message'));
  return result('send', { pacing, restartWarmup: warmup.restartWarmup });
}

/** One decision for one context. Pure: the same context always gives the same decision. */
export function decide(ctx: DecisionContext): Decision {
  const p = prepare(ctx);
  return ctx.message ? decideReply(p, ctx.message) : decideOutbound(p);
}

export const DECIDE_CODES = [
  'decide.reply',
  'decide.send',
  'decide.handoff',
  'decide.defer',
  'decide.skip',
  'decide.human_owner',
  'decide.awaiting_human',
  'decide.defer_health',
  'decide.defer_quota',
  'decide.defer_warmup',
  'decide.defer_window',
  'decide.block_consent',
  'decide.block_content',
  'decide.nothing_to_send',
  'decide.unknown_product',
  'decide.out_of_stock',
  'decide.low_confidence',
  'decide.ask_opt_out',
  'decide.opt_out_answered',
  'decide.block_opt_out_question',
  'decide.question_for_seller',
  'decide.ask_which_product',
] as const;
