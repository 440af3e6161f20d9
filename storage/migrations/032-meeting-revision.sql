-- Meetings can be changed (time, sites) until they end: a revision number, bumped by every change,
-- lets readers that cache a meeting's site list notice the change.
ALTER TABLE meetings ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
