/**
 * The seller's other screens in a real browser (issue 16): Debian's Chromium driven by
 * playwright-core against the real `sellify serve` process and the simulated Evolution and WAHA
 * gateways.
 *
 * - Mon numéro: a number connected by QR through the pairing API up to "Connecté" (the simulated
 *   phone scans the QR the page shows), a pairing code, and the refused path (nobody scans before
 *   the gateway's QR limit) with "Réessayer" showing a new QR; on the simulated WAHA, the failed
 *   path (FAILED after 6 QR codes) with "Réessayer" up to "Connecté".
 * - Commandes: the order a customer placed in `sellify chat` (price → order → address + payment →
 *   "oui") shows its three states, is paid in two payments and marked delivered; another order is
 *   cancelled and its stock comes back.
 * - Aujourd'hui / 7 jours: the numbers GET /stats gives, and "pas encore assez de données" for an
 *   A/B test below its minimum sample.
 * - Réglages: follow-ups off, auto-return delay and WhatsApp notifications reach the playbook.
 * - Produits: variants and the out-of-stock toggle reach the catalogue.
 * - 360 and 1280 px, French and English, no console errors. Screenshots in test-artifacts/browser/.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, cleanup, json, type Server, sellify, serve, stop, tempDir } from '../e2e/harness.ts';
import { type Simulator, startSimulator } from '../sim/index.ts';
import { createOwner, type Dashboard, DESKTOP, HAS_CHROMIUM, openDashboard, PHONE } from './support.ts';

const EMAIL = 'awa@boutique.example';
const PASSWORD = 'mot de passe solide';
const CUSTOMER = '+2250701020304';
const SALE = [
  "Bonjour, c'est combien le sac noir ?",
  'Je veux 2 sacs noirs',
  'Yopougon Selmer, près de la pharmacie. Je paie par Orange Money',
  'oui',
];
const PLAYBOOK = {
  delivery: {
    zones: [
      { id: 'yopougon', name: 'Yopougon', aliases: ['Yop'], fee: 1000, delay: '24 h' },
      { id: 'cocody', name: 'Cocody', fee: 1500, delay: '24 h' },
    ],
    default: { fee: 2500, delay: '48 h' },
  },
  payment: { methods: ['orange_money', 'wave', 'cash_on_delivery'] },
  experiments: [
    {
      id: 'merci',
      template: 'thanks',
      minSample: 30,
      variants: [
        { id: 'a', text: { fr: 'Merci à vous !' } },
        { id: 'b', text: { fr: 'Merci beaucoup, à bientôt !' } },
      ],
    },
  ],
};
const EVO_SECRET = 'evolution-secret-0123456789';
/** Any of the spaces Intl puts in "31 000 F CFA". */
const SP = '[\\s\\u202f\\u00a0]';

/** "31000" → a pattern matching "31 000" with whatever space Intl chose. */
function grouped(n: number): RegExp {
  return new RegExp(String(n).replace(/\B(?=(\d{3})+(?!\d))/g, SP));
}

