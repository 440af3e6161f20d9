-- The equipment register (Điều 12, 13.5): each device's identity as the collector last read it,
-- the history of its changes (firmware/software upgrades, a swapped unit), and the fields entered by hand.
CREATE TABLE asset_identity (
  device TEXT PRIMARY KEY,
  manufacturer TEXT,
  model TEXT,
  serial TEXT,
  firmware TEXT,
  software TEXT,
  hardware_rev TEXT,
  description TEXT,
  object_id TEXT,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  -- the identity objects answered garbage at their last read (null when they answered well)
  problem TEXT,
  problem_at INTEGER
);

CREATE TABLE asset_identity_changes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  device TEXT NOT NULL,
  at INTEGER NOT NULL,
  field TEXT NOT NULL,
  -- upgrade | replaced (core/identity.ts)
  kind TEXT NOT NULL,
  before TEXT NOT NULL,
  after TEXT NOT NULL
);
CREATE INDEX asset_identity_changes_device ON asset_identity_changes (device, at);

CREATE TABLE asset_details (
  device TEXT PRIMARY KEY,
  -- calendar dates YYYY-MM-DD (Bắc Kạn)
  install_date TEXT,
  warranty_end TEXT,
  supplier TEXT,
  -- đồng
  purchase_price INTEGER,
  notes TEXT,
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL
);
