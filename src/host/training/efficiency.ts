import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { computeEfficiency, GpuHistory, runTimeline, type GpuSample, type RunEfficiency, type RunTimeline } from '../../core/efficiency';
import { snapshotSamples } from '../../core/efficiency/history';
import { readGpuLogFile } from '../../io/efficiency/gpuLogFile';
import { GpuRecordFile } from '../../io/efficiency/recordFile';
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

  /** The history on disk, once restored; samples are appended to it as they come. */
  private record: GpuRecordFile | undefined;
  private recordFailed = false;
  /** Samples taken while the history file is still being read back; written once it is open. */
  private unsaved: GpuSample[] | undefined;

  /**
   * `recordPath`: the extension's GPU history file (in its global storage). Its samples are read
   * back at start, so after a reload or in a later session a run keeps the GPU figures of the
   * samples seen while it trained, and every new sample is appended (bounded at 64 MiB, as
   * `gpu --record`).
   */
  constructor(
    private readonly training: WorkspaceTrainingRuns,
    private readonly gpu: GpuSamples,
    private readonly log: MonitorLog,
    recordPath?: string,
  ) {
    if (recordPath) {
      this.unsaved = [];
      void this.restore(recordPath);
    }
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
    void this.record?.close().catch(() => undefined);
  }

  /** Reads the history file back into the history, then keeps appending to it. */
  private async restore(path: string): Promise<void> {
    try {
      const old = await readGpuLogFile(path).catch(() => undefined);
      let restored = 0;
      for (const sample of old?.history.samples() ?? []) {
        this.history.add(sample);
        restored++;
      }
      // VS Code hands the extension its storage folder's name, not the folder.
      await mkdir(dirname(path), { recursive: true });
      this.record = await GpuRecordFile.open(path);
      const unsaved = this.unsaved ?? [];
      this.unsaved = undefined;
      this.persist(unsaved);
      this.log.debug(`efficiency: ${restored} GPU sample(s) restored from ${path}`);
      if (restored) this.schedule();
    } catch (error) {
      this.unsaved = undefined;
      this.log.warn(`efficiency: the GPU history ${path} cannot be kept: ${describeError(error)}`);
    }
  }

  private persist(samples: readonly GpuSample[]): void {
    if (this.unsaved) {
      this.unsaved.push(...samples);
      return;
    }
    if (!this.record || this.recordFailed || !samples.length) return;
    try {
      this.record.append(samples);
    } catch (error) {
      this.recordFailed = true;
      this.log.warn(`efficiency: ${describeError(error)}; GPU samples are kept in memory only`);
    }
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.recompute(), RECOMPUTE_DELAY_MS);
  }

  /** Moves the monitor's new snapshots into the history; true when there were any. */
  private takeSamples(): boolean {
    const added: GpuSample[] = [];
    for (const snapshot of this.gpu.history) {
      if (snapshot.timeMs <= this.lastSampleMs) continue;
      for (const sample of snapshotSamples(snapshot)) {
        this.history.add(sample);
        added.push(sample);
      }
      this.lastSampleMs = snapshot.timeMs;
    }
    this.persist(added);
    return added.length > 0;
  }
}
