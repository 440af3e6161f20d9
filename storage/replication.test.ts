// The shared tables of the state database (storage/replication.ts): every table of the real schema is
// decided (replicated with its primary key, or local with a reason); triggers capture every writer's
// changes; the images applied to a second database reproduce the rows without being captured again.
import { Buffer } from 'node:buffer';
import { afterEach, describe, expect, it } from 'vitest';
import {
  allRows,
  applyChanges,
  checkReplication,
  clearLog,
  installCapture,
  LOCAL,
  REPLICATED,
  readChanges,
  removeCapture,
  replicationProblems,
  schemaTables,
} from './replication.ts';
import { openStateDb, type StateDb } from './state-db.ts';

const open: StateDb[] = [];
const db = () => {
  const d = openStateDb(':memory:');
  open.push(d);
  return d;
};
afterEach(() => {
  for (const d of open.splice(0)) d.close();
});

describe('the list of shared tables against the schema', () => {
  it('every table in sqlite_master is replicated or local with a reason, with the right primary key', () => {
    const d = db();
    const tables = (
      d.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as {
        name: string;
      }[]
    ).map((r) => r.name);
    expect(tables.length).toBeGreaterThan(40);
    const undecided = tables.filter((t) => !(t in REPLICATED) && !(t in LOCAL));
    expect(undecided).toEqual([]);
    for (const [t, why] of Object.entries(LOCAL)) expect(why.length, t).toBeGreaterThan(20);
    expect(replicationProblems(d)).toEqual([]);
    installCapture(d);
    expect(replicationProblems(d)).toEqual([]);
    expect(schemaTables(d)).toContain('repl_log');
  });

  it('a table a migration adds without deciding is a startup error naming it; so is a missing one', () => {
    const d = db();
    d.exec('CREATE TABLE shiny_new (id TEXT PRIMARY KEY) STRICT');
    expect(() => installCapture(d)).toThrow(/shiny_new is neither replicated nor local/);
    d.exec('DROP TABLE shiny_new');
    d.exec('DROP TABLE feedback');
    expect(() => checkReplication(d)).toThrow(/replicated table feedback is not in the schema/);
  });
});

describe('capture and apply', () => {
  const meeting = (d: StateDb, id: string, title: string) => {
    d.prepare(
      `INSERT INTO meetings (id, title, host_org, start_at, end_at, registered_by, registered_at)
       VALUES (?, ?, 'vp-ubnd-tinh', 1, 2, 'u-admin', 1)`,
    ).run(id, title);
    d.prepare('INSERT INTO meeting_sites (meeting_id, site) VALUES (?, ?)').run(id, 'xa-1');
  };

  it('every insert, update and delete (cascades too) reaches the other database; applying is not captured', () => {
    const a = db();
    const b = db();
    installCapture(a);
    installCapture(b);
    meeting(a, 'm-1', 'Giao ban');
    meeting(a, 'm-2', 'Họp xã');
    a.prepare(`UPDATE meetings SET title = 'Giao ban tháng' WHERE id = 'm-1'`).run();
    a.prepare(`INSERT INTO server_secrets (name, value, created_at) VALUES ('x', ?, 1)`).run(
      Buffer.from([1, 2]),
    );
    a.prepare(
      `INSERT INTO users (name, role, password_hash, created_at, updated_at) VALUES ('hoa', 'noc', ?, 1, 1)`,
    ).run('scrypt$x');
    const first = readChanges(a);
    // m-1 inserted and updated: one image, the newest; the local secret is not captured
    expect(first.changes.map((c) => `${c.table}:${JSON.stringify(c.pk)}`)).toEqual([
      'meetings:["m-1"]',
      'meeting_sites:["m-1","xa-1"]',
      'meetings:["m-2"]',
      'meeting_sites:["m-2","xa-1"]',
      'users:["hoa"]',
    ]);
    expect(first.changes[0]!.row).toMatchObject({ title: 'Giao ban tháng' });
    expect(applyChanges(b, first.changes)).toEqual({ applied: 5, failed: [] });
    clearLog(a, first.upTo);
    expect(readChanges(b).changes).toEqual([]);
    expect(b.prepare('SELECT id, title FROM meetings ORDER BY id').all()).toEqual([
      { id: 'm-1', title: 'Giao ban tháng' },
      { id: 'm-2', title: 'Họp xã' },
    ]);
    // a deletion whose foreign key cascades: the children's deletions are captured too
    a.prepare(`DELETE FROM meetings WHERE id = 'm-2'`).run();
    const second = readChanges(a);
    expect(second.changes).toEqual([
      { table: 'meeting_sites', pk: ['m-2', 'xa-1'], row: null },
      { table: 'meetings', pk: ['m-2'], row: null },
    ]);
    applyChanges(b, second.changes);
    expect(b.prepare('SELECT meeting_id FROM meeting_sites').all()).toEqual([{ meeting_id: 'm-1' }]);
    expect(b.pragma('foreign_keys', { simple: true })).toBe(1);
    // capture is on again after applying: the other database's own writes are logged
    b.prepare(`UPDATE users SET role = 'admin' WHERE name = 'hoa'`).run();
    expect(readChanges(b).changes).toEqual([
      expect.objectContaining({
        table: 'users',
        pk: ['hoa'],
        row: expect.objectContaining({ role: 'admin' }),
      }),
    ]);
  });

  it('one server again: the triggers go, changes are no longer logged', () => {
    const a = db();
    installCapture(a);
    meeting(a, 'm-4', 'Trước');
    removeCapture(a);
    expect(a.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger'`).get()).toEqual({
      n: 0,
    });
    expect(a.prepare('SELECT count(*) AS n FROM repl_log').get()).toEqual({ n: 0 });
    meeting(a, 'm-5', 'Sau');
    expect(readChanges(a).changes).toEqual([]);
    removeCapture(db());
  });

  it('a child before its parent, and a row the schema refuses among good ones', () => {
    const a = db();
    const b = db();
    installCapture(a);
    installCapture(b);
    meeting(a, 'm-3', 'Hội nghị');
    const rows = allRows(a).filter((c) => c.table.startsWith('meeting'));
    expect(rows.map((r) => r.table)).toEqual(['meetings', 'meeting_sites']);
    const res = applyChanges(b, [
      rows[1]!,
      { table: 'feedback', pk: [9], row: { id: 9 } },
      rows[0]!,
      { table: 'server_secrets', pk: ['x'], row: { name: 'x' } },
    ]);
    expect(res.applied).toBe(2);
    expect(res.failed.map((f) => f.table)).toEqual(['feedback', 'server_secrets']);
    expect(b.prepare('SELECT count(*) AS n FROM meeting_sites').get()).toEqual({ n: 1 });
    expect(b.pragma('foreign_key_check')).toEqual([]);
  });
});
