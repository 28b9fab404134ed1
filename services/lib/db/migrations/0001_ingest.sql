-- Department keys for the ingest services. Only a SHA-256 digest of each key is stored: keys are
-- 256-bit random tokens, so a fast hash is enough and a stolen table reveals no usable key.
CREATE TABLE ingest_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  department text NOT NULL,
  key_hash bytea NOT NULL UNIQUE,
  label text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL DEFAULT 'admin-cli',
  revoked_at timestamptz
);
CREATE INDEX ingest_keys_department ON ingest_keys (department) WHERE revoked_at IS NULL;

-- Every record an ingest service accepted, keyed by department and source id: a repeat is a
-- duplicate, never a second event, across restarts and instances.
CREATE TABLE ingest_records (
  department text NOT NULL,
  source_id text NOT NULL,
  event_id uuid NOT NULL,
  content_hash bytea NOT NULL,
  topic text NOT NULL,
  accepted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (department, source_id)
);

-- Cursors of the pull connectors: a restart neither skips nor repeats.
CREATE TABLE ingest_cursors (
  connector_id text PRIMARY KEY,
  department text NOT NULL,
  cursor jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
