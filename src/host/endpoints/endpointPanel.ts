import type * as vscode from 'vscode';
import type { HostToWebview } from '../../protocol';
import { DashboardPanel, type PanelContext } from '../panels/dashboardPanel';
import type { WorkspaceEndpoints } from './workspaceEndpoints';

/** The endpoint dashboard: the whole state on `ready`, then again after each round of probes. */
export class EndpointPanel extends DashboardPanel {
  constructor(panel: vscode.WebviewPanel, context: PanelContext, private readonly endpoints: WorkspaceEndpoints) {
    super('endpoint', panel, context);
    this.disposables.push(endpoints.onDidChange(() => this.post({ type: 'update', panel: 'endpoint', update: endpoints.state() })));
  }

  protected override initMessage(): HostToWebview {
    return { type: 'init', panel: 'endpoint', state: this.endpoints.state() };
  }
}
