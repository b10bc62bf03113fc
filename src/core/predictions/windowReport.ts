import {
  classificationMetrics,
  compareClasses,
  expectedCalibrationError,
  logLoss,
  regressionMetrics,
  rocAuc,
  type ClassificationMetrics,
  type RegressionMetrics,
} from './metrics';
import { detach } from './lines';
import { categoricalColumnTest, numericColumnTest, numericColumnTestFromRanks } from './columnTest';
import { chiSquareOfCounts, sortAscending } from './numeric';
import { rankScratchLength, type ReferenceProfile } from './profile';
import type { FeatureDrift, MultivariateDrift, SegmentGap, SegmentWindow, ShiftSummary, WindowReport } from './report';
import type { PredictionRow } from './row';
import type { QualityWindow } from './quality';
import type { PredictionSchema } from './schema';
import { driftVerdicts, type DriftVerdict, type OpenDriftEpisode } from './verdict';
import type { EmbeddingDriftResult } from '../embedding';
import type { PerformanceEstimator } from '../estimation/estimator';

/** One monitored row with what the monitor derived from it. */
export interface WindowEntry {
  readonly row: PredictionRow;
  /** Packed reference rank of each numeric feature (see packedRank); -1 where missing. */
  readonly ranks: Int32Array;
  /** Normal score of each rank (see rankScore); NaN where missing. Kept so eviction need not look it up again. */
  readonly scores: Float64Array;
  /** PCA reconstruction error of each vector feature; NaN where missing. */
  readonly rec: Float64Array;
  readonly confidence: number;
  readonly entropy: number;
  readonly calibrated: number;
  /** Classification: 1 wrong, 0 right; regression: absolute error; -1 unlabelled. */
  readonly error: number;
  readonly trueClassProbability: number;
  readonly suspicious: boolean;
}

/** The monitor's latest family-wise drift evaluation of one column. */
export interface FeatureEval {
  readonly feature: string;
  readonly kind: FeatureDrift['kind'];
  readonly alertPValue: number;
  readonly shift: number;
  /** Uncorrected p of the test a column must pass to join an open data-drift episode (numeric: location only). */
  readonly joinPValue: number;
  /** A vector column's embedding drift result; `alertPValue` and `joinPValue` are then 0 when it drifted, else 1. */
  readonly embedding?: EmbeddingDriftResult;
}

/** What the reporter reads from the monitor (fixed once the reference is complete). */
export interface WindowContext {
  readonly schema: PredictionSchema;
  readonly profile: ReferenceProfile;
  readonly positiveClass: string | undefined;
  readonly segmentProfiles: readonly Map<string, ReferenceProfile>[];
  /** Running per-segment totals across windows, for the overall fairness gap (updated here). */
  readonly segmentGapTotals: Map<string, { rows: number; labelled: number; correct: number; absErr: number }>[];
  /** CBPE or DLE fitted on the reference, where the log allows one. */
  readonly estimator?: PerformanceEstimator;
}

const MAX_SEGMENT_VALUES = 20;

export const share = (m: ReadonlyMap<string, number>): Record<string, number> => {
  let total = 0;
  for (const v of m.values()) total += v;
  const out: Record<string, number> = {};
  for (const k of [...m.keys()].sort(compareClasses)) out[k] = total ? m.get(k)! / total : 0;
  return out;
};
export const bump = (m: Map<string, number>, k: string | undefined, by = 1) => {
  if (k === undefined) return;
  const old = m.get(k);
  const v = (old ?? 0) + by;
  if (v === 0) m.delete(k);
  else m.set(old === undefined ? detach(k) : k, v);
};
const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
export const fmt = (x: number, d = 3) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);

/**
 * Builds the report of one window: performance, confidence and the calibrated estimate, each
 * column's default drift test, the multivariate band, prediction and prior shift, per-segment
 * metrics with a drill-down of the columns that drift, and data-quality counts.
 */
export class WindowReporter {
  private scratch = new Int32Array(0);
  /** The last window's verdicts: a drift that goes on keeps the row it started at. */
  private lastVerdicts: readonly DriftVerdict[] = [];

  constructor(private readonly ctx: WindowContext) {}

  private rankBuffer = new Int32Array(0);

  private columnRanks(length: number): Int32Array {
    if (this.rankBuffer.length < length) this.rankBuffer = new Int32Array(length);
    return this.rankBuffer;
  }

