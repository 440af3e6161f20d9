-- Joint readiness test runs (Điều 7.1.b, issue 16): the technician's "Đã kiểm tra" for each site and
-- test run, the escalation of sites left unconfirmed at T-30 min, and the server secret that signs
-- the confirmation links when the configuration names none.

-- One confirmation per meeting, site and test run ('T-12h' or 'T-1h'); the first one stands.
CREATE TABLE readiness_confirmations (
  meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
  site TEXT NOT NULL,
  slot TEXT NOT NULL CHECK (slot IN ('T-12h', 'T-1h')),
  -- the inventory person who confirmed (the technician the link was sent to), when known
  person TEXT,
  -- the dashboard account that confirmed, or null for a signed link
  user_name TEXT,
  via TEXT NOT NULL CHECK (via IN ('link', 'dashboard')),
  confirmed_at INTEGER NOT NULL,
  PRIMARY KEY (meeting_id, site, slot)
) STRICT, WITHOUT ROWID;

-- Which meetings had their unconfirmed sites escalated to the NOC (once per meeting) and which
-- test runs the carriers and power branches were told of (once per run).
CREATE TABLE readiness_events (
  meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
  -- 'escalated' or 'told:T-12h' / 'told:T-1h'
  event TEXT NOT NULL,
  at INTEGER NOT NULL,
  -- JSON: the sites concerned
  detail TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (meeting_id, event)
) STRICT, WITHOUT ROWID;

-- Secrets the server made for itself (random, never leaves the database): 'readiness-link'.
CREATE TABLE server_secrets (
  name TEXT PRIMARY KEY,
  value BLOB NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
