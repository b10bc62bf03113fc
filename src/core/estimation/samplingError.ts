/**
 * NannyML's sampling error of each estimated metric (nannyml/sampling_error): a spread measured
 * once on the labelled reference, scaled to a window's size. A window's estimate is shown with a
 * band of 3 sampling errors (NannyML's SAMPLING_ERROR_RANGE), so a user can tell a difference from
 * the realised value that sampling alone explains from one it does not.
 */
import { standardDeviation } from 'simple-statistics';

/** Spread on the reference and the share of rows it applies to (binary: a standard deviation; multiclass: a variance). */
export interface SpreadComponent {
  readonly spread: number;
  readonly fraction: number;
}

/** Population standard deviation (numpy's np.std, ddof 0); NaN for no values, as numpy gives. */
function std(xs: readonly number[]): number {
  return xs.length ? standardDeviation(xs as number[]) : NaN;
}

/** Observation-level values: true positives 1, false positives 0 (precision); true positives 1, false negatives 0 (recall). */
function confusionCounts(yTrue: readonly number[], yPred: readonly number[]): { tp: number; fp: number; fn: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (yPred[i] === 1 && yTrue[i] === 1) tp++;
    else if (yPred[i] === 1) fp++;
    else if (yTrue[i] === 1) fn++;
  }
  return { tp, fp, fn };
}

const ones = (k: number, v: number) => Array.from({ length: k }, () => v);

/** NannyML's precision components: spread of TP (1) and FP (0) rows; fraction of rows predicted positive. */
export function precisionComponent(yTrue: readonly number[], yPred: readonly number[], variance = false): SpreadComponent {
  const { tp, fp } = confusionCounts(yTrue, yPred);
  const s = std([...ones(tp, 1), ...ones(fp, 0)]);
  return { spread: variance ? s * s : s, fraction: (tp + fp) / yTrue.length };
}

/** NannyML's recall components: spread of TP (1) and FN (0) rows; fraction of rows truly positive. */
export function recallComponent(yTrue: readonly number[], yPred: readonly number[], variance = false): SpreadComponent {
  const { tp, fn } = confusionCounts(yTrue, yPred);
  const s = std([...ones(tp, 1), ...ones(fn, 0)]);
  return { spread: variance ? s * s : s, fraction: yTrue.reduce((a, y) => a + y, 0) / yTrue.length };
}

/**
 * NannyML's F1 components: TP (1), FN and FP (0) rows; binary scales them by
 * n / (TP + (FN + FP) / 2) first (multiclass does not); fraction of rows that are any of the three.
 */
export function f1Component(yTrue: readonly number[], yPred: readonly number[], variance = false): SpreadComponent {
  const { tp, fp, fn } = confusionCounts(yTrue, yPred);
  const n = tp + fp + fn;
  const factor = variance ? 1 : n / ((fn + fp) * 0.5 + tp);
  const s = std([...ones(tp, factor), ...ones(fn + fp, 0)]);
  return { spread: variance ? s * s : s, fraction: n / yTrue.length };
}

/**
 * NannyML's ROC AUC components (AUC as a Mann-Whitney statistic): with the minority class as
 * positive (labels and scores flipped when positives are the majority), rows ranked by score, each
 * positive's count of negatives ranked below it over the negatives; its spread and the positives'
 * share. NannyML drops the smallest distinct positive rank (np.unique(...)[1:], meant to drop the
 * negatives' zeros): a positive ranked first is dropped too, as there.
 */
export function rocAucComponent(yTrue: readonly number[], score: readonly number[], variance = false): SpreadComponent {
  const n = yTrue.length;
  const mean = yTrue.reduce((a, y) => a + y, 0) / n;
  const flip = mean > 0.5;
  const y = flip ? yTrue.map((v) => 1 - v) : [...yTrue];
  const s = flip ? score.map((v) => 1 - v) : [...score];
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => s[a]! - s[b]!);
  const ranks: number[] = [];
  for (let r = 0; r < n; r++) if (y[order[r]!] === 1 && r > 0) ranks.push(r);
  const positives = y.reduce((a, v) => a + v, 0);
  const negatives = n - positives;
  const ser = ranks.map((r, i) => (r - i) / negatives);
  const d = std(ser);
  return { spread: variance ? d * d : d, fraction: positives / n };
}

/** Binary: spread / sqrt(n * fraction). */
export function binarySamplingError(c: SpreadComponent, rows: number): number {
  return c.spread / Math.sqrt(rows * c.fraction);
}

/** Multiclass: sqrt(sum of variance / (n * fraction)) / classes (times 1.2 for ROC AUC, as NannyML). */
export function multiclassSamplingError(cs: readonly SpreadComponent[], rows: number, rocAuc = false): number {
  let sum = 0;
  for (const c of cs) sum += c.spread / (rows * c.fraction);
  return (Math.sqrt(sum) / cs.length) * (rocAuc ? 1.2 : 1);
}

/** Regression: MAE, std(|e|) / sqrt(n); RMSE, sqrt(std(e²)² / (4 n mean(e²))). */
export function regressionComponents(errors: readonly number[]): { mae: number; squaredStd: number; squaredMean: number } {
  const abs = errors.map((e) => Math.abs(e));
  const sq = errors.map((e) => e * e);
  return { mae: std(abs), squaredStd: std(sq), squaredMean: sq.reduce((a, x) => a + x, 0) / sq.length };
}

export function maeSamplingError(c: { mae: number }, rows: number): number {
  return c.mae / Math.sqrt(rows);
}

export function rmseSamplingError(c: { squaredStd: number; squaredMean: number }, rows: number): number {
  return Math.sqrt((c.squaredStd * c.squaredStd) / (4 * rows * c.squaredMean));
}
