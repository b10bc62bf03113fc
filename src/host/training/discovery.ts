import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MonitorSettings } from '../settings';

/** Event files found in the workspace, grouped into log directories the way `tensorboard --logdir` would see them. */
export interface DiscoveredLogdir {
  readonly logdir: string;
  /** Run directory (absolute) -> its event files (absolute), sorted. */
  readonly runs: ReadonlyMap<string, readonly string[]>;
}

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
  return groupIntoLogdirs([...files].filter((f) => EVENT_FILE.test(f)), pinned);
}

/**
 * Groups event files into log directories. A pinned directory (added by the user) is a log
 * directory; otherwise the parent of the shallowest run directory is, so `runs/a/events...` and
 * `runs/b/c/events...` share the log directory `runs` with runs `a` and `b/c`.
 */
export function groupIntoLogdirs(eventFiles: readonly string[], pinned: readonly string[] = []): DiscoveredLogdir[] {
  const runDirs = new Map<string, string[]>();
  for (const file of eventFiles) {
    const dir = path.dirname(file);
    const list = runDirs.get(dir) ?? [];
    list.push(file);
    runDirs.set(dir, list);
  }
  const within = (dir: string, root: string) => dir === root || dir.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
  const logdirs: string[] = [...pinned].sort((a, b) => a.length - b.length);
  const byDepth = [...runDirs.keys()].sort((a, b) => a.split(path.sep).length - b.split(path.sep).length || a.localeCompare(b));
  for (const dir of byDepth) {
    if (logdirs.some((root) => within(dir, root))) continue;
    logdirs.push(path.dirname(dir));
  }
  const result: DiscoveredLogdir[] = [];
  const claimed = new Set<string>();
  // Deepest log directory first, so a run belongs to the closest pinned directory.
  for (const logdir of [...logdirs].sort((a, b) => b.length - a.length)) {
    const runs = new Map<string, string[]>();
    for (const [dir, files] of runDirs) {
      if (claimed.has(dir) || !within(dir, logdir)) continue;
      claimed.add(dir);
      runs.set(dir, files.sort());
    }
    if (runs.size) result.push({ logdir, runs: new Map([...runs].sort(([a], [b]) => a.localeCompare(b))) });
  }
  return result.sort((a, b) => a.logdir.localeCompare(b.logdir));
}

/** A run's name: its directory relative to the log directory (`.` when they are the same), with `/`. */
export function runNameOf(logdir: string, runDir: string): string {
  const rel = path.relative(logdir, runDir);
  return rel === '' ? '.' : rel.split(path.sep).join('/');
}
