-- Why: A/B messages (issue 15.7) measure which wording of a template sells; each outbound message records the experiment and the variant it carried, so outcomes (reply within 24 h, order, opt-out) are counted per variant from stored facts. The messages table already has row-level security; the new columns inherit it.

ALTER TABLE messages
  ADD COLUMN experiment_id text,
  ADD COLUMN variant_id text,
  ADD CONSTRAINT messages_variant_with_experiment CHECK ((experiment_id IS NULL) = (variant_id IS NULL));

CREATE INDEX messages_experiment ON messages (tenant_id, experiment_id, variant_id, contact_id, created_at)
  WHERE experiment_id IS NOT NULL;
