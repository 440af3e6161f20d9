-- The alert engine asks "which meetings include this site, live now or starting soon?" for every
-- sample it judges: keep each site's meeting end beside it, so that is one short index range scan
-- (the site's current and future meetings) however many past meetings are stored.
ALTER TABLE meeting_sites ADD COLUMN end_at INTEGER NOT NULL DEFAULT 0;
UPDATE meeting_sites SET end_at = (SELECT m.end_at FROM meetings m WHERE m.id = meeting_sites.meeting_id);
CREATE INDEX meeting_sites_upcoming ON meeting_sites (site, end_at);
