-- The incident log as Điều 8.2.d asks for it: who is responsible for the fix (an organisation of the
-- inventory: carrier, Điện lực branch, MCU operator, a site's office), when it is expected back, the
-- fault episode it was drafted from, and whether a person has confirmed it yet:
--   draft    made by the system from an episode that touched a live meeting, not yet confirmed
--   open     confirmed (or logged by a person), not restored
--   restored confirmed and restored_at set
-- Every create and every edit keeps who, when and what changed in incident_history.
ALTER TABLE incidents ADD COLUMN responsible_org TEXT;
ALTER TABLE incidents ADD COLUMN estimated_restore_at INTEGER;
ALTER TABLE incidents ADD COLUMN episode_id TEXT;
ALTER TABLE incidents ADD COLUMN status TEXT NOT NULL DEFAULT 'open'
  CHECK (status IN ('draft', 'open', 'restored'));
UPDATE incidents SET status = 'restored' WHERE restored_at IS NOT NULL;
CREATE INDEX incidents_status ON incidents (status, started_at);
CREATE INDEX incidents_episode ON incidents (episode_id) WHERE episode_id IS NOT NULL;
-- the system drafts one incident per (episode, meeting), also across restarts
CREATE UNIQUE INDEX incidents_system_draft ON incidents (episode_id, meeting_id)
  WHERE reported_by = 'system' AND episode_id IS NOT NULL;

CREATE TABLE incident_history (
  id INTEGER PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  -- the user's name, or 'system' for what the system drafted or filled in from an episode
  by TEXT NOT NULL,
  -- {"field": [old, new], ...}; on create every field given, old null
  changes TEXT NOT NULL
) STRICT;
CREATE INDEX incident_history_incident ON incident_history (incident_id, at);
