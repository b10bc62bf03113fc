import * as assert from 'node:assert/strict';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ModelMonitorApi } from '../../../src/host/api';
import { EXTENSION_ID, extensionApi, runCommand, waitFor, workspaceRoot } from './harness';

// test/fixtures/tied-scripts: train_diverging.py writes runs/diverging (a NaN run), train_steady.py
// writes runs/steady (healthy on the tags it logs); both log "train/loss".
const TRAIN_LOSS_LINE = 24; // the tag= line of the multi-line add_scalar call (0-based)
const PREFIX_LINE = 30; // writer.add_scalar(f"train/{name}", value, step)

describe('scripts tied to the runs they write', () => {
  let api: ModelMonitorApi;
  const folder = join(workspaceRoot, 'tied-scripts');
  const broken = vscode.Uri.file(join(folder, 'train_diverging.py'));
  const healthy = vscode.Uri.file(join(folder, 'train_steady.py'));

  before(async () => {
    api = await extensionApi<ModelMonitorApi>();
    await api.ready();
    const fixture = join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'test', 'fixtures', 'tied-scripts');
    cpSync(fixture, folder, { recursive: true });
    await runCommand('modelmon.refresh');
    await waitFor(() => ['diverging', 'steady'].every((name) => api.runs().some((r) => r.name === name)), 'the runs of the two scripts', 30_000);
  });

  after(async () => {
    rmSync(folder, { recursive: true, force: true });
    await runCommand('modelmon.refresh');
    await waitFor(() => !api.runs().some((r) => r.name === 'diverging'), 'the fixture runs to go');
  });

  it('gives the broken script the NaN error naming its run, and the healthy one nothing', async () => {
    const nan = await waitFor(
      () => api.diagnosticsFor(broken).find((d) => d.range.start.line === TRAIN_LOSS_LINE && /NaN at step 8/.test(d.message)),
      'the NaN error on the tag= line of train_diverging.py',
    );
    assert.equal(nan.message, 'train/loss is NaN at step 8 (293 non-finite of 300 values) (run diverging)');
    assert.equal(nan.severity, vscode.DiagnosticSeverity.Error);
    // On the string "train/loss" of `tag="train/loss",`.
    assert.deepEqual([nan.range.start.character, nan.range.end.character], [16, 28]);
    // f"train/{name}" over a dict carries the findings of train/* of its own run.
    const prefixed = api.diagnosticsFor(broken).filter((d) => d.range.start.line === PREFIX_LINE).map((d) => d.message);
    assert.ok(prefixed.includes('train/grad_norm is Inf at step 7 (294 non-finite of 300 values) (run diverging)'), prefixed.join('\n'));
    // Nothing from the examples' own runs (nan_divergence logs the same tags).
    assert.deepEqual(api.diagnosticsFor(broken).filter((d) => !/\(run diverging\)$/.test(d.message)).map((d) => d.message), []);

    // Both scripts log train/loss; only the run a script writes counts.
    assert.deepEqual(api.diagnosticsFor(healthy).map((d) => d.message), []);
    assert.deepEqual(vscode.languages.getDiagnostics(healthy).filter((d) => d.source === 'Model Monitor'), []);
    await vscode.workspace.openTextDocument(healthy);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', healthy);
    const loss = lenses.find((l) => l.command?.title.startsWith('train/loss'));
    assert.match(loss?.command?.title ?? '', /^train\/loss: steady 4\.51e-5$/);
  });

  it('names the run in the quick fix', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(broken));
    const position = new vscode.Range(TRAIN_LOSS_LINE, 18, TRAIN_LOSS_LINE, 18);
    const actions = await waitFor(async () => {
      const all = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', broken, position);
      return all?.some((a) => a.title.startsWith('Open chart of')) ? all : undefined;
    }, 'the quick fixes');
    const open = actions.find((a) => a.title === 'Open chart of diverging at step 8');
    assert.ok(open, actions.map((a) => a.title).join(', '));
    assert.deepEqual(open.command?.arguments?.[0], { runs: ['diverging'], tag: 'train/loss', step: 8 });
  });
});
