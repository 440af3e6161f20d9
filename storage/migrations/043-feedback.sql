-- Issue 17: difficulties and proposals filed by host offices and technicians (Điều 15.2), answered
-- by the NOC, listed by the six-month and yearly reports (Điều 11.4).
CREATE TABLE feedback (
  id INTEGER PRIMARY KEY,
  -- difficulty | proposal (feedback/vocabulary.ts)
  kind TEXT NOT NULL,
  -- a category of feedback/vocabulary.ts
  category TEXT NOT NULL,
  -- the site it is about, if any
  site TEXT,
  text TEXT NOT NULL,
  -- the account that filed it, its role, and its organisation (a host office: the host catalogue id)
  filed_by TEXT NOT NULL,
  filed_role TEXT NOT NULL,
  org TEXT,
  filed_at INTEGER NOT NULL,
  answer TEXT,
  answered_by TEXT,
  answered_at INTEGER,
  -- JSON array of the addresses the answer was sent to
  notified TEXT NOT NULL DEFAULT '[]'
) STRICT;

CREATE INDEX feedback_filed ON feedback (filed_at);
CREATE INDEX feedback_filer ON feedback (filed_by);
