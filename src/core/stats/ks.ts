import { kolmogorovSf } from './kolmogorov';
import { ascending } from './sample';

/** Result of a two-sample test. */
export interface TestResult {
  statistic: number;
  pValue: number;
}

/** scipy's `ks_2samp(method='auto')` switches to the asymptotic p-value above this sample size. */
export const KS_MAX_EXACT_N = 10000;

/**
 * The two-sided KS statistic of two ascending, non-empty samples: the largest gap between the
 * ECDFs at any sample value, each ECDF value the quotient k / n as scipy's
 * `searchsorted(..) / n` computes it. scipy's exact method then reports h / lcm(n1, n2) instead
 * (see `ks2sampSorted`); this is the raw gap, which its asymptotic method reports. The walk
 * stops at the first NaN (sorted last), so NaN input gives a meaningless number rather than a
 * hang; `ks2samp` refuses NaN.
 */
export function ksStatisticSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let maxS = -Infinity;
  let minS = Infinity;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    // NaN equals nothing, so the loops below would never pass it: stop rather than spin.
    if (v !== v) break;
    while (i < n1 && a[i]! === v) i++;
    while (j < n2 && b[j]! === v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) maxS = diff;
    if (diff < minS) minS = diff;
  }
  const minClipped = Math.min(Math.max(-minS, 0), 1);
  return minClipped > maxS ? minClipped : maxS;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Round half to even, as numpy's `round`. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Pr(D_{n,n} >= h/n) for equal sample sizes (scipy `_compute_prob_outside_square`). */
export function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
  }
  return 2 * p;
}

/** 1 - Pr(paths stay strictly inside |x/m - y/n| < h/lcm) (scipy `_compute_outer_prob_inside_method`). */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  for (let x = minj; x < maxj; x++) A[x] = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1]!;
}

/**
 * Exact two-sided p-value, or undefined where scipy's exact attempt fails (a result outside
 * [0, 1] from rounding) and it falls back to the asymptotic one, at the statistic rounded to h / lcm.
 */
function exactPValue(n1: number, n2: number, h: number): number | undefined {
  if (h === 0) return 1;
  const g = gcd(n1, n2);
  const p = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
  return p >= 0 && p <= 1 ? p : undefined;
}

/** Whether scipy's method='auto' takes the exact p-value for these sample sizes. */
const isExact = (n1: number, n2: number): boolean => Math.max(n1, n2) <= KS_MAX_EXACT_N;

/** scipy's exact method works on h = round(d lcm) and reports the statistic as h / lcm. */
function latticeStep(d: number, n1: number, n2: number): { h: number; lcm: number } {
  const lcm = (n1 / gcd(n1, n2)) * n2;
  return { h: roundHalfEven(d * lcm), lcm };
}

/** Two-sided p-value of statistic d for sample sizes n1, n2, chosen as scipy's method='auto' does. */
export function ksPValue(d: number, n1: number, n2: number): number {
  return isExact(n1, n2) ? ksExactMethodPValue(latticeStep(d, n1, n2).h, n1, n2) : asymptoticPValue(d, n1, n2);
}

/**
 * Two-sided p-value of statistic h / lcm(n1, n2) as scipy's `method='exact'` gives it, at any
 * sample size (river's KSWIN asks for that method): exact, unless the lattice is too fine for
 * scipy's int32 bound or the exact sum leaves [0, 1], where scipy falls back to the asymptotic one.
 */
export function ksExactMethodPValue(h: number, n1: number, n2: number): number {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  if (n1 / g >= 2147483647 / (n2 / g)) return asymptoticPValue(h / lcm, n1, n2);
  return exactPValue(n1, n2, h) ?? asymptoticPValue(h / lcm, n1, n2);
}

/** Smirnov's asymptotic two-sided p-value: the one-sample Kolmogorov distribution at n = round(n1 n2 / (n1 + n2)). */
function asymptoticPValue(d: number, n1: number, n2: number): number {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  return Math.min(Math.max(kolmogorovSf(roundHalfEven(en), d), 0), 1);
}

/**
 * Two-sample Kolmogorov-Smirnov test, two-sided, with scipy's `ks_2samp(a, b)` p-value
 * (method='auto': exact when both samples have at most 10000 values, else the one-sample
 * Kolmogorov distribution at n = round(n1 n2 / (n1 + n2))). A sorted Float64Array is used
 * without a copy, so sort a reference once when comparing many windows against it.
 *
 * Hodges, "The significance probability of the Smirnov two-sample test", Ark. Mat. 3 (1958).
 *
 * @example
 * ks2samp([0.1, 0.4, 0.7], [0.5, 0.9, 1.3, 1.8]); // { statistic: 0.75, pValue: ... }
 */
export function ks2samp(a: ArrayLike<number>, b: ArrayLike<number>): TestResult {
  return ks2sampSorted(ascending(a, 'reference'), ascending(b, 'current'));
}

/** ks2samp for samples the caller has already sorted ascending (no copy, no checks). */
export function ks2sampSorted(a: ArrayLike<number>, b: ArrayLike<number>): TestResult {
  const raw = ksStatisticSorted(a, b);
  const pValue = ksPValue(raw, a.length, b.length);
  if (!isExact(a.length, b.length)) return { statistic: raw, pValue };
  // The exact method reports the lattice value: 0.1 for 3 of 30, where the raw gap of two ECDF
  // values can come out a few ulps above or below it.
  const { h, lcm } = latticeStep(raw, a.length, b.length);
  return { statistic: h / lcm, pValue };
}
