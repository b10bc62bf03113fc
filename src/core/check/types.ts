import type { FailOn, Severity } from '../config';

export type MonitorType = 'training' | 'predictions' | 'integrity' | 'gpu' | 'endpoint';

/** Where a finding points: a file line, a training step, or both. */
export interface FindingLocation {
  /** Path as the config names it (relative to the config's directory). */
  readonly file?: string;
  /** 1-based line. */
  readonly line?: number;
  readonly step?: number;
  /** The training tag a finding concerns (for tying it to the code that logs the tag). */
  readonly tag?: string;
  /** The line of code that logs the finding's tag, in a script that writes its run. */
  readonly code?: CodeSite;
}

/** A place in a training script, as `modelmon check` found it (see core/tagSites' ties). */
export interface CodeSite {
  /** Relative to the config's directory, `/`-separated. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** `tag-name` when nothing tied the script to any run and only the tag name matched. */
  readonly tie: 'writer' | 'tag-name';
}

/** What an engine adapter reports, before the config's severity overrides and acknowledgements. */
export interface RawFinding {
  readonly kind: string;
  readonly severity: Severity;
  readonly message: string;
  /** The run/tag, feature or file it concerns. */
  readonly subject?: string;
  readonly location?: FindingLocation;
}

/** A finding after the config's policy: final severity, and the reason when someone accepted it. */
export interface Finding extends RawFinding {
  readonly monitor: string;
  readonly acknowledged?: string;
}

/** A small table of what a monitor measured, for Markdown and the report (cells already formatted). */
export interface MonitorTable {
  readonly caption: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Indices of rows to emphasise (drifted features, changed files). */
  readonly emphasis?: readonly number[];
}

/** What one monitor measured, in the engine-neutral form the summaries are built from. */
export interface MonitorObservation {
  readonly findings: readonly RawFinding[];
  /** One line: "3 runs, 12 tags", "4000 rows; 3 of 30 features drifted". */
  readonly summary: string;
  readonly tables: readonly MonitorTable[];
  /** Feature names that drifted, for one-line summaries (prediction monitors only). */
  readonly driftedFeatures?: readonly string[];
  /** Training monitors: every run's directory, relative to the config (ties scripts to runs). */
  readonly runDirs?: readonly string[];
}

export interface MonitorResult {
  readonly name: string;
  readonly type: MonitorType;
  /** The watched path as the config names it. */
  readonly target: string;
  readonly findings: readonly Finding[];
  readonly summary: string;
  readonly tables: readonly MonitorTable[];
  readonly driftedFeatures: readonly string[];
  /** Training monitors: every run's directory, relative to the config. */
  readonly runDirs?: readonly string[];
  /** Whether any unacknowledged finding is at or above the check's failOn severity. */
  readonly failed: boolean;
  readonly durationMs: number;
}

export interface SeverityCounts {
  readonly error: number;
  readonly warning: number;
  readonly info: number;
  readonly acknowledged: number;
}

export interface CheckResult {
  /** The config file as given (for display). */
  readonly configPath: string;
  readonly failOn: FailOn;
  readonly monitors: readonly MonitorResult[];
  readonly verdict: 'pass' | 'fail';
  readonly counts: SeverityCounts;
  readonly exitCode: 0 | 1;
  /** ISO timestamp of the start of the run. */
  readonly startedAt: string;
  readonly durationMs: number;
}
