-- Alerts: current and past alerts with their history, silences, recurring maintenance windows,
-- the durable notification outbox and its delivery log.
CREATE TABLE alerts (
  id TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  state TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  resolved_at INTEGER,
  updated_at INTEGER NOT NULL,
  -- the API's Alert shape plus the engine's private bookkeeping (notified people, escalation step)
  body TEXT NOT NULL
) STRICT;
CREATE INDEX alerts_open ON alerts (state) WHERE state <> 'resolved';
CREATE INDEX alerts_started ON alerts (started_at);

CREATE TABLE alert_history (
  id INTEGER PRIMARY KEY,
  alert_id TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  event TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX alert_history_alert ON alert_history (alert_id, at);

CREATE TABLE silences (
  id TEXT PRIMARY KEY,
  matchers TEXT NOT NULL,
  starts_at INTEGER NOT NULL,
  ends_at INTEGER NOT NULL,
  comment TEXT NOT NULL,
  created_by TEXT NOT NULL,
  ended_by TEXT
) STRICT;

-- Recurring maintenance windows (maintenance plans, Điều 13.3), scoped by site, district or tier.
CREATE TABLE maintenance_windows (
  id TEXT PRIMARY KEY,
  scope_kind TEXT NOT NULL CHECK (scope_kind IN ('site', 'district', 'tier', 'all')),
  scope_value TEXT NOT NULL DEFAULT '',
  -- ISO weekdays 1..7 (Monday = 1), comma separated; empty = every day
  weekdays TEXT NOT NULL DEFAULT '',
  -- local time (Asia/Ho_Chi_Minh) HH:MM and length in minutes
  start_local TEXT NOT NULL,
  duration_min INTEGER NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

-- Every notification is written here before it is sent (durable outbox).
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  channel TEXT NOT NULL,
  recipient TEXT NOT NULL,
  person TEXT,
  alert_id TEXT,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}',
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  sent_at INTEGER,
  last_error TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_alert ON outbox (alert_id);

CREATE TABLE delivery_log (
  id INTEGER PRIMARY KEY,
  outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX delivery_log_outbox ON delivery_log (outbox_id);
