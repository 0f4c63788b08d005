/**
 * What every browser suite needs: Chromium driven by playwright-core (Debian's /usr/bin/chromium,
 * never a downloaded browser), a page that records console errors, screenshots under
 * test-artifacts/browser/ (not committed), and the owner account created through the one-time
 * link the first start prints.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ROOT, type Server } from '../e2e/harness.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
export const SHOTS = join(ROOT, 'test-artifacts', 'browser');
/** A small Android phone. */
export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };

if (!HAS_CHROMIUM) {
  console.warn(`test/browser skipped: ${CHROMIUM} is missing (apt-get install -y chromium).`);
}

export interface Dashboard {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  consoleErrors: string[];
  /** A full-page screenshot named `<name>-<width>.png`. */
  shot(name: string): Promise<void>;
  /** Clicks a link of the navigation bar. */
  tab(label: RegExp): Promise<void>;
  close(): Promise<void>;
}

export async function openDashboard(options: { locale?: string } = {}): Promise<Dashboard> {
  mkdirSync(SHOTS, { recursive: true });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const context = await browser.newContext({
    viewport: PHONE,
    locale: options.locale ?? 'fr-FR',
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const consoleErrors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(String(err)));
  return {
    browser,
    context,
    page,
    consoleErrors,
    async shot(name) {
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({
        path: join(SHOTS, `${name}-${page.viewportSize()?.width ?? 0}.png`),
        fullPage: true,
      });
    },
    async tab(label) {
      await page.getByRole('navigation').getByRole('link', { name: label }).click();
    },
    close: () => browser.close(),
  };
}

/** The one-time owner link the first start of `server` printed. */
export function ownerLink(server: Server): string {
  const link = /Dashboard: open (http:\/\/\S+\/#\/invite\/[0-9A-Za-z]+)/.exec(server.stdout())?.[1];
  expect(link, server.stdout()).toBeDefined();
  return link!;
}

/** Creates the owner account through the one-time link; the page ends signed in on Discussions. */
export async function createOwner(
  dashboard: Dashboard,
  server: Server,
  credentials: { email: string; password: string },
  onForm?: () => Promise<void>,
): Promise<void> {
  const { page } = dashboard;
  await page.goto(ownerLink(server));
  await page.getByLabel('E-mail').fill(credentials.email);
  await page.getByLabel('Mot de passe').fill(credentials.password);
  await onForm?.();
  await page.getByRole('button', { name: 'Créer mon compte' }).click();
  // Signing up derives a memory-hard key: on a busy machine that takes more than a second.
  await expect.poll(() => page.url(), { timeout: 15_000 }).toContain('#/discussions');
}
