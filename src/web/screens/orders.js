/**
 * Commandes: the orders captured from conversations, newest first, each with its three states as
 * chips (order, payment, delivery). One order (#/commandes/<id>) shows its lines, what was paid and
 * what is left, and the seller's moves: record a payment (part of the total too: amount, method,
 * reference), mark it delivered, cancel it (the server gives the stock back). The orders API sends
 * nothing to the customer, so "Prévenir le client" opens the conversation to write to them.
 */

import { ApiFailure, api } from '../api.js';
import { field, h, replace } from '../dom.js';
import { currencyDigits, money, t, when } from '../i18n.js';
import { coalesce, listen } from '../live.js';

const METHODS = [
  'orange_money',
  'wave',
  'mtn_momo',
  'moov_money',
  'cash_on_delivery',
  'bank_transfer',
  'card',
];

function chip(kind, value) {
  return h(
    'span',
    { class: `chip chip-${value}`, 'data-axis': kind, 'data-value': value },
    t(`${kind}.${value}`),
  );
}

/** The three axes: order, payment, delivery. */
function chips(order) {
  return h(
    'span',
    { class: 'chips' },
    chip('order', order.status),
    chip('payment', order.paymentStatus),
    order.status === 'cancelled' ? null : chip('fulfilment', order.fulfilmentStatus),
  );
}

function lines(order) {
  return order.items
    .map((line) => {
      const variant = line.variant ? ` (${Object.values(line.variant).join(', ')})` : '';
      return `${line.quantity} × ${line.name}${variant}`;
    })
    .join(', ');
}

function failureText(err) {
  if (err instanceof ApiFailure && err.code === 'offline') return t('app.offline');
  return err instanceof ApiFailure ? err.message : t('app.error');
}

/** The list, live: an order taken in a chat or changed elsewhere shows up without a reload. */
async function list() {
  const root = h('section', { class: 'orders' });
  let shown = '';
  // Redraws only what changed, so a click never lands on a list that is being replaced.
  const load = async () => {
    const { items } = await api.orders();
    const json = JSON.stringify(items);
    if (json === shown) return;
    shown = json;
    replace(root, [listView(items)]);
  };
  await load();
  const reload = coalesce(load);
  listen(root, {
    onEvent: (e) => {
      if (e.type.startsWith('order.')) reload();
    },
  });
  return root;
}

function listView(items) {
  if (items.length === 0) return h('p', { class: 'empty pad' }, t('orders.empty'));
  return h(
    'ul',
    { class: 'list', 'data-testid': 'orders' },
    items.map((order) => {
      const count = order.items.reduce((n, line) => n + line.quantity, 0);
      return h(
        'li',
        { 'data-order': order.id },
        h(
          'a',
          { class: 'row link', href: `#/commandes/${encodeURIComponent(order.id)}` },
          h(
            'div',
            { class: 'row-main' },
            h('strong', null, lines(order)),
            h(
              'span',
              { class: 'muted small' },
              t('orders.items', { n: count }),
              ' · ',
              when(order.createdAt),
            ),
            chips(order),
          ),
          h(
            'div',
            { class: 'row-side' },
            h('strong', { class: 'amount' }, money(order.total, order.currency)),
          ),
        ),
      );
    }),
  );
}

