// thresholdsOf: the lines a rule set draws on charts, whatever kind of condition each rule has.
import { describe, expect, it } from 'vitest';
import { thresholdsOf } from './thresholds.ts';

const base = { title: 'T', title_en: 'T en', severity: 'major' as const };

describe('thresholdsOf', () => {
  it('draws a windowed rule’s bands, a threshold, both edges of outside; not absence', () => {
    const lines = thresholdsOf(
      [
        {
          ...base,
          id: 'loss',
          metric: 'loss_pct',
          bands: [
            { above: 2, severity: 'major' },
            { above: 7, severity: 'critical' },
          ],
        },
        { ...base, id: 'volt', metric: 'ups_input_v', outside: [190, 250], severity: 'minor' },
        { ...base, id: 'mos', metric: 'mos', below: 3 },
        { ...base, id: 'gone', metric: 'rtt_ms' },
      ],
      ['loss_pct', 'ups_input_v', 'mos', 'rtt_ms'],
    );
    expect(lines.map((l) => [l.rule, l.direction, l.value, l.severity])).toEqual([
      ['loss', 'above', 2, 'major'],
      ['loss', 'above', 7, 'critical'],
      ['volt', 'below', 190, 'minor'],
      ['volt', 'above', 250, 'minor'],
      ['mos', 'below', 3, 'major'],
    ]);
  });

  it('keeps only the metrics asked', () => {
    expect(thresholdsOf([{ ...base, id: 'x', metric: 'rtt_ms', above: 300 }], ['loss_pct'])).toEqual([]);
  });
});
