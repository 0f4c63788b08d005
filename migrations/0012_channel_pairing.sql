-- Why: connecting a number by QR or pairing code (issue 15.6) needs the pairing state of each gateway channel (connecting, qr, connected, disconnected, failed with a reason, QR codes shown in this attempt) to survive restarts and be shared by every instance, since it is moved by gateway webhooks that may reach any of them; the QR itself is never stored (it would let anyone link a device), only a short digest of the last one to drop redeliveries.

CREATE TABLE channel_pairing (
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  channel_id text NOT NULL,
  state text NOT NULL CHECK (state IN ('connecting', 'qr', 'connected', 'disconnected', 'failed')),
  reason text,
  qr_count integer NOT NULL DEFAULT 0 CHECK (qr_count >= 0),
  -- The key of the last update applied (a QR digest, a gateway event id): a redelivery changes nothing.
  last_key text,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, channel_id),
  FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id) ON DELETE CASCADE
);

ALTER TABLE channel_pairing ENABLE ROW LEVEL SECURITY;
ALTER TABLE channel_pairing FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON channel_pairing
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY owner_maintenance ON channel_pairing
  USING (current_user <> 'sellify_app' AND current_setting('app.owner_access', true) = 'on')
  WITH CHECK (current_user <> 'sellify_app' AND current_setting('app.owner_access', true) = 'on');
GRANT SELECT, INSERT, UPDATE, DELETE ON channel_pairing TO sellify_app;