  /** Zeroed counts for ksFromUnsortedRanks, reused across columns and windows. */
  private rankScratch(referenceSize: number): Int32Array {
    const length = rankScratchLength(referenceSize);
    if (this.scratch.length < length) this.scratch = new Int32Array(length);
    return this.scratch;
  }

  performance(entries: readonly WindowEntry[]): ClassificationMetrics | RegressionMetrics | undefined {
    const schema = this.ctx.schema;
    const lab = entries.filter((e) => e.error >= 0);
    if (!lab.length) return undefined;
    if (schema.task === 'regression') return regressionMetrics(lab.map((e) => e.row.labelValue!), lab.map((e) => e.row.predictionValue!));
    // One pass over the labelled rows gathers what every metric reads.
    const positiveClass = this.ctx.positiveClass;
    const labels: string[] = [];
    const predictions: string[] = [];
    const positive: boolean[] = [];
    const scores: number[] = [];
    const probs: number[] = [];
    const confidences: number[] = [];
    const correct: boolean[] = [];
    for (const e of lab) {
      const row = e.row;
      labels.push(row.label!);
      predictions.push(row.prediction!);
      if (positiveClass !== undefined && row.score !== undefined) {
        positive.push(row.label === positiveClass);
        scores.push(row.score);
      }
      if (!Number.isNaN(e.trueClassProbability)) probs.push(e.trueClassProbability);
      if (!Number.isNaN(e.confidence)) {
        confidences.push(e.confidence);
        correct.push(e.error === 0);
      }
    }
    const base = classificationMetrics(labels, predictions);
    const extra: { rocAuc?: number; logLoss?: number; ece?: number } = {};
    if (positiveClass !== undefined) {
      const auc = rocAuc(positive, scores);
      if (Number.isFinite(auc)) extra.rocAuc = fmt(auc, 4);
    }
    if (probs.length) extra.logLoss = fmt(logLoss(probs), 4);
    if (confidences.length) extra.ece = fmt(expectedCalibrationError(confidences, correct), 4);
    return Object.assign(base, extra);
  }

