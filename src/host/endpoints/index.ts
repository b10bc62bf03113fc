import * as vscode from 'vscode';
import { loadConfig, type EndpointMonitorConfig, type ModelmonConfig } from '../../core/config';
import { VIEW_TYPES, TITLES, webviewOptions, type PanelContext } from '../panels/dashboardPanel';
import type { AlertCenter } from '../alerts/alertCenter';
import type { MonitorLog } from '../log';
import type { EndpointsState } from '../../protocol/endpoints';
import { EndpointPanel } from './endpointPanel';
import { EndpointTree } from './endpointTree';
import { tokenKey, WorkspaceEndpoints } from './workspaceEndpoints';

export { WorkspaceEndpoints } from './workspaceEndpoints';

export interface EndpointsDeps {
  readonly extension: vscode.ExtensionContext;
  readonly alerts: AlertCenter;
  readonly log: MonitorLog;
  /** The workspace's loaded `modelmon.json` files and their changes. */
  readonly configs: { readonly onDidChange: vscode.Event<unknown>; loaded(): readonly { readonly uri: vscode.Uri; readonly config: ModelmonConfig }[] };
  /** Fires render reports of the dashboard (the panels' shared emitter). */
  readonly rendered: PanelContext['rendered'];
}

/** `modelmon.endpoints` entries, validated and defaulted as modelmon.json's are; a bad setting is logged once and skipped. */
function endpointsFromSettings(log: MonitorLog): EndpointMonitorConfig[] {
  const raw = vscode.workspace.getConfiguration('modelmon').get<unknown[]>('endpoints', []);
  if (!Array.isArray(raw) || !raw.length) return [];
  const { config, problems } = loadConfig(JSON.stringify({ endpoints: raw }), 'settings');
  if (!config) {
    log.warn(`modelmon.endpoints: ${problems[0]?.message ?? 'unreadable'}`);
    return [];
  }
  return [...config.endpoints];
}

/**
 * The Endpoints view, its dashboard and commands, and the probing behind them; disposing the
 * result stops every probe and access-log tail.
 */
export function registerEndpoints(deps: EndpointsDeps): vscode.Disposable & { state(): EndpointsState } {
  const { extension, log } = deps;
  const endpoints = new WorkspaceEndpoints(extension.secrets, deps.alerts, log);
  const tree = new EndpointTree(endpoints);
  const disposables: vscode.Disposable[] = [endpoints, tree, vscode.window.createTreeView('modelmon.endpoints', { treeDataProvider: tree })];
  const reconfigure = () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    const fromFiles = deps.configs.loaded().flatMap(({ uri, config }) => config.endpoints.map((c) => ({ config: c, dir: vscode.Uri.joinPath(uri, '..').fsPath })));
    const fromSettings = endpointsFromSettings(log).map((c) => ({ config: c, dir: folder }));
    endpoints.configure([...fromFiles, ...fromSettings]);
  };
  disposables.push(
    deps.configs.onDidChange(reconfigure),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('modelmon.endpoints') && reconfigure()),
  );
  reconfigure();

  const context: PanelContext = { extensionUri: extension.extensionUri, log, rendered: deps.rendered };
  let panel: EndpointPanel | undefined;
  const track = (p: EndpointPanel) => {
    panel = p;
    p.onDidDispose(() => panel === p && (panel = undefined));
    return p;
  };
  const open = () => {
    if (panel) return panel.reveal();
    track(new EndpointPanel(vscode.window.createWebviewPanel(VIEW_TYPES.endpoint, TITLES.endpoint, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, webviewOptions(extension.extensionUri)), context, endpoints));
  };
  try {
    disposables.push(
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPES.endpoint, {
        deserializeWebviewPanel: async (restored) => {
          restored.webview.options = webviewOptions(extension.extensionUri);
          panel?.dispose();
          track(new EndpointPanel(restored, context, endpoints));
        },
      }),
    );
  } catch (e) {
    log.warn(`endpoints: no serializer for the dashboard: ${e instanceof Error ? e.message : String(e)}`);
  }
  disposables.push(
    { dispose: () => panel?.dispose() },
    vscode.commands.registerCommand('modelmon.openEndpointDashboard', open),
    vscode.commands.registerCommand('modelmon.probeEndpoints', () => endpoints.probeNow()),
    vscode.commands.registerCommand('modelmon.setEndpointToken', async () => {
      const origin = await vscode.window.showInputBox({ title: 'Endpoint origin', prompt: 'The origin the token is sent to, e.g. https://models.example.com', validateInput: (v) => (/^https?:\/\/[^/]+$/.test(v.trim()) ? undefined : 'scheme://host[:port], no path') });
      if (!origin) return;
      const token = await vscode.window.showInputBox({ title: `Bearer token for ${origin.trim()}`, password: true, prompt: 'Kept in VS Code\'s secret storage; never written to a file or log.' });
      if (token === undefined) return;
      await (token ? extension.secrets.store(tokenKey(origin.trim()), token) : extension.secrets.delete(tokenKey(origin.trim())));
      await endpoints.probeNow();
    }),
    deps.alerts.registerOpener('endpoint:', () => open()),
  );
  const all = vscode.Disposable.from(...disposables);
  return { dispose: () => all.dispose(), state: () => endpoints.state() };
}
