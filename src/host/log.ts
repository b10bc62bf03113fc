import * as vscode from 'vscode';

/** The one place the extension writes what it did: the "Model Monitor" output channel. */
export type MonitorLog = vscode.LogOutputChannel;

export function createMonitorLog(): MonitorLog {
  return vscode.window.createOutputChannel('Model Monitor', { log: true });
}

/** A short message for an unknown thrown value. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
