import { COMPUTE_APPS_FIELDS, parseComputeApps, parseGpuList, type ListedGpu } from '../../core/gpu/computeApps';
import { queryArgument, streamingQuery, type QueryField } from '../../core/gpu/fields';
import { LineSplitter } from '../../core/gpu/lines';
import { MAX_LINE_LENGTH, parseGpuLine, type FieldValues } from '../../core/gpu/parse';
import { SnapshotAssembler } from '../../core/gpu/snapshot';
import type { GpuSnapshot } from '../../core/gpu/types';
import { probeGpus, selectionArgs } from './probe';
import { describeExit, SupervisedGpuSampler, type LifecycleStatus, type SamplerEvent, type SupervisedSamplerOptions } from './samplerLifecycle';
import { locateNvidiaSmi, runSmi } from './smiProcess';

/** How a `GpuSampler` runs nvidia-smi (`intervalMs` is passed to `-lms`). */
export interface GpuSamplerOptions extends SupervisedSamplerOptions {
  /** nvidia-smi to run; looked up on `env.PATH` when absent. */
  readonly executable?: string | null;
}

/** Where the sampler stands. */
export type GpuSamplerStatus =
  | { readonly state: 'starting' }
  | { readonly state: 'running'; readonly pid: number; readonly gpuCount: number; readonly droppedFields: readonly string[] }
  | LifecycleStatus;

/** Everything a sampler reports, as one tagged union. */
export type GpuSamplerEvent = SamplerEvent<GpuSamplerStatus> | MigInventoryEvent;

/** The GPUs and their MIG instances (`nvidia-smi -L`), sent after a probe finds MIG mode on. */
type MigInventoryEvent = { readonly type: 'migInventory'; readonly gpus: readonly ListedGpu[] };

/** Receives every event of a sampler, in order. */
export type GpuSamplerListener = (event: GpuSamplerEvent) => void;

/**
 * Samples every GPU through ONE long-lived `nvidia-smi --query-gpu=... -lms <interval>` process,
 * after a one-off probe that learns the static facts and drops fields the driver rejects.
 * A watchdog restarts a silent stream; exits, crashes and garbage restart it with backoff; no GPU
 * (no nvidia-smi, no driver) is reported once and not retried. `dispose()` kills every child and
 * resolves once they are gone.
 */
export class GpuSampler extends SupervisedGpuSampler<GpuSamplerOptions, GpuSamplerStatus, MigInventoryEvent> {
  private appsInFlight = false;
  private query: readonly QueryField[] | undefined;
  private executable: string | null = null;
  /** Output lines dropped for being longer than MAX_LINE_LENGTH (their text is never kept). */
  droppedLongLines = 0;
  /** Lines not even parsed because newer ticks came in the same read (a stream faster than its interval). */
  skippedLines = 0;

  constructor(options: GpuSamplerOptions) {
    super(options, { name: 'GpuSampler', probeTimeoutMs: 5000 });
  }

  protected override begin(): void {
    this.executable = locateNvidiaSmi(this.options.env ?? process.env, this.options.executable);
    if (!this.executable) {
      const where = this.options.executable ? `at ${this.options.executable}` : 'on PATH';
      return this.giveUp(`nvidia-smi not found ${where}: no NVIDIA GPU monitoring on this machine`);
    }
    void this.cycle();
  }

  protected async cycle(): Promise<void> {
    if (this.disposed || !this.executable) return;
    const gen = ++this.generation;
    this.setStatus({ state: 'starting' });
    const probeStart = Date.now();
    const probe = await this.track(probeGpus({
      executable: this.executable,
      ...(this.options.gpuIndex !== undefined ? { gpuIndex: this.options.gpuIndex } : {}),
      ...this.oneOffOptions(),
      ...(this.query ? { query: this.query } : {}),
    }));
    if (this.disposed || gen !== this.generation) return;
    if (probe.kind === 'no-gpu') return this.giveUp(probe.message);
    if (probe.kind === 'error') return this.scheduleRestart(probe.message);
    for (const f of probe.dropped) this.emit({ type: 'notice', message: `nvidia-smi rejected field '${f}'; continuing without it` });
    this.query = probe.query;
    this.emit({ type: 'snapshot', snapshot: probe.snapshot });
    if (probe.snapshot.gpus.some((g) => g.migEnabled)) {
      const list = await this.track(runSmi(this.executable, ['-L'], this.oneOffOptions()));
      if (this.disposed || gen !== this.generation) return;
      if (list.code === 0) this.emit({ type: 'migInventory', gpus: parseGpuList(list.stdout) });
    }
    this.stream(probe.query, probe.facts, probe.snapshot.gpus.length, probe.dropped, Date.now() - probeStart);
    this.scheduleComputeApps();
  }

