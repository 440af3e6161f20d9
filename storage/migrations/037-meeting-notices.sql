-- Meeting notices (Điều 7.1.a) and confidentiality (Điều 14.1.g).
-- A restricted meeting's title and note are shown only to the NOC, admins and its host office;
-- everyone else (and the notices to carriers, power branches and technicians) reads "Cuộc họp (hạn chế)".
ALTER TABLE meetings ADD COLUMN restricted INTEGER NOT NULL DEFAULT 0;

-- Who has been told of each meeting, as last told: one row per party (a technician "person:<id>" or an
-- organisation "org:<id>") with the sites that concern it. A change notice goes to the parties whose
-- share changed and to those no longer concerned; a cancellation to everyone listed here.
CREATE TABLE meeting_audience (
  meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
  party TEXT NOT NULL,
  -- JSON array of what it does for the meeting: technician, carrier, power, mcu, host, noc
  roles TEXT NOT NULL,
  -- JSON array of site ids
  sites TEXT NOT NULL,
  told_at INTEGER NOT NULL,
  PRIMARY KEY (meeting_id, party)
) STRICT, WITHOUT ROWID;

-- The weekly digest of the week ahead (sent on the configured weekday and hour, Bắc Kạn time):
-- one row per week, written with its messages, so a restart never sends a week twice.
CREATE TABLE meeting_digests (
  -- the ISO week the digest covers, e.g. "2026-W12"
  week TEXT PRIMARY KEY,
  sent_at INTEGER NOT NULL,
  meetings INTEGER NOT NULL,
  messages INTEGER NOT NULL
) STRICT;
