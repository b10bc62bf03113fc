import * as vscode from 'vscode';
import type { EndpointView } from '../../protocol/endpoints';
import type { WorkspaceEndpoints } from './workspaceEndpoints';

const ICONS: Record<EndpointView['state'], [string, string | undefined]> = {
  up: ['pass', 'testing.iconPassed'],
  degraded: ['warning', 'list.warningForeground'],
  down: ['error', 'list.errorForeground'],
  unknown: ['circle-outline', undefined],
  off: ['circle-slash', undefined],
};

/** The label's description: state and last latency, e.g. "up · 3.2 ms". */
export function endpointDescription(e: EndpointView): string {
  const latency = e.state === 'up' || e.state === 'degraded' ? (e.lastMs !== null ? ` · ${e.lastMs.toFixed(1)} ms` : '') : '';
  return `${e.state}${latency}`;
}

/** The `modelmon.endpoints` view: one item per endpoint, up / degraded / down with its last latency. */
export class EndpointTree implements vscode.TreeDataProvider<EndpointView>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly endpoints: WorkspaceEndpoints) {
    this.subscription = endpoints.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(element?: EndpointView): EndpointView[] {
    return element ? [] : [...this.endpoints.state().endpoints];
  }

  getTreeItem(e: EndpointView): vscode.TreeItem {
    const item = new vscode.TreeItem(e.name, vscode.TreeItemCollapsibleState.None);
    item.id = `endpoint:${e.name}`;
    item.description = endpointDescription(e);
    const [icon, colour] = ICONS[e.state];
    item.iconPath = new vscode.ThemeIcon(icon, colour ? new vscode.ThemeColor(colour) : undefined);
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(`${e.url} (${e.protocol})\n${e.lastMessage ?? e.state}`);
    item.tooltip = tooltip;
    item.contextValue = `modelmon.endpoint.${e.state}`;
    item.command = { command: 'modelmon.openEndpointDashboard', title: 'Open Endpoint Dashboard' };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
