-- Maintenance plans (Điều 11.5, 13.3, 14.1.b): one-off or recurring windows with what will be done and
-- by whom, scoped by site, district, tier or device; and the maintenance log of what was done.
CREATE TABLE maintenance_plans (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('once', 'recurring')),
  scope_kind TEXT NOT NULL CHECK (scope_kind IN ('site', 'district', 'tier', 'device')),
  scope_value TEXT NOT NULL,
  -- once: the window; recurring: from when the plan applies and (optional) until when
  starts_at INTEGER NOT NULL,
  ends_at INTEGER,
  -- recurring: ISO weekdays 1..7 comma separated (empty = every day), local HH:MM, minutes
  weekdays TEXT NOT NULL DEFAULT '',
  start_local TEXT,
  duration_min INTEGER,
  work TEXT NOT NULL,
  -- a person id of the inventory and/or free text (a contractor)
  by_person TEXT,
  by_text TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  -- bumped by every change (names the version its notices are about)
  revision INTEGER NOT NULL DEFAULT 1,
  cancelled_at INTEGER,
  cancelled_by TEXT,
  CHECK (kind <> 'once' OR (ends_at IS NOT NULL AND ends_at > starts_at)),
  CHECK (kind <> 'recurring' OR (start_local IS NOT NULL AND duration_min > 0))
) STRICT;
CREATE INDEX maintenance_plans_open ON maintenance_plans (cancelled_at, ends_at);

-- What was done, planned (plan_id) or not: one site (NULL for the MCU) and the devices worked on.
CREATE TABLE maintenance_log (
  id TEXT PRIMARY KEY,
  at INTEGER NOT NULL,
  plan_id TEXT REFERENCES maintenance_plans (id),
  site TEXT,
  done TEXT NOT NULL,
  findings TEXT NOT NULL DEFAULT '',
  parts TEXT NOT NULL DEFAULT '',
  by_person TEXT,
  -- who did it as written in the log: the person's name and/or the free text
  by_text TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX maintenance_log_at ON maintenance_log (at);
CREATE INDEX maintenance_log_site ON maintenance_log (site, at);

CREATE TABLE maintenance_log_devices (
  entry_id TEXT NOT NULL REFERENCES maintenance_log (id) ON DELETE CASCADE,
  device TEXT NOT NULL,
  PRIMARY KEY (entry_id, device)
) STRICT;
CREATE INDEX maintenance_log_devices_device ON maintenance_log_devices (device);

-- Which site each device of the inventory belongs to (NULL: the MCU), copied from the inventory when
-- the service starts, so a device's history finds the entries of its site without the inventory.
CREATE TABLE maintenance_device_sites (
  device TEXT PRIMARY KEY,
  site TEXT
) STRICT;