describe.skipIf(!HAS_CHROMIUM)('the seller screens in Chromium', () => {
  let server: Server;
  let sim: Simulator;
  let dashboard: Dashboard;
  let page: Page;
  let productId: string;
  let chatOrderId: string;
  let apiOrderId: string;
  let qrChannel: string;
  let refusedChannel: string;
  let wahaChannel: string;
  const shot = (name: string) => dashboard.shot(name);
  // The page reads the pairing state every 2 s; a loaded machine may take longer than vitest's 1 s.
  const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000 });
  const tab = (label: RegExp) => dashboard.tab(label);
  const api = (path: string, method = 'GET', body?: unknown) =>
    json(`${server.url}/api/v1${path}`, API_KEY, method, body);
  const card = (channelId: string): Locator => page.locator(`[data-channel="${channelId}"]`);
  const stateOf = (channelId: string) => card(channelId).locator('[data-state]').getAttribute('data-state');

  async function evolutionChannel(name: string, instance: string): Promise<string> {
    const res = await api('/channels', 'POST', {
      name,
      transport: 'evolution',
      baseUrl: sim.evolution.baseUrl,
      instance,
      apiKey: sim.evolution.apiKey,
      webhookSecret: EVO_SECRET,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return String(res.body.id);
  }

  beforeAll(async () => {
    const env = { SELLIFY_DATA_DIR: tempDir(), SELLIFY_API_KEY: API_KEY, SELLIFY_PACING_SCALE: '0.02' };
    server = await serve(env);
    const product = await api('/products', 'POST', {
      name: 'Sac noir',
      price: 15000,
      currency: 'XOF',
      stock: 4,
    });
    expect(product.status).toBe(201);
    productId = String(product.body.id);
    const playbook = await api('/playbook', 'PUT', PLAYBOOK);
    expect(playbook.status, JSON.stringify(playbook.body)).toBe(200);
    // The sale, as a customer types it in `sellify chat` on the sandbox channel.
    const chat = await sellify(
      ['chat', '--url', server.url, '--phone', CUSTOMER, '--timeout', '30'],
      env,
      `${SALE.join('\n')}\n`,
      90_000,
    );
    expect(chat.code, chat.stderr).toBe(0);
    const orders = await api('/orders');
    expect(orders.body.items, chat.stdout).toHaveLength(1);
    const chatOrder = orders.body.items![0]!;
    expect(chatOrder).toMatchObject({ total: 31000, status: 'confirmed', paymentStatus: 'unpaid' });
    chatOrderId = String(chatOrder.id);
    // A second order, taken by the seller through the API, to be cancelled on the screen.
    const second = await api('/orders', 'POST', {
      channelId: chatOrder.channelId,
      contactId: chatOrder.contactId,
      items: [{ productId, quantity: 1 }],
      delivery: { zone: 'cocody' },
      paymentMethod: 'wave',
    });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    apiOrderId = String(second.body.id);
    expect((await api(`/products/${productId}`)).body.stock).toBe(1);

    sim = await startSimulator({ seed: 'browser-ops', evolution: { pairing: { autoScanMs: null } } });
    qrChannel = await evolutionChannel('Boutique Awa', 'boutique-awa');
    refusedChannel = await evolutionChannel('Boutique Plateau', 'boutique-plateau');
    const waha = await api('/channels', 'POST', {
      name: 'Boutique Marcory',
      transport: 'waha',
      baseUrl: sim.waha.baseUrl,
      session: 'boutique-marcory',
      apiKey: sim.waha.apiKey,
      hmacKey: 'waha-hmac-key-0123456789',
    });
    expect(waha.status, JSON.stringify(waha.body)).toBe(201);
    wahaChannel = String(waha.body.id);
    dashboard = await openDashboard();
    page = dashboard.page;
  }, 150_000);

  afterAll(async () => {
    await dashboard?.close();
    await sim?.close();
    if (server !== undefined) await stop(server);
    cleanup();
  });

  it('creates the owner through the one-time link', async () => {
    await createOwner(dashboard, server, { email: EMAIL, password: PASSWORD });
  });

  it('Mon numéro: connects a number by QR up to "Connecté", with a pairing code on the way', async () => {
    await tab(/Mon numéro/);
    await card(qrChannel).waitFor();
    expect(await stateOf(qrChannel)).toBe('disconnected');
    expect(await card(qrChannel).textContent()).toContain('Déconnecté');
    await shot('number-start');
    await card(qrChannel).getByRole('button', { name: 'Connecter avec un QR code' }).click();
    const qr = card(qrChannel).getByTestId('qr');
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    expect(await stateOf(qrChannel)).toBe('connecting');
    expect(await card(qrChannel).textContent()).toContain('Connexion…');
    await poll(() => card(qrChannel).textContent()).toMatch(/Le code est renouvelé dans \d+ s/);
    await shot('number-qr');
    // A pairing code for the phone instead of the QR.
    await card(qrChannel).getByText('Se connecter avec un code plutôt').click();
    await card(qrChannel).getByLabel('Numéro WhatsApp à connecter').fill('+225 07 00 00 00 01');
    await card(qrChannel).getByRole('button', { name: 'Recevoir un code' }).click();
    await poll(() => card(qrChannel).getByTestId('pairing-code').textContent()).toMatch(
      /^[A-Z0-9]{4}-[A-Z0-9]{4}$/,
    );
    await shot('number-code');
    // The phone scans: the gateway's webhook tells Sellify, the page reads the new state.
    await sim.evolution.scan('boutique-awa');
    await sim.settle();
    await poll(() => stateOf(qrChannel)).toBe('connected');
    expect(await card(qrChannel).textContent()).toContain('Connecté');
    expect(await card(qrChannel).getByTestId('qr').count()).toBe(0);
    const pairing = await api(`/channels/${qrChannel}/pairing`);
    expect(pairing.body).toMatchObject({ state: 'connected' });
    await shot('number-connected');
  });

  it('Mon numéro: after the gateway refused (nobody scanned), "Réessayer" shows a new QR', async () => {
    sim.evolution.pairingOptions.qrLimit = 2;
    sim.evolution.pairingOptions.qrRefreshMs = 1_000;
    try {
      await card(refusedChannel).getByRole('button', { name: 'Connecter avec un QR code' }).click();
      await card(refusedChannel).getByTestId('qr').waitFor();
      await sim.clock.advance(2_000);
      await sim.settle();
    } finally {
      sim.evolution.pairingOptions.qrLimit = 30;
      sim.evolution.pairingOptions.qrRefreshMs = 40_000;
    }
    expect((await api(`/channels/${refusedChannel}/pairing`)).body).toMatchObject({
      state: 'failed',
      reason: 'qr_limit',
    });
    await poll(() => stateOf(refusedChannel)).toBe('disconnected');
    expect(await card(refusedChannel).getByTestId('pairing-reason').textContent()).toBe(
      'Personne n’a scanné le code à temps.',
    );
    await shot('number-refused');
    await card(refusedChannel).getByRole('button', { name: 'Réessayer' }).click();
    await card(refusedChannel).getByTestId('qr').waitFor();
    expect(await stateOf(refusedChannel)).toBe('connecting');
    await sim.evolution.scan('boutique-plateau');
    await sim.settle();
    await poll(() => stateOf(refusedChannel)).toBe('connected');
  });

  it('Mon numéro: a WAHA session that failed (6 QR codes, nobody scanned) connects after "Réessayer"', async () => {
    const waha = card(wahaChannel);
    await waha.getByRole('button', { name: 'Connecter avec un QR code' }).click();
    // STARTING: no QR yet, the page says it is coming and asks again by itself.
    await poll(() => waha.textContent()).toContain('Le QR code arrive…');
    await sim.clock.advance(1_000);
    await sim.settle();
    await poll(() => waha.getByTestId('qr').count()).toBe(1);
    expect(await waha.getByTestId('qr').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    await sim.clock.advance(60_000 + 5 * 20_000);
    await sim.settle();
    expect((await api(`/channels/${wahaChannel}/pairing`)).body).toMatchObject({
      state: 'failed',
      reason: 'session_failed',
    });
    await poll(() => stateOf(wahaChannel)).toBe('disconnected');
    expect(await waha.getByTestId('pairing-reason').textContent()).toBe('La connexion a échoué.');
    await waha.getByRole('button', { name: 'Réessayer' }).click();
    await poll(() => stateOf(wahaChannel)).toBe('connecting');
    await sim.clock.advance(1_000);
    await sim.settle();
    await poll(() => waha.getByTestId('qr').count()).toBe(1);
    await sim.waha.scan('boutique-marcory');
    await sim.settle();
    await poll(() => stateOf(wahaChannel)).toBe('connected');
  });

  it('Mon numéro: a paused number reads "En pause pour protéger le numéro"', async () => {
    expect((await api(`/channels/${refusedChannel}`, 'PATCH', { paused: true })).status).toBe(200);
    try {
      await page.reload();
      await poll(() => stateOf(refusedChannel)).toBe('paused');
      expect(await card(refusedChannel).textContent()).toContain('En pause pour protéger le numéro');
    } finally {
      expect((await api(`/channels/${refusedChannel}`, 'PATCH', { paused: false })).status).toBe(200);
    }
  });

  it('Commandes: the order placed in chat shows its three states and is paid in two payments', async () => {
    await tab(/Commandes/);
    const orders = page.getByTestId('orders');
    await orders.waitFor();
    const row = orders.locator(`[data-order="${chatOrderId}"]`);
    expect(await row.textContent()).toContain('2 × Sac noir');
    expect(await row.textContent()).toMatch(new RegExp(`${grouped(31000).source}${SP}F${SP}CFA`));
    expect(await row.locator('[data-axis]').allTextContents()).toEqual([
      'Confirmée',
      'Non payée',
      'À livrer',
    ]);
    await shot('orders');
    await row.getByRole('link').click();
    const order = page.getByTestId('order');
    await order.waitFor();
    expect(await order.getByTestId('order-left').textContent()).toMatch(grouped(31000));
    const form = page.getByTestId('payment-form');
    // The method the customer announced is chosen already.
    expect(await form.getByLabel('Moyen').inputValue()).toBe('orange_money');
    await form.getByLabel(/Montant/).fill('20000');
    await form.getByLabel('Référence').fill('OM-2026-0001');
    await form.getByRole('button', { name: 'Enregistrer le paiement' }).click();
    await poll(() => order.getByRole('status').textContent()).toBe('Paiement enregistré');
    expect(await order.locator('[data-axis="payment"]').textContent()).toBe('Payée en partie');
    expect(await order.getByTestId('order-left').textContent()).toMatch(grouped(11000));
    // The second payment: what is left, by Wave.
    const second = page.getByTestId('payment-form');
    expect(await second.getByLabel(/Montant/).inputValue()).toBe('11000');
    await second.getByLabel('Moyen').selectOption('wave');
    await second.getByRole('button', { name: 'Enregistrer le paiement' }).click();
    await poll(() => order.locator('[data-axis="payment"]').textContent()).toBe('Payée');
    expect(await page.getByTestId('payment-form').count()).toBe(0);
    expect(await order.getByTestId('payments').getByRole('listitem').count()).toBe(2);
    await order.getByRole('button', { name: 'Marquer livrée' }).click();
    await poll(() => order.locator('[data-axis="fulfilment"]').textContent()).toBe('Livrée');
    await shot('order-paid');
    // Paid and delivered: the seller closes the sale; nothing is left to cancel.
    await order.getByRole('button', { name: 'Clore la commande' }).click();
    await poll(() => order.locator('[data-axis="order"]').textContent()).toBe('Terminée');
    expect(await order.getByRole('button', { name: 'Annuler la commande' }).count()).toBe(0);
    const stored = await api(`/orders/${chatOrderId}`);
    expect(stored.body).toMatchObject({
      status: 'completed',
      amountPaid: 31000,
      paymentStatus: 'paid',
      fulfilmentStatus: 'delivered',
      payments: [
        { amount: 20000, method: 'orange_money', reference: 'OM-2026-0001' },
        { amount: 11000, method: 'wave', reference: null },
      ],
    });
  });

  it('Commandes: cancelling an order gives its stock back', async () => {
    await page.goto(`${server.url}/#/commandes/${apiOrderId}`);
    const order = page.getByTestId('order');
    await order.waitFor();
    await order.getByRole('button', { name: 'Annuler la commande' }).click();
    const confirm = page.getByTestId('cancel-confirm');
    expect(await confirm.textContent()).toContain('reviennent en stock');
    await shot('order-cancel');
    await confirm.getByRole('button', { name: 'Oui, annuler' }).click();
    await poll(() => order.locator('[data-axis="order"]').textContent()).toBe('Annulée');
    expect((await api(`/orders/${apiOrderId}`)).body).toMatchObject({
      status: 'cancelled',
      stockTaken: false,
    });
    expect((await api(`/products/${productId}`)).body.stock).toBe(2);
  });

  it('Aujourd’hui / 7 jours: shows the numbers of GET /stats and the A/B test without enough data', async () => {
    await tab(/Aujourd/);
    await page.getByTestId('stats').waitFor();
    await page.getByRole('link', { name: '7 jours' }).click();
    await poll(() => page.locator('.seg.active').textContent()).toBe('7 jours');
    const stats = (await api('/stats')).body as unknown as {
      conversations: number;
      messages: { in: number; out: number };
      orders: { currency: string; created: number; confirmed: number; revenue: number; collected: number }[];
      handoffs: number;
      firstResponse: { bot: { answered: number } };
      channels: { id: string; sentToday: number }[];
    };
    expect(stats.conversations).toBe(1);
    expect(stats.messages.in).toBe(SALE.length);
    expect(stats.orders).toEqual([
      expect.objectContaining({
        currency: 'XOF',
        created: 2,
        confirmed: 1,
        revenue: 31000,
        collected: 31000,
      }),
    ]);
    const text = async (id: string) => (await page.getByTestId(id).textContent()) ?? '';
    expect(await text('stat-conversations')).toMatch(/^1Discussions/);
    expect(await text('stat-messages')).toContain(`${stats.messages.in} / ${stats.messages.out}`);
    expect(await text('stat-orders')).toMatch(/^2Commandes1 confirmée/);
    expect(await text('stat-revenue')).toMatch(new RegExp(`^${grouped(31000).source}${SP}F${SP}CFA`));
    expect(await text('stat-revenue')).toMatch(new RegExp(`Encaissé : ${grouped(31000).source}`));
    expect(await text('stat-first-bot')).toContain(`médiane · ${stats.firstResponse.bot.answered} réponse`);
    expect(stats.firstResponse.bot.answered).toBeGreaterThan(0);
    expect(await page.getByTestId('stat-channels').locator('[data-channel]').count()).toBe(
      stats.channels.length,
    );
    const sandbox = page.getByTestId('stat-channels').locator(`[data-channel="${stats.channels[0]!.id}"]`);
    expect(await sandbox.textContent()).toMatch(
      new RegExp(`Envoyés aujourd’hui${stats.channels[0]!.sentToday}Plafond du jour`),
    );
    expect(await page.getByTestId('not-enough').textContent()).toBe(
      'Pas encore assez de données (il faut 30 contacts par variante).',
    );
    await shot('today');
  });

  it('Commandes: live — an order taken elsewhere appears, and a payment recorded elsewhere shows, without a reload', async () => {
    await tab(/Commandes/);
    const orders = page.getByTestId('orders');
    await orders.waitFor();
    const before = await orders.getByRole('listitem').count();
    const chatOrder = (await api(`/orders/${chatOrderId}`)).body;
    const third = await api('/orders', 'POST', {
      channelId: chatOrder.channelId,
      contactId: chatOrder.contactId,
      items: [{ productId, quantity: 1 }],
      delivery: { zone: 'cocody' },
      paymentMethod: 'wave',
    });
    expect(third.status, JSON.stringify(third.body)).toBe(201);
    const thirdId = String(third.body.id);
    // The page is never reloaded: the event stream brings the new order.
    await page.locator(`[data-order="${thirdId}"]`).waitFor();
    expect(await orders.getByRole('listitem').count()).toBe(before + 1);
    await page.locator(`[data-order="${thirdId}"] a`).click();
    const order = page.getByTestId('order');
    await order.waitFor();
    expect(await order.locator('[data-axis="payment"]').textContent()).toBe('Non payée');
    const paid = await api(`/orders/${thirdId}/payments`, 'POST', { amount: 1000, method: 'wave' });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    await poll(() => order.locator('[data-axis="payment"]').textContent()).toBe('Payée en partie');
  });

  it('Réglages: follow-ups off, auto-return after 2 h and WhatsApp notifications reach the playbook', async () => {
    await tab(/Réglages/);
    const form = page.getByTestId('settings-form');
    await form.waitFor();
    expect(await form.getByLabel('Relancer les clients qui ne répondent plus').isChecked()).toBe(true);
    await form.getByLabel('Relancer les clients qui ne répondent plus').uncheck();
    await form.getByLabel('Rendre la discussion au bot après').selectOption({ label: '2 h' });
    await form.getByLabel('Mon numéro WhatsApp').fill('+225 07 00 00 00 09');
    await form.getByLabel('Une nouvelle commande').check();
    await form.getByLabel('Un client demande une personne').check();
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await poll(() => form.getByRole('status').textContent()).toBe('Enregistré');
    await shot('settings-ops');
    const playbook = await api('/playbook');
    expect(playbook.body).toMatchObject({
      followupLadderMs: [],
      handoff: { autoReturnAfterMs: 2 * 3_600_000 },
      notifications: { to: '+2250700000009', events: ['handoff.requested', 'order.created'] },
      // What the screen does not show is kept.
      delivery: PLAYBOOK.delivery,
      experiments: [expect.objectContaining({ id: 'merci' })],
    });
  });

  it('Produits: variants and the out-of-stock toggle reach the catalogue', async () => {
    await tab(/Catalogue/);
    const products = page.getByTestId('products');
    await products.waitFor();
    await products.getByRole('button', { name: /Modifier le produit : Sac noir/ }).click();
    const form = page.getByTestId('product-form');
    await form.getByLabel('Variantes').fill('Couleur : noir, marron\nTaille : petit, grand');
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await poll(() => page.getByTestId('products').textContent()).toContain('couleur : noir, marron');
    expect((await api(`/products/${productId}`)).body.variants).toEqual({
      couleur: ['noir', 'marron'],
      taille: ['petit', 'grand'],
    });
    await page.getByTestId('products').getByRole('button', { name: 'Marquer en rupture' }).click();
    await poll(() => page.getByTestId('products').textContent()).toContain('Rupture');
    expect((await api(`/products/${productId}`)).body.stock).toBe(0);
    await page.getByTestId('products').getByRole('button', { name: 'Remettre en stock' }).click();
    const again = page.getByTestId('product-form');
    await poll(() => page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('stock');
    await again.getByLabel('Stock').fill('3');
    await again.getByRole('button', { name: 'Enregistrer' }).click();
    await poll(() => page.getByTestId('products').textContent()).toContain('3 en stock');
    expect((await api(`/products/${productId}`)).body.stock).toBe(3);
    await shot('catalogue-variants');
  });

  it('lays out in English at 1280 px and in French at 360 px', async () => {
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('button', { name: 'English' }).click();
    await page.setViewportSize(DESKTOP);
    await tab(/Today/);
    await page.getByTestId('stats').waitFor();
    expect(await page.getByTestId('not-enough').textContent()).toBe(
      'Not enough data yet (30 contacts per variant needed).',
    );
    await shot('today-en');
    await tab(/My number/);
    await poll(() => stateOf(qrChannel)).toBe('connected');
    expect(await card(qrChannel).textContent()).toContain('Connected');
    await shot('number-en');
    await page.goto(`${server.url}/#/commandes/${chatOrderId}`);
    await page.getByTestId('order').waitFor();
    expect(await page.getByTestId('order').locator('[data-axis]').allTextContents()).toEqual([
      'Completed',
      'Paid',
      'Delivered',
    ]);
    await shot('order-en');
    await tab(/Settings/);
    await page.getByTestId('notifications').waitFor();
    await shot('settings-en');
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('button', { name: 'Français' }).click();
    for (const [label, name] of [
      [/Aujourd/, 'today-fr'],
      [/Commandes/, 'orders-fr'],
      [/Mon numéro/, 'number-fr'],
    ] as const) {
      await tab(label);
      await page
        .locator('main :is([data-testid="stats"], [data-testid="orders"], [data-testid="channels"])')
        .first()
        .waitFor();
      await shot(name);
    }
    await page.goto(`${server.url}/#/commandes/${chatOrderId}`);
    await page.getByTestId('order').waitFor();
    await shot('order-fr');
    await page.setViewportSize(PHONE);
    await tab(/Aujourd/);
    await page.getByTestId('stats').waitFor();
    // Nothing is wider than a small phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  });

  it('logged no console errors on any screen', () => {
    expect(dashboard.consoleErrors).toEqual([]);
  });
});
