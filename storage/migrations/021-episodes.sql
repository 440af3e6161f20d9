-- Fault episodes: what is paged, acknowledged, escalated and resolved (one cause, one owner, from
-- onset to settled recovery); and meeting attendance (sites joining, never joining, leaving a
-- meeting's call), which is not a fault but is kept for the meeting's report.
CREATE TABLE episodes (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  resolved_at INTEGER,
  updated_at INTEGER NOT NULL,
  -- the API's Episode shape plus the engine's paging bookkeeping
  body TEXT NOT NULL
) STRICT;
CREATE INDEX episodes_open ON episodes (state) WHERE state <> 'resolved';
CREATE INDEX episodes_started ON episodes (started_at);

CREATE TABLE meeting_attendance (
  id INTEGER PRIMARY KEY,
  meeting_id TEXT NOT NULL,
  site TEXT NOT NULL,
  event TEXT NOT NULL CHECK (event IN ('joined', 'not_joined', 'left')),
  at INTEGER NOT NULL
) STRICT;
CREATE INDEX meeting_attendance_meeting ON meeting_attendance (meeting_id, at);

CREATE TABLE episode_history (
  id INTEGER PRIMARY KEY,
  episode_id TEXT NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  event TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX episode_history_episode ON episode_history (episode_id, at);
