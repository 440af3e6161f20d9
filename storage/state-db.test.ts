import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listMigrations, migrate, openStateDb, type StateDb, schemaVersion } from './state-db.ts';

const dir = mkdtempSync(join(tmpdir(), 'diemcau-state-'));
const schema = (db: StateDb) =>
  db
    .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
    .all();

describe('state database', () => {
  const migrations = listMigrations();
  const latest = migrations.at(-1)!.version;

  it('migrates an empty file to the latest version, in WAL mode with foreign keys on', () => {
    const db = openStateDb(join(dir, 'empty.db'));
    expect(schemaVersion(db)).toBe(latest);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(migrate(db)).toEqual([]);
    db.close();
  });

  it.each(migrations.map((m) => m.version))(
    'upgrades a database left at version %i to the same schema',
    (v) => {
      const fresh = openStateDb(join(dir, `fresh-${v}.db`));
      const old = openStateDb(join(dir, `old-${v}.db`), { migrate: false });
      migrate(old, migrations, v);
      expect(schemaVersion(old)).toBe(v);
      const applied = migrate(old);
      expect(applied).toEqual(migrations.filter((m) => m.version > v).map((m) => m.version));
      expect(schema(old)).toEqual(schema(fresh));
      old.close();
      fresh.close();
    },
  );

  it('refuses a database newer than this diemcau', () => {
    const db = openStateDb(join(dir, 'newer.db'));
    db.pragma(`user_version = ${latest + 1}`);
    expect(() => migrate(db)).toThrow(/newer than this diemcau/);
    db.close();
  });
});
