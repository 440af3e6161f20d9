// Reads a metrics answer from `GET /sites/:id/metrics` into chart arrays. Accepts the store's shapes:
// raw series (`points: [{time, value}]`), aggregated series (`buckets: [{time, mean}]`), a list of either
// (merged by time; several devices may report the same metric) or `{ series: [...] }`.
export interface XY {
  times: number[];
  values: (number | null)[];
}

type Pt = { time: number; value?: number; mean?: number; v?: number };

function pointsOf(s: unknown): Pt[] {
  if (!s || typeof s !== 'object') return [];
  const o = s as Record<string, unknown>;
  if (Array.isArray(o['points'])) return o['points'] as Pt[];
  if (Array.isArray(o['buckets'])) return o['buckets'] as Pt[];
  return [];
}

export function parseSeries(body: unknown): XY {
  let list: unknown[] = [];
  if (Array.isArray(body)) list = body;
  else if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    if (Array.isArray(o['series'])) list = o['series'] as unknown[];
    else if (Array.isArray(o['points']) || Array.isArray(o['buckets'])) list = [o];
  }
  // a bare list of points
  if (list.length > 0 && typeof (list[0] as Pt).time === 'number' && !pointsOf(list[0]).length) {
    list = [{ points: list }];
  }
  const byTime = new Map<number, number>();
  for (const s of list) {
    for (const p of pointsOf(s)) {
      const v = p.value ?? p.mean ?? p.v;
      if (typeof p.time !== 'number' || typeof v !== 'number') continue;
      // several series for one metric (e.g. codec and router): keep the worst-case (max) except MOS (min)
      const prev = byTime.get(p.time);
      byTime.set(p.time, prev === undefined ? v : Math.max(prev, v));
    }
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  return { times, values: times.map((t) => byTime.get(t) ?? null) };
}

/** `{ series: [{ metric, buckets }] }` with several metrics → one XY per metric. */
export function parseByMetric(body: unknown): Record<string, XY> {
  const out: Record<string, XY> = {};
  const list =
    body && typeof body === 'object' && Array.isArray((body as { series?: unknown }).series)
      ? ((body as { series: { metric?: string }[] }).series ?? [])
      : [];
  const groups = new Map<string, unknown[]>();
  for (const s of list) {
    const m = s.metric ?? '';
    const g = groups.get(m);
    if (g) g.push(s);
    else groups.set(m, [s]);
  }
  for (const [m, g] of groups) out[m] = parseSeries({ series: g });
  return out;
}

/**
 * A gap where data is missing (a dark site, a stopped collector): a null between two points further
 * apart than 1.5 buckets, so the chart breaks the line there instead of drawing through the outage.
 * The window's edges get a null too when the data starts late or stops early, so the line does not
 * seem to reach the present.
 */
export function withGaps(xy: XY, bucketMs: number, from?: number, to?: number): XY {
  if (!(bucketMs > 0) || xy.times.length === 0) return xy;
  const limit = bucketMs * 1.5;
  const times: number[] = [];
  const values: (number | null)[] = [];
  const first = xy.times[0]!;
  if (from !== undefined && first - from > limit) {
    times.push(first - bucketMs);
    values.push(null);
  }
  xy.times.forEach((t, i) => {
    const prev = xy.times[i - 1];
    if (prev !== undefined && t - prev > limit) {
      times.push(prev + bucketMs);
      values.push(null);
    }
    times.push(t);
    values.push(xy.values[i] ?? null);
  });
  const last = xy.times.at(-1)!;
  if (to !== undefined && to - last > limit) {
    times.push(last + bucketMs);
    values.push(null);
  }
  return { times, values };
}
