import { Backoff } from '../../core/gpu/backoff';
import { COMPUTE_APPS_FIELDS, parseComputeApps, parseGpuList, type ListedGpu } from '../../core/gpu/computeApps';
import { queryArgument, streamingQuery, type QueryField } from '../../core/gpu/fields';
import { LineSplitter } from '../../core/gpu/lines';
import { MAX_LINE_LENGTH, parseGpuLine, type FieldValues } from '../../core/gpu/parse';
import { SnapshotAssembler } from '../../core/gpu/snapshot';
import type { ComputeApp, GpuSnapshot } from '../../core/gpu/types';
import { spawnSupervised, type SupervisedChild } from '../childProcess';
import { probeGpus, selectionArgs, type GpuSelection } from './probe';
import { locateNvidiaSmi, runSmi, type SmiRunOptions } from './smiProcess';

/** How a `GpuSampler` runs nvidia-smi; every duration in milliseconds. */
export interface GpuSamplerOptions {
  /** Sampling interval passed to `-lms`; at least 100 ms. */
  readonly intervalMs: number;
  /** nvidia-smi to run; looked up on `env.PATH` when absent. */
  readonly executable?: string | null;
  readonly gpuIndex?: GpuSelection;
  readonly env?: NodeJS.ProcessEnv;
  /** How often to query per-process memory; 0 turns it off. Default max(5 s, 5 intervals). */
  readonly computeAppsIntervalMs?: number;
  /** Silence (no valid line) after which the stream is killed and restarted. Default max(5 s, 5 intervals, 3 probe times + 1 interval). */
  readonly watchdogMs?: number;
  /** How long a one-off query may take. Default 5 s. */
  readonly probeTimeoutMs?: number;
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
  /** Time between SIGTERM and SIGKILL when stopping the stream. Default 1 s. */
  readonly killGraceMs?: number;
}

/** Where the sampler stands. */
export type GpuSamplerStatus =
  | { readonly state: 'starting' }
  | { readonly state: 'running'; readonly pid: number; readonly gpuCount: number; readonly droppedFields: readonly string[] }
  | { readonly state: 'no-gpu'; readonly message: string }
  | { readonly state: 'retrying'; readonly reason: string; readonly delayMs: number; readonly attempt: number }
  | { readonly state: 'stopped' };

/** Everything a sampler reports, as one tagged union. */
export type GpuSamplerEvent =
  | { readonly type: 'snapshot'; readonly snapshot: GpuSnapshot }
  | { readonly type: 'computeApps'; readonly apps: readonly ComputeApp[]; readonly timeMs: number }
  /** The GPUs and their MIG instances (`nvidia-smi -L`), sent after a probe finds MIG mode on. */
  | { readonly type: 'migInventory'; readonly gpus: readonly ListedGpu[] }
  | { readonly type: 'status'; readonly status: GpuSamplerStatus }
  /** Something worth one line in a log: a dropped field, ignored garbage, a stderr line. */
  | { readonly type: 'notice'; readonly message: string };

/** Receives every event of a sampler, in order. */
export type GpuSamplerListener = (event: GpuSamplerEvent) => void;

/**
 * Samples every GPU through ONE long-lived `nvidia-smi --query-gpu=... -lms <interval>` process,
 * after a one-off probe that learns the static facts and drops fields the driver rejects.
 * A watchdog restarts a silent stream; exits, crashes and garbage restart it with backoff; no GPU
 * (no nvidia-smi, no driver) is reported once and not retried. `dispose()` kills every child and
 * resolves once they are gone.
 */
