-- CAP out: the ledger of GB/T 35965.1 identifiers. Each message of each warning (a revision, or
-- the closing message of a resolution) gets its identifier once; the identifier (issuer code,
-- Beijing second, sequence) is the primary key, so none is ever issued twice, and the ledger is
-- append-only: the services' role may insert and read it, nothing else.
CREATE TABLE cap_identifiers (
  identifier text PRIMARY KEY CHECK (identifier ~ '^[0-9]{31}$'),
  issuer_code text NOT NULL CHECK (issuer_code ~ '^[0-9]{14}$'),
  sent timestamptz NOT NULL,
  seq integer NOT NULL CHECK (seq BETWEEN 1 AND 999),
  warning_id text NOT NULL,
  part text NOT NULL,
  revision integer NOT NULL,
  msg_type text NOT NULL CHECK (msg_type IN ('Alert', 'Update', 'Cancel')),
  issued_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (issuer_code, warning_id, part),
  UNIQUE (issuer_code, sent, seq)
);
CREATE INDEX cap_identifiers_sent ON cap_identifiers (sent DESC);

CREATE FUNCTION cap_identifiers_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'cap_identifiers is append-only: % refused (an identifier is issued once)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER cap_identifiers_no_change BEFORE UPDATE OR DELETE ON cap_identifiers
  FOR EACH ROW EXECUTE FUNCTION cap_identifiers_append_only();

DO $$
DECLARE
  app text := coalesce(nullif(current_setting('liandong.app_role', true), ''), 'liandong_app');
BEGIN
  IF app <> current_user AND EXISTS (SELECT FROM pg_roles WHERE rolname = app) THEN
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON cap_identifiers FROM %I', app);
  END IF;
END
$$;
