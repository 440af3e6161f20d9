-- Filed reports (reports/document.ts, Nghị định 30/2020/NĐ-CP).
-- The number of each document when reports.numbering is 'auto': one sequence per calendar year
-- (Bắc Kạn time), a document (doc_key: "meeting/<id>", "six-month/2026-01-01", "yearly/2026-01-01")
-- keeps the number and the date it was first given.
CREATE TABLE document_numbers (
  year INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  doc_key TEXT NOT NULL UNIQUE,
  issued_at INTEGER NOT NULL,
  PRIMARY KEY (year, seq)
) STRICT;

-- The six-month and yearly reports e-mailed when their period closed: once per period, across restarts.
CREATE TABLE period_reports (
  period_key TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('six-month', 'yearly')),
  from_at INTEGER NOT NULL,
  to_at INTEGER NOT NULL,
  at INTEGER NOT NULL,
  -- the report as JSON (reports/period.ts PeriodReport), as it was when sent
  report TEXT NOT NULL
) STRICT;

-- Files sent with an outbox message (e-mail only): the report's .docx. Deleted with their message.
CREATE TABLE outbox_attachments (
  id INTEGER PRIMARY KEY,
  outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
  filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  content BLOB NOT NULL
) STRICT;
CREATE INDEX outbox_attachments_outbox ON outbox_attachments (outbox_id);
