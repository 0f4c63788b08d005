-- Why: webhook hardening (issue 11): Meta's verify handshake must find a channel by a keyed hash of its verify token instead of decrypting every Cloud channel on each guess; replayed health events (a captured signed "session FAILED") must count once; and one webhook event that cannot be processed is parked, sealed, for the operator to list and replay, instead of failing the whole webhook forever.

-- HMAC (blind-index key, fixed scope) of the Cloud channel's verify token; null for other transports.
-- Not unique: the numbers of one Meta app share one callback URL and so one verify token.
ALTER TABLE channels ADD COLUMN verify_token_hash text;
CREATE INDEX channels_verify_token_hash ON channels (verify_token_hash) WHERE verify_token_hash IS NOT NULL;

-- The handshake's look-up before any tenant is known: only whether some Cloud channel has this hash.
CREATE FUNCTION sellify_cloud_verify_token_known(token_hashes text[])
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET app.owner_access = 'on'
AS $$
  SELECT EXISTS (
    SELECT 1 FROM public.channels c
    WHERE c.verify_token_hash = ANY (sellify_cloud_verify_token_known.token_hashes)
      AND c.transport = 'cloud' AND c.route_key IS NOT NULL
  )
$$;
REVOKE ALL ON FUNCTION sellify_cloud_verify_token_known(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sellify_cloud_verify_token_known(text[]) TO sellify_app;

-- Routing a Cloud webhook that names several numbers: one query for all of them.
CREATE FUNCTION sellify_find_channels(route_keys text[])
RETURNS TABLE (route_key text, tenant_id text, channel_id text, transport text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET app.owner_access = 'on'
AS $$
  SELECT c.route_key, c.tenant_id, c.id, c.transport
  FROM public.channels c
  WHERE c.route_key = ANY (sellify_find_channels.route_keys)
$$;
REVOKE ALL ON FUNCTION sellify_find_channels(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sellify_find_channels(text[]) TO sellify_app;

-- The old handshake look-up decrypted up to 1,000 channels per guess; nothing calls it any more.
DROP FUNCTION sellify_cloud_channels();

-- A health event the transport already delivered (provider event id, or its own timestamp and type)
-- is stored once per channel: a replayed webhook finds the key taken and changes nothing.
ALTER TABLE health_events ADD COLUMN dedup_key text;
CREATE UNIQUE INDEX health_events_dedup ON health_events (tenant_id, channel_id, dedup_key) WHERE dedup_key IS NOT NULL;

-- Webhook events whose processing threw (a sender id that is not a phone number, a bug): the
-- normalized event is sealed like every other piece of customer data; one row per event key, so a
-- redelivered webhook counts another attempt instead of adding a second record.
CREATE TABLE failed_events (
  id text PRIMARY KEY,
  tenant_id text NOT NULL,
  channel_id text NOT NULL,
  transport text NOT NULL,
  event_kind text NOT NULL,
  event_key text NOT NULL,
  event_enc text NOT NULL,
  error_code text NOT NULL,
  state text NOT NULL DEFAULT 'failed' CHECK (state IN ('failed', 'replayed')),
  attempts integer NOT NULL DEFAULT 1 CHECK (attempts >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_failed_at timestamptz NOT NULL DEFAULT now(),
  replayed_at timestamptz,
  UNIQUE (tenant_id, channel_id, event_key),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX failed_events_tenant_created ON failed_events (tenant_id, created_at DESC, id DESC);

ALTER TABLE failed_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE failed_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON failed_events
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY owner_maintenance ON failed_events
  USING (current_user <> 'sellify_app' AND current_setting('app.owner_access', true) = 'on')
  WITH CHECK (current_user <> 'sellify_app' AND current_setting('app.owner_access', true) = 'on');
GRANT SELECT, INSERT, UPDATE, DELETE ON failed_events TO sellify_app;
