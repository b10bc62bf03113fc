import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { observePredictions } from '../../../src/core/check/predictions';
import { PredictionMonitor } from '../../../src/core/predictions/monitor';
import { findHealthProblems } from '../../../src/core/tfevents/health';
import type { RunStore } from '../../../src/core/tfevents/run-store';
import {
  gpuSampleView,
  onDidRender,
  openGpuDashboard,
  openPredictionsDashboard,
  openTrainingDashboard,
  registerPanels,
  type GpuSource,
  type PanelSources,
  type PredictionsSource,
  type RenderReport,
  type TrainingSource,
} from '../../../src/host/panels';
import { GpuSampler } from '../../../src/io/gpu/gpuSampler';
import { readLogdir } from '../../../src/io/tfevents/logdir';
import type { FindingView, GpuSampleView, HistogramView, PredictionReportView, RunSummary, SeriesView } from '../../../src/protocol/views';
import { EXTENSION_ID, extensionApi, screenshot, waitFor, workspaceRoot } from './harness';

// The dashboards are driven here with sources built straight from the engines over the example
// workspace, so the panels are tested whatever the extension's own wiring looks like.

class StoreTrainingSource implements TrainingSource {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly found: FindingView[];
  /** Points a test appended after the files were read, as a live run would. */
  private readonly appended = new Map<string, { step: number; value: number; wallTime: number }[]>();

  /** Appends points to a series and tells the dashboard, like a training script writing events. */
  append(run: string, tag: string, points: { step: number; value: number; wallTime: number }[]): void {
    const key = `${run}\u0000${tag}`;
    this.appended.set(key, [...(this.appended.get(key) ?? []), ...points]);
    this.changed.fire();
  }

  constructor(
    private readonly store: RunStore,
    private readonly logdir: string,
  ) {
    this.found = findHealthProblems(store).map(({ run, tag, step, kind, message, severity }) => ({ run, tag, step, kind, message, severity }));
  }

  logdirs(): readonly string[] {
    return [this.logdir];
  }

  listRuns(): readonly RunSummary[] {
    return this.store.runs.map((r) => {
      const scalars = r.tagList().filter((t) => t.kind === 'scalar');
      return {
        name: r.name,
        tags: scalars.map((t) => t.tag),
        histogramTags: r.tagList().filter((t) => t.kind === 'histogram').map((t) => t.tag),
        lastStep: Math.max(...scalars.map((t) => this.series(r.name, t.tag)?.steps.at(-1) ?? 0)),
        lastWallTime: null,
      };
    });
  }

  series(run: string, tag: string): SeriesView | undefined {
    const logged = this.store.get(run)?.tag(tag)?.points();
    if (!logged) return undefined;
    const points = [...logged, ...(this.appended.get(`${run}\u0000${tag}`) ?? [])];
    return { steps: points.map((p) => p.step), values: points.map((p) => p.value), wallTimes: points.map((p) => p.wallTime) };
  }

  findings(): readonly FindingView[] {
    return this.found;
  }

  hparams() {
    return this.store.runs.flatMap((r) => {
      const values = r.hparams?.sessionStart?.hparams;
      return values ? [{ run: r.name, hparams: { ...values } }] : [];
    });
  }

  histograms(run: string, tag: string): HistogramView | undefined {
    const series = this.store.get(run)?.tag(tag);
    if (!series) return undefined;
    const steps = series.dataPoints().flatMap((p) =>
      p.data.kind === 'histogram' ? [{ step: p.step, wallTime: p.wallTime, min: p.data.histogram.min, max: p.data.histogram.max, limits: p.data.histogram.bucketLimits, counts: p.data.histogram.bucketCounts }] : [],
    );
    return { run, tag, steps };
  }
}

/** Every prediction log of the example workspace, each analysed once on first use. */
function predictionsSource(root: string): PredictionsSource {
  const files = ['tabular_dev.csv', 'digits_dev.jsonl'].map((f) => join(root, 'predictions', f));
  const reports = new Map<string, PredictionReportView>();
  const report = (path: string): PredictionReportView => {
    let view = reports.get(path);
    if (!view) {
      const monitor = new PredictionMonitor({ format: path.endsWith('.csv') ? 'csv' : 'jsonl' });
      monitor.pushText(readFileSync(path, 'utf8'));
      monitor.end();
      view = observePredictions({ log: path, report: monitor.snapshot() }).view;
      reports.set(path, view);
    }
    return view;
  };
  return {
    onDidChange: new vscode.EventEmitter<void>().event,
    logs: () =>
      files.map((path) => {
        const r = report(path);
        return { path, label: vscode.workspace.asRelativePath(path), rows: r.rows, alerts: r.alerts.length, drifted: r.features.some((f) => f.drifted) };
      }),
    report: (log) => (files.includes(log) ? report(log) : undefined),
  };
}

