import { dirname, relative, resolve } from 'node:path';
import { computeEfficiency } from '../../core/efficiency/compute';
import { GpuHistory } from '../../core/efficiency/history';
import { runTimeline } from '../../core/efficiency/timeline';
import type { EfficiencyOptions, GpuAttribution, RunEfficiency, RunTimeline } from '../../core/efficiency/types';
import { parseComputeApps, COMPUTE_APPS_FIELDS } from '../../core/gpu/computeApps';
import type { LabelMatcher } from '../../core/gpu/dcgmLabels';
import type { ComputeApp } from '../../core/gpu/types';
import type { RunStore } from '../../core/tfevents/run-store';
import { queryClusterGpuHistory } from '../gpu/prometheus';
import { locateNvidiaSmi, runSmi } from '../gpu/smiProcess';
import { readLogdir } from '../tfevents/logdir';
import { GpuLogFileError, readGpuLogFile } from './gpuLogFile';
import { describeProcesses, tieRunsToProcesses } from './processes';

/** Where a log directory's runs find their GPU samples, and how they are judged. */
export interface LogdirEfficiencyOptions extends EfficiencyOptions {
  /** GPU log files (nvidia-smi CSV, `modelmon gpu --json` lines, `modelmon gpu --record`). */
  readonly gpuLogs?: readonly string[];
  /** nvidia-smi timestamps' zone as minutes east of UTC; default this machine's zone. */
  readonly gpuLogUtcOffsetMinutes?: number;
  /** A Prometheus holding dcgm-exporter's series, read over the runs' span. */
  readonly prometheus?: { readonly url: URL; readonly matchers?: readonly LabelMatcher[]; readonly stepMs?: number; readonly timeoutMs?: number };
  /** The compute processes now; 'query' asks nvidia-smi when it is installed, undefined asks nobody. */
  readonly computeApps?: readonly ComputeApp[] | 'query';
  /** GPUs configured for every run (UUIDs or `#index`), used where no process ties a run. */
  readonly gpus?: readonly string[];
  readonly procRoot?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
}

/** What was read and what came of it. */
export interface LogdirEfficiency {
  readonly runs: RunEfficiency[];
  /** One line per GPU source read: `gpu.csv: 2372 samples (nvidia-smi log)`, or why a source gave nothing. */
  readonly sources: string[];
  readonly history: GpuHistory;
  /** Runs tied to a live training process, by run name. */
  readonly processes: ReadonlyMap<string, { readonly pid: number; readonly by: 'event-file' | 'argument' }>;
}

/** Read a log directory and its GPU sources, and measure every run (see `measureStoreEfficiency`). */
export async function measureLogdirEfficiency(root: string, options: LogdirEfficiencyOptions = {}): Promise<LogdirEfficiency> {
  const { store } = await readLogdir(root, options.signal ? { signal: options.signal } : {});
  return measureStoreEfficiency(store, root, options);
}

/**
 * Every run of `store` joined with the GPU samples of the given sources: its GPUs are the ones
 * its live process holds (compute apps, tied through /proc), else the configured ones, else all.
 */
