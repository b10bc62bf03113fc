import type { EndpointsState } from './endpoints';

/**
 * The plain-JSON data the dashboards draw. The host builds these from the engines, posts them to
 * the webview, and the HTML report embeds the same shapes; nothing here holds a class or a Map.
 */

export type PanelKind = 'training' | 'predictions' | 'gpu' | 'endpoint';
export const PANEL_KINDS: readonly PanelKind[] = ['training', 'predictions', 'gpu', 'endpoint'];

export type Severity = 'error' | 'warning' | 'info';

// ---------------------------------------------------------------- training runs

/** One run (a directory of event files) as the run list shows it. */
export interface RunSummary {
  readonly name: string;
  /** Scalar tags the run logged, in first-seen order. */
  readonly tags: readonly string[];
  /** Histogram tags the run logged; empty when it logged none. */
  readonly histogramTags?: readonly string[];
  readonly lastStep: number | null;
  /** Seconds since the epoch (TensorBoard's unit) of the newest event. */
  readonly lastWallTime: number | null;
  /** True while the run's event files are still growing. */
  readonly live?: boolean;
  /** The latest value of each scalar tag, aligned with `tags` (null: NaN/Inf), for ranking runs without their series. */
  readonly finals?: readonly (number | null)[];
}

/** One scalar series; the three arrays have the same length, ordered by step. */
export interface SeriesView {
  readonly steps: readonly number[];
  /** NaN and ±Infinity travel as null (JSON has neither). */
  readonly values: readonly (number | null)[];
  /** Seconds since the epoch. */
  readonly wallTimes: readonly number[];
}

export interface TaggedSeries {
  readonly run: string;
  readonly tag: string;
  readonly series: SeriesView;
}

/** A health finding at one step of one series (NaN loss, divergence, overfitting, ...). */
export interface FindingView {
  readonly run: string;
  readonly tag: string;
  readonly step: number;
  readonly kind: string;
  readonly message: string;
  readonly severity: Severity;
  /** Where the workspace's training code logs the tag (line 1-based), when a scan found it. */
  readonly code?: CodeSiteView;
  /** The reason from `modelmon.json` when the finding is acknowledged there. */
  readonly acknowledged?: string;
}

/** A line of code the page may ask the host to open. */
export interface CodeSiteView {
  readonly path: string;
  /** The path as the user knows it, relative to the workspace. */
  readonly label: string;
  readonly line: number;
  /** `tag-name` when no writer in the script points at the run and only the tag name ties them. */
  readonly tie?: 'writer' | 'tag-name';
}

export type HparamValue = string | number | boolean | null;

/** One run's hyper-parameters and final metrics, a row of the hparams table. */
export interface HparamsRow {
  readonly run: string;
  readonly hparams: Readonly<Record<string, HparamValue>>;
  readonly metrics?: Readonly<Record<string, number | null>>;
}

/** A histogram at one step: `counts[i]` values fell in `(limits[i-1], limits[i]]` (TensorBoard's bucket_limit). */
export interface HistogramStepView {
  readonly step: number;
  readonly wallTime: number;
  readonly min: number;
  readonly max: number;
  readonly limits: readonly number[];
  readonly counts: readonly number[];
}

export interface HistogramView {
  readonly run: string;
  readonly tag: string;
  readonly steps: readonly HistogramStepView[];
}

export interface TrainingState {
  readonly runs: readonly RunSummary[];
  readonly series: readonly TaggedSeries[];
  readonly findings: readonly FindingView[];
  readonly hparams: readonly HparamsRow[];
  readonly histograms: readonly HistogramView[];
  /** The log directories being watched, for the empty state and the header. */
  readonly logdirs?: readonly string[];
  /** Present when there were too many runs to overlay them all: the runs the host picked (and sent series for). */
  readonly defaultShown?: readonly string[];
  /** Runs still being read by the first scan: [read, total], absent once it is done. */
  readonly scanning?: readonly [number, number];
  /** Runs with GPU samples or efficiency findings (absent when the host measures none). */
  readonly efficiency?: readonly RunEfficiencyView[];
}

