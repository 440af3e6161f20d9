-- Meetings (Điều 6): registered by host offices, with the sites they connect; readiness test runs
-- (Điều 7.1.b, T-12h and T-1h) and their per-site results; the incident log (Điều 8.2.d).
CREATE TABLE meetings (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  host_org TEXT NOT NULL,
  start_at INTEGER NOT NULL,
  end_at INTEGER NOT NULL,
  -- what was asked for: {"sites":[...],"tiers":[...],"districts":[...]} (the resolved list is meeting_sites)
  selection TEXT NOT NULL DEFAULT '{}',
  emergency INTEGER NOT NULL DEFAULT 0,
  emergency_reason TEXT,
  note TEXT,
  registered_by TEXT NOT NULL,
  registered_at INTEGER NOT NULL,
  cancelled_at INTEGER,
  cancelled_by TEXT,
  cancel_reason TEXT,
  CHECK (end_at > start_at)
) STRICT;
CREATE INDEX meetings_time ON meetings (start_at, end_at);
CREATE INDEX meetings_host ON meetings (host_org, start_at);

CREATE TABLE meeting_sites (
  meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
  site TEXT NOT NULL,
  PRIMARY KEY (meeting_id, site)
) STRICT, WITHOUT ROWID;
CREATE INDEX meeting_sites_site ON meeting_sites (site, meeting_id);

CREATE TABLE readiness_runs (
  id INTEGER PRIMARY KEY,
  meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
  -- 'T-12h' and 'T-1h' are the scheduled runs (one each per meeting); 'manual' on demand
  slot TEXT NOT NULL CHECK (slot IN ('T-12h', 'T-1h', 'manual')),
  at INTEGER NOT NULL,
  requested_by TEXT NOT NULL,
  ready INTEGER NOT NULL,
  total INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX readiness_runs_scheduled ON readiness_runs (meeting_id, slot) WHERE slot <> 'manual';
CREATE INDEX readiness_runs_meeting ON readiness_runs (meeting_id, at);

CREATE TABLE readiness_results (
  run_id INTEGER NOT NULL REFERENCES readiness_runs (id) ON DELETE CASCADE,
  site TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('ready', 'not_ready')),
  -- JSON array of {code, vi, en, value?}
  reasons TEXT NOT NULL DEFAULT '[]',
  -- the latest numbers the verdict was made from
  metrics TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (run_id, site)
) STRICT, WITHOUT ROWID;

CREATE TABLE incidents (
  id TEXT PRIMARY KEY,
  meeting_id TEXT REFERENCES meetings (id) ON DELETE SET NULL,
  alert_id TEXT,
  started_at INTEGER NOT NULL,
  restored_at INTEGER,
  cause_class TEXT NOT NULL CHECK (cause_class IN ('link', 'power', 'equipment', 'mcu', 'other')),
  cause TEXT NOT NULL,
  fix TEXT NOT NULL DEFAULT '',
  reported_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK (restored_at IS NULL OR restored_at >= started_at)
) STRICT;
CREATE INDEX incidents_started ON incidents (started_at);
CREATE INDEX incidents_meeting ON incidents (meeting_id);

CREATE TABLE incident_sites (
  incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  site TEXT NOT NULL,
  PRIMARY KEY (incident_id, site)
) STRICT, WITHOUT ROWID;
CREATE INDEX incident_sites_site ON incident_sites (site);
