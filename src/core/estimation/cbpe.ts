/**
 * Confidence-Based Performance Estimation (CBPE, NannyML): precision, recall, F1 and ROC AUC of
 * a classifier estimated from its calibrated probabilities, with no labels. Each row contributes
 * its calibrated probability of being right to an expected confusion matrix; the definitions
 * follow nannyml/performance_estimation/confidence_based/metrics.py (binary: the positive class;
 * multiclass: one-vs-rest per class, then the unweighted mean, NannyML's macro average).
 *
 * @example
 * const model = fitCbpe({ kind: 'binary', classes: ['0', '1'] }, referenceRows);
 * const estimate = estimateCbpe(model, windowRows); // { precision, recall, f1, rocAuc }
 */
import { calibrate, checkCalibration, fitIsotonic, binaryRocAuc, type CalibrationCheck, type IsotonicCalibrator } from './calibration';

/** One row as CBPE reads it. */
export interface CbpeRow {
  /**
   * Raw (uncalibrated) probabilities: binary, one value, the positive class's; multiclass, one a
   * class in the order of `classes`.
   */
  readonly scores: ArrayLike<number>;
  /** Predicted class index (binary: 1 positive, 0 negative). */
  readonly predicted: number;
  /** Class index of the label, where the row has one. */
  readonly label?: number;
}

export interface CbpeSpec {
  readonly kind: 'binary' | 'multiclass';
  /** Class names by index (binary: [negative, positive]). */
  readonly classes: readonly string[];
}

/** A CBPE estimator fitted on labelled reference rows. */
export interface CbpeModel extends CbpeSpec {
  /** One a probability column (binary: the positive class only); undefined where the raw probability is kept. */
  readonly calibrators: readonly (IsotonicCalibrator | undefined)[];
  /** The reference calibration check of each probability column, same order. */
  readonly checks: readonly CalibrationCheck[];
  readonly referenceRows: number;
}

/** The four metrics CBPE estimates (or that labels realise), NaN where undefined. */
export interface ClassifierFigures {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly rocAuc: number;
}

/**
 * Fits CBPE on labelled reference rows: for each probability column, NannyML's calibration check
 * decides between the raw probability and an isotonic recalibration fitted on all the rows.
 */
export function fitCbpe(spec: CbpeSpec, reference: readonly CbpeRow[]): CbpeModel {
  const labelled = reference.filter((r) => r.label !== undefined);
  const columns = spec.kind === 'binary' ? 1 : spec.classes.length;
  if (spec.kind === 'binary' && spec.classes.length !== 2) throw new RangeError(`binary CBPE needs 2 classes (got ${spec.classes.length})`);
  if (spec.kind === 'multiclass' && columns < 2) throw new RangeError(`multiclass CBPE needs at least 2 classes (got ${columns})`);
  const calibrators: (IsotonicCalibrator | undefined)[] = [];
  const checks: CalibrationCheck[] = [];
  for (let c = 0; c < columns; c++) {
    const positive = spec.kind === 'binary' ? 1 : c;
    const outcome = labelled.map((r) => (r.label === positive ? 1 : 0));
    const raw = labelled.map((r) => r.scores[c]!);
    const check = labelled.length >= 4 ? checkCalibration(outcome, raw) : { eceBefore: NaN, eceAfter: NaN, recalibrated: false, skipped: 'single_class' as const };
    checks.push(check);
    calibrators.push(check.recalibrated ? fitIsotonic(raw, outcome) : undefined);
  }
  return { ...spec, calibrators, checks, referenceRows: labelled.length };
}

/**
 * Calibrated probabilities of a row, one a column. Multiclass rows are renormalised to sum to 1
 * (uniform where every calibrated value is 0), as NannyML does.
 */
export function calibratedScores(model: CbpeModel, row: CbpeRow): Float64Array {
  const n = model.calibrators.length;
  const out = new Float64Array(n);
  let sum = 0;
  for (let c = 0; c < n; c++) {
    const cal = model.calibrators[c];
    const raw = row.scores[c]!;
    out[c] = cal ? calibrate(cal, raw) : raw;
    sum += out[c]!;
  }
  if (model.kind === 'multiclass') {
    for (let c = 0; c < n; c++) out[c] = sum !== 0 ? out[c]! / sum : 1 / n;
  }
  return out;
}

/** NannyML's estimate_precision: sum of p over predicted positives over their count. */
export function estimatePrecision(predictedPositive: ArrayLike<boolean>, probability: ArrayLike<number>): number {
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < probability.length; i++) if (predictedPositive[i]) {
    tp += probability[i]!;
    fp += 1 - probability[i]!;
  }
  return tp / (tp + fp);
}

/** NannyML's estimate_recall: expected true positives over expected positives. */
export function estimateRecall(predictedPositive: ArrayLike<boolean>, probability: ArrayLike<number>): number {
  let tp = 0;
  let fn = 0;
  for (let i = 0; i < probability.length; i++) {
    if (predictedPositive[i]) tp += probability[i]!;
    else fn += probability[i]!;
  }
  return tp / (tp + fn);
}

/** NannyML's estimate_f1: TP / (TP + (FP + FN) / 2) from the expected confusion matrix. */
export function estimateF1(predictedPositive: ArrayLike<boolean>, probability: ArrayLike<number>): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < probability.length; i++) {
    const p = probability[i]!;
    if (predictedPositive[i]) {
      tp += p;
      fp += 1 - p;
    } else fn += p;
  }
  return tp / (tp + 0.5 * (fp + fn));
}

