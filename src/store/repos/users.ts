/**
 * Seller accounts (migration 0016): people who sign in to the dashboard, per tenant, with a role
 * (owner, agent, viewer), their browser sessions and one-time invite links. The email is sealed and
 * found through a blind index in one scope for every tenant (sign-in does not know the tenant, so an
 * email belongs to one account in the whole installation). Passwords arrive here already hashed
 * (src/crypto/password.ts); session and invite tokens arrive as SHA-256 hashes: a stolen database
 * holds nothing that signs anyone in.
 */

import { createHash } from 'node:crypto';
import type { Keyring } from '../../crypto/keyring.ts';
import { newId, randomBase62 } from '../ids.ts';
import type { Db } from '../types.ts';
import {
  ConflictError,
  isoOf,
  isUniqueViolation,
  msOf,
  msOrNull,
  type RepoContext,
  seal,
  unseal,
} from './common.ts';

export type UserRole = 'owner' | 'agent' | 'viewer';
export const USER_ROLES: readonly UserRole[] = ['owner', 'agent', 'viewer'];

export interface User {
  id: string;
  tenantId: string;
  email: string;
  role: UserRole;
  createdAtMs: number;
  disabledAtMs: number | null;
}

export interface Invite {
  id: string;
  role: UserRole;
  createdAtMs: number;
  expiresAtMs: number;
  usedAtMs: number | null;
}

