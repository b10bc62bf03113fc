import { formatNumber, formatPValue } from '../charts';
import type { ClassificationMetrics, RegressionMetrics } from '../predictions/metrics';
import type { PredictionReport, WindowReport } from '../predictions/report';
import { driftedFeatureNames, type DriftVerdict } from '../predictions/verdict';
import { describeMultipleTesting, type MultipleTesting } from '../predictions/multipleTesting';
import type { DriftScopeView, FeatureDriftView, PerformanceWindowView, PredictionReportView, SegmentView } from '../../protocol';
import type { MonitorObservation, RawFinding } from './types';
import { plural } from '../charts/format';
import { describeEstimationBasis, estimateMetricKeys, ESTIMATED_METRIC_LABELS, type EstimationSetup, type PerformanceEstimate } from '../estimation/estimator';
import type { AttributionsView, EstimatesView } from '../../protocol';
import { ATTRIBUTION_TOP_RANKS, type AttributionDrift } from '../attribution';

const MAX_FEATURE_ROWS = 40;

export interface PredictionObservationInput {
  /** The log as the config names it. */
  readonly log: string;
  readonly report: PredictionReport;
  /** Family-wise p-value below which a feature counts as drifted (the engine's alertPValue). */
  readonly alertPValue?: number;
  /** How the engine corrected the per-feature p-values (its multipleTesting; default bonferroni). */
  readonly multipleTesting?: MultipleTesting;
}

/** The engine's default family-wise drift p-value. */
export const DEFAULT_ALERT_P_VALUE = 0.001;

/** A prediction log analysed once: its alerts as findings, the drift table, the dashboard's view. */
export function observePredictions(input: PredictionObservationInput): { observation: MonitorObservation; view: PredictionReportView } {
  const { report, log } = input;
  const latest = report.windows[report.windows.length - 1];
  const findings: RawFinding[] = report.alerts.map((a) => ({
    kind: a.kind,
    severity: a.severity,
    message: `${a.message.replace(/^lines? [\d-]+: /, '')}${a.ts ? ` (at ${a.ts})` : ''}`,
    subject: a.features.slice(0, 3).join(', ') || log,
    location: { file: log, line: a.line },
  }));
  for (const p of report.problems.slice(0, 5)) {
    findings.push({ kind: 'unreadable-line', severity: 'warning', message: p.message, subject: log, location: { file: log, line: p.line } });
  }
  const alertP = input.alertPValue ?? DEFAULT_ALERT_P_VALUE;
  const verdicts = latest?.verdicts ?? [];
  const drifted = driftedFeatureNames(verdicts);
  const scope = latest ? driftScopeOf(report, latest, alertP, input.multipleTesting ?? 'bonferroni') : undefined;
  const rows = verdicts.slice(0, MAX_FEATURE_ROWS).map((v) => [
    v.feature,
    v.test,
    formatNumber(v.statistic, v.test === 'chi2' ? 3 : 2),
    formatPValue(v.pValue),
    v.drifted ? (v.basis === 'episode' ? 'yes (open alert)' : 'yes') : 'no',
    v.since !== null ? String(v.since) : '',
    `${v.columnTest.test} ${formatNumber(v.columnTest.statistic)}${v.columnTest.pValue !== null ? `, p ${formatPValue(v.columnTest.pValue)}` : ''}`,
  ]);
  const tables = verdicts.length && scope
    ? [
        {
          caption: `Drift per feature, rows ${scope.start}–${scope.end - 1} against reference rows ${report.reference.start}–${report.reference.end - 1}; drifted: ${scope.rule}`,
          columns: ['Feature', 'Test', 'Statistic', 'p-value (family-wise)', 'Drifted', 'Since row', 'Column test'],
          rows: verdicts.length > MAX_FEATURE_ROWS ? [...rows, [`…${verdicts.length - MAX_FEATURE_ROWS} more`, '', '', '', '', '', '']] : rows,
          emphasis: verdicts.slice(0, MAX_FEATURE_ROWS).flatMap((v, i) => (v.drifted ? [i] : [])),
        },
      ]
    : [];
  const accuracy = latest?.performance && 'accuracy' in latest.performance ? latest.performance.accuracy : undefined;
  const summary = [
    `${report.rows} rows`,
    `${plural(report.windows.length + report.windowsDropped, 'window')}`,
    verdicts.length && latest
      ? `drift in ${drifted.length} of ${verdicts.length} features in rows ${latest.start}–${latest.end - 1}${drifted.length ? ` (${drifted.slice(0, 4).join(', ')}${drifted.length > 4 ? ', …' : ''})` : ''}`
      : 'no features compared',
    report.alerts.length ? `${plural(report.alerts.length, 'alert')}` : 'no alerts',
    accuracy !== undefined ? `latest accuracy ${formatNumber(accuracy)}${report.reference.accuracy !== null ? ` (reference ${formatNumber(report.reference.accuracy)})` : ''}` : '',
  ].filter(Boolean).join('; ');
  return { observation: { findings, summary, tables, driftedFeatures: drifted }, view: predictionView(log, report, latest, scope) };
}

/** What a vector column's embedding method compares with its threshold. */
const EMBEDDING_RULE: Record<string, string> = {
  'embedding-model': 'domain classifier AUC',
  'embedding-ratio': 'share of drifted components',
  'embedding-distance': 'distance between means',
  'embedding-mmd': 'MMD permutation p',
};

