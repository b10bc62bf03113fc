import { describeEmbeddingDrift, embeddingStrength, type EmbeddingDriftResult } from '../embedding';
import { EpisodeTracker, type EvaluationPoint } from './episodes';
import { compareClasses } from './metrics';
import { accuracyBand, describeAccuracyBand } from './performanceBand';
import { adjustPValues, type MultipleTesting } from './multipleTesting';
import { chiSquareOfCounts, normalTwoSidedP } from './numeric';
import type { ReferenceProfile } from './profile';
import type { PredictionSchema } from './schema';
import type { SlidingWindow } from './slidingWindow';
import { describeShift, fmt, segmentMixShift, share, type FeatureEval } from './windowReport';

// Family-wise p-value under which a column is named in a data-drift alert.
const NAME_P = 0.05;
// Family-wise p-value under which a column joins a data-drift episode already opened under alertP.
const JOIN_P = 0.1;
// Consecutive runs of a vector column's embedding method that must say drift before it alerts.
const EMBEDDING_CONFIRM = 2;
// Fewest labelled (or scored) rows in the window for a performance verdict.
const MIN_LABELLED = 30;
const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

/**
 * Drift of every monitored column over the sliding window, with p-values corrected over the
 * columns (`correction`: Bonferroni, the default, or Benjamini-Hochberg).
 * `embedding`: each vector column's embedding drift result, which then decides that column alone.
 */
export function evaluateColumns(p: ReferenceProfile, w: SlidingWindow, embedding?: ReadonlyMap<string, EmbeddingDriftResult>, streaks?: ReadonlyMap<string, number>, correction: MultipleTesting = 'bonferroni'): FeatureEval[] {
  const tested = p.numeric.length + p.categorical.length + Math.max(p.vectors.length, embedding?.size ?? 0);
  const out: FeatureEval[] = [];
  for (let i = 0; i < p.numeric.length; i++) {
    const f = p.numeric[i]!;
    const n = w.zCount[i]!;
    const N = f.sorted.length;
    if (n < 20 || N < 20) continue;
    // Location and spread of the window's normal scores against the reference's own: both
    // running sums, so an evaluation costs O(columns) however large the window.
    const t = (w.zSum[i]! / n - f.zMean) / Math.sqrt(f.zVar * (1 / n + 1 / N));
    const ts = (w.z2Sum[i]! / n - f.z2Mean) / Math.sqrt(f.z2Var * (1 / n + 1 / N));
    const pv = Math.min(1, 2 * Math.min(normalTwoSidedP(t), normalTwoSidedP(ts)));
    // Joining asks for a location shift alone: the spread test's flukes name clean columns.
    out.push({ feature: f.name, kind: 'numeric', alertPValue: pv, shift: t, joinPValue: normalTwoSidedP(t) });
  }
  for (let i = 0; i < p.categorical.length; i++) {
    const ref = p.categorical[i]!;
    const cur = w.catCounts[i]!;
    const r = chiSquareOfCounts(ref.counts, cur);
    out.push({ feature: ref.name, kind: 'categorical', alertPValue: r.pValue, shift: Math.sqrt(r.statistic), joinPValue: r.pValue });
  }
  if (embedding) {
    for (const [feature, r] of embedding) {
      // No p-value to correct: the method's own threshold decides, and the rules below see 0 or 1.
      // A result stands between runs, so the alert asks two runs in a row (as other drift asks two evaluations).
      const decided = r.drifted && (streaks?.get(feature) ?? 2) >= EMBEDDING_CONFIRM ? 0 : 1;
      out.push({ feature, kind: 'vector', alertPValue: decided, shift: embeddingStrength(r), joinPValue: decided, embedding: r });
    }
  }
  for (let v = 0; v < p.vectors.length; v++) {
    const vp = p.vectors[v]!;
    if (embedding?.has(vp.name)) continue;
    const n = w.recCount[v]!;
    if (n < 20 || vp.errorSd <= 0) continue;
    const heldOut = Math.ceil(p.rows / 2);
    const t = (w.recSum[v]! / n - vp.errorMean) / (vp.errorSd * Math.sqrt(1 / n + 1 / heldOut));
    const pv = t > 0 ? normalTwoSidedP(t) / 2 : 1;
    out.push({ feature: vp.name, kind: 'vector', alertPValue: pv, shift: t, joinPValue: pv });
  }
  // One correction over the whole family of column tests (columns too sparse to test count as
  // p = 1); an embedding method's verdict is already a decision and is left as it is.
  const family = out.filter((f) => !f.embedding);
  const adjusted = adjustPValues(family.map((f) => f.alertPValue), correction, tested);
  const corrected = new Map(family.map((f, i) => [f, adjusted[i]!]));
  return out
    .map((f) => (corrected.has(f) ? { ...f, alertPValue: corrected.get(f)! } : f))
    .sort((a, b) => a.alertPValue - b.alertPValue || Math.abs(b.shift) - Math.abs(a.shift));
}


