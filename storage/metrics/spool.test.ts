// The on-disk spool on its own: order, survival across a reopen, a torn last line, the bound.
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSeriesKey } from './influx.ts';
import { Spool } from './spool.ts';

const root = mkdtempSync(join(tmpdir(), 'diemcau-spool-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const lines = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => `m,site=a value=${from + i} ${from + i}`);

function drainAll(s: Spool): string[] {
  const out: string[] = [];
  for (let seg = s.oldest(); seg; seg = s.oldest()) {
    out.push(...seg.lines);
    s.remove(seg.seq);
  }
  return out;
}

describe('spool', () => {
  it('gives lines back oldest first, across segments and a reopen', () => {
    const dir = join(root, 'order');
    const a = new Spool(dir, 10 * 1024 * 1024, 1024);
    a.append(lines(0, 100));
    a.append(lines(100, 100));
    expect(a.stats().segments).toBeGreaterThan(1);
    a.close();
    const b = new Spool(dir, 10 * 1024 * 1024, 1024);
    expect(b.stats().points).toBe(200);
    b.append(lines(200, 10));
    expect(drainAll(b)).toEqual(lines(0, 210));
    expect(b.empty).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('cuts off a torn last line left by a crash mid-append', () => {
    const dir = join(root, 'torn');
    const a = new Spool(dir, 1024 * 1024);
    a.append(lines(0, 3));
    a.close();
    const [file] = readdirSync(dir);
    appendFileSync(join(dir, file!), 'm,site=a value=3 3'); // no newline: the write was cut
    const b = new Spool(dir, 1024 * 1024);
    expect(b.stats().points).toBe(3);
    expect(drainAll(b)).toEqual(lines(0, 3));
  });

  it('stays within its bound by dropping the oldest segments, and says how many points went', () => {
    const dir = join(root, 'bound');
    const s = new Spool(dir, 8192, 2048);
    let dropped = 0;
    for (let k = 0; k < 20; k++) dropped += s.append(lines(k * 20, 20));
    expect(dropped).toBeGreaterThan(0);
    expect(s.stats().bytes).toBeLessThanOrEqual(8192);
    expect(s.stats().points + dropped).toBe(400);
    const left = drainAll(s);
    expect(left).toEqual(lines(400 - left.length, left.length)); // the newest survive, in order
  });
});

describe('InfluxDB series keys', () => {
  it('parses SHOW SERIES keys into series identities, escapes included', () => {
    expect(
      parseSeriesKey(
        'if_in_bps,carrier=vnpt,device=xa-a:router,instance=Gi0/1\\,\\ wan,site=xa-a,tier=commune',
      ),
    ).toEqual({
      metric: 'if_in_bps',
      site: 'xa-a',
      device: 'xa-a:router',
      instance: 'Gi0/1, wan',
    });
    expect(parseSeriesKey('not_a_metric,site=a,device=b')).toBeNull();
  });
});
