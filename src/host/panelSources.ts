import * as vscode from 'vscode';
import { placeFindings, type PlacedFinding, type TagSite } from '../core/tagSites';
import { accessibleStatusText, describeGpuStatus } from '../core/gpu/statusView';
import type {
  EnergyView,
  FindingView,
  GpuAlertView,
  GpuSampleView,
  HistogramView,
  HparamsRow,
  PredictionLogView,
  PredictionReportView,
  RunSummary,
  SeriesView,
} from '../protocol/views';
import type { TagSiteIndex } from './diagnostics/tagSiteIndex';
import type { GpuMonitor } from './gpu/gpuMonitor';
import { finiteSeries, gpuSampleView } from './panels/adapters';
import type { GpuSource, PredictionsSource, TrainingSource } from './panels/ports';
import type { PredictionLogs } from './predictions/service';
import type { WorkspaceTrainingRuns } from './training/trainingRuns';
import type { TrainingFinding } from './training/model';

/** The training dashboard's port over the workspace's runs and the code that logs their tags. */
export class TrainingPanelSource implements TrainingSource, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly training: WorkspaceTrainingRuns,
    private readonly sites: TagSiteIndex,
    /** The `modelmon.json` acknowledgement of a finding, if any. */
    private readonly acknowledged?: (finding: TrainingFinding) => string | undefined,
  ) {
    this.subscriptions = [
      this.changed,
      training.onDidChange(() => this.changed.fire()),
      // Typing in a Python file rescans it; only a moved or new code link is news to the dashboard.
      sites.onDidChange(() => {
        const links = JSON.stringify(this.findings().map((f) => f.code ?? null));
        if (links === this.codeLinks) return;
        this.codeLinks = links;
        this.changed.fire();
      }),
    ];
  }

  /** The findings' code links as last sent, to tell a moved link from an unrelated edit. */
  private codeLinks = '';

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  logdirs(): readonly string[] {
    return this.training.logdirs().map((d) => vscode.workspace.asRelativePath(d));
  }

  listRuns(): readonly RunSummary[] {
    return this.training.runs().map((r) => {
      const store = this.training.storeOf(r.name);
      const histogramTags = store?.get(r.name)?.tagList().filter((t) => t.kind === 'histogram').map((t) => t.tag) ?? [];
      const live = r.lastWallTime !== null && Date.now() / 1000 - r.lastWallTime < 120;
      // Final values let the page rank 1,000 runs by a tag without their series.
      const finals = r.tags.map((t) => (t.lastValue !== null && Number.isFinite(t.lastValue) ? t.lastValue : null));
      return { name: r.name, tags: r.tags.map((t) => t.tag), histogramTags, lastStep: r.lastStep, lastWallTime: r.lastWallTime, live, finals };
    });
  }

  scanProgress(): readonly [number, number] | undefined {
    return this.training.scanProgress();
  }

  series(run: string, tag: string): SeriesView | undefined {
    const s = this.training.series(run, tag);
    return s && finiteSeries(s);
  }

  findings(): readonly FindingView[] {
    const findings = this.training.findings();
    const sites = this.codeSites(findings);
    return findings.map((finding) => {
      const { run, tag, step, kind, message, severity } = finding;
      const placed = sites.get(finding);
      const code = placed && { path: placed.path, label: vscode.workspace.asRelativePath(placed.path), line: placed.site.line + 1, tie: placed.by };
      const acknowledged = this.acknowledged?.(finding);
      return { run, tag, step, kind, message, severity, ...(code ? { code } : {}), ...(acknowledged !== undefined ? { acknowledged } : {}) };
    });
  }

  /**
   * Each finding's first code site by the diagnostics' own ties (`placeFindings`): a run that no
   * script writes gets no link unless a script tied to nothing logs its tag (then `tie: tag-name`).
   */
  private codeSites<F extends TrainingFinding>(findings: readonly F[]): Map<F, { path: string; site: TagSite; by: PlacedFinding<F>['by'] }> {
    const scripts = this.sites.files().map(({ uri, sites, writers }) => ({ path: uri.fsPath, sites, writers }));
    const runs = this.training.runs().map((r) => ({ name: r.name, dir: r.dir }));
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '/';
    const first = new Map<F, { path: string; site: TagSite; by: PlacedFinding<F>['by'] }>();
    for (const p of placeFindings(scripts, runs, findings, root)) {
      const seen = first.get(p.finding);
      // A script that writes the run outranks one tied by tag name only.
      if (!seen || (seen.by === 'tag-name' && p.by === 'writer')) first.set(p.finding, { path: p.path, site: p.site, by: p.by });
    }
    return first;
  }

  hparams(): readonly HparamsRow[] {
    const rows: HparamsRow[] = [];
    for (const r of this.training.runs()) {
      const values = this.training.storeOf(r.name)?.get(r.name)?.hparams?.sessionStart?.hparams;
      if (!values) continue;
      const metrics: Record<string, number | null> = {};
      for (const t of r.tags) metrics[t.tag] = t.lastValue !== null && Number.isFinite(t.lastValue) ? t.lastValue : null;
      rows.push({ run: r.name, hparams: { ...values }, metrics });
    }
    return rows;
  }

  histograms(run: string, tag: string): HistogramView | undefined {
    const series = this.training.storeOf(run)?.get(run)?.tag(tag);
    if (!series || series.kind !== 'histogram') return undefined;
    const steps = series.dataPoints().flatMap((p) =>
      p.data.kind === 'histogram'
        ? [{ step: p.step, wallTime: p.wallTime, min: p.data.histogram.min, max: p.data.histogram.max, limits: p.data.histogram.bucketLimits, counts: p.data.histogram.bucketCounts }]
        : [],
    );
    return { run, tag, steps };
  }
}

