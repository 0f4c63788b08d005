/**
 * Mon numéro: each channel's state in plain words (Connecté / Connexion… / Déconnecté / En pause
 * pour protéger le numéro), with the reasons in the seller's words (reasons.js) and when sending
 * resumes; and how to connect it:
 *
 * - Evolution and WAHA numbers through the pairing API: the QR image the gateway renders (PNG data
 *   from the API), replaced by the newer one when it changes (a countdown says when the screen asks
 *   again), or a pairing code typed on the phone; "Réessayer" after the gateway gave up. While a
 *   pairing is under way the state is read every POLL_S seconds (the gateway's webhooks move it).
 * - Cloud API numbers: the credentials form (write-only: the server never sends them back).
 */

import { ApiFailure, api } from '../api.js';
import { field, h, replace } from '../dom.js';
import { dateTime, t } from '../i18n.js';
import { coalesce, listen } from '../live.js';
import { reasonList } from '../reasons.js';

/** The plain-words state of a channel (GET /channels/{id}, health included). */
export function channelState(channel) {
  if (channel.paused || channel.health?.paused || channel.status === 'paused') return 'paused';
  const status = String(channel.status);
  if (['connecting', 'pairing', 'starting', 'qr', 'scan_qr_code'].includes(status)) return 'connecting';
  if (['disconnected', 'logged_out', 'released', 'failed', 'stopped'].includes(status)) return 'disconnected';
  if (channel.transport !== 'sandbox' && !channel.hasCredentials) return 'disconnected';
  return 'connected';
}

/** The plain-words state of a gateway channel from its pairing (GET /channels/{id}/pairing). */
export function pairingWords(channel, pairing) {
  if (channel.paused || channel.health?.paused) return 'paused';
  if (pairing === null) return channelState(channel);
  if (pairing.state === 'connected') return 'connected';
  if (pairing.state === 'connecting' || pairing.state === 'qr') return 'connecting';
  return 'disconnected';
}

const DOT = { connected: 'ok', connecting: 'wait', disconnected: 'off', paused: 'warn' };
const GATEWAYS = ['evolution', 'waha'];
/** Seconds between two reads of the pairing state while it is under way. */
const POLL_S = 2;
/** Seconds a QR is shown before the screen asks for the current one (WAHA renews every 20 s). */
const QR_REFRESH_S = 20;

function message(err) {
  if (err instanceof ApiFailure && err.code === 'offline') return t('app.offline');
  if (err instanceof ApiFailure && err.code === 'gateway_error') return t('num.gatewayError');
  return err instanceof ApiFailure ? err.message : t('app.error');
}

function stateLine(state) {
  return h(
    'p',
    { class: `state state-${DOT[state]}`, 'data-state': state },
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    t(`num.${state}`),
  );
}

function healthLines(channel, state) {
  if (state !== 'paused') return null;
  const reasons = channel.health?.reasons ?? [];
  const resumeAt = channel.health?.retryAt ?? channel.health?.timelockUntil;
  return [
    reasons.length > 0
      ? h(
          'div',
          { class: 'small', 'data-testid': 'health-reasons' },
          h('strong', null, t('num.why')),
          reasonList(reasons),
        )
      : null,
    resumeAt ? h('p', { class: 'small' }, t('num.resumes', { when: dateTime(resumeAt) })) : null,
  ];
}