/** numpy's round(x, 5): half to even on x * 1e5. */
function round5(x: number): number {
  const s = x * 1e5;
  const r = Math.round(s);
  // Math.round sends .5 up; numpy's rint sends it to the even neighbour.
  const even = r - s === 0.5 && r % 2 !== 0 ? r - 1 : r;
  return even / 1e5;
}

/**
 * NannyML's estimate_roc_auc, exactly: rows in descending order of the raw score; the expected
 * true-positive count is the running sum of the calibrated probabilities, the expected
 * false-positive count the rows so far minus it; both rounded to 5 decimals, normalised by their
 * totals and integrated by the trapezoidal rule (sklearn.metrics.auc). Every row is a point of
 * the curve (tied scores are not merged; with equal calibrated values they lie on one segment).
 */
export function estimateRocAuc(calibrated: ArrayLike<number>, raw: ArrayLike<number>): number {
  const n = raw.length;
  if (!n) return NaN;
  // Stable descending order: numpy's argsort()[::-1] order among ties does not change the area.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => raw[b]! - raw[a]!);
  const tps = new Float64Array(n + 1);
  const fps = new Float64Array(n + 1);
  let cum = 0;
  for (let k = 0; k < n; k++) {
    cum += calibrated[order[k]!]!;
    tps[k + 1] = round5(cum);
    fps[k + 1] = round5(1 + k - cum);
  }
  const tTotal = tps[n]!;
  const fTotal = fps[n]!;
  if (!(tTotal > 0) || !(fTotal > 0)) return NaN;
  let area = 0;
  for (let k = 0; k < n; k++) area += ((fps[k + 1]! - fps[k]!) / fTotal) * ((tps[k + 1]! / tTotal + tps[k]! / tTotal) / 2);
  return area;
}

/** CBPE's estimates over the rows of a window (no labels read). */
export function estimateCbpe(model: CbpeModel, rows: readonly CbpeRow[]): ClassifierFigures {
  if (!rows.length) return { precision: NaN, recall: NaN, f1: NaN, rocAuc: NaN };
  const calibrated = rows.map((r) => calibratedScores(model, r));
  if (model.kind === 'binary') {
    const p = calibrated.map((c) => c[0]!);
    const positive = rows.map((r) => r.predicted === 1);
    return {
      precision: estimatePrecision(positive, p),
      recall: estimateRecall(positive, p),
      f1: estimateF1(positive, p),
      rocAuc: estimateRocAuc(p, rows.map((r) => r.scores[0]!)),
    };
  }
  const k = model.classes.length;
  let precision = 0;
  let recall = 0;
  let f1 = 0;
  let rocAuc = 0;
  for (let c = 0; c < k; c++) {
    const p = calibrated.map((x) => x[c]!);
    const positive = rows.map((r) => r.predicted === c);
    precision += estimatePrecision(positive, p);
    recall += estimateRecall(positive, p);
    f1 += estimateF1(positive, p);
    rocAuc += estimateRocAuc(p, rows.map((r) => r.scores[c]!));
  }
  return { precision: precision / k, recall: recall / k, f1: f1 / k, rocAuc: rocAuc / k };
}

/**
 * The realised metrics CBPE is compared with, on the labelled rows, with NannyML's definitions:
 * scikit-learn's precision/recall/F1 (binary: the positive class; multiclass: macro over every
 * class of the model, 0 where a class has no predicted or no true rows), ROC AUC of the raw scores
 * (multiclass: one-vs-rest macro). NaN where NannyML returns NaN: labels or predictions of one
 * class only, or (ROC AUC, multiclass) a class missing from the labels.
 */
export function realisedCbpe(model: CbpeModel, rows: readonly CbpeRow[]): ClassifierFigures {
  const lab = rows.filter((r): r is CbpeRow & { label: number } => r.label !== undefined);
  const none = { precision: NaN, recall: NaN, f1: NaN, rocAuc: NaN };
  if (!lab.length) return none;
  const labels = new Set(lab.map((r) => r.label));
  const predictions = new Set(lab.map((r) => r.predicted));
  const k = model.kind === 'binary' ? 2 : model.classes.length;
  const classes = model.kind === 'binary' ? [1] : Array.from({ length: k }, (_, c) => c);
  let rocAuc = NaN;
  if (labels.size > 1) {
    let sum = 0;
    for (let c = 0; c < classes.length; c++) {
      const cls = classes[c]!;
      sum += binaryRocAuc(lab.map((r) => (r.label === cls ? 1 : 0)), lab.map((r) => r.scores[model.kind === 'binary' ? 0 : cls]!));
    }
    rocAuc = sum / classes.length;
  }
  if (labels.size <= 1 || predictions.size <= 1) return { ...none, rocAuc };
  let precision = 0;
  let recall = 0;
  let f1 = 0;
  for (const cls of classes) {
    let tp = 0;
    let predicted = 0;
    let actual = 0;
    for (const r of lab) {
      const y = r.label === cls;
      const p = r.predicted === cls;
      if (p) predicted++;
      if (y) actual++;
      if (p && y) tp++;
    }
    const pr = predicted ? tp / predicted : 0;
    const rc = actual ? tp / actual : 0;
    precision += pr;
    recall += rc;
    f1 += predicted + actual ? (2 * tp) / (predicted + actual) : 0;
  }
  return { precision: precision / classes.length, recall: recall / classes.length, f1: f1 / classes.length, rocAuc };
}
