/**
 * Performance estimation for a prediction log: CBPE for classifiers with probabilities (a binary
 * score, or one probability a class), DLE for regression. Fitted once on the labelled reference
 * rows; each window then gets its estimates beside the values its labels realise.
 */
import type { PredictionRow } from '../predictions/row';
import { estimateCbpe, fitCbpe, realisedCbpe, type CbpeModel, type CbpeRow } from './cbpe';
import { estimateDle, fitDle, type DleModel } from './dle';
import {
  binarySamplingError,
  f1Component,
  maeSamplingError,
  multiclassSamplingError,
  precisionComponent,
  recallComponent,
  regressionComponents,
  rmseSamplingError,
  rocAucComponent,
  type SpreadComponent,
} from './samplingError';

export type EstimatedMetricName = 'precision' | 'recall' | 'f1' | 'roc_auc' | 'mae' | 'rmse';

/** One metric of a window: the estimate (no labels) and the value the window's labels give. */
export interface EstimatedMetric {
  readonly metric: EstimatedMetricName;
  /** null where the estimate is undefined (e.g. no row predicted positive). */
  readonly estimated: number | null;
  /** null where the window has no labels, or too few classes among them to define the metric. */
  readonly realised: number | null;
  /** NannyML's sampling error of the estimate at this window's size; the band is estimated +- 3 of it. */
  readonly samplingError: number | null;
}

/** A window's performance estimates. */
export interface PerformanceEstimate {
  readonly method: 'cbpe' | 'dle';
  /** Classification: the positive class only (binary) or the mean over classes (macro). */
  readonly average?: 'binary' | 'macro';
  /** Rows the estimate covers and, of them, the labelled rows the realised values cover. */
  readonly rows: number;
  readonly labelled: number;
  readonly metrics: EstimatedMetric[];
}

/** How the estimator was fitted on the reference (shown once, beside the reference). */
export interface EstimationSetup {
  readonly method: 'cbpe' | 'dle';
  readonly referenceRows: number;
  readonly average?: 'binary' | 'macro';
  readonly positiveClass?: string;
  /**
   * CBPE: the calibration check of each probability column on the reference (NannyML's rule:
   * recalibrate by isotonic regression when that lowers the held-out expected calibration error).
   */
  readonly calibration?: { readonly class: string; readonly eceBefore: number | null; readonly eceAfter: number | null; readonly recalibrated: boolean; readonly skipped?: string }[];
  /** DLE: the error model's inputs (numeric features, then the prediction). */
  readonly inputs?: string[];
}

export interface EstimatorContext {
  readonly task: 'classification' | 'regression';
  readonly positiveClass: string | undefined;
  readonly numericNames: readonly string[];
}

/** Fewer labelled reference rows than this and no estimator is fitted (calibration needs them). */
export const MIN_ESTIMATION_ROWS = 50;

const fix = (x: number) => (Number.isFinite(x) ? Number(x.toFixed(4)) : null);

/** CBPE or DLE, fitted on a reference; `undefined` from fit where the log lacks what it needs. */
export class PerformanceEstimator {
  private constructor(
    readonly setup: EstimationSetup,
    private readonly cbpe: CbpeModel | undefined,
    private readonly dle: DleModel | undefined,
    private readonly positiveClass: string | undefined,
    /** Reference spreads for the sampling error: per metric, one a class (binary: one). */
    private readonly spreads: Readonly<Record<'precision' | 'recall' | 'f1' | 'roc_auc', readonly SpreadComponent[]>> | undefined,
    private readonly errorSpread: ReturnType<typeof regressionComponents> | undefined,
  ) {}

