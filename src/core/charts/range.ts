/**
 * A y-range that ignores outliers, like TensorBoard's "ignore outliers in chart scaling", but only
 * when there are outliers: a diverging run's 1e25 must not flatten every other curve, while a loss
 * that honestly falls from 2.3 to 0.1 keeps its whole range.
 *
 * Values beyond `fence` inter-quantile spreads past the 5th/95th percentiles count as outliers.
 * @returns the range of the remaining values (padded 5%), or undefined when nothing was cut
 * @example robustRange([...Array(30).fill(1), 2, 1e25]) // { min: 0.95, max: 1.05 }
 */
export function robustRange(values: readonly (number | null)[], fence = 2): { min: number; max: number } | undefined {
  const finite: number[] = [];
  for (const v of values) if (v !== null && Number.isFinite(v)) finite.push(v);
  // Too few points to call any of them an outlier.
  if (finite.length < 20) return undefined;
  const sorted = finite.sort((a, b) => a - b);
  const lo = sorted[Math.ceil(0.05 * (sorted.length - 1))]!;
  const hi = sorted[Math.floor(0.95 * (sorted.length - 1))]!;
  const spread = hi - lo || Math.abs(hi) * 0.1 || 1;
  const lowFence = lo - fence * spread;
  const highFence = hi + fence * spread;
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  if (first >= lowFence && last <= highFence) return undefined;
  let min = Infinity;
  let max = -Infinity;
  for (const v of sorted) {
    if (v < lowFence || v > highFence) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const pad = (max - min) * 0.05 || Math.abs(max) * 0.05 || 1;
  return { min: min - pad, max: max + pad };
}

/**
 * Widens [min, max] to multiples of a 1-2-5 step so the axis starts and ends on round ticks.
 * @example niceBounds(-0.0106, 1.51, 8) // { min: -0.2, max: 1.6 }
 */
export function niceBounds(min: number, max: number, ticks = 5): { min: number; max: number } {
  if (!(max > min)) return { min, max };
  const raw = (max - min) / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  return { min: Math.floor(min / step) * step, max: Math.ceil(max / step) * step };
}

/**
 * `robustRange` over several curves drawn together, which never hides a steady curve: a run whose
 * every point falls outside the pooled range (a run at lr 5 among runs at 0.01) widens it again,
 * while a short run that only exploded (26200 -> 1.7e6, then NaN) stays out of the scale.
 */
export function robustRangeOfSeries(series: readonly (readonly (number | null)[])[], fence = 2): { min: number; max: number } | undefined {
  const pooled = robustRange(series.flat(), fence);
  if (!pooled) return undefined;
  let { min, max } = pooled;
  for (const values of series) {
    const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
    if (!finite.length || finite.some((v) => v >= pooled.min && v <= pooled.max)) continue;
    const own = robustRange(finite, fence) ?? steadyExtent(finite);
    if (!own) continue;
    min = Math.min(min, own.min);
    max = Math.max(max, own.max);
  }
  return { min, max };
}

/** The extent of a short curve whose values stay within a factor of ten of each other; else undefined. */
function steadyExtent(values: readonly number[]): { min: number; max: number } | undefined {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const lo = Math.min(Math.abs(min), Math.abs(max));
  const hi = Math.max(Math.abs(min), Math.abs(max));
  const sameSign = min >= 0 || max <= 0;
  return sameSign && (hi === 0 || (lo > 0 && hi / lo <= 10)) ? { min, max } : undefined;
}
