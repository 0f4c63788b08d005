-- Why: the WhatsApp pipelines need to know which inbound message a reply answers (read receipts), when a send was attempted (exactly-once recovery after a crash between the provider's answer and our commit), and when a conversation was handed to a person (automation stops for that contact).

ALTER TABLE messages ADD COLUMN reply_to_provider_id text;
ALTER TABLE messages ADD COLUMN send_started_at timestamptz;
ALTER TABLE messages ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN handoff_at timestamptz;

-- Outbound messages still waiting to be sent, per channel (recovery and the dashboard).
CREATE INDEX messages_queued_idx ON messages (tenant_id, channel_id, created_at) WHERE status = 'queued';
