// Runs every monitor of a modelmon.json continuously, each through the check's own collectChecks
// on a one-monitor slice of the config, so what is published is what `modelmon check --json`
// would say of the same files at the same moment. A monitor re-runs when its files change (its
// fingerprint: names, sizes and mtimes), the GPU on its interval, endpoints on theirs.
import { readdirSync, statSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { decide, type MonitorResult } from '../../core/check';
import type { LoadedConfig, ModelmonConfig } from '../../core/config';
import { formatProblem } from '../../core/config';
import type { FleetSnapshot } from '../../core/fleet/families';
import type { MonitorView } from '../../core/report/types';
import { collectChecks, ConfigError, readConfigFile } from '../check';
import { watchEngines, type WatchEngineSink } from './engines';
import type { ProbeResult } from '../../core/endpoints/types';

export interface FleetWatcherOptions {
  readonly configPath: string;
  /** How the config is named in messages and in the result. */
  readonly displayPath: string;
  readonly version: string;
  readonly env: NodeJS.ProcessEnv;
  readonly signal: AbortSignal;
  /** How often the monitors' files are looked at (ms). */
  readonly intervalMs: number;
  /** How often the GPU is sampled (ms). */
  readonly gpuIntervalMs: number;
  /** How often the config file is looked at (ms). */
  readonly configPollMs?: number;
  /** A new snapshot: some monitor's result changed. */
  readonly onSnapshot: (snapshot: FleetSnapshot) => void;
  readonly onProbes: (endpoint: string, results: readonly ProbeResult[]) => void;
  /** The config's endpoint monitors, whenever the config (re)loads. */
  readonly onEndpoints?: (names: ReadonlySet<string>) => void;
  /** One line for stderr (config not reloaded, a monitor's file unreadable). */
  readonly warn: (line: string) => void;
}

type UnitKind = 'training' | 'predictions' | 'integrity' | 'gpu' | 'endpoint';

/** One monitor of the config: a slice of the config holding only it. */
interface Unit {
  readonly key: string;
  readonly kind: UnitKind;
  readonly slice: LoadedConfig;
  /** Files whose change re-runs it (absolute); none for the GPU and endpoints. */
  readonly watched: readonly string[];
  /** For GPU and endpoints: re-run after this long. */
  readonly everyMs?: number;
}

interface UnitState {
  fingerprint: string | undefined;
  lastRunMs: number;
  result?: MonitorResult;
  view?: MonitorView;
}

const EMPTY: Pick<ModelmonConfig, 'training' | 'predictions' | 'integrity' | 'endpoints'> = { training: [], predictions: [], integrity: [], endpoints: [] };

/** The monitors of a config, in the order `collectChecks` runs them. */
export function unitsOf(loaded: LoadedConfig, gpuIntervalMs: number): Unit[] {
  const { config } = loaded;
  const abs = (p: string) => resolve(loaded.dir, p);
  const slice = (part: Partial<ModelmonConfig>): LoadedConfig => ({ ...loaded, config: { ...config, ...EMPTY, gpu: { ...config.gpu, enabled: false }, ...part } });
  const units: Unit[] = [];
  for (const m of config.training) units.push({ key: `training:${m.name}`, kind: 'training', slice: slice({ training: [m] }), watched: [abs(m.logdir)] });
  for (const m of config.predictions) {
    const files = [m.log, m.reference.log, m.schema.labelsFile].filter((p): p is string => p !== undefined).map(abs);
    // A glob of rotated files changes by files appearing in its folder.
    units.push({ key: `predictions:${m.name}`, kind: 'predictions', slice: slice({ predictions: [m] }), watched: files.map((f) => (/[*?[]/.test(f) ? dirname(f) : f)) });
  }
  for (const m of config.integrity) {
    // The manifest and the checkpoints beside it.
    units.push({ key: `integrity:${m.name}`, kind: 'integrity', slice: slice({ integrity: [m] }), watched: [dirname(abs(m.manifest))] });
  }
  if (config.gpu.enabled) units.push({ key: 'gpu', kind: 'gpu', slice: slice({ gpu: config.gpu }), watched: [], everyMs: gpuIntervalMs });
  for (const m of config.endpoints) units.push({ key: `endpoint:${m.name}`, kind: 'endpoint', slice: slice({ endpoints: [m] }), watched: [], everyMs: m.intervalMs });
  return units;
}

/** Entries a fingerprint looks at, at most: a log dir larger than this is fingerprinted in part. */
const MAX_ENTRIES = 20_000;
const MAX_DEPTH = 8;

/** Names, sizes and modification times under `paths`: changes when a file is written, added or removed. */
export function fingerprint(paths: readonly string[]): string {
  const parts: string[] = [];
  let budget = MAX_ENTRIES;
  const visit = (path: string, depth: number) => {
    let info: Stats | undefined;
    try {
      info = statSync(path, { throwIfNoEntry: false });
    } catch {
      info = undefined;
    }
    if (!info) return void parts.push(`${path}:absent`);
    if (!info.isDirectory()) return void parts.push(`${path}:${info.size}:${info.mtimeMs}:${info.ino}`);
    parts.push(`${path}/:${info.mtimeMs}`);
    if (depth >= MAX_DEPTH) return;
    let names: string[];
    try {
      names = readdirSync(path).sort();
    } catch {
      return void parts.push(`${path}:unreadable`);
    }
    for (const name of names) {
      if (budget-- <= 0) return;
      visit(join(path, name), depth + 1);
    }
  };
  for (const p of paths) visit(p, 0);
  return parts.join('\n');
}

/**
 * The watcher. `start()` loads the config (throwing ConfigError when it cannot be used) and runs
 * every monitor once; `run()` then keeps them current until the signal aborts.
 */
export class FleetWatcher {
  private loaded!: LoadedConfig;
  private units: Unit[] = [];
  private readonly states = new Map<string, UnitState>();
  private configStamp = '';
  private rejectedText: string | undefined;
  private readonly sink: WatchEngineSink;
  private readonly engines;
  private latest: FleetSnapshot | undefined;

  constructor(private readonly options: FleetWatcherOptions) {
    this.sink = { onProbes: (endpoint, results) => options.onProbes(endpoint, results) };
    this.engines = watchEngines(this.sink, options.gpuIntervalMs);
  }

  /** The last snapshot published. */
  get snapshot(): FleetSnapshot | undefined {
    return this.latest;
  }

  async start(): Promise<void> {
    this.configStamp = this.stampOfConfig();
    this.adopt(readConfigFile(this.options.configPath, this.options.displayPath));
    await this.cycle(true);
  }

  /** Until the signal aborts: the config every second, the monitors every interval. */
  async run(): Promise<void> {
    const { signal } = this.options;
    const configPollMs = this.options.configPollMs ?? Math.min(1000, this.options.intervalMs);
    let nextMonitors = Date.now() + this.options.intervalMs;
    while (!signal.aborted) {
      await sleep(Math.max(10, Math.min(configPollMs, nextMonitors - Date.now())), signal);
      if (signal.aborted) break;
      const reloaded = this.reloadIfChanged();
      if (reloaded || Date.now() >= nextMonitors) {
        await this.cycle(reloaded);
        nextMonitors = Date.now() + this.options.intervalMs;
      }
    }
  }

  private stampOfConfig(): string {
    try {
      const s = statSync(this.options.configPath);
      return `${s.size}:${s.mtimeMs}:${s.ino}`;
    } catch (error) {
      return `absent:${(error as NodeJS.ErrnoException).code}`;
    }
  }

  /** Reloads an edited config; an unusable one is reported once and the last good one kept. */
  private reloadIfChanged(): boolean {
    const stamp = this.stampOfConfig();
    if (stamp === this.configStamp) return false;
    this.configStamp = stamp;
    let next: LoadedConfig;
    try {
      next = readConfigFile(this.options.configPath, this.options.displayPath);
    } catch (error) {
      const why = error instanceof ConfigError ? error.problems.filter((p) => p.severity === 'error').map((p) => formatProblem(error.displayPath, p)).join('\n') : (error as Error).message;
      if (why !== this.rejectedText) this.options.warn(`modelmon watch: ${this.options.displayPath} changed but cannot be used; keeping the last good config:\n${why}`);
      this.rejectedText = why;
      return false;
    }
    this.rejectedText = undefined;
    if (next.text === this.loaded.text) return false;
    this.adopt(next);
    this.options.warn(`modelmon watch: reloaded ${this.options.displayPath} (${this.units.length} monitors)`);
    return true;
  }

  private adopt(loaded: LoadedConfig): void {
    this.loaded = loaded;
    this.units = unitsOf(loaded, this.options.gpuIntervalMs);
    // A changed policy (severities, acknowledgements, failOn) changes every verdict: all re-run.
    this.states.clear();
    this.options.onEndpoints?.(new Set(loaded.config.endpoints.map((e) => e.name)));
  }

  private async cycle(force: boolean): Promise<void> {
    let changed = force;
    const now = Date.now();
    for (const unit of this.units) {
      if (this.options.signal.aborted) return;
      const state = this.states.get(unit.key) ?? { fingerprint: undefined, lastRunMs: 0 };
      this.states.set(unit.key, state);
      let due: boolean;
      let print: string | undefined;
      if (unit.everyMs !== undefined) due = state.result === undefined || now - state.lastRunMs >= unit.everyMs;
      else {
        print = fingerprint(unit.watched);
        due = print !== state.fingerprint;
      }
      if (!due) continue;
      state.lastRunMs = Date.now();
      state.fingerprint = print;
      const run = await collectChecks(unit.slice, { keepViews: true, engines: this.engines, signal: this.options.signal, env: this.options.env, displayPath: this.options.displayPath });
      if (this.options.signal.aborted) return;
      const result = run.result.monitors[0];
      if (!result) continue;
      state.result = result;
      state.view = run.views[0];
      changed = true;
    }
    if (changed) this.publish();
  }

  private publish(): void {
    const monitors: MonitorResult[] = [];
    const views: (MonitorView | undefined)[] = [];
    for (const unit of this.units) {
      const state = this.states.get(unit.key);
      if (!state?.result) continue;
      monitors.push(state.result);
      views.push(state.view);
    }
    const started = Date.now();
    const result = decide(this.options.displayPath, this.loaded.config.failOn, monitors, new Date(started).toISOString(), 0);
    const gpuOn = this.loaded.config.gpu.enabled;
    this.latest = { version: this.options.version, result, views, ...(gpuOn && this.sink.gpu ? { gpu: this.sink.gpu } : {}) };
    this.options.onSnapshot(this.latest);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
