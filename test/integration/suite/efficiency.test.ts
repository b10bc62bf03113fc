import * as assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, type Dirent } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { writeScalarFile } from '../../../bench/tfevents-gen';
import type { ModelMonitorApi, RenderEvent } from '../../../src/host/api';
import { EXTENSION_ID, extensionApi, outputDir, runCommand, screenshot, waitFor, workspaceRoot } from './harness';

// The stand-in nvidia-smi replays the H100 recording from its first row at twice its pace, one row
// every 125 ms: 3.5 s idle, 8 s of a 100% burn (rows 30-60), idle again, then a training job at
// 5-17%. A run logged over rows ~8-92 (1 s to 11.5 s after the restart) had its GPU busy about a
// third of the time: input-bound. Its script trains with DataLoader(..., num_workers=0).
const LOADER_LINE = 20; // `train_loader = DataLoader(` in train_input_bound.py (0-based)
const WORKERS_LINE = 24; // `num_workers=0,`

describe('training efficiency in the editor', function () {
  this.timeout(120_000);
  let api: ModelMonitorApi;
  const folder = join(workspaceRoot, 'efficiency-run');
  const script = vscode.Uri.file(join(folder, 'train_input_bound.py'));
  const env = { speed: process.env.MODELMON_FAKE_SMI_SPEED, start: process.env.MODELMON_FAKE_SMI_START };
  const gpuSettings = () => vscode.workspace.getConfiguration('modelmon.gpu');
  const renders: RenderEvent[] = [];
  const disposables: vscode.Disposable[] = [];

  before(async () => {
    api = await extensionApi<ModelMonitorApi>();
    await api.ready();
    disposables.push(api.onDidRender((r) => renders.push(r)));
    const fixture = join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'test', 'fixtures', 'efficiency');
    mkdirSync(folder, { recursive: true });
    cpSync(join(fixture, 'train_input_bound.py'), script.fsPath);
    // A fresh sampler session replays the recording from its first row (the child inherits this env).
    process.env.MODELMON_FAKE_SMI_SPEED = '2';
    process.env.MODELMON_FAKE_SMI_START = '0';
    const restart = Date.now();
    await gpuSettings().update('intervalMs', 250, vscode.ConfigurationTarget.Global);
    // Rows 0-95 of the replay have arrived 12 s later; the run is logged over the middle of them.
    await new Promise((r) => setTimeout(r, Math.max(0, restart + 12_500 - Date.now())));
    const runDir = join(folder, 'runs', 'input_bound');
    mkdirSync(runDir, { recursive: true });
    const steps = 120;
    const startS = restart / 1000 + 1;
    const point = (_t: number, step: number) => ({ wallTime: startS + ((step - 1) / (steps - 1)) * 10.5, value: 2.3 * Math.exp(-step / 40) + 0.1 });
    writeScalarFile(join(runDir, `events.out.tfevents.${Math.floor(startS)}.efficiency.1`), [new TextEncoder().encode('train/loss')], steps, point, new Uint8Array(1 << 16), 4096);
    await runCommand('modelmon.refresh');
    await waitFor(() => api.runs().some((r) => r.name.endsWith('input_bound')), 'the input-bound run', 30_000).catch((e: Error) => {
      throw new Error(`${e.message}; runs: ${api.runs().map((r) => `${r.logdir}:${r.name}`).join(', ')}`);
    });
  });

  after(async () => {
    for (const d of disposables.splice(0)) d.dispose();
    if (env.speed === undefined) delete process.env.MODELMON_FAKE_SMI_SPEED;
    else process.env.MODELMON_FAKE_SMI_SPEED = env.speed;
    if (env.start === undefined) delete process.env.MODELMON_FAKE_SMI_START;
    else process.env.MODELMON_FAKE_SMI_START = env.start;
    await gpuSettings().update('intervalMs', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.view.explorer');
    rmSync(folder, { recursive: true, force: true });
    await runCommand('modelmon.refresh');
    await waitFor(() => !api.runs().some((r) => r.name.endsWith('input_bound')), 'the efficiency run to go');
  });

  it('finds the run input-bound and shows its efficiency card under the loss curve', async () => {
    const view = await waitFor(() => api.efficiency().find((e) => e.run.endsWith('input_bound') && e.findings.some((f) => f.kind === 'input-bound')), 'the input-bound verdict', 30_000);
    const gpu = view.gpu!;
    // About a third busy: the burn's 31 rows of ~84 in the run's span.
    assert.ok(gpu.utilizationMean! > 25 && gpu.utilizationMean! < 50, `mean utilisation ${gpu.utilizationMean}`);
    assert.ok(gpu.lowUtilizationShare! > 0.5 && gpu.lowUtilizationShare! < 0.75, `share under 50% ${gpu.lowUtilizationShare}`);
    assert.ok(gpu.samples > 60, `${gpu.samples} samples`);
    assert.ok(gpu.energyWh! > 0 && gpu.cost! > 0);
    assert.equal(view.steps, 119);
    assert.equal(view.utilization.steps.length, gpu.samples);

    // The samples are kept on disk too, in the extension's global storage, for the next session.
    const record = await waitFor(() => findFile(join(outputDir, 'vscode'), 'gpu-history.rec'), 'the GPU history file', 15_000);
    const lines = readFileSync(record, 'utf8').split('\n');
    assert.equal(lines[0], '#modelmon-gpu-history v1');
    assert.ok(lines.filter((l) => l && !l.startsWith('#')).length > 0, `samples in ${record}`);

    const since = renders.length;
    // The dashboard alone on screen, so the screenshot shows the card rather than other editors.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await runCommand('modelmon.openTrainingDashboard', { runs: [view.run], section: 'efficiency' });
    const shown = await waitFor(() => renders.slice(since).find((r) => r.panel === 'training' && r.title?.includes(`${view.run}: `)), 'the efficiency card on the dashboard', 30_000);
    // The card shows the engine's findings, no other verdict.
    assert.equal(shown.title, `efficiency ${view.run}: ${view.findings.map((f) => f.kind).join('+')}`);
    await screenshot('efficiency-card');
  });

  it('puts the finding on the DataLoader line and fixes num_workers=0', async () => {
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(script));
    const problem = await waitFor(() => api.diagnosticsFor(script).find((d) => d.code === 'input-bound'), 'the input-bound problem on the script', 30_000);
    assert.deepEqual([problem.range.start.line, problem.range.start.character, problem.range.end.character], [LOADER_LINE, 19, 29]);
    assert.equal(problem.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(problem.message, /; num_workers=0 loads batches in the training process \(run [^)]*input_bound\)$/);
    assert.equal(problem.message.split(';')[0], api.efficiency().find((e) => e.run.endsWith('input_bound'))!.findings.find((f) => f.kind === 'input-bound')!.message);
    // The problem as a person meets it: the hover on the squiggled DataLoader.
    editor.selection = new vscode.Selection(LOADER_LINE, 22, LOADER_LINE, 22);
    editor.revealRange(problem.range, vscode.TextEditorRevealType.InCenter);
    await vscode.commands.executeCommand('editor.action.showHover');
    await new Promise((r) => setTimeout(r, 800));
    await screenshot('efficiency-diagnostic');

    const workers = Math.max(1, Math.min(availableParallelism(), 8));
    const actions = await waitFor(async () => {
      const all = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', script, problem.range);
      return all?.some((a) => a.title.startsWith('Set num_workers')) ? all : undefined;
    }, 'the DataLoader quick fix');
    // The script trains on CUDA when it can, so the fix pins memory too.
    const fix = actions.find((a) => a.title === `Set num_workers=${workers} and pin_memory=True`);
    assert.ok(fix?.edit, actions.map((a) => a.title).join(', '));
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    const lines = editor.document.getText().split('\n').slice(LOADER_LINE, LOADER_LINE + 7);
    assert.deepEqual(lines, [
      '    train_loader = DataLoader(',
      '        dataset,',
      '        batch_size=64,',
      '        shuffle=True,',
      `        num_workers=${workers},`,
      '        pin_memory=True,',
      '    )',
    ]);
    assert.equal(editor.document.lineAt(WORKERS_LINE).text, `        num_workers=${workers},`);
    await screenshot('efficiency-quick-fix-applied');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});

/** The first file named `name` under `dir`, depth first. */
function findFile(dir: string, name: string): string | undefined {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isFile() && e.name === name) return p;
    if (e.isDirectory()) {
      const found = findFile(p, name);
      if (found) return found;
    }
  }
  return undefined;
}
