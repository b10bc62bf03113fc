import * as assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ModelMonitorApi } from '../../../src/host/api';
import type { VerifyReport } from '../../../src/core/integrity/manifest';
import { EXTENSION_ID, extensionApi, screenshot, waitFor, workspaceRoot } from './harness';

describe('model integrity in the editor', () => {
  before(async () => {
    await (await extensionApi<ModelMonitorApi>()).ready();
  });

  it('flags torch.load without weights_only=True and fixes it with a quick fix', async () => {
    const file = join(workspaceRoot, 'load_model.py');
    writeFileSync(file, 'import torch\n\nstate = torch.load("checkpoints/digits_cnn.pt")\nmodel.load_state_dict(state)\n');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const diagnostic = await waitFor(
      () => vscode.languages.getDiagnostics(doc.uri).find((d) => /weights_only/.test(d.message)),
      'the unsafe-load diagnostic',
    );
    assert.equal(diagnostic.range.start.line, 2);
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    await screenshot('unsafe-load');

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diagnostic.range);
    const fix = actions.find((a) => /weights_only=True/.test(a.title));
    assert.ok(fix?.edit, `a weights_only quick fix among: ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.equal(doc.lineAt(2).text, 'state = torch.load("checkpoints/digits_cnn.pt", weights_only=True)');
    await waitFor(() => !vscode.languages.getDiagnostics(doc.uri).some((d) => /weights_only/.test(d.message)) || undefined, 'the diagnostic to clear');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('names the tensor that changed when a checkpoint no longer matches its manifest', async () => {
    const fixtures = join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'test/fixtures/checkpoints');
    const target = join(workspaceRoot, 'checkpoints/digits_cnn.safetensors');
    const original = readFileSync(target);
    copyFileSync(join(fixtures, 'digits_cnn_tampered.safetensors'), target);
    try {
      const manifest = vscode.Uri.file(join(workspaceRoot, 'checkpoints/manifest.json'));
      const reports = await vscode.commands.executeCommand<VerifyReport[]>('modelmon.verifyIntegrity', manifest);
      assert.equal(reports.length, 1);
      assert.deepEqual(reports[0]!.changed.map((c) => [c.path, c.changedTensors]), [['digits_cnn.safetensors', ['out.bias']]]);
      assert.deepEqual(reports[0]!.missing, []);
    } finally {
      writeFileSync(target, original);
    }
  });
});
