// What the site page draws over a chart besides the series (issue 15): the fault episodes of the site
// as shaded bands, the running alert rules' lines, and a y range that shows the nearest line. Pure,
// unit-tested; TimeChart.svelte places them.
import type { Episode, Threshold } from '../../../api/contract.ts';

/** An episode of the site, cut to the chart's window. */
export interface Band {
  id: string;
  from: number;
  to: number;
  cause: Episode['cause'];
  severity: Episode['severity'];
  title: string;
  title_en: string;
  /** still going at the window's end */
  open: boolean;
}

/**
 * The site's episodes overlapping [from, to], oldest first, each from its first evidence to its
 * root's clearing (or its resolution, or the window's end while it lasts).
 */
export function episodeBands(episodes: readonly Episode[], site: string, from: number, to: number): Band[] {
  const out: Band[] = [];
  for (const e of episodes) {
    if (!e.sites.includes(site)) continue;
    const end = e.cleared_at ?? e.resolved_at;
    if (e.started_at > to || (end !== null && end < from)) continue;
    out.push({
      id: e.id,
      from: Math.max(e.started_at, from),
      to: end === null ? to : Math.min(end, to),
      cause: e.cause,
      severity: e.severity,
      title: e.title,
      title_en: e.title_en,
      open: end === null || end > to,
    });
  }
  return out.sort((a, b) => a.from - b.from);
}

/** The band under time `t` (the latest begun when bands overlap), or null. */
export function bandAt(bands: readonly Band[], t: number): Band | null {
  let hit: Band | null = null;
  for (const b of bands) if (b.from <= t && t <= b.to && (!hit || b.from >= hit.from)) hit = b;
  return hit;
}

/** The lines of one metric. */
export function linesOf(thresholds: readonly Threshold[], metric: string): Threshold[] {
  return thresholds.filter((t) => t.metric === metric);
}

/**
 * The y range: the data's, widened to take in the nearest line (the first band a value would cross),
 * so an operator sees how far the metric is from it; further lines show once the data reaches them.
 */
export function yRange(
  values: readonly (number | null)[],
  lines: readonly Threshold[],
): [number, number] | null {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (min === Number.POSITIVE_INFINITY) return null;
  const above = lines.filter((l) => l.direction === 'above').map((l) => l.value);
  const below = lines.filter((l) => l.direction === 'below').map((l) => l.value);
  if (above.length) max = Math.max(max, Math.min(...above));
  if (below.length) min = Math.min(min, Math.max(...below));
  // measurements of this vocabulary are not negative: keep zero in sight for the "above" metrics
  if (above.length && min > 0) min = 0;
  const pad = (max - min) * 0.08 || Math.abs(max) * 0.1 || 1;
  return [below.length ? min - pad : min, max + pad];
}
