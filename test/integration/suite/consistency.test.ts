// One picture in every view: the palette offers what applies, acknowledgements from modelmon.json
// show everywhere, the tree and the status bar agree on the GPU, and the dashboards at any width.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ExplorerNode, ModelMonitorApi } from '../../../src/host/api';
import { extensionApi, paletteEntries, runCommand, screenshot, waitFor, workspaceRoot } from './harness';

describe('one consistent picture', () => {
  let api: ModelMonitorApi;

  before(async () => {
    api = await extensionApi<ModelMonitorApi>();
    await api.ready();
  });

  const children = async (node?: ExplorerNode) => (await api.explorer.getChildren(node)) ?? [];
  const item = async (node: ExplorerNode) => api.explorer.getTreeItem(node);

  it('lists Open GPU Dashboard in the Command Palette where a GPU answers', async () => {
    await waitFor(() => /\d+%/.test(api.gpuStatusText() ?? '') || undefined, 'a GPU sample', 20_000);
    const entries = await paletteEntries('>Model Monitor: Open GPU');
    assert.ok(entries.some((e) => /Model Monitor: Open GPU Dashboard/.test(e)), `palette rows: ${JSON.stringify(entries)}`);
  });

  it('shows the GPU tree item and the status bar from the same sample, labelled replay, with the vendor', async () => {
    const [gpu] = await waitFor(async () => {
      const sections = await children();
      const section = sections.find((s) => s.kind === 'section' && s.section === 'gpu');
      const gpus = section ? await children(section) : [];
      return gpus.length ? gpus : undefined;
    }, 'the GPU section of the tree', 20_000);
    // Read both in one tick: they render the same reading object.
    const treeItem = await item(gpu!);
    const bar = api.gpuStatusText() ?? '';
    assert.match(String(treeItem.label), /^GPU 0 NVIDIA H100/);
    assert.match(String(treeItem.description), / · replay$/);
    assert.match(bar, / \(replay\)$/);
    const fromTree = String(treeItem.description).replace(/ · replay$/, '').split(' · ').join(' ');
    const fromBar = bar.replace(/^\$\([\w~-]+\) /, '').replace(/ \(replay\)$/, '');
    assert.equal(fromTree, fromBar);
    assert.match(fromBar, /^\d+% [\d.]+\/79\.6 GiB \d+°C$/);
  });

  it('labels the finding modelmon.json acknowledges as acknowledged in the tree and on its code', async () => {
    const sections = await children();
    const training = sections.find((s) => s.kind === 'section' && s.section === 'training')!;
    const top = await children(training);
    const findRun = async (nodes: ExplorerNode[]): Promise<ExplorerNode | undefined> => {
      for (const n of nodes) {
        if (n.kind === 'run' && n.run.name === 'diverge_lr5') return n;
        if (n.kind === 'runGroup') {
          const found = await findRun(await children(n));
          if (found) return found;
        }
      }
      return undefined;
    };
    const run = await findRun(top);
    assert.ok(run, 'the diverge_lr5 run in the tree');
    const runItem = await item(run);
    assert.match(String(runItem.description), /\d+ acknowledged/);
    const tags = await Promise.all((await children(run)).map(item));
    const acknowledged = tags.filter((t) => / · acknowledged$/.test(String(t.description)));
    assert.ok(acknowledged.length >= 1, `tag items: ${tags.map((t) => `${String(t.label)} ${String(t.description)}`).join('; ')}`);
    assert.match(String(acknowledged[0]!.tooltip), /acknowledged in modelmon\.json: the lr=5 arm of the sweep/);
    // The unacknowledged NaN of nan_divergence stays an error on train.py.
    const trainPy = vscode.Uri.file(join(workspaceRoot, 'train.py'));
    const nan = await waitFor(() => api.diagnosticsFor(trainPy).find((d) => /NaN/.test(d.message)), 'the NaN problem');
    assert.equal(nan.severity, vscode.DiagnosticSeverity.Error);
    assert.doesNotMatch(nan.message, /acknowledged/);
  });

  it('opens the alert history as a read-only document', async () => {
    await runCommand('modelmon.showAlertHistory');
    const editor = await waitFor(() => vscode.window.activeTextEditor, 'the alert history editor');
    assert.equal(editor.document.uri.scheme, 'modelmon-alerts');
    assert.equal(editor.document.isUntitled, false);
    assert.match(editor.document.getText(), /^# Model Monitor alert history/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  for (const theme of ['Default Light Modern', 'Default Dark Modern']) {
    const shade = /Light/.test(theme) ? 'light' : 'dark';
    it(`takes the training and GPU dashboards at full and half width (${shade})`, async () => {
      await vscode.workspace.getConfiguration('workbench').update('colorTheme', theme, vscode.ConfigurationTarget.Global);
      try {
        for (const [name, command] of [['training', 'modelmon.openTrainingDashboard'], ['gpu', 'modelmon.openGpuDashboard']] as const) {
          await vscode.commands.executeCommand('workbench.action.closeAllEditors');
          await runCommand(command);
          await new Promise((r) => setTimeout(r, 3000));
          await screenshot(`${name}-dashboard-full-${shade}`);
          // What a code link produces: the script beside the dashboard, each at half width.
          const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(join(workspaceRoot, 'train.py')));
          await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
          await new Promise((r) => setTimeout(r, 2500));
          await screenshot(`${name}-dashboard-half-${shade}`);
        }
      } finally {
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
      }
    });
  }
});
