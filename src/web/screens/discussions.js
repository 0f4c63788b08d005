/**
 * Discussions, live: the inbox (GET /conversations: newest first, filters "à traiter" = a person is
 * needed or answering, "le bot gère", "tout"; badge Bot / Vous / En attente, unread count, last
 * message) and one conversation's thread (GET /conversations/{id}/messages: ticks, who wrote, the
 * decision's reasons). "Je prends la main" / "Rendre au bot", and a composer that replies through
 * the channel (POST /conversations/{id}/messages). "Pourquoi ?" on a bot message opens a drawer with
 * the decision (GET /decisions/{id}): intent, product and where the price comes from, stage, and
 * why the reply waited, each reason in the seller's words (reasons.js).
 *
 * Both views listen to the event stream (live.js) while they are on the page and reload what they
 * show, coalesced, when an event concerns them; a reconnection reloads them once.
 */

import { ApiFailure, api } from '../api.js';
import { field, h, icon, replace } from '../dom.js';
import { currentLang, money, t, when } from '../i18n.js';
import { coalesce, listen } from '../live.js';
import { reasonList } from '../reasons.js';

const FILTERS = [
  { id: 'people', label: 'disc.filterTodo' },
  { id: 'bot', label: 'disc.filterBot' },
  { id: 'all', label: 'disc.filterAll' },
];
const FILTER_KEY = 'sellify.inbox.filter';
/** Tick glyphs by the API's `ticks` (0 queued, 1 sent, 2 delivered, 3 read); failed has its own. */
const TICK_GLYPHS = ['○', '✓', '✓✓', '✓✓'];
/** Reasons that explain a wait before sending (pacing, the window, caps, a paused number). */
const WAIT_REASON =
  /^(pacing\.|schedule\.(?!inside_window)|quota\.(?!ok)|warmup\.(daily_cap|cold_cap|rewarm)|health\.(paused|timelock))/;

function savedFilter() {
  try {
    const saved = sessionStorage.getItem(FILTER_KEY);
    if (FILTERS.some((f) => f.id === saved)) return saved;
  } catch {
    // No storage: the default.
  }
  return 'all';
}

function saveFilter(filter) {
  try {
    sessionStorage.setItem(FILTER_KEY, filter);
  } catch {
    // Not remembered.
  }
}

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

/** Bot / Vous / En attente. */
function ownerBadge(ownership) {
  const key =
    ownership === 'human'
      ? 'disc.badgeHuman'
      : ownership === 'waiting'
        ? 'disc.badgeWaiting'
        : 'disc.badgeBot';
  return h('span', { class: `badge badge-${ownership}`, 'data-ownership': ownership }, t(key));
}

/** The small "En direct / Reconnexion…" line of a live view. */
function livePill() {
  const pill = h('span', { class: 'live-pill', role: 'status', 'data-live': 'closed' }, '');
  const set = (state) => {
    pill.dataset.live = state;
    pill.textContent =
      state === 'live' ? t('live.on') : state === 'reconnecting' ? t('live.reconnecting') : '';
  };
  return { pill, set };
}

function errorText(err) {
  if (!(err instanceof ApiFailure)) return t('app.error');
  if (err.code === 'offline') return t('app.offline');
  const key = `disc.err.${err.code}`;
  const text = t(key);
  return text === key ? t('app.error') : text;
}

// ---------------------------------------------------------------------------------------------
// Inbox

function inboxRow(c) {
  const last = c.lastMessage;
  const who =
    last.direction === 'in'
      ? ''
      : t('disc.by', { who: last.kind === 'human' ? t('disc.you') : t('disc.bot') });
  const preview = last.preview ?? `[${last.type}]`;
  return h(
    'li',
    { 'data-contact': c.contactId },
    h(
      'a',
      { class: 'row link', href: `#/discussions/${encodeURIComponent(c.contactId)}` },
      avatar(c.contact),
      h(
        'span',
        { class: 'row-main' },
        h('span', { class: 'row-title' }, h('strong', null, contactName(c.contact)), ownerBadge(c.ownership)),
        h('span', { class: 'preview muted small' }, who, preview),
      ),
      h(
        'span',
        { class: 'row-side muted small' },
        when(c.lastActivityAt),
        c.unread > 0
          ? h('span', { class: 'unread', 'aria-label': t('disc.unread', { n: c.unread }) }, String(c.unread))
          : null,
      ),
    ),
  );
}

