import type { LatencySummary } from './types';

/**
 * The q-quantile (0..1) of ascending `sorted` values by linear interpolation between closest
 * ranks (numpy's default), or null for no values.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

const round3 = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);

/** p50, p90, p99 and max of latencies in milliseconds, rounded to the microsecond. */
export function latencySummary(values: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  return {
    p50: round3(quantileSorted(sorted, 0.5)),
    p90: round3(quantileSorted(sorted, 0.9)),
    p99: round3(quantileSorted(sorted, 0.99)),
    max: round3(sorted.length ? sorted[sorted.length - 1]! : null),
  };
}
