import type * as vscode from 'vscode';
import type { DriftCheckOutcome } from '../../core/driftCheck';
import type { PredictionReportView } from '../../protocol/views';
import type { DriftTestName } from '../settings';

/** One prediction log the host follows. */
export interface PredictionLogState {
  /** Absolute path. */
  readonly path: string;
  /** Workspace-relative path for display. */
  readonly label: string;
  readonly rows: number;
  readonly alerts: number;
  readonly drifted: boolean;
  /** Lines the engine could not parse or found suspicious, 1-based, with why. */
  readonly problems: readonly { readonly line: number; readonly message: string; readonly severity: 'error' | 'warning' | 'info' }[];
  /** Null until the first analysis finished (or when it failed). */
  readonly report: PredictionReportView | null;
  readonly error?: string;
}

/** Where a drift check takes its reference distribution from. */
export type DriftReference =
  /** The first `rows` data rows of the log itself. */
  | { readonly kind: 'rows'; readonly rows: number }
  /** Rows [start, end) of the log itself (0-based data rows). */
  | { readonly kind: 'range'; readonly start: number; readonly end: number }
  /** Another log, used whole. */
  | { readonly kind: 'file'; readonly path: string };

export interface DriftCheckOptions {
  /** The prediction log (absolute or workspace-relative). */
  readonly log: string;
  readonly reference?: DriftReference;
  readonly test?: DriftTestName;
  /** Compare only rows [start, end) of the log against the reference (0-based data rows). */
  readonly range?: { readonly start: number; readonly end: number };
  /** Skip the notification and the dashboard (tests, scripted use). */
  readonly silent?: boolean;
}

/** The result `modelmon.checkDrift` returns: the core outcome, whose report the silent form omits. */
export type DriftCheckResult = Omit<DriftCheckOutcome, 'report'> & { readonly report?: PredictionReportView };

/** The prediction logs of the workspace and drift checks over them. */
export interface PredictionLogs {
  readonly onDidChange: vscode.Event<void>;
  ready(): Promise<void>;
  logs(): readonly PredictionLogState[];
  refresh(): Promise<void>;
  checkDrift(options: DriftCheckOptions, token?: vscode.CancellationToken): Promise<DriftCheckResult>;
}
