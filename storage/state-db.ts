// The state database (SQLite, WAL, foreign keys) and its numbered migrations.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { fromRoot } from '../core/root.ts';

export type StateDb = Database.Database;

const MIGRATIONS_DIR = fromRoot('storage', 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const list = readdirSync(dir)
    .filter((f) => /^\d{3}-[a-z0-9-]+\.sql$/.test(f))
    .map((f) => ({
      version: Number(f.slice(0, 3)),
      name: f.slice(4, -4),
      sql: readFileSync(join(dir, f), 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
  for (let i = 1; i < list.length; i++) {
    if (list[i]!.version === list[i - 1]!.version) {
      throw new Error(`migrations: two files have number ${list[i]!.version} in ${dir}; renumber one`);
    }
  }
  return list;
}

export function schemaVersion(db: StateDb): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies every migration above the database's user_version, each in its own transaction. */
export function migrate(
  db: StateDb,
  migrations = listMigrations(),
  upTo = Number.POSITIVE_INFINITY,
): number[] {
  const current = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new Error(
      `state database is at version ${current}, newer than this diemcau (${latest}); upgrade diemcau`,
    );
  }
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current || m.version > upTo) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
    applied.push(m.version);
  }
  return applied;
}

export function openStateDb(path: string, opts: { migrate?: boolean } = {}): StateDb {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  if (opts.migrate !== false) migrate(db);
  // password hashes and token digests: readable by this user only (the WAL and shm files too)
  if (path !== ':memory:')
    for (const f of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  return db;
}

/**
 * The data directory (state database: password hashes, token digests; metrics; spool) is for the
 * service's user alone: 0700, its files 0600, also when an older version created them readable.
 */
export function secureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const walk = (d: string) => {
    chmodSync(d, 0o700);
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) chmodSync(p, 0o600);
    }
  };
  walk(dir);
}
