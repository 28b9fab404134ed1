-- The hub: people and sessions, the projections of events and warnings, the acknowledgement
-- deadlines per routed unit, escalations, dispositions, the activity outbox, the live push log,
-- and the anchor that lets audit retention archive old entries without breaking the chain.

-- People. A liaison is bound to exactly one unit; no other role has one.
CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
  display_name text NOT NULL DEFAULT '',
  role text NOT NULL CHECK (role IN ('operator', 'liaison', 'analyst', 'admin')),
  unit text,
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz,
  last_login_at timestamptz,
  CHECK ((role = 'liaison') = (unit IS NOT NULL))
);

-- Sessions: the cookie carries a random token; only its SHA-256 digest is stored. Idle and
-- absolute expiry are checked on every request; ending a session takes effect at once.
CREATE TABLE sessions (
  token_hash bytea PRIMARY KEY,
  public_id text NOT NULL UNIQUE,
  user_id uuid NOT NULL REFERENCES users (id),
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  ip text NOT NULL DEFAULT '',
  user_agent text NOT NULL DEFAULT '',
  ended_at timestamptz,
  ended_reason text
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE ended_at IS NULL;

-- Failed logins, per username and per address ("user:<name>", "ip:<address>").
CREATE TABLE login_throttle (
  key text PRIMARY KEY,
  failures integer NOT NULL,
  window_started_at timestamptz NOT NULL,
  blocked_until timestamptz
);

-- Replies to writes sent with an Idempotency-Key: a retry gets the first reply, not a second write.
CREATE TABLE idempotency_keys (
  user_id uuid NOT NULL,
  key text NOT NULL,
  route text NOT NULL,
  request_hash bytea NOT NULL,
  status integer NOT NULL,
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);

-- Events for the map and the reports (the raw record stays on Kafka). Location as lon/lat.
CREATE TABLE events (
  id uuid PRIMARY KEY,
  department text NOT NULL,
  type text NOT NULL,
  kind text NOT NULL,
  category text NOT NULL,
  severity text NOT NULL,
  status text NOT NULL,
  msg_type text NOT NULL,
  occurred_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  lon double precision,
  lat double precision,
  doc jsonb NOT NULL,
  projected_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_time ON events (occurred_at DESC, id DESC);
CREATE INDEX events_department_time ON events (department, occurred_at DESC);
CREATE INDEX events_type_time ON events (type, occurred_at DESC);
CREATE INDEX events_department_received ON events (department, received_at DESC);
-- Bounding-box queries: point(lon, lat) <@ box(...) uses this index.
CREATE INDEX events_position ON events USING gist (point(lon, lat)) WHERE lon IS NOT NULL;

-- Warnings: the latest revision with the hub's lifecycle status, and every revision received.
CREATE TABLE warnings (
  id text PRIMARY KEY,
  revision integer NOT NULL,
  rule_id text NOT NULL,
  level text NOT NULL,
  category text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'cancelled', 'resolved')),
  exercise boolean NOT NULL,
  departments text[] NOT NULL,
  raised_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  doc jsonb NOT NULL,
  received_at timestamptz NOT NULL
);
CREATE INDEX warnings_raised ON warnings (raised_at DESC, id DESC);
CREATE INDEX warnings_departments ON warnings USING gin (departments);
CREATE INDEX warnings_rule ON warnings (rule_id, raised_at DESC);

CREATE TABLE warning_revisions (
  warning_id text NOT NULL,
  revision integer NOT NULL,
  doc jsonb NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (warning_id, revision)
);

-- The acknowledgement matrix: one deadline per (warning, routed unit). `arm` counts how often it
-- was armed (a level raised by new evidence re-arms it).
CREATE TABLE acknowledgements (
  warning_id text NOT NULL REFERENCES warnings (id),
  unit text NOT NULL,
  arm integer NOT NULL,
  armed_revision integer NOT NULL,
  level text NOT NULL,
  armed_at timestamptz NOT NULL,
  deadline timestamptz NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'acknowledged', 'closed')),
  acknowledged_at timestamptz,
  acknowledged_by text,
  acknowledged_role text,
  late boolean,
  note text,
  escalation_step integer NOT NULL DEFAULT 0,
  next_escalation_at timestamptz,
  closed_reason text,
  PRIMARY KEY (warning_id, unit)
);
CREATE INDEX acknowledgements_due ON acknowledgements (next_escalation_at) WHERE state = 'pending';

