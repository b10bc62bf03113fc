import * as vscode from 'vscode';
import { describeAlertKind, describeAlertSource, describeIncidentState } from '../../core/alerts';
import type { AlertCenter } from './alertCenter';

/** Where the alert history opens: a read-only virtual document. */
export const ALERT_HISTORY_URI = vscode.Uri.from({ scheme: 'modelmon-alerts', path: '/Alert History.md' });

/** The alert history as Markdown, served read-only and refreshed when alerts change. */
export class AlertHistoryDocument implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly alerts: AlertCenter) {}

  refresh(): void {
    this.changed.fire(ALERT_HISTORY_URI);
  }

  provideTextDocumentContent(): string {
    const time = (ms: number) => new Date(ms).toLocaleString();
    const lines = ['# Model Monitor alert history', ''];
    const incidents = [...this.alerts.history()].reverse();
    if (!incidents.length) lines.push('No alerts so far.');
    for (const i of incidents) {
      lines.push(`## ${i.severity.toUpperCase()} ${i.message}`, '', `${describeAlertSource(i.source)} · ${describeAlertKind(i.kind)} · ${describeIncidentState(i, time)} · seen ${i.count}×`, '');
      for (const e of i.events) lines.push(`- ${time(e.at)} ${e.kind}${e.note ? `: ${e.note}` : ''}`);
      lines.push('');
    }
    return lines.join('\n');
  }

  dispose(): void {
    this.changed.dispose();
  }
}
