/**
 * Re-bins a TensorBoard histogram (bucket upper limits + counts) onto `bins` equal-width bins over
 * [lo, hi], spreading each bucket's count uniformly over its width, so steps with different bucket
 * layouts can share one heat strip.
 *
 * @param limits bucket upper limits, ascending (the last may be huge: it is clamped to `max`)
 * @param min the smallest value seen, the first bucket's lower edge
 */
export function rebinHistogram(
  limits: readonly number[],
  counts: readonly number[],
  min: number,
  max: number,
  lo: number,
  hi: number,
  bins: number,
): number[] {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  const out = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins;
  let left = min;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i] ?? 0;
    const right = Math.min(limits[i] ?? max, max);
    const l = Math.max(left, min);
    left = limits[i] ?? left;
    if (count <= 0) continue;
    if (!(width > 0) || right <= l) {
      out[clampBin(Math.floor(((right + l) / 2 - lo) / (width || 1)), bins)]! += count;
      continue;
    }
    const first = clampBin(Math.floor((l - lo) / width), bins);
    const last = clampBin(Math.floor((right - lo) / width), bins);
    for (let b = first; b <= last; b++) {
      const overlap = Math.min(right, lo + (b + 1) * width) - Math.max(l, lo + b * width);
      if (overlap > 0) out[b]! += (count * overlap) / (right - l);
    }
  }
  return out;
}

const clampBin = (b: number, bins: number) => Math.min(Math.max(b, 0), bins - 1);
