// Row replication of the state database between two servers (issue 21, docs/backbone.md "Records
// shared too"). Which tables are shared is data (REPLICATED, with each table's primary key); the rest
// are LOCAL, each with the reason. `checkReplication` compares both lists with the actual schema at
// start, so a migration cannot add a table nobody decided about. SQLite triggers capture every change
// of a shared table — whoever writes it: API, services, CLI — into `repl_log`; the active server reads
// the log, publishes each changed row's image (or its deletion) and clears what it published
// (bus/standby.ts); the standby applies the images with capture switched off (`repl_applying`).
import { Buffer } from 'node:buffer';
import type { StateDb } from './state-db.ts';

/** The shared tables and their primary keys (the order of the key's columns). */
export const REPLICATED: Readonly<Record<string, readonly string[]>> = {
  // accounts (api/accounts.ts): sign-in works on the server that takes over
  settings: ['key'],
  users: ['name'],
  sessions: ['id_hash'],
  api_tokens: ['id'],
  login_limits: ['key'],
  audit_log: ['id'],
  // the engine's holds and its history lines (the rows themselves travel as episode/alert messages)
  silences: ['id'],
  maintenance_windows: ['id'],
  alert_history: ['id'],
  episode_history: ['id'],
  meeting_attendance: ['id'],
  // meetings, readiness, calls, incidents, reports (Điều 6–8, 11, 14)
  meetings: ['id'],
  meeting_sites: ['meeting_id', 'site'],
  meeting_audience: ['meeting_id', 'party'],
  meeting_digests: ['week'],
  meeting_hosts: ['id'],
  meeting_hosts_seeded: ['source'],
  meeting_series: ['id'],
  meeting_reports: ['meeting_id'],
  readiness_runs: ['id'],
  readiness_results: ['run_id', 'site'],
  readiness_confirmations: ['meeting_id', 'site', 'slot'],
  readiness_events: ['meeting_id', 'event'],
  observed_calls: ['id'],
  observed_legs: ['id'],
  incidents: ['id'],
  incident_sites: ['incident_id', 'site'],
  incident_history: ['id'],
  document_numbers: ['year', 'seq'],
  period_reports: ['period_key'],
  // operations records (Điều 10–15)
  people: ['id'],
  site_technicians: ['id'],
  person_trainings: ['id'],
  org_site_technicians: ['org', 'site'],
  duty_roster: ['id'],
  maintenance_plans: ['id'],
  maintenance_log: ['id'],
  maintenance_log_devices: ['entry_id', 'device'],
  asset_identity: ['device'],
  asset_identity_changes: ['id'],
  asset_details: ['device'],
  feedback: ['id'],
};

/** The tables each server keeps for itself, and why. */
export const LOCAL: Readonly<Record<string, string>> = {
  episodes: 'replicated on their own subjects (bus/standby.ts: episode messages, read by updated_at)',
  alerts: 'replicated on their own subjects (bus/standby.ts: alert messages, read by updated_at)',
  outbox:
    'replicated on their own subjects by idempotency key, never turning a sent row back (bus/standby.ts)',
  outbox_attachments: "travel inside their outbox row's message (bus/standby.ts)",
  delivery_log: "each server's own delivery attempts to its relays; the outbox row carries the outcome",
  server_secrets:
    "each server's generated secret; two servers share readiness links through meetings.readiness.link_secret",
  maintenance_device_sites: 'a copy of the inventory (device → site) each server writes when it starts',
  repl_log: 'the replication log itself (changes not yet published)',
  repl_applying: 'the flag that switches capture off while the standby applies rows',
};

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Every table of the schema (SQLite's own `sqlite_*` aside). */
export function schemaTables(db: StateDb): string[] {
  return (
    db
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`,
      )
      .all() as { name: string }[]
  ).map((r) => r.name);
}

function primaryKey(db: StateDb, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${q(table)})`).all() as { name: string; pk: number }[])
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
}

/**
 * The schema against the lists: a table in neither list, a listed table the schema lacks, a table in
 * both, or a primary key that differs. Returns the problems (empty: all is decided).
 */