/** The stand-in nvidia-smi on the extension host's PATH replays a real H100 at a real pace. */
function gpuSource(sampler: GpuSampler): GpuSource {
  const sampled = new vscode.EventEmitter<GpuSampleView>();
  const history: GpuSampleView[] = [];
  let status: string | null = 'Starting nvidia-smi…';
  sampler.on((e) => {
    if (e.type === 'status') status = e.status.state === 'no-gpu' ? e.status.message : e.status.state === 'retrying' ? e.status.reason : null;
    if (e.type !== 'snapshot') return;
    const view = gpuSampleView(e.snapshot);
    history.push(view);
    sampled.fire(view);
  });
  const energyWh = () => {
    let wh = 0;
    for (let i = 1; i < history.length; i++) {
      const dtHours = (history[i]!.timeMs - history[i - 1]!.timeMs) / 3_600_000;
      for (const g of history[i]!.gpus) wh += (g.powerW ?? 0) * dtHours;
    }
    return wh;
  };
  return {
    onDidSample: sampled.event,
    latest: () => history[history.length - 1],
    history: () => history,
    energy: () => {
      const wh = energyWh();
      return { wh, cost: (wh / 1000) * 0.25, currency: 'EUR' };
    },
    status: () => status,
  };
}

describe('the dashboards', function () {
  this.timeout(90_000);
  const renders: RenderReport[] = [];
  const disposables: vscode.Disposable[] = [];
  let sampler: GpuSampler | undefined;
  let sources: PanelSources;

  /** A screenshot of the workbench without the toasts other features may have raised meanwhile. */
  const shoot = async (name: string) => {
    await vscode.commands.executeCommand('notifications.clearAll');
    await new Promise((res) => setTimeout(res, 300));
    return screenshot(name);
  };

  /** The first render report of a panel after `since` with points on screen. */
  const rendered = (panel: RenderReport['panel'], since: number) =>
    waitFor(() => renders.slice(since).find((r) => r.panel === panel && r.points > 0), `the ${panel} dashboard to draw its charts`, 30_000);

  before(async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, 'the extension under test is installed');
    // The extension's own dashboards (and their serializers) come first; the test's are a second set.
    await extensionApi().catch(() => undefined);
    const logdir = join(workspaceRoot, 'runs');
    const { store } = await readLogdir(logdir);
    // Two stand-in H100s, so the charts overlay more than one GPU. The stand-in is named outright:
    // the extension host's PATH is resolved from the login shell and may not start with it.
    const smi = join(extension.extensionPath, 'test', 'fixtures', 'nvidia-smi', 'bin', 'nvidia-smi');
    sampler = new GpuSampler({ intervalMs: 250, executable: smi, env: { ...process.env, MODELMON_FAKE_SMI_GPUS: '2' } });
    sources = {
      training: new StoreTrainingSource(store, 'runs'),
      predictions: predictionsSource(workspaceRoot),
      gpu: gpuSource(sampler),
    };
    sampler.start();
    const log = vscode.window.createOutputChannel('Model Monitor dashboards (test)', { log: true });
    disposables.push(log, registerPanels({ extensionUri: extension.extensionUri }, sources, log), onDidRender((r) => renders.push(r)));
    // Room for the dashboards in the screenshots; `after` shows the explorer again for later suites.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
  });

  after(async () => {
    for (const d of disposables.splice(0)) d.dispose();
    await sampler?.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.view.explorer');
  });

  it('draws every run of the example workspace, with its findings, and focuses a finding', async () => {
    const training = sources.training!;
    const runs = training.listRuns();
    assert.ok(runs.length >= 5, `the example runs are read (${runs.map((r) => r.name).join(', ')})`);
    const finding = training.findings().find((f) => f.run === 'nan_divergence') ?? training.findings()[0];
    assert.ok(finding, 'the example runs have at least one health finding');
    const since = renders.length;
    const panel = openTrainingDashboard();
    assert.equal(panel.viewType, 'modelmon.training');
    const r = await rendered('training', since);
    const scalarPoints = runs.reduce((n, run) => n + run.tags.reduce((m, tag) => m + (training.series(run.name, tag)?.steps.length ?? 0), 0), 0);
    const tags = new Set(runs.flatMap((run) => run.tags)).size;
    const histograms = runs.reduce((n, run) => n + (run.histogramTags?.length ?? 0), 0);
    assert.equal(r.charts, tags + histograms, `one chart per scalar tag and one heat strip per histogram (${r.charts} for ${tags} + ${histograms})`);
    assert.ok(r.points >= scalarPoints, `every scalar point is drawn (${r.points} of ${scalarPoints})`);
    const png = await shoot('training-dashboard');
    assert.ok(png.endsWith('training-dashboard.png'));

    // Opening again with a finding's tag and step reveals the same panel, scrolled to that chart.
    const again = renders.length;
    assert.equal(openTrainingDashboard({ tag: finding.tag, step: finding.step }), panel);
    await rendered('training', again);
    await shoot('training-dashboard-finding');
  });

  it('streams new points into the open dashboard', async () => {
    const training = sources.training as StoreTrainingSource;
    const run = 'overfit_small_data';
    const tag = 'train/loss';
    const before = training.series(run, tag)!;
    const last = before.steps.length - 1;
    const since = renders.length;
    const drawn = renders.filter((r) => r.panel === 'training').at(-1)!.points;
    training.append(run, tag, Array.from({ length: 100 }, (_, i) => ({ step: before.steps[last]! + i + 1, value: 0.01, wallTime: before.wallTimes[last]! + i + 1 })));
    const r = await waitFor(() => renders.slice(since).find((x) => x.panel === 'training' && x.points >= drawn + 100), 'the dashboard to draw the appended points', 15_000);
    assert.equal(r.points, drawn + 100);
  });

  it('draws everything again when VS Code reloads the page', async () => {
    const drawn = renders.filter((r) => r.panel === 'training').at(-1)!.points;
    const since = renders.length;
    openTrainingDashboard();
    await vscode.commands.executeCommand('workbench.action.webview.reloadWebviewAction');
    // The reloaded page says `ready`, gets the whole state again (appended points included) and draws it.
    const r = await rendered('training', since);
    assert.equal(r.points, drawn);
  });

  it('shows windows, drift and alerts of the tabular prediction log', async () => {
    const report = sources.predictions!.report(join(workspaceRoot, 'predictions', 'tabular_dev.csv'));
    assert.ok(report && report.windows.length > 0, 'the monitor produced windows');
    const since = renders.length;
    const panel = openPredictionsDashboard({ log: report.log });
    assert.equal(panel.viewType, 'modelmon.predictions');
    const r = await rendered('predictions', since);
    assert.equal(r.charts, 1);
    assert.ok(r.points >= report.windows.length, `every window is drawn (${r.points} points for ${report.windows.length} windows)`);
    await shoot('predictions-dashboard');

    // Asking for the other log shows it in the same panel.
    const digits = join(workspaceRoot, 'predictions', 'digits_dev.jsonl');
    const other = sources.predictions!.report(digits)!;
    const switched = renders.length;
    assert.equal(openPredictionsDashboard({ log: digits }), panel);
    const r2 = await rendered('predictions', switched);
    assert.ok(r2.points >= other.windows.length, `the digits log's windows are drawn (${r2.points})`);
    await shoot('predictions-dashboard-digits');
  });

  it('plots live samples of every GPU', async () => {
    const gpu = sources.gpu!;
    await waitFor(() => gpu.history().length >= 4, 'a few nvidia-smi samples', 20_000).catch((e: Error) => {
      throw new Error(`${e.message}; sampler: ${JSON.stringify(sampler?.status)}; PATH=${process.env.PATH}`);
    });
    const since = renders.length;
    const panel = openGpuDashboard();
    assert.equal(panel.viewType, 'modelmon.gpu');
    const first = await rendered('gpu', since);
    assert.equal(first.charts, 4, 'utilisation, memory, temperature and power');
    // Live: a later render draws more points than the first.
    const later = await waitFor(() => renders.slice(since).find((x) => x.panel === 'gpu' && x.points > first.points), 'a live GPU update', 20_000);
    assert.ok(later.points > first.points);
    await shoot('gpu-dashboard');
  });

  it('follows the colour theme', async () => {
    const workbench = vscode.workspace.getConfiguration('workbench');
    const before = workbench.inspect<string>('colorTheme')?.globalValue;
    const shown = renders.length;
    openTrainingDashboard();
    await rendered('training', shown);
    const since = renders.length;
    await workbench.update('colorTheme', 'Default Dark Modern', vscode.ConfigurationTarget.Global);
    try {
      // The page redraws its charts in the new theme's colours, which it reads at runtime.
      await rendered('training', since);
      await shoot('training-dashboard-dark');
    } finally {
      await workbench.update('colorTheme', before, vscode.ConfigurationTarget.Global);
    }
  });

  it('opens through the extension’s commands with the extension’s own data', async function () {
    const api = await extensionApi<{ onDidRender?: vscode.Event<RenderReport>; ready?: () => Promise<void> }>();
    const commands = await vscode.commands.getCommands(true);
    // The extension must expose both; a missing one is a failure, never a skip.
    assert.ok(api.onDidRender, 'the API exposes onDidRender');
    assert.ok(commands.includes('modelmon.openTrainingDashboard'), 'the dashboard command is registered');
    await api.ready?.();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const seen: RenderReport[] = [];
    const subscription = api.onDidRender!((r) => seen.push(r));
    try {
      for (const [command, panel] of [
        ['modelmon.openTrainingDashboard', 'training'],
        ['modelmon.openPredictionsDashboard', 'predictions'],
      ] as const) {
        await vscode.commands.executeCommand(command);
        await waitFor(() => seen.find((r) => r.panel === panel && r.points > 0), `the ${panel} dashboard opened by ${command} to draw`, 30_000);
      }
    } finally {
      subscription.dispose();
    }
  });
});
