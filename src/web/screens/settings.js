/**
 * Réglages: the facts the bot may state (shop name, hours, away message, delivery zones and fees,
 * payment methods, pick-up), follow-ups on or off, when the bot takes a conversation back from a
 * quiet person, which events the seller is told about on WhatsApp, saved with PUT /playbook (which
 * replaces the whole playbook, so the fields this screen does not show are sent back as they were),
 * and the team for owners.
 */

import { ApiFailure, api } from '../api.js';
import { field, h, replace } from '../dom.js';
import { currencyDigits, currentLang, t } from '../i18n.js';

const METHODS = [
  'orange_money',
  'wave',
  'mtn_momo',
  'moov_money',
  'cash_on_delivery',
  'bank_transfer',
  'card',
];
const CURRENCY = 'XOF';
/** The auto-return choices (ms; null: never), as the playbook's handoff.autoReturnAfterMs. */
const RETURN_AFTER = [null, 30 * 60_000, 3_600_000, 2 * 3_600_000, 4 * 3_600_000, 24 * 3_600_000];
/** The events a seller may want on their phone (the others stay as they were saved). */
const NOTIFY_EVENTS = [
  'handoff.requested',
  'question.for_seller',
  'order.created',
  'channel.disconnected',
  'channel.paused',
  'contact.opted_out',
];

function afterLabel(ms) {
  if (ms === null) return t('set.returnNever');
  return ms < 3_600_000 ? t('set.afterMin', { n: ms / 60_000 }) : t('set.afterH', { n: ms / 3_600_000 });
}

function localized(value, lang) {
  const text = value?.[lang];
  return Array.isArray(text) ? (text[0] ?? '') : (text ?? '');
}

function slug(name, taken) {
  const base =
    name
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 32) || 'zone';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

function zoneRow(zone) {
  const digits = currencyDigits(CURRENCY);
  const name = h('input', {
    name: 'zone-name',
    value: zone?.name ?? '',
    maxlength: 80,
    'aria-label': t('set.zone'),
  });
  const fee = h('input', {
    name: 'zone-fee',
    inputmode: 'numeric',
    value: zone ? String(zone.fee / 10 ** digits) : '',
    'aria-label': t('set.fee'),
  });
  const delay = h('input', {
    name: 'zone-delay',
    value: zone?.delay ?? '',
    maxlength: 120,
    'aria-label': t('set.delay'),
  });
  const row = h(
    'li',
    { class: 'zone' },
    field(t('set.zone'), name),
    h('div', { class: 'inline' }, field(`${t('set.fee')} (F CFA)`, fee), field(t('set.delay'), delay)),
    h('button', { type: 'button', class: 'ghost small', onclick: () => row.remove() }, t('set.removeZone')),
  );
  row.read = () => ({
    name: name.value.trim(),
    fee: Math.round(Number(fee.value.replace(/\s/g, '').replace(',', '.') || 0) * 10 ** digits),
    delay: delay.value.trim(),
    aliases: zone?.aliases,
  });
  return row;
}

async function team(session) {
  if (session.user.role !== 'owner') return null;
  const { items } = await api.users();
  const out = h('div');
  return h(
    'fieldset',
    { class: 'card' },
    h('legend', null, t('set.team')),
    h(
      'ul',
      { class: 'plain' },
      items.map((u) => h('li', null, u.email, ' · ', h('span', { class: 'muted' }, t(`role.${u.role}`)))),
    ),
    h(
      'button',
      {
        type: 'button',
        onclick: async () => {
          const invite = await api.invite('agent');
          const url = `${location.origin}${invite.path}`;
          replace(
            out,
            h('p', { class: 'small' }, t('set.inviteLink')),
            h('input', { readonly: true, value: url, class: 'wide', 'aria-label': t('set.inviteLink') }),
          );
        },
      },
      t('set.invite'),
    ),
    out,
  );
}

