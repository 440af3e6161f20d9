-- The post-meeting report, made and sent once after each meeting ends ("báo cáo sau mỗi cuộc họp").
CREATE TABLE meeting_reports (
  meeting_id TEXT PRIMARY KEY REFERENCES meetings (id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  -- the report as JSON (reports/meeting.ts MeetingReport), as it was when sent
  report TEXT NOT NULL
) STRICT;
