import * as vscode from 'vscode';
import { seriesDelta, type SentSeries } from '../../core/charts/incremental';
import { defaultRunSelection, DEFAULT_SHOWN_RUNS, visibleRunNames, type RunSelection } from '../../core/tfevents/run-selection';
import type { HostToWebview, ViewOptions } from '../../protocol';
import type { HistogramView, RunSummary, SeriesChunk, TaggedSeries, TrainingFocus, TrainingState, TrainingUpdate } from '../../protocol/views';
import { finiteSeries } from './adapters';
import { coalesce, DashboardPanel, type PanelContext } from './dashboardPanel';
import type { TrainingSource } from './ports';

/** Longer series are thinned (LTTB) before they travel; chart.js decimates again to the pixel width. */
const MAX_POINTS_SENT = 50_000;

/**
 * The training-runs dashboard: full state on `ready`, then only the points added since. Only the
 * series of the runs the page shows travel (a sweep of 1,000 runs sends its 20 picked ones, or
 * what the page selects, at most 100); the run list travels when it changed.
 */
export class TrainingPanel extends DashboardPanel {
  private readonly sent = new Map<string, SentSeries>();
  /** The page's run selection, once it said; until then the default. */
  private selection: RunSelection | undefined;
  private runsSent = '';
  private scanSent = '';
  /** What the page last got of the findings, hparams and histograms, as JSON. */
  private sentShapes: readonly [string, string, string] = ['', '', ''];
  /** The efficiency views last sent, as JSON. */
  private efficiencySent = '';
  private focus: TrainingFocus | undefined;

  constructor(
    panel: vscode.WebviewPanel,
    context: PanelContext,
    private readonly source: TrainingSource | undefined,
    focus?: TrainingFocus,
  ) {
    super('training', panel, context);
    this.focus = focus;
    if (source) {
      const changed = coalesce(() => this.sendUpdate(), 250);
      this.disposables.push(source.onDidChange(changed), { dispose: changed.dispose });
    }
  }

  /** Scrolls an open dashboard to a tag and marks a step. */
  revealFocus(focus: TrainingFocus): void {
    this.focus = focus;
    this.selectFocusRuns(focus);
    this.post({ type: 'reveal', panel: 'training', focus });
    this.sendUpdate();
  }

  protected override initMessage(): HostToWebview {
    this.sent.clear();
    const state = this.state();
    const focus = this.focus;
    this.focus = undefined;
    if (focus) this.selectFocusRuns(focus);
    return focus ? { type: 'init', panel: 'training', state, focus } : { type: 'init', panel: 'training', state };
  }

  protected override allowedFiles(): ReadonlySet<string> {
    return new Set(this.source?.findings().flatMap((f) => (f.code ? [f.code.path] : [])) ?? []);
  }

  protected override onOptions(options: ViewOptions): void {
    // The other view options live in the page's own state; the run selection decides what is sent.
    if (options.panel !== 'training') return;
    const { hiddenRuns, shownRuns } = options.options;
    this.selection = shownRuns ? { hiddenRuns, shownRuns } : { hiddenRuns };
    this.sendUpdate();
  }

  /** Runs named by a focus (compare, open chart) are what the page shows: send theirs first. */
  private selectFocusRuns(focus: TrainingFocus): void {
    if (focus.runs?.length) this.selection = { hiddenRuns: [], shownRuns: focus.runs };
  }

  /** The runs whose series the page gets; `defaultShown` when the default pick applies. */
  private shownRuns(runs: readonly RunSummary[]): { shown: Set<string>; defaultShown?: string[] } {
    const selection = this.selection ?? { hiddenRuns: [] };
    if (!selection.shownRuns && selection.hiddenRuns.length === 0 && runs.length > DEFAULT_SHOWN_RUNS) {
      const picked = defaultRunSelection(runs, this.source?.findings() ?? []);
      return { shown: new Set(picked), defaultShown: picked };
    }
    return { shown: new Set(visibleRunNames(runs.map((r) => r.name), selection)) };
  }

