/**
 * Mon numéro: each channel's state in plain words (Connecté / Connexion… / Déconnecté / En pause
 * pour protéger le numéro), with the reason and when sending resumes. QR and pairing-code
 * connection ("pairing" API) plugs in here when it exists.
 */

import { api } from '../api.js';
import { h } from '../dom.js';
import { dateTime, t } from '../i18n.js';

/** The plain-words state of a channel (GET /channels/{id}, health included). */
export function channelState(channel) {
  if (channel.paused || channel.health?.paused || channel.status === 'paused') return 'paused';
  const status = String(channel.status);
  if (['connecting', 'pairing', 'starting', 'qr', 'scan_qr_code'].includes(status)) return 'connecting';
  if (['disconnected', 'logged_out', 'released', 'failed', 'stopped'].includes(status)) return 'disconnected';
  if (channel.transport !== 'sandbox' && !channel.hasCredentials) return 'disconnected';
  return 'connected';
}

const DOT = { connected: 'ok', connecting: 'wait', disconnected: 'off', paused: 'warn' };

export async function render() {
  const { items } = await api.channels();
  if (items.length === 0) return h('p', { class: 'empty pad' }, t('num.empty'));
  const channels = await Promise.all(items.map((c) => api.channel(c.id)));
  const list = h(
    'ul',
    { class: 'plain stack', 'data-testid': 'channels' },
    channels.map((channel) => {
      const state = channelState(channel);
      const reasons = channel.health?.reasons ?? [];
      const resumeAt = channel.health?.retryAt ?? channel.health?.timelockUntil;
      return h(
        'li',
        { class: 'card' },
        h(
          'h2',
          { class: 'channel-name' },
          channel.name,
          channel.transport === 'sandbox'
            ? h('span', { class: 'muted small' }, ` · ${t('num.sandbox')}`)
            : null,
        ),
        h(
          'p',
          { class: `state state-${DOT[state]}`, 'data-state': state },
          h('span', { class: 'dot', 'aria-hidden': 'true' }),
          t(`num.${state}`),
        ),
        state === 'paused' && reasons.length > 0
          ? h(
              'p',
              { class: 'small' },
              h('strong', null, `${t('num.why')} : `),
              reasons.map((r) => r.detail || r.code).join(' · '),
            )
          : null,
        state === 'paused' && resumeAt
          ? h('p', { class: 'small' }, t('num.resumes', { when: dateTime(resumeAt) }))
          : null,
      );
    }),
  );
  return h('div', { class: 'pad' }, list);
}
