/**
 * The seller dashboard in a real browser (issue 16): Debian's Chromium driven by playwright-core
 * against the real `sellify serve` process. It creates the owner through the one-time link the
 * first start prints, then walks every screen at 360×740 (a small Android phone) and checks that
 * each shows its data, that a product edit round-trips to the API, that the "Pourquoi ?" drawer
 * shows the decision's reasons, that a write without the CSRF header is refused, that wrong
 * passwords are throttled, and that the console stays free of errors. Screenshots of each screen
 * (360 and 1280 px wide) go to test-artifacts/browser/ (not committed).
 *
 * Skipped, with a message, when /usr/bin/chromium is absent (`apt-get install -y chromium`).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TENANT_ID } from '../../src/config.ts';
import { loadKeys } from '../../src/crypto/keys.ts';
import { LOGIN_FAILURES_PER_ACCOUNT } from '../../src/http/routes/session.ts';
import { createStore, openDb } from '../../src/store/index.ts';
import { API_KEY, cleanup, json, type Server, sellify, serve, stop, tempDir } from '../e2e/harness.ts';
import { createOwner, type Dashboard, HAS_CHROMIUM, openDashboard, PHONE } from './support.ts';

const EMAIL = 'awa@boutique.example';
const PASSWORD = 'mot de passe solide';

describe.skipIf(!HAS_CHROMIUM)('the dashboard in Chromium', () => {
  let server: Server;
  let dashboard: Dashboard;
  let page: Page;
  let productId: string;
  const shot = (name: string) => dashboard.shot(name);
  const tab = (label: RegExp) => dashboard.tab(label);

  beforeAll(async () => {
    const env = {
      SELLIFY_DATA_DIR: tempDir(),
      SELLIFY_API_KEY: API_KEY,
      SELLIFY_PACING_SCALE: '0.02',
    };
    server = await serve(env);
    const created = await json(`${server.url}/api/v1/products`, API_KEY, 'POST', {
      name: 'Sac noir',
      price: 15000,
      currency: 'XOF',
      stock: 3,
    });
    expect(created.status).toBe(201);
    productId = String(created.body.id);
    // A customer asks the price through the sandbox channel: a contact, a thread and a decision.
    const chat = await sellify(
      ['chat', '--url', server.url, '--timeout', '30'],
      env,
      "c'est combien le sac noir ?\n",
    );
    expect(chat.code, chat.stderr).toBe(0);
    // No API places orders yet ("orders" builds it): one is written into the stopped server's database.
    const contact = (await json(`${server.url}/api/v1/contacts`, API_KEY)).body.items?.[0];
    expect(contact).toBeDefined();
    expect(await stop(server)).toBe(0);
    const db = await openDb({ dataDir: env.SELLIFY_DATA_DIR });
    const store = createStore(db, loadKeys({ dataDir: env.SELLIFY_DATA_DIR, production: false }).keyring);
    try {
      await store.tx(DEFAULT_TENANT_ID, (r) =>
        r.orders.create({
          channelId: String(contact!.channelId),
          contactId: String(contact!.id),
          items: [{ productId, name: 'Sac noir', quantity: 2, unitPrice: 15000 }],
          currency: 'XOF',
          status: 'confirmed',
        }),
      );
    } finally {
      await store.close();
    }
    server = await serve(env);
    dashboard = await openDashboard();
    page = dashboard.page;
  }, 120_000);

  afterAll(async () => {
    await dashboard?.close();
    if (server !== undefined) await stop(server);
    cleanup();
  });

  it('prints a one-time owner link at first start, and the owner creates the account with it', async () => {
    await createOwner(dashboard, server, { email: EMAIL, password: PASSWORD }, () => shot('invite'));
  });

  it('Discussions: the customer is listed, the thread has ticks, "Pourquoi ?" shows the reasons', async () => {
    const contacts = page.getByTestId('contacts');
    await contacts.waitFor();
    expect(await contacts.getByRole('listitem').count()).toBe(1);
    await shot('discussions');
    await contacts.getByRole('link').first().click();
    const thread = page.getByTestId('thread');
    await thread.waitFor();
    await expect.poll(() => thread.textContent()).toContain("c'est combien le sac noir ?");
    const botReply = thread.locator('.bubble.out').first();
    expect(await botReply.textContent()).toMatch(/15[\s\u202f\u00a0.]?000/);
    expect(await thread.locator('.bubble.out .tick').count()).toBeGreaterThan(0);
    await shot('thread');
    await botReply.getByRole('button', { name: 'Pourquoi ?' }).click();
    const drawer = page.getByRole('dialog');
    await drawer.locator('.reasons li').first().waitFor();
    expect(await drawer.textContent()).toContain('price');
    await shot('why');
    await drawer.getByRole('button', { name: 'Fermer' }).click();
  });

  it('Catalogue: lists the product in F CFA, and a price edit round-trips to the API', async () => {
    await tab(/Catalogue/);
    const products = page.getByTestId('products');
    await products.waitFor();
    expect(await products.textContent()).toMatch(
      /Sac noir[\s\S]*15[\s\u202f\u00a0]000[\s\u202f\u00a0]F[\s\u202f\u00a0]CFA/,
    );
    await shot('catalogue');
    await products.getByRole('button', { name: /Modifier le produit : Sac noir/ }).click();
    const form = page.getByTestId('product-form');
    await form.getByLabel('Prix').fill('12000');
    await form.getByLabel('Stock').fill('5');
    await shot('product-edit');
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await expect
      .poll(async () => page.getByTestId('products').textContent())
      .toMatch(/12[\s\u202f\u00a0]000/);
    const stored = await json(`${server.url}/api/v1/products/${productId}`, API_KEY);
    expect(stored.body).toMatchObject({ price: 12000, stock: 5 });
  });

  it('Commandes: shows the order with its lines, total in F CFA and state', async () => {
    await tab(/Commandes/);
    const orders = page.getByTestId('orders');
    await orders.waitFor();
    const text = await orders.textContent();
    expect(text).toContain('2 × Sac noir');
    expect(text).toMatch(/30[\s\u202f\u00a0]000[\s\u202f\u00a0]F[\s\u202f\u00a0]CFA/);
    expect(text).toContain('Confirmée');
    await shot('orders');
  });

  it('Réglages: the shop facts, a delivery zone and a payment method are saved to the playbook', async () => {
    await tab(/Réglages/);
    const form = page.getByTestId('settings-form');
    await form.waitFor();
    await form.getByLabel('Nom de la boutique').fill('Chez Awa');
    await form.getByLabel('Horaires').fill('Lun–Sam 8h–19h');
    await form.getByRole('button', { name: /Ajouter une zone/ }).click();
    await form.getByLabel('Quartier ou ville').fill('Yopougon');
    await form.getByLabel(/Frais/).fill('1000');
    await form.getByLabel(/Délai/).fill('24 h');
    await form.getByLabel('Wave', { exact: true }).check();
    await form.getByRole('textbox', { name: /Wave/ }).fill('07 07 07 07 07');
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await expect.poll(() => form.getByRole('status').textContent()).toBe('Enregistré');
    await shot('settings');
    const playbook = await json(`${server.url}/api/v1/playbook`, API_KEY);
    expect(playbook.body).toMatchObject({
      sellerName: 'Chez Awa',
      info: { hours: { fr: 'Lun–Sam 8h–19h' } },
      delivery: { zones: [{ id: 'yopougon', name: 'Yopougon', fee: 1000, delay: '24 h' }] },
      payment: { methods: ['wave'], details: { wave: '07 07 07 07 07' } },
    });
  });

  it('Mon numéro: the sandbox channel is "Connecté"', async () => {
    await tab(/Mon numéro/);
    const channels = page.getByTestId('channels');
    await channels.waitFor();
    expect(await channels.locator('[data-state]').first().getAttribute('data-state')).toBe('connected');
    expect(await channels.textContent()).toContain('Connecté');
    await shot('number');
  });

  it('switches to English, and lays out on a 1280 px screen', async () => {
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.getByRole('navigation').textContent()).toContain('Orders');
    await page.getByTestId('channels').waitFor();
    await shot('number-en');
    await page.setViewportSize({ width: 1280, height: 800 });
    for (const [label, name] of [
      [/Chats/, 'discussions'],
      [/Catalogue/, 'catalogue'],
      [/Settings/, 'settings'],
    ] as const) {
      await tab(label);
      await page.locator('main :is(ul, form, p.empty)').first().waitFor();
      await shot(`${name}-en`);
    }
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('button', { name: 'Français' }).click();
    await page.setViewportSize(PHONE);
  });

  it('refuses a write made with the cookie but without the CSRF header', async () => {
    const res = await page.request.patch(`${server.url}/api/v1/products/${productId}`, {
      data: { stock: 0 },
    });
    expect(res.status()).toBe(403);
    expect((await res.json()).code).toBe('csrf_failed');
    const stored = await json(`${server.url}/api/v1/products/${productId}`, API_KEY);
    expect(stored.body.stock).toBe(5);
  });

  it('signs out, signs back in through the form, and throttles wrong passwords', async () => {
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('button', { name: 'Se déconnecter', exact: true }).click();
    await page.getByRole('button', { name: 'Se connecter' }).waitFor();
    await shot('signin');
    await page.getByLabel('E-mail').fill(EMAIL);
    await page.getByLabel('Mot de passe').fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByTestId('contacts').waitFor();
    // Wrong passwords from a separate client, so the page's console stays clean.
    const other = await dashboard.browser.newContext();
    try {
      for (let i = 0; i < LOGIN_FAILURES_PER_ACCOUNT; i++) {
        const res = await other.request.post(`${server.url}/api/session`, {
          data: { email: EMAIL, password: 'pas le bon' },
        });
        expect(res.status()).toBe(401);
      }
      const res = await other.request.post(`${server.url}/api/session`, {
        data: { email: EMAIL, password: PASSWORD },
      });
      expect(res.status()).toBe(429);
      expect((await res.json()).code).toBe('login_rate_limited');
    } finally {
      await other.close();
    }
  });

  it('logged no console errors on any screen', () => {
    expect(dashboard.consoleErrors).toEqual([]);
  });
});
