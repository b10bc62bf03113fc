import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import { checkpointAlerts, type CheckpointAlert } from '../../core/integrity/checkpoint-alerts';
import { scanCheckpointFile } from '../../io/integrity/checkpoint-scan';

/** The files watched by default: the usual checkpoint extensions. */
export const CHECKPOINT_GLOB = '**/*.{pt,pth,ckpt,safetensors,bin}';

export interface CheckpointWatcherOptions {
  /** Which files are checkpoints (the `modelmon.integrity.checkpointGlob` setting). */
  readonly glob?: string;
  /** How long a file must stay the same size before it is scanned (checkpoints are written in pieces). */
  readonly settleMs?: number;
  /** A task or debug session that ended this recently still counts as training. */
  readonly graceMs?: number;
  /** The same alert for the same file pops up at most once in this window (it is still logged). */
  readonly repeatMs?: number;
}

/**
 * Watches the workspace for new and changed checkpoints, scans each once it stops changing
 * (metadata only, never the tensor data) and warns about dangerous, suspicious or malformed
 * files, and about a checkpoint that changed while no task, debug session or terminal command
 * (with shell integration) was running.
 */
export class CheckpointWatcher implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly pending = new Map<string, { timer: ReturnType<typeof setTimeout>; change: 'created' | 'changed'; active: boolean }>();
  private lastTrainingSeen = 0;
  /** Commands running in terminals with shell integration (`python train.py` counts as training). */
  private readonly shellExecutions = new Set<vscode.TerminalShellExecution>();
  private readonly shown = new Map<string, number>();
  private readonly settleMs: number;
  private readonly graceMs: number;
  private readonly repeatMs: number;
  private readonly glob: string;
  private disposed = false;

  constructor(
    private readonly output: vscode.OutputChannel,
    options: CheckpointWatcherOptions = {},
  ) {
    this.settleMs = options.settleMs ?? 2000;
    this.graceMs = options.graceMs ?? 30_000;
    this.repeatMs = options.repeatMs ?? 10 * 60_000;
    this.glob = options.glob ?? CHECKPOINT_GLOB;
  }

  /** Creates the file watcher and the task/debug listeners; they end with {@link dispose}. */
  register(): void {
    const watcher = vscode.workspace.createFileSystemWatcher(this.glob);
    const seen = () => (this.lastTrainingSeen = Date.now());
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => this.onFile(uri, 'created')),
      watcher.onDidChange((uri) => this.onFile(uri, 'changed')),
      watcher.onDidDelete((uri) => this.cancel(uri.fsPath)),
      vscode.tasks.onDidStartTask(seen),
      vscode.tasks.onDidEndTask(seen),
      vscode.debug.onDidStartDebugSession(seen),
      vscode.debug.onDidTerminateDebugSession(seen),
      vscode.window.onDidStartTerminalShellExecution((e) => (this.shellExecutions.add(e.execution), seen())),
      vscode.window.onDidEndTerminalShellExecution((e) => (this.shellExecutions.delete(e.execution), seen())),
    );
  }

  /** True while a task, debug session or terminal command runs, or one ended within the grace period. */
  trainingActive(): boolean {
    if (vscode.tasks.taskExecutions.length > 0 || vscode.debug.activeDebugSession !== undefined || this.shellExecutions.size > 0) return true;
    return Date.now() - this.lastTrainingSeen < this.graceMs;
  }

  /** Scans one checkpoint now and shows its alerts. */
  async check(path: string, change: 'created' | 'changed', trainingActive: boolean): Promise<CheckpointAlert[]> {
    const report = await scanCheckpointFile(path);
    const alerts = checkpointAlerts({ path, change, trainingActive, format: report.format, verdict: report.verdict, findings: report.findings });
    for (const f of report.findings) this.output.appendLine(`[integrity] ${path}: [${f.severity}] ${f.message}`);
    for (const a of alerts) this.show(path, a);
    return alerts;
  }

  dispose(): void {
    this.disposed = true;
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private onFile(uri: vscode.Uri, change: 'created' | 'changed'): void {
    if (uri.scheme !== 'file') return;
    const path = uri.fsPath;
    const previous = this.pending.get(path);
    // A file created and then written keeps 'created'; training seen at any event counts.
    const entry = { change: previous?.change ?? change, active: (previous?.active ?? false) || this.trainingActive() };
    if (previous) clearTimeout(previous.timer);
    this.pending.set(path, { ...entry, timer: this.settle(path, -1) });
  }

  /** Waits until the size stops changing, then scans. */
  private settle(path: string, lastSize: number): ReturnType<typeof setTimeout> {
    return setTimeout(() => {
      void (async () => {
        const entry = this.pending.get(path);
        if (!entry || this.disposed) return;
        const size = (await stat(path).catch(() => undefined))?.size;
        if (size === undefined) return void this.pending.delete(path);
        if (size !== lastSize) {
          this.pending.set(path, { ...entry, timer: this.settle(path, size) });
          return;
        }
        this.pending.delete(path);
        await this.check(path, entry.change, entry.active || this.trainingActive());
      })().catch((e) => this.output.appendLine(`[integrity] scan of ${path} failed: ${e instanceof Error ? e.message : String(e)}`));
    }, this.settleMs);
  }

  private cancel(path: string): void {
    const p = this.pending.get(path);
    if (p) clearTimeout(p.timer);
    this.pending.delete(path);
  }

  private show(path: string, alert: CheckpointAlert): void {
    this.output.appendLine(`[integrity] ${alert.level}: ${alert.message}`);
    if (alert.level === 'info') return;
    const key = `${path}\n${alert.message}`;
    const now = Date.now();
    if (now - (this.shown.get(key) ?? -Infinity) < this.repeatMs) return;
    this.shown.set(key, now);
    const show = alert.level === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    void show(alert.message, 'Show Details').then((choice) => {
      if (choice) this.output.show(true);
    });
  }
}