  static fit(reference: readonly PredictionRow[], ctx: EstimatorContext): PerformanceEstimator | undefined {
    if (ctx.task === 'regression') {
      const rows = reference.filter((r) => r.labelValue !== undefined && r.predictionValue !== undefined);
      if (rows.length < MIN_ESTIMATION_ROWS) return undefined;
      const model = fitDle(rows.map(dleInputs), rows.map((r) => r.predictionValue!), rows.map((r) => r.labelValue!));
      const spread = regressionComponents(rows.map((r) => r.labelValue! - r.predictionValue!));
      return new PerformanceEstimator({ method: 'dle', referenceRows: rows.length, inputs: [...ctx.numericNames, 'prediction'] }, undefined, model, undefined, undefined, spread);
    }
    const kind = classifierKind(reference, ctx.positiveClass);
    if (!kind) return undefined;
    const toRow = (r: PredictionRow) => cbpeRow(r, kind, ctx.positiveClass);
    const rows = reference.map(toRow).filter((r): r is CbpeRow => !!r && r.label !== undefined);
    if (rows.length < MIN_ESTIMATION_ROWS) return undefined;
    const classes = kind.kind === 'binary' ? ['not ' + (ctx.positiveClass ?? '1'), ctx.positiveClass ?? '1'] : Array.from({ length: kind.classes }, (_, c) => String(c));
    const model = fitCbpe({ kind: kind.kind, classes }, rows);
    const average = kind.kind === 'binary' ? 'binary' : 'macro';
    const calibration = model.checks.map((c, i) => ({
      class: kind.kind === 'binary' ? classes[1]! : classes[i]!,
      eceBefore: fix(c.eceBefore),
      eceAfter: fix(c.eceAfter),
      recalibrated: c.recalibrated,
      ...(c.skipped ? { skipped: c.skipped } : {}),
    }));
    const positive = kind.kind === 'binary' ? ctx.positiveClass ?? '1' : undefined;
    const multi = kind.kind === 'multiclass';
    const perClass = multi ? Array.from({ length: kind.classes }, (_, c) => c) : [1];
    const binarised = perClass.map((c) => ({ yTrue: rows.map((r) => (r.label === c ? 1 : 0)), yPred: rows.map((r) => (r.predicted === c ? 1 : 0)), score: rows.map((r) => r.scores[multi ? c : 0]!) }));
    const spreads = {
      precision: binarised.map((b) => precisionComponent(b.yTrue, b.yPred, multi)),
      recall: binarised.map((b) => recallComponent(b.yTrue, b.yPred, multi)),
      f1: binarised.map((b) => f1Component(b.yTrue, b.yPred, multi)),
      roc_auc: binarised.map((b) => rocAucComponent(b.yTrue, b.score, multi)),
    };
    return new PerformanceEstimator({ method: 'cbpe', referenceRows: rows.length, average, ...(positive !== undefined ? { positiveClass: positive } : {}), calibration }, model, undefined, ctx.positiveClass, spreads, undefined);
  }

  /** The estimates of one window's rows beside the values its labelled rows realise. */
  estimate(rows: readonly PredictionRow[]): PerformanceEstimate | undefined {
    if (this.dle) {
      const inputs: Float64Array[] = [];
      let labelled = 0;
      let abs = 0;
      let sq = 0;
      for (const r of rows) {
        if (r.predictionValue === undefined) continue;
        inputs.push(dleInputs(r));
        if (r.labelValue !== undefined) {
          const e = r.predictionValue - r.labelValue;
          labelled++;
          abs += Math.abs(e);
          sq += e * e;
        }
      }
      if (!inputs.length) return undefined;
      const est = estimateDle(this.dle, inputs);
      const spread = this.errorSpread!;
      return {
        method: 'dle',
        rows: inputs.length,
        labelled,
        metrics: [
          { metric: 'mae', estimated: fix(est.mae), realised: labelled ? fix(abs / labelled) : null, samplingError: fix(maeSamplingError(spread, inputs.length)) },
          { metric: 'rmse', estimated: fix(est.rmse), realised: labelled ? fix(Math.sqrt(sq / labelled)) : null, samplingError: fix(rmseSamplingError(spread, inputs.length)) },
        ],
      };
    }
    const model = this.cbpe!;
    const kind: ClassifierKind = model.kind === 'binary' ? { kind: 'binary', classes: 2 } : { kind: 'multiclass', classes: model.classes.length };
    const cbpeRows = rows.map((r) => cbpeRow(r, kind, this.positiveClass)).filter((r): r is CbpeRow => !!r);
    if (!cbpeRows.length) return undefined;
    const est = estimateCbpe(model, cbpeRows);
    const real = realisedCbpe(model, cbpeRows);
    const labelled = cbpeRows.filter((r) => r.label !== undefined).length;
    const n = cbpeRows.length;
    const se = (m: 'precision' | 'recall' | 'f1' | 'roc_auc') => {
      const cs = this.spreads![m];
      return fix(model.kind === 'binary' ? binarySamplingError(cs[0]!, n) : multiclassSamplingError(cs, n, m === 'roc_auc'));
    };
    return {
      method: 'cbpe',
      average: model.kind === 'binary' ? 'binary' : 'macro',
      rows: cbpeRows.length,
      labelled,
      metrics: [
        { metric: 'precision', estimated: fix(est.precision), realised: fix(real.precision), samplingError: se('precision') },
        { metric: 'recall', estimated: fix(est.recall), realised: fix(real.recall), samplingError: se('recall') },
        { metric: 'f1', estimated: fix(est.f1), realised: fix(real.f1), samplingError: se('f1') },
        { metric: 'roc_auc', estimated: fix(est.rocAuc), realised: fix(real.rocAuc), samplingError: se('roc_auc') },
      ],
    };
  }
}

type ClassifierKind = { kind: 'binary'; classes: 2 } | { kind: 'multiclass'; classes: number };

/**
 * Binary: a score column and a positive class (or two probability columns, class 1 positive);
 * multiclass: one probability a class, classes named by their index, as the log's labels are.
 */
function classifierKind(reference: readonly PredictionRow[], positiveClass: string | undefined): ClassifierKind | undefined {
  const first = reference.find((r) => r.probabilities || r.score !== undefined);
  if (!first) return undefined;
  if (first.probabilities) {
    const k = first.probabilities.length;
    if (k < 2) return undefined;
    return k === 2 ? { kind: 'binary', classes: 2 } : { kind: 'multiclass', classes: k };
  }
  return positiveClass !== undefined ? { kind: 'binary', classes: 2 } : undefined;
}

