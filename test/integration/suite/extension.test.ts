import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ExplorerNode, ModelMonitorApi, RenderEvent } from '../../../src/host/api';
import { EXTENSION_ID, extensionApi, screenshot, waitFor } from './harness';

describe('Model Monitor extension', () => {
  let api: ModelMonitorApi;

  before(async () => {
    api = await extensionApi<ModelMonitorApi>();
    await api.ready();
  });

  it('activates on the example workspace without the * event', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext?.isActive);
    const events = (ext.packageJSON as { activationEvents: string[] }).activationEvents;
    assert.ok(events.includes('workspaceContains:**/*tfevents*'));
    assert.ok(!events.includes('*'));
  });

  it('activates cheaply: the workspace scan runs after activation', () => {
    const { activateMs, firstScanMs } = api.timings();
    console.log(`activation ${activateMs.toFixed(1)} ms, first workspace scan ${firstScanMs?.toFixed(0)} ms`);
    assert.ok(firstScanMs !== undefined, 'ready() resolved, so the first scan ended');
    // A generous bound: activation builds objects and registers providers, nothing more.
    assert.ok(activateMs < 2000, `activation took ${activateMs} ms`);
  });

  it('registers every contributed command', async () => {
    const pkg = JSON.parse(readFileSync(join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'package.json'), 'utf8')) as {
      contributes: { commands: { command: string; category: string }[] };
    };
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = pkg.contributes.commands.map((c) => c.command);
    assert.ok(contributed.length >= 15, `commands contributed: ${contributed.length}`);
    assert.deepEqual(contributed.filter((c) => !registered.has(c)), []);
    assert.deepEqual(pkg.contributes.commands.filter((c) => c.category !== 'Model Monitor').map((c) => c.command), []);
  });

  it('shows the stand-in GPU in the status bar', async () => {
    const text = await waitFor(() => {
      const t = api.gpuStatusText();
      return t && /\d+%/.test(t) ? t : undefined;
    }, 'GPU status text with a utilisation percentage', 20_000);
    assert.match(text, /\d+%/);
    assert.match(text, /GiB/);
  });

  it('hides the GPU item quietly where nvidia-smi is missing, and comes back when it returns', async () => {
    const gpu = vscode.workspace.getConfiguration('modelmon.gpu');
    const alertsBefore = api.alerts().length;
    // Named outright: under `auto` the AMD stand-ins on PATH would take over.
    await gpu.update('backend', 'nvidia-smi', vscode.ConfigurationTarget.Global);
    await gpu.update('nvidiaSmiPath', '/nonexistent/nvidia-smi', vscode.ConfigurationTarget.Global);
    try {
      await waitFor(() => api.gpuStatusText() === undefined, 'the GPU status item to hide', 20_000);
      // No GPU is not an alert: nothing new in the alert center, so no notification either.
      assert.equal(api.alerts().length, alertsBefore);
    } finally {
      await gpu.update('nvidiaSmiPath', undefined, vscode.ConfigurationTarget.Global);
      await gpu.update('backend', undefined, vscode.ConfigurationTarget.Global);
    }
    await waitFor(() => /\d+%/.test(api.gpuStatusText() ?? '') || undefined, 'the GPU status item to return', 20_000);
  });

  it('shows an AMD GPU from the amd-smi stand-in on PATH in the status bar and the GPU dashboard', async () => {
    const gpu = vscode.workspace.getConfiguration('modelmon.gpu');
    await gpu.update('backend', 'amd-smi', vscode.ConfigurationTarget.Global);
    try {
      const tooltip = await waitFor(() => {
        const t = api.gpuStatusTooltip();
        return t?.startsWith('**2 × AMD Instinct MI300X**') ? t : undefined;
      }, 'the status bar to show the AMD GPUs', 30_000);
      // The amd-smi stand-in announces itself: its readout is labelled as a replay.
      assert.match(api.gpuStatusText() ?? '', /^\$\(pulse\) 2 GPUs \d+% [\d.]+\/384\.0 GiB \d+°C \(replay\)$/);
      assert.match(tooltip, /\| 1 \| AMD Instinct MI300X \| \d+% \| [\d.]+ \/ 192\.0 GiB \| \d+°C \| \d+ W \/ 750 W \|/);
      const rendered = new Promise<RenderEvent>((resolve) => {
        const sub = api.onDidRender((r) => {
          if (r.panel === 'gpu' && r.points > 0 && r.title?.includes('AMD')) {
            sub.dispose();
            resolve(r);
          }
        });
      });
      await vscode.commands.executeCommand('modelmon.openGpuDashboard');
      const r = await Promise.race([rendered, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no GPU dashboard render naming AMD')), 30_000))]);
      assert.equal(r.title, '2 × AMD Instinct MI300X');
      assert.equal(r.charts, 4);
      await vscode.commands.executeCommand('notifications.clearAll');
      await screenshot('gpu-dashboard-amd');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    } finally {
      await gpu.update('backend', undefined, vscode.ConfigurationTarget.Global);
    }
    await waitFor(() => (api.gpuStatusTooltip()?.startsWith('**NVIDIA') ? true : undefined), 'the NVIDIA stand-in back under auto', 20_000);
  });

  it('lists the example runs in the explorer tree, grouped, with tags', async () => {
    assert.deepEqual(
      api.runs().map((r) => r.name).filter((n) => n === 'nan_divergence' || n === 'overfit_small_data'),
      ['nan_divergence', 'overfit_small_data'],
    );
    const sections = (await api.explorer.getChildren()) as ExplorerNode[];
    const training = sections.find((s) => s.kind === 'section' && s.section === 'training');
    assert.ok(training, 'a training section');
    const top = (await api.explorer.getChildren(training)) as ExplorerNode[];
    const labels = top.map((n) => (n.kind === 'run' ? n.run.name : n.kind === 'runGroup' ? n.group : n.kind));
    for (const expected of ['nan_divergence', 'overfit_small_data', 'diverge_lr5', 'lightning_digits', 'tf2_style/train']) {
      assert.ok(labels.includes(expected), `tree shows ${expected}: ${labels.join(', ')}`);
    }
    const nanRun = top.find((n) => n.kind === 'run' && n.run.name === 'nan_divergence')!;
    const tags = (await api.explorer.getChildren(nanRun)) as ExplorerNode[];
    const loss = tags.find((t) => t.kind === 'tag' && t.tag.tag === 'train/loss');
    assert.ok(loss && loss.kind === 'tag');
    assert.equal(loss.tag.nonFinite, true);
    const item = await api.explorer.getTreeItem(loss);
    assert.match(String(item.description), /NaN/);
  });

  it('opens the training dashboard and takes a workbench screenshot', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.modelmon');
    const rendered = new Promise<void>((resolve) => {
      const sub = api.onDidRender((e) => {
        if (e.panel === 'training' && e.charts > 0) {
          sub.dispose();
          resolve();
        }
      });
    });
    await vscode.commands.executeCommand('modelmon.openTrainingDashboard', { runs: ['nan_divergence', 'diverge_lr5'], tag: 'train/loss' });
    await Promise.race([rendered, new Promise((r) => setTimeout(r, 15_000))]);
    const png = await screenshot('workbench');
    assert.ok(png.endsWith('workbench.png'));
  });
});
