/**
 * `sellify users` through the real processes: an owner created on the command line signs in to
 * the server that starts next, a reset password replaces the old one, and the banner stops printing
 * an owner set-up link once an account exists.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, sellify, serve, stop, tempDir } from '../e2e/harness.ts';

afterAll(cleanup);

async function signIn(url: string, email: string, password: string): Promise<number> {
  const res = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return res.status;
}

describe('sellify users', () => {
  it('creates an owner, resets the password, and the server signs in with the new one only', async () => {
    const env = { SELLIFY_DATA_DIR: tempDir() };
    const email = 'Awa@Boutique.example';
    const created = await sellify(
      ['users', 'create', '--email', email, '--password-stdin'],
      env,
      'premier mot de passe\n',
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('Created owner awa@boutique.example');
    expect(created.stdout).not.toContain('premier mot de passe');

    const duplicate = await sellify(
      ['users', 'create', '--email', email, '--password-stdin'],
      env,
      'encore un autre\n',
    );
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toContain('exists');

    const reset = await sellify(['users', 'reset', '--email', 'awa@boutique.example'], env);
    expect(reset.code, reset.stderr).toBe(0);
    const generated = /Password \(shown once\): (\S+)/.exec(reset.stdout)?.[1];
    expect(generated).toMatch(/^[A-Za-z0-9]{16}$/);

    const listed = await sellify(['users', 'list'], env);
    expect(listed.stdout).toMatch(/usr_\w+ {2}owner {3}awa@boutique\.example/);

    const server = await serve(env);
    try {
      expect(server.stdout()).not.toContain('#/invite/');
      expect(server.stdout()).toContain(`Dashboard: ${server.url}/`);
      expect(await signIn(server.url, email, generated!)).toBe(200);
      expect(await signIn(server.url, email, 'premier mot de passe')).toBe(401);
    } finally {
      expect(await stop(server)).toBe(0);
    }
  });

  it('refuses a short password and an unknown role', async () => {
    const env = { SELLIFY_DATA_DIR: tempDir() };
    const short = await sellify(
      ['users', 'create', '--email', 'a@b.example', '--password-stdin'],
      env,
      'court\n',
    );
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('at least 10 characters');
    const role = await sellify(['users', 'create', '--email', 'a@b.example', '--role', 'boss'], env);
    expect(role.code).toBe(2);
    expect(role.stderr).toContain('--role takes owner, agent or viewer');
  });
});