/**
 * One run's training efficiency as the dashboard, tree and report show it. Every figure and
 * verdict is the efficiency engine's; the views only format them.
 */
export interface RunEfficiencyView {
  readonly run: string;
  /** Steps logged, first to last. */
  readonly steps: number;
  readonly stepsPerSecond: number | null;
  /** Wall-clock span of the run and the part of it without long gaps, in seconds. */
  readonly wallSeconds: number;
  readonly activeSeconds: number;
  /** Null when no GPU sample falls inside the run. */
  readonly gpu: {
    readonly utilizationMean: number | null;
    readonly utilizationMedian: number | null;
    /** Share of the run's time (0..1) with the GPUs under 50% busy. */
    readonly lowUtilizationShare: number | null;
    readonly memoryPeakMiB: number | null;
    readonly memoryTotalMiB: number | null;
    readonly energyWh: number | null;
    readonly cost: number | null;
    readonly costPer1kSteps: number | null;
    readonly samples: number;
  } | null;
  readonly currency: string | null;
  readonly findings: readonly { readonly kind: string; readonly severity: Severity; readonly message: string }[];
  /** GPU utilisation (percent, mean over the run's GPUs) at the step reached at each sample, for the strip under the loss curve. */
  readonly utilization: { readonly steps: readonly number[]; readonly percent: readonly (number | null)[] };
}

/** Where the training dashboard should look when it opens (a finding's tag and step). */
export interface TrainingFocus {
  readonly runs?: readonly string[];
  readonly tag?: string;
  readonly step?: number;
  /** A section to scroll to when no tag is named (a run's efficiency card). */
  readonly section?: 'efficiency';
}

/** Points appended to (or, with `replace`, replacing) one series since the last post. */
export interface SeriesChunk extends TaggedSeries {
  readonly replace: boolean;
}

export interface TrainingUpdate {
  readonly runs?: readonly RunSummary[];
  /** As in TrainingState; null once the first scan is done. */
  readonly scanning?: readonly [number, number] | null;
  /** As in TrainingState; null when the page's own selection applies. */
  readonly defaultShown?: readonly string[] | null;
  readonly chunks?: readonly SeriesChunk[];
  readonly findings?: readonly FindingView[];
  readonly hparams?: readonly HparamsRow[];
  readonly histograms?: readonly HistogramView[];
  readonly efficiency?: readonly RunEfficiencyView[];
}

// ---------------------------------------------------------------- predictions

/** One prediction log the monitor follows. */
export interface PredictionLogView {
  /** Absolute file-system path; also the key the webview sends back. */
  readonly path: string;
  /** Workspace-relative path for display. */
  readonly label: string;
  readonly rows: number;
  readonly alerts: number;
  readonly drifted: boolean;
}

/** Model performance over one window of rows. */
export interface PerformanceWindowView {
  /** First and last row index (0-based data rows) of the window. */
  readonly start: number;
  readonly end: number;
  /** ISO timestamp of the window's last row, when the log has one. */
  readonly ts?: string | null;
  /** accuracy, estimatedAccuracy, f1, meanScore, ... ; null where the window cannot say (no labels). */
  readonly metrics: Readonly<Record<string, number | null>>;
}

export interface FeatureDriftView {
  readonly feature: string;
  /** A vector column (an embedding, pixels) is one feature, tested as a whole. */
  readonly kind: 'numeric' | 'categorical' | 'vector' | 'segment';
  /** The drift statistic's name (mean-shift, chi2, KS, PSI, Wasserstein...) and value. */
  readonly statistic: string;
  readonly value: number;
  /** The test behind the p-value, e.g. "ks"; null where no test applies. */
  readonly test: string | null;
  readonly pValue: number | null;
  /** What `drifted` was decided against: a p-value below it, or for a distance (no p-value) a value above it. */
  readonly threshold?: number;
  readonly drifted: boolean;
  /** Why it drifted: its own test, or membership of the data-drift alert still open. */
  readonly basis?: 'test' | 'episode' | null;
  /** Row at which the drift still going on began; null for a stable feature. */
  readonly detectedAt?: number | null;
  /** The column's default test over the same rows, shown beside a verdict it did not decide. */
  readonly columnTest?: { readonly test: string; readonly statistic: number; readonly pValue: number | null };
}

