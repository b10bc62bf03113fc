// Item 1 of issue 13: an ad-hoc drift check opens its own panel and never touches the live
// monitor (its dashboard, its tree items, its alert history). Also saves the predictions
// dashboards and the ad-hoc panel in light and dark, at full and half width.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { DriftCheckResult, ExplorerNode, ModelMonitorApi, RenderEvent } from '../../../src/host/api';
import { clickInWebview, extensionApi, runCommand, screenshot, waitFor, workspaceRoot } from './harness';

const TABULAR = 'predictions/tabular_dev.csv';

/** What a user can see of the live monitor: the logs' reports, the tree's log items, the alert history. */
async function liveState(api: ModelMonitorApi): Promise<string> {
  const sections = (await api.explorer.getChildren()) as ExplorerNode[];
  const tree: string[] = [];
  for (const s of sections) {
    if (s.kind !== 'section' || (s.section !== 'predictions' && s.section !== 'alerts')) continue;
    for (const child of ((await api.explorer.getChildren(s)) ?? []) as ExplorerNode[]) {
      const item = await api.explorer.getTreeItem(child);
      tree.push(`${String(typeof item.label === 'string' ? item.label : item.label?.label)} | ${String(item.description ?? '')}`);
    }
  }
  const alerts = api.alerts().map((i) => ({ source: i.source, kind: i.kind, message: i.message, count: i.count, state: i.state, events: i.events.length }));
  return JSON.stringify({ logs: api.predictionLogs(), tree, alerts }, null, 1);
}

const tabLabels = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));