/** The pairing panel of an Evolution or WAHA channel; keeps itself up to date while it is shown. */
function gatewayCard(channel, initial, canWrite) {
  let pairing = initial;
  let qr = null;
  let code = null;
  let qrLeftS = QR_REFRESH_S;
  let timer = null;
  let busy = false;
  // The code form survives the redraws a new QR causes: open or not, and what was typed.
  let codeOpen = false;
  let phoneTyped = '';
  const card = h('li', { class: 'card', 'data-channel': channel.id });
  const error = h('p', { class: 'error', role: 'alert' });
  const live = h('p', { class: 'muted small', 'aria-live': 'polite' });

  const underWay = () => pairing !== null && (pairing.state === 'connecting' || pairing.state === 'qr');

  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
  }

  function take(result) {
    pairing = result;
    if (result.qr !== undefined) {
      qr = result.qr;
      qrLeftS = QR_REFRESH_S;
    }
    if (result.pairingCode) code = result.pairingCode;
    if (!underWay()) {
      qr = null;
      code = null;
    }
  }

  async function run(action) {
    if (busy) return;
    busy = true;
    error.textContent = '';
    try {
      take(await action());
    } catch (err) {
      error.textContent = message(err);
      try {
        pairing = await api.pairing(channel.id);
      } catch {
        // The state stays as last read.
      }
    } finally {
      busy = false;
      draw();
    }
  }

  async function tick() {
    if (!card.isConnected) {
      stop();
      return;
    }
    if (busy) return;
    qrLeftS -= 1;
    try {
      if (pairing?.state === 'qr' && (qr === null || qrLeftS <= 0)) {
        take(await api.pairingQr(channel.id));
        draw();
        return;
      }
      if (qrLeftS % POLL_S === 0) {
        const next = await api.pairing(channel.id);
        const changed = next.state !== pairing?.state || next.qrCount !== pairing?.qrCount;
        take(next);
        if (changed) qrLeftS = 0;
        draw();
        return;
      }
    } catch (err) {
      // pairing_not_ready: the gateway is between two QR codes; the next tick asks again.
      if (!(err instanceof ApiFailure && err.code === 'pairing_not_ready')) error.textContent = message(err);
    }
    live.textContent = qr && pairing?.state === 'qr' ? t('num.qrRenews', { s: Math.max(qrLeftS, 0) }) : '';
  }

  function codeForm() {
    const phone = h('input', {
      name: 'phone',
      type: 'tel',
      inputmode: 'tel',
      autocomplete: 'tel',
      required: true,
      placeholder: '+225 07 00 00 00 00',
      value: phoneTyped,
      oninput: (event) => {
        phoneTyped = event.target.value;
      },
    });
    return h(
      'form',
      {
        class: 'pair-code-form',
        'data-testid': 'pairing-code-form',
        onsubmit: (event) => {
          event.preventDefault();
          const number = phone.value.trim();
          run(() =>
            underWay() ? api.pairingCode(channel.id, number) : api.startPairing(channel.id, number),
          );
        },
      },
      field(t('num.codePhone'), phone, t('num.codePhoneHint')),
      h('button', { type: 'submit' }, t('num.getCode')),
    );
  }

  function codeDetails() {
    return h(
      'details',
      {
        open: codeOpen,
        ontoggle: (event) => {
          codeOpen = event.target.open;
        },
      },
      h('summary', null, t('num.useCode')),
      codeForm(),
    );
  }

  function draw() {
    const state = pairingWords(channel, pairing);
    const failed = pairing?.state === 'failed';
    const reason = pairing?.reason;
    const parts = [
      h(
        'h2',
        { class: 'channel-name' },
        channel.name,
        h('span', { class: 'muted small' }, ` · ${t(`num.transport.${channel.transport}`)}`),
      ),
      stateLine(state),
      healthLines(channel, state),
      reason && (failed || pairing?.state === 'disconnected')
        ? h('p', { class: 'small', 'data-testid': 'pairing-reason' }, t(`num.reason.${reason}`))
        : null,
    ];
    if (canWrite && channel.hasCredentials) {
      if (underWay()) {
        parts.push(
          h(
            'div',
            { class: 'pairing', 'data-testid': 'pairing' },
            h('p', { class: 'small' }, t('num.scanHow')),
            qr?.pngDataUrl
              ? h('img', {
                  class: 'qr',
                  src: qr.pngDataUrl,
                  alt: t('num.qrAlt'),
                  width: 240,
                  height: 240,
                  'data-testid': 'qr',
                })
              : qr
                ? h('p', { class: 'qr-raw small', 'data-testid': 'qr' }, qr.raw)
                : h('p', { class: 'muted' }, t('num.qrWaiting')),
            live,
            code
              ? h(
                  'p',
                  { class: 'pair-code' },
                  t('num.codeIs'),
                  ' ',
                  h('strong', { 'data-testid': 'pairing-code' }, code),
                )
              : null,
            codeDetails(),
          ),
        );
      } else if (state !== 'connected') {
        parts.push(
          h(
            'div',
            { class: 'buttons start' },
            failed
              ? h(
                  'button',
                  {
                    type: 'button',
                    class: 'primary',
                    onclick: () => run(() => api.restartPairing(channel.id)),
                  },
                  t('app.retry'),
                )
              : h(
                  'button',
                  {
                    type: 'button',
                    class: 'primary',
                    onclick: () => run(() => api.startPairing(channel.id)),
                  },
                  t('num.connectQr'),
                ),
          ),
          codeDetails(),
        );
      } else {
        parts.push(
          h(
            'div',
            { class: 'buttons start' },
            h(
              'button',
              {
                type: 'button',
                class: 'ghost small',
                onclick: () => run(() => api.logoutPairing(channel.id)),
              },
              t('num.logout'),
            ),
          ),
        );
      }
    } else if (!channel.hasCredentials) {
      parts.push(h('p', { class: 'muted small' }, t('num.noGateway')));
    }
    parts.push(error);
    replace(card, parts);
    if (underWay() && timer === null) timer = setInterval(tick, 1000);
    if (!underWay()) stop();
    // A QR screen opened after a reload has the state but not the image: ask for it now.
    if (pairing?.state === 'qr' && qr === null && !busy) qrLeftS = 0;
  }

  draw();
  return card;
}

