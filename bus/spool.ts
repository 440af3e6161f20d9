// The collector's spool while the centre is unreachable: poll batches and device events in the order the
// bus carried them, each kept as its JSON, bounded in bytes. Over the bound the oldest waiting entries go
// (counted and reported, never silently); the message being published is never dropped.
//
// It is a SQLite database (better-sqlite3, WAL) so that it survives a crash (docs/backbone.md, "The
// collector's spool"): an entry is queued once its row is committed; the run taken for a message is
// recorded, with the run and number (boot, n) it is published under, before it is published, so that
// after a restart the same message goes again under the same Nats-Msg-Id; the stream's acknowledgement
// deletes the run and that record in one transaction. Without a file it is the same code on an
// in-memory database (tests, the benchmark).
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Kind } from './wire.ts';

/** the spool's format; a file with another `user_version` is moved aside, never read */
export const SPOOL_VERSION = 1;
const APP_ID = 0x64636270; // "dcbp": a diemcau backbone spool, in the SQLite header

/** A run of entries taken for one message; it stays out of the queue until committed or given back. */
export interface Taken {
  kind: Kind;
  parts: string[];
  items: number;
  bytes: number;
  /** the collector run and message number it is published under (kept across a restart) */
  boot: string;
  n: number;
}

export interface Dropped {
  samples: number;
  events: number;
}

export interface SpoolLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

