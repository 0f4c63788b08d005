-- Why: since 2026 Meta's Cloud API identifies users by a business-scoped user id (BSUID, e.g. 'CI.1502576394655843'), and a user who adopts a username may write without a phone number at all. Such a customer must be stored and answered (addressed by BSUID), not dropped. A contact now needs a phone or a BSUID; both are sealed and found again through a blind index.

ALTER TABLE contacts ALTER COLUMN phone_enc DROP NOT NULL;
ALTER TABLE contacts ALTER COLUMN phone_bidx DROP NOT NULL;
ALTER TABLE contacts ADD COLUMN bsuid_enc text;
ALTER TABLE contacts ADD COLUMN bsuid_bidx text;
ALTER TABLE contacts ADD CONSTRAINT contacts_phone_or_bsuid
  CHECK ((phone_enc IS NOT NULL AND phone_bidx IS NOT NULL) OR (bsuid_enc IS NOT NULL AND bsuid_bidx IS NOT NULL));
ALTER TABLE contacts ADD CONSTRAINT contacts_phone_pair CHECK ((phone_enc IS NULL) = (phone_bidx IS NULL));
ALTER TABLE contacts ADD CONSTRAINT contacts_bsuid_pair CHECK ((bsuid_enc IS NULL) = (bsuid_bidx IS NULL));
CREATE UNIQUE INDEX contacts_channel_bsuid ON contacts (tenant_id, channel_id, bsuid_bidx) WHERE bsuid_bidx IS NOT NULL;