async function inbox() {
  let filter = savedFilter();
  const { pill, set } = livePill();
  const listBox = h('div', { class: 'inbox-list', 'aria-busy': 'false' });
  const buttons = FILTERS.map((f) =>
    h(
      'button',
      {
        type: 'button',
        class: 'filter',
        'aria-pressed': String(f.id === filter),
        'data-filter': f.id,
        onclick: () => {
          filter = f.id;
          saveFilter(filter);
          for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.filter === filter));
          void load();
        },
      },
      t(f.label),
    ),
  );

  async function load() {
    const asked = filter;
    listBox.setAttribute('aria-busy', 'true');
    try {
      const { items } = await api.conversations(asked);
      if (asked !== filter) return;
      replace(
        listBox,
        items.length === 0
          ? h('p', { class: 'empty pad' }, t(filter === 'all' ? 'disc.empty' : 'disc.emptyFilter'))
          : h('ul', { class: 'list', 'data-testid': 'contacts' }, items.map(inboxRow)),
      );
    } catch (err) {
      replace(listBox, h('p', { class: 'error pad', role: 'alert' }, errorText(err)));
    } finally {
      listBox.setAttribute('aria-busy', 'false');
    }
  }

  await load();
  const section = h(
    'section',
    { class: 'inbox', 'aria-label': t('tab.discussions') },
    h(
      'div',
      { class: 'inbox-bar' },
      h('div', { class: 'filters', role: 'group', 'aria-label': t('disc.filters') }, buttons),
      pill,
    ),
    listBox,
  );
  const reload = coalesce(load);
  listen(section, {
    onEvent: (e) => {
      if (e.contactId) reload();
    },
    onOpen: reload,
    onState: set,
  });
  return section;
}

// ---------------------------------------------------------------------------------------------
// "Pourquoi ?" drawer

function seconds(ms) {
  return new Intl.NumberFormat(currentLang() === 'en' ? 'en-GB' : 'fr-FR', {
    maximumFractionDigits: 1,
  }).format(ms / 1000);
}

/** The product(s) the customer named, with the catalogue's current price: where the price came from. */
async function productFacts(decision) {
  const mentions = decision.verdicts?.intent?.entities?.products ?? [];
  if (mentions.length === 0) return [];
  let catalogue = [];
  try {
    catalogue = (await api.products()).items;
  } catch {
    // The names alone still say which product.
  }
  return mentions.map((m) => {
    const product = catalogue.find((p) => p.id === m.productId);
    const price = product ? ` · ${money(product.price, product.currency)}` : '';
    return h('li', { 'data-product': m.productId }, h('strong', null, m.name), price);
  });
}

function waitReasons(decision) {
  return (decision.reasons ?? []).filter((r) => WAIT_REASON.test(r.code));
}

function waitFacts(decision) {
  const delayMs = decision.delayMs ?? 0;
  return [
    h('dt', null, t('disc.waited')),
    h(
      'dd',
      { 'data-testid': 'why-wait' },
      delayMs > 0
        ? t('disc.waitedFor', { s: seconds(delayMs), typing: seconds(decision.typingMs ?? 0) })
        : t('disc.noWait'),
    ),
  ];
}