/** Cloud API: the number's credentials (write-only) and its state. */
function cloudCard(channel, canWrite) {
  const state = channelState(channel);
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const inputs = {
    phoneNumberId: h('input', {
      name: 'phoneNumberId',
      inputmode: 'numeric',
      pattern: '[0-9]+',
      required: true,
    }),
    accessToken: h('input', { name: 'accessToken', type: 'password', autocomplete: 'off', required: true }),
    appSecret: h('input', {
      name: 'appSecret',
      type: 'password',
      autocomplete: 'off',
      minlength: 16,
      required: true,
    }),
    verifyToken: h('input', { name: 'verifyToken', autocomplete: 'off', minlength: 16, required: true }),
  };
  const submit = h('button', { type: 'submit', class: 'primary' }, t('app.save'));
  const form = h(
    'form',
    {
      'data-testid': 'cloud-form',
      onsubmit: async (event) => {
        event.preventDefault();
        submit.disabled = true;
        status.textContent = '';
        try {
          const body = Object.fromEntries(Object.entries(inputs).map(([k, el]) => [k, el.value.trim()]));
          await api.updateChannel(channel.id, body);
          for (const el of Object.values(inputs)) el.value = '';
          status.textContent = t('num.cloudSaved');
        } catch (err) {
          status.textContent = message(err);
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('p', { class: 'small muted' }, channel.hasCredentials ? t('num.cloudStored') : t('num.cloudLead')),
    field(t('num.phoneNumberId'), inputs.phoneNumberId),
    field(t('num.accessToken'), inputs.accessToken),
    field(t('num.appSecret'), inputs.appSecret),
    field(t('num.verifyToken'), inputs.verifyToken, t('num.secretHint')),
    status,
    h('div', { class: 'buttons' }, submit),
  );
  return h(
    'li',
    { class: 'card', 'data-channel': channel.id },
    h(
      'h2',
      { class: 'channel-name' },
      channel.name,
      h('span', { class: 'muted small' }, ` · ${t('num.transport.cloud')}`),
    ),
    stateLine(state),
    healthLines(channel, state),
    canWrite
      ? h('details', { open: !channel.hasCredentials }, h('summary', null, t('num.cloudCredentials')), form)
      : null,
  );
}

function plainCard(channel) {
  const state = channelState(channel);
  return h(
    'li',
    { class: 'card', 'data-channel': channel.id },
    h(
      'h2',
      { class: 'channel-name' },
      channel.name,
      channel.transport === 'sandbox' ? h('span', { class: 'muted small' }, ` · ${t('num.sandbox')}`) : null,
    ),
    stateLine(state),
    healthLines(channel, state),
  );
}

/** Connection changes that happen without the seller pairing here (a ban pause, a phone logged out). */
const STATE_EVENTS = new Set([
  'channel.connected',
  'channel.disconnected',
  'channel.paused',
  'channel.resumed',
]);

export async function render(ctx) {
  const root = h('div', { class: 'pad' });
  const load = async () => replace(root, [await channelCards(ctx)]);
  await load();
  // Live: a state change redraws the numbers, except while a pairing is shown (its QR, countdown
  // and code form follow the pairing themselves) or a field is being filled in.
  const busy = () =>
    root.querySelector('[data-testid="pairing"]') !== null ||
    (root.contains(document.activeElement) && document.activeElement?.matches('input, select, textarea'));
  const reload = coalesce(async () => {
    if (!busy()) await load();
  });
  listen(root, {
    onEvent: (e) => {
      if (STATE_EVENTS.has(e.type)) reload();
    },
  });
  return root;
}

async function channelCards({ session }) {
  const canWrite = session.user.role !== 'viewer';
  const { items } = await api.channels();
  if (items.length === 0) return h('p', { class: 'empty' }, t('num.empty'));
  const cards = await Promise.all(
    items.map(async (c) => {
      const channel = await api.channel(c.id);
      if (GATEWAYS.includes(channel.transport)) {
        const pairing = channel.hasCredentials ? await api.pairing(channel.id).catch(() => null) : null;
        return gatewayCard(channel, pairing, canWrite);
      }
      if (channel.transport === 'cloud') return cloudCard(channel, canWrite);
      return plainCard(channel);
    }),
  );
  return h('ul', { class: 'plain stack', 'data-testid': 'channels' }, cards);
}
