/**
 * Catalogue: the products with price and stock; add, edit (name, price, stock, other names) and
 * mark out of stock in one tap. Prices are typed in the currency's units and sent in minor units.
 */

import { ApiFailure, api } from '../api.js';
import { field, h, icon, replace } from '../dom.js';
import { currencyDigits, money, t } from '../i18n.js';

function stockLabel(p) {
  if (p.stock === null) return h('span', { class: 'muted small' }, t('cat.untracked'));
  if (p.stock === 0) return h('span', { class: 'chip chip-cancelled' }, t('cat.outOfStock'));
  return h('span', { class: 'muted small' }, t('cat.inStock', { n: p.stock }));
}

function toMinor(text, currency) {
  const value = Number(String(text).replace(/\s/g, '').replace(',', '.'));
  return Math.round(value * 10 ** currencyDigits(currency));
}

function fromMinor(minor, currency) {
  return String(minor / 10 ** currencyDigits(currency));
}

function form(product, { onDone }) {
  const currency = product?.currency ?? 'XOF';
  const name = h('input', { name: 'name', required: true, maxlength: 120, value: product?.name ?? '' });
  const price = h('input', {
    name: 'price',
    required: true,
    inputmode: 'decimal',
    pattern: '[0-9 ]+([.,][0-9]+)?',
    value: product ? fromMinor(product.price, currency) : '',
  });
  const cur = h('input', {
    name: 'currency',
    required: true,
    maxlength: 3,
    pattern: '[A-Za-z]{3}',
    value: currency,
    class: 'short',
  });
  const stock = h('input', {
    name: 'stock',
    type: 'number',
    min: 0,
    inputmode: 'numeric',
    value: product?.stock ?? '',
  });
  const aliases = h('input', { name: 'aliases', value: (product?.aliases ?? []).join(', ') });
  const message = h('p', { class: 'error', role: 'alert', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('app.save'));
  return h(
    'form',
    {
      class: 'card',
      'data-testid': 'product-form',
      onsubmit: async (event) => {
        event.preventDefault();
        const body = {
          name: name.value.trim(),
          price: toMinor(price.value, cur.value),
          currency: cur.value.toUpperCase(),
          stock: stock.value === '' ? null : Number(stock.value),
          aliases: aliases.value
            .split(',')
            .map((a) => a.trim())
            .filter(Boolean),
        };
        if (!Number.isFinite(body.price) || body.price < 0) {
          message.textContent = t('app.error');
          return;
        }
        submit.disabled = true;
        try {
          if (product) await api.updateProduct(product.id, body);
          else await api.createProduct(body);
          onDone();
        } catch (err) {
          message.textContent = err instanceof ApiFailure ? err.message : t('app.error');
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('h2', null, product ? t('cat.edit') : t('cat.add')),
    field(t('cat.name'), name),
    h('div', { class: 'inline' }, field(t('cat.price'), price), field(t('cat.currency'), cur)),
    field(t('cat.stock'), stock, t('cat.stockHint')),
    field(t('cat.aliases'), aliases, t('cat.aliasesHint')),
    message,
    h(
      'div',
      { class: 'buttons' },
      h('button', { type: 'button', class: 'ghost', onclick: onDone }, t('app.cancel')),
      submit,
    ),
  );
}

export async function render({ session }) {
  const canWrite = session.user.role !== 'viewer';
  const root = h('section', { class: 'catalogue' });
  async function load() {
    const { items } = await api.products();
    const editor = h('div');
    const close = () => load().catch(() => {});
    const rows = items.map((p) =>
      h(
        'li',
        { class: 'row', 'data-product': p.id },
        h('div', { class: 'row-main' }, h('strong', null, p.name), stockLabel(p)),
        h(
          'div',
          { class: 'row-side' },
          h('strong', { class: 'amount' }, money(p.price, p.currency)),
          canWrite
            ? h(
                'div',
                { class: 'buttons' },
                p.stock !== 0
                  ? h(
                      'button',
                      {
                        type: 'button',
                        class: 'ghost small',
                        onclick: async () => {
                          await api.updateProduct(p.id, { stock: 0 });
                          close();
                        },
                      },
                      t('cat.markOut'),
                    )
                  : null,
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'small',
                    'aria-label': `${t('cat.edit')} : ${p.name}`,
                    onclick: () => {
                      replace(editor, form(p, { onDone: close }));
                      editor.querySelector('input')?.focus();
                    },
                  },
                  icon('edit'),
                ),
              )
            : null,
        ),
      ),
    );
    replace(
      root,
      canWrite
        ? h(
            'div',
            { class: 'pad' },
            h(
              'button',
              {
                type: 'button',
                class: 'primary wide',
                onclick: () => {
                  replace(editor, form(null, { onDone: close }));
                  editor.querySelector('input')?.focus();
                },
              },
              '+ ',
              t('cat.add'),
            ),
          )
        : null,
      editor,
      items.length === 0
        ? h('p', { class: 'empty pad' }, t('cat.empty'))
        : h('ul', { class: 'list', 'data-testid': 'products' }, rows),
    );
  }
  await load();
  return root;
}
