/**
 * Discussions: contacts newest first; a contact's thread with delivery ticks; on each bot message,
 * "Pourquoi ?" opens a drawer with the decision's reasons from the audit API (GET /decisions/{id}).
 * The inbox with take-over and a composer ("humanloop" API) plugs in here when it exists.
 */

import { api } from '../api.js';
import { h, icon, replace } from '../dom.js';
import { t, when } from '../i18n.js';

const TICKS = { queued: '🕓', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '⚠' };

function contactName(contact) {
  return contact.name || contact.phone || contact.bsuid || contact.id;
}

/** Initials of a name with letters; a person icon for a bare number. */
function avatar(contact) {
  const letters = (contact.name ?? '')
    .replace(/[^\p{L} ]/gu, '')
    .split(' ')
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]);
  return h(
    'span',
    { class: 'avatar', 'aria-hidden': 'true' },
    letters.length > 0 ? letters.join('').toUpperCase() : icon('person'),
  );
}

function lastActivity(contact) {
  return contact.lastInboundAt ?? contact.lastOutboundAt ?? contact.updatedAt;
}

async function list() {
  const { items } = await api.contacts();
  if (items.length === 0) return h('p', { class: 'empty pad' }, t('disc.empty'));
  const sorted = [...items].sort((a, b) => lastActivity(b).localeCompare(lastActivity(a)));
  return h(
    'ul',
    { class: 'list', 'data-testid': 'contacts' },
    sorted.map((contact) => {
      const name = contactName(contact);
      return h(
        'li',
        null,
        h(
          'a',
          { class: 'row link', href: `#/discussions/${encodeURIComponent(contact.id)}` },
          avatar(contact),
          h(
            'span',
            { class: 'row-main' },
            h('strong', null, name),
            h(
              'span',
              { class: 'muted small' },
              contact.phone && contact.name ? contact.phone : '',
              contact.optedOut ? ` · ${t('disc.optedOut')}` : '',
            ),
          ),
          h('span', { class: 'row-side muted small' }, when(lastActivity(contact))),
        ),
      );
    }),
  );
}

function reasonList(reasons) {
  return h(
    'ul',
    { class: 'reasons' },
    reasons.map((r) =>
      h('li', null, h('code', null, r.code), r.detail ? h('span', null, ' — ', r.detail) : null),
    ),
  );
}

async function openWhy(dialog, decisionId) {
  const body = dialog.querySelector('.drawer-body');
  replace(body, h('p', { class: 'muted' }, t('app.loading')));
  dialog.showModal();
  try {
    const d = await api.decision(decisionId);
    replace(
      body,
      h(
        'dl',
        { class: 'facts' },
        h('dt', null, t('disc.action')),
        h('dd', null, d.action),
        d.intent ? [h('dt', null, t('disc.intent')), h('dd', null, d.intent)] : null,
        d.stage ? [h('dt', null, t('disc.stage')), h('dd', null, d.stage)] : null,
      ),
      h('h3', null, t('disc.reasons')),
      reasonList(d.reasons ?? []),
    );
  } catch {
    replace(body, h('p', { class: 'muted' }, t('disc.whyNone')));
  }
}

function whyDrawer() {
  const dialog = h(
    'dialog',
    { class: 'drawer', 'aria-labelledby': 'why-title' },
    h(
      'div',
      { class: 'drawer-head' },
      h('h2', { id: 'why-title' }, t('disc.whyTitle')),
      h('button', { type: 'button', class: 'ghost', onclick: () => dialog.close() }, t('app.close')),
    ),
    h('div', { class: 'drawer-body' }),
  );
  // A tap outside the drawer closes it.
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) dialog.close();
  });
  return dialog;
}

async function thread({ args, setTitle }) {
  const contactId = args[0];
  const [contact, page] = await Promise.all([api.contact(contactId), api.messages(contactId)]);
  setTitle(contactName(contact));
  const messages = [...page.items].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const drawer = whyDrawer();
  const bubbles = messages.map((m) => {
    const out = m.direction === 'out';
    return h(
      'li',
      { class: out ? 'bubble out' : 'bubble in' },
      h('p', { class: 'bubble-text' }, m.text ?? `[${m.type}]`),
      h(
        'span',
        { class: 'bubble-meta' },
        when(m.createdAt),
        out
          ? h(
              'span',
              {
                class: `tick tick-${m.status}`,
                title: t(`status.${m.status}`),
                'aria-label': t(`status.${m.status}`),
              },
              ` ${TICKS[m.status] ?? ''}`,
            )
          : null,
        out && m.decisionId
          ? h(
              'button',
              { type: 'button', class: 'why', onclick: () => openWhy(drawer, m.decisionId) },
              t('disc.why'),
            )
          : null,
      ),
    );
  });
  return h(
    'section',
    { class: 'thread' },
    h('a', { class: 'back', href: '#/discussions' }, '← ', t('disc.back')),
    messages.length === 0
      ? h('p', { class: 'empty pad' }, t('disc.noMessages'))
      : h('ol', { class: 'bubbles', 'data-testid': 'thread' }, bubbles),
    drawer,
  );
}

export function render(ctx) {
  return ctx.args[0] ? thread(ctx) : list();
}
