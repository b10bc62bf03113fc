import * as vscode from 'vscode';
import { computeEfficiency, GpuHistory, runTimeline, type RunEfficiency, type RunTimeline } from '../../core/efficiency';
import type { GpuSnapshot } from '../../core/gpu/types';
import type { RunEfficiencyView } from '../../protocol/views';
import type { RunEfficiencyFinding } from '../diagnostics/efficiencyCode';
import { describeError, type MonitorLog } from '../log';
import { readGpuSettings } from '../gpu/gpuSettings';
import { efficiencyView } from './efficiencyView';
import type { WorkspaceTrainingRuns } from './trainingRuns';

/** What the efficiency service reads of the GPU monitor. */
export interface GpuSamples {
  readonly onDidUpdate: vscode.Event<unknown>;
  /** Recent snapshots, oldest first. */
  readonly history: readonly GpuSnapshot[];
}

/** Recomputation waits this long after a change (two seconds), so a stream of samples and events costs one pass. */
const RECOMPUTE_DELAY_MS = 2_000;

/**
 * Each workspace run joined with the GPU samples of its time: pace, utilisation, memory, energy,
 * cost and findings from core's `computeEfficiency`, the one place those verdicts are made. The
 * samples go into a bounded history (core's GpuHistory) that outlives the GPU monitor's short
 * window; views read the results, they never judge.
 */
export class TrainingEfficiency implements vscode.Disposable {
  readonly history = new GpuHistory();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private results: readonly RunEfficiency[] = [];
  private views = new Map<string, RunEfficiencyView>();
  private viewsJson = '';
  private lastSampleMs = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Timelines by run, rebuilt only when the run grew. */
  private readonly timelines = new Map<string, { key: string; timeline: RunTimeline }>();

  constructor(
    private readonly training: WorkspaceTrainingRuns,
    private readonly gpu: GpuSamples,
    private readonly log: MonitorLog,
  ) {
    this.takeSamples();
    this.disposables.push(
      gpu.onDidUpdate(() => {
        if (this.takeSamples()) this.schedule();
      }),
      training.onDidChange(() => this.schedule()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('modelmon.energy')) this.schedule();
      }),
    );
    this.schedule();
  }

  /** Every run's figures, by run name. */
  efficiency(): readonly RunEfficiency[] {
    return this.results;
  }

  /** The runs the views show: those with GPU samples in their span or a finding. */
  allViews(): readonly RunEfficiencyView[] {
    return [...this.views.values()];
  }

  of(run: string): RunEfficiencyView | undefined {
    return this.views.get(run);
  }

  /** The input-bound verdicts, for the problems on DataLoader lines. */
  inputBound(): readonly RunEfficiencyFinding[] {
    return this.results.flatMap((e) => e.findings.filter((f) => f.kind === 'input-bound').map(({ kind, severity, message }) => ({ run: e.run, kind, severity, message })));
  }

  /** Recomputes now (tests and commands; views otherwise follow within a second of a change). */
  recompute(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const started = Date.now();
    try {
      const timelines: RunTimeline[] = [];
      for (const run of this.training.runs()) {
        const key = `${run.lastStep}|${run.lastWallTime}|${run.tags.reduce((n, t) => n + t.points, 0)}`;
        let cached = this.timelines.get(run.name);
        if (!cached || cached.key !== key) {
          const data = this.training.storeOf(run.name)?.get(run.name);
          if (!data) continue;
          cached = { key, timeline: runTimeline(data) };
          this.timelines.set(run.name, cached);
        }
        timelines.push(cached.timeline);
      }
      const settings = readGpuSettings();
      const currency = vscode.workspace.getConfiguration('modelmon').get<string>('energy.currency') ?? null;
      this.results = computeEfficiency(timelines, this.history, { pricePerKWh: settings.pricePerKWh });
      const byName = new Map(timelines.map((t) => [t.name, t]));
      const views = new Map<string, RunEfficiencyView>();
      for (const e of this.results) {
        if (e.gpu.samples === 0 && !e.findings.length) continue;
        views.set(e.run, efficiencyView(e, byName.get(e.run)?.steps ?? [], currency || null));
      }
      const json = JSON.stringify([...views.values()]);
      if (json === this.viewsJson) return;
      this.views = views;
      this.viewsJson = json;
      this.log.debug(`efficiency: ${views.size} run(s) with GPU samples or findings, ${this.inputBound().length} input-bound, in ${Date.now() - started} ms`);
      this.changed.fire();
    } catch (error) {
      this.log.warn(`efficiency: ${describeError(error)}`);
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.recompute(), RECOMPUTE_DELAY_MS);
  }

  /** Moves the monitor's new snapshots into the history; true when there were any. */
  private takeSamples(): boolean {
    let added = false;
    for (const snapshot of this.gpu.history) {
      if (snapshot.timeMs <= this.lastSampleMs) continue;
      this.history.addSnapshot(snapshot);
      this.lastSampleMs = snapshot.timeMs;
      added = true;
    }
    return added;
  }
}
