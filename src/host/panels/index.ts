/**
 * The dashboards: training runs, predictions and GPUs, one webview panel per kind. extension.ts
 * calls `registerPanels` once with the sources it built from the engines; commands call the
 * `open…` functions.
 */
import * as vscode from 'vscode';
import type { PanelKind, PredictionReportView, TrainingFocus } from '../../protocol/views';
import { DashboardPanel, TITLES, VIEW_TYPES, webviewOptions, type PanelContext, type RenderReport } from './dashboardPanel';
import { DRIFT_CHECK_VIEW_TYPE, DriftCheckPanel } from './driftCheckPanel';
import { GpuPanel } from './gpuPanel';
import type { PanelSources } from './ports';
import { PredictionsPanel } from './predictionsPanel';
import { TrainingPanel } from './trainingPanel';

export type { GpuSource, PanelSources, PredictionsSource, TrainingSource } from './ports';
export type { RenderReport } from './dashboardPanel';
export { VIEW_TYPES } from './dashboardPanel';
export { finiteSeries, gpuReadingView, gpuSampleView } from './adapters';

const renderEmitter = new vscode.EventEmitter<RenderReport>();

/** Fires when a dashboard's page reports over the protocol that its charts were drawn. */
export const onDidRender: vscode.Event<RenderReport> = renderEmitter.event;
/** Reports a render of a panel registered elsewhere (the endpoint dashboard). */
export const reportRender = (report: RenderReport): void => renderEmitter.fire(report);

export interface TrainingDashboardOptions {
  readonly runs?: readonly string[];
  readonly tag?: string;
  readonly step?: number;
}

/** The open panels, at most one per kind, and how to make one. */
class OpenDashboards implements vscode.Disposable {
  private readonly open = new Map<PanelKind, DashboardPanel>();
  private readonly adHoc = new Set<DriftCheckPanel>();
  private readonly context: PanelContext;

  constructor(
    extensionUri: vscode.Uri,
    private readonly sources: PanelSources,
    log: vscode.LogOutputChannel,
  ) {
    this.context = {
      extensionUri,
      log,
      rendered: (r) => renderEmitter.fire(r),
    };
  }

  training(options: TrainingDashboardOptions = {}): TrainingPanel {
    const focus = toFocus(options);
    const existing = this.open.get('training');
    if (existing instanceof TrainingPanel) {
      existing.reveal();
      if (focus) existing.revealFocus(focus);
      return existing;
    }
    return this.track(new TrainingPanel(this.create('training'), this.context, this.sources.training, focus));
  }

  predictions(log?: string): PredictionsPanel {
    const existing = this.open.get('predictions');
    if (existing instanceof PredictionsPanel) {
      existing.reveal();
      if (log) existing.showLog(log);
      return existing;
    }
    return this.track(new PredictionsPanel(this.create('predictions'), this.context, this.sources.predictions, log));
  }

  gpu(): GpuPanel {
    const existing = this.open.get('gpu');
    if (existing instanceof GpuPanel) {
      existing.reveal();
      return existing;
    }
    return this.track(new GpuPanel(this.create('gpu'), this.context, this.sources.gpu));
  }

  /** A new panel for one ad-hoc drift check, titled with its test, reference and rows; the live dashboard is untouched. */
  driftCheck(title: string, report: PredictionReportView): DriftCheckPanel {
    const panel = vscode.window.createWebviewPanel(DRIFT_CHECK_VIEW_TYPE, title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, webviewOptions(this.context.extensionUri));
    const log = { path: report.log, label: vscode.workspace.asRelativePath(report.log), rows: report.rows, alerts: 0, drifted: report.features.some((f) => f.drifted) };
    const opened = new DriftCheckPanel(panel, this.context, { logs: [log], selected: report.log, report, adHoc: { title } });
    this.adHoc.add(opened);
    opened.onDidDispose(() => this.adHoc.delete(opened));
    return opened;
  }