/** Which rows a drift table compares and the rule that says "drifted". */
export interface DriftScopeView {
  /** The compared rows, 0-based, end exclusive. */
  readonly start: number;
  readonly end: number;
  /** The reference rows (end exclusive), or the reference's name when it is another file. */
  readonly reference: { readonly start: number; readonly end: number } | string;
  /** The decision rule in words, e.g. "family-wise p < 0.001 over 31 columns, or named by the open drift alert". */
  readonly rule: string;
}

export interface PredictionAlertView {
  /** e.g. "drift", "performance", "schema", "volume". */
  readonly kind: string;
  /** Row index (0-based data rows) at which the alert fired. */
  readonly index: number;
  readonly ts?: string | null;
  /** 1-based line in the log file. */
  readonly line: number;
  readonly features: readonly string[];
  readonly message: string;
  readonly severity?: Severity;
}

export interface SegmentView {
  readonly segment: string;
  readonly rows: number;
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly driftedFeatures: readonly string[];
}

export interface SuspiciousRowView {
  readonly index: number;
  /** 1-based line in the log file. */
  readonly line: number;
  readonly reason: string;
  readonly score?: number | null;
}

export interface PredictionReportView {
  readonly log: string;
  readonly rows: number;
  readonly windows: readonly PerformanceWindowView[];
  readonly features: readonly FeatureDriftView[];
  readonly alerts: readonly PredictionAlertView[];
  readonly segments: readonly SegmentView[];
  readonly suspicious: readonly SuspiciousRowView[];
  /** Row index where the reference window ends (drift is measured after it). */
  readonly referenceEnd?: number;
  /** The rows `features` describe and the threshold applied; absent before the first window. */
  readonly driftScope?: DriftScopeView;
  /** Suspicious rows in all (the list may hold only the first of them). */
  readonly suspiciousTotal?: number;
  /** The latest window's performance estimated without labels (CBPE or DLE), beside the realised values. */
  readonly estimates?: EstimatesView;
  /** Which features the model leans on in the latest window against the reference (logs with SHAP-style attributions). */
  readonly attributions?: AttributionsView;
}

/** The latest window's attribution ranking (mean |attribution| per feature) against the reference's. */
export interface AttributionsView {
  readonly start: number;
  readonly end: number;
  /** Window rows with attributions. */
  readonly rows: number;
  /** The window's top features and every feature that moved, by window rank. */
  readonly features: readonly {
    readonly feature: string;
    readonly referenceRank: number;
    readonly rank: number;
    readonly reference: number;
    readonly current: number;
    /** Corrected p-value of the change in mean |attribution|. */
    readonly pValue: number;
    readonly moved: boolean;
  }[];
  /** Features in all (the list shows the top ones). */
  readonly total: number;
}

/** Estimated against realised performance of one window, and how the estimator was fitted. */
export interface EstimatesView {
  /** e.g. "CBPE (macro)" or "DLE". */
  readonly method: string;
  readonly start: number;
  readonly end: number;
  readonly rows: number;
  readonly labelled: number;
  /** `samplingError`: NannyML's, at this window's size; the band shown is estimated +- 3 of it. */
  readonly metrics: readonly { readonly metric: string; readonly label: string; readonly estimated: number | null; readonly realised: number | null; readonly samplingError: number | null }[];
  /** The reference calibration check or error model, in words. */
  readonly basis: string;
}

export interface PredictionsState {
  readonly logs: readonly PredictionLogView[];
  /** The log shown; null when there is none yet. */
  readonly selected: string | null;
  readonly report: PredictionReportView | null;
  /** Set on an ad-hoc drift check's own panel: its title (test, reference, range); the page is then not the live monitor. */
  readonly adHoc?: { readonly title: string };
}