/** The rows the latest verdicts cover and their decision rule, in words. */
function driftScopeOf(report: PredictionReport, latest: WindowReport, alertP: number, correction: MultipleTesting): DriftScopeView {
  const columns = latest.verdicts.filter((v) => v.kind !== 'segment').length;
  const vectors = latest.verdicts.filter((v) => v.test.startsWith('embedding-'));
  const embedding = vectors.length ? `; ${vectors.map((v) => `${v.feature}: ${EMBEDDING_RULE[v.test] ?? v.test} ${v.test === 'embedding-mmd' ? '<' : '>'} ${v.threshold}`).join(', ')}` : '';
  return {
    start: latest.start,
    end: latest.end,
    reference: { start: report.reference.start, end: report.reference.end },
    rule: `${correction === 'bh' ? 'FDR-adjusted' : 'family-wise'} p < ${alertP} (${describeMultipleTesting(correction)} over ${plural(columns, 'column')}), or named by the drift alert still open${embedding}`,
  };
}

function windowMetrics(w: WindowReport): Record<string, number | null> {
  const m: Record<string, number | null> = {};
  const p = w.performance;
  if (p && isClassification(p)) {
    m.accuracy = p.accuracy;
    m.macroF1 = p.macroF1;
  } else if (p) {
    m.mae = p.mae;
  }
  if (w.estimatedAccuracy !== undefined) m.estimatedAccuracy = w.estimatedAccuracy;
  // CBPE/DLE beside their realised values; a realised figure the window already has stays as it is.
  if (w.estimatedPerformance) for (const [k, v] of Object.entries(estimateMetricKeys(w.estimatedPerformance))) if (!(k in m)) m[k] = v;
  if (w.meanConfidence !== undefined) m.meanConfidence = w.meanConfidence;
  m.driftedShare = w.driftedShare;
  return m;
}

function isClassification(p: ClassificationMetrics | RegressionMetrics): p is ClassificationMetrics {
  return 'accuracy' in p;
}

/** The dashboard's row of one verdict: the same decision as the check's table and the alerts. */
function featureView(v: DriftVerdict): FeatureDriftView {
  return {
    feature: v.feature,
    kind: v.kind,
    statistic: v.test,
    value: v.statistic,
    test: v.test,
    // An embedding method without a p-value (model, ratio, distance) shows none.
    pValue: Number.isNaN(v.pValue) ? null : v.pValue,
    threshold: v.threshold,
    drifted: v.drifted,
    basis: v.basis,
    detectedAt: v.since,
    columnTest: { test: v.columnTest.test, statistic: v.columnTest.statistic, pValue: v.columnTest.pValue },
  };
}

function predictionView(log: string, report: PredictionReport, latest: WindowReport | undefined, scope: DriftScopeView | undefined): PredictionReportView {
  const windows: PerformanceWindowView[] = report.windows.map((w) => ({ start: w.start, end: w.end - 1, ts: w.endTs, metrics: windowMetrics(w) }));
  const segments: SegmentView[] = (latest?.segments ?? []).map((s) => ({
    segment: `${s.column}=${s.value}`,
    rows: s.rows,
    metrics: { accuracy: s.performance && isClassification(s.performance) ? s.performance.accuracy : null, estimatedAccuracy: s.estimatedAccuracy ?? null },
    // Which segment carries the drift: the columns' own tests within the segment's rows.
    driftedFeatures: s.drift.filter((d) => d.drifted).map((d) => d.feature),
  }));
  return {
    log,
    rows: report.rows,
    windows,
    features: (latest?.verdicts ?? []).map(featureView),
    alerts: report.alerts.map((a) => ({ kind: a.kind, index: a.index, ts: a.ts, line: a.line, features: a.features, message: a.message, severity: a.severity })),
    segments,
    suspicious: report.suspiciousRows.map((r) => ({ index: r.index, line: r.line, reason: r.reasons.join('; '), score: r.score })),
    referenceEnd: report.reference.end,
    ...(scope ? { driftScope: scope } : {}),
    suspiciousTotal: report.suspiciousTotal,
    ...(latest?.estimatedPerformance && report.reference.estimation ? { estimates: estimatesView(latest.estimatedPerformance, latest, report.reference.estimation) } : {}),
    ...(latest?.attribution ? { attributions: attributionsView(latest.attribution, latest) } : {}),
  };
}

/** Features a view lists: the window's top ones, and any that moved below them. */
const ATTRIBUTION_VIEW_ROWS = 10;

function attributionsView(a: AttributionDrift, w: WindowReport): AttributionsView {
  const features = a.features.filter((f, i) => i < ATTRIBUTION_VIEW_ROWS || f.moved || f.referenceRank <= ATTRIBUTION_TOP_RANKS);
  return {
    start: w.start,
    end: w.end,
    rows: a.rows,
    features: features.map((f) => ({ feature: f.feature, referenceRank: f.referenceRank, rank: f.rank, reference: f.reference, current: f.current, pValue: f.pValue, moved: f.moved })),
    total: a.features.length,
  };
}

function estimatesView(e: PerformanceEstimate, w: WindowReport, setup: EstimationSetup): EstimatesView {
  return {
    method: `${e.method.toUpperCase()}${e.average ? ` (${e.average})` : ''}`,
    start: w.start,
    end: w.end,
    rows: e.rows,
    labelled: e.labelled,
    metrics: e.metrics.map((m) => ({ metric: m.metric, label: ESTIMATED_METRIC_LABELS[m.metric], estimated: m.estimated, realised: m.realised, samplingError: m.samplingError })),
    basis: describeEstimationBasis(setup),
  };
}