function paymentForm(order, { onDone, canWrite }) {
  const digits = currencyDigits(order.currency);
  const left = order.total - order.amountPaid;
  const amount = h('input', {
    name: 'amount',
    inputmode: 'decimal',
    required: true,
    pattern: '[0-9 ]+([.,][0-9]+)?',
    value: String(left / 10 ** digits),
  });
  const method = h(
    'select',
    { name: 'method' },
    METHODS.map((m) => h('option', { value: m, selected: m === order.paymentMethod }, t(`pay.${m}`))),
  );
  const reference = h('input', { name: 'reference', maxlength: 200, autocomplete: 'off' });
  const error = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('ord.recordPayment'));
  return h(
    'form',
    {
      class: 'card',
      'data-testid': 'payment-form',
      onsubmit: async (event) => {
        event.preventDefault();
        const minor = Math.round(Number(amount.value.replace(/\s/g, '').replace(',', '.')) * 10 ** digits);
        if (!Number.isFinite(minor) || minor <= 0) {
          error.textContent = t('ord.amountInvalid');
          return;
        }
        if (minor > left) {
          error.textContent = t('ord.amountTooHigh', { left: money(left, order.currency) });
          return;
        }
        submit.disabled = true;
        error.textContent = '';
        try {
          const body = { amount: minor, method: method.value };
          if (reference.value.trim()) body.reference = reference.value.trim();
          await api.recordPayment(order.id, body);
          onDone();
        } catch (err) {
          error.textContent = failureText(err);
          submit.disabled = false;
        }
      },
    },
    h(
      'fieldset',
      { disabled: !canWrite, class: 'bare' },
      h('legend', null, t('ord.newPayment')),
      h(
        'div',
        { class: 'inline' },
        field(`${t('ord.amount')} (${order.currency === 'XOF' ? 'F CFA' : order.currency})`, amount),
        field(t('ord.method'), method),
      ),
      field(t('ord.reference'), reference, t('ord.referenceHint')),
      error,
      h('div', { class: 'buttons' }, submit),
    ),
  );
}

