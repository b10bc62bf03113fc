import { availableParallelism } from 'node:os';
import * as vscode from 'vscode';
import { dataLoaderFix, placeRunFindings, usesCuda, type DataLoaderCall, type LoaderScript, type PlacedRunFinding } from '../../core/tagSites';
import { readSettings } from '../settings';
import type { TrainingRuns } from '../training/service';
import { DIAGNOSTIC_SOURCE } from './trainingCode';
import type { TagSiteIndex } from './tagSiteIndex';

/** A run-wide efficiency finding as the editor shows it; the verdict itself comes from core. */
export interface RunEfficiencyFinding {
  readonly run: string;
  readonly kind: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
}

/** Where the editor reads the runs' input-bound findings (the training efficiency service). */
export interface InputBoundFindings {
  readonly onDidChange: vscode.Event<void>;
  inputBound(): readonly RunEfficiencyFinding[];
}

/** Diagnostic code of a problem on a DataLoader or writer line; the quick fix keys on it. */
export const INPUT_BOUND_CODE = 'input-bound';

/**
 * Worker processes the quick fix asks for: min(CPU count, 8), as PyTorch's own guidance tops out
 * around there, written as a literal so the script does not change meaning on another machine.
 */
export function suggestedWorkers(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

/**
 * Input-bound runs as problems on the `DataLoader(` call of the script that writes them (else
 * on its writer), with a quick fix that starts worker processes where the loader has none. Where
 * a finding lands is core's `placeRunFindings`; whether a run is input-bound is the efficiency
 * engine's verdict, never decided here.
 */
export class EfficiencyCodeDiagnostics implements vscode.CodeActionProvider, vscode.Disposable {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];
  readonly collection = vscode.languages.createDiagnosticCollection('modelmon-efficiency');
  private readonly placedByDiagnostic = new Map<string, PlacedRunFinding<RunEfficiencyFinding>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly training: TrainingRuns,
    private readonly sites: TagSiteIndex,
    private readonly efficiency: InputBoundFindings,
  ) {
    const selector: vscode.DocumentSelector = { language: 'python', scheme: 'file' };
    this.disposables.push(
      this.collection,
      efficiency.onDidChange(() => this.update()),
      training.onDidChange(() => this.update()),
      sites.onDidChange(() => this.update()),
      vscode.languages.registerCodeActionsProvider(selector, this, { providedCodeActionKinds: EfficiencyCodeDiagnostics.providedCodeActionKinds }),
    );
  }

  /** The problems of every script, from the current findings, runs and DataLoader calls. */
  update(): void {
    this.collection.clear();
    this.placedByDiagnostic.clear();
    if (!readSettings().diagnosticsEnabled) return;
    const findings = this.efficiency.inputBound();
    if (!findings.length) return;
    const scripts = this.sites.files();
    const loaderScripts: LoaderScript[] = scripts.map((s) => ({ path: s.uri.fsPath, sites: s.sites, writers: s.writers, dataLoaders: s.dataLoaders }));
    const uris = new Map(scripts.map((s) => [s.uri.fsPath, s.uri]));
    const runs = this.training.runs().map((r) => ({ name: r.name, dir: r.dir, tags: r.tags.map((t) => t.tag) }));
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '/';
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const placed of placeRunFindings(loaderScripts, runs, findings, root)) {
      const uri = uris.get(placed.path);
      if (!uri) continue;
      const { span, finding } = placed;
      const range = new vscode.Range(span.line, span.column, span.endLine, span.endColumn);
      const diagnostic = new vscode.Diagnostic(range, describeInputBound(placed), toSeverity(finding.severity));
      diagnostic.source = DIAGNOSTIC_SOURCE;
      diagnostic.code = INPUT_BOUND_CODE;
      this.placedByDiagnostic.set(keyOf(uri, diagnostic), placed);
      const list = byFile.get(uri.toString()) ?? [];
      list.push(diagnostic);
      byFile.set(uri.toString(), list);
    }
    for (const [key, diagnostics] of byFile) this.collection.set(vscode.Uri.parse(key), diagnostics);
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE || diagnostic.code !== INPUT_BOUND_CODE) continue;
      const placed = this.placedByDiagnostic.get(keyOf(document.uri, diagnostic));
      if (!placed) continue;
      if (placed.at === 'data-loader') {
        // The fix is worked out from the text as it is now, which may have moved since the scan.
        const source = document.getText();
        const fix = dataLoaderFix(source, diagnostic.range.start.line, { workers: suggestedWorkers(), pinMemory: usesCuda(source) });
        if (fix) {
          const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
          const edit = new vscode.WorkspaceEdit();
          for (const e of fix.edits) edit.replace(document.uri, new vscode.Range(e.span.line, e.span.column, e.span.endLine, e.span.endColumn), e.newText);
          action.edit = edit;
          action.diagnostics = [diagnostic];
          action.isPreferred = true;
          actions.push(action);
        }
      }
      const open = new vscode.CodeAction(`Open the efficiency of ${placed.finding.run}`, vscode.CodeActionKind.QuickFix);
      const args = { runs: [placed.finding.run], section: 'efficiency' };
      open.command = { command: 'modelmon.openTrainingDashboard', title: open.title, arguments: [args] };
      open.diagnostics = [diagnostic];
      actions.push(open);
    }
    return actions;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * The problem's text: the engine's verdict, what the loader line says about workers, and the run,
 * saying so when only the tag name ties the script to the run.
 */
export function describeInputBound(placed: PlacedRunFinding<RunEfficiencyFinding>): string {
  const parts = [placed.finding.message];
  const hint = placed.loader && loaderHint(placed.loader);
  if (hint) parts.push(hint);
  if (placed.at === 'writer') parts.push('no DataLoader( in this script');
  const tie = placed.by === 'tag-name' ? '; tied by tag name only: no writer in this script points at the run' : '';
  return `${parts.join('; ')} (run ${placed.finding.run}${tie})`;
}

function loaderHint(loader: DataLoaderCall): string | undefined {
  const w = loader.numWorkers;
  if (w.state === 'missing') return 'num_workers is not set, so batches are loaded in the training process';
  if (w.state === 'literal' && w.value === 0) return 'num_workers=0 loads batches in the training process';
  return undefined;
}

function toSeverity(severity: RunEfficiencyFinding['severity']): vscode.DiagnosticSeverity {
  return severity === 'error' ? vscode.DiagnosticSeverity.Error : severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
}

function keyOf(uri: vscode.Uri, d: vscode.Diagnostic): string {
  return `${uri.toString()}|${d.range.start.line}:${d.range.start.character}|${d.message}`;
}