interface Inflight {
  boot: string;
  n: number;
  kind: Kind;
  first: number;
  last: number;
  items: number;
  bytes: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  seq   INTEGER PRIMARY KEY,
  kind  TEXT NOT NULL CHECK (kind IN ('samples', 'events')),
  json  TEXT NOT NULL,
  items INTEGER NOT NULL,
  bytes INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS inflight (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  boot  TEXT NOT NULL,
  n     INTEGER NOT NULL,
  kind  TEXT NOT NULL,
  first INTEGER NOT NULL,
  last  INTEGER NOT NULL,
  items INTEGER NOT NULL,
  bytes INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** Why a file cannot be this collector's spool (read before anything is written to it). */
class NotASpool extends Error {}

export interface SpoolOptions {
  /** the database file (collect: data_dir/spool/backbone.db); none: in memory, lost with the process */
  file?: string;
  /** the collector's name: a spool written under another name is moved aside (its ids are another's) */
  collector?: string;
  log?: SpoolLog;
  /** now, for the name of a file moved aside */
  now?: () => Date;
}

export class Spool {
  private readonly db: Database.Database;
  private queuedBytes = 0;
  private queuedCount = 0;
  /** the run taken for the message being published (rows first..last); the rows above it are queued */
  private run: (Taken & { first: number; last: number }) | null = null;
  private waiters: (() => void)[] = [];
  private readonly stmt: {
    insert: Database.Statement<[string, string, number, number]>;
    oldest: Database.Statement<[number]>;
    run: Database.Statement<[number, number]>;
    del: Database.Statement<[number, number]>;
    setInflight: Database.Statement<[string, number, string, number, number, number, number]>;
    clearInflight: Database.Statement<[]>;
  };
  private readonly commitTx: (first: number, last: number) => void;
  /** file as opened (for messages), or ':memory:' */
  readonly file: string;

  constructor(
    private readonly maxBytes: number,
    private readonly onDrop: (d: Dropped) => void,
    opts: SpoolOptions = {},
  ) {
    this.file = opts.file ?? ':memory:';
    this.db = opts.file
      ? openFile(opts.file, opts.collector ?? '', opts.log, opts.now)
      : openDb(':memory:', '');
    const db = this.db;
    this.stmt = {
      insert: db.prepare('INSERT INTO entries (kind, json, items, bytes) VALUES (?, ?, ?, ?)'),
      oldest: db.prepare('SELECT seq, kind, items, bytes FROM entries WHERE seq > ? ORDER BY seq'),
      run: db.prepare('SELECT json FROM entries WHERE seq >= ? AND seq <= ? ORDER BY seq'),
      del: db.prepare('DELETE FROM entries WHERE seq >= ? AND seq <= ?'),
      setInflight: db.prepare(
        'INSERT OR REPLACE INTO inflight (id, boot, n, kind, first, last, items, bytes) VALUES (1, ?, ?, ?, ?, ?, ?, ?)',
      ),
      clearInflight: db.prepare('DELETE FROM inflight'),
    };
    this.commitTx = db.transaction((first: number, last: number) => {
      this.stmt.del.run(first, last);
      this.stmt.clearInflight.run();
    });
    // what a previous run left: the message in flight under its own run and number, then the queue
    const f = db.prepare('SELECT boot, n, kind, first, last, items, bytes FROM inflight').get() as
      | Inflight
      | undefined;
    if (f) {
      const parts = (this.stmt.run.all(f.first, f.last) as { json: string }[]).map((r) => r.json);
      this.run = {
        kind: f.kind,
        parts,
        items: f.items,
        bytes: f.bytes,
        boot: f.boot,
        n: f.n,
        first: f.first,
        last: f.last,
      };
    }
    const q = db
      .prepare('SELECT count(*) AS n, coalesce(sum(bytes), 0) AS b FROM entries WHERE seq > ?')
      .get(this.run?.last ?? 0) as { n: number; b: number };
    this.queuedCount = q.n;
    this.queuedBytes = q.b;
    if (this.queuedBytes + (this.run?.bytes ?? 0) > this.maxBytes) this.trim();
  }

  push(kind: Kind, json: string, items: number): void {
    this.stmt.insert.run(kind, json, items, json.length);
    this.queuedBytes += json.length;
    this.queuedCount++;
    if (this.bytes() > this.maxBytes) this.trim();
    for (const w of this.waiters.splice(0)) w();
  }

  /** bytes waiting, the message in flight included */
  bytes(): number {
    return this.queuedBytes + (this.run?.bytes ?? 0);
  }

  /** entries waiting (not the one in flight) */
  length(): number {
    return this.queuedCount;
  }

  /** true when nothing is waiting and nothing is in flight */
  empty(): boolean {
    return this.queuedCount === 0 && this.run === null;
  }

  /** Resolves when an entry is pushed (at once if some are waiting). */
  wait(): Promise<void> {
    if (this.length() > 0) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  /** Wakes every waiter (stopping). */
  wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /**
   * Takes the oldest run of entries of one kind, up to `maxBytes` (at least one entry), for one message
   * published as `boot` number `n` (the run's next number: the caller counts it used only when the run
   * returned carries it, so a write that fails leaves no gap); the run and its number are on disk before
   * this returns. The same run is returned again until it is committed — also after a restart, under the run
   * and number it was first taken with: a retried message is the same message.
   */
  take(maxBytes: number, boot: string, n: number): Taken | null {
    if (this.run) return this.run;
    if (this.queuedCount === 0) return null;
    let kind: Kind | null = null;
    let count = 0;
    let items = 0;
    let bytes = 0;
    let first = 0;
    let last = 0;
    for (const row of this.stmt.oldest.iterate(0) as IterableIterator<{
      seq: number;
      kind: Kind;
      items: number;
      bytes: number;
    }>) {
      kind ??= row.kind;
      // the message's size: the parts and a comma between two
      if (row.kind !== kind || (count > 0 && bytes + count + row.bytes > maxBytes)) break;
      if (first === 0) first = row.seq;
      last = row.seq;
      count++;
      items += row.items;
      bytes += row.bytes;
    }
    const jsons = (this.stmt.run.all(first, last) as { json: string }[]).map((r) => r.json);
    this.stmt.setInflight.run(boot, n, kind!, first, last, items, bytes);
    this.queuedBytes -= bytes;
    this.queuedCount -= count;
    this.run = { kind: kind!, parts: jsons, items, bytes, boot, n, first, last };
    return this.run;
  }

  /** The message in flight was stored by the stream: its entries go, in one transaction with its record. */
  commit(): void {
    const t = this.run;
    if (!t) return;
    this.commitTx(t.first, t.last);
    this.run = null;
  }

  /** The run taken for the message being published, if any. */
  inflight(): Taken | null {
    return this.run;
  }

  /**
   * Puts a run read from elsewhere (the earlier spool file) in flight under its own run and number, before
   * anything queued; only into an empty spool.
   */
  restore(kind: Kind, parts: string[], items: number, boot: string, n: number): void {
    if (!this.empty()) throw new Error('restore: the spool is not empty');
    const bytes = parts.reduce((a, p) => a + p.length, 0);
    this.db.transaction(() => {
      let first = 0;
      let last = 0;
      for (const p of parts) {
        last = Number(this.stmt.insert.run(kind, p, 0, p.length).lastInsertRowid);
        if (first === 0) first = last;
      }
      this.stmt.setInflight.run(boot, n, kind, first, last, items, bytes);
      this.run = { kind, parts, items, bytes, boot, n, first, last };
    })();
  }

  /** Closes the database; what is waiting stays in the file for the next start. */
  close(): void {
    this.wake();
    if (this.db.open) this.db.close();
  }

  private trim(): void {
    const dropped: Dropped = { samples: 0, events: 0 };
    let upTo = 0;
    let from = 0;
    let freed = 0;
    let count = 0;
    const over = this.bytes() - this.maxBytes;
    for (const row of this.stmt.oldest.iterate(this.run?.last ?? 0) as IterableIterator<{
      seq: number;
      kind: Kind;
      items: number;
      bytes: number;
    }>) {
      if (freed >= over) break;
      if (from === 0) from = row.seq;
      upTo = row.seq;
      freed += row.bytes;
      count++;
      if (row.kind === 'samples') dropped.samples += row.items;
      else dropped.events += row.items;
    }
    if (count === 0) return;
    this.stmt.del.run(from, upTo);
    this.queuedBytes -= freed;
    this.queuedCount -= count;
    this.onDrop(dropped);
  }
}

function openDb(file: string, collector: string): Database.Database {
  // a file another process holds is refused after a second, not the library's 5 s
  const db = new Database(file, { timeout: 1000 });
  try {
    if (file !== ':memory:') {
      // one process at a time (a second collector on the same data_dir fails at start, not silently);
      // WAL without the shared-memory file; a commit survives the process (kill -9) at once and a power
      // cut from the next checkpoint (synchronous NORMAL: the WAL is synced at checkpoints)
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    const version = db.pragma('user_version', { simple: true }) as number;
    const appId = db.pragma('application_id', { simple: true }) as number;
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as {
      n: number;
    };
    if (tables.n === 0 && version === 0) {
      db.exec(SCHEMA);
      db.pragma(`application_id = ${APP_ID}`);
      db.pragma(`user_version = ${SPOOL_VERSION}`);
      db.prepare("INSERT INTO meta (key, value) VALUES ('collector', ?)").run(collector);
      return db;
    }
    if (appId !== APP_ID) throw new NotASpool('not a diemcau backbone spool (another SQLite database)');
    if (version !== SPOOL_VERSION)
      throw new NotASpool(`spool format ${version}, this diemcau reads format ${SPOOL_VERSION}`);
    const check = db.pragma('quick_check', { simple: true }) as string;
    if (check !== 'ok') throw new NotASpool(`damaged (quick_check: ${check})`);
    const owner = db.prepare("SELECT value FROM meta WHERE key = 'collector'").get() as
      | { value: string }
      | undefined;
    if (owner && owner.value !== collector)
      throw new NotASpool(`written by collector "${owner.value}", this one is "${collector}"`);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Opens the spool file, creating it (and its directory); a file that is damaged, of another format or
 * another collector's is moved aside (`<file>.bad-<time>`, its -wal with it) with an error line naming
 * both, and an empty spool starts — never a crash, never a silent loss. A file another process holds
 * (a second collector on this data_dir) is an Error: the start fails.
 */
function openFile(
  file: string,
  collector: string,
  log?: SpoolLog,
  now = () => new Date(),
): Database.Database {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    return openDb(file, collector);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')
      throw new Error(
        `backbone spool ${file} is in use by another process (another collector on this data_dir?): ${String(err)}`,
      );
    if (!(err instanceof NotASpool) && !/^SQLITE_(NOTADB|CORRUPT)/.test(code ?? '')) throw err;
    const aside = `${file}.bad-${now().toISOString().replace(/[:.]/g, '-')}`;
    for (const ext of ['', '-wal', '-shm']) if (existsSync(file + ext)) renameSync(file + ext, aside + ext);
    log?.error(
      { file, moved_to: aside, err: String(err) },
      `backbone spool ${file} unreadable (${err instanceof Error ? err.message : String(err)}): moved aside to ${aside}, starting an empty spool; its entries are not published`,
    );
    return openDb(file, collector);
  }
}
