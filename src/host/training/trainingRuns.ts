import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunData, RunStore } from '../../core/tfevents/run-store';
import { LogdirWatcher } from '../../io/tfevents/logdir';
import { describeError, type MonitorLog } from '../log';
import { readSettings } from '../settings';
import { discoverEventFiles } from './discovery';
import { outermost } from './logdirs';
import { readHealthOptions, RunHealth } from './health';
import { groupOfRun, type RunState, type SeriesPoints, type TagState, type TrainingFinding } from './model';
import type { TrainingRuns } from './service';

const ADDED_KEY = 'modelmon.addedLogDirs';

/**
 * The training runs of the workspace: one LogdirWatcher per log directory (a session that
 * lives until the directory disappears from the settings or the extension stops), findings
 * recomputed when a run changes, one change event per burst of changes.
 */
export class WorkspaceTrainingRuns implements TrainingRuns, vscode.Disposable {
  private readonly watchers = new Map<string, LogdirWatcher>();
  /** The editor's own file watcher per log directory: one recursive watch, whatever the run count. */
  private readonly fileWatchers = new Map<string, vscode.Disposable>();
  /** Runs read / found by each log directory's first scan, while it lasts. */
  private readonly scans = new Map<string, [number, number]>();
  private readonly health = new Map<string, RunHealth>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private cachedRuns: RunState[] | undefined;
  private cachedFindings: TrainingFinding[] | undefined;
  private first: Promise<void> | undefined;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    private readonly state: vscode.Memento,
    private readonly log: MonitorLog,
  ) {}

  ready(): Promise<void> {
    this.first ??= this.refresh();
    return this.first;
  }

  logdirs(): readonly string[] {
    return [...this.watchers.keys()].sort();
  }

  /** [runs read, runs found] over the first scans still running; undefined when none is. */
  scanProgress(): [number, number] | undefined {
    if (!this.scans.size) return undefined;
    let done = 0;
    let total = 0;
    for (const [d, t] of this.scans.values()) {
      done += d;
      total += t;
    }
    return [done, total];
  }

  runs(): readonly RunState[] {
    this.cachedRuns ??= [...this.watchers.entries()].flatMap(([logdir, w]) => w.store.runs.filter((r) => r.tags.size > 0).map((r) => toRunState(logdir, r)));
    return this.cachedRuns;
  }

  findings(): readonly TrainingFinding[] {
    if (!this.cachedFindings) {
      const settings = readSettings();
      const runs = new Map(this.runs().map((r) => [r.name, r]));
      this.cachedFindings = settings.findingsEnabled
        ? [...this.watchers].flatMap(([logdir, w]) => this.healthOf(logdir).findings(w.store)).map((f) => withFile(f, runs.get(f.run)?.eventFiles[0]))
        : [];
    }
    return this.cachedFindings;
  }

  series(run: string, tag: string): SeriesPoints | undefined {
    for (const w of this.watchers.values()) {
      const series = w.store.get(run)?.tag(tag);
      if (!series || series.kind !== 'scalar') continue;
      const steps: number[] = [];
      const values: number[] = [];
      const wallTimes: number[] = [];
      for (let i = 0; i < series.size; i++) {
        steps.push(series.stepAt(i));
        values.push(series.valueAt(i));
        wallTimes.push(series.wallTimeAt(i));
      }
      return { steps, values, wallTimes };
    }
    return undefined;
  }

  /** The engine's store holding `run`, for adapters that need more than this interface. */
  storeOf(run: string): RunStore | undefined {
    for (const w of this.watchers.values()) if (w.store.get(run)) return w.store;
    return undefined;
  }

  async refresh(): Promise<void> {
    const settings = readSettings();
    this.health.clear(); // thresholds may have changed
    const added = this.state.get<string[]>(ADDED_KEY, []);
    let found;
    try {
      found = await discoverEventFiles(settings, added);
    } catch (error) {
      this.log.error(`training: discovery failed: ${describeError(error)}`);
      return;
    }
    if (this.disposed) return;
    const wanted = outermost([...found.map((f) => f.logdir), ...added]);
    for (const [logdir, watcher] of this.watchers) {
      if (!wanted.has(logdir)) {
        watcher.dispose();
        this.watchers.delete(logdir);
        this.fileWatchers.get(logdir)?.dispose();
        this.fileWatchers.delete(logdir);
        this.scans.delete(logdir);
        this.health.delete(logdir);
        this.log.info(`training: stopped watching ${logdir}`);
      }
    }
    const starts: Promise<unknown>[] = [];
    for (const logdir of wanted) {
      const existing = this.watchers.get(logdir);
      if (existing) {
        starts.push(existing.poll().catch(() => undefined));
        continue;
      }
      // VS Code's file watcher is recursive on every platform (Linux included, where Node's is
      // emulated with a watch per directory and file), so it replaces the reader's own fs.watch.
      const watcher = new LogdirWatcher(logdir, { pollIntervalMs: settings.pollIntervalMs, verifyDataCrc: settings.verifyDataCrc, useFsWatch: false, threads: Math.min(settings.readThreads, availableParallelism()) }, (change) => {
        for (const c of change.corruptions) this.log.warn(`training: ${path.join(logdir, c.file)} at byte ${c.offset}: ${c.message}`);
        this.invalidate();
      });
      this.watchers.set(logdir, watcher);
      this.fileWatchers.set(logdir, this.watchFiles(logdir, watcher));
      this.log.info(`training: watching ${logdir}`);
      // The tree fills in as runs are read: each finished run is news, a few times a second at most.
      this.scans.set(logdir, [0, 0]);
      watcher.onProgress = (done, total) => {
        if (this.scans.has(logdir)) this.scans.set(logdir, [done, total]);
        // The first run read shows at once (the tree appears); the rest at most four times a second.
        this.invalidate(done === 1);
      };
      const t0 = Date.now();
      starts.push(
        watcher
          .start()
          .then(() => this.log.info(`training: first scan of ${logdir}: ${watcher.store.runs.length} run(s) in ${Date.now() - t0} ms`))
          .catch((error: unknown) => {
            this.log.warn(`training: ${describeError(error)}`);
          })
          .finally(() => {
            this.scans.delete(logdir);
            watcher.onProgress = undefined;
          }),
      );
    }
    // The view shows a progress bar while a first scan runs; the tree meanwhile fills in run by run.
    if (this.scans.size) {
      await vscode.window.withProgress({ location: { viewId: 'modelmon.explorer' } }, () => Promise.all(starts));
    } else {
      await Promise.all(starts);
    }
    this.invalidate(true);
    await vscode.commands.executeCommand('setContext', 'modelmon.hasRuns', this.runs().length > 0);
    await vscode.commands.executeCommand('setContext', 'modelmon.hasMultipleRuns', this.runs().length > 1);
    await vscode.commands.executeCommand('setContext', 'modelmon.hasAddedLogDirs', added.length > 0);
    this.log.info(`training: ${this.runs().length} run(s), ${this.findings().length} finding(s) in ${this.watchers.size} log dir(s)`);
  }

  /** Stops every watcher and starts afresh (poll interval or CRC setting changed). */
  async restart(): Promise<void> {
    for (const w of this.watchers.values()) w.dispose();
    this.watchers.clear();
    for (const w of this.fileWatchers.values()) w.dispose();
    this.fileWatchers.clear();
    this.scans.clear();
    await this.refresh();
  }

  /** The log directories added by command, in the order added. */
  addedLogdirs(): readonly string[] {
    return this.state.get<string[]>(ADDED_KEY, []);
  }

  async removeLogdir(dir: string): Promise<void> {
    const added = this.addedLogdirs();
    if (!added.includes(dir)) return;
    await this.state.update(ADDED_KEY, added.filter((d) => d !== dir));
    await this.refresh();
  }

  async addLogdir(dir: string): Promise<void> {
    const added = this.state.get<string[]>(ADDED_KEY, []);
    if (!added.includes(dir)) await this.state.update(ADDED_KEY, [...added, dir]);
    await this.refresh();
  }

  dispose(): void {
    this.disposed = true;
    if (this.debounce) clearTimeout(this.debounce);
    for (const w of this.watchers.values()) w.dispose();
    this.watchers.clear();
    for (const w of this.fileWatchers.values()) w.dispose();
    this.fileWatchers.clear();
    this.changed.dispose();
  }

  /** Event files created or written under `logdir` ask its reader for a poll (which reads only what changed). */
  private watchFiles(logdir: string, watcher: LogdirWatcher): vscode.Disposable {
    const files = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(logdir), '**/*tfevents*'));
    const poke = () => watcher.pollSoon();
    return vscode.Disposable.from(files, files.onDidCreate(poke), files.onDidChange(poke), files.onDidDelete(poke));
  }

  private healthOf(logdir: string): RunHealth {
    let health = this.health.get(logdir);
    if (!health) {
      health = new RunHealth(readHealthOptions(this.log));
      this.health.set(logdir, health);
    }
    return health;
  }

  private invalidate(now = false): void {
    this.cachedRuns = undefined;
    this.cachedFindings = undefined;
    if (now) {
      if (this.debounce) clearTimeout(this.debounce);
      this.debounce = undefined;
      this.changed.fire();
      return;
    }
    // A growing run (or a first scan of 1,000) changes many times a second; views redraw at
    // most four times a second, and a steady stream of changes never postpones them.
    if (this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      if (!this.disposed) this.changed.fire();
    }, 250);
  }
}

function withFile(f: TrainingFinding, file: string | undefined): TrainingFinding {
  return f.file !== undefined || file === undefined ? f : { ...f, file };
}

function toRunState(logdir: string, run: RunData): RunState {
  const tags: TagState[] = [];
  let lastStep: number | null = null;
  let lastWallTime: number | null = null;
  for (const series of run.tagList()) {
    if (series.kind !== 'scalar') continue;
    const step = series.lastStep ?? null;
    if (step !== null && (lastStep === null || step > lastStep)) lastStep = step;
    if (series.size > 0) {
      const wall = series.wallTimeAt(series.size - 1);
      if (lastWallTime === null || wall > lastWallTime) lastWallTime = wall;
    }
    tags.push({ tag: series.tag, points: series.totalPoints, lastStep: step, lastValue: series.lastValue ?? null, nonFinite: series.nonFiniteCount > 0 });
  }
  const dir = run.name === '.' ? logdir : path.join(logdir, ...run.name.split('/'));
  return {
    name: run.name,
    logdir,
    dir,
    group: run.group === '.' ? groupOfRun(run.name) : run.group,
    eventFiles: run.files.map((f) => path.join(logdir, ...f.split('/'))),
    tags,
    lastStep,
    lastWallTime,
  };
}

