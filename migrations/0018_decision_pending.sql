-- Why: with the language model switched on, an inbound message is stored and acknowledged first and decided later by a queue job that asks the model off the webhook's hot path (issue 18). The mark says "stored, not decided yet": the job takes it in the transaction that stores the decision (a row lock, so a redelivered or re-run job decides once), and a later message of the same contact waits behind it to keep the replies in order. The messages table already has row-level security; the column inherits it.

ALTER TABLE messages ADD COLUMN decision_pending boolean NOT NULL DEFAULT false;

CREATE INDEX messages_decision_pending ON messages (tenant_id, contact_id) WHERE decision_pending;
