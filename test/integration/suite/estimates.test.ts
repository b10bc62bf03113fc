// Issue 17: the predictions dashboard shows the latest window's CBPE estimates beside the realised
// values, the same figures the engine's view carries (one truth), in a real VS Code.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ModelMonitorApi, RenderEvent } from '../../../src/host/api';
import { formatCount, formatNumber } from '../../../src/core/charts/format';
import { clickInWebview, extensionApi, runCommand, screenshot, waitFor } from './harness';

const DIGITS = 'predictions/digits_dev.jsonl';

describe('estimated performance', function () {
  this.timeout(120_000);
  let api: ModelMonitorApi;
  const renders: RenderEvent[] = [];
  let subscription: vscode.Disposable | undefined;

  before(async () => {
    api = await extensionApi<ModelMonitorApi>();
    await api.ready();
    subscription = api.onDidRender((r) => renders.push(r));
    await waitFor(() => api.predictionLogs().find((l) => l.label.endsWith('digits_dev.jsonl'))?.report, 'the digits log analysed', 90_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    subscription?.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows CBPE estimates beside realised values for the digits log, and draws the estimate/realised pairs', async () => {
    const report = api.predictionLogs().find((l) => l.label.endsWith('digits_dev.jsonl'))!.report!;
    const e = report.estimates;
    assert.ok(e, 'the engine estimated the latest window');
    assert.equal(e.method, 'CBPE (macro)');
    assert.deepEqual(e.metrics.map((m) => m.label), ['precision', 'recall', 'F1', 'ROC AUC']);
    const since = renders.length;
    await runCommand('modelmon.openPredictionsDashboard', { log: DIGITS });
    const r = await waitFor(() => renders.slice(since).find((x) => x.panel === 'predictions' && x.points > 0), 'the predictions dashboard drawn', 30_000);
    // Every window draws each metric key, estimatedMacroF1 and estimatedRocAuc among them.
    const keys = new Set(report.windows.flatMap((w) => Object.entries(w.metrics).filter(([, v]) => v !== null && Number.isFinite(v)).map(([k]) => k)));
    assert.ok(keys.has('estimatedMacroF1') && keys.has('estimatedRocAuc') && keys.has('rocAuc'), [...keys].join(', '));
    assert.equal(r.points, report.windows.length * keys.size);
    // The table's cells hold the engine's figures: the click fails when no cell shows them.
    const f1 = e.metrics.find((m) => m.label === 'F1')!;
    await clickInWebview('#estimates td', formatNumber(f1.estimated, 4));
    await clickInWebview('#estimates td', formatNumber(f1.realised, 4));
    await clickInWebview('#estimates .section-note', `${formatCount(e.labelled)} of ${formatCount(e.rows)} labelled`);
    await screenshot('predictions-estimates');
  });
});
