/** Accepting an invite link (`#/invite/<token>`): choose an email and a password, then signed in. */

import { ApiFailure, api } from '../api.js';
import { field, h } from '../dom.js';
import { t } from '../i18n.js';

export function render({ token, onSignedIn }) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', {
    type: 'password',
    name: 'password',
    autocomplete: 'new-password',
    minlength: 10,
    required: true,
  });
  const message = h('p', { class: 'error', role: 'alert', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary wide' }, t('invite.submit'));
  return h(
    'div',
    { class: 'pad' },
    h(
      'form',
      {
        class: 'card narrow',
        onsubmit: async (event) => {
          event.preventDefault();
          message.textContent = '';
          submit.disabled = true;
          try {
            const session = await api.acceptInvite(token, email.value, password.value);
            history.replaceState(null, '', '/#/discussions');
            onSignedIn(session);
          } catch (err) {
            const code = err instanceof ApiFailure ? err.code : '';
            message.textContent =
              code === 'invite_invalid'
                ? t('invite.invalid')
                : code === 'validation_failed'
                  ? t('invite.short')
                  : code === 'conflict'
                    ? t('invite.taken')
                    : t('app.error');
          } finally {
            submit.disabled = false;
          }
        },
      },
      h('h2', null, t('invite.title')),
      h('p', { class: 'muted' }, t('invite.lead')),
      field(t('signin.email'), email),
      field(t('signin.password'), password),
      message,
      submit,
    ),
  );
}
