/**
 * `sellify users`: dashboard accounts from the command line, for the operator (the first owner of
 * a tenant, a forgotten password). Talks to the database directly; with the embedded database, stop
 * the server first (or invite people from the dashboard's team screen, POST /api/v1/users/invites).
 */
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DEFAULT_TENANT_ID } from '../../config.ts';
import { hashPassword, passwordProblem } from '../../crypto/password.ts';
import { ConflictError, USER_ROLES, type UserRole } from '../../store/index.ts';
import { CliError } from '../io.ts';
import { openOperatorStore } from '../store.ts';

export const usage = `Usage:
  sellify users create --email EMAIL [--role owner|agent|viewer] [--tenant ID] [--password-stdin]
  sellify users reset --email EMAIL [--tenant ID] [--password-stdin]
  sellify users list [--tenant ID]

Creates dashboard accounts and resets their passwords. --role defaults to owner; --tenant to the
default tenant (${DEFAULT_TENANT_ID}). Without --password-stdin a random password is generated and
printed once; with it, the first line of standard input is the password (at least 10 characters).
A reset signs the person out everywhere. With the embedded database, stop the server first.`;

/** Letters and digits without look-alikes (0/O, 1/l/I), for a password read from a terminal. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function generatedPassword(): string {
  let out = '';
  for (let i = 0; i < 16; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

async function stdinLine(): Promise<string> {
  let data = '';
  for await (const chunk of process.stdin) {
    data += String(chunk);
    if (data.includes('\n')) break;
  }
  return data.split(/\r?\n/)[0] ?? '';
}

async function passwordFrom(fromStdin: boolean): Promise<{ password: string; generated: boolean }> {
  if (!fromStdin) return { password: generatedPassword(), generated: true };
  const password = await stdinLine();
  const problem = passwordProblem(password);
  if (problem !== null) throw new CliError(`the password needs ${problem}`);
  return { password, generated: false };
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      email: { type: 'string' },
      role: { type: 'string' },
      tenant: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [action] = positionals;
  if (values.help || action === undefined) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  if (!['create', 'reset', 'list'].includes(action))
    throw new CliError(`unknown action "${action}"\n\n${usage}`);
  const role = (values.role ?? 'owner') as UserRole;
  if (!USER_ROLES.includes(role))
    throw new CliError(`--role takes owner, agent or viewer, got "${values.role}"`);
  const email = values.email?.trim();
  if (action !== 'list' && (email === undefined || !/^[^\s@]+@[^\s@]+$/.test(email))) {
    throw new CliError(`users ${action} needs --email with an email address`);
  }
  const tenantId = values.tenant ?? DEFAULT_TENANT_ID;
  const { store } = await openOperatorStore();
  try {
    if ((await store.tx(tenantId, (r) => r.tenants.get())) === null)
      throw new CliError(`no tenant ${tenantId}`);
    if (action === 'list') {
      const users = await store.tx(tenantId, (r) => r.users.list());
      for (const u of users) console.log(`${u.id}  ${u.role.padEnd(6)}  ${u.email}`);
      if (users.length === 0) console.log(`No accounts in ${tenantId}.`);
      return 0;
    }
    const { password, generated } = await passwordFrom(values['password-stdin'] === true);
    const passwordHash = await hashPassword(password);
    if (action === 'create') {
      try {
        const user = await store.tx(tenantId, (r) => r.users.create({ email: email!, role, passwordHash }));
        console.log(`Created ${user.role} ${user.email} (${user.id}) in ${tenantId}.`);
      } catch (err) {
        if (err instanceof ConflictError) throw new CliError(`an account with the email ${email} exists`);
        throw err;
      }
    } else {
      const done = await store.tx(tenantId, async (r) => {
        const user = await r.users.findByEmail(email!);
        if (user === null) return false;
        return r.users.setPassword(user.id, passwordHash, Date.now());
      });
      if (!done) throw new CliError(`no account with the email ${email} in ${tenantId}`);
      console.log(`Password of ${email} reset; every session of this account was signed out.`);
    }
    if (generated) console.log(`Password (shown once): ${password}`);
    return 0;
  } finally {
    await store.close();
  }
}
