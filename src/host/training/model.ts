/** What the host knows about training runs, independent of how the engine stores them. */

export type FindingSeverity = 'error' | 'warning' | 'info';

/** One scalar tag of a run with its newest point. */
export interface TagState {
  readonly tag: string;
  readonly points: number;
  readonly lastStep: number | null;
  /** NaN/±Infinity are kept as such here; the webview protocol turns them into null. */
  readonly lastValue: number | null;
  /** True when any point of the series is NaN or infinite. */
  readonly nonFinite: boolean;
}

/** One run: a directory holding event files, named relative to its log directory. */
export interface RunState {
  readonly name: string;
  /** The log directory the run was found under (absolute path). */
  readonly logdir: string;
  /** The run's own directory (absolute path). */
  readonly dir: string;
  /** Runs of one experiment (`diverge_lr5`, `diverge_lr5/loss_compare_train`) share a group. */
  readonly group: string;
  readonly eventFiles: readonly string[];
  readonly tags: readonly TagState[];
  readonly lastStep: number | null;
  readonly lastWallTime: number | null;
}

/** A health finding at one step of one series. */
export interface TrainingFinding {
  readonly run: string;
  readonly tag: string;
  readonly step: number;
  readonly kind: string;
  readonly message: string;
  readonly severity: FindingSeverity;
  /** The event file that holds the finding's point (absolute path), when known. */
  readonly file?: string;
}

export interface SeriesPoints {
  readonly steps: readonly number[];
  readonly values: readonly number[];
  readonly wallTimes: readonly number[];
}

/**
 * Severity of a finding for problems and alerts: non-finite values and divergence break a
 * run, overfitting and plateaus waste it.
 */
export function severityOfFinding(kind: string, fallback: FindingSeverity = 'info'): FindingSeverity {
  if (/nan|inf|non.?finite|diverg/i.test(kind)) return 'error';
  if (/overfit|plateau/i.test(kind)) return 'warning';
  return fallback;
}

/** The group of a run name: its first path segment. */
export function groupOfRun(name: string): string {
  return name.split('/')[0] ?? name;
}
