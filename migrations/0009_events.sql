-- Why: the human loop and order-taking (issues 13, 15) need one per-tenant log of what happened that a person or a system must hear about (hand-off requested, human took over, order created, channel paused, customer opted out): it feeds the dashboard's event stream, outgoing webhooks and notifications to the seller. `seq` orders it (Server-Sent Events resume from Last-Event-ID); the payload can quote customers, so it is sealed.

CREATE TABLE events (
  seq bigserial PRIMARY KEY,
  id text NOT NULL,
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  type text NOT NULL CHECK (type ~ '^[a-z_]+\.[a-z_]+$'),
  channel_id text,
  contact_id text,
  -- What the event is about beyond its contact (an order id, a message id).
  subject_id text,
  data_enc text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id)
);
CREATE INDEX events_tenant_seq ON events (tenant_id, seq);
CREATE INDEX events_tenant_contact ON events (tenant_id, contact_id, seq) WHERE contact_id IS NOT NULL;

ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON events
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY owner_maintenance ON events
  USING (current_user <> 'sellify_app' AND current_setting('app.owner_access', true) = 'on')
  WITH CHECK (current_user <> 'sellify_app' AND current_setting('app.owner_access', true) = 'on');
GRANT SELECT, INSERT ON events TO sellify_app;
GRANT USAGE ON SEQUENCE events_seq_seq TO sellify_app;
