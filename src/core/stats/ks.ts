import { kolmogorovSf } from './kolmogorov';
import { ascending } from './sample';

/** Result of a two-sample test. */
export interface TestResult {
  statistic: number;
  pValue: number;
}

/** scipy's `ks_2samp(method='auto')` switches to the asymptotic p-value above this sample size. */
export const KS_MAX_EXACT_N = 10000;

/** ECDF value k/n as scipy builds it (`linspace(0, 1, n + 1)`: k * (1/n), exactly 1 at k = n). */
const ecdf = (k: number, n: number, step: number): number => (k === n ? 1 : k * step);

/** The two-sided KS statistic of two ascending samples. */
export function ksStatisticSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n1 = a.length;
  const n2 = b.length;
  const s1 = 1 / n1;
  const s2 = 1 / n2;
  let i = 0;
  let j = 0;
  let maxS = -Infinity;
  let minS = Infinity;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < n1 && a[i]! === v) i++;
    while (j < n2 && b[j]! === v) j++;
    const diff = ecdf(i, n1, s1) - ecdf(j, n2, s2);
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

/** Two-sided p-value of statistic d for sample sizes n1, n2, chosen as scipy's method='auto' does. */
export function ksPValue(d: number, n1: number, n2: number): number {
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const lcm = (n1 / gcd(n1, n2)) * n2;
    const h = roundHalfEven(d * lcm);
    const p = exactPValue(n1, n2, h);
    if (p !== undefined) return p;
    d = h / lcm;
  }
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
  const statistic = ksStatisticSorted(a, b);
  return { statistic, pValue: ksPValue(statistic, a.length, b.length) };
}
