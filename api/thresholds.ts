// The lines the running alert rules draw on a metric's chart (issue 15, the site page): each band of
// a windowed rule, a threshold rule's above/below, both edges of an `outside` rule. Absence and the
// meeting-dependent UPS runtime rule draw no fixed line.

import type { Rule } from '../alerts/rules.ts';
import type { MetricName } from '../core/metrics.ts';
import type { Threshold } from './contract.ts';

type RuleLines = Pick<
  Rule,
  'id' | 'title' | 'title_en' | 'metric' | 'severity' | 'above' | 'below' | 'outside' | 'bands'
>;

/** The threshold lines of `rules` for `metrics`, in the rules' order, each value once per rule. */
export function thresholdsOf(rules: readonly RuleLines[], metrics: readonly MetricName[]): Threshold[] {
  const out: Threshold[] = [];
  for (const r of rules) {
    if (!metrics.includes(r.metric)) continue;
    const line = (direction: Threshold['direction'], value: number, severity: Threshold['severity']) => {
      if (out.some((t) => t.rule === r.id && t.direction === direction && t.value === value)) return;
      out.push({
        metric: r.metric,
        rule: r.id,
        title: r.title,
        title_en: r.title_en,
        severity,
        direction,
        value,
      });
    };
    for (const b of r.bands ?? []) {
      if (b.above !== undefined) line('above', b.above, b.severity);
      if (b.below !== undefined) line('below', b.below, b.severity);
    }
    if (r.above !== undefined) line('above', r.above, r.severity);
    if (r.below !== undefined) line('below', r.below, r.severity);
    if (r.outside) {
      line('below', r.outside[0], r.severity);
      line('above', r.outside[1], r.severity);
    }
  }
  return out;
}
