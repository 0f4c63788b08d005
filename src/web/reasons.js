/**
 * A decision's reasons as the seller reads them, for the "Pourquoi ?" drawer (discussions.js) and
 * the health of a number (number.js). Each reason shows the label of its code in the seller's
 * language (i18n.js, `reason.<code>`). Where the engine's detail carries numbers or names that
 * matter (a wait in seconds, a cap, a score, the product), that detail follows as a muted second
 * line marked "détail technique": it stays in English as the engine wrote it, because the reason
 * object carries no structured numbers to format, and parsing the English sentence would break
 * the day an engine rewords it. A code with no label (added after this file) shows as before:
 * the code, then its detail.
 */

import { h } from './dom.js';
import { reasonLabel, t } from './i18n.js';

/** Codes whose detail holds what the label cannot say: waits, caps, scores, times, products. */
const DETAIL_MATTERS = new Set([
  'content.warn',
  'content.spam_score',
  'content.too_long',
  'content.identical_limit',
  'content.caps',
  'content.links',
  'content.shortener',
  'content.punctuation',
  'content.trigger_words',
  'content.emoji_density',
  'content.invisible_chars',
  'decide.low_confidence',
  'decide.question_for_seller',
  'followup.due',
  'followup.due_template',
  'followup.exhausted',
  'followup.not_yet',
  'health.score',
  'health.paused',
  'health.resumed',
  'health.timelock_new_contact',
  'health.timelock_active',
  'intent.model',
  'intent.opt_out_model',
  'intent.opt_in_model',
  'intent.low_confidence',
  'intent.product_matched',
  'intent.product_fuzzy',
  'intent.product_family',
  'intent.variant',
  'intent.variant_unavailable',
  'intent.category',
  'intent.quantity',
  'order.ask_variant',
  'order.unavailable',
  'order.question_not_added',
  'order.pending',
  'pacing.window_start',
  'pacing.read_delay',
  'pacing.gap',
  'pacing.new_chat',
  'pacing.typing',
  'pacing.channel_gap',
  'pacing.pair_gap',
  'quota.ok',
  'quota.minute_cap',
  'quota.hour_cap',
  'quota.daily_cap',
  'schedule.inside_window',
  'schedule.outside_window',
  'schedule.night_reply_slower',
  'schedule.weekend_slower',
  'schedule.weekend_closed',
  'schedule.away_message',
  'variation.missing_variable',
  'variation.unbalanced',
  'variation.invisible_removed',
  'variation.invisible_chars',
  'warmup.ok',
  'warmup.daily_cap',
  'warmup.cold_cap',
  'warmup.rewarm',
  'llm.classified',
  'llm.unavailable',
  'llm.rejected_intent',
  'llm.rejected_price',
  'llm.rejected_currency',
]);

/** One reason: its label (with the code as a tooltip for support), or the code and detail when unlabelled. */
function reasonItem(r) {
  const label = reasonLabel(r.code);
  if (label === undefined) {
    return h(
      'li',
      { 'data-code': r.code },
      h('code', null, r.code),
      r.detail ? h('span', null, ' — ', r.detail) : null,
    );
  }
  return h(
    'li',
    { 'data-code': r.code, title: r.code },
    h('span', { class: 'reason-label' }, label),
    r.detail && DETAIL_MATTERS.has(r.code)
      ? h('small', { class: 'reason-detail muted' }, t('reason.technical', { detail: r.detail }))
      : null,
  );
}

/** The reasons as a list, in the order the engines gave them. */
export function reasonList(reasons) {
  return h('ul', { class: 'reasons' }, reasons.map(reasonItem));
}