// ---------------------------------------------------------------- GPU

export interface GpuReadingView {
  readonly index: number;
  /** Absent in reports written before AMD support: NVIDIA. */
  readonly vendor?: 'nvidia' | 'amd';
  readonly name: string | null;
  readonly utilizationGpu: number | null;
  readonly utilizationMemory: number | null;
  readonly memoryUsedMiB: number | null;
  readonly memoryTotalMiB: number | null;
  readonly temperatureC: number | null;
  readonly powerW: number | null;
  readonly powerLimitW: number | null;
  readonly throttleReasons?: readonly string[] | null;
  /** Set for a cluster GPU read through Prometheus from its node's DCGM exporter. */
  readonly cluster?: GpuClusterView;
}

/** A cluster GPU's node, holder and DCGM facts. */
export interface GpuClusterView {
  readonly host: string;
  /** `namespace/pod` or a batch job id; null when nothing holds the GPU. */
  readonly job: string | null;
  readonly container: string | null;
  /** The last XID error; 0 when none. */
  readonly xid: number | null;
  readonly rowRemapFailure: number | null;
  /** DCGM's profiling ratio (0-1), null where not collected. */
  readonly tensorActive: number | null;
}

/** An active GPU alert as the monitor raised it, for the dashboard to show beside its GPU. */
export interface GpuAlertView {
  readonly kind: string;
  readonly severity: 'warning' | 'error';
  readonly message: string;
  readonly gpuIndex: number;
  /** A cluster GPU's node. */
  readonly host?: string;
}

export interface GpuSampleView {
  /** Milliseconds since the epoch. */
  readonly timeMs: number;
  readonly gpus: readonly GpuReadingView[];
}

export interface EnergyView {
  readonly wh: number;
  /** Cost of `wh` at the configured price; null when no price is configured. */
  readonly cost: number | null;
  readonly currency: string | null;
}

export interface GpuState {
  readonly samples: readonly GpuSampleView[];
  readonly energy: EnergyView;
  /** Why there are no samples (no nvidia-smi, no GPU); null while all is well. */
  readonly status: string | null;
  /** What a stand-in GPU tool replays (recorded or constructed output); absent for a real GPU. */
  readonly replay?: string;
  /** The monitor's active alerts (absent in reports written before cluster GPUs). */
  readonly alerts?: readonly GpuAlertView[];
  /** Where the GPUs are read from when not this machine's tool, e.g. `Prometheus at http://prom:9090`. */
  readonly source?: string;
}

export interface GpuUpdate {
  readonly samples: readonly GpuSampleView[];
  readonly energy: EnergyView;
  readonly status: string | null;
  /** As in {@link GpuState}. */
  readonly replay?: string;
  readonly alerts?: readonly GpuAlertView[];
  readonly source?: string;
}

// ---------------------------------------------------------------- all panels

/** A panel's whole state, tagged by kind: the `init` payload and the static report's unit. */
export type PanelState =
  | { readonly panel: 'training'; readonly state: TrainingState; readonly focus?: TrainingFocus }
  | { readonly panel: 'predictions'; readonly state: PredictionsState }
  | { readonly panel: 'gpu'; readonly state: GpuState }
  | { readonly panel: 'endpoint'; readonly state: EndpointsState };

export type PanelUpdate =
  | { readonly panel: 'training'; readonly update: TrainingUpdate }
  | { readonly panel: 'predictions'; readonly update: PredictionsState }
  | { readonly panel: 'gpu'; readonly update: GpuUpdate }
  | { readonly panel: 'endpoint'; readonly update: EndpointsState };

/** What the HTML report embeds in `<script type="application/json" id="modelmon-data">`. */
export interface StaticReportData {
  readonly version: 1;
  readonly title: string;
  /** ISO timestamp shown in the page header. */
  readonly generatedAt: string;
  readonly panels: readonly PanelState[];
}

export type { EndpointsState, EndpointView } from './endpoints';
