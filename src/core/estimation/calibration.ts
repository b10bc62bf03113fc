/**
 * Probability calibration for performance estimation: isotonic regression (scikit-learn's
 * IsotonicRegression with increasing=True, out_of_bounds='clip') and NannyML's check of whether a
 * score needs it (nannyml/calibration.py: ECE over equal-count bins, before and after calibrating
 * held-out folds).
 */
import { seededRandom } from '../random';

/** A fitted monotone map from a raw score to a probability. */
export interface IsotonicCalibrator {
  /** Distinct raw scores, ascending (the interpolation knots). */
  readonly x: Float64Array;
  /** Pooled, non-decreasing fitted value at each knot. */
  readonly y: Float64Array;
}

/**
 * Fits an increasing isotonic regression of `y` (0/1 outcomes, or any numbers) on `x`, as
 * scikit-learn does: rows with equal x are merged first (weighted mean of y), then adjacent
 * violators are pooled. Prediction interpolates linearly between the knots and clips outside.
 */
export function fitIsotonic(x: ArrayLike<number>, y: ArrayLike<number>): IsotonicCalibrator {
  const n = x.length;
  if (n !== y.length) throw new RangeError(`isotonic regression: x has ${n} values but y has ${y.length}`);
  if (n === 0) throw new RangeError('isotonic regression needs at least one point');
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a]! - x[b]! || y[a]! - y[b]!);
  const xs: number[] = [];
  const sums: number[] = [];
  const weights: number[] = [];
  for (const i of order) {
    const xi = x[i]!;
    if (!Number.isFinite(xi) || !Number.isFinite(y[i]!)) throw new RangeError(`isotonic regression: point ${i} is not finite (x=${xi}, y=${y[i]})`);
    const k = xs.length - 1;
    if (k >= 0 && xs[k] === xi) {
      sums[k] = sums[k]! + y[i]!;
      weights[k] = weights[k]! + 1;
    } else {
      xs.push(xi);
      sums.push(y[i]!);
      weights.push(1);
    }
  }
  // Pool adjacent violators over blocks (value, weight, how many knots each block spans).
  const value: number[] = [];
  const weight: number[] = [];
  const span: number[] = [];
  for (let k = 0; k < xs.length; k++) {
    let v = sums[k]! / weights[k]!;
    let w = weights[k]!;
    let s = 1;
    while (value.length && value[value.length - 1]! > v) {
      const pw = weight.pop()!;
      const pv = value.pop()!;
      s += span.pop()!;
      v = (pv * pw + v * w) / (pw + w);
      w += pw;
    }
    value.push(v);
    weight.push(w);
    span.push(s);
  }
  const fitted = new Float64Array(xs.length);
  for (let b = 0, k = 0; b < value.length; b++) for (let j = 0; j < span[b]!; j++) fitted[k++] = value[b]!;
  return { x: Float64Array.from(xs), y: fitted };
}

/** The calibrated value of a raw score: linear interpolation between knots, clipped at the ends. */
export function calibrate(c: IsotonicCalibrator, score: number): number {
  const { x, y } = c;
  const n = x.length;
  if (n === 1 || score <= x[0]!) return y[0]!;
  if (score >= x[n - 1]!) return y[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (x[mid]! <= score) lo = mid;
    else hi = mid;
  }
  const x0 = x[lo]!;
  const x1 = x[hi]!;
  return y[lo]! + ((score - x0) * (y[hi]! - y[lo]!)) / (x1 - x0);
}

/**
 * Bin boundaries [start, end) over `length` sorted values: NannyML's _get_bin_index_edges
 * (equal-count bins of length // bins rows, the last one taking the remainder; fewer bins when
 * there are not two rows a bin).
 */
export function binIndexEdges(length: number, bins: number): [number, number][] {
  let count = bins;
  if (length <= 2 * count) {
    count = Math.floor(length / 2);
    if (count < 2) throw new RangeError(`cannot split ${length} values into at least 2 calibration bins`);
  }
  const width = Math.floor(length / count);
  const edges: number[] = [];
  for (let e = 0; e <= length; e += width) edges.push(e);
  edges[edges.length - 1] = length;
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < edges.length; i++) out.push([edges[i]!, edges[i + 1]!]);
  return out;
}