  /**
   * `decision`: the alert threshold and the data-drift episode open now, so the window's verdicts
   * are the alerts' own decision (see driftVerdicts).
   */
  report(entries: readonly WindowEntry[], window: number, evaluation: readonly FeatureEval[], quality: QualityWindow, decision: { readonly threshold: number; readonly episode: OpenDriftEpisode | undefined } = { threshold: 1e-3, episode: undefined }): WindowReport {
    const p = this.ctx.profile;
    const schema = this.ctx.schema;
    const first = entries[0]!.row;
    const last = entries[entries.length - 1]!.row;
    const evals = new Map(evaluation.map((e) => [e.feature, e]));
    const drift = this.columnDrift(entries, p, evals);
    const multivariate: MultivariateDrift[] = p.vectors.map((vp, v) => {
      const errs = entries.map((e) => e.rec[v]!).filter((x) => !Number.isNaN(x));
      const value = errs.length ? errs.reduce((s, x) => s + x, 0) / errs.length : NaN;
      const half = 3 * vp.errorSd / Math.sqrt(Math.max(1, errs.length));
      return { feature: vp.name, value: fmt(value, 4), lower: fmt(vp.errorMean - half, 4), upper: fmt(vp.errorMean + half, 4), drifted: value > vp.errorMean + half || value < vp.errorMean - half };
    });
    const confs = entries.map((e) => e.confidence).filter((x) => !Number.isNaN(x));
    const ents = entries.map((e) => e.entropy).filter((x) => !Number.isNaN(x));
    const cal = entries.map((e) => e.calibrated).filter((x) => !Number.isNaN(x));
    const avg = (xs: number[]) => (xs.length ? fmt(xs.reduce((s, x) => s + x, 0) / xs.length, 4) : undefined);
    const counts = (pick: (e: WindowEntry) => string | undefined) => {
      const m = new Map<string, number>();
      for (const e of entries) bump(m, pick(e));
      return m;
    };
    const shift = (ref: ReadonlyMap<string, number>, cur: Map<string, number>): ShiftSummary | undefined => {
      if (!cur.size || ref.size < 2) return undefined;
      const r = chiSquareOfCounts(ref, cur, compareClasses);
      return { test: 'chi2', statistic: fmt(r.statistic), pValue: r.pValue, drifted: r.pValue < 0.05, current: share(cur), reference: share(ref) };
    };
    // Per-segment drift drills into the columns that drift in this window (at most 10): which
    // segment carries the drift. A clean window costs no per-segment tests.
    const focus = new Set(drift.filter((d) => d.drifted && d.kind !== 'segment').slice(0, 10).map((d) => d.feature));
    const segments = this.segmentWindows(entries, focus);
    const q = quality;
        const perf = this.performance(entries);
    const meanConfidence = avg(confs);
    const meanEntropy = avg(ents);
    const estimatedAccuracy = avg(cal);
    const estimatedPerformance = this.ctx.estimator?.estimate(entries.map((e) => e.row));
    const predictionDrift = schema.task === 'classification' ? shift(p.predictionCounts, counts((e) => e.row.prediction)) : undefined;
    const priorShift = schema.task === 'classification' ? shift(p.labelCounts, counts((e) => e.row.label)) : undefined;
    const segmentGap = largestGap(segments, schema.task);
    const verdicts = driftVerdicts({ drift, start: first.index, end: last.index + 1, threshold: decision.threshold, episode: decision.episode, previous: this.lastVerdicts });
    this.lastVerdicts = verdicts;
    return {
      window,
      start: first.index,
      end: last.index + 1,
      startLine: first.line,
      endLine: last.line,
      startTs: first.tsText === undefined ? null : detach(first.tsText),
      endTs: last.tsText === undefined ? null : detach(last.tsText),
      rows: entries.length,
      labelled: entries.filter((e) => e.error >= 0).length,
      ...(perf ? { performance: perf } : {}),
      ...(meanConfidence !== undefined ? { meanConfidence } : {}),
      ...(meanEntropy !== undefined ? { meanEntropy } : {}),
      ...(estimatedAccuracy !== undefined ? { estimatedAccuracy } : {}),
      ...(estimatedPerformance ? { estimatedPerformance } : {}),
      drift,
      verdicts,
      driftedShare: verdicts.length ? fmt(verdicts.filter((v) => v.drifted).length / verdicts.length) : 0,
      multivariate,
      ...(predictionDrift ? { predictionDrift } : {}),
      ...(priorShift ? { priorShift } : {}),
      segments,
      ...(segmentGap ? { segmentGap } : {}),
      quality: {
        missing: Object.fromEntries(p.numeric.map((f) => f.name).map((n, i) => [n, q.missing[i] ?? 0]).filter(([, v]) => v)),
        typeChanges: Object.fromEntries(q.typeChanges),
        nonFinite: Object.fromEntries(q.nonFinite),
        outOfRange: Object.fromEntries(p.numeric.map((f, i) => [f.name, q.outOfRange[i] ?? 0]).filter(([, v]) => v)),
        newCategories: Object.fromEntries([...q.newCategories].map(([k, v]) => [k, [...v]])),
        duplicateIds: q.duplicateIds,
        unparseableLines: q.unparseable,
      },
      suspicious: entries.filter((e) => e.suspicious).length,
    };
  }

