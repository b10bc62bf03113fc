import * as vscode from 'vscode';
import { findUnsafeLoads, type SourceEdit, type UnsafeLoad } from '../../core/integrity/unsafe-loads';

const SOURCE = 'Model Monitor';
const DEBOUNCE_MS = 300;

function toDiagnostic(f: UnsafeLoad): vscode.Diagnostic {
  const d = new vscode.Diagnostic(rangeOf(f), f.message, vscode.DiagnosticSeverity.Warning);
  d.source = SOURCE;
  d.code = f.kind;
  return d;
}

function rangeOf(f: UnsafeLoad): vscode.Range {
  return new vscode.Range(f.line, f.startColumn, f.line, f.endColumn);
}

function toRange(edit: SourceEdit): vscode.Range {
  return new vscode.Range(edit.start.line, edit.start.character, edit.end.line, edit.end.character);
}

/**
 * Warns on Python calls that unpickle checkpoints (torch.load without weights_only=True,
 * pickle/joblib/dill loads...) and offers the `weights_only=True` quick fix. The analysis is
 * {@link findUnsafeLoads} in core; this class only maps it to diagnostics and code actions.
 */
export class UnsafeLoadDiagnostics implements vscode.CodeActionProvider, vscode.Disposable {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];

  private readonly diagnostics = vscode.languages.createDiagnosticCollection('modelmon-unsafe-load');
  private readonly disposables: vscode.Disposable[] = [this.diagnostics];
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly output: vscode.OutputChannel) {}

  /** Starts watching Python documents and registers the quick fix provider; they end with {@link dispose}. */
  register(): void {
    const selector: vscode.DocumentSelector = { language: 'python' };
    this.disposables.push(
      vscode.languages.registerCodeActionsProvider(selector, this, { providedCodeActionKinds: UnsafeLoadDiagnostics.providedCodeActionKinds }),
      vscode.workspace.onDidOpenTextDocument((d) => this.refresh(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d)),
    );
    for (const d of vscode.workspace.textDocuments) this.refresh(d);
  }

  /** Recomputes the diagnostics of one document now. */
  refresh(document: vscode.TextDocument): void {
    if (document.languageId !== 'python') return;
    try {
      const found = findUnsafeLoads(document.getText());
      this.diagnostics.set(
        document.uri,
        found.map(toDiagnostic),
      );
    } catch (e) {
      this.output.appendLine(`unsafe-load check failed for ${document.uri.fsPath}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const ours = context.diagnostics.filter((d) => d.source === SOURCE);
    if (!ours.length) return [];
    // Diagnostics come back from the editor as plain copies, so the fix is recomputed from the text.
    const actions: vscode.CodeAction[] = [];
    for (const f of findUnsafeLoads(document.getText())) {
      const d = ours.find((x) => x.range.isEqual(rangeOf(f)));
      if (!d || !f.fix) continue;
      const action = new vscode.CodeAction(f.fix.title, vscode.CodeActionKind.QuickFix);
      action.edit = new vscode.WorkspaceEdit();
      action.edit.replace(document.uri, toRange(f.fix.edit), f.fix.edit.newText);
      action.diagnostics = [d];
      action.isPreferred = true;
      actions.push(action);
    }
    return actions;
  }

  dispose(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private schedule(document: vscode.TextDocument): void {
    if (document.languageId !== 'python') return;
    const key = document.uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        this.refresh(document);
      }, DEBOUNCE_MS),
    );
  }

  private forget(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.delete(key);
    this.diagnostics.delete(document.uri);
  }
}
