// The collector's spool alone: order kept, a message retried is the same message, runs of one kind,
// the size of a message bounded, and over the spool's bound the oldest waiting entries dropped and
// counted (never the message in flight). On disk: what was spooled, and the message in flight under
// its run and number, are there after the spool is dropped without closing (as a killed process leaves
// it); a file that is damaged, of another format or another collector's is moved aside with an error
// naming it, and an empty spool starts.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { type Dropped, Spool, type SpoolLog } from './spool.ts';

const entry = (i: number, size = 10) => `"${String(i).padStart(size - 2, '0')}"`;
const dir = mkdtempSync(join(tmpdir(), 'diemcau-spool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** a counter of message numbers, as the publisher's: the next number, used when the run taken carries it */
const numbers = () => {
  let n = 0;
  return (s: Spool, maxBytes: number, boot: string) => {
    const t = s.take(maxBytes, boot, n + 1);
    if (t?.boot === boot && t.n === n + 1) n++;
    return t;
  };
};

function capture(): SpoolLog & { lines: { level: string; obj: object; msg: string }[] } {
  const lines: { level: string; obj: object; msg: string }[] = [];
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, obj, msg });
  return { lines, error: at('error'), warn: at('warn'), info: at('info') };
}

/** Every part the spool gives, committing each run. */
function all(s: Spool, boot = 'b', next = numbers()): string[] {
  const out: string[] = [];
  for (let t = next(s, 1000, boot); t; t = next(s, 1000, boot)) {
    out.push(...t.parts);
    s.commit();
  }
  return out;
}

describe('backbone spool', () => {
  it('keeps order, forms runs of one kind up to the message size, and returns the same run until committed', () => {
    const s = new Spool(1e6, () => {
      throw new Error('nothing is dropped under the bound');
    });
    const next = numbers();
    for (let i = 0; i < 5; i++) s.push('samples', entry(i), 3);
    s.push('events', entry(5), 1);
    s.push('samples', entry(6), 3);
    const a = next(s, 35, 'b1')!;
    expect(a).toMatchObject({
      kind: 'samples',
      parts: [entry(0), entry(1), entry(2)],
      items: 9,
      boot: 'b1',
      n: 1,
    });
    // not committed (the publish failed): the same run again, under the same number, even with more pushed
    s.push('samples', entry(7), 3);
    expect(next(s, 1000, 'b1')).toBe(a);
    s.commit();
    expect(next(s, 1000, 'b1')).toMatchObject({
      kind: 'samples',
      parts: [entry(3), entry(4)],
      items: 6,
      n: 2,
    });
    s.commit();
    expect(next(s, 1000, 'b1')).toMatchObject({ kind: 'events', parts: [entry(5)], items: 1, n: 3 });
    s.commit();
    expect(next(s, 1000, 'b1')).toMatchObject({ kind: 'samples', parts: [entry(6), entry(7)], n: 4 });
    s.commit();
    expect(next(s, 1000, 'b1')).toBeNull();
    expect(s.empty()).toBe(true);
    expect(s.bytes()).toBe(0);
  });

  it('an entry larger than a message goes alone', () => {
    const s = new Spool(1e6, () => {});
    s.push('samples', entry(1, 100), 1);
    s.push('samples', entry(2, 100), 1);
    expect(numbers()(s, 50, 'b')!.parts).toEqual([entry(1, 100)]);
  });

  it('over its bound it drops the oldest waiting entries, counts them, and keeps the message in flight', () => {
    const drops: Dropped[] = [];
    const s = new Spool(100, (d) => drops.push(d));
    const next = numbers();
    for (let i = 0; i < 5; i++) s.push('samples', entry(i), 4);
    const inflight = next(s, 21, 'b')!;
    expect(inflight.parts).toEqual([entry(0), entry(1)]);
    for (let i = 5; i < 10; i++) s.push(i === 7 ? 'events' : 'samples', entry(i), i === 7 ? 1 : 4);
    expect(s.bytes()).toBe(100);
    for (let i = 10; i < 13; i++) s.push('samples', entry(i), 4);
    // 130 bytes wanted, 100 allowed: entries 2, 3, 4 go (12 samples); 0 and 1 are in flight
    expect(drops).toEqual([
      { samples: 4, events: 0 },
      { samples: 4, events: 0 },
      { samples: 4, events: 0 },
    ]);
    expect(s.bytes()).toBe(100);
    expect(next(s, 1000, 'b')).toBe(inflight);
    s.commit();
    expect(all(s, 'b', next)).toEqual([5, 6, 7, 8, 9, 10, 11, 12].map((i) => entry(i)));
  });
});