  /** Default-test drift of each column of `entries` against `ref`, ranked strongest first. */
  columnDrift(entries: readonly WindowEntry[], ref: ReferenceProfile, evals?: ReadonlyMap<string, FeatureEval>, only?: ReadonlySet<string>): FeatureDrift[] {
    const out: FeatureDrift[] = [];
    const buffer = new Float64Array(entries.length);
    const useRanks = ref === this.ctx.profile;
    const len = entries.length;
    const columns = ref.numeric.length;
    // Column-major copy of the window's ranks in one pass over the rows (each row's ranks lie together).
    const ranks = useRanks ? this.columnRanks(columns * len) : undefined;
    const kept = useRanks ? new Int32Array(columns) : undefined;
    if (ranks && kept) {
      for (let r = 0; r < len; r++) {
        const rowRanks = entries[r]!.ranks;
        for (let i = 0; i < columns; i++) {
          const q = rowRanks[i]!;
          if (q >= 0) ranks[i * len + kept[i]!++] = q;
        }
      }
    }
    for (let i = 0; i < ref.numeric.length; i++) {
      const f = ref.numeric[i]!;
      if (only && !only.has(f.name)) continue;
      if (ranks && kept) {
        const k = kept[i]!;
        const r = k ? numericColumnTestFromRanks(f.sorted.length, ranks.subarray(i * len, i * len + k), f.uniqueValues, this.rankScratch(f.sorted.length)) : undefined;
        if (r) {
          const e = evals?.get(f.name);
          out.push({ feature: f.name, kind: 'numeric', ...r, statistic: fmt(r.statistic, 4), alertPValue: e?.alertPValue ?? 1, shift: fmt(e?.shift ?? 0, 2), alertStatistic: fmt(e?.shift ?? 0, 2) });
          continue;
        }
      }
      let k = 0;
      for (const e of entries) {
        const x = e.row.numeric[i]!;
        if (!Number.isNaN(x)) buffer[k++] = x;
      }
      const vals = sortAscending(buffer, 0, k).subarray(0, k);
      if (!vals.length || !f.sorted.length) continue;
      const r = numericColumnTest(f.sorted, vals, f.uniqueValues);
      const e = evals?.get(f.name);
      out.push({ feature: f.name, kind: 'numeric', ...r, statistic: fmt(r.statistic, 4), alertPValue: e?.alertPValue ?? 1, shift: fmt(e?.shift ?? 0, 2), alertStatistic: fmt(e?.shift ?? 0, 2) });
    }
    for (let i = 0; i < ref.categorical.length; i++) {
      const c = ref.categorical[i]!;
      if (only && !only.has(c.name)) continue;
      const cur = new Map<string, number>();
      for (const e of entries) bump(cur, e.row.categorical[i]);
      const r = categoricalColumnTest(c.counts, cur, ref.rows);
      const e = evals?.get(c.name);
      out.push({ feature: c.name, kind: 'categorical', ...r, statistic: fmt(r.statistic, 4), alertPValue: e?.alertPValue ?? 1, shift: fmt(e?.shift ?? 0, 2), alertStatistic: fmt((e?.shift ?? 0) ** 2, 4) });
    }
    if (evals) {
      for (const vp of ref.vectors) {
        const e = evals.get(vp.name);
        if (!e || e.embedding) continue;
        out.push({ feature: vp.name, kind: 'vector', test: 'pca_reconstruction', statistic: fmt(e.shift, 2), threshold: 3, drifted: e.shift > 3, alertPValue: e.alertPValue, shift: fmt(e.shift, 2), alertStatistic: fmt(e.shift, 2) });
      }
      for (const e of evals.values()) {
        const r = e.embedding;
        if (!r) continue;
        out.push({
          feature: e.feature,
          kind: 'vector',
          test: `embedding_${r.method}`,
          statistic: fmt(r.statistic, 5),
          ...(r.pValue !== undefined ? { pValue: r.pValue } : {}),
          threshold: r.threshold,
          drifted: r.drifted,
          alertPValue: e.alertPValue,
          shift: fmt(e.shift, 2),
          alertStatistic: fmt(r.statistic, 5),
          embedding: r,
        });
      }
      const segments = this.ctx.schema.segments;
      segments.forEach((col, j) => {
        const cur = new Map<string, number>();
        for (const e of entries) bump(cur, e.row.segments[j]);
        const r = categoricalColumnTest(ref.segmentCounts[j]!, cur, ref.rows);
        // The segment-mix test of the alert rules (chi-squared, Bonferroni over the segment columns).
        const mix = segmentMixShift(ref.segmentCounts[j]!, cur, segments.length);
        out.push({ feature: col, kind: 'segment', ...r, statistic: fmt(r.statistic, 4), alertPValue: mix.pValue, shift: fmt(Math.sqrt(mix.statistic), 2), alertStatistic: fmt(mix.statistic, 4) });
      });
    }
    return out.sort((a, b) => a.alertPValue - b.alertPValue || rankP(a) - rankP(b) || Math.abs(b.shift) - Math.abs(a.shift));
  }

