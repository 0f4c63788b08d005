-- Why: security hardening of the platform (issue 11): an idempotency record belongs to the API key that made the request, not to its whole tenant, and remembers when a secret minted for the first response was withheld from storage; decision reasons are sealed like the verdicts, because their details can quote what the customer wrote.

-- Records written before this migration cannot be attributed to a key, and those of POST /keys
-- hold the secret of the key they created: they are dropped. A client retrying a request made
-- before the upgrade runs it again, as after the 7-day expiry.
DELETE FROM idempotency_keys;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
-- `key_…` of the API key, or `env` for SELLIFY_API_KEY (no row in api_keys, hence no foreign key).
ALTER TABLE idempotency_keys ADD COLUMN api_key_id text NOT NULL;
-- True when the first response carried a secret shown only once (a new API key, a generated
-- webhook secret): the stored response lacks it, and a replay is refused instead of answered.
ALTER TABLE idempotency_keys ADD COLUMN secret_withheld boolean NOT NULL DEFAULT false;
ALTER TABLE idempotency_keys ADD PRIMARY KEY (tenant_id, api_key_id, key);

-- The full reasons, sealed (AAD: tenant, decisions, reasons_enc, decision id). `reasons` keeps only
-- {engine, code} in clear for filtering. Rows written before this migration have no reasons_enc
-- and their details in clear until the server seals them at start (sealLegacyReasons).
ALTER TABLE decisions ADD COLUMN reasons_enc text;
