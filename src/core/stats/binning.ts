// Binning shared by Jensen-Shannon, Hellinger and PSI. numpy's exact arithmetic is reproduced
// (linspace edges, histogram index correction, 'linear' quantiles with its two-sided lerp) so
// that counts agree with numpy even for values that sit on a bin edge.

/** numpy `linspace(start, stop, num)`: i * step + start, last element exactly stop. */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const div = num - 1;
  const step = (stop - start) / div;
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  if (num > 1) out[num - 1] = stop;
  return out;
}

/**
 * Equal-width bin edges over the reference's [min, max] (numpy: +-0.5 when min == max). Throws a
 * RangeError where numpy's `histogram` raises "Too many bins for data range": a range wider than
 * the largest double (its width overflows to Infinity, e.g. -1e308..1e308) or too narrow for
 * `bins` distinct edges. Any range numpy can bin is binned with its exact arithmetic.
 */
export function equalWidthEdges([min, max]: [number, number], bins: number): Float64Array {
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  if (!Number.isFinite(last - first)) {
    throw new RangeError(
      `the reference spans [${min}, ${max}], a width beyond the largest double: ${bins} equal-width bins cannot be formed (numpy.histogram refuses it too); rescale the values or use ks or psi`,
    );
  }
  const edges = linspace(first, last, bins + 1);
  for (let i = 1; i < edges.length; i++) {
    if (!(edges[i]! > edges[i - 1]!)) {
      throw new RangeError(`the reference spans [${min}, ${max}], too narrow for ${bins} distinct equal-width bins in doubles (numpy.histogram refuses it too)`);
    }
  }
  return edges;
}

/**
 * numpy's `sum` of a float64 array to the last bit: pairwise, with eight running sums per block of
 * up to 128 values (numpy's `pairwise_sum`), so that distances summed here equal scipy's.
 */
export function numpySum(values: Float64Array, start = 0, n = values.length): number {
  if (n < 8) {
    let sum = -0;
    for (let i = 0; i < n; i++) sum += values[start + i]!;
    return sum;
  }
  if (n <= 128) {
    const r = values.slice(start, start + 8);
    const whole = n - (n % 8);
    for (let i = 8; i < whole; i += 8) for (let j = 0; j < 8; j++) r[j]! += values[start + i + j]!;
    let sum = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (let i = whole; i < n; i++) sum += values[start + i]!;
    return sum;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return numpySum(values, start, half) + numpySum(values, start + half, n - half);
}

/**
 * Counts per equal-width bin with numpy `histogram` semantics (last bin closed); values outside
 * the edges are clipped into the first or last bin.
 */
export function countEqualWidth(values: ArrayLike<number>, edges: Float64Array): Float64Array {
  const bins = edges.length - 1;
  const first = edges[0]!;
  const last = edges[bins]!;
  const denom = last - first;
  const counts = new Float64Array(bins);
  for (let i = 0; i < values.length; i++) {
    let x = values[i]!;
    if (x <= first) x = first;
    else if (x >= last) x = last;
    let k = Math.trunc(((x - first) / denom) * bins);
    if (k === bins) k -= 1;
    if (x < edges[k]!) k -= 1;
    if (k !== bins - 1 && x >= edges[k + 1]!) k += 1;
    counts[k]! += 1;
  }
  return counts;
}

/** numpy `quantile(sorted, q)` with the default 'linear' method. */
export function quantileLinearSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  const virtual = (n - 1) * q;
  const prev = Math.min(Math.max(Math.floor(virtual), 0), n - 1);
  const next = Math.min(prev + 1, n - 1);
  const gamma = virtual - prev;
  const a = sorted[prev]!;
  const b = sorted[next]!;
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/**
 * Inner edges of `bins` quantile bins of a sorted reference (numpy linear quantiles at
 * linspace(0, 1, bins + 1)); the outer edges are -inf and +inf.
 */
export function quantileInnerEdges(sortedReference: ArrayLike<number>, bins: number): Float64Array {
  const qs = linspace(0, 1, bins + 1);
  const inner = new Float64Array(bins - 1);
  for (let i = 1; i < bins; i++) inner[i - 1] = quantileLinearSorted(sortedReference, qs[i]!);
  return inner;
}

/** Index of the first element > x in an ascending array (numpy `searchsorted(side='right')`). */
export function searchRight(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Counts per quantile bin: bin i holds innerEdges[i-1] <= x < innerEdges[i]. */
export function countByInnerEdges(values: ArrayLike<number>, innerEdges: Float64Array, sorted = false): Float64Array {
  const counts = new Float64Array(innerEdges.length + 1);
  if (sorted) {
    // One merge pass instead of a binary search per value.
    let k = 0;
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      while (k < innerEdges.length && innerEdges[k]! <= x) k++;
      counts[k]! += 1;
    }
    return counts;
  }
  for (let i = 0; i < values.length; i++) counts[searchRight(innerEdges, values[i]!)]! += 1;
  return counts;
}
