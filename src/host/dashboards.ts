import * as vscode from 'vscode';
import type { PanelKind, TrainingFocus } from '../protocol/views';

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
}
