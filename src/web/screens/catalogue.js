/**
 * Catalogue: the products with price and stock; add, edit (name, price, stock, other names,
 * variants such as sizes or colours) and mark out of stock, or back in stock, in one tap. Prices
 * are typed in the currency's units and sent in minor units. Variants are typed one per line,
 * "Taille : 38, 39, 40"; the name becomes the API's key (`taille`).
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

/** "Taille : 38, 39" → ["taille", ["38", "39"]]; the key the API accepts (a-z, 0-9, _). */
function variantKey(name) {
  const key = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+|_+$/g, '')
    .slice(0, 30);
  return key || null;
}

/** The textarea's lines as the API's variants object; a line without ":" or values is an error. */
export function parseVariants(text) {
  const variants = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.indexOf(':');
    const key = at > 0 ? variantKey(line.slice(0, at)) : null;
    const values =
      at > 0
        ? [
            ...new Set(
              line
                .slice(at + 1)
                .split(',')
                .map((v) => v.trim())
                .filter(Boolean),
            ),
          ]
        : [];
    if (key === null || values.length === 0) return { error: line };
    variants[key] = values;
  }
  return { variants };
}

function variantsText(variants) {
  return Object.entries(variants ?? {})
    .map(([name, values]) => `${name} : ${values.join(', ')}`)
    .join('\n');
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
  const variants = h('textarea', { name: 'variants', rows: 2 }, variantsText(product?.variants));
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
        const parsed = parseVariants(variants.value);
        if (parsed.error !== undefined) {
          message.textContent = t('cat.variantsInvalid', { line: parsed.error });
          return;
        }
        body.variants = parsed.variants;
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
    field(t('cat.variants'), variants, t('cat.variantsHint')),
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
        h(
          'div',
          { class: 'row-main' },
          h('strong', null, p.name),
          stockLabel(p),
          Object.keys(p.variants ?? {}).length > 0
            ? h('span', { class: 'muted small variants' }, variantsText(p.variants).replaceAll('\n', ' · '))
            : null,
        ),
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
                  : h(
                      'button',
                      {
                        type: 'button',
                        class: 'ghost small',
                        // Back in stock: how many is the seller's to say, so the form opens on Stock.
                        onclick: () => {
                          replace(editor, form(p, { onDone: close }));
                          editor.querySelector('input[name="stock"]')?.focus();
                        },
                      },
                      t('cat.markIn'),
                    ),
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