async function openWhy(dialog, decisionId) {
  const body = dialog.querySelector('.drawer-body');
  replace(body, h('p', { class: 'muted' }, t('app.loading')));
  dialog.showModal();
  try {
    const d = await api.decision(decisionId);
    const products = await productFacts(d);
    const confidence = d.verdicts?.intent?.confidence;
    replace(
      body,
      h(
        'dl',
        { class: 'facts' },
        h('dt', null, t('disc.action')),
        h('dd', null, t(`action.${d.action}`)),
        h('dt', null, t('disc.intent')),
        h(
          'dd',
          { 'data-testid': 'why-intent' },
          d.intent ? t(`intent.${d.intent}`) : '—',
          typeof confidence === 'number'
            ? h('span', { class: 'muted' }, ` (${Math.round(confidence * 100)} %)`)
            : null,
        ),
        h('dt', null, t('disc.product')),
        h(
          'dd',
          { 'data-testid': 'why-product' },
          products.length > 0
            ? [h('ul', { class: 'plain' }, products), h('small', { class: 'muted' }, t('disc.priceSource'))]
            : t('disc.noProduct'),
        ),
        d.stage ? [h('dt', null, t('disc.stage')), h('dd', null, t(`stage.${d.stage}`))] : null,
        waitFacts(d),
      ),
      waitReasons(d).length > 0
        ? [
            h('h3', null, t('disc.whyWait')),
            h('div', { 'data-testid': 'why-wait-reasons' }, reasonList(waitReasons(d))),
          ]
        : null,
      h(
        'details',
        { class: 'all-reasons' },
        h('summary', null, t('disc.reasons'), ` (${(d.reasons ?? []).length})`),
        reasonList(d.reasons ?? []),
      ),
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

// ---------------------------------------------------------------------------------------------
// Thread

function tick(m) {
  if (m.status === 'failed') {
    return h(
      'span',
      { class: 'tick tick-failed', 'data-ticks': 'failed', role: 'img', 'aria-label': t('status.failed') },
      ' ⚠',
    );
  }
  return h(
    'span',
    {
      class: `tick tick-${m.status}`,
      'data-ticks': String(m.ticks),
      role: 'img',
      'aria-label': t(`status.${m.status}`),
      title: t(`status.${m.status}`),
    },
    ` ${TICK_GLYPHS[m.ticks] ?? ''}`,
  );
}

function bubble(m, drawer) {
  const out = m.direction === 'out';
  const author = m.sentBy === 'human' ? t('disc.you') : m.sentBy === 'bot' ? t('disc.bot') : null;
  return h(
    'li',
    { class: out ? `bubble out by-${m.sentBy}` : 'bubble in', 'data-message': m.id },
    author ? h('span', { class: 'bubble-author' }, author) : null,
    h('p', { class: 'bubble-text' }, m.text ?? `[${m.type}]`),
    h(
      'span',
      { class: 'bubble-meta' },
      when(m.createdAt),
      out ? tick(m) : null,
      out && m.sentBy === 'bot' && m.decision
        ? h(
            'button',
            { type: 'button', class: 'why', onclick: () => openWhy(drawer, m.decision.id) },
            t('disc.why'),
          )
        : null,
    ),
  );
}

function newKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return `dash_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

async function thread({ args, setTitle, session }) {
  const contactId = args[0];
  const canWrite = session?.user?.role !== 'viewer';
  const drawer = whyDrawer();
  const { pill, set } = livePill();
  const head = h('div', { class: 'thread-head' });
  const list = h('ol', { class: 'bubbles', 'data-testid': 'thread' });
  const status = h('p', { class: 'error', role: 'alert' });
  // The list is redrawn on each event: a screen reader hears only the new customer message, here.
  const announcer = h('p', { class: 'sr-only', role: 'status' });
  let contact = await api.contact(contactId);
  let shownIds = '';

  function renderHead() {
    const busy = (button, action) => async () => {
      button.disabled = true;
      status.textContent = '';
      try {
        contact = await action(contactId);
        renderHead();
        // The pressed button is gone: focus goes where the next step is (the reply, or take over).
        const next =
          contact.ownership === 'human'
            ? composer?.querySelector('textarea')
            : head.querySelector('[data-action]');
        next?.focus();
      } catch (err) {
        status.textContent = errorText(err);
        button.disabled = false;
      }
    };
    const take = h(
      'button',
      { type: 'button', class: 'primary', 'data-action': 'takeover' },
      t('disc.takeOver'),
    );
    take.addEventListener('click', busy(take, api.takeOver));
    const back = h('button', { type: 'button', 'data-action': 'handback' }, t('disc.handBack'));
    back.addEventListener('click', busy(back, api.handBack));
    replace(
      head,
      h('a', { class: 'back', href: '#/discussions' }, '← ', t('disc.back')),
      h(
        'div',
        { class: 'owner-line' },
        ownerBadge(contact.ownership),
        h(
          'span',
          { class: 'muted small', 'data-testid': 'owner-text' },
          t(`disc.owner.${contact.ownership}`),
        ),
        pill,
      ),
      canWrite
        ? h('div', { class: 'buttons owner-actions' }, contact.ownership === 'human' ? back : take)
        : null,
    );
    setTitle(contactName(contact));
    // "The bot pauses" is news only while the bot still answers.
    composer?.querySelector('.hint')?.toggleAttribute('hidden', contact.ownership === 'human');
  }

  async function loadThread() {
    const page = await api.conversationThread(contactId);
    const messages = [...page.items].reverse();
    const ids = messages.map((m) => `${m.id}:${m.status}`).join(',');
    if (ids === shownIds) return;
    const nearBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 80;
    const grew = messages.length > shownIds.split(',').filter(Boolean).length;
    const firstLoad = shownIds === '';
    shownIds = ids;
    const newest = messages.at(-1);
    if (!firstLoad && grew && newest?.direction === 'in')
      announcer.textContent = t('disc.newMessage', { name: contactName(contact), text: newest.text ?? '' });
    replace(
      list,
      messages.length === 0
        ? h('li', { class: 'empty' }, t('disc.noMessages'))
        : messages.map((m) => bubble(m, drawer)),
    );
    if (grew && nearBottom && list.isConnected) list.lastElementChild?.scrollIntoView({ block: 'end' });
  }

  const composer = canWrite
    ? composerForm(contactId, status, async () => {
        contact = await api.contact(contactId);
        renderHead();
        await loadThread();
      })
    : null;

  renderHead();
  await loadThread();
  const section = h('section', { class: 'thread' }, head, list, announcer, status, composer, drawer);
  const reloadThread = coalesce(loadThread);
  const reloadHead = coalesce(async () => {
    contact = await api.contact(contactId);
    renderHead();
  });
  listen(section, {
    onEvent: (e) => {
      if (e.contactId !== contactId) return;
      if (e.type.startsWith('message.')) reloadThread();
      else {
        reloadHead();
        reloadThread();
      }
    },
    onOpen: () => {
      reloadHead();
      reloadThread();
    },
    onState: set,
  });
  return section;
}

function composerForm(contactId, status, afterSend) {
  const text = h('textarea', {
    name: 'text',
    rows: '1',
    maxlength: '4096',
    required: true,
    autocomplete: 'off',
    enterkeyhint: 'send',
  });
  const send = h('button', { type: 'submit', class: 'primary' }, t('disc.send'));
  let key = newKey();
  let lastText = '';
  const form = h(
    'form',
    { class: 'composer', 'data-testid': 'composer', novalidate: true },
    field(t('disc.replyLabel'), text, t('disc.replyHint')),
    h('div', { class: 'buttons' }, send),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = text.value.trim();
    if (value === '') {
      status.textContent = t('disc.replyEmpty');
      text.focus();
      return;
    }
    // The same text sent again after a failure keeps its key: it goes out once.
    if (value !== lastText) key = newKey();
    lastText = value;
    send.disabled = true;
    status.textContent = '';
    try {
      await api.reply(contactId, value, key);
      text.value = '';
      lastText = '';
      key = newKey();
      await afterSend();
    } catch (err) {
      status.textContent = errorText(err);
    } finally {
      send.disabled = false;
      text.focus();
    }
  });
  return form;
}

export function render(ctx) {
  return ctx.args[0] ? thread(ctx) : inbox();
}
