import * as vscode from 'vscode';
import { CONFIG_FILE_NAME, LineIndex, loadConfig, type ModelmonConfig } from '../../core/config';
import type { MonitorLog } from '../log';
import { readSettings } from '../settings';
import { isAtOrUnder, onDidDeleteAnything } from './fileEvents';
import { DIAGNOSTIC_SOURCE } from './trainingCode';

/** Validates every `modelmon.json` of the workspace (saved or being edited) into problems. */
export class ConfigFileDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('modelmon-config');
  private readonly configs = new Map<string, ModelmonConfig>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: MonitorLog) {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${CONFIG_FILE_NAME}`, false, false, true);
    this.disposables.push(
      this.collection,
      this.changed,
      watcher,
      watcher.onDidCreate((u) => void this.checkFile(u)),
      watcher.onDidChange((u) => void this.checkFile(u)),
      // Deletions, of the file or of a folder holding it, come from the shared workspace watcher.
      onDidDeleteAnything((u) => this.forget(u)),
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (isConfig(d.uri)) void this.checkIfPresent(d.uri, d.getText());
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (isConfig(e.document.uri)) void this.checkIfPresent(e.document.uri, e.document.getText());
      }),
    );
  }

  async scan(): Promise<void> {
    const uris = await vscode.workspace.findFiles(`**/${CONFIG_FILE_NAME}`, readSettings().exclude || undefined, 20);
    await Promise.all(uris.map((u) => this.checkFile(u)));
  }

  /** Valid configs by file, for the explorer and the report. */
  loaded(): { readonly uri: vscode.Uri; readonly config: ModelmonConfig }[] {
    return [...this.configs].map(([key, config]) => ({ uri: vscode.Uri.parse(key), config }));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private forget(deleted: vscode.Uri): void {
    let any = false;
    this.collection.forEach((uri) => {
      if (isAtOrUnder(uri, deleted)) {
        this.collection.delete(uri);
        this.configs.delete(uri.toString());
        any = true;
      }
    });
    if (any) this.changed.fire();
  }

  private async checkFile(uri: vscode.Uri): Promise<void> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    try {
      if (open) await this.checkIfPresent(uri, open.getText());
      else this.check(uri, new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
    } catch (error) {
      this.log.debug(`config: cannot read ${uri.fsPath}: ${String(error)}`);
    }
  }

  /**
   * A document stays open after its file (or the folder holding it) is deleted, and a late watcher
   * or change event would put its problems back: an open file is checked only while it exists.
   */
  private async checkIfPresent(uri: vscode.Uri, text: string): Promise<void> {
    if (uri.scheme === 'file') {
      try {
        await vscode.workspace.fs.stat(uri);
      } catch {
        this.forget(uri);
        return;
      }
    }
    this.check(uri, text);
  }

  private check(uri: vscode.Uri, text: string): void {
    const { config, problems } = loadConfig(text, uri.fsPath);
    // One index of line starts per text: a scan from the top for every problem was quadratic.
    const lines = new LineIndex(text);
    const positionAt = (offset: number) => {
      const { line, column } = lines.position(Math.min(offset, text.length));
      return new vscode.Position(line - 1, column - 1);
    };
    const diagnostics = problems.map((p) => {
      const d = new vscode.Diagnostic(
        new vscode.Range(positionAt(p.offset), positionAt(p.offset + Math.max(p.length, 1))),
        p.message,
        p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
      );
      d.source = DIAGNOSTIC_SOURCE;
      if (p.key) d.code = p.key;
      return d;
    });
    this.collection.set(uri, diagnostics);
    if (config) this.configs.set(uri.toString(), config);
    else this.configs.delete(uri.toString());
    this.log.info(`config: ${vscode.workspace.asRelativePath(uri)}: ${problems.length} problem(s)`);
    this.changed.fire();
  }
}

function isConfig(uri: vscode.Uri): boolean {
  return uri.scheme === 'file' && uri.path.endsWith(`/${CONFIG_FILE_NAME}`);
}