export function replicationProblems(db: StateDb): string[] {
  const out: string[] = [];
  const tables = new Set(schemaTables(db));
  for (const t of [...tables].sort()) {
    if (t in REPLICATED && t in LOCAL) out.push(`table ${t} is listed as both replicated and local`);
    else if (!(t in REPLICATED) && !(t in LOCAL))
      out.push(
        `table ${t} is neither replicated nor local: add it to REPLICATED (with its primary key) or to LOCAL (with the reason) in storage/replication.ts`,
      );
    else if (t in REPLICATED) {
      const pk = primaryKey(db, t);
      if (pk.join(',') !== REPLICATED[t]!.join(','))
        out.push(
          `table ${t}: primary key is (${pk.join(', ')}) in the schema, (${REPLICATED[t]!.join(', ')}) in storage/replication.ts`,
        );
    }
  }
  for (const t of Object.keys(REPLICATED))
    if (!tables.has(t)) out.push(`replicated table ${t} is not in the schema`);
  for (const t of Object.keys(LOCAL))
    if (!tables.has(t) && !t.startsWith('repl_')) out.push(`local table ${t} is not in the schema`);
  return out;
}

/** Throws naming every undecided or missing table (a server with a standby does not start so). */
export function checkReplication(db: StateDb): void {
  const p = replicationProblems(db);
  if (p.length) throw new Error(`state replication: ${p.join('; ')}`);
}

/**
 * The log, the flag and one AFTER INSERT/UPDATE/DELETE trigger per shared table (made again at every
 * start, so the list's changes take effect). A row's primary key is logged as a JSON array; an update
 * that changes the key logs the old key too (its row is then gone: published as a deletion).
 */
export function installCapture(db: StateDb): void {
  checkReplication(db);
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS repl_log (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      tbl TEXT NOT NULL,
      pk TEXT NOT NULL,
      op TEXT NOT NULL
    ) STRICT`);
    db.exec('CREATE TABLE IF NOT EXISTS repl_applying (flag INTEGER NOT NULL) STRICT');
    // a flag left by a crash in the middle of applying would switch capture off for good
    db.exec('DELETE FROM repl_applying');
    const old = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'repl\\_%' ESCAPE '\\'`)
      .all() as { name: string }[];
    for (const t of old) db.exec(`DROP TRIGGER ${q(t.name)}`);
    const when = 'WHEN NOT EXISTS (SELECT 1 FROM repl_applying)';
    for (const [t, pk] of Object.entries(REPLICATED)) {
      const key = (row: 'NEW' | 'OLD') => `json_array(${pk.map((c) => `${row}.${q(c)}`).join(', ')})`;
      const log = (row: 'NEW' | 'OLD', op: string) =>
        `INSERT INTO repl_log (tbl, pk, op) VALUES ('${t}', ${key(row)}, '${op}');`;
      db.exec(
        `CREATE TRIGGER ${q(`repl_${t}_i`)} AFTER INSERT ON ${q(t)} ${when} BEGIN ${log('NEW', 'i')} END`,
      );
      db.exec(
        `CREATE TRIGGER ${q(`repl_${t}_u`)} AFTER UPDATE ON ${q(t)} ${when} BEGIN
           INSERT INTO repl_log (tbl, pk, op) SELECT '${t}', ${key('OLD')}, 'd' WHERE ${key('OLD')} IS NOT ${key('NEW')};
           ${log('NEW', 'u')}
         END`,
      );
      db.exec(
        `CREATE TRIGGER ${q(`repl_${t}_d`)} AFTER DELETE ON ${q(t)} ${when} BEGIN ${log('OLD', 'd')} END`,
      );
    }
  })();
}

/**
 * One server again (no `bus.nats.standby`): the triggers go and the log is emptied, so a database
 * that once ran as one of two does not log every change for nobody.
 */