/** Blind-index scope of emails: one for all tenants (see the module comment). */
export const EMAIL_BIDX_SCOPE = 'user-email';
/** Random part of session and invite tokens: 43 base62 characters ≈ 256 bits. */
const TOKEN_CHARS = 43;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A new random token and the hash that is stored. The token itself is never stored. */
export function newToken(): { token: string; tokenHash: string } {
  const token = randomBase62(TOKEN_CHARS);
  return { token, tokenHash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface UsersRepo {
  /** ConflictError when the email already has an account (in any tenant). */
  create(input: { email: string; role: UserRole; passwordHash: string }): Promise<User>;
  get(id: string): Promise<User | null>;
  /** Oldest first. */
  list(): Promise<User[]>;
  count(): Promise<number>;
  /** The account of this email in this tenant, or null. */
  findByEmail(email: string): Promise<User | null>;
  /** Sets a new password and revokes every session of the user (a reset signs out everywhere). */
  setPassword(id: string, passwordHash: string, atMs: number): Promise<boolean>;
  createSession(userId: string, tokenHash: string, expiresAtMs: number): Promise<string>;
  revokeSession(sessionId: string, atMs: number): Promise<void>;
  /** Sign out everywhere: returns how many sessions were open. */
  revokeAllSessions(userId: string, atMs: number): Promise<number>;
  createInvite(input: { tokenHash: string; role: UserRole; expiresAtMs: number }): Promise<Invite>;
  /** Marks the invite used by `userId`; false when it was already used or has expired (a race lost). */
  useInvite(id: string, userId: string, atMs: number): Promise<boolean>;
}

interface UserRow {
  id: string;
  tenant_id: string;
  email_enc: string;
  role: UserRole;
  created_at: Date;
  disabled_at: Date | null;
}

interface InviteRow {
  id: string;
  role: UserRole;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

const TABLE = 'users';
const EMAIL = 'email_enc';
const COLUMNS = 'id, tenant_id, email_enc, role, created_at, disabled_at';

export function usersRepo(c: RepoContext): UsersRepo {
  const toUser = (r: UserRow): User => ({
    id: r.id,
    tenantId: r.tenant_id,
    email: unseal(c, TABLE, EMAIL, r.id, r.email_enc),
    role: r.role,
    createdAtMs: msOf(r.created_at),
    disabledAtMs: msOrNull(r.disabled_at),
  });
  const toInvite = (r: InviteRow): Invite => ({
    id: r.id,
    role: r.role,
    createdAtMs: msOf(r.created_at),
    expiresAtMs: msOf(r.expires_at),
    usedAtMs: msOrNull(r.used_at),
  });
  return {
    async create(input) {
      if (!USER_ROLES.includes(input.role)) throw new RangeError(`unknown role '${input.role}'`);
      const email = normalizeEmail(input.email);
      const id = newId('usr');
      try {
        const { rows } = await c.tx.query<UserRow>(
          `INSERT INTO users (id, tenant_id, email_bidx, email_enc, role, password_hash)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
          [
            id,
            c.tenantId,
            c.keyring.blindIndex(email, EMAIL_BIDX_SCOPE),
            seal(c, TABLE, EMAIL, id, email),
            input.role,
            input.passwordHash,
          ],
        );
        return toUser(rows[0]!);
      } catch (err) {
        if (isUniqueViolation(err))
          throw new ConflictError('an account with this email exists', { cause: err });
        throw err;
      }
    },
    async get(id) {
      const { rows } = await c.tx.query<UserRow>(
        `SELECT ${COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2`,
        [c.tenantId, id],
      );
      return rows[0] ? toUser(rows[0]) : null;
    },
    async list() {
      const { rows } = await c.tx.query<UserRow>(
        `SELECT ${COLUMNS} FROM users WHERE tenant_id = $1 ORDER BY created_at, id`,
        [c.tenantId],
      );
      return rows.map(toUser);
    },
    async count() {
      const { rows } = await c.tx.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM users WHERE tenant_id = $1',
        [c.tenantId],
      );
      return rows[0]?.n ?? 0;
    },
    async findByEmail(email) {
      const { rows } = await c.tx.query<UserRow>(
        `SELECT ${COLUMNS} FROM users WHERE tenant_id = $1 AND email_bidx = ANY($2::text[])`,
        [c.tenantId, c.keyring.blindIndexes(normalizeEmail(email), EMAIL_BIDX_SCOPE)],
      );
      return rows[0] ? toUser(rows[0]) : null;
    },
    async setPassword(id, passwordHash, atMs) {
      const { rows } = await c.tx.query<{ id: string }>(
        `UPDATE users SET password_hash = $3, password_changed_at = $4::timestamptz
         WHERE tenant_id = $1 AND id = $2 RETURNING id`,
        [c.tenantId, id, passwordHash, isoOf(atMs)],
      );
      if (rows.length === 0) return false;
      await this.revokeAllSessions(id, atMs);
      return true;
    },
    async createSession(userId, tokenHash, expiresAtMs) {
      const id = newId('ses');
      await c.tx.query(
        `INSERT INTO user_sessions (id, tenant_id, user_id, token_hash, expires_at)
         VALUES ($1, $2, $3, $4, $5::timestamptz)`,
        [id, c.tenantId, userId, tokenHash, isoOf(expiresAtMs)],
      );
      return id;
    },
    async revokeSession(sessionId, atMs) {
      await c.tx.query(
        `UPDATE user_sessions SET revoked_at = coalesce(revoked_at, $3::timestamptz)
         WHERE tenant_id = $1 AND id = $2`,
        [c.tenantId, sessionId, isoOf(atMs)],
      );
    },
    async revokeAllSessions(userId, atMs) {
      const { rows } = await c.tx.query<{ id: string }>(
        `UPDATE user_sessions SET revoked_at = $3::timestamptz
         WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id`,
        [c.tenantId, userId, isoOf(atMs)],
      );
      return rows.length;
    },
    async createInvite(input) {
      if (!USER_ROLES.includes(input.role)) throw new RangeError(`unknown role '${input.role}'`);
      const { rows } = await c.tx.query<InviteRow>(
        `INSERT INTO user_invites (id, tenant_id, token_hash, role, expires_at)
         VALUES ($1, $2, $3, $4, $5::timestamptz) RETURNING id, role, created_at, expires_at, used_at`,
        [newId('inv'), c.tenantId, input.tokenHash, input.role, isoOf(input.expiresAtMs)],
      );
      return toInvite(rows[0]!);
    },
    async useInvite(id, userId, atMs) {
      const { rows } = await c.tx.query<{ id: string }>(
        `UPDATE user_invites SET used_at = $3::timestamptz, used_by = $4
         WHERE tenant_id = $1 AND id = $2 AND used_at IS NULL AND expires_at > $3::timestamptz RETURNING id`,
        [c.tenantId, id, isoOf(atMs), userId],
      );
      return rows.length === 1;
    },
  };
}

/** What sign-in learns from an email before any tenant transaction exists. */
export interface UserLookup {
  id: string;
  tenantId: string;
  role: UserRole;
  passwordHash: string;
  disabledAtMs: number | null;
}

export async function findUserByEmail(db: Db, keyring: Keyring, email: string): Promise<UserLookup | null> {
  const bidxs = keyring.blindIndexes(normalizeEmail(email), EMAIL_BIDX_SCOPE);
  const { rows } = await db.appTx((tx) =>
    tx.query<{
      id: string;
      tenant_id: string;
      role: UserRole;
      password_hash: string;
      disabled_at: Date | null;
    }>('SELECT id, tenant_id, role, password_hash, disabled_at FROM sellify_find_user_by_email($1::text[])', [
      bidxs,
    ]),
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id,
    tenantId: r.tenant_id,
    role: r.role,
    passwordHash: r.password_hash,
    disabledAtMs: msOrNull(r.disabled_at),
  };
}

/** A session found by its token's hash, with its user's current role. */
export interface SessionLookup {
  id: string;
  tenantId: string;
  userId: string;
  role: UserRole;
  expiresAtMs: number;
  revokedAtMs: number | null;
  disabledAtMs: number | null;
}

export async function findSessionByHash(db: Db, tokenHash: string): Promise<SessionLookup | null> {
  const { rows } = await db.appTx((tx) =>
    tx.query<{
      id: string;
      tenant_id: string;
      user_id: string;
      role: UserRole;
      expires_at: Date;
      revoked_at: Date | null;
      disabled_at: Date | null;
    }>(
      'SELECT id, tenant_id, user_id, role, expires_at, revoked_at, disabled_at FROM sellify_find_session($1)',
      [tokenHash],
    ),
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id,
    tenantId: r.tenant_id,
    userId: r.user_id,
    role: r.role,
    expiresAtMs: msOf(r.expires_at),
    revokedAtMs: msOrNull(r.revoked_at),
    disabledAtMs: msOrNull(r.disabled_at),
  };
}

export interface InviteLookup {
  id: string;
  tenantId: string;
  role: UserRole;
  expiresAtMs: number;
  usedAtMs: number | null;
}

export async function findInviteByHash(db: Db, tokenHash: string): Promise<InviteLookup | null> {
  const { rows } = await db.appTx((tx) =>
    tx.query<{ id: string; tenant_id: string; role: UserRole; expires_at: Date; used_at: Date | null }>(
      'SELECT id, tenant_id, role, expires_at, used_at FROM sellify_find_invite($1)',
      [tokenHash],
    ),
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id,
    tenantId: r.tenant_id,
    role: r.role,
    expiresAtMs: msOf(r.expires_at),
    usedAtMs: msOrNull(r.used_at),
  };
}
