// A sweep-sized log directory in the real editor: 300 generated runs added as a log directory.
import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { generateRunDir } from '../../../bench/tfevents-gen';
import type { ExplorerNode, ModelMonitorApi, RenderEvent } from '../../../src/host/api';
import { extensionApi, outputDir, screenshot, waitFor } from './harness';

const RUNS = 300;
const TAGS = 5;
const STEPS = 200;

const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

describe('a log directory of 300 runs', function () {
  this.timeout(120_000);
  const dir = join(tmpdir(), `modelmon-sweep-${process.pid}`);
  let api: ModelMonitorApi;

  before(async () => {
    api = await extensionApi<ModelMonitorApi>();
    await api.ready();
    rmSync(dir, { recursive: true, force: true });
    generateRunDir(dir, { runs: RUNS, tags: TAGS, steps: STEPS });
  });

  after(async () => {
    await vscode.commands.executeCommand('modelmon.removeLogDir', dir);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows runs in the tree before the scan ends, then all 300; the dashboard overlays 100 of them', async () => {
    global.gc?.();
    const before = process.memoryUsage();
    const sweepRuns = (): ExplorerNode[] => {
      const section = (api.explorer.getChildren() as ExplorerNode[]).find((n) => n.kind === 'section' && n.section === 'training');
      const children = section ? (api.explorer.getChildren(section) as ExplorerNode[]) : [];
      return children.filter((n) => n.kind === 'run' && n.run.logdir === dir);
    };
    const seen: { ms: number; runs: number; reading: boolean }[] = [];
    const t0 = Date.now();
    let scanDone = -1;
    const added = Promise.resolve(vscode.commands.executeCommand('modelmon.addLogDir', dir)).then(() => (scanDone = Date.now() - t0));
    // Poll the tree as a person would see it while the scan runs.
    while (scanDone < 0) {
      const section = (api.explorer.getChildren() as ExplorerNode[]).find((n) => n.kind === 'section' && n.section === 'training');
      const description = section ? String((api.explorer.getTreeItem(section) as vscode.TreeItem).description ?? '') : '';
      const runs = sweepRuns().length;
      if (runs > 0 && (seen.length === 0 || seen.at(-1)!.runs !== runs)) seen.push({ ms: Date.now() - t0, runs, reading: description.includes('reading') });
      await new Promise((r) => setTimeout(r, 15));
    }
    await added;
    const firstShown = seen[0];
    assert.ok(firstShown, 'runs appeared in the tree');
    assert.ok(firstShown.runs < RUNS, `the tree showed ${firstShown.runs} runs at ${firstShown.ms} ms, before the scan ended at ${scanDone} ms`);
    assert.ok(seen.some((s) => s.reading), `the training section said it was still reading (${JSON.stringify(seen.slice(0, 5))})`);
    await waitFor(() => sweepRuns().length === RUNS, 'all 300 runs in the tree');
    const tags = api.runs().find((r) => r.name === 'run_0299');
    assert.deepEqual(tags?.tags.map((t) => [t.tag, t.points]), Array.from({ length: TAGS }, (_, i) => [`train/metric_0${i}`, STEPS]));
    global.gc?.();
    const after = process.memoryUsage();

    // 100 overlaid runs: only theirs travel to the page, thinned per run, drawn in one go.
    const hundred = Array.from({ length: 100 }, (_, i) => `run_${String(i * 3).padStart(4, '0')}`);
    const renders: RenderEvent[] = [];
    const sub = api.onDidRender((r) => renders.push(r));
    const opened = Date.now();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('modelmon.openTrainingDashboard', { runs: hundred });
    const full = await waitFor(() => renders.find((r) => r.panel === 'training' && r.points === 100 * TAGS * STEPS), 'the dashboard to draw 100 runs x 5 tags x 200 points', 60_000);
    const drawnMs = Date.now() - opened;
    sub.dispose();
    assert.equal(full.charts, TAGS);
    await vscode.commands.executeCommand('notifications.clearAll');
    const png = await screenshot('training-dashboard-300-runs');
    assert.ok(png.endsWith('training-dashboard-300-runs.png'));
    // The same page scrolled to one chart of the 100 overlaid curves.
    const since = renders.length;
    const again = api.onDidRender((r) => renders.push(r));
    await vscode.commands.executeCommand('modelmon.openTrainingDashboard', { runs: hundred, tag: 'train/metric_02' });
    await waitFor(() => renders.slice(since).find((r) => r.panel === 'training' && r.points === 100 * TAGS * STEPS), 'the dashboard to redraw at the chart', 60_000);
    again.dispose();
    await vscode.commands.executeCommand('notifications.clearAll');
    await screenshot('training-dashboard-100-overlaid');

    const report = {
      runs: RUNS,
      tags: TAGS,
      steps: STEPS,
      firstRunsInTreeMs: firstShown.ms,
      firstRunsInTree: firstShown.runs,
      scanMs: scanDone,
      treeSteps: seen.length,
      extensionHostRssMiB: { before: mib(before.rss), after: mib(after.rss) },
      extensionHostHeapUsedMiB: { before: mib(before.heapUsed), after: mib(after.heapUsed) },
      extensionHostExternalMiB: { before: mib(before.external), after: mib(after.external) },
      dashboard100RunsDrawnMs: drawnMs,
    };
    mkdirSync(outputDir, { recursive: true });
    writeFileSync(join(outputDir, 'scale-300-runs.json'), JSON.stringify(report, null, 2));
    console.log(`scale: ${JSON.stringify(report)}`);
  });
});