export function removeCapture(db: StateDb): void {
  db.transaction(() => {
    const old = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'repl\\_%' ESCAPE '\\'`)
      .all() as { name: string }[];
    for (const t of old) db.exec(`DROP TRIGGER ${q(t.name)}`);
    if (schemaTables(db).includes('repl_log')) db.exec('DELETE FROM repl_log');
  })();
}

/** One row's state on the stream: its image, or null once deleted. */
export interface RowChange {
  table: string;
  /** the primary key's values, in REPLICATED's order */
  pk: unknown[];
  row: Record<string, unknown> | null;
}

// BLOBs travel as { $b64 } (JSON has no bytes)
const encode = (row: Record<string, unknown>) => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row))
    out[k] = Buffer.isBuffer(v) || v instanceof Uint8Array ? { $b64: Buffer.from(v).toString('base64') } : v;
  return out;
};
const decode = (v: unknown) =>
  v !== null && typeof v === 'object' && '$b64' in v
    ? Buffer.from(String((v as { $b64: string }).$b64), 'base64')
    : v;

function readRow(db: StateDb, table: string, pk: unknown[]): Record<string, unknown> | null {
  const cols = REPLICATED[table]!;
  const row = db
    .prepare(`SELECT * FROM ${q(table)} WHERE ${cols.map((c) => `${q(c)} = ?`).join(' AND ')}`)
    .get(...pk) as Record<string, unknown> | undefined;
  return row ? encode(row) : null;
}

/**
 * What changed since the last call, each (table, key) once with its current state, and the log's
 * highest sequence read (pass it to `clearLog` once these are published). Synchronous: read in the
 * same step as the outbox rows they go with.
 */
export function readChanges(db: StateDb, limit = 5000): { changes: RowChange[]; upTo: number } {
  const log = db.prepare('SELECT seq, tbl, pk FROM repl_log ORDER BY seq LIMIT ?').all(limit) as {
    seq: number;
    tbl: string;
    pk: string;
  }[];
  const seen = new Set<string>();
  const changes: RowChange[] = [];
  for (const e of log) {
    const id = `${e.tbl}\u0000${e.pk}`;
    if (seen.has(id) || !(e.tbl in REPLICATED)) continue;
    seen.add(id);
    const pk = JSON.parse(e.pk) as unknown[];
    changes.push({ table: e.tbl, pk, row: readRow(db, e.tbl, pk) });
  }
  return { changes, upTo: log.at(-1)?.seq ?? 0 };
}

export function clearLog(db: StateDb, upTo: number): void {
  if (upTo > 0) db.prepare('DELETE FROM repl_log WHERE seq <= ?').run(upTo);
}

/** Every row of every shared table (a server that takes over publishes them all once). */
export function allRows(db: StateDb): RowChange[] {
  const out: RowChange[] = [];
  for (const [table, cols] of Object.entries(REPLICATED))
    for (const row of db.prepare(`SELECT * FROM ${q(table)}`).all() as Record<string, unknown>[])
      out.push({ table, pk: cols.map((c) => row[c]), row: encode(row) });
  return out;
}

/** The log's highest sequence now (changes up to it are in a snapshot read at the same moment). */
export function logTop(db: StateDb): number {
  return (db.prepare('SELECT max(seq) AS m FROM repl_log').get() as { m: number | null }).m ?? 0;
}

/**
 * Applies a batch of row changes in one transaction, capture switched off (the rows are the other
 * server's, not this one's to publish) and foreign keys too (a child may come before its parent: the
 * other server's database satisfied them; a parent's deletion arrives with its children's).
 * Columns this schema lacks are left out; a row this schema refuses is reported and the others applied.
 */
export function applyChanges(
  db: StateDb,
  changes: RowChange[],
): { applied: number; failed: { table: string; pk: unknown[]; error: string }[] } {
  const failed: { table: string; pk: unknown[]; error: string }[] = [];
  if (changes.length === 0) return { applied: 0, failed };
  const colsOf = new Map<string, Set<string>>();
  const columns = (t: string) => {
    let s = colsOf.get(t);
    if (!s) {
      s = new Set((db.prepare(`PRAGMA table_info(${q(t)})`).all() as { name: string }[]).map((c) => c.name));
      colsOf.set(t, s);
    }
    return s;
  };
  const fk = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  let n = 0;
  try {
    db.transaction(() => {
      db.prepare('INSERT INTO repl_applying (flag) VALUES (1)').run();
      for (const c of changes) {
        const pk = REPLICATED[c.table];
        if (!pk) {
          failed.push({ table: c.table, pk: c.pk, error: 'not a replicated table here' });
          continue;
        }
        try {
          applyOne(c, pk);
          n++;
        } catch (err) {
          failed.push({ table: c.table, pk: c.pk, error: String(err) });
        }
      }
      db.prepare('DELETE FROM repl_applying').run();
    })();
  } finally {
    if (fk) db.pragma('foreign_keys = ON');
  }
  return { applied: n, failed };

  function applyOne(c: RowChange, pk: readonly string[]): void {
    if (c.row === null) {
      db.prepare(`DELETE FROM ${q(c.table)} WHERE ${pk.map((k) => `${q(k)} = ?`).join(' AND ')}`).run(
        ...c.pk,
      );
    } else {
      const have = columns(c.table);
      const cols = Object.keys(c.row).filter((k) => have.has(k));
      // the other server's image wins, also over a row of this one that holds the same unique value
      db.prepare(
        `INSERT OR REPLACE INTO ${q(c.table)} (${cols.map(q).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
      ).run(...cols.map((k) => decode(c.row![k])));
    }
  }
}