  private stream(query: readonly QueryField[], facts: ReadonlyMap<number, FieldValues>, gpuCount: number, dropped: readonly string[], probeMs: number): void {
    const fields = streamingQuery(query);
    const args = [`--query-gpu=${queryArgument(fields)}`, '--format=csv,noheader,nounits', '-lms', String(this.options.intervalMs), ...selectionArgs(this.options.gpuIndex)];
    const child = this.spawnChild(this.executable!, args);
    const assembler = new SnapshotAssembler(gpuCount, facts);
    const out = new LineSplitter();
    const err = new LineSplitter();
    let lastGood = Date.now();
    let garbage = 0;
    let stderrLines = 0;
    const droppedBefore = this.droppedLongLines;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      // Only the newest snapshot of a chunk is sent: a producer faster than its listeners
      // costs skipped samples, never a queue (the pipe's own buffer is the only backlog).
      let latest: GpuSnapshot | undefined;
      let lines = out.push(chunk);
      // Nor is every line of a flood parsed: the newest two ticks of a read are all that can matter.
      if (lines.length > 2 * gpuCount) {
        this.skippedLines += lines.length - 2 * gpuCount;
        lines = lines.slice(-2 * gpuCount);
      }
      for (const line of lines) {
        if (line.trim() === '') continue;
        const r = parseGpuLine(line, fields);
        if (!r.ok) {
          // One notice per process is enough to diagnose; more would flood the log.
          if (garbage++ === 0) this.emit({ type: 'notice', message: `ignoring unexpected nvidia-smi output (${r.reason}): ${line.slice(0, 120)}` });
          continue;
        }
        lastGood = Date.now();
        for (const snapshot of assembler.push(r.values, lastGood)) latest = snapshot;
      }
      if (out.overflows > 0) {
        if (this.droppedLongLines === 0) this.emit({ type: 'notice', message: `dropping nvidia-smi output lines longer than ${MAX_LINE_LENGTH} characters` });
        this.droppedLongLines = droppedBefore + out.overflows;
      }
      if (latest) this.deliver(latest);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of err.push(chunk)) if (line.trim() && stderrLines++ < 5) this.emit({ type: 'notice', message: `nvidia-smi: ${line.slice(0, 200)}` });
    });
    void child.exited.then((exit) => {
      if (this.child === child) this.child = null;
      if (exit.spawnError) this.emit({ type: 'notice', message: `nvidia-smi: ${exit.spawnError.message}` });
      // No live timer: a restart is already scheduled (or we are done), so this exit is no news.
      if (this.disposed || this.liveTimer === null) return;
      this.scheduleRestart(`nvidia-smi ${describeExit(exit)}`);
    });
    if (child.pid !== undefined) this.setStatus({ state: 'running', pid: child.pid, gpuCount, droppedFields: dropped });
    this.startWatchdog(this.options.intervalMs, probeMs, () => lastGood, (silenceMs) => {
      this.scheduleRestart(`nvidia-smi sent no sample for ${(silenceMs / 1000).toFixed(1)} s`);
    });
  }

  /** One query at a time: a chain still in flight across a restart carries on instead of a second one starting. */
  private scheduleComputeApps(): void {
    this.repeatComputeApps(async () => {
      if (this.disposed || this.appsInFlight) return false;
      this.appsInFlight = true;
      try {
        const r = await this.track(
          runSmi(
            this.executable!,
            [`--query-compute-apps=${COMPUTE_APPS_FIELDS}`, '--format=csv,noheader,nounits', ...selectionArgs(this.options.gpuIndex)],
            this.oneOffOptions(),
          ),
        );
        if (!this.disposed && r.code === 0) this.emit({ type: 'computeApps', apps: parseComputeApps(r.stdout), timeMs: Date.now() });
      } finally {
        this.appsInFlight = false;
      }
      return !this.disposed && this.liveTimer !== null;
    });
  }
}
