import type * as vscode from 'vscode';
import type { Incident } from '../core/alerts';
import type { RenderEvent } from './dashboards';
import type { EndpointsState } from '../protocol/endpoints';
import type { RunEfficiencyView } from '../protocol/views';
import type { ExplorerNode } from './explorer/explorerTree';
import type { DriftCheckOptions, DriftCheckResult, PredictionLogState } from './predictions/service';
import type { RunState, TrainingFinding } from './training/model';

export type { ExplorerNode } from './explorer/explorerTree';
export type { DriftCheckOptions, DriftCheckResult, PredictionLogState } from './predictions/service';
export type { RunState, TagState, TrainingFinding } from './training/model';
export type { RenderEvent } from './dashboards';

/** What `activate` returns: read-only views of the extension's state, for tests and other extensions. */
export interface ModelMonitorApi {
  /** Resolves once the first scan of runs, prediction logs and Python files finished. */
  ready(): Promise<void>;
  runs(): readonly RunState[];
  findings(): readonly TrainingFinding[];
  /** Each run's efficiency (GPU utilisation, energy, cost, findings) as the dashboard shows it. */
  efficiency(): readonly RunEfficiencyView[];
  predictionLogs(): readonly PredictionLogState[];
  /** The diagnostics Model Monitor published for a file (training code, prediction logs, modelmon.json). */
  diagnosticsFor(uri: vscode.Uri): readonly vscode.Diagnostic[];
  /** The GPU status bar item's text, or undefined while it is hidden (no GPU, disabled). */
  gpuStatusText(): string | undefined;
  /** Its Markdown tooltip (vendor and model, then a row per GPU), or undefined while it is hidden. */
  gpuStatusTooltip(): string | undefined;
  /** Runs `modelmon.checkDrift` without any UI. */
  checkDrift(options: DriftCheckOptions): Promise<DriftCheckResult>;
  /** Fires when a dashboard finished drawing. */
  readonly onDidRender: vscode.Event<RenderEvent>;
  /** Every incident in the alert history, oldest first. */
  alerts(): readonly Incident[];
  /** The explorer tree's data (call `getChildren()` for the sections). */
  readonly explorer: vscode.TreeDataProvider<ExplorerNode>;
  /** The endpoints as the Endpoints view and dashboard show them. */
  endpoints(): EndpointsState;
  /** How long activation itself took, and the first scan after it (undefined until it ends), in ms. */
  timings(): { activateMs: number; firstScanMs: number | undefined };
}
