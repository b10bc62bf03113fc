import { formatNumber, formatPValue } from '../charts';
import type { ClassificationMetrics, RegressionMetrics } from '../predictions/metrics';
import type { FeatureDrift, PredictionReport, WindowReport } from '../predictions/report';
import type { FeatureDriftView, PerformanceWindowView, PredictionReportView, SegmentView } from '../../protocol';
import type { MonitorObservation, RawFinding } from './types';
import { plural } from '../charts/format';

const MAX_FEATURE_ROWS = 40;

export interface PredictionObservationInput {
  /** The log as the config names it. */
  readonly log: string;
  readonly report: PredictionReport;
  /** Family-wise p-value below which a feature counts as drifted (the engine's alertPValue). */
  readonly alertPValue?: number;
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
  const drifted = driftedFeatures(report, latest, alertP);
  const features = latest?.drift ?? [];
  // "yes": significant after correcting for every column compared; "weak": only the column's own test.
  const verdict = (f: FeatureDrift) => (f.alertPValue < alertP ? 'yes' : f.drifted ? 'weak' : 'no');
  const rows = features.slice(0, MAX_FEATURE_ROWS).map((f) => [
    f.feature,
    f.test,
    formatNumber(f.statistic),
    f.pValue !== undefined ? formatPValue(f.pValue) : '–',
    formatNumber(f.shift, 2),
    verdict(f),
  ]);
  const tables = features.length
    ? [
        {
          caption: latest ? `Drift per feature, rows ${latest.start}–${latest.end - 1} against reference rows ${report.reference.start}–${report.reference.end - 1}` : 'Drift per feature',
          columns: ['Feature', 'Test', 'Statistic', 'p-value', 'Shift (sd)', 'Drifted'],
          rows: features.length > MAX_FEATURE_ROWS ? [...rows, [`…${features.length - MAX_FEATURE_ROWS} more`, '', '', '', '', '']] : rows,
          emphasis: rows.flatMap((r, i) => (r[5] === 'yes' ? [i] : [])),
        },
      ]
    : [];
  const accuracy = latest?.performance && 'accuracy' in latest.performance ? latest.performance.accuracy : undefined;
  const summary = [
    `${report.rows} rows`,
    `${plural(report.windows.length + report.windowsDropped, 'window')}`,
    features.length ? `drift in ${drifted.length} of ${features.length} features${drifted.length ? ` (${drifted.slice(0, 4).join(', ')}${drifted.length > 4 ? ', …' : ''})` : ''}` : 'no features compared',
    report.alerts.length ? `${plural(report.alerts.length, 'alert')}` : 'no alerts',
    accuracy !== undefined ? `latest accuracy ${formatNumber(accuracy)}${report.reference.accuracy !== null ? ` (reference ${formatNumber(report.reference.accuracy)})` : ''}` : '',
  ].filter(Boolean).join('; ');
  return { observation: { findings, summary, tables, driftedFeatures: drifted }, view: predictionView(log, report, latest, alertP) };
}

/** Features significantly drifted in the latest window, then any other feature a drift alert named. */
function driftedFeatures(report: PredictionReport, latest: WindowReport | undefined, alertP: number): string[] {
  const out = (latest?.drift ?? []).filter((f) => f.alertPValue < alertP).map((f) => f.feature);
  for (const a of report.alerts) {
    if (a.kind !== 'data_drift') continue;
    for (const f of a.features) if (!out.includes(f)) out.push(f);
  }
  return out;
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
  if (w.meanConfidence !== undefined) m.meanConfidence = w.meanConfidence;
  m.driftedShare = w.driftedShare;
  return m;
}

function isClassification(p: ClassificationMetrics | RegressionMetrics): p is ClassificationMetrics {
  return 'accuracy' in p;
}

/** `drifted` is the family-wise verdict (as in the check's summary), not the column test's own p < 0.05. */
function featureView(f: FeatureDrift, firstDrift: ReadonlyMap<string, number>, alertP: number): FeatureDriftView {
  return {
    feature: f.feature,
    kind: f.kind === 'categorical' || f.kind === 'segment' ? 'categorical' : 'numeric',
    statistic: f.test,
    value: f.statistic,
    test: f.test,
    pValue: f.pValue ?? null,
    drifted: f.alertPValue < alertP,
    detectedAt: firstDrift.get(f.feature) ?? null,
  };
}

function predictionView(log: string, report: PredictionReport, latest: WindowReport | undefined, alertP: number): PredictionReportView {
  const firstDrift = new Map<string, number>();
  for (const w of report.windows) for (const f of w.drift) if (f.alertPValue < alertP && !firstDrift.has(f.feature)) firstDrift.set(f.feature, w.start);
  const windows: PerformanceWindowView[] = report.windows.map((w) => ({ start: w.start, end: w.end - 1, ts: w.endTs, metrics: windowMetrics(w) }));
  const segments: SegmentView[] = (latest?.segments ?? []).map((s) => ({
    segment: `${s.column}=${s.value}`,
    rows: s.rows,
    metrics: { accuracy: s.performance && isClassification(s.performance) ? s.performance.accuracy : null, estimatedAccuracy: s.estimatedAccuracy ?? null },
    driftedFeatures: s.drift.filter((d) => d.alertPValue < alertP).map((d) => d.feature),
  }));
  return {
    log,
    rows: report.rows,
    windows,
    features: (latest?.drift ?? []).map((f) => featureView(f, firstDrift, alertP)),
    alerts: report.alerts.map((a) => ({ kind: a.kind, index: a.index, ts: a.ts, line: a.line, features: a.features, message: a.message, severity: a.severity })),
    segments,
    suspicious: report.suspiciousRows.map((r) => ({ index: r.index, line: r.line, reason: r.reasons.join('; '), score: r.score })),
    referenceEnd: report.reference.end,
  };
}