-- Each escalation step of each arming happens once, however many hubs run: the key claims it.
CREATE TABLE escalations (
  warning_id text NOT NULL,
  unit text NOT NULL,
  arm integer NOT NULL,
  step integer NOT NULL,
  level text NOT NULL,
  deadline timestamptz NOT NULL,
  escalated_at timestamptz NOT NULL,
  notified text[] NOT NULL,
  exercise boolean NOT NULL,
  activity_id uuid NOT NULL,
  PRIMARY KEY (warning_id, unit, arm, step)
);
CREATE INDEX escalations_time ON escalations (escalated_at DESC);

CREATE TABLE dispositions (
  warning_id text PRIMARY KEY REFERENCES warnings (id),
  disposition text NOT NULL CHECK (disposition IN ('confirmed', 'no_impact', 'duplicate', 'false_alarm')),
  note text,
  by_username text NOT NULL,
  by_role text NOT NULL,
  at timestamptz NOT NULL,
  activity_id uuid NOT NULL
);

-- Everything that happened to warnings (WarningActivity), keyed by activity id; also the outbox
-- to warning-activity.v1: rows written by this hub wait with published_at NULL until Kafka has them.
CREATE TABLE warning_activity (
  id uuid PRIMARY KEY,
  warning_id text NOT NULL,
  type text NOT NULL,
  at timestamptz NOT NULL,
  doc jsonb NOT NULL,
  origin text NOT NULL CHECK (origin IN ('hub', 'kafka')),
  published_at timestamptz
);
CREATE INDEX warning_activity_warning ON warning_activity (warning_id, at);
CREATE INDEX warning_activity_unpublished ON warning_activity (at) WHERE published_at IS NULL;

-- The live push log. Each audience ("all", or "unit:<code>") has its own gap-free sequence:
-- a writer locks the audience's counter row, so sequences commit in order, on every hub alike.
CREATE TABLE push_audiences (
  audience text PRIMARY KEY,
  seq bigint NOT NULL DEFAULT 0
);
CREATE TABLE push_log (
  audience text NOT NULL,
  seq bigint NOT NULL,
  dedupe_key text NOT NULL,
  type text NOT NULL CHECK (type IN ('warning', 'activity')),
  at timestamptz NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (audience, seq),
  UNIQUE (audience, dedupe_key)
);
CREATE INDEX push_log_at ON push_log (at);

-- Audit retention: entries older than the retention period are archived, then deleted; the
-- anchor records the first kept entry and the hash it links to, so the kept chain still verifies.
CREATE TABLE audit_anchors (
  first_kept_seq bigint PRIMARY KEY,
  prev_hash bytea NOT NULL,
  archived_entries bigint NOT NULL,
  archive_sha256 text NOT NULL,
  archive_location text NOT NULL,
  at timestamptz NOT NULL
);

-- The audit log stays append-only, with one exception: the retention job, in a transaction that
-- sets liandong.audit_retention, may delete entries at least 180 days old (never younger, never
-- a truncate). Anything else is refused as before.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE'
     AND current_setting('liandong.audit_retention', true) = 'on'
     AND OLD.at < now() - interval '180 days' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

-- The services' role may not delete from audit_log at all (0003). Retention goes through this
-- function, run with the owner's rights: it deletes only below an anchor recorded first (the
-- archive's hash and the kept chain's link), and the trigger above still refuses any entry
-- younger than 180 days.
CREATE FUNCTION audit_prune_before(first_kept bigint) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  deleted bigint;
BEGIN
  IF NOT EXISTS (SELECT FROM audit_anchors WHERE first_kept_seq = first_kept) THEN
    RAISE EXCEPTION 'no audit anchor at entry %: archive and anchor before pruning', first_kept
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM set_config('liandong.audit_retention', 'on', true);
  DELETE FROM audit_log WHERE seq < first_kept;
  GET DIAGNOSTICS deleted = ROW_COUNT;
  PERFORM set_config('liandong.audit_retention', 'off', true);
  RETURN deleted;
END
$$;
REVOKE ALL ON FUNCTION audit_prune_before(bigint) FROM PUBLIC;
DO $$
DECLARE
  app text := coalesce(nullif(current_setting('liandong.app_role', true), ''), 'liandong_app');
BEGIN
  IF app <> current_user AND EXISTS (SELECT FROM pg_roles WHERE rolname = app) THEN
    EXECUTE format('GRANT EXECUTE ON FUNCTION audit_prune_before(bigint) TO %I', app);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_anchors FROM %I', app);
  END IF;
END
$$;

CREATE FUNCTION audit_anchors_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_anchors is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_anchors_no_update BEFORE UPDATE OR DELETE ON audit_anchors
  FOR EACH ROW EXECUTE FUNCTION audit_anchors_append_only();
