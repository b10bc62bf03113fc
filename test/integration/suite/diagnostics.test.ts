import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ModelMonitorApi } from '../../../src/host/api';
import { clickInWebview, extensionApi, screenshot, waitFor, workspaceRoot } from './harness';

// examples/train.py, line 39 (1-based): writer.add_scalar("train/loss", loss.item(), step)
const TRAIN_LOSS_LINE = 38;

describe('training findings on the training code', () => {
  let api: ModelMonitorApi;
  const trainPy = vscode.Uri.file(join(workspaceRoot, 'train.py'));

  before(async () => {
    api = await extensionApi<ModelMonitorApi>();
    await api.ready();
  });

  it('puts the NaN of run nan_divergence on the add_scalar("train/loss") line', async () => {
    const diagnostic = await waitFor(
      () => api.diagnosticsFor(trainPy).find((d) => d.range.start.line === TRAIN_LOSS_LINE && /NaN/.test(d.message) && /nan_divergence/.test(d.message)),
      'a NaN diagnostic on train.py:39',
    );
    assert.match(diagnostic.message, /\bstep 8\b/);
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(diagnostic.source, 'Model Monitor');
    // The range is the tag literal "train/loss" (columns 26-38).
    assert.deepEqual([diagnostic.range.start.character, diagnostic.range.end.character], [26, 38]);
    const code = diagnostic.code as { value: string; target: vscode.Uri };
    assert.equal(code.value, 'non-finite');
    assert.match(code.target.fsPath, /runs[\\/]nan_divergence[\\/]events\.out\.tfevents\./);
    assert.match(diagnostic.relatedInformation?.[0]?.location.uri.fsPath ?? '', /nan_divergence/);
    // The same problem reaches VS Code's Problems list.
    const published = await waitFor(() => vscode.languages.getDiagnostics(trainPy).find((d) => d.range.start.line === TRAIN_LOSS_LINE && /NaN/.test(d.message)), 'the published diagnostic');
    assert.match(published.message, /nan_divergence/);
    // No findings land on lines that log no affected tag.
    assert.deepEqual(api.diagnosticsFor(trainPy).filter((d) => ![38, 39, 44, 45].includes(d.range.start.line)), []);
  });

  it('offers "Open chart of nan_divergence at step 8" that opens the training dashboard there', async () => {
    const doc = await vscode.workspace.openTextDocument(trainPy);
    const editor = await vscode.window.showTextDocument(doc);
    const line = doc.lineAt(TRAIN_LOSS_LINE);
    editor.selection = new vscode.Selection(TRAIN_LOSS_LINE, 28, TRAIN_LOSS_LINE, 28);
    editor.revealRange(line.range, vscode.TextEditorRevealType.InCenter);
    const actions = await waitFor(async () => {
      const all = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', trainPy, new vscode.Range(TRAIN_LOSS_LINE, 28, TRAIN_LOSS_LINE, 28));
      const mine = all?.filter((a) => a.title.startsWith('Open chart of'));
      return mine?.length ? mine : undefined;
    }, 'the code action');
    const open = actions.find((a) => a.title === 'Open chart of nan_divergence at step 8');
    assert.ok(open, `actions: ${actions.map((a) => a.title).join(', ')}`);
    assert.equal(open.command?.command, 'modelmon.openTrainingDashboard');
    assert.deepEqual(open.command?.arguments?.[0], { runs: ['nan_divergence'], tag: 'train/loss', step: 8 });

    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', trainPy);
    const lens = lenses.find((l) => l.range.start.line === TRAIN_LOSS_LINE && l.command?.title.startsWith('train/loss'));
    assert.ok(lens, 'a lens above the train/loss line');
    assert.match(lens.command!.title, /nan_divergence NaN/);

    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', trainPy, new vscode.Position(TRAIN_LOSS_LINE, 30));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /data:image\/svg\+xml;base64,/);
    assert.match(text, /`nan_divergence`/);
  });

  it('marks an unknown key of a modelmon.json at its position', async () => {
    const dir = join(workspaceRoot, 'configs-under-test');
    const file = vscode.Uri.file(join(dir, 'modelmon.json'));
    await vscode.workspace.fs.writeFile(file, Buffer.from('{\n  "predictions": [\n    { "log": "p.csv", "windw": 5 }\n  ]\n}\n'));
    try {
      // Opening it is what a user does; a watcher event for a file in a new folder can come late.
      await vscode.workspace.openTextDocument(file);
      const problem = await waitFor(() => api.diagnosticsFor(file).find((d) => /windw/.test(d.message)), 'a problem for the unknown key');
      assert.match(problem.message, /did you mean "window"/);
      assert.equal(problem.range.start.line, 2);
      assert.equal(problem.range.start.character, 22);
      assert.equal(problem.source, 'Model Monitor');
    } finally {
      await vscode.workspace.fs.delete(vscode.Uri.file(dir), { recursive: true });
    }
    await waitFor(() => api.diagnosticsFor(file).length === 0, 'the problem to go with the deleted folder');
  });

  it('marks unreadable lines of a prediction log at their line', async () => {
    const file = vscode.Uri.file(join(workspaceRoot, 'predictions', 'broken_predictions.csv'));
    const rows = ['ts,id,x,prediction,label', '2026-01-01T00:00:00Z,0,1.5,1,1', '2026-01-01T00:01:00Z,1,2.5,0,0', 'this,line,is', '2026-01-01T00:03:00Z,3,0.5,1,1'];
    await vscode.workspace.fs.writeFile(file, Buffer.from(rows.join('\n') + '\n'));
    try {
      const problem = await waitFor(() => api.diagnosticsFor(file).find((d) => d.range.start.line === 3), 'a problem on line 4 of the log', 20_000);
      assert.match(problem.message, /expected 5 CSV fields, found 3/);
      assert.equal(problem.source, 'Model Monitor');
    } finally {
      await vscode.workspace.fs.delete(file);
    }
    await waitFor(() => !api.predictionLogs().some((l) => l.path === file.fsPath), 'the deleted log to be dropped');
  });

  it('jumps from a finding on the training dashboard to the line that logs its tag', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('modelmon.openTrainingDashboard', { runs: ['nan_divergence'], tag: 'train/loss' });
    // A real click on "train.py:39" in the findings table, inside the webview.
    await clickInWebview('#findings button.code-link', 'train.py:39');
    const editor = await waitFor(
      () => vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === trainPy.fsPath),
      'train.py to open beside the dashboard',
    );
    assert.equal(editor.selection.active.line, TRAIN_LOSS_LINE);
    assert.match(editor.document.lineAt(TRAIN_LOSS_LINE).text, /add_scalar\("train\/loss"/);
    await screenshot('finding-to-code');
  });

  it('moves the code link when the line moves, redrawing only the findings table', async () => {
    const doc = await vscode.workspace.openTextDocument(trainPy);
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.Two);
    await vscode.commands.executeCommand('modelmon.openTrainingDashboard', { runs: ['nan_divergence'], tag: 'train/loss' });
    // train.py:40 logs train/grad_norm: pick train/loss's own link by its title.
    const lossLink = '#findings button.code-link[title$="where train/loss is logged"]';
    await clickInWebview(lossLink, 'train.py:39');
    let redraws = 0;
    const counting = api.onDidRender((e) => {
      if (e.panel === 'training') redraws++;
    });
    try {
      // An unsaved edit above the add_scalar line, as a user types.
      const edit = new vscode.WorkspaceEdit();
      edit.insert(trainPy, new vscode.Position(0, 0), '# a new first line\n');
      assert.ok(await vscode.workspace.applyEdit(edit));
      await clickInWebview(lossLink, 'train.py:40');
      const editor = await waitFor(() => vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === trainPy.fsPath && e.selection.active.line === TRAIN_LOSS_LINE + 1), 'train.py at its new line 40');
      assert.match(editor.document.lineAt(TRAIN_LOSS_LINE + 1).text, /add_scalar\("train\/loss"/);
      assert.equal(redraws, 0, 'no chart was redrawn for a moved code link');
    } finally {
      counting.dispose();
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    assert.equal(doc.isDirty, false);
  });

  it('jumps from a suspicious row on the predictions dashboard to its line in the log', async () => {
    const log = vscode.Uri.file(join(workspaceRoot, 'predictions', 'digits_dev.jsonl'));
    const state = await waitFor(() => api.predictionLogs().find((l) => l.path === log.fsPath && l.report), 'the digits log to be analysed', 30_000);
    const first = state.report!.suspicious[0];
    assert.ok(first, 'the digits log has suspicious (FGSM) rows');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('modelmon.openPredictionsDashboard', { log: log.fsPath });
    await clickInWebview('#suspicious a[title^="Open the log at line"]', String(first.line));
    const editor = await waitFor(() => vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === log.fsPath), 'the log to open');
    assert.equal(editor.selection.active.line, first.line - 1);
    assert.match(editor.document.lineAt(first.line - 1).text, /^\{/);
  });

  it('drops the prediction logs of a deleted folder', async () => {
    const dir = vscode.Uri.file(join(workspaceRoot, 'predictions', 'batch-under-test'));
    const logs = ['a_predictions.csv', 'b_predictions.csv'].map((name) => vscode.Uri.joinPath(dir, name));
    const rows = ['ts,id,x,prediction,label', '2026-01-01T00:00:00Z,0,1.5,1,1', '2026-01-01T00:01:00Z,1,2.5,0,0'];
    for (const log of logs) await vscode.workspace.fs.writeFile(log, Buffer.from(rows.join('\n') + '\n'));
    const listed = () => logs.filter((log) => api.predictionLogs().some((l) => l.path === log.fsPath)).length;
    await waitFor(() => listed() === 2, 'both new logs to be found', 20_000);
    // Deleting the folder reports the folder only, never the two files in it.
    await vscode.workspace.fs.delete(dir, { recursive: true });
    await waitFor(() => listed() === 0, 'the logs of the deleted folder to be dropped');
  });

  it('follows the prediction logs of a renamed folder to their new place', async () => {
    const dir = vscode.Uri.file(join(workspaceRoot, 'predictions', 'batch-to-rename'));
    const renamed = vscode.Uri.file(join(workspaceRoot, 'predictions', 'batch-renamed'));
    const rows = ['ts,id,x,prediction,label', '2026-01-01T00:00:00Z,0,1.5,1,1', '2026-01-01T00:01:00Z,1,2.5,0,0'];
    const names = ['a_predictions.csv', 'b_predictions.csv'];
    for (const name of names) await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, name), Buffer.from(rows.join('\n') + '\n'));
    const listedUnder = (folder: vscode.Uri) => names.filter((n) => api.predictionLogs().some((l) => l.path === vscode.Uri.joinPath(folder, n).fsPath)).length;
    try {
      await waitFor(() => listedUnder(dir) === 2, 'both new logs to be found', 20_000);
      // A rename reports the old folder deleted and the new one created, never the files in it.
      await vscode.workspace.fs.rename(dir, renamed);
      await waitFor(() => listedUnder(dir) === 0 && listedUnder(renamed) === 2, 'the logs to be listed under the new name only', 20_000);
    } finally {
      await vscode.workspace.fs.delete(renamed, { recursive: true }).then(undefined, () => undefined);
      await vscode.workspace.fs.delete(dir, { recursive: true }).then(undefined, () => undefined);
    }
  });

  it('shows the problem in the editor and the Problems panel', async () => {
    const doc = await vscode.workspace.openTextDocument(trainPy);
    const editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    editor.selection = new vscode.Selection(TRAIN_LOSS_LINE, 28, TRAIN_LOSS_LINE, 28);
    editor.revealRange(doc.lineAt(TRAIN_LOSS_LINE).range, vscode.TextEditorRevealType.InCenter);
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    await vscode.commands.executeCommand('editor.action.showHover');
    await new Promise((r) => setTimeout(r, 800));
    const png = await screenshot('diagnostic');
    assert.ok(png.endsWith('diagnostic.png'));
  });
});
