import * as vscode from 'vscode';
import type { PredictionLogs } from '../predictions/service';
import { DIAGNOSTIC_SOURCE } from './trainingCode';

/** Unparseable lines and data-quality problems of prediction logs, at their line in the file. */
export class PredictionLogDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('modelmon-predictions');
  private readonly subscription: vscode.Disposable;

  constructor(private readonly predictions: PredictionLogs) {
    this.subscription = predictions.onDidChange(() => this.update());
  }

  update(): void {
    this.collection.clear();
    for (const log of this.predictions.logs()) {
      const diagnostics = log.problems.slice(0, 500).map((p) => {
        const line = Math.max(0, p.line - 1);
        const d = new vscode.Diagnostic(
          new vscode.Range(line, 0, line, 10_000),
          p.message,
          p.severity === 'error' ? vscode.DiagnosticSeverity.Error : p.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information,
        );
        d.source = DIAGNOSTIC_SOURCE;
        return d;
      });
      if (diagnostics.length) this.collection.set(vscode.Uri.file(log.path), diagnostics);
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.collection.dispose();
  }
}