export async function measureStoreEfficiency(store: RunStore, root: string, options: LogdirEfficiencyOptions = {}): Promise<LogdirEfficiency> {
  const history = new GpuHistory();
  const sources: string[] = [];
  for (const path of options.gpuLogs ?? []) {
    const log = await readGpuLogFile(path, { ...(options.gpuLogUtcOffsetMinutes !== undefined ? { utcOffsetMinutes: options.gpuLogUtcOffsetMinutes } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    // A line that is not a sample means the log was misread or is not what it seems: measuring the
    // rest would silently drop time from the runs, so the first such line is named instead.
    const first = log.problems[0];
    if (first) throw new GpuLogFileError(`GPU log ${path}:${first.line}: ${first.message}${log.problemCount > 1 ? ` (and ${log.problemCount - 1} more line${log.problemCount > 2 ? 's' : ''} not samples)` : ''}`);
    if (!log.samples) throw new GpuLogFileError(`GPU log ${path} holds no samples`);
    for (const s of log.history.samples()) history.add(s);
    sources.push(`${path}: ${log.describe()}`);
  }
  const timelines = store.runs.map((run) => ({ run, timeline: runTimeline(run) })).filter((r) => r.timeline.steps.length > 0);
  if (options.prometheus && timelines.length) sources.push(await readPrometheus(options.prometheus, timelines.map((t) => t.timeline), history, options.signal));
  const apps = options.computeApps === 'query' ? await queryComputeApps(options.env ?? process.env, options.signal) : (options.computeApps ?? []);
  const processes = apps.length ? await describeProcesses(apps, options.procRoot) : [];
  const dirOf = (files: readonly string[]) => (files[0] ? dirname(resolve(root, files[0])) : resolve(root));
  const runDirs = new Map(timelines.map(({ run }) => [run.name, dirOf(run.files)]));
  const ties = tieRunsToProcesses([...runDirs.values()], processes);
  const tied = new Map<string, { pid: number; by: 'event-file' | 'argument' }>();
  const runs: RunTimeline[] = timelines.map(({ run, timeline }) => {
    const tie = ties.get(runDirs.get(run.name)!);
    if (tie) tied.set(run.name, { pid: tie.process.pid, by: tie.by });
    const gpus = tie ? tie.process.gpus : options.gpus;
    const from: GpuAttribution = tie ? 'process' : 'configured';
    return { ...timeline, ...(gpus?.length ? { gpus, gpusFrom: from } : {}), ...(tie ? { processAlive: true } : {}) };
  });
  return { runs: computeEfficiency(runs, history, options), sources, history, processes: tied };
}

async function readPrometheus(p: NonNullable<LogdirEfficiencyOptions['prometheus']>, runs: readonly RunTimeline[], history: GpuHistory, signal?: AbortSignal): Promise<string> {
  let startMs = Infinity;
  let endMs = -Infinity;
  for (const r of runs) for (const s of r.steps) {
    startMs = Math.min(startMs, s.wallTime * 1000);
    endMs = Math.max(endMs, s.wallTime * 1000);
  }
  // Prometheus answers at most 11,000 points a series: the step grows with the span.
  const stepMs = Math.max(p.stepMs ?? 15_000, Math.ceil((endMs - startMs) / 10_000 / 1000) * 1000);
  const answer = await queryClusterGpuHistory(p.url, p.matchers ?? [], { startMs: Math.floor(startMs), endMs: Math.ceil(endMs), stepMs }, { ...(p.timeoutMs ? { timeoutMs: p.timeoutMs } : {}), ...(signal ? { signal } : {}) });
  if (answer.kind !== 'ok') return `${p.url.origin}: no DCGM history (${answer.message})`;
  let n = 0;
  for (const snapshot of answer.value) {
    history.addSnapshot(snapshot);
    n += snapshot.gpus.length;
  }
  return `${p.url.origin}: ${n} DCGM samples every ${stepMs / 1000} s`;
}

/** The compute processes nvidia-smi lists now; none where it is not installed or fails. */
export async function queryComputeApps(env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<ComputeApp[]> {
  const smi = locateNvidiaSmi(env);
  if (!smi) return [];
  const r = await runSmi(smi, [`--query-compute-apps=${COMPUTE_APPS_FIELDS}`, '--format=csv,noheader,nounits'], { timeoutMs: 5000, env, ...(signal ? { signal } : {}) });
  return r.code === 0 ? parseComputeApps(r.stdout) : [];
}

/** A run's directory relative to the root, `/`-separated, as reports show it. */
export function runDirectory(root: string, file: string): string {
  return relative(root, dirname(resolve(root, file))).split('\\').join('/') || '.';
}