/** The predictions dashboard's port over the workspace's prediction logs. */
export class PredictionsPanelSource implements PredictionsSource, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly predictions: PredictionLogs) {
    this.subscription = predictions.onDidChange(() => this.changed.fire());
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  logs(): readonly PredictionLogView[] {
    return this.predictions.logs().map(({ path, label, rows, alerts, drifted }) => ({ path, label, rows, alerts, drifted }));
  }

  report(log: string): PredictionReportView | undefined {
    return this.predictions.logs().find((l) => l.path === log)?.report ?? undefined;
  }
}

/** The GPU dashboard's port over the GPU monitor. */
export class GpuPanelSource implements GpuSource, vscode.Disposable {
  private readonly sampled = new vscode.EventEmitter<GpuSampleView>();
  readonly onDidSample = this.sampled.event;
  private readonly subscription: vscode.Disposable;
  private lastTime = -1;

  constructor(private readonly monitor: GpuMonitor) {
    this.subscription = monitor.onDidUpdate(() => {
      const latest = monitor.history.at(-1);
      if (latest && latest.timeMs !== this.lastTime) {
        this.lastTime = latest.timeMs;
        this.sampled.fire(gpuSampleView(latest));
      }
    });
  }

  latest(): GpuSampleView | undefined {
    const s = this.monitor.history.at(-1);
    return s && gpuSampleView(s);
  }

  history(): readonly GpuSampleView[] {
    return this.monitor.history.map(gpuSampleView);
  }

  energy(): EnergyView {
    const report = this.monitor.energy;
    const currency = vscode.workspace.getConfiguration('modelmon').get<string>('energy.currency') ?? null;
    return { wh: report.wattHours, cost: report.pricePerKWh > 0 ? report.cost : null, currency };
  }

  status(): string | null {
    const state = this.monitor.state;
    if (state.kind === 'sampling') return null;
    if (state.kind === 'no-gpu') return state.message;
    if (state.kind === 'disabled') return 'GPU monitoring is turned off (modelmon.gpu.enabled).';
    if (state.kind === 'retrying') return state.reason;
    return 'Starting nvidia-smi…';
  }

  /** The status bar item's text, or undefined while it is hidden. */
  statusText(): string | undefined {
    const view = this.statusView();
    return view.visible ? view.text : undefined;
  }

  /** The status bar item's Markdown tooltip, or undefined while it is hidden. */
  statusTooltip(): string | undefined {
    const view = this.statusView();
    return view.visible ? view.tooltip : undefined;
  }

  private statusView() {
    // The status bar's own options (GPU, metrics, replay, cluster matcher), so both say the same.
    return describeGpuStatus(this.monitor.state, this.monitor.statusOptions);
  }

  replay(): string | null {
    return this.monitor.replay;
  }

  alerts(): readonly GpuAlertView[] {
    return this.monitor.activeAlerts.map((a) => ({ kind: a.kind, severity: a.severity, message: a.message, gpuIndex: a.gpuIndex, ...(a.host !== undefined ? { host: a.host } : {}) }));
  }

  origin(): string | null {
    return this.monitor.origin;
  }

  /** The status bar item's name for screen readers: plain words, no codicon markup. */
  statusAccessibleName(): string | undefined {
    const view = this.statusView();
    return view.visible ? accessibleStatusText(view.text) : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.sampled.dispose();
  }
}