export async function render({ session }) {
  const lang = currentLang();
  const playbook = await api.playbook();
  const canWrite = session.user.role === 'owner';
  const sellerName = h('input', { name: 'sellerName', maxlength: 200, value: playbook.sellerName ?? '' });
  const hours = h('input', { name: 'hours', maxlength: 300, value: localized(playbook.info?.hours, lang) });
  const away = h('textarea', { name: 'awayMessage', rows: 3, maxlength: 4096 }, playbook.awayMessage ?? '');
  const zones = h('ul', { class: 'plain zones' }, (playbook.delivery?.zones ?? []).map(zoneRow));
  const methods = new Set(playbook.payment?.methods ?? []);
  const details = playbook.payment?.details ?? {};
  const methodInputs = METHODS.map((m) => {
    const box = h('input', { type: 'checkbox', name: `pay-${m}`, checked: methods.has(m) });
    const detail = h('input', {
      name: `pay-detail-${m}`,
      value: details[m] ?? '',
      maxlength: 300,
      'aria-label': `${t(`pay.${m}`)} — ${t('set.paymentDetails')}`,
      placeholder: t('set.paymentDetails'),
    });
    return {
      m,
      box,
      detail,
      el: h('div', { class: 'method' }, h('label', { class: 'check' }, box, ' ', t(`pay.${m}`)), detail),
    };
  });
  const pickup = h('input', { name: 'pickup', maxlength: 300, value: playbook.pickup?.address ?? '' });
  const followups = h('input', {
    type: 'checkbox',
    name: 'followups',
    checked: (playbook.followupLadderMs ?? []).length > 0,
  });
  const currentReturn = playbook.handoff?.autoReturnAfterMs ?? null;
  const returnChoices = RETURN_AFTER.includes(currentReturn)
    ? RETURN_AFTER
    : [...RETURN_AFTER, currentReturn];
  const autoReturn = h(
    'select',
    { name: 'autoReturn' },
    returnChoices.map((ms) =>
      h('option', { value: ms === null ? '' : String(ms), selected: ms === currentReturn }, afterLabel(ms)),
    ),
  );
  const notifyTo = h('input', {
    name: 'notifyTo',
    type: 'tel',
    inputmode: 'tel',
    autocomplete: 'tel',
    placeholder: '+2250700000001',
    value: playbook.notifications?.to ?? '',
  });
  const notifyOn = new Set(playbook.notifications?.events ?? []);
  const notifyBoxes = NOTIFY_EVENTS.map((type) => ({
    type,
    box: h('input', { type: 'checkbox', name: `notify-${type}`, checked: notifyOn.has(type) }),
  }));
  const message = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary wide', disabled: !canWrite }, t('app.save'));

  async function save(event) {
    event.preventDefault();
    const { updatedAt: _updatedAt, ...body } = playbook;
    body.sellerName = sellerName.value.trim() || null;
    const info = { ...(playbook.info ?? {}) };
    const hoursText = hours.value.trim();
    const otherHours = { ...(info.hours ?? {}) };
    if (hoursText) otherHours[lang] = hoursText;
    else delete otherHours[lang];
    if (Object.keys(otherHours).length > 0) info.hours = otherHours;
    else delete info.hours;
    body.info = info;
    body.awayMessage = away.value.trim() || null;
    const taken = new Set();
    const zoneList = [...zones.children]
      .map((row) => row.read())
      .filter((z) => z.name)
      .map((z) => {
        const zone = { id: slug(z.name, taken), name: z.name, fee: z.fee };
        if (z.delay) zone.delay = z.delay;
        if (z.aliases?.length) zone.aliases = z.aliases;
        return zone;
      });
    body.delivery =
      zoneList.length > 0 || playbook.delivery?.default
        ? { ...(playbook.delivery ?? {}), zones: zoneList }
        : null;
    const chosen = methodInputs.filter((x) => x.box.checked);
    body.payment =
      chosen.length === 0
        ? null
        : {
            methods: chosen.map((x) => x.m),
            details: Object.fromEntries(
              chosen.filter((x) => x.detail.value.trim()).map((x) => [x.m, x.detail.value.trim()]),
            ),
          };
    body.pickup = pickup.value.trim() ? { ...(playbook.pickup ?? {}), address: pickup.value.trim() } : null;
    // Off is an empty ladder; back on, the saved ladder, else the server's default (field left out).
    if (!followups.checked) body.followupLadderMs = [];
    else if ((playbook.followupLadderMs ?? []).length === 0) delete body.followupLadderMs;
    body.handoff = { autoReturnAfterMs: autoReturn.value === '' ? null : Number(autoReturn.value) };
    const kept = (playbook.notifications?.events ?? []).filter((e) => !NOTIFY_EVENTS.includes(e));
    const events = [...kept, ...notifyBoxes.filter((x) => x.box.checked).map((x) => x.type)];
    const to = notifyTo.value.replace(/[\s().-]/g, '');
    if (to && events.length > 0) body.notifications = { to: to.startsWith('+') ? to : `+${to}`, events };
    else if (!to && events.length === 0) body.notifications = null;
    else {
      message.textContent = to ? t('set.notifyNoEvent') : t('set.notifyNoNumber');
      return;
    }
    submit.disabled = true;
    message.textContent = '';
    try {
      const saved = await api.savePlaybook(body);
      Object.assign(playbook, saved);
      message.textContent = t('app.saved');
    } catch (err) {
      message.textContent = err instanceof ApiFailure ? err.message : t('app.error');
    } finally {
      submit.disabled = false;
    }
  }

  return h(
    'div',
    { class: 'pad stack' },
    h(
      'form',
      { class: 'stack', onsubmit: save, 'data-testid': 'settings-form' },
      h(
        'fieldset',
        { class: 'card', disabled: !canWrite },
        h('legend', null, t('set.shop')),
        field(t('set.sellerName'), sellerName),
        field(t('set.hours'), hours, t('set.hoursHint')),
        field(t('set.away'), away, t('set.awayWhen')),
      ),
      h(
        'fieldset',
        { class: 'card', disabled: !canWrite },
        h('legend', null, t('set.delivery')),
        zones,
        h(
          'button',
          { type: 'button', class: 'ghost', onclick: () => zones.append(zoneRow(null)) },
          '+ ',
          t('set.addZone'),
        ),
      ),
      h(
        'fieldset',
        { class: 'card', disabled: !canWrite },
        h('legend', null, t('set.payment')),
        methodInputs.map((x) => x.el),
      ),
      h(
        'fieldset',
        { class: 'card', disabled: !canWrite },
        h('legend', null, t('set.pickup')),
        field(t('set.pickupAddress'), pickup),
      ),
      h(
        'fieldset',
        { class: 'card', disabled: !canWrite },
        h('legend', null, t('set.followHandoff')),
        h('label', { class: 'check' }, followups, ' ', t('set.followups')),
        h('p', { class: 'muted small hint' }, t('set.followupsHint')),
        field(t('set.autoReturn'), autoReturn, t('set.autoReturnHint')),
      ),
      h(
        'fieldset',
        { class: 'card', disabled: !canWrite, 'data-testid': 'notifications' },
        h('legend', null, t('set.notifications')),
        field(t('set.notifyTo'), notifyTo, t('set.notifyToHint')),
        notifyBoxes.map((x) => h('label', { class: 'check' }, x.box, ' ', t(`set.event.${x.type}`))),
      ),
      message,
      submit,
    ),
    await team(session),
  );
}
