-- The MCU's own call records (Pexip history, Cisco CDR log) on the observed legs: the record's id
-- (one leg per record, also when a collector reads it again after a restart), the MCU's disconnect
-- reason as given and diemcau's closed cause for it (core/vocabulary.ts DISCONNECT_CAUSES), and the
-- source 'mcu_record' for a leg the record made. SQLite cannot change a CHECK: the table is rebuilt.
CREATE TABLE observed_legs_new (
  id INTEGER PRIMARY KEY,
  call_id TEXT NOT NULL REFERENCES observed_calls (id) ON DELETE CASCADE,
  site TEXT NOT NULL,
  joined_at INTEGER NOT NULL,
  left_at INTEGER,
  left_reason TEXT CHECK (left_reason IN ('disconnected', 'no_data')),
  -- which source said it was connected: 'mcu_port' (authoritative), 'codec', or 'mcu_record' (the
  -- MCU's call record; it also corrects a port-state leg's times)
  source TEXT NOT NULL CHECK (source IN ('mcu_port', 'codec', 'mcu_record')),
  unregistered_site INTEGER NOT NULL DEFAULT 0,
  -- the MCU's record of this leg: its id, diemcau's cause and the MCU's own words
  record_id TEXT,
  left_cause TEXT CHECK (left_cause IN ('hangup', 'operator', 'network', 'rejected', 'unknown')),
  left_cause_vendor TEXT,
  CHECK (left_at IS NULL OR left_at >= joined_at)
) STRICT;
INSERT INTO observed_legs_new (id, call_id, site, joined_at, left_at, left_reason, source, unregistered_site)
  SELECT id, call_id, site, joined_at, left_at, left_reason, source, unregistered_site FROM observed_legs;
DROP TABLE observed_legs;
ALTER TABLE observed_legs_new RENAME TO observed_legs;
CREATE INDEX observed_legs_call ON observed_legs (call_id, joined_at);
CREATE INDEX observed_legs_site ON observed_legs (site, joined_at);
CREATE INDEX observed_legs_open ON observed_legs (site) WHERE left_at IS NULL;
CREATE UNIQUE INDEX observed_legs_record ON observed_legs (record_id) WHERE record_id IS NOT NULL;
