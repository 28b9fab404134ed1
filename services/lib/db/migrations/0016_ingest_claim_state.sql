-- A claim is no longer held open in a transaction while its record is produced to Kafka. It is
-- written 'pending' in a short statement of its own, the record is produced, and the claim is
-- marked 'published' in another short statement once Kafka acknowledged it. A pending claim
-- whose request died (a crash between produce and mark) is taken over by a resend of the same
-- content after a lease (accepted_at is when it was claimed), and produced again under the same
-- event id. claimed_by / claim_token name the process and the commit that hold a pending claim,
-- so that only its holder deletes it after a failed produce, and a process recognizes its own
-- orphans (a claim whose commit it could not confirm).
-- Rows written before this migration were committed only after Kafka acknowledged them: they
-- are 'published' (a constant default: no rewrite of the table, existing rows read it at once).
ALTER TABLE ingest_records
  ADD COLUMN state text NOT NULL DEFAULT 'published' CHECK (state IN ('pending', 'published')),
  ADD COLUMN claimed_by uuid,
  ADD COLUMN claim_token uuid;
