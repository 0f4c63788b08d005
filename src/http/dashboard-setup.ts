/**
 * How the first person signs in to the dashboard, said at start (issue 16). While the default
 * tenant has no account, a development start creates a one-time owner invite (valid 24 h) and
 * prints its link; production never prints a credential (as for the admin key) and names the CLI
 * command instead. Once an account exists, the line just says where the dashboard is.
 */

import type { Config } from '../config.ts';
import { DEFAULT_TENANT_ID } from '../config.ts';
import { newToken, type Store } from '../store/index.ts';
import { invitePath } from './routes/v1/users.ts';

export const OWNER_SETUP_TTL_MS = 24 * 3600_000;
const CREATE_HINT = 'npx sellify users create --email you@example.com --role owner';

/** Returns the banner line for the server's base URL. */
export async function ensureDashboardSignIn(
  config: Pick<Config, 'production'>,
  store: Store,
  nowMs: number,
): Promise<(baseUrl: string) => string> {
  const users = await store.tx(DEFAULT_TENANT_ID, (r) => r.users.count());
  if (users > 0) {
    return (url) => `Dashboard: ${url}/ (forgot a password? npx sellify users reset --email …)`;
  }
  if (config.production) {
    return (url) => `Dashboard: ${url}/ (no account yet: create the owner with "${CREATE_HINT}")`;
  }
  const { token, tokenHash } = newToken();
  await store.tx(DEFAULT_TENANT_ID, (r) =>
    r.users.createInvite({ tokenHash, role: 'owner', expiresAtMs: nowMs + OWNER_SETUP_TTL_MS }),
  );
  return (url) =>
    `Dashboard: open ${url}${invitePath(token)} to create the owner account (one-time link, 24 h; or "${CREATE_HINT}")`;
}
