/** Commandes: the orders captured from conversations, newest first, with their state as a chip. */

import { api } from '../api.js';
import { h } from '../dom.js';
import { money, t, when } from '../i18n.js';

function chip(kind, value) {
  return h('span', { class: `chip chip-${value}` }, t(`${kind}.${value}`));
}

export async function render() {
  const { items } = await api.orders();
  if (items.length === 0) return h('p', { class: 'empty pad' }, t('orders.empty'));
  return h(
    'ul',
    { class: 'list', 'data-testid': 'orders' },
    items.map((order) => {
      const count = order.items.reduce((n, line) => n + line.quantity, 0);
      return h(
        'li',
        { class: 'row' },
        h(
          'div',
          { class: 'row-main' },
          h('strong', null, order.items.map((line) => `${line.quantity} × ${line.name}`).join(', ')),
          h('span', { class: 'muted small' }, t('orders.items', { n: count }), ' · ', when(order.createdAt)),
        ),
        h(
          'div',
          { class: 'row-side' },
          h('strong', { class: 'amount' }, money(order.total, order.currency)),
          chip('order', order.status),
          // The payment axis, once the orders API returns it.
          order.paymentStatus ? chip('payment', order.paymentStatus) : null,
        ),
      );
    }),
  );
}
