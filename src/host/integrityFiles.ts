import * as path from 'node:path';
import * as vscode from 'vscode';
import type { VerifyReport } from '../core/integrity/manifest';
import { scanCheckpointFile, type FileScanReport } from '../io/integrity/checkpoint-scan';
import { verifyManifest } from '../io/integrity/manifest-store';
import type { IntegrityFile } from './explorer/explorerTree';
import { CheckpointWatcher } from './integrity/checkpoint-watcher';
import { UnsafeLoadDiagnostics } from './integrity/unsafe-load-diagnostics';
import { describeError, type MonitorLog } from './log';
import { readSettings } from './settings';

const MAX_CHECKPOINTS = 100;

/**
 * The checkpoints and manifests the explorer lists, each with the verdict of a metadata scan,
 * plus the integrity engineer's watchers (changed checkpoints, unsafe `torch.load`).
 */
export class IntegrityFiles implements vscode.Disposable {
  private readonly entries = new Map<string, IntegrityFile>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private configured: readonly string[] = [];

  constructor(private readonly log: MonitorLog) {
    // Owned here alone, so each is disposed once, with this object.
    const watcher = new CheckpointWatcher(log, { glob: readSettings().checkpointGlob });
    watcher.register();
    const unsafeLoads = new UnsafeLoadDiagnostics(log);
    unsafeLoads.register();
    this.disposables.push(watcher, unsafeLoads);
  }

  files(): readonly IntegrityFile[] {
    return [...this.entries.values()].sort((a, b) => (a.kind === b.kind ? a.path.localeCompare(b.path) : a.kind === 'manifest' ? -1 : 1));
  }

  /** Manifests named by modelmon.json files; a change lists them anew. */
  setConfiguredManifests(manifests: readonly string[]): void {
    const same = manifests.length === this.configured.length && manifests.every((m, k) => m === this.configured[k]);
    this.configured = manifests;
    if (!same) void this.refresh();
  }

  async refresh(): Promise<void> {
    const settings = readSettings();
    const exclude = settings.exclude || undefined;
    const [checkpoints, manifests] = await Promise.all([
      vscode.workspace.findFiles(settings.checkpointGlob, exclude, MAX_CHECKPOINTS),
      vscode.workspace.findFiles(settings.manifestGlob, exclude, 20),
    ]);
    const next = new Map<string, IntegrityFile>();
    const configured = await Promise.all(this.configured.map(async (m) => ((await exists(m)) ? [m] : [])));
    for (const m of [...manifests.map((u) => u.fsPath), ...configured.flat()]) next.set(m, this.entries.get(m) ?? { path: m, kind: 'manifest' });
    for (const c of checkpoints) next.set(c.fsPath, this.entries.get(c.fsPath) ?? { path: c.fsPath, kind: 'checkpoint' });
    this.entries.clear();
    for (const [k, v] of next) this.entries.set(k, v);
    this.changed.fire();
    await vscode.commands.executeCommand('setContext', 'modelmon.hasCheckpoints', this.entries.size > 0);
    await Promise.all([...this.entries.values()].filter((e) => e.kind === 'checkpoint' && !e.status).map((e) => this.scan(e.path)));
    this.changed.fire();
  }

  /** Verifies a manifest (or every manifest), or scans one checkpoint; shows a summary. */
  async verify(target?: vscode.Uri): Promise<VerifyReport[] | FileScanReport | undefined> {
    const entry = target ? this.entries.get(target.fsPath) : undefined;
    if (target && entry?.kind !== 'manifest' && !target.fsPath.endsWith('.json')) {
      const report = await this.scan(target.fsPath);
      this.changed.fire();
      if (report) void vscode.window.showInformationMessage(`Model Monitor: ${path.basename(target.fsPath)} is ${report.verdict}${report.findings.length ? `: ${report.findings[0]!.message}` : ''}.`);
      return report;
    }
    const manifests = target ? [target.fsPath] : this.files().filter((f) => f.kind === 'manifest').map((f) => f.path);
    if (!manifests.length) {
      await Promise.all(this.files().map((f) => this.scan(f.path)));
      this.changed.fire();
      const bad = this.files().filter((f) => f.severity === 'error' || f.severity === 'warning');
      void vscode.window.showInformationMessage(
        `Model Monitor: scanned ${this.files().length} checkpoint(s)${bad.length ? `; ${bad.length} need attention` : ', all safe'}. Record a manifest with \`modelmon integrity snapshot\` to detect changes.`,
      );
      return undefined;
    }
    const reports: VerifyReport[] = [];
    for (const manifest of manifests) {
      const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Model Monitor: verifying ${path.basename(manifest)}` }, () =>
        verifyManifest(manifest, path.dirname(manifest)),
      );
      reports.push(report);
      const problems = report.changed.length + report.missing.length;
      const summary = `${path.basename(manifest)}: ${report.unchanged.length} unchanged, ${report.changed.length} changed, ${report.missing.length} missing, ${report.added.length} new`;
      this.log.info(`integrity: ${summary}`);
      this.entries.set(manifest, { path: manifest, kind: 'manifest', status: problems ? `${problems} changed/missing` : 'verified', severity: problems ? 'error' : 'info' });
      for (const c of report.changed) this.mark(path.resolve(path.dirname(manifest), c.path), 'modified', 'error');
      for (const u of report.unchanged) this.mark(path.resolve(path.dirname(manifest), u), 'verified', 'info');
      const show = problems ? vscode.window.showErrorMessage : vscode.window.showInformationMessage;
      void show(`Model Monitor: ${summary}.`);
    }
    this.changed.fire();
    return reports;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private mark(file: string, status: string, severity: IntegrityFile['severity']): void {
    const e = this.entries.get(file);
    this.entries.set(file, { path: file, kind: e?.kind ?? 'checkpoint', status, ...(severity ? { severity } : {}) });
  }

  private async scan(file: string): Promise<FileScanReport | undefined> {
    try {
      const report = await scanCheckpointFile(file);
      const severity = report.verdict === 'dangerous' || report.verdict === 'malformed' ? 'error' : report.verdict === 'suspicious' ? 'warning' : 'info';
      const current = this.entries.get(file);
      // A manifest verdict (modified) outranks the scan's.
      if (current?.status !== 'modified') this.mark(file, `${report.format} · ${report.verdict}`, severity);
      return report;
    } catch (error) {
      this.log.warn(`integrity: ${file}: ${describeError(error)}`);
      return undefined;
    }
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(vscode.Uri.file(file));
    return true;
  } catch {
    return false;
  }
}
