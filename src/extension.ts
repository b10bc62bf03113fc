import type * as vscode from 'vscode';
import type { ModelMonitorApi } from './host/api';
import { MonitorContext } from './host/context';

export type { ModelMonitorApi } from './host/api';

let current: MonitorContext | undefined;

export function activate(extension: vscode.ExtensionContext): ModelMonitorApi {
  current = new MonitorContext(extension);
  extension.subscriptions.push(current);
  return current.api();
}

export function deactivate(): void {
  current?.dispose();
  current = undefined;
}
