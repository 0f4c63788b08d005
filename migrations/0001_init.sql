-- Why: the first schema of Sellify (tenants, API keys, channels, contacts, messages, decisions, catalogue, playbooks, orders, idempotency keys) with the restricted role `sellify_app` that every request runs as, so row-level security keeps each tenant to its own rows even when a query forgets its WHERE clause.

-- The restricted role. Roles are cluster-wide, so two databases (or two test processes) may race
-- to create it: the duplicate errors are swallowed. It cannot log in, is never superuser, never
-- bypasses RLS and owns nothing; the connection user switches to it with SET LOCAL ROLE.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'sellify_app') THEN
    BEGIN
      CREATE ROLE sellify_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
  END IF;
  -- A non-superuser owner must be a member to SET ROLE to it (superusers may always).
  IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)
     AND NOT pg_catalog.pg_has_role(current_user, 'sellify_app', 'MEMBER') THEN
    BEGIN
      EXECUTE format('GRANT sellify_app TO %I', current_user);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO sellify_app;

CREATE TABLE tenants (
  id text PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  prefix text NOT NULL,
  key_hash text NOT NULL UNIQUE,
  scopes text[] NOT NULL DEFAULT '{}',
  rate_limit_per_minute integer CHECK (rate_limit_per_minute IS NULL OR rate_limit_per_minute > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at);

CREATE TABLE channels (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  transport text NOT NULL CHECK (transport IN ('cloud', 'evolution', 'waha', 'sandbox')),
  -- Where inbound webhooks are routed before the tenant is known: `cloud:<phone_number_id>`.
  route_key text UNIQUE,
  credentials_enc text,
  timezone text NOT NULL DEFAULT 'Africa/Abidjan',
  preset text NOT NULL DEFAULT 'moderate' CHECK (preset IN ('conservative', 'moderate', 'aggressive')),
  settings jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'active',
  paused boolean NOT NULL DEFAULT false,
  warmup_started_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- Target of the composite foreign keys below: a row can only point at its own tenant's channel.
  UNIQUE (tenant_id, id)
);

CREATE TABLE health_events (
  id text PRIMARY KEY,
  tenant_id text NOT NULL,
  channel_id text NOT NULL,
  type text NOT NULL,
  at timestamptz NOT NULL,
  until_at timestamptz,
  detail jsonb,
  FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX health_events_channel_at ON health_events (tenant_id, channel_id, at DESC);

CREATE TABLE contacts (
  id text PRIMARY KEY,
  tenant_id text NOT NULL,
  channel_id text NOT NULL,
  phone_enc text NOT NULL,
  phone_bidx text NOT NULL,
  name_enc text,
  country text,
  timezone text,
  stage text NOT NULL DEFAULT 'new'
    CHECK (stage IN ('new', 'engaged', 'interested', 'negotiating', 'ordered', 'paid', 'fulfilled', 'lost', 'opted_out')),
  opted_out boolean NOT NULL DEFAULT false,
  opted_in boolean NOT NULL DEFAULT false,
  opted_out_at timestamptz,
  last_inbound_at timestamptz,
  last_outbound_at timestamptz,
  followups_sent integer NOT NULL DEFAULT 0 CHECK (followups_sent >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, channel_id, phone_bidx),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX contacts_channel_created ON contacts (tenant_id, channel_id, created_at DESC, id DESC);
CREATE INDEX contacts_tenant_created ON contacts (tenant_id, created_at DESC, id DESC);

CREATE TABLE decisions (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  channel_id text,
  contact_id text,
  message_id text,
  action text NOT NULL,
  intent text,
  stage text,
  text_enc text,
  send_at timestamptz,
  delay_ms integer,
  typing_ms integer,
  -- Reason codes and their details are the seller-facing explanation; engines keep customer text out of them.
  reasons jsonb NOT NULL DEFAULT '[]',
  -- Engine verdicts can quote what the customer wrote (matched product words), so they are sealed.
  verdicts_enc text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX decisions_tenant_created ON decisions (tenant_id, created_at DESC, id DESC);
CREATE INDEX decisions_contact_created ON decisions (tenant_id, contact_id, created_at DESC, id DESC);

CREATE TABLE messages (
  id text PRIMARY KEY,
  tenant_id text NOT NULL,
  channel_id text NOT NULL,
  contact_id text NOT NULL,
  direction text NOT NULL CHECK (direction IN ('in', 'out')),
  kind text NOT NULL CHECK (kind IN ('reply', 'followup', 'proactive', 'inbound')),
  provider_id text,
  body_enc text,
  -- Blind index of the outbound text: counts identical texts per hour without storing the text.
  body_bidx text,
  type text NOT NULL DEFAULT 'text',
  status text NOT NULL CHECK (status IN ('received', 'queued', 'sent', 'delivered', 'read', 'failed')),
  error_code text,
  is_cold boolean NOT NULL DEFAULT false,
  decision_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- The idempotency key of inbound webhooks and status updates.
  UNIQUE (channel_id, provider_id),
  FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, decision_id) REFERENCES decisions (tenant_id, id) ON DELETE SET NULL (decision_id)
);
CREATE INDEX messages_channel_direction_created ON messages (tenant_id, channel_id, direction, created_at);
CREATE INDEX messages_contact_created ON messages (tenant_id, contact_id, created_at DESC, id DESC);
CREATE INDEX messages_out_sent ON messages (tenant_id, channel_id, sent_at) WHERE direction = 'out' AND sent_at IS NOT NULL;
CREATE INDEX messages_body_bidx ON messages (channel_id, body_bidx, sent_at) WHERE body_bidx IS NOT NULL;

CREATE TABLE products (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  aliases text[] NOT NULL DEFAULT '{}',
  price bigint NOT NULL CHECK (price >= 0),
  currency char(3) NOT NULL,
  stock integer,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_tenant_name ON products (tenant_id, name);

CREATE TABLE playbooks (
  tenant_id text PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  templates jsonb NOT NULL DEFAULT '{}',
  business_hours jsonb,
  followup_ladder_ms integer[] NOT NULL DEFAULT '{900000,3600000,86400000}',
  away_message text,
  info jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
  id text PRIMARY KEY,
  tenant_id text NOT NULL,
  channel_id text NOT NULL,
  contact_id text NOT NULL,
  items jsonb NOT NULL DEFAULT '[]',
  total bigint NOT NULL CHECK (total >= 0),
  currency char(3) NOT NULL,
  status text NOT NULL DEFAULT 'pending',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX orders_tenant_created ON orders (tenant_id, created_at DESC, id DESC);
CREATE INDEX orders_contact_created ON orders (tenant_id, contact_id, created_at DESC, id DESC);

CREATE TABLE idempotency_keys (
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  key text NOT NULL,
  request_hash text NOT NULL,
  state text NOT NULL CHECK (state IN ('in_flight', 'done')),
  status_code integer,
  -- The stored response can echo personal data (a reply text with the customer's name): sealed.
  response_enc text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);

-- Row-level security. One tenant policy per table (all commands); a second policy lets the owner
-- role see everything, but only inside ownerTx (which sets app.owner_access) and never as the app
-- role, so FORCE still hides rows from an owner connection that forgot where it was.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['api_keys', 'channels', 'health_events', 'contacts', 'decisions', 'messages',
                           'products', 'playbooks', 'orders', 'idempotency_keys']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_setting(''app.tenant_id'', true)) '
      'WITH CHECK (tenant_id = current_setting(''app.tenant_id'', true))', t);
    EXECUTE format(
      'CREATE POLICY owner_maintenance ON %I USING (current_user <> ''sellify_app'' '
      'AND current_setting(''app.owner_access'', true) = ''on'') WITH CHECK (current_user <> ''sellify_app'' '
      'AND current_setting(''app.owner_access'', true) = ''on'')', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO sellify_app', t);
  END LOOP;
END
$$;

-- The app role sees its own tenant row and cannot change it; tenants are created by the owner.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_self ON tenants FOR SELECT USING (id = current_setting('app.tenant_id', true));
CREATE POLICY owner_maintenance ON tenants
  USING (current_user <> 'sellify_app' AND current_setting('app.owner_access', true) = 'on')
  WITH CHECK (current_user <> 'sellify_app' AND current_setting('app.owner_access', true) = 'on');
GRANT SELECT ON tenants TO sellify_app;

-- Look-ups made before the tenant is known (authenticating an API key, routing a webhook). They
-- run as the owner with a fixed search_path and return only the columns the caller needs.
CREATE FUNCTION sellify_find_api_key(key_hash text)
RETURNS TABLE (id text, tenant_id text, scopes text[], rate_limit_per_minute integer, revoked_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET app.owner_access = 'on'
AS $$
  SELECT k.id, k.tenant_id, k.scopes, k.rate_limit_per_minute, k.revoked_at
  FROM public.api_keys k
  WHERE k.key_hash = sellify_find_api_key.key_hash
$$;

CREATE FUNCTION sellify_find_channel(route_key text)
RETURNS TABLE (tenant_id text, channel_id text, transport text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET app.owner_access = 'on'
AS $$
  SELECT c.tenant_id, c.id, c.transport
  FROM public.channels c
  WHERE c.route_key = sellify_find_channel.route_key
$$;

REVOKE ALL ON FUNCTION sellify_find_api_key(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION sellify_find_channel(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sellify_find_api_key(text) TO sellify_app;
GRANT EXECUTE ON FUNCTION sellify_find_channel(text) TO sellify_app;
