-- Notifications (issue 14): channels configured per recipient and level, the outbox written in
-- the state change's transaction, and every delivery attempt.

-- Where a recipient's notifications go. `recipient`: unit:<code>, supervisor:<code>, operators,
-- duty-leader, or a pattern (unit:*, supervisor:*, *). `target` is the kind's address (url,
-- e-mail addresses, phone numbers, mentions) without the secret, which only the dispatcher reads.
CREATE TABLE notification_channels (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('webhook', 'wecom', 'dingtalk', 'email', 'sms')),
  recipient text NOT NULL
    CHECK (recipient ~ '^(\*|operators|duty-leader|(unit|supervisor):(\*|[a-z][a-z0-9-]*))$'),
  label text NOT NULL DEFAULT '',
  levels text[] NOT NULL CHECK (cardinality(levels) > 0 AND levels <@ ARRAY['blue', 'yellow', 'orange', 'red']),
  language text NOT NULL DEFAULT 'zh' CHECK (language IN ('zh', 'en')),
  quiet_start time,
  quiet_end time,
  exercises boolean NOT NULL DEFAULT true,
  enabled boolean NOT NULL DEFAULT true,
  target jsonb NOT NULL,
  secret text,
  -- A channel made from the hub's environment (NOTIFY_WEBHOOK_URL …) is found again by this key.
  source text UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((quiet_start IS NULL) = (quiet_end IS NULL))
);
CREATE INDEX notification_channels_recipient ON notification_channels (recipient) WHERE enabled;

-- The outbox: one row per (message, recipient channel), written with the state change. The key
-- makes a second write of the same message to the same recipient impossible, however many hubs
-- run; the dispatcher claims due rows with FOR UPDATE SKIP LOCKED.
CREATE TABLE notification_outbox (
  id uuid PRIMARY KEY,
  message_key text NOT NULL,
  channel_id uuid NOT NULL REFERENCES notification_channels (id),
  recipient text NOT NULL,
  warning_id text NOT NULL,
  type text NOT NULL,
  level text NOT NULL,
  facts jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  not_before timestamptz NOT NULL,
  next_attempt_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  delivered_at timestamptz,
  last_error text,
  UNIQUE (message_key, channel_id, recipient)
);
CREATE INDEX notification_outbox_due ON notification_outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notification_outbox_warning ON notification_outbox (warning_id, created_at);
CREATE INDEX notification_outbox_channel ON notification_outbox (channel_id, state);

-- Every attempt: the warning's delivery timeline and the channels' health.
CREATE TABLE notification_attempts (
  outbox_id uuid NOT NULL REFERENCES notification_outbox (id),
  attempt integer NOT NULL,
  channel_id uuid NOT NULL,
  warning_id text NOT NULL,
  at timestamptz NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed')),
  detail text NOT NULL,
  duration_ms integer NOT NULL,
  PRIMARY KEY (outbox_id, attempt)
);
CREATE INDEX notification_attempts_channel ON notification_attempts (channel_id, at DESC);
