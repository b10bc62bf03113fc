import type * as vscode from 'vscode';
import type { ModelMonitorApi } from './host/api';
import { MonitorContext } from './host/context';

export type { ModelMonitorApi } from './host/api';

let current: MonitorContext | undefined;

export function activate(extension: vscode.ExtensionContext): ModelMonitorApi {
  const started = performance.now();
  current = new MonitorContext(extension);
  extension.subscriptions.push(current);
  // Activation only wires things up; the workspace scan runs after it, off VS Code's critical path.
  current.activateMs = performance.now() - started;
  current.log.info(`activated in ${current.activateMs.toFixed(1)} ms`);
  return current.api();
}

export function deactivate(): void {
  current?.dispose();
  current = undefined;
}
