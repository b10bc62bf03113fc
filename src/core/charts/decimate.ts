/**
 * Largest-Triangle-Three-Buckets (Steinarsson, 2013): picks `threshold` indices of a series that
 * keep its visual shape, so a million-point curve can travel to a chart as a few thousand.
 * Gaps (null values) are always kept, because a NaN step is what a reader looks for.
 *
 * @returns ascending indices into `xs`/`ys`
 * @example lttbIndices([0, 1, 2, 3], [0, 5, 0, 1], 3) // [0, 1, 3]
 */
export function lttbIndices(xs: readonly number[], ys: readonly (number | null)[], threshold: number): number[] {
  if (!Number.isInteger(threshold) || threshold < 3) throw new RangeError(`threshold must be an integer >= 3, got ${threshold}`);
  const finite: number[] = [];
  const gaps: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const y = ys[i];
    if (y === null || y === undefined || !Number.isFinite(y)) gaps.push(i);
    else finite.push(i);
  }
  const picked = finite.length <= threshold ? finite : lttbOver(xs, ys as readonly number[], finite, threshold);
  return gaps.length === 0 ? picked : mergeSorted(picked, gaps);
}

function lttbOver(xs: readonly number[], ys: readonly number[], idx: readonly number[], threshold: number): number[] {
  const n = idx.length;
  const out: number[] = [idx[0]!];
  const bucket = (n - 2) / (threshold - 2);
  let a = idx[0]!;
  for (let b = 0; b < threshold - 2; b++) {
    const nextStart = Math.floor((b + 1) * bucket) + 1;
    const nextEnd = Math.min(Math.floor((b + 2) * bucket) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += xs[idx[j]!]!;
      avgY += ys[idx[j]!]!;
    }
    const count = Math.max(nextEnd - nextStart, 1);
    avgX /= count;
    avgY /= count;
    const start = Math.floor(b * bucket) + 1;
    const end = Math.floor((b + 1) * bucket) + 1;
    const ax = xs[a]!;
    const ay = ys[a]!;
    let best = idx[start]!;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const i = idx[j]!;
      const area = Math.abs((ax - avgX) * (ys[i]! - ay) - (ax - xs[i]!) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = i;
      }
    }
    out.push(best);
    a = best;
  }
  out.push(idx[n - 1]!);
  return out;
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}
