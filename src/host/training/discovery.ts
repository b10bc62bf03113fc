import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MonitorSettings } from '../settings';
import { groupIntoLogdirs, type DiscoveredLogdir } from './logdirs';

const EVENT_FILE = /(^|[\\/])events\.out\.tfevents\.[^\\/]*$/;

/**
 * Finds event files with `workspace.findFiles` (bounded by the settings) under the workspace
 * and under every extra log directory, then derives the log directories.
 */
export async function discoverEventFiles(settings: MonitorSettings, extraDirs: readonly string[], token?: vscode.CancellationToken): Promise<DiscoveredLogdir[]> {
  const files = new Set<string>();
  const exclude = settings.exclude || undefined;
  const found = await vscode.workspace.findFiles(settings.eventFileGlob, exclude, settings.maxEventFiles, token);
  for (const uri of found) files.add(uri.fsPath);
  const pinned: string[] = [];
  for (const entry of [...settings.logDirs, ...extraDirs]) {
    if (files.size >= settings.maxEventFiles) break;
    const base = path.isAbsolute(entry) ? vscode.Uri.file(entry) : undefined;
    const pattern = base
      ? new vscode.RelativePattern(base, '**/events.out.tfevents.*')
      : `${entry.replace(/[\\/]+$/, '')}/**/events.out.tfevents.*`;
    const more = await vscode.workspace.findFiles(pattern, exclude, settings.maxEventFiles - files.size, token);
    for (const uri of more) files.add(uri.fsPath);
    if (base) pinned.push(base.fsPath);
  }
  const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  return groupIntoLogdirs([...files].filter((f) => EVENT_FILE.test(f)), pinned, roots);
}