export class GpuSampler {
  private readonly listeners = new Set<GpuSamplerListener>();
  private readonly backoff: Backoff;
  private readonly aborter = new AbortController();
  private child: SupervisedChild | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private appsTimer: NodeJS.Timeout | null = null;
  private appsInFlight = false;
  /** One-off queries still running; dispose waits for them so no child outlives it. */
  private readonly oneOffs = new Set<Promise<unknown>>();
  private started = false;
  private disposed = false;
  private disposing: Promise<void> | undefined;
  private generation = 0;
  private current: GpuSamplerStatus = { state: 'stopped' };
  private query: readonly QueryField[] | undefined;
  private executable: string | null = null;
  /** Restarts since construction, for tests and diagnostics. */
  restarts = 0;
  /** Output lines dropped for being longer than MAX_LINE_LENGTH (their text is never kept). */
  droppedLongLines = 0;
  /** Lines not even parsed because newer ticks came in the same read (a stream faster than its interval). */
  skippedLines = 0;

  constructor(readonly options: GpuSamplerOptions) {
    if (!Number.isInteger(options.intervalMs) || options.intervalMs < 100) {
      throw new RangeError(`GpuSampler: intervalMs must be an integer >= 100, got ${options.intervalMs}`);
    }
    this.backoff = new Backoff(options.backoffInitialMs ?? 1000, options.backoffMaxMs ?? 30_000);
  }

