// Small statistics over the metrics store's buckets, shared by the reports.
import type { Bucket } from '../core/ports.ts';

export interface Stat {
  /** mean of every point (bucket means weighted by their counts) */
  mean: number;
  /** 95th percentile of the one-minute means on the bad side: high for loss/jitter/RTT, low for MOS */
  p95: number;
  /** the worst one-minute mean */
  worst: number;
  /** minutes with data */
  minutes: number;
}

export function stat(buckets: readonly Bucket[], lowIsBad = false): Stat | null {
  if (buckets.length === 0) return null;
  let sum = 0;
  let n = 0;
  for (const b of buckets) {
    sum += b.mean * b.count;
    n += b.count;
  }
  const means = buckets.map((b) => b.mean).sort((a, b) => a - b);
  const k = means.length;
  // nearest rank, as storage/metrics/common.ts p95
  const hi = means[Math.min(k - 1, Math.max(0, Math.floor((k * 95) / 100 + 0.5) - 1))]!;
  const lo = means[Math.min(k - 1, Math.max(0, k - Math.floor((k * 95) / 100 + 0.5)))]!;
  return {
    mean: sum / n,
    p95: lowIsBad ? lo : hi,
    worst: lowIsBad ? means[0]! : means[k - 1]!,
    minutes: k,
  };
}

export function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