describe('backbone spool on disk', () => {
  it('a spool dropped without closing (a killed process) gives back its queue and its message in flight under its run and number', () => {
    const file = join(dir, 'kill', 'backbone.db');
    const a = new Spool(1e6, () => {}, { file, collector: 'c1' });
    const next = numbers();
    for (let i = 0; i < 6; i++) a.push(i === 4 ? 'events' : 'samples', entry(i), 2);
    expect(next(a, 21, 'boot-a')).toMatchObject({ parts: [entry(0), entry(1)], boot: 'boot-a', n: 1 });
    a.commit();
    // the second message is published, its acknowledgement never comes: the process dies
    expect(next(a, 21, 'boot-a')).toMatchObject({ parts: [entry(2), entry(3)], boot: 'boot-a', n: 2 });
    // not closed: the file as a SIGKILL leaves it (the connection is dropped by the garbage collector only)

    const copy = join(dir, 'kill-copy');
    // read it as a second process would, from a copy (the first still holds its lock)
    mkdirSync(copy);
    for (const ext of ['', '-wal'])
      if (existsSync(file + ext)) copyFileSync(file + ext, join(copy, `backbone.db${ext}`));
    const b = new Spool(1e6, () => {}, { file: join(copy, 'backbone.db'), collector: 'c1' });
    expect(b.bytes()).toBe(40);
    expect(b.length()).toBe(2);
    // the message in flight first, under the first run's id; the new run's numbers start at 1 after it
    const nextB = numbers();
    const again = nextB(b, 1000, 'boot-b')!;
    expect(again).toMatchObject({ kind: 'samples', parts: [entry(2), entry(3)], boot: 'boot-a', n: 2 });
    b.commit();
    expect(nextB(b, 1000, 'boot-b')).toMatchObject({
      kind: 'events',
      parts: [entry(4)],
      boot: 'boot-b',
      n: 1,
    });
    b.commit();
    expect(nextB(b, 1000, 'boot-b')).toMatchObject({ parts: [entry(5)], boot: 'boot-b', n: 2 });
    b.commit();
    expect(b.empty()).toBe(true);
    b.close();
    a.close();
  });

  it('closed and opened again: the bound holds across the restart, drops counted, order kept', () => {
    const file = join(dir, 'bound', 'backbone.db');
    const drops: Dropped[] = [];
    const a = new Spool(100, (d) => drops.push(d), { file, collector: 'c1' });
    for (let i = 0; i < 8; i++) a.push('samples', entry(i), 3);
    numbers()(a, 10, 'b');
    a.close();
    expect(drops).toEqual([]);
    // a smaller bound at the next start: the oldest waiting go at once (not the message in flight)
    const b = new Spool(50, (d) => drops.push(d), { file, collector: 'c1' });
    expect(drops).toEqual([{ samples: 9, events: 0 }]);
    expect(b.bytes()).toBe(50);
    for (let i = 8; i < 10; i++) b.push('samples', entry(i), 3);
    expect(drops).toEqual([
      { samples: 9, events: 0 },
      { samples: 3, events: 0 },
      { samples: 3, events: 0 },
    ]);
    expect(all(b)).toEqual([0, 6, 7, 8, 9].map((i) => entry(i)));
    b.close();
  });

  it('a damaged file, another format or another collector: moved aside with an error naming it, an empty spool starts', () => {
    const cases: [string, (file: string) => void, RegExp][] = [
      [
        'garbage',
        (f) => writeFileSync(f, 'this is not a database, it was a text file'.repeat(200)),
        /not a database/,
      ],
      [
        'other-version',
        (f) => {
          const s = new Spool(1e6, () => {}, { file: f, collector: 'c1' });
          s.push('samples', entry(1), 1);
          s.close();
          const db = new Database(f);
          db.pragma('user_version = 7');
          db.close();
        },
        /spool format 7, this diemcau reads format 1/,
      ],
      [
        'other-db',
        (f) => {
          const db = new Database(f);
          db.exec('CREATE TABLE t (x)');
          db.close();
        },
        /not a diemcau backbone spool/,
      ],
      [
        'other-collector',
        (f) => {
          const s = new Spool(1e6, () => {}, { file: f, collector: 'someone-else' });
          s.push('samples', entry(1), 1);
          s.close();
        },
        /written by collector "someone-else", this one is "c1"/,
      ],
      [
        'truncated',
        (f) => {
          const s = new Spool(1e6, () => {}, { file: f, collector: 'c1' });
          for (let i = 0; i < 500; i++) s.push('samples', entry(i, 200), 1);
          s.close();
          truncateSync(f, 8192);
        },
        /damaged|malformed|not a database/,
      ],
    ];
    for (const [name, make, why] of cases) {
      const d = join(dir, name);
      mkdirSync(d);
      const file = join(d, 'backbone.db');
      make(file);
      const log = capture();
      const s = new Spool(1e6, () => {}, {
        file,
        collector: 'c1',
        log,
        now: () => new Date('2026-12-07T06:30:00Z'),
      });
      expect(log.lines, name).toHaveLength(1);
      const line = log.lines[0]!;
      expect(line.level, name).toBe('error');
      expect(line.msg, name).toContain(file);
      expect(line.msg, name).toMatch(why);
      expect(line.obj, name).toMatchObject({ file, moved_to: `${file}.bad-2026-12-07T06-30-00-000Z` });
      expect(readdirSync(d), name).toContain('backbone.db.bad-2026-12-07T06-30-00-000Z');
      // an empty spool, working
      expect(s.empty(), name).toBe(true);
      s.push('events', entry(9), 1);
      expect(all(s)).toEqual([entry(9)]);
      s.close();
      // and the next start opens it without a word
      const log2 = capture();
      new Spool(1e6, () => {}, { file, collector: 'c1', log: log2 }).close();
      expect(log2.lines, name).toEqual([]);
    }
  });

  it('a spool another collector holds (the same data_dir) is refused at start, and left as it is', () => {
    const file = join(dir, 'held', 'backbone.db');
    const a = new Spool(1e6, () => {}, { file, collector: 'c1' });
    a.push('samples', entry(1), 1);
    const log = capture();
    expect(() => new Spool(1e6, () => {}, { file, collector: 'c1', log })).toThrow(
      /backbone spool .*held\/backbone\.db is in use by another process/,
    );
    expect(log.lines).toEqual([]);
    expect(readdirSync(join(dir, 'held')).filter((f) => f.includes('.bad-'))).toEqual([]);
    expect(all(a)).toEqual([entry(1)]);
    a.close();
  });
});
