-- Meetings as they happened: the calls the MCU carried (observed from its port state and the codecs'
-- call state) and each site's legs in them (join, leave, why it left). A registered meeting has one
-- observed call; a call nobody registered is kept as 'unregistered' until the NOC attaches it to a
-- registration or marks it 'central' (a national meeting with Bắc Kạn sites as branches, Điều 3.1) or
-- 'district_hosted' (Điều 6.3). 'test' calls are the readiness test runs before a registered meeting.
CREATE TABLE observed_calls (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('registered', 'test', 'unregistered', 'central', 'district_hosted')),
  meeting_id TEXT REFERENCES meetings (id) ON DELETE SET NULL,
  started_at INTEGER NOT NULL,
  -- null while a site is still connected
  ended_at INTEGER,
  -- unregistered calls the NOC classified: who hosted it and what it was
  host_org TEXT,
  title TEXT,
  classified_by TEXT,
  classified_at INTEGER,
  note TEXT,
  CHECK (ended_at IS NULL OR ended_at >= started_at)
) STRICT;
CREATE INDEX observed_calls_time ON observed_calls (started_at);
CREATE INDEX observed_calls_meeting ON observed_calls (meeting_id, kind);
CREATE INDEX observed_calls_open ON observed_calls (kind) WHERE ended_at IS NULL;

CREATE TABLE observed_legs (
  id INTEGER PRIMARY KEY,
  call_id TEXT NOT NULL REFERENCES observed_calls (id) ON DELETE CASCADE,
  site TEXT NOT NULL,
  joined_at INTEGER NOT NULL,
  left_at INTEGER,
  -- why it ended: 'disconnected' (the MCU or codec said so) or 'no_data' (nothing heard from the site
  -- or the MCU: the NOC lost sight of it, which is not a drop)
  left_reason TEXT CHECK (left_reason IN ('disconnected', 'no_data')),
  -- which source said it was connected: 'mcu_port' (authoritative) or 'codec'
  source TEXT NOT NULL CHECK (source IN ('mcu_port', 'codec')),
  -- the site is in a registered meeting's call it was not registered for (Điều 8.2.c)
  unregistered_site INTEGER NOT NULL DEFAULT 0,
  CHECK (left_at IS NULL OR left_at >= joined_at)
) STRICT;
CREATE INDEX observed_legs_call ON observed_legs (call_id, joined_at);
CREATE INDEX observed_legs_site ON observed_legs (site, joined_at);
CREATE INDEX observed_legs_open ON observed_legs (site) WHERE left_at IS NULL;
