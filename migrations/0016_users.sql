-- Why: the seller dashboard (issue 16) signs people in, not machines: seller accounts per tenant with a role (owner, agent, viewer), their browser sessions and one-time invite links. Emails are sealed (found through a blind index), passwords are stored only as scrypt hashes, and session and invite tokens only as SHA-256 hashes. Sign-in, session and invite look-ups happen before the tenant is known, so they go through SECURITY DEFINER functions like the API-key look-up.

CREATE TABLE users (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  -- HMAC blind index of the normalised email (one scope for all tenants: sign-in does not know the tenant).
  email_bidx text NOT NULL UNIQUE,
  email_enc text NOT NULL,
  role text NOT NULL CHECK (role IN ('owner', 'agent', 'viewer')),
  -- scrypt$<log2 N>$<r>$<p>$<salt b64url>$<hash b64url>
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz,
  UNIQUE (tenant_id, id)
);

CREATE TABLE user_sessions (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX user_sessions_user ON user_sessions (tenant_id, user_id);

CREATE TABLE user_invites (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  role text NOT NULL CHECK (role IN ('owner', 'agent', 'viewer')),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  used_by text
);

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY owner_maintenance ON users
  USING (current_user <> 'sellify_app' AND current_setting('app.owner_access', true) = 'on')
  WITH CHECK (current_user <> 'sellify_app' AND current_setting('app.owner_access', true) = 'on');
GRANT SELECT, INSERT, UPDATE, DELETE ON users TO sellify_app;

ALTER TABLE user_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON user_sessions
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY owner_maintenance ON user_sessions
  USING (current_user <> 'sellify_app' AND current_setting('app.owner_access', true) = 'on')
  WITH CHECK (current_user <> 'sellify_app' AND current_setting('app.owner_access', true) = 'on');
GRANT SELECT, INSERT, UPDATE, DELETE ON user_sessions TO sellify_app;

ALTER TABLE user_invites ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_invites FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON user_invites
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY owner_maintenance ON user_invites
  USING (current_user <> 'sellify_app' AND current_setting('app.owner_access', true) = 'on')
  WITH CHECK (current_user <> 'sellify_app' AND current_setting('app.owner_access', true) = 'on');
GRANT SELECT, INSERT, UPDATE, DELETE ON user_invites TO sellify_app;

-- Sign-in: the account behind an email's blind indexes (one per keyring key, so rotation keeps working).
CREATE FUNCTION sellify_find_user_by_email(email_bidxs text[])
RETURNS TABLE (id text, tenant_id text, role text, password_hash text, disabled_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET app.owner_access = 'on'
AS $$
  SELECT u.id, u.tenant_id, u.role, u.password_hash, u.disabled_at
  FROM public.users u
  WHERE u.email_bidx = ANY (sellify_find_user_by_email.email_bidxs)
  LIMIT 1
$$;

-- Every request made with a session cookie: the session and its user, by the token's hash.
CREATE FUNCTION sellify_find_session(token_hash text)
RETURNS TABLE (id text, tenant_id text, user_id text, role text, expires_at timestamptz,
               revoked_at timestamptz, disabled_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET app.owner_access = 'on'
AS $$
  SELECT s.id, s.tenant_id, s.user_id, u.role, s.expires_at, s.revoked_at, u.disabled_at
  FROM public.user_sessions s
  JOIN public.users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
  WHERE s.token_hash = sellify_find_session.token_hash
$$;

-- Accepting an invite: its tenant and role, by the token's hash.
CREATE FUNCTION sellify_find_invite(token_hash text)
RETURNS TABLE (id text, tenant_id text, role text, expires_at timestamptz, used_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET app.owner_access = 'on'
AS $$
  SELECT i.id, i.tenant_id, i.role, i.expires_at, i.used_at
  FROM public.user_invites i
  WHERE i.token_hash = sellify_find_invite.token_hash
$$;

REVOKE ALL ON FUNCTION sellify_find_user_by_email(text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION sellify_find_session(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION sellify_find_invite(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sellify_find_user_by_email(text[]) TO sellify_app;
GRANT EXECUTE ON FUNCTION sellify_find_session(text) TO sellify_app;
GRANT EXECUTE ON FUNCTION sellify_find_invite(text) TO sellify_app;
