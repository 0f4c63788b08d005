/**
 * Start-up and navigation: asks who is signed in, shows sign-in (or the invite screen) when nobody
 * is, else the screen named by the URL hash, with the tab bar at the bottom (in reach of a thumb).
 */

import { ApiFailure, api, onSignedOut } from './api.js';
import { h, icon, replace } from './dom.js';
import { currentLang, setLang, t } from './i18n.js';
import * as catalogue from './screens/catalogue.js';
import * as discussions from './screens/discussions.js';
import * as invite from './screens/invite.js';
import * as number from './screens/number.js';
import * as orders from './screens/orders.js';
import * as settings from './screens/settings.js';
import * as signin from './screens/signin.js';
import * as today from './screens/today.js';

/** The tabs, in order: route, title key, module. Screens wired later (inbox, pairing) go here. */
const SCREENS = [
  { route: 'discussions', title: 'tab.discussions', icon: 'chat', module: discussions },
  { route: 'catalogue', title: 'tab.catalogue', icon: 'bag', module: catalogue },
  { route: 'commandes', title: 'tab.orders', icon: 'receipt', module: orders },
  { route: 'reglages', title: 'tab.settings', icon: 'gear', module: settings },
  { route: 'numero', title: 'tab.number', icon: 'phone', module: number },
  { route: 'aujourdhui', title: 'tab.today', icon: 'chart', module: today },
];

const main = document.getElementById('main');
const tabs = document.getElementById('tabs');
const title = document.getElementById('title');
const actions = document.getElementById('actions');
let session = null;
let renderId = 0;

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  return { route: parts[0] || '', args: parts.slice(1) };
}

export function go(route, ...args) {
  location.hash = `#/${[route, ...args].map(encodeURIComponent).join('/')}`;
}

function languageButton() {
  return h(
    'button',
    {
      class: 'ghost',
      type: 'button',
      lang: currentLang() === 'fr' ? 'en' : 'fr',
      onclick: () => {
        setLang(currentLang() === 'fr' ? 'en' : 'fr');
        show();
      },
    },
    t('app.language'),
  );
}

function menu() {
  const panel = h(
    'div',
    { class: 'menu-panel', id: 'menu-panel', hidden: true },
    h('p', { class: 'muted small' }, session.user.email, ' · ', t(`role.${session.user.role}`)),
    languageButton(),
    h('button', { type: 'button', class: 'ghost', onclick: () => signOut(false) }, t('app.signout')),
    h('button', { type: 'button', class: 'ghost', onclick: () => signOut(true) }, t('app.signoutAll')),
  );
  const toggle = h(
    'button',
    {
      type: 'button',
      class: 'ghost icon-button',
      'aria-label': t('app.menu'),
      'aria-expanded': 'false',
      'aria-controls': 'menu-panel',
      onclick: () => {
        panel.hidden = !panel.hidden;
        toggle.setAttribute('aria-expanded', String(!panel.hidden));
      },
    },
    icon('menu'),
  );
  return h('div', { class: 'menu' }, toggle, panel);
}

async function signOut(everywhere) {
  try {
    await api.signOut(everywhere);
  } catch {
    // Signed out on this side anyway.
  }
  session = null;
  go('connexion');
}

function renderTabs(active) {
  tabs.hidden = false;
  replace(
    tabs,
    SCREENS.map((s) =>
      h(
        'a',
        {
          href: `#/${s.route}`,
          class: s.route === active ? 'tab active' : 'tab',
          'aria-current': s.route === active ? 'page' : null,
        },
        icon(s.icon),
        h('span', { class: 'tab-label' }, t(s.title)),
      ),
    ),
  );
}

function errorView(err, retry) {
  const text = err instanceof ApiFailure && err.code === 'offline' ? t('app.offline') : t('app.error');
  return h(
    'div',
    { class: 'pad' },
    h('p', { class: 'error', role: 'alert' }, text),
    h('button', { type: 'button', onclick: retry }, t('app.retry')),
  );
}

/** Renders the current hash. */
export async function show() {
  const id = ++renderId;
  document.documentElement.lang = currentLang();
  const { route, args } = parseHash();
  if (route === 'invite' && args[0]) {
    tabs.hidden = true;
    title.textContent = t('invite.title');
    replace(actions, languageButton());
    replace(main, invite.render({ token: args[0], onSignedIn }));
    return;
  }
  if (session === null) {
    try {
      const current = await api.session();
      session = current.signedIn ? current : null;
    } catch (err) {
      replace(main, errorView(err, show));
      return;
    }
  }
  if (id !== renderId) return;
  if (session === null) {
    tabs.hidden = true;
    title.textContent = 'Sellify';
    replace(actions, languageButton());
    replace(main, signin.render({ onSignedIn }));
    return;
  }
  const screen = SCREENS.find((s) => s.route === route);
  if (screen === undefined) {
    go('discussions');
    return;
  }
  title.textContent = t(screen.title);
  replace(actions, menu());
  renderTabs(screen.route);
  replace(main, h('p', { class: 'muted pad' }, t('app.loading')));
  try {
    const view = await screen.module.render({
      args,
      session,
      go,
      refresh: show,
      setTitle: (text) => (title.textContent = text),
    });
    if (id === renderId) replace(main, view);
  } catch (err) {
    if (id === renderId) replace(main, errorView(err, show));
  }
}

function onSignedIn(current) {
  session = current;
  go('discussions');
  show();
}

onSignedOut(() => {
  session = null;
  show();
});
window.addEventListener('hashchange', show);
show();