/** What the alert rules look at, besides the window's running sums. */
export interface AlertRuleInput {
  readonly at: EvaluationPoint;
  readonly profile: ReferenceProfile;
  readonly schema: PredictionSchema;
  readonly window: SlidingWindow;
  readonly features: readonly FeatureEval[];
  readonly alertP: number;
  readonly anomalyQuantile: number;
  /** ADWIN on the error stream / Page-Hinkley on confidence signalled since the last evaluation. */
  readonly errorDetectorFired: boolean;
  readonly confidenceDetectorFired: boolean;
}

/**
 * The alert rules, applied at each evaluation of the sliding window: data drift (columns and
 * segment mix), prior shift (labels, else predictions), concept drift (error rate above the
 * reference band after ADWIN fires), performance (accuracy, the calibrated estimate without
 * labels, MAE; confidence after Page-Hinkley fires) and bursts of suspicious inputs.
 */
export function applyAlertRules(tracker: EpisodeTracker, input: AlertRuleInput): void {
  const { at, profile: p, schema, window: w, features } = input;
  const n = w.size;
  const named = features.filter((f) => f.alertPValue < NAME_P);
  const segmentShifts = schema.segments.map((col, j) => {
    const ref = p.segmentCounts[j]!;
    const cur = w.segCounts[j]!;
    return { col, p: segmentMixShift(ref, cur, schema.segments.length).pValue, text: () => describeShift(share(ref), share(cur)) };
  });
  const shiftedSegments = segmentShifts.filter((g) => g.p < input.alertP);
  const holds = features.some((f) => f.alertPValue < input.alertP) || shiftedSegments.length > 0;
  // Secondary evidence: once drift is established, a column joins at a looser family-wise bar.
  const joinBar = JOIN_P / Math.max(1, p.numeric.length + p.categorical.length + p.vectors.length);
  tracker.update('data_drift', 'data_drift', at, holds, () => ({
    features: [...named.map((f) => f.feature), ...shiftedSegments.map((g) => g.col)],
    trailing: schema.segments.slice(),
    joining: [...features.filter((f) => f.alertPValue < input.alertP || f.joinPValue < joinBar).map((f) => f.feature), ...shiftedSegments.map((g) => g.col)],
    featureStrength: new Map(features.map((f) => [f.feature, Math.abs(f.shift)])),
    message: () => {
      const parts = named
        .slice(0, 8)
        .map((f) => (f.embedding ? `${f.feature} (${describeEmbeddingDrift(f.embedding)})` : `${f.feature} (${f.kind === 'vector' ? 'PCA error' : 'shift'} ${f.shift >= 0 ? '+' : ''}${f.shift.toFixed(1)} sd)`));
      if (named.length > 8) parts.push(`${named.length - 8} more`);
      const segs = shiftedSegments.map((g) => `segment mix of '${g.col}' shifted (${g.text()})`);
      return `line ${at.line}: data drift over the last ${n} rows vs the reference: ${[parts.length ? `drift in ${parts.join(', ')}` : '', ...segs].filter(Boolean).join('; ')}`;
    },
    severity: 'warning',
    strength: Math.abs(named[0]?.shift ?? 0),
  }));
  const byLabels = w.labelled >= MIN_LABELLED && w.labelCounts.size > 0;
  const refCounts = byLabels ? p.labelCounts : p.predictionCounts;
  const curCounts = byLabels ? w.labelCounts : w.predCounts;
  if (schema.task === 'classification' && refCounts.size > 1) {
    const r = chiSquareOfCounts(refCounts, curCounts, compareClasses);
    const col = byLabels ? schema.label : schema.predictions[0];
    tracker.update('prior_shift', 'prior_shift', at, r.pValue < input.alertP, () => ({
      features: col ? [col] : [],
      message: () => `line ${at.line}: class mix (${byLabels ? 'labels' : 'predictions'}) shifted: ${describeShift(share(refCounts), share(curCounts))}`,
      severity: 'warning',
      strength: Math.sqrt(r.statistic),
    }));
  }
  if (schema.task === 'classification' && w.labelled >= MIN_LABELLED && Number.isFinite(p.accuracy)) {
    const refErr = 1 - p.accuracy;
    const err = w.errors / w.labelled;
    // The band carries the sampling error of both the window and the reference (performanceBand.ts).
    const band = accuracyBand(w.labelled - w.errors, w.labelled, p.accuracy * p.labelled, p.labelled);
    const elevated = band.below;
    tracker.update('concept_drift', 'concept_drift', at, elevated, () => ({
      features: [],
      message: () => `line ${at.line}: concept drift: the error rate rose to ${pct(err)} over the last ${w.labelled} labelled rows (reference ${pct(refErr)}; ADWIN detected a change)`,
      severity: 'error',
      strength: band.z,
    }), { canStart: elevated && input.errorDetectorFired, confirm: 1 });
    tracker.update('performance', 'performance', at, elevated, () => ({
      features: [],
      message: () => `line ${at.line}: accuracy ${pct(1 - err)} over the last ${w.labelled} labelled rows is below the reference band (${describeAccuracyBand(band, w.labelled, p.labelled)})`,
      severity: 'error',
    }));
  } else if (schema.task === 'classification' && w.calCount >= MIN_LABELLED && Number.isFinite(p.accuracy)) {
    const est = w.calSum / w.calCount;
    // The estimate is a mean of per-row probabilities: its sampling error is at most a binomial one.
    const band = accuracyBand(w.calSum, w.calCount, p.accuracy * p.labelled, p.labelled);
    const low = band.below;
    tracker.update('performance', 'performance', at, low, () => ({
      features: [],
      message: () => `line ${at.line}: estimated accuracy ${pct(est)} (from calibrated confidence, no labels) is below the reference band (${describeAccuracyBand(band, w.calCount, p.labelled)})`,
      severity: 'warning',
    }));
  } else if (schema.task === 'regression' && w.labelled >= MIN_LABELLED && Number.isFinite(p.mae)) {
    const mae = w.absErr / w.labelled;
    const high = mae > 1.5 * p.mae;
    tracker.update('performance', 'performance', at, high, () => ({
      features: [],
      message: () => `line ${at.line}: MAE ${fmt(mae)} over the last ${w.labelled} labelled rows is 50% above the reference (${fmt(p.mae)})`,
      severity: 'error',
    }));
  }
  if (w.confCount >= MIN_LABELLED && Number.isFinite(p.confidenceMean)) {
    const conf = w.confSum / w.confCount;
    const low = conf < p.confidenceMean - 3 * (p.confidenceSd / Math.sqrt(w.confCount)) && p.confidenceMean - conf > 0.02;
    tracker.update('performance:confidence', 'performance', at, low, () => ({
      features: [],
      message: () => `line ${at.line}: mean confidence fell to ${fmt(conf)} (reference ${fmt(p.confidenceMean)}; Page-Hinkley detected the drop)`,
      severity: 'warning',
    }), { canStart: low && input.confidenceDetectorFired, confirm: 1 });
  }
  const expected = (1 - input.anomalyQuantile) * n;
  tracker.update('anomaly', 'anomaly', at, w.suspicious >= suspiciousAlertCount(expected), () => ({
    features: [],
    // The window holds rows at.index - n + 1 .. at.index: the range is named so the count can be checked against the suspicious-row list.
    message: () => `line ${at.line}: ${w.suspicious} suspicious inputs in the last ${n} rows (rows ${at.index - n + 1}–${at.index}; about ${expected.toFixed(1)} expected)`,
    severity: 'warning',
  }));
}

/**
 * Fewest suspicious rows in a window that open an anomaly episode: the count a Poisson variable
 * reaches with probability under 1e-3, at twice the expected rate. The threshold is the reference's
 * own score quantile, which new clean rows exceed more often than the rows that set it (digits:
 * 0.94% for 0.5%), hence the factor 2; the small tail keeps clean streams under one false alert
 * per 20,000 rows though overlapping windows are tested every few rows (bench false-alarms).
 */
export function suspiciousAlertCount(expected: number): number {
  const rate = 2 * expected;
  let term = Math.exp(-rate);
  let below = 0;
  let k = 0;
  // P(X >= k) = 1 - P(X <= k - 1); stop at the first k whose tail is under 1e-3.
  while (1 - below >= 1e-3 && k < 10_000) {
    below += term;
    k++;
    term *= rate / k;
  }
  return Math.max(3, k);
}