  /** Re-attaches a panel VS Code kept across a reload; the page restores its own view state. */
  restore(kind: PanelKind, panel: vscode.WebviewPanel, state: unknown): void {
    this.open.get(kind)?.dispose();
    switch (kind) {
      case 'training':
        this.track(new TrainingPanel(panel, this.context, this.sources.training));
        return;
      case 'predictions':
        this.track(new PredictionsPanel(panel, this.context, this.sources.predictions, savedLog(state)));
        return;
      case 'gpu':
        this.track(new GpuPanel(panel, this.context, this.sources.gpu));
        return;
    }
  }

  private create(kind: PanelKind): vscode.WebviewPanel {
    return vscode.window.createWebviewPanel(VIEW_TYPES[kind], TITLES[kind], { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, webviewOptions(this.context.extensionUri));
  }

  private track<T extends DashboardPanel>(panel: T): T {
    this.open.set(panel.kind, panel);
    panel.onDidDispose(() => {
      if (this.open.get(panel.kind) === panel) this.open.delete(panel.kind);
    });
    return panel;
  }

  dispose(): void {
    for (const p of [...this.open.values(), ...this.adHoc]) p.dispose();
    this.open.clear();
    this.adHoc.clear();
  }
}

let dashboards: OpenDashboards | undefined;

/**
 * Registers the dashboards' panel serializers (so open dashboards come back after a reload) and
 * makes the `open…` functions work. Dispose the result to close every dashboard.
 */
export function registerPanels(context: Pick<vscode.ExtensionContext, 'extensionUri'>, sources: PanelSources, log: vscode.LogOutputChannel): vscode.Disposable {
  dashboards?.dispose();
  const registry = new OpenDashboards(context.extensionUri, sources, log);
  dashboards = registry;
  const disposables: vscode.Disposable[] = [registry];
  // The endpoint dashboard registers its own serializer (src/host/endpoints).
  for (const kind of (Object.keys(VIEW_TYPES) as PanelKind[]).filter((k) => k !== 'endpoint')) {
    try {
      disposables.push(
        vscode.window.registerWebviewPanelSerializer(VIEW_TYPES[kind], {
          deserializeWebviewPanel: async (panel, state: unknown) => {
            panel.webview.options = webviewOptions(context.extensionUri);
            registry.restore(kind, panel, state);
          },
        }),
      );
    } catch (e) {
      // Only one serializer per view type may exist (a second registration, e.g. from a test).
      log.warn(`dashboards: no serializer for ${VIEW_TYPES[kind]}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return new vscode.Disposable(() => {
    for (const d of disposables) d.dispose();
    if (dashboards === registry) dashboards = undefined;
  });
}

function registry(): OpenDashboards {
  if (!dashboards) throw new Error('Model Monitor dashboards are not registered yet');
  return dashboards;
}

/** Opens (or reveals) the training dashboard; with `tag`/`step` it scrolls to that chart and marks the step. */
export function openTrainingDashboard(options?: TrainingDashboardOptions): vscode.WebviewPanel {
  return registry().training(options).panel;
}

/** Opens (or reveals) the predictions dashboard, showing `log` (an absolute path) when given. */
export function openPredictionsDashboard(options?: { readonly log?: string }): vscode.WebviewPanel {
  return registry().predictions(options?.log).panel;
}

/** Opens an ad-hoc drift check's result in a panel of its own, titled `title`. */
export function openDriftCheckPanel(title: string, report: PredictionReportView): vscode.WebviewPanel {
  return registry().driftCheck(title, report).panel;
}

/** Opens (or reveals) the live GPU dashboard. */
export function openGpuDashboard(): vscode.WebviewPanel {
  return registry().gpu().panel;
}

function toFocus(o: TrainingDashboardOptions): TrainingFocus | undefined {
  if (o.runs === undefined && o.tag === undefined && o.step === undefined) return undefined;
  return {
    ...(o.runs ? { runs: [...o.runs] } : {}),
    ...(o.tag !== undefined ? { tag: o.tag } : {}),
    ...(o.step !== undefined && Number.isFinite(o.step) ? { step: o.step } : {}),
  };
}

/** The log a restored predictions page was showing, from the state the page saved. */
function savedLog(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const predictions = (state as { predictions?: unknown }).predictions;
  if (typeof predictions !== 'object' || predictions === null) return undefined;
  const log = (predictions as { log?: unknown }).log;
  return typeof log === 'string' ? log : undefined;
}
