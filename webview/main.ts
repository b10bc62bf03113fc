/**
 * The one webview bundle behind every dashboard. In a VS Code webview it learns which panel it is
 * from `<body data-panel>`, says `ready` and renders what the host posts. In the static HTML report
 * (no `acquireVsCodeApi`) it reads the embedded state and renders every panel in it, no messaging.
 */
import {
  DATA_ELEMENT_ID,
  isHostMessage,
  isPanelKind,
  PANEL_ATTRIBUTE,
  ROOT_ELEMENT_ID,
  type HostToWebview,
  type PanelKind,
  type PanelState,
  type StaticReportData,
} from '../src/protocol';
import { staticBridge, vscodeBridge, type Bridge } from './bridge';
import type { Dashboard } from './dashboard';
import { emptyState, h } from './dom';
import { EndpointDashboard } from './endpoint';
import { GpuDashboard } from './gpu';
import { PredictionsDashboard } from './predictions';
import { onThemeChange } from './theme';
import { TrainingDashboard } from './training';

type AnyDashboard = Dashboard<unknown, unknown>;

function createDashboard(panel: PanelKind, root: HTMLElement, bridge: Bridge): AnyDashboard {
  switch (panel) {
    case 'training':
      return new TrainingDashboard(root, bridge) as AnyDashboard;
    case 'predictions':
      return new PredictionsDashboard(root, bridge) as AnyDashboard;
    case 'gpu':
      return new GpuDashboard(root, bridge) as AnyDashboard;
    case 'endpoint':
      return new EndpointDashboard(root, bridge) as AnyDashboard;
  }
}

function runInWebview(api: VsCodeWebviewApi, root: HTMLElement): void {
  const bridge = vscodeBridge(api);
  const panel = document.body.getAttribute(PANEL_ATTRIBUTE);
  if (!isPanelKind(panel)) {
    bridge.post({ type: 'error', message: `unknown panel ${String(panel)}` });
    return;
  }
  // Shown until the host's `init` arrives (a large logdir can take a moment to read).
  root.append(emptyState('Loading…'));
  const dashboard = createDashboard(panel, root, bridge);
  const report = (e: unknown) => bridge.post({ type: 'error', message: String(e instanceof Error ? (e.stack ?? e.message) : e).slice(0, 4000) });
  window.addEventListener('error', (e) => report(e.error ?? e.message));
  window.addEventListener('unhandledrejection', (e) => report(e.reason));
  // A CSP violation means something in the bundle needs a policy it must not get: say so in the log.
  document.addEventListener('securitypolicyviolation', (e) => report(`CSP blocked ${e.violatedDirective}: ${e.blockedURI || 'inline'}`));
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const message = event.data;
    if (!isHostMessage(message) || message.panel !== panel) return;
    try {
      handle(dashboard, message);
    } catch (e) {
      report(e);
    }
  });
  onThemeChange(() => dashboard.themeChanged());
  bridge.post({ type: 'ready', panel });
}

function handle(dashboard: AnyDashboard, message: HostToWebview): void {
  switch (message.type) {
    case 'init':
      dashboard.init(message.state, message.panel === 'training' ? message.focus : undefined);
      break;
    case 'update':
      dashboard.update(message.update);
      break;
    case 'reveal':
      dashboard.reveal?.(message.focus);
      break;
  }
}

function runStatic(data: StaticReportData, root: HTMLElement): void {
  const bridge = staticBridge();
  document.title ||= data.title;
  const dashboards: AnyDashboard[] = [];
  root.append(h('header', { class: 'report-header' }, h('h1', {}, data.title), h('span', { class: 'subtle' }, `Generated ${new Date(data.generatedAt).toLocaleString()}`)));
  for (const state of data.panels) {
    const host = h('div', { class: 'report-panel', 'data-panel': state.panel });
    root.append(host);
    const dashboard = createDashboard(state.panel, host, bridge);
    dashboard.init(state.state, state.panel === 'training' ? state.focus : undefined);
    dashboards.push(dashboard);
  }
  onThemeChange(() => dashboards.forEach((d) => d.themeChanged()));
}

function readStaticData(element: HTMLElement): StaticReportData | undefined {
  try {
    const data = JSON.parse(element.textContent ?? '') as unknown;
    if (typeof data !== 'object' || data === null) return undefined;
    const d = data as Partial<StaticReportData>;
    if (d.version !== 1 || !Array.isArray(d.panels)) return undefined;
    const panels = d.panels.filter((p: PanelState) => typeof p === 'object' && p !== null && isPanelKind(p.panel) && typeof p.state === 'object');
    return { version: 1, title: String(d.title ?? 'Model Monitor report'), generatedAt: String(d.generatedAt ?? new Date().toISOString()), panels };
  } catch {
    return undefined;
  }
}

function start(): void {
  const root = document.getElementById(ROOT_ELEMENT_ID) ?? document.body.appendChild(h('main', { id: ROOT_ELEMENT_ID }));
  if (typeof acquireVsCodeApi === 'function') {
    runInWebview(acquireVsCodeApi(), root);
    return;
  }
  const dataElement = document.getElementById(DATA_ELEMENT_ID);
  const data = dataElement ? readStaticData(dataElement) : undefined;
  if (!data) {
    root.append(h('p', { class: 'empty-headline' }, 'This report holds no readable data.'));
    return;
  }
  document.body.classList.add('modelmon-static');
  runStatic(data, root);
}

start();
