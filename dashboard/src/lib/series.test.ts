// Chart arrays from a metrics answer; a dark site's missing buckets become gaps, not a line across.
import { describe, expect, it } from 'vitest';
import { parseByMetric, withGaps } from './series.ts';

describe('series', () => {
  it('parseByMetric merges a metric’s series by time (worst case)', () => {
    const out = parseByMetric({
      series: [
        {
          metric: 'loss_pct',
          buckets: [
            { time: 1, mean: 1 },
            { time: 2, mean: 3 },
          ],
        },
        { metric: 'loss_pct', buckets: [{ time: 2, mean: 5 }] },
        { metric: 'rtt_ms', buckets: [{ time: 1, mean: 40 }] },
      ],
    });
    expect(out['loss_pct']).toEqual({ times: [1, 2], values: [1, 5] });
    expect(out['rtt_ms']).toEqual({ times: [1], values: [40] });
  });

  it('withGaps: a null where buckets are missing, none between neighbours', () => {
    const xy = { times: [0, 10, 20, 60, 70], values: [1, 2, 3, 4, 5] };
    expect(withGaps(xy, 10)).toEqual({ times: [0, 10, 20, 30, 60, 70], values: [1, 2, 3, null, 4, 5] });
    expect(withGaps({ times: [0, 10, 24], values: [1, 2, 3] }, 10).values).toEqual([1, 2, 3]);
  });

  it('withGaps: data that stopped before the window’s end (a site gone dark) ends in a gap', () => {
    const out = withGaps({ times: [100, 110], values: [1, 2] }, 10, 0, 200);
    expect(out.times).toEqual([90, 100, 110, 120]);
    expect(out.values).toEqual([null, 1, 2, null]);
    expect(withGaps({ times: [100, 110], values: [1, 2] }, 10, 95, 115).values).toEqual([1, 2]);
  });
});
