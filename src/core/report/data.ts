import { lttbIndices } from '../charts';
import type { CheckResult } from '../check';
import type { Severity } from '../config';
import type {
  FindingView,
  PanelState,
  PredictionReportView,
  RunEfficiencyView,
  RunSummary,
  SeriesView,
  StaticReportData,
  TaggedSeries,
} from '../../protocol';
import type { IntegrityView, MonitorView } from './types';

/** Limits that keep a report small enough to mail or attach (the example workspace: well under 1 MB). */
export interface ReportLimits {
  /** Points kept per scalar series (LTTB keeps the shape and every NaN gap). */
  readonly pointsPerSeries: number;
  readonly alertsPerLog: number;
  readonly suspiciousRowsPerLog: number;
  readonly windowsPerLog: number;
}

export const DEFAULT_REPORT_LIMITS: ReportLimits = {
  pointsPerSeries: 300,
  alertsPerLog: 100,
  suspiciousRowsPerLog: 50,
  windowsPerLog: 200,
};

export interface ReportInput {
  readonly title: string;
  readonly generatedAt: string;
  readonly result: CheckResult;
  /** In the order of `result.monitors`; undefined where a monitor could not run. */
  readonly views: readonly (MonitorView | undefined)[];
}

/** The integrity monitors' views, by monitor name, for the report's own integrity section. */
export function integrityViews(input: ReportInput): { name: string; view: IntegrityView }[] {
  const out: { name: string; view: IntegrityView }[] = [];
  input.views.forEach((v, i) => {
    if (v?.type === 'integrity') out.push({ name: input.result.monitors[i]!.name, view: v.view });
  });
  return out;
}

/** The dashboards' state for the static report: one training panel, one predictions panel per log, the GPU sample. */
export function buildReportData(input: ReportInput, limits: ReportLimits = DEFAULT_REPORT_LIMITS): StaticReportData {
  const panels: PanelState[] = [];
  const runs: RunSummary[] = [];
  const series: TaggedSeries[] = [];
  const findings: FindingView[] = [];
  const efficiency: RunEfficiencyView[] = [];
  const logdirs: string[] = [];
  input.views.forEach((v, i) => {
    const monitor = input.result.monitors[i]!;
    if (v?.type !== 'training') return;
    logdirs.push(monitor.target);
    // Runs of different monitors may share a name; prefix them when there are several monitors.
    const several = input.result.monitors.filter((m) => m.type === 'training').length > 1;
    const rename = (run: string) => (several && run !== monitor.name ? `${monitor.name}/${run}` : run);
    runs.push(...v.view.runs.map((r) => ({ ...r, name: rename(r.name) })));
    series.push(...v.view.series.map((s) => ({ run: rename(s.run), tag: s.tag, series: downsample(s.series, limits.pointsPerSeries) })));
    efficiency.push(...(v.view.efficiency ?? []).map((e) => ({ ...e, run: rename(e.run), utilization: downsampleUtilization(e.utilization, limits.pointsPerSeries) })));
    // Severities follow the config's policy: the judged finding for the same run/tag/kind wins.
    findings.push(
      ...v.view.findings.map((f) => {
        const judged = judgedFinding(monitor.findings, f);
        const acknowledged = judged?.acknowledged;
        return { ...f, run: rename(f.run), severity: judged?.severity ?? f.severity, ...(acknowledged !== undefined ? { acknowledged } : {}) };
      }),
    );
  });
  if (runs.length || logdirs.length) {
    panels.push({ panel: 'training', state: { runs, series, findings, hparams: [], histograms: [], logdirs, ...(efficiency.length ? { efficiency } : {}) } });
  }
  input.views.forEach((v, i) => {
    if (v?.type !== 'predictions') return;
    const monitor = input.result.monitors[i]!;
    const report = trimPredictionReport(v.view, limits);
    panels.push({
      panel: 'predictions',
      state: {
        logs: [{ path: monitor.target, label: monitor.target, rows: report.rows, alerts: v.view.alerts.length, drifted: report.features.some((f) => f.drifted) }],
        selected: monitor.target,
        report: { ...report, log: monitor.target },
      },
    });
  });
  input.views.forEach((v) => {
    if (v?.type !== 'gpu' || !v.view) return;
    panels.push({ panel: 'gpu', state: { samples: [v.view], energy: { wh: 0, cost: null, currency: null }, status: null } });
  });
  return { version: 1, title: input.title, generatedAt: input.generatedAt, panels };
}

function judgedFinding(judged: readonly { kind: string; subject?: string; severity: Severity; acknowledged?: string }[], f: FindingView) {
  return judged.find((j) => j.kind === f.kind && j.subject === `${f.run}/${f.tag}`);
}

/** Keeps at most `maxPoints` of a utilisation strip, as every n-th sample (the strip is drawn as columns). */
function downsampleUtilization(u: RunEfficiencyView['utilization'], maxPoints: number): RunEfficiencyView['utilization'] {
  const every = Math.ceil(u.steps.length / Math.max(1, maxPoints));
  if (every <= 1) return u;
  const keep = (_: unknown, i: number) => i % every === 0;
  return { steps: u.steps.filter(keep), percent: u.percent.filter(keep) };
}

/** Keeps at most `maxPoints` of a series with LTTB (gaps always kept). */
export function downsample(s: SeriesView, maxPoints: number): SeriesView {
  if (s.steps.length <= maxPoints) return s;
  const idx = lttbIndices(s.steps as number[], s.values as (number | null)[], Math.max(3, maxPoints));
  return { steps: idx.map((i) => s.steps[i]!), values: idx.map((i) => s.values[i]!), wallTimes: idx.map((i) => s.wallTimes[i]!) };
}

function trimPredictionReport(r: PredictionReportView, limits: ReportLimits): PredictionReportView {
  const step = Math.ceil(r.windows.length / limits.windowsPerLog);
  return {
    ...r,
    windows: step > 1 ? r.windows.filter((_, i) => i % step === 0 || i === r.windows.length - 1) : r.windows,
    alerts: r.alerts.slice(0, limits.alertsPerLog),
    // The highest scores are what a reader triages first; the total stays in suspiciousTotal.
    suspicious: [...r.suspicious].sort((a, b) => (b.score ?? -Infinity) - (a.score ?? -Infinity) || a.index - b.index).slice(0, limits.suspiciousRowsPerLog),
    suspiciousTotal: r.suspiciousTotal ?? r.suspicious.length,
  };
}
