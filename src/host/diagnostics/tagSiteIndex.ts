import * as vscode from 'vscode';
import { findDataLoaders, scanScript, usesCuda, type DataLoaderCall, type LogWriter, type TagSite } from '../../core/tagSites';
import type { MonitorLog } from '../log';
import { isAtOrUnder, onDidCreateFolder, onDidDeleteAnything } from './fileEvents';
import { readSettings } from '../settings';

/** One Python file: the tags it logs and the writers that say where. */
export interface IndexedScript {
  readonly uri: vscode.Uri;
  readonly sites: readonly TagSite[];
  readonly writers: readonly LogWriter[];
  /** Its `DataLoader(` calls, where an input-bound run's problem goes. */
  readonly dataLoaders: readonly DataLoaderCall[];
  /** Whether it names CUDA, so a DataLoader fix also pins memory. */
  readonly cuda: boolean;
}

/**
 * Where each Python file of the workspace logs which tag, and to which log directory. Files
 * come from a bounded `findFiles`; open editors are rescanned from their (possibly unsaved) text.
 */
export class TagSiteIndex implements vscode.Disposable {
  private readonly sites = new Map<string, IndexedScript>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri[]>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private scanning: Promise<void> | undefined;
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly log: MonitorLog) {
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidOpenTextDocument((d) => this.scanDocument(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.scheduleDocument(e.document)),
      vscode.workspace.onDidSaveTextDocument((d) => this.scanDocument(d)),
    );
    // Deletions, of files and of whole folders, come from the shared workspace watcher.
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.py', false, false, true);
    this.disposables.push(
      watcher,
      watcher.onDidCreate((u) => void this.scanFile(u)),
      watcher.onDidChange((u) => void this.scanFile(u)),
      onDidDeleteAnything((u) => this.forget(u)),
      // A folder moved or renamed into place reports no files: scan what it holds.
      onDidCreateFolder((u) => void this.scanFolder(u)),
    );
  }

  /** Scans the workspace once (later calls wait for the same scan). */
  ready(): Promise<void> {
    this.scanning ??= this.scanWorkspace();
    return this.scanning;
  }

  /** Rescans everything (settings changed, refresh). */
  rescan(): Promise<void> {
    this.scanning = this.scanWorkspace();
    return this.scanning;
  }

  files(): IndexedScript[] {
    return [...this.sites.values()];
  }

  sitesOf(uri: vscode.Uri): readonly TagSite[] {
    return this.sites.get(uri.toString())?.sites ?? [];
  }

  scriptOf(uri: vscode.Uri): IndexedScript | undefined {
    return this.sites.get(uri.toString());
  }

  dispose(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }

  private forget(deleted: vscode.Uri): void {
    const gone = [...this.sites.values()].filter((f) => isAtOrUnder(f.uri, deleted)).map((f) => f.uri);
    for (const u of gone) this.sites.delete(u.toString());
    if (gone.length) this.changed.fire(gone);
  }

  private async scanWorkspace(): Promise<void> {
    const settings = readSettings();
    const uris = await vscode.workspace.findFiles(settings.pythonGlob, settings.exclude || undefined, settings.maxPythonFiles);
    this.sites.clear();
    await Promise.all(uris.map((u) => this.scanFile(u, false)));
    for (const doc of vscode.workspace.textDocuments) this.scanDocument(doc, false);
    const logging = this.files().filter((f) => f.sites.length);
    const sites = logging.reduce((n, f) => n + f.sites.length, 0);
    this.log.info(`tag sites: scanned ${uris.length} Python file(s): ${sites} tag site(s) in ${logging.length} file(s)`);
    this.changed.fire([...this.sites.values()].map((f) => f.uri));
  }

  private async scanFolder(folder: vscode.Uri): Promise<void> {
    const settings = readSettings();
    const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, settings.pythonGlob), settings.exclude || undefined, settings.maxPythonFiles);
    await Promise.all(uris.map((u) => this.scanFile(u)));
  }

  private async scanFile(uri: vscode.Uri, fire = true): Promise<void> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return this.scanDocument(open, fire);
    try {
      const bytes = await vscode.workspace.fs.readFile(uri);
      // Large generated files are not training scripts.
      if (bytes.byteLength > 2_000_000) return;
      this.store(uri, new TextDecoder().decode(bytes), fire);
    } catch (error) {
      this.log.debug(`tag sites: cannot read ${uri.fsPath}: ${String(error)}`);
    }
  }

  private scheduleDocument(doc: vscode.TextDocument): void {
    if (doc.languageId !== 'python') return;
    const key = doc.uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.set(key, setTimeout(() => {
      this.pending.delete(key);
      this.scanDocument(doc);
    }, 300));
  }

  private scanDocument(doc: vscode.TextDocument, fire = true): void {
    if (doc.languageId !== 'python' || doc.uri.scheme !== 'file') return;
    this.store(doc.uri, doc.getText(), fire);
  }

  private store(uri: vscode.Uri, source: string, fire: boolean): void {
    const key = uri.toString();
    const { sites, writers } = scanScript(uri.fsPath, source);
    const dataLoaders = findDataLoaders(source);
    const before = this.sites.get(key);
    if (!sites.length && !dataLoaders.length && !before) return;
    const cuda = dataLoaders.length > 0 && usesCuda(source);
    this.sites.set(key, { uri, sites, writers, dataLoaders, cuda });
    const changed = JSON.stringify([before?.sites, before?.writers, before?.dataLoaders, before?.cuda]) !== JSON.stringify([sites, writers, dataLoaders, cuda]);
    if (fire && changed) this.changed.fire([uri]);
  }
}
