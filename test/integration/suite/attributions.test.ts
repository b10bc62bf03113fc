// Issue 17: a prediction log with per-row SHAP values, written while the editor runs: the tree and
// the dashboard show the attribution_drift alert and the attribution ranking the engine computed.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ModelMonitorApi, RenderEvent } from '../../../src/host/api';
import { formatNumber } from '../../../src/core/charts/format';
import { withLinearShap } from '../../unit/helpers/attributionLog';
import { EXTENSION_ID, clickInWebview, extensionApi, runCommand, screenshot, waitFor, workspaceRoot } from './harness';

describe('attribution drift in the editor', function () {
  this.timeout(120_000);
  let api: ModelMonitorApi;
  const renders: RenderEvent[] = [];
  let subscription: vscode.Disposable | undefined;
  const dir = vscode.Uri.file(join(workspaceRoot, 'predictions', 'shap-under-test'));
  const log = vscode.Uri.joinPath(dir, 'served.jsonl');

  before(async () => {
    api = await extensionApi<ModelMonitorApi>();
    await api.ready();
    subscription = api.onDidRender((r) => renders.push(r));
    // The tabular fixture's clean rows, served from row 1500 by a model that leans on worst_area.
    const repo = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
    const clean = readFileSync(join(repo, 'test/fixtures/predictions/tabular_dev.jsonl'), 'utf8').split('\n').slice(0, 2000);
    const lines = withLinearShap(clean, { update: { from: 1500, factors: { worst_area: 3 } } }).lines;
    await vscode.workspace.fs.writeFile(log, Buffer.from(lines.join('\n') + '\n'));
  });

  after(async () => {
    subscription?.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(dir, { recursive: true }).then(undefined, () => undefined);
  });

  it('raises attribution_drift on worst_area and shows the ranking on the predictions dashboard', async () => {
    const entry = await waitFor(() => api.predictionLogs().find((l) => l.path === log.fsPath && l.report && l.report.rows === 2000), 'the SHAP log analysed', 60_000);
    const report = entry.report!;
    const alert = report.alerts.find((a) => a.kind === 'attribution_drift');
    assert.ok(alert, report.alerts.map((a) => a.kind).join(', '));
    // The editor's own window settings (not the CLI's 200 rows) decide the row; within 300 of the update.
    assert.ok(alert.line > 1500 && alert.line <= 1800, `line ${alert.line}`);
    assert.deepEqual(alert.features, ['worst_area']);
    assert.match(alert.message, /worst_area: attribution rank 10 -> [12] /);
    const a = report.attributions!;
    assert.deepEqual([a.features[0]!.feature, a.features[0]!.referenceRank, a.features[0]!.rank, a.features[0]!.moved], ['worst_area', 10, 1, true]);
    const since = renders.length;
    await runCommand('modelmon.openPredictionsDashboard', { log: log.fsPath });
    await waitFor(() => renders.slice(since).find((x) => x.panel === 'predictions' && x.points > 0), 'the predictions dashboard drawn', 30_000);
    // The table's cells hold the engine's figures: each click fails when no cell shows them.
    await clickInWebview('#attributions td', 'worst_area');
    await clickInWebview('#attributions td', formatNumber(a.features[0]!.current, 3));
    await clickInWebview('#attributions .section-note', '1 feature moved');
    await screenshot('predictions-attributions');
  });
});
