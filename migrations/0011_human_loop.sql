-- Why: the human loop (issue 15): who answers a conversation (the bot, a person, or nobody yet after a hand-off) lives on the contact; messages typed by the seller (on the phone or through the API) are stored as outbound `human` messages; integrators register outgoing webhooks whose deliveries are tracked, dead-lettered and replayed; the event fan-out keeps its position in each tenant's event log.

-- Ownership of the conversation. `handoff_at` (0002) stays the "automation is quiet" mark the
-- follow-up and redecide paths read: it is set whenever ownership is not 'bot'.
ALTER TABLE contacts ADD COLUMN ownership text NOT NULL DEFAULT 'bot'
  CHECK (ownership IN ('bot', 'human', 'waiting'));
ALTER TABLE contacts ADD COLUMN ownership_since timestamptz;
-- Who took the conversation (a dashboard user's name, "phone"): can name a person, so sealed.
ALTER TABLE contacts ADD COLUMN owner_enc text;
-- The last message a person sent in this conversation (the quiet period before the bot returns).
ALTER TABLE contacts ADD COLUMN last_human_at timestamptz;
UPDATE contacts SET ownership = 'waiting', ownership_since = handoff_at WHERE handoff_at IS NOT NULL;
CREATE INDEX contacts_ownership ON contacts (tenant_id, ownership) WHERE ownership <> 'bot';

-- Messages written by a person: echoed from the seller's phone, or sent through the API.
ALTER TABLE messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE messages ADD CONSTRAINT messages_kind_check
  CHECK (kind IN ('reply', 'followup', 'proactive', 'inbound', 'human'));

-- Outgoing webhooks an integrator registered. The URL can carry a token and the secret signs
-- every delivery: both sealed.
CREATE TABLE webhook_endpoints (
  id text NOT NULL,
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  url_enc text NOT NULL,
  secret_enc text NOT NULL,
  -- Event types delivered; empty means every type.
  event_types text[] NOT NULL DEFAULT '{}',
  description text,
  enabled boolean NOT NULL DEFAULT true,
  -- Events before this position in the log are not delivered (the log existed before the endpoint).
  from_seq bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE webhook_deliveries (
  id text NOT NULL,
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  endpoint_id text NOT NULL,
  event_id text NOT NULL,
  event_seq bigint NOT NULL,
  event_type text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  last_status_code integer,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  -- One delivery per event and endpoint: the fan-out may read an event twice.
  UNIQUE (tenant_id, endpoint_id, event_id),
  FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (tenant_id, endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_dead ON webhook_deliveries (tenant_id, created_at DESC) WHERE status = 'dead';

-- Where each consumer of the event log (outgoing webhooks, seller notifications) stands per tenant.
CREATE TABLE event_cursors (
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  consumer text NOT NULL,
  last_seq bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, consumer)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['webhook_endpoints', 'webhook_deliveries', 'event_cursors'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_setting(''app.tenant_id'', true)) '
      'WITH CHECK (tenant_id = current_setting(''app.tenant_id'', true))', t);
    EXECUTE format('CREATE POLICY owner_maintenance ON %I USING (current_user <> ''sellify_app'' '
      'AND current_setting(''app.owner_access'', true) = ''on'') WITH CHECK (current_user <> ''sellify_app'' '
      'AND current_setting(''app.owner_access'', true) = ''on'')', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO sellify_app', t);
  END LOOP;
END $$;
