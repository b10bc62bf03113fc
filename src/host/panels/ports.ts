import type * as vscode from 'vscode';
import type {
  EnergyView,
  FindingView,
  GpuAlertView,
  GpuSampleView,
  HistogramView,
  HparamsRow,
  PredictionLogView,
  PredictionReportView,
  RunEfficiencyView,
  RunSummary,
  SeriesView,
} from '../../protocol/views';

/**
 * What the training dashboard reads. The host implements it over the tfevents engine; values may
 * hold NaN/±Infinity (the panel turns them into null for the webview).
 */
export interface TrainingSource {
  readonly onDidChange: vscode.Event<void>;
  /** Watched log directories (absolute or workspace-relative), for the empty state. */
  logdirs(): readonly string[];
  /** [runs read, runs found] while a first scan runs; undefined otherwise. */
  scanProgress?(): readonly [number, number] | undefined;
  listRuns(): readonly RunSummary[];
  series(run: string, tag: string): SeriesView | undefined;
  findings(): readonly FindingView[];
  hparams(): readonly HparamsRow[];
  /** A histogram tag of a run (listed in `RunSummary.histogramTags`). */
  histograms(run: string, tag: string): HistogramView | undefined;
  /** Each run's efficiency (GPU utilisation, energy, cost, findings); absent where nothing measures it. */
  efficiency?(): readonly RunEfficiencyView[];
}

/** What the predictions dashboard reads, over the prediction monitor. */
export interface PredictionsSource {
  readonly onDidChange: vscode.Event<void>;
  logs(): readonly PredictionLogView[];
  /** The latest report of one log (by absolute path); undefined until its first analysis. */
  report(log: string): PredictionReportView | undefined;
}

/** What the GPU dashboard reads, over the GPU sampler and energy meter. */
export interface GpuSource {
  /** Fires with every new sample. */
  readonly onDidSample: vscode.Event<GpuSampleView>;
  latest(): GpuSampleView | undefined;
  /** Recent samples, oldest first (the dashboard draws what it gets). */
  history(): readonly GpuSampleView[];
  energy(): EnergyView;
  /** Why no samples come (no nvidia-smi, no GPU, disabled); null while sampling works. */
  status(): string | null;
  /** What a stand-in tool replays, or null for the machine's own GPU. */
  replay?(): string | null;
  /** The monitor's active alerts, each raised once in core. */
  alerts?(): readonly GpuAlertView[];
  /** Where the GPUs are read from when it is not this machine's tool (Prometheus), else null. */
  origin?(): string | null;
}

/** Any source may be missing (a feature turned off); its dashboard then shows its empty state. */
export interface PanelSources {
  readonly training?: TrainingSource;
  readonly predictions?: PredictionsSource;
  readonly gpu?: GpuSource;
}
