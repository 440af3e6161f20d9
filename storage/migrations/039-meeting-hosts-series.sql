-- Issue 16: the host catalogue (Điều 2.3), registration fields (Điều 2.5–2.6, 6.1), recurring meetings
-- and the clash policy.

-- Every organisation that may host a meeting: Tỉnh ủy, HĐND, UBND, Đoàn ĐBQH, provincial departments,
-- district hosts (Huyện ủy, UBND huyện) and central bodies. Seeded once per inventory organisation or
-- district (meeting_hosts_seeded), then managed through the API.
CREATE TABLE meeting_hosts (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  name_en TEXT,
  type TEXT NOT NULL,
  -- district hosts: the district they belong to
  district TEXT,
  -- JSON array of site ids: the host's own sites (a district host: its hall and communes)
  sites TEXT NOT NULL DEFAULT '[]',
  -- the site its meetings are run from by default (điểm cầu chính)
  main_site TEXT,
  -- JSON array of {person?, name, title?, email?}
  contacts TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- What the seeding has already brought in, so a host deleted through the API does not come back.
CREATE TABLE meeting_hosts_seeded (
  source TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

-- A recurring meeting: its rule (weekly / monthly, until a date or a count) and its skipped dates.
CREATE TABLE meeting_series (
  id TEXT PRIMARY KEY,
  -- JSON: {freq, interval, weekdays?, monthly_by?, until?, count?}
  rule TEXT NOT NULL,
  -- JSON array of local dates "YYYY-MM-DD" skipped (asked for, or an occurrence cancelled)
  exceptions TEXT NOT NULL DEFAULT '[]',
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

ALTER TABLE meetings ADD COLUMN main_site TEXT;
ALTER TABLE meetings ADD COLUMN attendees INTEGER;
ALTER TABLE meetings ADD COLUMN room TEXT;
ALTER TABLE meetings ADD COLUMN document_no TEXT;
-- 'confirmed'; 'pending' (a clash accepted for the NOC to decide); 'rejected' (also cancelled)
ALTER TABLE meetings ADD COLUMN status TEXT NOT NULL DEFAULT 'confirmed';
ALTER TABLE meetings ADD COLUMN decided_by TEXT;
ALTER TABLE meetings ADD COLUMN decided_at INTEGER;
ALTER TABLE meetings ADD COLUMN series_id TEXT REFERENCES meeting_series (id);
-- the occurrence's local date in its series, "YYYY-MM-DD"
ALTER TABLE meetings ADD COLUMN series_date TEXT;
CREATE INDEX meetings_series ON meetings (series_id, start_at);
