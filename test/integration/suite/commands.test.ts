import * as assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { DriftCheckResult, ModelMonitorApi } from '../../../src/host/api';
import { extensionApi, outputDir, runCommand, waitFor, workspaceRoot } from './harness';

const DRIFTED = ['mean_radius', 'mean_texture', 'worst_area'];

describe('Model Monitor commands', () => {
  let api: ModelMonitorApi;

  before(async () => {
    api = await extensionApi<ModelMonitorApi>();
    await api.ready();
  });

  it('checkDrift finds the drifted features of predictions/tabular_dev.csv first', async () => {
    const result = await runCommand<DriftCheckResult>('modelmon.checkDrift', {
      log: 'predictions/tabular_dev.csv',
      reference: { kind: 'rows', rows: 1000 },
      test: 'auto',
      silent: true,
    });
    assert.ok(result, 'the command returns its result');
    assert.equal(result.log, join(workspaceRoot, 'predictions', 'tabular_dev.csv'));
    assert.equal(result.referenceRows, 1000);
    assert.equal(result.currentRows, 3000);
    assert.equal(result.features.length, 30);
    assert.deepEqual(result.drifted.slice(0, 3).sort(), [...DRIFTED].sort());
    assert.deepEqual(result.features.slice(0, 3).map((f) => f.feature).sort(), [...DRIFTED].sort());
    assert.ok(result.features.slice(0, 3).every((f) => f.drifted && f.test === 'ks' && (f.pValue ?? 1) < 1e-10));
    assert.match(result.summary, /mean_radius/);
  });

  it('checkDrift honours the chosen test and a row-range comparison', async () => {
    const wasserstein = await api.checkDrift({ log: 'predictions/tabular_dev.csv', test: 'wasserstein' });
    assert.deepEqual([...wasserstein.drifted].sort(), [...DRIFTED].sort());
    assert.ok(wasserstein.features.every((f) => f.test === 'wasserstein'));
    // Rows 0-999 against 1000-1999: both before the drift starts at row 2000.
    const calm = await api.checkDrift({ log: 'predictions/tabular_dev.csv', test: 'jensenshannon', reference: { kind: 'range', start: 0, end: 1000 }, range: { start: 1000, end: 2000 } });
    assert.deepEqual(calm.drifted, []);
    assert.equal(calm.currentRows, 1000);
  });

  it('raises a drift alert once per episode and lets it be acknowledged and snoozed', async () => {
    const source = `predictions:${join(workspaceRoot, 'predictions', 'tabular_dev.csv')}`;
    const incident = await waitFor(() => api.alerts().find((i) => i.source === source && i.kind === 'drift' && i.state !== 'resolved'), 'a drift incident for tabular_dev.csv');
    const before = api.alerts().filter((i) => i.source === source).length;
    await api.checkDrift({ log: 'predictions/tabular_dev.csv' });
    assert.equal(api.alerts().filter((i) => i.source === source).length, before, 'a repeat joins the open episode');
    await runCommand('modelmon.snoozeAlert', incident.id);
    assert.equal(api.alerts().find((i) => i.id === incident.id)?.state, 'snoozed');
    await runCommand('modelmon.acknowledgeAlert', incident.id);
    const acknowledged = api.alerts().find((i) => i.id === incident.id);
    assert.equal(acknowledged?.state, 'acknowledged');
    assert.deepEqual(acknowledged?.events.map((e) => e.kind).filter((k) => k !== 'repeated').slice(-2), ['snoozed', 'acknowledged']);
  });

  it('analyses the prediction logs of the workspace', async () => {
    const logs = await waitFor(() => {
      const l = api.predictionLogs();
      return l.length === 2 && l.every((x) => x.report) ? l : undefined;
    }, 'both prediction logs analysed', 30_000);
    const tabular = logs.find((l) => l.path.endsWith('tabular_dev.csv'));
    assert.equal(tabular?.rows, 4000);
    assert.equal(tabular?.drifted, true);
  });

  it('adds a log directory outside the workspace by command', async () => {
    const extra = join(outputDir, 'extra-logdir', 'copied_run');
    rmSync(join(outputDir, 'extra-logdir'), { recursive: true, force: true });
    mkdirSync(extra, { recursive: true });
    cpSync(join(workspaceRoot, 'runs', 'nan_divergence'), extra, { recursive: true });
    const logdir = join(outputDir, 'extra-logdir');
    const dirs = await runCommand<string[]>('modelmon.addLogDir', logdir);
    assert.ok(dirs?.includes(logdir), `log dirs: ${dirs?.join(', ')}`);
    const run = await waitFor(() => api.runs().find((r) => r.logdir === logdir), 'the added run');
    assert.equal(run.name, 'copied_run');
    // A directory inside one already watched adds nothing: its runs are read once.
    const again = await runCommand<string[]>('modelmon.addLogDir', join(workspaceRoot, 'runs', 'tf2_style'));
    assert.ok(!again?.includes(join(workspaceRoot, 'runs', 'tf2_style')));
    assert.equal(api.runs().filter((r) => r.dir === join(workspaceRoot, 'runs', 'tf2_style', 'train')).length, 1);
    await runCommand('modelmon.removeLogDir', join(workspaceRoot, 'runs', 'tf2_style'));
    const after = await runCommand<string[]>('modelmon.removeLogDir', logdir);
    assert.ok(!after?.includes(logdir));
    assert.ok(!api.runs().some((r) => r.logdir === logdir));
  });

  it('exports the HTML report of the workspace', async () => {
    const target = vscode.Uri.file(join(outputDir, 'extension-report.html'));
    rmSync(target.fsPath, { force: true });
    await runCommand('modelmon.exportReport', target);
    const html = readFileSync(target.fsPath, 'utf8');
    assert.match(html, /<html/i);
    assert.match(html, /nan_divergence/);
    assert.match(html, /tabular/);
  });

  it('keeps palette entries behind when clauses', async () => {
    const pkg = vscode.extensions.getExtension('modelmonitor.model-monitor')!.packageJSON as {
      contributes: { commands: { command: string }[]; menus: { commandPalette: { command: string; when: string }[] } };
    };
    const guarded = new Set(pkg.contributes.menus.commandPalette.map((m) => m.command));
    assert.deepEqual(pkg.contributes.commands.map((c) => c.command).filter((c) => !guarded.has(c)), []);
  });
});
