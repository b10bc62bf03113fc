/**
 * Thinning for overlays of many runs: each run's curve is cut to a few hundred points before it
 * reaches the chart, keeping what a reader must not miss. A hundred runs of 1,000 points each
 * then draw as 100 x 400 points instead of 100,000 per chart.
 */

/** Curves are thinned past this many overlaid runs; below it every point is drawn. */
export const THIN_OVERLAYS_FROM_RUNS = 10;
/** Points kept per run when thinning: about one per two pixels of a dashboard chart. */
export const OVERLAY_POINTS_PER_RUN = 400;

/**
 * Indices of the points to draw: the first and last, each bucket's minimum and maximum (in
 * index order), and every missing value (null: NaN/Inf) with the point before it, so a gap
 * still shows as one. At most about 2 x `buckets` + the gaps; everything when it is shorter.
 */
export function minMaxIndices(values: readonly (number | null)[], buckets: number): number[] {
  const n = values.length;
  if (n <= 2 * buckets) return Array.from({ length: n }, (_, i) => i);
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  const size = n / buckets;
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.min(n, Math.floor((b + 1) * size));
    let lo = -1;
    let hi = -1;
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        keep[i] = 1;
        if (i > 0) keep[i - 1] = 1;
        continue;
      }
      if (lo < 0 || v < values[lo]!) lo = i;
      if (hi < 0 || v > values[hi]!) hi = i;
    }
    if (lo >= 0) keep[lo] = 1;
    if (hi >= 0) keep[hi] = 1;
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(i);
  return out;
}
