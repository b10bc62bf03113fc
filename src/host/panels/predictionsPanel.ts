import * as vscode from 'vscode';
import type { HostToWebview, ViewOptions } from '../../protocol';
import type { PredictionsState } from '../../protocol/views';
import { coalesce, DashboardPanel, type PanelContext } from './dashboardPanel';
import type { PredictionsSource } from './ports';

/** The predictions dashboard: one log's report at a time; the page picks the log. */
export class PredictionsPanel extends DashboardPanel {
  private selected: string | undefined;

  constructor(
    panel: vscode.WebviewPanel,
    context: PanelContext,
    private readonly source: PredictionsSource | undefined,
    log?: string,
  ) {
    super('predictions', panel, context);
    this.selected = log;
    if (source) {
      const changed = coalesce(() => this.post({ type: 'update', panel: 'predictions', update: this.state() }), 300);
      this.disposables.push(source.onDidChange(changed), { dispose: changed.dispose });
    }
  }

  /** Shows another log in an open dashboard. */
  showLog(log: string | undefined): void {
    if (log) this.selected = log;
    this.post({ type: 'update', panel: 'predictions', update: this.state() });
  }

  get selectedLog(): string | undefined {
    return this.selected;
  }

  protected override initMessage(): HostToWebview {
    return { type: 'init', panel: 'predictions', state: this.state() };
  }

  protected override onOptions(options: ViewOptions): void {
    if (options.panel !== 'predictions') return;
    if (!this.source?.logs().some((l) => l.path === options.options.log)) return;
    this.showLog(options.options.log);
  }

  protected override allowedFiles(): ReadonlySet<string> {
    return new Set(this.source?.logs().map((l) => l.path) ?? []);
  }

  private state(): PredictionsState {
    const logs = this.source?.logs() ?? [];
    const selected = logs.find((l) => l.path === this.selected)?.path ?? logs[0]?.path ?? null;
    const report = selected ? (this.source?.report(selected) ?? null) : null;
    return { logs, selected, report };
  }
}