  /** Subscribes; returns the function that unsubscribes. */
  on(listener: GpuSamplerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get status(): GpuSamplerStatus {
    return this.current;
  }

  /** The pid of the streaming nvidia-smi, while one runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts sampling; a second call does nothing. */
  start(): void {
    if (this.started || this.disposed) return;
    this.started = true;
    this.executable = locateNvidiaSmi(this.options.env ?? process.env, this.options.executable);
    if (!this.executable) {
      const where = this.options.executable ? `at ${this.options.executable}` : 'on PATH';
      this.setStatus({ state: 'no-gpu', message: `nvidia-smi not found ${where}: no NVIDIA GPU monitoring on this machine` });
      return;
    }
    void this.cycle();
  }

  /** Stops sampling and kills every child; resolves when the stream process has exited. */
  dispose(): Promise<void> {
    this.disposing ??= this.stopAll();
    return this.disposing;
  }

  private async stopAll(): Promise<void> {
    this.disposed = true;
    this.aborter.abort();
    this.clearTimers();
    await Promise.all([this.stopChild(), ...this.oneOffs]);
    this.setStatus({ state: 'stopped' });
    this.listeners.clear();
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.oneOffs.add(p);
    void p.finally(() => this.oneOffs.delete(p));
    return p;
  }

  private emit(event: GpuSamplerEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        /* a listener's bug must not stop sampling */
      }
    }
  }

  private setStatus(status: GpuSamplerStatus): void {
    this.current = status;
    this.emit({ type: 'status', status });
  }

  private clearTimers(): void {
    for (const t of [this.restartTimer, this.watchdog, this.appsTimer]) if (t) clearTimeout(t);
    this.restartTimer = this.watchdog = this.appsTimer = null;
  }

  /** Options for each one-shot nvidia-smi run (probe, `-L`, compute apps). */
  private smiOptions(): SmiRunOptions {
    return { timeoutMs: this.options.probeTimeoutMs ?? 5000, signal: this.aborter.signal, ...(this.options.env ? { env: this.options.env } : {}) };
  }

  private async cycle(): Promise<void> {
    if (this.disposed || !this.executable) return;
    const gen = ++this.generation;
    this.setStatus({ state: 'starting' });
    const probeStart = Date.now();
    const probe = await this.track(probeGpus({
      executable: this.executable,
      ...(this.options.gpuIndex !== undefined ? { gpuIndex: this.options.gpuIndex } : {}),
      ...this.smiOptions(),
      ...(this.query ? { query: this.query } : {}),
    }));
    if (this.disposed || gen !== this.generation) return;
    if (probe.kind === 'no-gpu') return this.setStatus({ state: 'no-gpu', message: probe.message });
    if (probe.kind === 'error') return this.scheduleRestart(probe.message);
    for (const f of probe.dropped) this.emit({ type: 'notice', message: `nvidia-smi rejected field '${f}'; continuing without it` });
    this.query = probe.query;
    this.emit({ type: 'snapshot', snapshot: probe.snapshot });
    if (probe.snapshot.gpus.some((g) => g.migEnabled)) {
      const list = await this.track(runSmi(this.executable, ['-L'], this.smiOptions()));
      if (this.disposed || gen !== this.generation) return;
      if (list.code === 0) this.emit({ type: 'migInventory', gpus: parseGpuList(list.stdout) });
    }
    this.stream(probe.query, probe.facts, probe.snapshot.gpus.length, probe.dropped, Date.now() - probeStart);
    this.scheduleComputeApps();
  }

  private stream(query: readonly QueryField[], facts: ReadonlyMap<number, FieldValues>, gpuCount: number, dropped: readonly string[], probeMs: number): void {
    const fields = streamingQuery(query);
    const args = [`--query-gpu=${queryArgument(fields)}`, '--format=csv,noheader,nounits', '-lms', String(this.options.intervalMs), ...selectionArgs(this.options.gpuIndex)];
    const child = spawnSupervised(this.executable!, args, this.options.env ? { env: this.options.env } : {});
    this.child = child;
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
      if (latest) {
        this.backoff.reset();
        this.emit({ type: 'snapshot', snapshot: latest });
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of err.push(chunk)) if (line.trim() && stderrLines++ < 5) this.emit({ type: 'notice', message: `nvidia-smi: ${line.slice(0, 200)}` });
    });
    void child.exited.then(({ code, signal, spawnError }) => {
      if (this.child === child) this.child = null;
      if (spawnError) this.emit({ type: 'notice', message: `nvidia-smi: ${spawnError.message}` });
      if (this.disposed || this.watchdog === null) return;
      const why = spawnError ? `could not be started (${spawnError.code ?? spawnError.message})` : signal ? `was killed by ${signal}` : `exited with code ${code}`;
      this.scheduleRestart(`nvidia-smi ${why}`);
    });
    if (child.pid !== undefined) this.setStatus({ state: 'running', pid: child.pid, gpuCount, droppedFields: dropped });
    // A slow driver (many GPUs, no persistence mode) starts the stream as slowly as it answered the probe.
    const silenceMs = this.options.watchdogMs ?? Math.max(5000, 5 * this.options.intervalMs, 3 * probeMs + this.options.intervalMs);
    const tick = Math.max(50, Math.min(1000, Math.floor(silenceMs / 4)));
    const check = () => {
      if (Date.now() - lastGood > silenceMs) {
        this.scheduleRestart(`nvidia-smi sent no sample for ${(silenceMs / 1000).toFixed(1)} s`);
        return;
      }
      this.watchdog = setTimeout(check, tick);
    };
    this.watchdog = setTimeout(check, tick);
  }

  private scheduleRestart(reason: string): void {
    if (this.disposed) return;
    this.clearTimers();
    void this.stopChild();
    const delayMs = this.backoff.next();
    this.restarts++;
    this.setStatus({ state: 'retrying', reason, delayMs, attempt: this.backoff.attempt });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      void this.cycle();
    }, delayMs);
  }

  /** Terminates the stream process and its group (SIGTERM, then SIGKILL after the grace period). */
  private async stopChild(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child) await child.stop(this.options.killGraceMs ?? 1000);
  }

  private scheduleComputeApps(): void {
    const every = this.options.computeAppsIntervalMs ?? Math.max(5000, 5 * this.options.intervalMs);
    if (every <= 0 || this.disposed) return;
    const run = async () => {
      if (this.disposed || this.appsInFlight) return;
      this.appsInFlight = true;
      try {
        const r = await this.track(
          runSmi(
            this.executable!,
            [`--query-compute-apps=${COMPUTE_APPS_FIELDS}`, '--format=csv,noheader,nounits', ...selectionArgs(this.options.gpuIndex)],
            this.smiOptions(),
          ),
        );
        if (!this.disposed && r.code === 0) this.emit({ type: 'computeApps', apps: parseComputeApps(r.stdout), timeMs: Date.now() });
      } finally {
        this.appsInFlight = false;
      }
      if (!this.disposed && this.watchdog !== null) this.appsTimer = setTimeout(() => void run(), every);
    };
    void run();
  }
}
