// The marks over the site page's charts: the site's episodes as bands cut to the window, the band
// under the cursor, the lines of a metric and the y range that shows the nearest one.
import { describe, expect, it } from 'vitest';
import type { Episode, Threshold } from '../../../api/contract.ts';
import { bandAt, episodeBands, linesOf, yRange } from './chart-marks.ts';

const ep = (id: string, o: Partial<Episode>): Episode =>
  ({
    id,
    rule: 'link-loss',
    state: 'open',
    severity: 'major',
    cause: 'link',
    title: 'Mất gói trên đường truyền',
    title_en: 'Packet loss on the link',
    sites: ['xa-a'],
    started_at: 0,
    cleared_at: null,
    resolved_at: null,
    ...o,
  }) as Episode;

const line = (o: Partial<Threshold>): Threshold => ({
  metric: 'loss_pct',
  rule: 'link-loss',
  title: 'Mất gói trên đường truyền',
  title_en: 'Packet loss on the link',
  severity: 'major',
  direction: 'above',
  value: 1,
  ...o,
});

describe('episodeBands', () => {
  const from = 1000;
  const to = 2000;
  it('keeps the site’s episodes overlapping the window, cut to it, oldest first', () => {
    const bands = episodeBands(
      [
        ep('open', { started_at: 1800 }),
        ep('cleared', { started_at: 500, cleared_at: 1200, resolved_at: 1500, cause: 'power' }),
        ep('before', { started_at: 100, cleared_at: 900 }),
        ep('after', { started_at: 2100 }),
        ep('other-site', { started_at: 1100, sites: ['xa-b'] }),
        ep('resolved-only', { started_at: 1300, resolved_at: 1400 }),
      ],
      'xa-a',
      from,
      to,
    );
    expect(bands.map((b) => [b.id, b.from, b.to, b.open, b.cause])).toEqual([
      ['cleared', 1000, 1200, false, 'power'],
      ['resolved-only', 1300, 1400, false, 'link'],
      ['open', 1800, 2000, true, 'link'],
    ]);
  });

  it('a district episode listing the site is the site’s too', () => {
    expect(
      episodeBands([ep('d', { started_at: 1500, sites: ['xa-b', 'xa-a'] })], 'xa-a', from, to),
    ).toHaveLength(1);
  });

  it('bandAt: the band under a time, the latest begun where two overlap', () => {
    const bands = episodeBands(
      [ep('a', { started_at: 1000, cleared_at: 1600 }), ep('b', { started_at: 1400, cleared_at: 1700 })],
      'xa-a',
      from,
      to,
    );
    expect(bandAt(bands, 1100)?.id).toBe('a');
    expect(bandAt(bands, 1500)?.id).toBe('b');
    expect(bandAt(bands, 1650)?.id).toBe('b');
    expect(bandAt(bands, 1800)).toBeNull();
  });
});

describe('lines and range', () => {
  const loss = [line({ value: 1 }), line({ value: 5, severity: 'critical' })];
  const mos = [
    line({ metric: 'mos', rule: 'link-mos', direction: 'below', value: 3.6 }),
    line({ metric: 'mos', rule: 'link-mos', direction: 'below', value: 3.1, severity: 'critical' }),
  ];

  it('linesOf: a metric’s lines only', () => {
    expect(linesOf([...loss, ...mos], 'mos')).toEqual(mos);
  });

  it('low loss: from zero to past the first line, not the critical one', () => {
    const [lo, hi] = yRange([0, 0.2, null, 0.1], loss)!;
    expect(lo).toBe(0);
    expect(hi).toBeGreaterThan(1);
    expect(hi).toBeLessThan(5);
  });

  it('high loss: the data’s own range, both lines inside', () => {
    const [, hi] = yRange([0, 12], loss)!;
    expect(hi).toBeGreaterThan(12);
  });

  it('good MOS: down to past the first line (below), not the critical one', () => {
    const [lo, hi] = yRange([4.2, 4.3], mos)!;
    expect(lo).toBeLessThan(3.6);
    expect(lo).toBeGreaterThan(3.1);
    expect(hi).toBeGreaterThan(4.3);
  });

  it('no data: no range; no lines: the data’s', () => {
    expect(yRange([null, null], loss)).toBeNull();
    const [lo, hi] = yRange([10, 20], [])!;
    expect(lo).toBe(10);
    expect(hi).toBeGreaterThan(20);
  });
});
