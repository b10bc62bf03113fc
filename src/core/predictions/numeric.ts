import { chi2Contingency } from '../stats';

// Small numeric routines the monitor needs that neither simple-statistics nor core/stats has.

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 via erf; |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/**
 * Two-sided p-value of a standard normal statistic, 2 Pr(Z > |z|), via Numerical Recipes' erfc
 * (relative error < 1.2e-7 everywhere, tails included). The monitor calls it for every column at
 * every evaluation, where core/stats' incomplete-gamma form was a measured hot spot.
 */
export function normalTwoSidedP(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return Math.min(1, erfc);
}

/**
 * Sorts a[lo, hi) ascending in place (no NaN): quicksort with median-of-three pivots, insertion
 * sort below 24 values. About 1.6x faster than Float64Array.prototype.sort on window-sized arrays,
 * which every window report sorts dozens of.
 */
export function sortAscending(a: Float64Array, lo = 0, hi = a.length): Float64Array {
  while (hi - lo > 24) {
    const x = a[lo]!;
    const y = a[(lo + hi) >>> 1]!;
    const z = a[hi - 1]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi - 1;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    // Recurse into the smaller side, loop on the larger: the stack stays O(log n).
    if (j - lo < hi - 1 - i) {
      sortAscending(a, lo, j + 1);
      lo = i;
    } else {
      sortAscending(a, i, hi);
      hi = j + 1;
    }
  }
  for (let i = lo + 1; i < hi; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= lo && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
  return a;
}

/** Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/**
 * Chi-squared test of homogeneity between two count vectors over the same categories (scipy's
 * chi2_contingency on the 2 x k table). Categories empty on both sides are dropped; with fewer than
 * two categories left, or an empty side, there is nothing to test and p = 1.
 */
export function chiSquareHomogeneity(a: readonly number[], b: readonly number[]): { statistic: number; pValue: number; dof: number } {
  const keep: number[] = [];
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    if ((a[i] ?? 0) + (b[i] ?? 0) > 0) keep.push(i);
    na += a[i] ?? 0;
    nb += b[i] ?? 0;
  }
  if (keep.length < 2 || na === 0 || nb === 0) return { statistic: 0, pValue: 1, dof: 0 };
  const r = chi2Contingency([keep.map((i) => a[i] ?? 0), keep.map((i) => b[i] ?? 0)]);
  return { statistic: r.statistic, pValue: r.pValue, dof: r.dof };
}

/**
 * chiSquareHomogeneity of two category -> count maps over the union of their categories, in
 * first-seen order (the reference's, then new ones) or sorted by `order`. The order sets the
 * summation order, hence the statistic's last bits: each caller keeps the one it has always used.
 */
export function chiSquareOfCounts(ref: ReadonlyMap<string, number>, cur: ReadonlyMap<string, number>, order?: (a: string, b: string) => number): { statistic: number; pValue: number; dof: number } {
  const keys = [...new Set([...ref.keys(), ...cur.keys()])];
  if (order) keys.sort(order);
  return chiSquareHomogeneity(keys.map((k) => ref.get(k) ?? 0), keys.map((k) => cur.get(k) ?? 0));
}

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations. Returns eigenvalues in
 * descending order and the matching unit eigenvectors as rows.
 */
export function symmetricEigen(matrix: readonly Float64Array[]): { values: number[]; vectors: Float64Array[] } {
  const n = matrix.length;
  const a = matrix.map((r) => Float64Array.from(r));
  const v = Array.from({ length: n }, (_, i) => {
    const r = new Float64Array(n);
    r[i] = 1;
    return r;
  });
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vpk = v[p]![k]!;
          const vqk = v[q]![k]!;
          v[p]![k] = c * vpk - s * vqk;
          v[q]![k] = s * vpk + c * vqk;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j]![j]! - a[i]![i]!);
  return { values: order.map((i) => a[i]![i]!), vectors: order.map((i) => v[i]!) };
}