function classIndex(text: string | undefined, k: number): number | undefined {
  if (text === undefined) return undefined;
  const c = Number(text);
  return Number.isInteger(c) && c >= 0 && c < k ? c : undefined;
}

/** The row as CBPE reads it, or undefined where it lacks a usable probability or prediction. */
function cbpeRow(r: PredictionRow, kind: ClassifierKind, positiveClass: string | undefined): CbpeRow | undefined {
  if (kind.kind === 'binary') {
    if (r.probabilities) {
      if (r.probabilities.length !== 2) return undefined;
      const p = r.probabilities[1]!;
      const predicted = classIndex(r.prediction, 2) ?? (p >= r.probabilities[0]! ? 1 : 0);
      const label = classIndex(r.label, 2);
      return Number.isFinite(p) ? { scores: [p], predicted, ...(label !== undefined ? { label } : {}) } : undefined;
    }
    if (r.score === undefined || !Number.isFinite(r.score) || r.prediction === undefined) return undefined;
    const positive = positiveClass ?? '1';
    return { scores: [r.score], predicted: r.prediction === positive ? 1 : 0, ...(r.label !== undefined ? { label: r.label === positive ? 1 : 0 } : {}) };
  }
  const p = r.probabilities;
  if (!p || p.length !== kind.classes) return undefined;
  for (let i = 0; i < p.length; i++) if (!Number.isFinite(p[i]!)) return undefined;
  const predicted = classIndex(r.prediction, kind.classes);
  if (predicted === undefined) return undefined;
  const label = classIndex(r.label, kind.classes);
  return { scores: p, predicted, ...(label !== undefined ? { label } : {}) };
}

function dleInputs(r: PredictionRow): Float64Array {
  const x = new Float64Array(r.numeric.length + 1);
  x.set(r.numeric);
  x[r.numeric.length] = r.predictionValue ?? NaN;
  return x;
}

/** Display name of an estimated metric. */
export const ESTIMATED_METRIC_LABELS: Readonly<Record<EstimatedMetricName, string>> = { precision: 'precision', recall: 'recall', f1: 'F1', roc_auc: 'ROC AUC', mae: 'MAE', rmse: 'RMSE' };

/** "CBPE (macro): precision 0.954 ±0.046 (realised 0.949), ..." for one window (the band is 3 sampling errors). */
export function describeEstimate(e: PerformanceEstimate): string {
  const num = (x: number | null) => (x === null ? '-' : x.toFixed(3));
  const band = (m: EstimatedMetric) => (m.samplingError !== null && m.estimated !== null ? ` ±${(3 * m.samplingError).toFixed(3)}` : '');
  const parts = e.metrics.map((m) => `${ESTIMATED_METRIC_LABELS[m.metric]} ${num(m.estimated)}${band(m)}${m.realised !== null ? ` (realised ${num(m.realised)})` : ''}`);
  return `${e.method.toUpperCase()}${e.average ? ` (${e.average})` : ''}: ${parts.join(', ')}`;
}

/** How the estimator was fitted, in words: which classes were recalibrated, or what the error model reads. */
export function describeEstimationBasis(s: EstimationSetup): string {
  if (s.method === 'dle') return `error model (boosted stumps) of |error| and error² on ${s.referenceRows} labelled reference rows, from ${(s.inputs ?? []).join(', ')}`;
  const cal = s.calibration ?? [];
  const recal = cal.filter((c) => c.recalibrated).map((c) => c.class);
  const kept = cal.filter((c) => !c.recalibrated).map((c) => c.class);
  const what = s.average === 'binary' ? `positive class ${s.positiveClass ?? '1'}: ` : '';
  const parts = [
    recal.length ? `isotonic recalibration (held-out ECE fell) for ${s.average === 'binary' ? 'the score' : `class ${recal.join(', ')}`}` : '',
    kept.length ? `raw probability for ${s.average === 'binary' ? 'the score' : `class ${kept.join(', ')}`}` : '',
  ].filter(Boolean);
  return `${what}${parts.join('; ')} (${s.referenceRows} labelled reference rows)`;
}

/** Window metric keys for charts: each estimate beside its realised value ("estimatedF1" beside "f1"). */
export function estimateMetricKeys(e: PerformanceEstimate): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  const get = (m: EstimatedMetricName) => e.metrics.find((x) => x.metric === m);
  const pair = (m: EstimatedMetricName, key: string) => {
    const x = get(m);
    if (!x) return;
    out[`estimated${key[0]!.toUpperCase()}${key.slice(1)}`] = x.estimated;
    out[key] = x.realised;
  };
  if (e.method === 'dle') {
    pair('mae', 'mae');
    pair('rmse', 'rmse');
  } else {
    pair('f1', e.average === 'macro' ? 'macroF1' : 'f1');
    pair('roc_auc', 'rocAuc');
  }
  return out;
}
