-- The state database: everything the NOC decides or is told, as opposed to metrics.
-- Each area adds its tables in its own numbered file (api 010-019, alerts 020-029,
-- meetings 030-039, reports 040-049).
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
