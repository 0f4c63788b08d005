/** Sign-in: email and password; the errors say what to do, never which of the two was wrong. */

import { ApiFailure, api } from '../api.js';
import { field, h } from '../dom.js';
import { t } from '../i18n.js';

export function render({ onSignedIn }) {
  const email = h('input', {
    type: 'email',
    name: 'email',
    autocomplete: 'username',
    required: true,
    inputmode: 'email',
  });
  const password = h('input', {
    type: 'password',
    name: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const message = h('p', { class: 'error', role: 'alert', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary wide' }, t('signin.submit'));
  const form = h(
    'form',
    {
      class: 'card narrow',
      onsubmit: async (event) => {
        event.preventDefault();
        message.textContent = '';
        submit.disabled = true;
        try {
          onSignedIn(await api.signIn(email.value, password.value));
        } catch (err) {
          message.textContent =
            err instanceof ApiFailure && err.code === 'login_rate_limited'
              ? t('signin.throttled', { s: err.retryAfterS || 60 })
              : err instanceof ApiFailure && err.code === 'invalid_credentials'
                ? t('signin.invalid')
                : t('app.error');
          password.value = '';
          password.focus();
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('h2', null, t('signin.title')),
    field(t('signin.email'), email),
    field(t('signin.password'), password),
    message,
    submit,
  );
  queueMicrotask(() => email.focus());
  return h('div', { class: 'pad' }, form);
}