describe('ad-hoc drift checks', function () {
  this.timeout(120_000);
  let api: ModelMonitorApi;
  const renders: RenderEvent[] = [];
  let subscription: vscode.Disposable | undefined;

  const shoot = async (name: string) => {
    await vscode.commands.executeCommand('notifications.clearAll');
    await new Promise((res) => setTimeout(res, 500));
    return screenshot(name);
  };
  const nextRender = (since: number, what: string, withPoints = true) =>
    waitFor(() => renders.slice(since).find((r) => r.panel === 'predictions' && (!withPoints || r.points > 0)), what, 30_000);

  before(async () => {
    api = await extensionApi<ModelMonitorApi>();
    await api.ready();
    subscription = api.onDidRender((r) => renders.push(r));
    await waitFor(() => api.predictionLogs().length === 2 && api.predictionLogs().every((l) => l.report), 'both prediction logs analysed', 60_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
  });

  after(async () => {
    subscription?.dispose();
    await vscode.commands.executeCommand('vscode.setEditorLayout', { orientation: 0, groups: [{}] });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.view.explorer');
  });

  it('Check Drift and Compare Two Row Ranges open their own titled panels and leave the live dashboard, tree and alert history unchanged', async () => {
    const log = join(workspaceRoot, TABULAR);
    let since = renders.length;
    await runCommand('modelmon.openPredictionsDashboard', { log: TABULAR });
    const live = await nextRender(since, 'the live predictions dashboard');
    const before = await liveState(api);

    since = renders.length;
    const check = await runCommand<DriftCheckResult>('modelmon.checkDrift', { log: TABULAR, reference: { kind: 'rows', rows: 1000 }, test: 'ks' });
    assert.ok(check?.drifted.includes('mean_radius'), `the check finds the drift: ${check?.summary}`);
    const checkTitle = 'Drift check (ks): tabular_dev.csv rows 1000–3999 vs first 1000 rows';
    await waitFor(() => tabLabels().includes(checkTitle), `a tab titled "${checkTitle}" (tabs: ${tabLabels().join(', ')})`);
    await nextRender(since, 'the drift check panel', false);
    await shoot('drift-check');

    // The wizard's two input boxes, accepted with their proposed ranges: 0-2000, then 2000-4000.
    since = renders.length;
    const compared = runCommand<DriftCheckResult>('modelmon.compareRanges', { log: TABULAR });
    for (let i = 0; i < 2; i++) {
      await new Promise((res) => setTimeout(res, 1500));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    const ranges = await compared;
    assert.ok(ranges, 'Compare Two Row Ranges returns its result');
    assert.equal(ranges.reference, 'rows 0–1999');
    assert.equal(ranges.currentRows, 2000);
    const rangeTitle = 'Drift check (auto): tabular_dev.csv rows 2000–3999 vs rows 0–1999';
    await waitFor(() => tabLabels().includes(rangeTitle), `a tab titled "${rangeTitle}" (tabs: ${tabLabels().join(', ')})`);
    await nextRender(since, 'the compare-ranges panel', false);

    assert.equal(await liveState(api), before, 'the logs, their tree items and the alert history are as before the checks');
    assert.ok(tabLabels().includes('Predictions'), 'the live dashboard is still open under its own title');
    // The live dashboard draws the live report again, window for window.
    since = renders.length;
    await runCommand('modelmon.openPredictionsDashboard', { log: TABULAR });
    await vscode.commands.executeCommand('workbench.action.webview.reloadWebviewAction');
    const again = await nextRender(since, 'the live dashboard after the checks');
    assert.equal(again.points, live.points);
    assert.equal(api.predictionLogs().find((l) => l.path === log)?.report?.windows.length, 6);
  });

  it('sorts the suspicious rows by score (highest first), row or reason with real clicks', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const since = renders.length;
    await runCommand('modelmon.openPredictionsDashboard', { log: join(workspaceRoot, 'predictions', 'digits_dev.jsonl') });
    await nextRender(since, 'the digits dashboard');
    await clickInWebview('#suspicious .sort-button', 'Row');
    await shoot('predictions-digits-suspicious-by-row');
    await clickInWebview('#suspicious .sort-button', 'Score');
    await shoot('predictions-digits-suspicious-by-score');
  });

  it('saves the predictions dashboards and a drift check, light and dark, full and half width', async () => {
    const workbench = vscode.workspace.getConfiguration('workbench');
    const theme = workbench.inspect<string>('colorTheme')?.globalValue;
    const digits = join(workspaceRoot, 'predictions', 'digits_dev.jsonl');
    const views: { name: string; open: () => Thenable<unknown> }[] = [
      { name: 'predictions-tabular', open: () => runCommand('modelmon.openPredictionsDashboard', { log: TABULAR }) },
      { name: 'predictions-digits', open: () => runCommand('modelmon.openPredictionsDashboard', { log: digits }) },
      { name: 'drift-check-digits', open: () => runCommand('modelmon.checkDrift', { log: digits, reference: { kind: 'range', start: 0, end: 1000 }, range: { start: 1500, end: 2500 }, test: 'ks' }) },
    ];
    try {
      for (const dark of [false, true]) {
        if (dark) await workbench.update('colorTheme', 'Default Dark Modern', vscode.ConfigurationTarget.Global);
        for (const half of [false, true]) {
          for (const view of views) {
            await vscode.commands.executeCommand('workbench.action.closeAllEditors');
            await vscode.commands.executeCommand('vscode.setEditorLayout', { orientation: 0, groups: half ? [{ size: 0.5 }, { size: 0.5 }] : [{}] });
            await vscode.commands.executeCommand('workbench.action.focusFirstEditorGroup');
            const since = renders.length;
            await view.open();
            await nextRender(since, `${view.name} drawn`, !view.name.startsWith('drift-check'));
            if (half) await vscode.window.showTextDocument(vscode.Uri.file(join(workspaceRoot, 'modelmon.json')), { viewColumn: vscode.ViewColumn.Two, preserveFocus: true });
            const name = `${view.name}${dark ? '-dark' : ''}${half ? '-half' : ''}`;
            await shoot(name);
            // A real click on a heading scrolls the page to it: the drift table, then the suspicious rows.
            await clickInWebview('#drift th', 'Verdict');
            await shoot(`${name}-drift`);
            if (view.name === 'predictions-digits') {
              await clickInWebview('#suspicious th', 'Line');
              await shoot(`${name}-suspicious`);
            }
          }
        }
      }
    } finally {
      await workbench.update('colorTheme', theme, vscode.ConfigurationTarget.Global);
    }
  });
});
