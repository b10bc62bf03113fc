import { sortAscending } from './numeric';

/** Precision, recall and F1 of one class, one-vs-rest. */
export interface ClassMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Rows whose label is this class. */
  readonly support: number;
}

/** Performance of a classifier on the labelled rows of a window. */
export interface ClassificationMetrics {
  readonly labelled: number;
  readonly accuracy: number;
  readonly perClass: Readonly<Record<string, ClassMetrics>>;
  readonly macroPrecision: number;
  readonly macroRecall: number;
  readonly macroF1: number;
  /** Binary scores only. */
  readonly rocAuc?: number;
  /** Where the probability of the true class is known. */
  readonly logLoss?: number;
  /** Expected calibration error over 10 equal-width confidence bins. */
  readonly ece?: number;
}

export interface RegressionMetrics {
  readonly labelled: number;
  readonly mae: number;
  readonly rmse: number;
}

/** Per-class and macro precision/recall/F1 plus accuracy (sklearn's definitions; 0 where undefined). */
export function classificationMetrics(labels: readonly string[], predictions: readonly string[]): ClassificationMetrics {
  const n = labels.length;
  const tp = new Map<string, number>();
  const predicted = new Map<string, number>();
  const actual = new Map<string, number>();
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    const p = predictions[i]!;
    actual.set(y, (actual.get(y) ?? 0) + 1);
    predicted.set(p, (predicted.get(p) ?? 0) + 1);
    if (y === p) {
      correct++;
      tp.set(y, (tp.get(y) ?? 0) + 1);
    }
  }
  const classes = [...new Set([...actual.keys(), ...predicted.keys()])].sort(compareClasses);
  const perClass: Record<string, ClassMetrics> = {};
  let sp = 0;
  let sr = 0;
  let sf = 0;
  for (const c of classes) {
    const t = tp.get(c) ?? 0;
    const pc = predicted.get(c) ?? 0;
    const ac = actual.get(c) ?? 0;
    const precision = pc ? t / pc : 0;
    const recall = ac ? t / ac : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[c] = { precision, recall, f1, support: ac };
    sp += precision;
    sr += recall;
    sf += f1;
  }
  const k = classes.length || 1;
  return { labelled: n, accuracy: n ? correct / n : NaN, perClass, macroPrecision: sp / k, macroRecall: sr / k, macroF1: sf / k };
}

/** Orders class names numerically when both are numbers, else as text. */
export function compareClasses(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Area under the ROC curve from binary labels (1 = positive) and scores; ties count half. */
export function rocAuc(positive: readonly boolean[], scores: readonly number[]): number {
  let pos = 0;
  for (const p of positive) if (p) pos++;
  const neg = positive.length - pos;
  if (!pos || !neg) return NaN;
  // Two numeric sorts (no comparator) instead of an index sort: the same tie groups and ranks.
  const all = new Float64Array(scores.length);
  const positives = new Float64Array(pos);
  for (let i = 0, k = 0; i < scores.length; i++) {
    all[i] = scores[i]!;
    if (positive[i]) positives[k++] = scores[i]!;
  }
  sortAscending(all);
  sortAscending(positives);
  let rankSum = 0;
  let at = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1] === all[i]) j++;
    const avgRank = (i + j) / 2 + 1;
    while (at < pos && positives[at]! < all[i]!) at++;
    while (at < pos && positives[at] === all[i]) {
      rankSum += avgRank;
      at++;
    }
    i = j + 1;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Mean negative log of the probability given to the true class (clipped at 1e-15, as sklearn). */
export function logLoss(trueClassProbabilities: readonly number[]): number {
  if (!trueClassProbabilities.length) return NaN;
  let s = 0;
  for (const p of trueClassProbabilities) s -= Math.log(Math.min(1 - 1e-15, Math.max(1e-15, p)));
  return s / trueClassProbabilities.length;
}

/** Expected calibration error: bin-size-weighted |accuracy - confidence| over equal-width bins. */
export function expectedCalibrationError(confidence: readonly number[], correct: readonly boolean[], bins = 10): number {
  const n = confidence.length;
  if (!n) return NaN;
  const sumConf = new Float64Array(bins);
  const sumAcc = new Float64Array(bins);
  const count = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(confidence[i]! * bins) - 1));
    sumConf[b] = sumConf[b]! + confidence[i]!;
    sumAcc[b] = sumAcc[b]! + (correct[i] ? 1 : 0);
    count[b] = count[b]! + 1;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b]) ece += Math.abs(sumAcc[b]! - sumConf[b]!) / n;
  return ece;
}

export function regressionMetrics(labels: readonly number[], predictions: readonly number[]): RegressionMetrics {
  const n = labels.length;
  let abs = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const e = predictions[i]! - labels[i]!;
    abs += Math.abs(e);
    sq += e * e;
  }
  return { labelled: n, mae: n ? abs / n : NaN, rmse: n ? Math.sqrt(sq / n) : NaN };
}

/** Shannon entropy (nats) of a probability vector. */
export function entropy(p: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) {
    const x = p[i]!;
    if (x > 0) h -= x * Math.log(x);
  }
  return h;
}

/** Top-1 probability and the margin between the two most likely classes. */
export function confidenceAndMargin(p: ArrayLike<number>): { confidence: number; margin: number; argmax: number } {
  let best = -Infinity;
  let second = -Infinity;
  let argmax = 0;
  for (let i = 0; i < p.length; i++) {
    const x = p[i]!;
    if (x > best) {
      second = best;
      best = x;
      argmax = i;
    } else if (x > second) second = x;
  }
  return { confidence: best, margin: best - (second === -Infinity ? 0 : second), argmax };
}
