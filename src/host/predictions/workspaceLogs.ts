import * as vscode from 'vscode';
import { isAtOrUnder, onDidCreateFolder, onDidDeleteAnything } from '../diagnostics/fileEvents';
import { describeError, type MonitorLog } from '../log';
import { readSettings } from '../settings';
import { analyzeLog, compareDrift } from './engine';
import type { DriftCheckOptions, DriftCheckResult, PredictionLogs, PredictionLogState } from './service';

/**
 * The prediction logs of the workspace: found with bounded `findFiles` over the configured
 * globs, analysed once when found and again (debounced) when the file changes.
 */
export class WorkspacePredictionLogs implements PredictionLogs, vscode.Disposable {
  private readonly states = new Map<string, PredictionLogState>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly running = new Map<string, AbortController>();
  private first: Promise<void> | undefined;
  private disposed = false;

  constructor(private readonly log: MonitorLog) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{csv,jsonl,ndjson,parquet,gz,zst}', false, false, true);
    this.disposables.push(
      watcher,
      watcher.onDidChange((u) => this.schedule(u.fsPath)),
      watcher.onDidCreate(() => this.scheduleDiscovery()),
      // A deleted, renamed or moved folder is reported as the folder only, never its files, so
      // these come from the shared watcher: forget what was under the old path, look in the new.
      onDidDeleteAnything((u) => this.forget(u)),
      onDidCreateFolder(() => this.scheduleDiscovery()),
    );
  }

  ready(): Promise<void> {
    this.first ??= this.refresh();
    return this.first;
  }

  logs(): readonly PredictionLogState[] {
    return [...this.states.values()].sort((a, b) => a.label.localeCompare(b.label));
  }

  /** Finds the logs again; `reanalyze` false analyses only logs not seen before. */
  async refresh(reanalyze = true): Promise<void> {
    const settings = readSettings();
    const found = new Set<string>();
    for (const glob of settings.predictionLogGlobs) {
      if (found.size >= settings.maxPredictionLogs) break;
      const uris = await vscode.workspace.findFiles(glob, settings.exclude || undefined, settings.maxPredictionLogs - found.size);
      for (const u of uris) found.add(u.fsPath);
    }
    for (const known of [...this.states.keys()]) if (!found.has(known)) this.states.delete(known);
    const analyses: Promise<void>[] = [];
    for (const file of found) {
      if (!this.states.has(file)) {
        this.states.set(file, { path: file, label: vscode.workspace.asRelativePath(file), rows: 0, alerts: 0, drifted: false, problems: [], report: null });
        analyses.push(this.analyze(file));
      } else if (reanalyze) analyses.push(this.analyze(file));
    }
    this.fire();
    await Promise.all(analyses);
    await vscode.commands.executeCommand('setContext', 'modelmon.hasPredictionLogs', this.states.size > 0);
  }

  async checkDrift(options: DriftCheckOptions, token?: vscode.CancellationToken): Promise<DriftCheckResult> {
    const controller = new AbortController();
    const sub = token?.onCancellationRequested(() => controller.abort());
    try {
      const settings = readSettings();
      return await compareDrift(options, settings, controller.signal);
    } finally {
      sub?.dispose();
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    clearTimeout(this.discovery);
    for (const c of this.running.values()) c.abort();
    for (const d of this.disposables) d.dispose();
  }

  private discovery: ReturnType<typeof setTimeout> | undefined;

  /** Drops the logs at or under a deleted path, with their pending and running analyses. */
  private forget(deleted: vscode.Uri): void {
    let dropped = false;
    for (const file of [...this.states.keys()]) {
      if (!isAtOrUnder(vscode.Uri.file(file), deleted)) continue;
      this.states.delete(file);
      clearTimeout(this.timers.get(file));
      this.timers.delete(file);
      this.running.get(file)?.abort();
      dropped = true;
    }
    if (!dropped) return;
    this.fire();
    void vscode.commands.executeCommand('setContext', 'modelmon.hasPredictionLogs', this.states.size > 0);
  }

  /** New files arrive in bursts (a whole folder copied): look for logs once the burst is over. */
  private scheduleDiscovery(): void {
    clearTimeout(this.discovery);
    this.discovery = setTimeout(() => {
      this.discovery = undefined;
      if (!this.disposed) void this.refresh(false);
    }, 300);
  }

  private schedule(file: string): void {
    if (!this.states.has(file) || !readSettings().followPredictions) return;
    clearTimeout(this.timers.get(file));
    this.timers.set(file, setTimeout(() => {
      this.timers.delete(file);
      void this.analyze(file);
    }, 1000));
  }

  private async analyze(file: string): Promise<void> {
    this.running.get(file)?.abort();
    const controller = new AbortController();
    this.running.set(file, controller);
    const label = vscode.workspace.asRelativePath(file);
    try {
      const analysis = await analyzeLog(file, readSettings(), controller.signal);
      if (this.disposed || controller.signal.aborted) return;
      this.states.set(file, { path: file, label, ...analysis });
      this.log.info(`predictions: ${label}: ${analysis.rows} rows, ${analysis.alerts} alert(s)${analysis.drifted ? ', drift' : ''}`);
    } catch (error) {
      if (controller.signal.aborted) return;
      this.states.set(file, { path: file, label, rows: 0, alerts: 0, drifted: false, problems: [], report: null, error: describeError(error) });
      this.log.warn(`predictions: ${label}: ${describeError(error)}`);
    } finally {
      if (this.running.get(file) === controller) this.running.delete(file);
    }
    this.fire();
  }

  private fire(): void {
    if (!this.disposed) this.changed.fire();
  }
}