async function detail({ args, setTitle, session }) {
  const canWrite = session.user.role !== 'viewer';
  const root = h('section', { class: 'order', 'data-testid': 'order' });
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const error = h('p', { class: 'error', role: 'alert' });

  let shown = '';
  async function load(note, fetched) {
    const order = fetched ?? (await api.order(args[0]));
    shown = JSON.stringify(order);
    setTitle(t('ord.title'));
    const left = order.total - order.amountPaid;
    const open = order.status !== 'cancelled' && order.status !== 'completed';

    async function move(change, doneKey) {
      error.textContent = '';
      try {
        await api.changeOrder(order.id, change);
        await load(t(doneKey));
      } catch (err) {
        error.textContent = failureText(err);
      }
    }

    const confirmCancel = h(
      'div',
      { class: 'card warn-card', hidden: true, 'data-testid': 'cancel-confirm' },
      h('p', null, order.stockTaken ? t('ord.cancelAsk') : t('ord.cancelAskNoStock')),
      h(
        'div',
        { class: 'buttons' },
        h(
          'button',
          { type: 'button', class: 'ghost', onclick: () => (confirmCancel.hidden = true) },
          t('ord.keep'),
        ),
        h(
          'button',
          { type: 'button', class: 'danger', onclick: () => move({ status: 'cancelled' }, 'ord.cancelled') },
          t('ord.cancelYes'),
        ),
      ),
    );

    const actions = [];
    if (canWrite && open && order.fulfilmentStatus !== 'delivered' && order.fulfilmentStatus !== 'returned')
      actions.push(
        h(
          'button',
          {
            type: 'button',
            class: 'primary',
            onclick: () => move({ fulfilmentStatus: 'delivered' }, 'ord.delivered'),
          },
          t('ord.markDelivered'),
        ),
      );
    if (
      canWrite &&
      order.status === 'confirmed' &&
      order.paymentStatus === 'paid' &&
      order.fulfilmentStatus === 'delivered'
    )
      actions.push(
        h(
          'button',
          { type: 'button', class: 'primary', onclick: () => move({ status: 'completed' }, 'ord.completed') },
          t('ord.complete'),
        ),
      );
    if (canWrite && order.status === 'pending')
      actions.push(
        h(
          'button',
          { type: 'button', onclick: () => move({ status: 'confirmed' }, 'ord.confirmed') },
          t('ord.confirm'),
        ),
      );
    if (canWrite && open)
      actions.push(
        h(
          'button',
          { type: 'button', class: 'ghost danger-text', onclick: () => (confirmCancel.hidden = false) },
          t('ord.cancel'),
        ),
      );

    replace(
      root,
      h('a', { class: 'back', href: '#/commandes' }, '← ', t('tab.orders')),
      h(
        'div',
        { class: 'pad stack' },
        h(
          'div',
          { class: 'card' },
          chips(order),
          h(
            'ul',
            { class: 'plain order-lines' },
            order.items.map((line) =>
              h(
                'li',
                null,
                h('span', null, lines({ items: [line] })),
                h('span', { class: 'amount' }, money(line.unitPrice * line.quantity, order.currency)),
              ),
            ),
            order.deliveryFee > 0 || order.delivery
              ? h(
                  'li',
                  null,
                  h(
                    'span',
                    null,
                    t('ord.delivery'),
                    order.delivery?.zoneName ? ` · ${order.delivery.zoneName}` : '',
                  ),
                  h('span', { class: 'amount' }, money(order.deliveryFee, order.currency)),
                )
              : null,
            h(
              'li',
              { class: 'total' },
              h('strong', null, t('ord.total')),
              h(
                'strong',
                { class: 'amount', 'data-testid': 'order-total' },
                money(order.total, order.currency),
              ),
            ),
            h(
              'li',
              null,
              h('span', null, t('ord.paid')),
              h(
                'span',
                { class: 'amount', 'data-testid': 'order-paid' },
                money(order.amountPaid, order.currency),
              ),
            ),
            order.status !== 'cancelled' && left > 0
              ? h(
                  'li',
                  null,
                  h('span', null, t('ord.left')),
                  h('strong', { class: 'amount', 'data-testid': 'order-left' }, money(left, order.currency)),
                )
              : null,
          ),
          order.delivery?.address
            ? h('p', { class: 'small' }, t('ord.address', { x: order.delivery.address }))
            : null,
          order.paymentMethod
            ? h('p', { class: 'small' }, t('ord.saidPay', { x: t(`pay.${order.paymentMethod}`) }))
            : null,
          h('p', { class: 'muted small' }, when(order.createdAt)),
        ),
        (order.payments ?? []).length > 0
          ? h(
              'div',
              { class: 'card' },
              h('h2', null, t('ord.payments')),
              h(
                'ul',
                { class: 'plain order-lines', 'data-testid': 'payments' },
                order.payments.map((p) =>
                  h(
                    'li',
                    null,
                    h(
                      'span',
                      null,
                      t(`pay.${p.method}`),
                      p.reference ? h('span', { class: 'muted small' }, ` · ${p.reference}`) : null,
                      h('span', { class: 'muted small' }, ` · ${when(p.paidAt)}`),
                    ),
                    h('span', { class: 'amount' }, money(p.amount, order.currency)),
                  ),
                ),
              ),
            )
          : null,
        status,
        error,
        actions.length > 0 ? h('div', { class: 'buttons start' }, actions) : null,
        confirmCancel,
        canWrite && order.status !== 'cancelled' && left > 0
          ? paymentForm(order, { canWrite, onDone: () => load(t('ord.paymentRecorded')).catch(() => {}) })
          : null,
        h(
          'a',
          { class: 'button-link', href: `#/discussions/${encodeURIComponent(order.contactId)}` },
          t('ord.notify'),
        ),
        h('p', { class: 'muted small' }, t('ord.notifyHint')),
      ),
    );
    status.textContent = note ?? '';
  }

  await load();
  // Live, but never under the seller's fingers: a change made elsewhere (a payment recorded by a
  // colleague, the customer's confirmation) reloads the order unless a field is being filled in.
  const busy = () =>
    root.contains(document.activeElement) && document.activeElement?.matches('input, select, textarea');
  const reload = coalesce(async () => {
    if (busy()) return;
    const order = await api.order(args[0]);
    // The seller's own move has already redrawn the order: only a change made elsewhere redraws.
    if (JSON.stringify(order) !== shown && !busy()) await load(undefined, order);
  });
  listen(root, {
    onEvent: (e) => {
      if (e.type.startsWith('order.') && (e.subjectId === args[0] || e.data?.orderId === args[0])) reload();
    },
  });
  return root;
}

export async function render(ctx) {
  return ctx.args[0] ? detail(ctx) : list();
}
