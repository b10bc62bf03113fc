import type { EfficiencyThresholds } from '../efficiency/types';
import type { PredictionSchemaOverride } from '../predictions/schema';
import type { MultivariateSettings } from '../multivariate';
import type { EmbeddingDriftOptions } from '../embedding';

/** How serious a finding is; `off` in a config silences a kind of finding altogether. */
export type Severity = 'info' | 'warning' | 'error';
export type SeverityOverride = Severity | 'off';

/** The least severity that makes `modelmon check` fail. */
export type FailOn = 'warning' | 'error';

/** Per-kind severity overrides: finding kind (`nan`, `drift`, `modified`, ...) or `*` for every kind. */
export type SeverityOverrides = Readonly<Record<string, SeverityOverride>>;

interface MonitorBase {
  /** Unique name shown in reports; defaults to the last segment of the watched path. */
  readonly name: string;
  readonly severity: SeverityOverrides;
}

/** A TensorBoard log directory whose runs are checked for NaNs, divergence, overfitting, ... */
export interface TrainingMonitorConfig extends MonitorBase {
  /** Relative to the config file's directory. */
  readonly logdir: string;
  /** Only these scalar tags (exact names, `*` wildcards allowed); empty = all. */
  readonly tags: readonly string[];
  /** Each run joined with a GPU log, its efficiency findings part of the check. */
  readonly efficiency?: TrainingEfficiencyConfig;
}

/** A training monitor's GPU samples and the thresholds of its efficiency findings. */
export interface TrainingEfficiencyConfig {
  /** An nvidia-smi --query-gpu CSV log, modelmon gpu --json lines or a modelmon gpu --record file, relative to the config. */
  readonly gpuLog: string;
  /** The zone of nvidia-smi's timestamps, minutes east of UTC (default the checking machine's). */
  readonly utcOffsetMinutes?: number;
  readonly pricePerKWh?: number;
  readonly thresholds?: EfficiencyThresholds;
}

/** Where a prediction log's reference distribution comes from. */
export interface ReferenceConfig {
  /** Another log (relative to the config); absent = the monitored log itself. */
  readonly log?: string;
  /** How many leading rows of the reference log form the reference window. */
  readonly rows?: number;
}

export interface PredictionMonitorConfig extends MonitorBase {
  /** A CSV or JSON Lines prediction log, relative to the config file's directory. */
  readonly log: string;
  readonly reference: ReferenceConfig;
  /** Rows per comparison window. */
  readonly window: number;
  /** Column roles where inference should not guess (the engine's own override type). */
  readonly schema: PredictionSchemaOverride;
  /** Rows between drift evaluations of the sliding window (engine default: window / 4). */
  readonly step?: number;
  /** Family-wise p-value below which drift raises an alert (engine default 0.001). */
  readonly alertPValue?: number;
  /** How per-feature p-values are corrected for the number of features (engine default bonferroni). */
  readonly multipleTesting?: 'bonferroni' | 'bh';
  /** Reference anomaly-score quantile above which a row is suspicious (engine default 0.995). */
  readonly anomalyQuantile?: number;
  /** Multivariate drift of the numeric columns: PCA reconstruction band and domain-classifier explanation. */
  readonly multivariate?: MultivariateSettings;
  /** How vector columns are compared (Evidently's embedding drift methods; engine default model-based). */
  readonly embedding?: EmbeddingDriftOptions;
  /** How the log is read (default auto); `log` may then be a file, a directory or a glob. */
  readonly format?: 'auto' | 'jsonl' | 'csv' | 'parquet' | 'sagemaker-capture' | 'kserve-cloudevents';
  /** Role -> dotted path or JSON pointer, for captured payloads of another shape. */
  readonly fieldMapping?: Readonly<Record<string, string>>;
}

/** A manifest of checkpoint hashes, verified file by file. */
export interface IntegrityMonitorConfig extends MonitorBase {
  readonly manifest: string;
  /** Manifest paths outside the config's folder are verified only when this is true. */
  readonly allowOutside?: boolean;
}

/** One nvidia-smi sample; off unless enabled, since CI machines rarely have a GPU. */
export interface GpuMonitorConfig {
  readonly enabled: boolean;
  readonly severity: SeverityOverrides;
  readonly maxTemperatureC?: number;
  readonly maxMemoryPercent?: number;
}

/** A served model probed over the network (see core/endpoints). */
export interface EndpointMonitorConfig extends MonitorBase {
  readonly url: string;
  readonly protocol: 'auto' | 'http' | 'tcp' | 'kserve-v2' | 'torchserve' | 'openai';
  readonly model?: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Probes per check run. */
  readonly requests: number;
  /** Golden JSONL, relative to the config file's directory. */
  readonly golden?: string;
  readonly accessLog?: string;
  readonly metricsPath?: string;
  readonly slo: { readonly availability?: number; readonly p99Ms?: number; readonly errorRate?: number };
}

/** A finding someone looked at and accepted; it stays in reports but no longer fails a check. */
export interface Acknowledgement {
  readonly monitor: string;
  /** Finding kind; absent = every kind. */
  readonly kind?: string;
  /** Run, tag, feature or file the finding is about; absent = any. */
  readonly subject?: string;
  readonly reason: string;
}

/** The parsed, defaulted contents of a `modelmon.json`. Paths stay relative to the file. */
export interface ModelmonConfig {
  readonly version: 1;
  readonly failOn: FailOn;
  readonly training: readonly TrainingMonitorConfig[];
  readonly predictions: readonly PredictionMonitorConfig[];
  readonly integrity: readonly IntegrityMonitorConfig[];
  readonly gpu: GpuMonitorConfig;
  readonly endpoints: readonly EndpointMonitorConfig[];
  readonly acknowledged: readonly Acknowledgement[];
}

/**
 * One thing wrong with a config file. `line`/`column` are 1-based (as printed by the CLI);
 * `offset`/`length` are 0-based character offsets into the text (hosts map them to ranges).
 */
export interface ConfigProblem {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  readonly length: number;
  /** JSON path of the offending key, e.g. `predictions[0].windw`; '' for the document. */
  readonly key: string;
  readonly severity: 'error' | 'warning';
}

/** A config read from disk: the file's absolute path and directory, and its non-fatal problems. */
export interface LoadedConfig {
  readonly path: string;
  /** Directory that relative paths in the config are resolved against. */
  readonly dir: string;
  readonly text: string;
  readonly config: ModelmonConfig;
  /** Warnings only; a config with errors never loads. */
  readonly problems: readonly ConfigProblem[];
}