  private segmentWindows(entries: readonly WindowEntry[], focus: ReadonlySet<string>): SegmentWindow[] {
    const schema = this.ctx.schema;
    const out: SegmentWindow[] = [];
    schema.segments.forEach((col, j) => {
      const groups = new Map<string, WindowEntry[]>();
      for (const e of entries) {
        const v = e.row.segments[j];
        if (v === undefined) continue;
        const g = groups.get(v);
        if (g) g.push(e);
        else if (groups.size < MAX_SEGMENT_VALUES) groups.set(v, [e]);
      }
      for (const [value, list] of [...groups].sort((a, b) => compareClasses(a[0], b[0]))) {
        const perf = this.performance(list);
        const confs = list.map((e) => e.confidence).filter((x) => !Number.isNaN(x));
        const cal = list.map((e) => e.calibrated).filter((x) => !Number.isNaN(x));
        const ref = this.ctx.segmentProfiles[j]?.get(value);
        const totals = this.ctx.segmentGapTotals[j]!;
        const t = totals.get(value) ?? { rows: 0, labelled: 0, correct: 0, absErr: 0 };
        for (const e of list) {
          t.rows++;
          if (e.error >= 0) {
            t.labelled++;
            if (schema.task === 'regression') t.absErr += e.error;
            else if (e.error === 0) t.correct++;
          }
        }
        if (totals.has(value) || totals.size < MAX_SEGMENT_VALUES) totals.set(value, t);
        out.push({
          column: col,
          value,
          rows: list.length,
          ...(perf ? { performance: perf } : {}),
          ...(confs.length ? { meanConfidence: fmt(confs.reduce((s, x) => s + x, 0) / confs.length, 4) } : {}),
          ...(cal.length ? { estimatedAccuracy: fmt(cal.reduce((s, x) => s + x, 0) / cal.length, 4) } : {}),
          drift: ref && list.length >= 20 ? this.columnDrift(list, ref, undefined, focus) : [],
        });
      }
    });
    return out;
  }
}

/** The segment-mix shift the alert rules test: chi-squared of the counts, Bonferroni over `columns` segment columns. */
export function segmentMixShift(reference: ReadonlyMap<string, number>, current: ReadonlyMap<string, number>, columns: number): { statistic: number; pValue: number } {
  const r = chiSquareOfCounts(reference, current, compareClasses);
  return { statistic: r.statistic, pValue: Math.min(1, r.pValue * Math.max(1, columns)) };
}

function rankP(d: FeatureDrift): number {
  return d.pValue ?? (d.drifted ? 0 : 1) * (1 - d.statistic);
}

export function describeShift(ref: Record<string, number>, cur: Record<string, number>): string {
  const keys = [...new Set([...Object.keys(ref), ...Object.keys(cur)])];
  const moves = keys
    .map((k) => ({ k, d: (cur[k] ?? 0) - (ref[k] ?? 0) }))
    .sort((a, b) => Math.abs(b.d) - Math.abs(a.d))
    .slice(0, 3);
  return moves.map(({ k }) => `${k} ${pct(ref[k] ?? 0)} -> ${pct(cur[k] ?? 0)}`).join(', ');
}

export function gapOf(column: string, rows: { value: string; rows: number; score: number }[], task: 'classification' | 'regression'): SegmentGap | undefined {
  if (rows.length < 2) return undefined;
  // Higher accuracy is better; lower MAE is better.
  const sorted = [...rows].sort((a, b) => (task === 'regression' ? a.score - b.score : b.score - a.score));
  const best = sorted[0]!;
  const worst = sorted[sorted.length - 1]!;
  return {
    column,
    metric: task === 'regression' ? 'mae' : 'accuracy',
    best: { value: best.value, score: fmt(best.score, 4), rows: best.rows },
    worst: { value: worst.value, score: fmt(worst.score, 4), rows: worst.rows },
    gap: fmt(Math.abs(best.score - worst.score), 4),
  };
}

function largestGap(segments: readonly SegmentWindow[], task: 'classification' | 'regression'): SegmentGap | undefined {
  let best: SegmentGap | undefined;
  const byColumn = new Map<string, { value: string; rows: number; score: number }[]>();
  for (const s of segments) {
    const perf = s.performance;
    if (!perf || perf.labelled < 20) continue;
    const score = 'accuracy' in perf ? perf.accuracy : perf.mae;
    const list = byColumn.get(s.column) ?? [];
    list.push({ value: s.value, rows: s.rows, score });
    byColumn.set(s.column, list);
  }
  for (const [col, rows] of byColumn) {
    const g = gapOf(col, rows, task);
    if (g && (!best || g.gap > best.gap)) best = g;
  }
  return best;
}
