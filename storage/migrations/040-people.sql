-- People, site technicians with their history, trainings, the per-site technicians a carrier or power
-- organisation names, and their duty rosters (issue 17; Điều 10, 13.2, 14.1.e, 14.2.b).
-- Seeded from the inventory at start (people/directory.ts); rows edited through the API win.

-- A person as the inventory describes one. email and phone are plain data; phone_ref, telegram and
-- zalo are secret references ({"env": …} / {"file": …}) copied from the inventory file.
CREATE TABLE people (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  title TEXT,
  org TEXT,
  email TEXT,
  phone TEXT,
  phone_ref TEXT,
  telegram TEXT,
  zalo TEXT,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  -- null while the row is the inventory's copy (refreshed from the file at start); set by an edit
  edited_at INTEGER,
  edited_by TEXT
);

-- Who is (and was) a site's technician: one open row (valid_to NULL) per site.
CREATE TABLE site_technicians (
  id INTEGER PRIMARY KEY,
  site TEXT NOT NULL,
  person TEXT NOT NULL REFERENCES people(id),
  valid_from INTEGER NOT NULL,
  valid_to INTEGER,
  reason TEXT NOT NULL,
  by TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX site_technicians_site ON site_technicians(site, valid_from);
CREATE UNIQUE INDEX site_technicians_current ON site_technicians(site) WHERE valid_to IS NULL;

CREATE TABLE person_trainings (
  id INTEGER PRIMARY KEY,
  person TEXT NOT NULL REFERENCES people(id),
  course TEXT NOT NULL,
  -- Bắc Kạn calendar day, yyyy-mm-dd
  date TEXT NOT NULL,
  provider TEXT,
  notes TEXT,
  by TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX person_trainings_person ON person_trainings(person, date);

-- The technician a carrier or power organisation names for one of its sites (Điều 14.1.e, 14.2.b).
CREATE TABLE org_site_technicians (
  org TEXT NOT NULL,
  site TEXT NOT NULL,
  person TEXT NOT NULL REFERENCES people(id),
  by TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (org, site)
);

-- Who of an organisation is on duty on a Bắc Kạn calendar day; sites NULL: all the organisation's sites.
CREATE TABLE duty_roster (
  id INTEGER PRIMARY KEY,
  org TEXT NOT NULL,
  date TEXT NOT NULL,
  person TEXT NOT NULL REFERENCES people(id),
  sites TEXT,
  by TEXT NOT NULL,
  at INTEGER NOT NULL,
  UNIQUE (org, date, person)
);
CREATE INDEX duty_roster_date ON duty_roster(date, org);