  private state(): TrainingState {
    const s = this.source;
    if (!s) return { runs: [], series: [], findings: [], hparams: [], histograms: [], logdirs: [] };
    const runs = s.listRuns();
    const { shown, defaultShown } = this.shownRuns(runs);
    const series: TaggedSeries[] = [];
    for (const run of runs) {
      if (!shown.has(run.name)) continue;
      for (const tag of run.tags) {
        const view = s.series(run.name, tag);
        if (!view) continue;
        const whole = seriesDelta(undefined, view, MAX_POINTS_SENT)!;
        this.sent.set(key(run.name, tag), whole.sent);
        series.push({ run: run.name, tag, series: finiteSeries(whole.series) });
      }
    }
    const histograms = this.histograms();
    const findings = s.findings();
    const hparams = s.hparams();
    this.sentShapes = [JSON.stringify(findings), JSON.stringify(hparams), JSON.stringify(histogramShape(histograms))];
    this.runsSent = JSON.stringify(runs);
    const scanning = s.scanProgress?.();
    this.scanSent = JSON.stringify(scanning ?? null);
    const efficiency = s.efficiency?.() ?? [];
    this.efficiencySent = JSON.stringify(efficiency);
    return {
      runs,
      series,
      findings,
      hparams,
      histograms,
      logdirs: s.logdirs(),
      ...(defaultShown ? { defaultShown } : {}),
      ...(scanning ? { scanning } : {}),
      ...(efficiency.length ? { efficiency } : {}),
    };
  }

  private histograms(): HistogramView[] {
    const s = this.source;
    if (!s) return [];
    const out: HistogramView[] = [];
    for (const run of s.listRuns()) for (const tag of run.histogramTags ?? []) {
      const h = s.histograms(run.name, tag);
      if (h?.steps.length) out.push(h);
    }
    return out;
  }

  private sendUpdate(): void {
    const s = this.source;
    if (!s || !this.ready) return;
    const runs = s.listRuns();
    const { shown, defaultShown } = this.shownRuns(runs);
    // A run taken off the page is forgotten here, so showing it again sends it whole.
    for (const k of [...this.sent.keys()]) if (!shown.has(k.slice(0, k.indexOf('\u0000')))) this.sent.delete(k);
    const chunks: SeriesChunk[] = [];
    for (const run of runs) {
      if (!shown.has(run.name)) continue;
      for (const tag of run.tags) {
        const view = s.series(run.name, tag);
        if (!view) continue;
        const k = key(run.name, tag);
        const delta = seriesDelta(this.sent.get(k), view, MAX_POINTS_SENT);
        if (!delta) continue;
        chunks.push({ run: run.name, tag, series: finiteSeries(delta.series), replace: delta.replace });
        this.sent.set(k, delta.sent);
      }
    }
    const findings = s.findings();
    const hparams = s.hparams();
    const histograms = this.histograms();
    const update: { -readonly [K in keyof TrainingUpdate]: TrainingUpdate[K] } = {};
    const runsJson = JSON.stringify(runs);
    if (runsJson !== this.runsSent) update.runs = runs;
    this.runsSent = runsJson;
    update.defaultShown = defaultShown ?? null;
    const scanning = s.scanProgress?.();
    const scanJson = JSON.stringify(scanning ?? null);
    if (scanJson !== this.scanSent) update.scanning = scanning ?? null;
    this.scanSent = scanJson;
    if (chunks.length) update.chunks = chunks;
    // Only what changed travels: the page redraws the charts for new hparams or histograms, but
    // only the findings table for findings whose code links moved.
    const shapes = [JSON.stringify(findings), JSON.stringify(hparams), JSON.stringify(histogramShape(histograms))] as const;
    if (shapes[0] !== this.sentShapes[0]) update.findings = findings;
    if (shapes[1] !== this.sentShapes[1]) update.hparams = hparams;
    if (shapes[2] !== this.sentShapes[2]) update.histograms = histograms;
    this.sentShapes = shapes;
    const efficiency = s.efficiency?.() ?? [];
    const efficiencyJson = JSON.stringify(efficiency);
    if (efficiencyJson !== this.efficiencySent) update.efficiency = efficiency;
    this.efficiencySent = efficiencyJson;
    this.post({ type: 'update', panel: 'training', update });
  }
}

const key = (run: string, tag: string) => `${run}\u0000${tag}`;

function histogramShape(hs: readonly HistogramView[]): string[] {
  return hs.map((h) => `${h.run}\u0000${h.tag}\u0000${h.steps.length}`);
}
