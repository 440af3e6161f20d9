// The collector's spool alone: order kept, a message retried is the same message, runs of one kind,
// the size of a message bounded, and over the spool's bound the oldest waiting entries dropped and
// counted (never the message in flight).
import { describe, expect, it } from 'vitest';
import { type Dropped, Spool } from './spool.ts';

const entry = (i: number, size = 10) => `"${String(i).padStart(size - 2, '0')}"`;

describe('backbone spool', () => {
  it('keeps order, forms runs of one kind up to the message size, and returns the same run until committed', () => {
    const s = new Spool(1e6, () => {
      throw new Error('nothing is dropped under the bound');
    });
    for (let i = 0; i < 5; i++) s.push('samples', entry(i), 3);
    s.push('events', entry(5), 1);
    s.push('samples', entry(6), 3);
    const a = s.take(35)!;
    expect(a).toMatchObject({ kind: 'samples', parts: [entry(0), entry(1), entry(2)], items: 9 });
    // not committed (the publish failed): the same run again, even with more pushed
    s.push('samples', entry(7), 3);
    expect(s.take(1000)).toBe(a);
    s.commit();
    expect(s.take(1000)).toMatchObject({ kind: 'samples', parts: [entry(3), entry(4)], items: 6 });
    s.commit();
    expect(s.take(1000)).toMatchObject({ kind: 'events', parts: [entry(5)], items: 1 });
    s.commit();
    expect(s.take(1000)).toMatchObject({ kind: 'samples', parts: [entry(6), entry(7)] });
    s.commit();
    expect(s.take(1000)).toBeNull();
    expect(s.empty()).toBe(true);
    expect(s.bytes()).toBe(0);
  });

  it('an entry larger than a message goes alone', () => {
    const s = new Spool(1e6, () => {});
    s.push('samples', entry(1, 100), 1);
    s.push('samples', entry(2, 100), 1);
    expect(s.take(50)!.parts).toEqual([entry(1, 100)]);
  });

  it('over its bound it drops the oldest waiting entries, counts them, and keeps the message in flight', () => {
    const drops: Dropped[] = [];
    const s = new Spool(100, (d) => drops.push(d));
    for (let i = 0; i < 5; i++) s.push('samples', entry(i), 4);
    const inflight = s.take(21)!;
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
    expect(s.take(1000)).toBe(inflight);
    s.commit();
    const rest: string[] = [];
    for (let t = s.take(1000); t; t = s.take(1000)) {
      rest.push(...t.parts);
      s.commit();
    }
    expect(rest).toEqual([5, 6, 7, 8, 9, 10, 11, 12].map((i) => entry(i)));
  });
});
