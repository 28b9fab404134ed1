-- The correlator: a snapshot of the engine with the input offset it covers (after a crash it is
-- restored and the input replayed from there), and what it has produced to the warnings topic,
-- so that a replay never produces the same warning id and revision twice.

-- One row per consumer group and input partition of the correlator's sequence topic. The snapshot
-- is the engine's JSON (text, not jsonb: it is only ever read back whole, and parsing it into
-- jsonb costs more than it gives). `rules` names the rule set it was taken with.
CREATE TABLE correlator_checkpoints (
  group_id text NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  next_offset bigint NOT NULL CHECK (next_offset >= 0),
  rules text NOT NULL,
  snapshot text NOT NULL,
  events bigint NOT NULL,
  taken_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, topic, partition)
);

-- The highest revision of each warning produced to a warnings topic (scope: its physical name).
CREATE TABLE correlator_produced (
  scope text NOT NULL,
  warning_id text NOT NULL,
  revision integer NOT NULL CHECK (revision >= 1),
  PRIMARY KEY (scope, warning_id)
);

-- How far the warnings topic is known to be recorded in correlator_produced, per partition:
-- after a crash between a produce and its record, the tail from here is read back first.
CREATE TABLE correlator_output_offsets (
  scope text NOT NULL,
  partition integer NOT NULL,
  next_offset bigint NOT NULL CHECK (next_offset >= 0),
  PRIMARY KEY (scope, partition)
);
