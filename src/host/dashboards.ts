import * as vscode from 'vscode';
import type { PanelKind, PredictionReportView, TrainingFocus } from '../protocol/views';

/** A dashboard finished drawing: how many points and charts are on screen. */
export interface RenderEvent {
  readonly panel: PanelKind;
  readonly points: number;
  readonly charts: number;
  readonly title?: string;
}

/** What commands need from the dashboards (the webview panels). */
export interface Dashboards extends vscode.Disposable {
  readonly onDidRender: vscode.Event<RenderEvent>;
  openTraining(focus?: TrainingFocus): Promise<void>;
  /** Opens the predictions dashboard on `log` (absolute path), or on the first log. */
  openPredictions(log?: string): Promise<void>;
  openGpu(): Promise<void>;
  /** Opens an ad-hoc drift check's result in its own panel titled `title`; the live dashboard is untouched. */
  openDriftCheck(title: string, report: PredictionReportView): Promise<void>;
}
