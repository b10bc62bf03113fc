import { seededRandom } from '../random';
import { squaredDistance } from './reference';

/** MMD of two samples with an RBF kernel and its permutation p-value. */
export interface MmdResult {
  /** Unbiased squared MMD (Gretton et al.'s MMD^2_u), floored at 0 as Evidently reports it. */
  readonly mmd2: number;
  /** The same before the floor: negative when the samples are closer than chance. */
  readonly mmd2Unbiased: number;
  /** (1 + permutations with MMD^2_u >= the observed one) / (1 + permutations). */
  readonly pValue: number;
  /** The kernel's width: the median Euclidean distance between a reference and a current row. */
  readonly sigma: number;
}

/** k-th smallest of `a` (0-based), reordering `a` (Hoare's selection). */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** numpy's median: the middle value, or the mean of the two middle values. Reorders `a`. */
export function medianInPlace(a: Float64Array): number {
  const n = a.length;
  if (!n) return NaN;
  const hi = select(a, n >> 1);
  if (n % 2) return hi;
  let lo = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (a[i]! > lo) lo = a[i]!;
  return (lo + hi) / 2;
}

/**
 * Maximum mean discrepancy between `reference` (X) and `current` (Y) as Evidently's `mmd` embedding
 * method computes it: an RBF kernel exp(-|a-b|^2 / sigma^2) whose sigma is the median distance
 * between an X row and a Y row, and the unbiased MMD^2_u. Where Evidently compares MMD^2_u with a
 * fixed 0.015 or a bootstrap, this adds a permutation test: the rows' X/Y labels are shuffled
 * `permutations` times (seeded) with the kernel kept, and the p-value is the share of shuffles at
 * least as far apart. Each shuffle costs O(min(m, n)^2) through the kernel's row sums.
 *
 * Gretton, Borgwardt, Rasch, Schölkopf, Smola, "A kernel two-sample test", JMLR 13 (2012).
 *
 * @param referenceDistances squared distances between the reference rows, row-major, when the
 *   caller keeps them across windows (the reference does not change); computed here otherwise.
 * @example
 * mmdPermutationTest(referenceRows, windowRows, { permutations: 100, seed: 42 }).pValue < 0.05; // drifted
 */
export function mmdPermutationTest(
  reference: readonly Float64Array[],
  current: readonly Float64Array[],
  options: { readonly permutations: number; readonly seed: number },
  referenceDistances?: Float64Array,
): MmdResult {
  const m = reference.length;
  const n = current.length;
  if (m < 2 || n < 2) throw new RangeError(`MMD needs at least 2 rows on each side (got ${m} reference, ${n} current)`);
  const N = m + n;
  const d2 = new Float64Array(N * N);
  const cross = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let k = i + 1; k < m; k++) {
      const v = referenceDistances ? referenceDistances[i * m + k]! : squaredDistance(reference[i]!, reference[k]!);
      d2[i * N + k] = v;
      d2[k * N + i] = v;
    }
    for (let k = 0; k < n; k++) {
      const v = squaredDistance(reference[i]!, current[k]!);
      d2[i * N + m + k] = v;
      d2[(m + k) * N + i] = v;
      cross[i * n + k] = Math.sqrt(v);
    }
  }
  for (let i = 0; i < n; i++) {
    for (let k = i + 1; k < n; k++) {
      const v = squaredDistance(current[i]!, current[k]!);
      d2[(m + i) * N + m + k] = v;
      d2[(m + k) * N + m + i] = v;
    }
  }
  const sigma = medianInPlace(cross);
  if (!(sigma > 0)) return { mmd2: 0, mmd2Unbiased: 0, pValue: 1, sigma: 0 };
  const gamma = 1 / (sigma * sigma);
  // The kernel overwrites the distances; its diagonal is left at 0 (MMD^2_u leaves it out).
  const K = d2;
  const rowSums = new Float64Array(N);
  let total = 0;
  for (let i = 0; i < N; i++) {
    let s = 0;
    const base = i * N;
    for (let k = 0; k < N; k++) {
      if (k === i) continue;
      const v = Math.exp(-gamma * K[base + k]!);
      K[base + k] = v;
      s += v;
    }
    rowSums[i] = s;
    total += s;
  }
  // With the kernel's row sums and total fixed, one within-group sum of the smaller group gives all three block sums.
  const small = Math.min(m, n);
  const large = N - small;
  const statistic = (members: Int32Array): number => {
    let within = 0;
    let rows = 0;
    for (let a = 0; a < small; a++) {
      const i = members[a]!;
      rows += rowSums[i]!;
      const base = i * N;
      for (let b = 0; b < small; b++) within += K[base + members[b]!]!;
    }
    const between = rows - within;
    const other = total - within - 2 * between;
    return within / (small * (small - 1)) + other / (large * (large - 1)) - (2 * between) / (small * large);
  };
  const order = Int32Array.from({ length: N }, (_, i) => i);
  const observed = statistic(m <= n ? order.subarray(0, m) : order.subarray(m));
  const random = seededRandom(options.seed);
  let atLeast = 0;
  for (let p = 0; p < options.permutations; p++) {
    for (let a = 0; a < small; a++) {
      const j = a + Math.floor(random() * (N - a));
      const t = order[a]!;
      order[a] = order[j]!;
      order[j] = t;
    }
    if (statistic(order.subarray(0, small)) >= observed) atLeast++;
  }
  return { mmd2: Math.max(0, observed), mmd2Unbiased: observed, pValue: (1 + atLeast) / (1 + options.permutations), sigma };
}
