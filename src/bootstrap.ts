/**
 * What a fresh installation needs before it can be used, made sure of at every start: the default
 * tenant, an admin API key the operator can find, the Cloud API channel the environment describes
 * and, in development, a sandbox channel to chat with. Each step is idempotent and returns the
 * banner line that tells the operator what exists.
 */

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type Config, DEFAULT_TENANT_ID, DEFAULT_TENANT_NAME } from './config.ts';
import {
  backfillVerifyTokenHashes,
  ensureDataDir,
  ensureTenant,
  findChannelByRouteKey,
  generateApiKey,
  newId,
  type Store,
} from './store/index.ts';

export const ADMIN_KEY_FILE = 'admin.key';
/** `{"channelId": "chn_…", "webhookSecret": "whs_…"}` of the development sandbox channel, for `sellify chat`. */
export const SANDBOX_SECRET_FILE = 'sandbox.secret';

/** Where the operator's lines go: `print` for the banner, `warn` for what must be seen. */
export interface BootstrapOutput {
  print(line: string): void;
  warn(text: string): void;
}

/** A path relative to the working directory when it is below it (shorter banner lines). */
export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') ? `./${rel}` : path;
}

/** A warning framed so that it stands out of a scrolling log. */
export function loud(warn: (text: string) => void, text: string): void {
  const bar = '!'.repeat(78);
  warn(`${bar}\n${text}\n${bar}`);
}

/**
 * Makes sure the operator can authenticate, and says how. SELLIFY_API_KEY wins; else an admin key
 * of the default tenant is created at first start, printed once and (embedded database, not
 * production) written to `<dataDir>/admin.key` with mode 0600. Production never prints a key.
 */
export async function ensureAdminKey(config: Config, store: Store, out: BootstrapOutput): Promise<string> {
  if (config.apiKey !== undefined) return 'Admin key: the value of SELLIFY_API_KEY (send it as X-API-Key).';
  const file = join(config.dataDir, ADMIN_KEY_FILE);
  const keys = await store.tx(DEFAULT_TENANT_ID, (r) => r.apiKeys.list());
  if (keys.some((k) => k.revokedAtMs === null && k.scopes.includes('admin'))) {
    if (!config.production && existsSync(file)) return `Admin key: cat ${shownPath(file)}`;
    return 'Admin key: the one printed at first start (lost? run "sellify keys create --name admin --scopes admin" or set SELLIFY_API_KEY).';
  }
  if (config.production) {
    loud(
      out.warn,
      'No admin API key: NODE_ENV=production and SELLIFY_API_KEY is not set, so no key was created.\n' +
        "Set SELLIFY_API_KEY to 'sk_' + 32 random characters and restart, e.g.:\n" +
        `  SELLIFY_API_KEY=$(node -e "console.log('sk_' + require('crypto').randomBytes(24).toString('base64url'))")`,
    );
    return 'Admin key: none; set SELLIFY_API_KEY and restart.';
  }
  const generated = generateApiKey();
  await store.tx(DEFAULT_TENANT_ID, (r) =>
    r.apiKeys.create({
      name: 'admin (created at first start)',
      keyHash: generated.keyHash,
      prefix: generated.prefix,
      scopes: ['admin'],
    }),
  );
  out.print('');
  out.print(`  Admin API key (shown once, keep it): ${generated.secret}`);
  if (config.databaseUrl === undefined) {
    writeFileSync(file, `${generated.secret}\n`, { mode: 0o600 });
    if (process.platform !== 'win32') chmodSync(file, 0o600);
    out.print(`  Also saved to ${shownPath(file)} (mode 0600).`);
    out.print('');
    return `Admin key: cat ${shownPath(file)}`;
  }
  out.print('');
  return 'Admin key: printed above at first start.';
}

/**
 * WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN
 * set together describe a first Cloud API channel: it is created in the default tenant at start if
 * no channel serves that number yet, so a deployment can be configured from the environment alone.
 * Returns the banner line, if any.
 */
export async function ensureEnvCloudChannel(config: Config, store: Store): Promise<string | undefined> {
  const { phoneNumberId, accessToken, appSecret, verifyToken } = config.whatsapp;
  const given = [phoneNumberId, accessToken, appSecret, verifyToken].filter((v) => v !== undefined).length;
  if (given === 0) return undefined;
  if (given < 4 || !phoneNumberId || !accessToken || !appSecret || !verifyToken) {
    return 'Cloud API channel from the environment: not created (set all of WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN).';
  }
  const routeKey = `cloud:${phoneNumberId}`;
  const existing = await findChannelByRouteKey(store.db, routeKey);
  if (existing) return `Cloud API channel for number id ${phoneNumberId}: ${existing.channelId}`;
  const channel = await store.tx(DEFAULT_TENANT_ID, (r) =>
    r.channels.create({
      name: 'WhatsApp Cloud API',
      transport: 'cloud',
      routeKey,
      credentials: { phoneNumberId, accessToken, appSecret, verifyToken },
    }),
  );
  return `Cloud API channel created from the environment: ${channel.id} (webhook: /webhooks/whatsapp)`;
}

/**
 * Development only (and not with SELLIFY_SANDBOX=false): when the default tenant has no channel at
 * all, creates a sandbox channel named "Sandbox", so `sellify chat` can talk to the bot right after
 * the first `npm start`. The API shows a sandbox webhook secret only once, so the server keeps this
 * one in `<dataDir>/sandbox.secret` (mode 0600) for `sellify chat` on the same machine. Returns the
 * banner line naming the first sandbox channel, if the tenant has one.
 */
export async function ensureSandboxChannel(config: Config, store: Store): Promise<string | undefined> {
  if (config.production || !config.sandbox) return undefined;
  const channels = await store.tx(DEFAULT_TENANT_ID, (r) => r.channels.list());
  let sandbox = channels.find((c) => c.transport === 'sandbox');
  if (channels.length === 0) {
    const id = newId('chn');
    const webhookSecret = `whs_${randomBytes(24).toString('base64url')}`;
    sandbox = await store.tx(DEFAULT_TENANT_ID, (r) =>
      r.channels.create({
        id,
        name: 'Sandbox',
        transport: 'sandbox',
        credentials: { webhookSecret },
        routeKey: `sandbox:${id}`,
      }),
    );
    const file = join(config.dataDir, SANDBOX_SECRET_FILE);
    ensureDataDir(config.dataDir);
    writeFileSync(file, `${JSON.stringify({ channelId: id, webhookSecret })}\n`, { mode: 0o600 });
    if (process.platform !== 'win32') chmodSync(file, 0o600);
  }
  return sandbox === undefined
    ? undefined
    : `Sandbox channel: ${sandbox.id} (talk to your bot as a customer: npx sellify chat)`;
}

/**
 * Every start-up step above, in order. Returns the banner lines; the admin-key hint is last (scripts
 * and tests wait for it).
 */
export async function bootstrap(config: Config, store: Store, out: BootstrapOutput): Promise<string[]> {
  await ensureTenant(store.db, { id: DEFAULT_TENANT_ID, name: DEFAULT_TENANT_NAME });
  const adminHint = await ensureAdminKey(config, store, out);
  const cloudHint = await ensureEnvCloudChannel(config, store);
  // Cloud channels stored before migration 0005 get the verify-token hash the handshake looks up.
  await backfillVerifyTokenHashes(store.db, (tenantId, channelId) =>
    store.tx(tenantId, (r) => r.channels.reindexVerifyToken(channelId)),
  );
  const sandboxHint = await ensureSandboxChannel(config, store);
  return [cloudHint, sandboxHint, adminHint].filter((line): line is string => line !== undefined);
}
