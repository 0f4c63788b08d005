/**
 * Aujourd'hui / 7 jours: the seller's numbers from GET /stats (conversations, messages, hand-offs,
 * orders and revenue, median first response of the bot and of people, opt-outs), each number's
 * sending allowance and health now, and the A/B results from GET /experiments ("pas encore assez
 * de données" until every variant reached its minimum sample). "Today" starts at the device's
 * local midnight; "7 jours" is the API's default period.
 */

import { api } from '../api.js';
import { h } from '../dom.js';
import { currentLang, money, t } from '../i18n.js';

function number(n) {
  return new Intl.NumberFormat(currentLang() === 'en' ? 'en-GB' : 'fr-FR').format(n);
}

function percent(rate) {
  if (rate === null || rate === undefined) return '–';
  return new Intl.NumberFormat(currentLang() === 'en' ? 'en-GB' : 'fr-FR', {
    style: 'percent',
    maximumFractionDigits: 0,
  }).format(rate);
}

/** 8 s, 3 min, 1 h 05. */
export function duration(ms) {
  if (ms === null || ms === undefined) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')}`;
}

function tile(label, value, testId, sub, wide = false) {
  return h(
    'div',
    { class: wide ? 'tile wide' : 'tile', 'data-testid': testId },
    h('span', { class: 'tile-value' }, value),
    h('span', { class: 'tile-label' }, label),
    sub ? h('span', { class: 'tile-sub muted small' }, sub) : null,
  );
}

function periodSwitch(week) {
  const link = (href, key, active) =>
    h('a', { href, class: active ? 'seg active' : 'seg', 'aria-current': active ? 'page' : null }, t(key));
  return h(
    'nav',
    { class: 'segments', 'aria-label': t('today.period') },
    link('#/aujourdhui', 'today.today', !week),
    link('#/aujourdhui/7j', 'today.week', week),
  );
}

const HEALTH_WORDS = {
  low: 'today.healthLow',
  medium: 'today.healthMedium',
  high: 'today.healthHigh',
  critical: 'today.healthCritical',
};

function channelCard(c) {
  return h(
    'li',
    { class: 'card', 'data-channel': c.id },
    h('h3', null, c.name),
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, t('today.sentToday')),
      h('dd', null, number(c.sentToday)),
      h('dt', null, t('today.caps')),
      h(
        'dd',
        null,
        t('today.capsValue', {
          reply: number(c.quota.replyPerDay),
          proactive: number(c.quota.proactivePerDay),
        }),
      ),
      h('dt', null, t('today.proactiveLeft')),
      h('dd', null, number(c.proactiveLeftToday)),
      h('dt', null, t('today.warmup')),
      h('dd', null, t('today.warmupDay', { day: c.warmup.day + 1, cap: number(c.warmup.dailyCap) })),
      h('dt', null, t('today.newContacts')),
      h('dd', null, `${number(c.warmup.coldSentToday)} / ${number(c.warmup.coldCap)}`),
      h('dt', null, t('today.health')),
      h(
        'dd',
        { class: `health-${c.health.level}` },
        c.health.paused ? t('num.paused') : t(HEALTH_WORDS[c.health.level]),
        h('span', { class: 'muted small risk' }, t('today.risk', { score: c.health.score })),
      ),
    ),
  );
}

function experimentCard(x) {
  const ready = x.status === 'ready';
  return h(
    'li',
    { class: 'card', 'data-experiment': x.id },
    h('h3', null, x.id, h('span', { class: 'muted small' }, ` · ${x.template}`)),
    ready
      ? null
      : h('p', { class: 'muted', 'data-testid': 'not-enough' }, t('today.notEnough', { n: x.minSample })),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'ab' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, t('today.variant')),
            h('th', { scope: 'col' }, t('today.contacts')),
            h('th', { scope: 'col' }, t('today.replied')),
            h('th', { scope: 'col' }, t('today.ordered')),
            h('th', { scope: 'col' }, t('today.optedOut')),
          ),
        ),
        h(
          'tbody',
          null,
          x.variants.map((v) =>
            h(
              'tr',
              { class: ready && v.variantId === x.leader ? 'leader' : null },
              h(
                'th',
                { scope: 'row' },
                v.variantId,
                ready && v.variantId === x.leader ? ` ★ ${t('today.leader')}` : '',
              ),
              h('td', null, number(v.contacts)),
              h('td', null, percent(v.replyRate)),
              h('td', null, percent(v.orderRate)),
              h('td', null, percent(v.optOutRate)),
            ),
          ),
        ),
      ),
    ),
  );
}

export async function render({ args }) {
  const week = args[0] === '7j';
  const midnight = new Date();
  midnight.setHours(0, 0, 0, 0);
  const [stats, experiments] = await Promise.all([
    api.stats(week ? undefined : midnight.toISOString()),
    api.experiments(),
  ]);
  const orders =
    stats.orders.length > 0
      ? stats.orders
      : [{ currency: 'XOF', created: 0, confirmed: 0, cancelled: 0, revenue: 0, collected: 0 }];
  const created = orders.reduce((n, o) => n + o.created, 0);
  const confirmed = orders.reduce((n, o) => n + o.confirmed, 0);
  const fr = stats.firstResponse;
  return h(
    'div',
    { class: 'pad stack today' },
    periodSwitch(week),
    h(
      'div',
      { class: 'tiles', 'data-testid': 'stats' },
      tile(
        t('today.revenue'),
        orders.map((o) => money(o.revenue, o.currency)).join(' · '),
        'stat-revenue',
        t('today.collected', { amount: orders.map((o) => money(o.collected, o.currency)).join(' · ') }),
        true,
      ),
      tile(t('today.conversations'), number(stats.conversations), 'stat-conversations'),
      tile(
        t('today.orders'),
        number(created),
        'stat-orders',
        t('today.confirmedN', { n: number(confirmed) }),
      ),
      tile(
        t('today.messages'),
        `${number(stats.messages.in)} / ${number(stats.messages.out)}`,
        'stat-messages',
        t('today.messagesSub'),
        true,
      ),
      tile(t('today.handoffs'), number(stats.handoffs), 'stat-handoffs'),
      tile(t('today.optOuts'), number(stats.optOuts), 'stat-optouts'),
      tile(
        t('today.firstBot'),
        duration(fr.bot.medianMs),
        'stat-first-bot',
        t('today.answered', { n: number(fr.bot.answered) }),
      ),
      tile(
        t('today.firstHuman'),
        duration(fr.human.medianMs),
        'stat-first-human',
        t('today.answered', { n: number(fr.human.answered) }),
      ),
    ),
    h('h2', null, t('today.numbers')),
    h('ul', { class: 'plain stack', 'data-testid': 'stat-channels' }, stats.channels.map(channelCard)),
    h('h2', null, t('today.ab')),
    experiments.items.length === 0
      ? h('p', { class: 'muted' }, t('today.noAb'))
      : h(
          'ul',
          { class: 'plain stack', 'data-testid': 'experiments' },
          experiments.items.map(experimentCard),
        ),
  );
}