/**
 * Expected calibration error as NannyML computes it: rows sorted by probability, split at `edges`,
 * each bin weighted by its share of rows times |mean probability - mean outcome|.
 */
export function expectedCalibrationErrorByCount(outcome: ArrayLike<number>, probability: ArrayLike<number>, edges: readonly [number, number][]): number {
  const n = probability.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => probability[a]! - probability[b]!);
  let ece = 0;
  for (const [lo, hi] of edges) {
    let p = 0;
    let t = 0;
    for (let k = lo; k < hi; k++) {
      p += probability[order[k]!]!;
      t += outcome[order[k]!]!;
    }
    const m = hi - lo;
    if (m) ece += (m / n) * Math.abs(p / m - t / m);
  }
  return ece;
}

/** What the calibration check found for one class's probability on the reference. */
export interface CalibrationCheck {
  /** ECE of the raw probability and of its isotonic recalibration, on held-out reference rows. */
  readonly eceBefore: number;
  readonly eceAfter: number;
  /** True when recalibration lowered the held-out ECE, so estimates use the recalibrated probability. */
  readonly recalibrated: boolean;
  /** Why it was not checked, where it was not (one outcome only, or a near-perfect ranking). */
  readonly skipped?: 'single_class' | 'separable';
}

/**
 * NannyML's needs_calibration: on `splits` stratified shuffles holding out 10% of the rows, fit
 * the isotonic calibrator on the rest and calibrate the held-out rows; pool the held-out rows of
 * all splits and compare ECE over `bins` equal-count bins before and after. Recalibrate when
 * after < before. As NannyML, skip (no recalibration) when one outcome only or ROC AUC > 0.999.
 * The shuffles come from a seeded generator of our own, not numpy's, so the folds (not the rule)
 * differ from NannyML's.
 */
export function checkCalibration(outcome: ArrayLike<number>, probability: ArrayLike<number>, bins = 10, splits = 10, seed = 42): CalibrationCheck {
  const n = outcome.length;
  const positives: number[] = [];
  const negatives: number[] = [];
  for (let i = 0; i < n; i++) (outcome[i]! > 0 ? positives : negatives).push(i);
  if (!positives.length || !negatives.length) return { eceBefore: NaN, eceAfter: NaN, recalibrated: false, skipped: 'single_class' };
  if (binaryRocAuc(outcome, probability) > 0.999) return { eceBefore: NaN, eceAfter: NaN, recalibrated: false, skipped: 'separable' };
  const random = seededRandom(seed);
  const testSize = Math.ceil(0.1 * n);
  const testPositives = Math.min(positives.length - 1, Math.max(1, Math.round((testSize * positives.length) / n)));
  const testNegatives = Math.max(1, Math.min(negatives.length - 1, testSize - testPositives));
  const heldOutcome: number[] = [];
  const heldRaw: number[] = [];
  const heldCalibrated: number[] = [];
  const shuffled = (xs: readonly number[]) => {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  };
  for (let s = 0; s < splits; s++) {
    const p = shuffled(positives);
    const q = shuffled(negatives);
    const test = [...p.slice(0, testPositives), ...q.slice(0, testNegatives)];
    const train = [...p.slice(testPositives), ...q.slice(testNegatives)];
    if (!train.length || !test.length) continue;
    const c = fitIsotonic(train.map((i) => probability[i]!), train.map((i) => outcome[i]!));
    for (const i of test) {
      heldOutcome.push(outcome[i]!);
      heldRaw.push(probability[i]!);
      heldCalibrated.push(calibrate(c, probability[i]!));
    }
  }
  const edges = binIndexEdges(heldRaw.length, bins);
  const eceBefore = expectedCalibrationErrorByCount(heldOutcome, heldRaw, edges);
  const eceAfter = expectedCalibrationErrorByCount(heldOutcome, heldCalibrated, edges);
  return { eceBefore, eceAfter, recalibrated: eceBefore > eceAfter };
}

/** ROC AUC by the rank-sum (ties count half): scikit-learn's roc_auc_score for a binary outcome. */
export function binaryRocAuc(outcome: ArrayLike<number>, score: ArrayLike<number>): number {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a]! - score[b]!);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]!] === score[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (outcome[order[k]!]! > 0) {
      pos++;
      rankSum += rank;
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (!pos || !neg) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
