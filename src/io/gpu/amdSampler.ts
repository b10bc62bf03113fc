import { classifyAmdFailure } from '../../core/gpu/amdFailures';
import { parseAmdMetricDocument, parseAmdProcesses, parseJsonDocument, type AmdGpuFacts } from '../../core/gpu/amdSmi';
import { Backoff } from '../../core/gpu/backoff';
import { JsonDocumentSplitter } from '../../core/gpu/jsonDocuments';
import { LineSplitter } from '../../core/gpu/lines';
import type { GpuSnapshot } from '../../core/gpu/types';
import { runCaptured, spawnSupervised, type SupervisedChild } from '../childProcess';
import { amdRunFailure, probeAmdGpus, type AmdTool } from './amdProbe';
import type { GpuSamplerEvent, GpuSamplerStatus } from './gpuSampler';
import type { GpuSelection } from './probe';

/** How an `AmdGpuSampler` runs amd-smi or rocm-smi; every duration in milliseconds. */
export interface AmdGpuSamplerOptions {
  readonly tool: AmdTool;
  readonly executable: string;
  /** At least 100 ms; amd-smi's watch mode counts whole seconds, so it streams at the nearest (at least 1 s). */
  readonly intervalMs: number;
  readonly gpuIndex?: GpuSelection;
  readonly env?: NodeJS.ProcessEnv;
  /** How often to ask amd-smi for processes; 0 turns it off. Default max(5 s, 5 intervals). */
  readonly computeAppsIntervalMs?: number;
  /** Silence after which a watch is given up. Default max(5 s, 5 ticks, 3 probe times + 1 tick). */
  readonly watchdogMs?: number;
  /** How long a one-off run may take. Default 10 s (amd-smi starts a Python interpreter). */
  readonly probeTimeoutMs?: number;
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
  /** Time between SIGTERM and SIGKILL when stopping the watch. Default 1 s. */
  readonly killGraceMs?: number;
}

/** The sampler's states: a GpuSampler's, plus polling one process at a time. */
export type AmdSamplerStatus = GpuSamplerStatus | { readonly state: 'polling'; readonly gpuCount: number; readonly reason: string };

export type AmdSamplerEvent = Exclude<GpuSamplerEvent, { type: 'status' } | { type: 'migInventory' }> | { readonly type: 'status'; readonly status: AmdSamplerStatus };

/**
 * Samples AMD GPUs the way `GpuSampler` samples NVIDIA ones, with the same events. amd-smi runs as
 * ONE long-lived `amd-smi metric -w N --json` whose indented documents are split as they arrive;
 * a watch that stays silent from the start (ROCm 7.1.1 prints nothing in that mode) is replaced by
 * one-shot `amd-smi metric --json` polls, one process at a time, as is rocm-smi, which has no
 * watch mode. Exits, crashes and garbage restart with backoff; no permission, no driver and no
 * GPU are reported once and not retried.
 */
export class AmdGpuSampler {
  private readonly listeners = new Set<(event: AmdSamplerEvent) => void>();
  private readonly backoff: Backoff;
  private readonly aborter = new AbortController();
  private child: SupervisedChild | null = null;
  private timer: NodeJS.Timeout | null = null;
  private appsTimer: NodeJS.Timeout | null = null;
  private readonly oneOffs = new Set<Promise<unknown>>();
  private started = false;
  private disposed = false;
  private disposing: Promise<void> | undefined;
  private generation = 0;
  private current: AmdSamplerStatus = { state: 'stopped' };
  private facts: ReadonlyMap<number, AmdGpuFacts> | undefined;
  /** Set once a watch proved silent: polling from then on, for this sampler's life. */
  private pollOnly: boolean;
  restarts = 0;

  constructor(readonly options: AmdGpuSamplerOptions) {
    if (!Number.isInteger(options.intervalMs) || options.intervalMs < 100) {
      throw new RangeError(`AmdGpuSampler: intervalMs must be an integer >= 100, got ${options.intervalMs}`);
    }
    this.backoff = new Backoff(options.backoffInitialMs ?? 1000, options.backoffMaxMs ?? 30_000);
    this.pollOnly = options.tool === 'rocm-smi';
  }

  on(listener: (event: AmdSamplerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get status(): AmdSamplerStatus {
    return this.current;
  }

  /** The pid of the watching amd-smi, while one runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** True once sampling has fallen back to (or started with) one-shot polls. */
  get polling(): boolean {
    return this.pollOnly;
  }

  start(): void {
    if (this.started || this.disposed) return;
    this.started = true;
    void this.cycle();
  }

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

  private get tool(): AmdTool {
    return this.options.tool;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.oneOffs.add(p);
    void p.finally(() => this.oneOffs.delete(p));
    return p;
  }

  private emit(event: AmdSamplerEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        /* a listener's bug must not stop sampling */
      }
    }
  }

  private setStatus(status: AmdSamplerStatus): void {
    this.current = status;
    this.emit({ type: 'status', status });
  }

  private clearTimers(): void {
    for (const t of [this.timer, this.appsTimer]) if (t) clearTimeout(t);
    this.timer = this.appsTimer = null;
  }

  private probe(withFacts: boolean) {
    return this.track(
      probeAmdGpus({
        tool: this.tool,
        executable: this.options.executable,
        timeoutMs: this.options.probeTimeoutMs ?? 10_000,
        signal: this.aborter.signal,
        ...(this.options.gpuIndex !== undefined ? { gpuIndex: this.options.gpuIndex } : {}),
        ...(this.options.env ? { env: this.options.env } : {}),
        ...(withFacts && this.facts ? { facts: this.facts } : {}),
      }),
    );
  }

  private async cycle(): Promise<void> {
    if (this.disposed) return;
    const gen = ++this.generation;
    this.setStatus({ state: 'starting' });
    const probeStart = Date.now();
    const probe = await this.probe(false);
    if (this.disposed || gen !== this.generation) return;
    if (probe.kind === 'no-gpu') return this.setStatus({ state: 'no-gpu', message: probe.message });
    if (probe.kind === 'error') return this.scheduleRestart(probe.message);
    this.facts = probe.facts;
    this.emit({ type: 'snapshot', snapshot: probe.snapshot });
    const gpuCount = probe.snapshot.gpus.length;
    if (this.pollOnly) this.startPolling(gen, gpuCount, `${this.tool} has no JSON watch mode`);
    else this.watch(gen, gpuCount, Date.now() - probeStart);
    if (this.tool === 'amd-smi') this.scheduleComputeApps(gen);
  }

  private keep(gpus: GpuSnapshot['gpus']): GpuSnapshot['gpus'] {
    const i = this.options.gpuIndex;
    return i === undefined || i === 'all' ? gpus : gpus.filter((g) => g.index === i);
  }

  private watch(gen: number, gpuCount: number, probeMs: number): void {
    const seconds = Math.max(1, Math.round(this.options.intervalMs / 1000));
    const child = spawnSupervised(this.options.executable, ['metric', '-w', String(seconds), '--json'], this.options.env ? { env: this.options.env } : {});
    this.child = child;
    let documents = 0;
    let noise = 0;
    let lastGood = Date.now();
    const facts = this.facts ?? new Map<number, AmdGpuFacts>();
    const splitter = new JsonDocumentSplitter(
      (text) => {
        const doc = parseJsonDocument(text, 'amd-smi metric -w');
        const parsed = doc.ok ? parseAmdMetricDocument(doc.value, facts) : doc;
        if (!parsed.ok) {
          if (noise++ === 0) this.emit({ type: 'notice', message: `ignoring unexpected amd-smi output: ${parsed.reason.slice(0, 160)}` });
          return;
        }
        documents++;
        lastGood = Date.now();
        latest = { timeMs: lastGood, gpus: this.keep(parsed.value) };
      },
      (line) => {
        if (noise++ === 0) this.emit({ type: 'notice', message: `ignoring unexpected amd-smi output: ${line.slice(0, 120)}` });
      },
    );
    // Only the newest document of a chunk is sent: a slow listener skips samples, never queues them.
    let latest: GpuSnapshot | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      latest = undefined;
      splitter.push(chunk);
      if (latest && gen === this.generation) {
        this.backoff.reset();
        this.emit({ type: 'snapshot', snapshot: latest });
      }
    });
    const err = new LineSplitter();
    let stderrText = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of err.push(chunk)) {
        if (!line.trim() || stderrText.length > 4000) continue;
        stderrText += line + '\n';
        this.emit({ type: 'notice', message: `amd-smi: ${line.slice(0, 200)}` });
      }
    });
    void child.exited.then(({ code, signal, spawnError }) => {
      // A child we stopped ourselves was already unset: only an exit of its own is news.
      if (this.child !== child) return;
      this.child = null;
      if (this.disposed || gen !== this.generation) return;
      const known = classifyAmdFailure('amd-smi', stderrText);
      if (known) {
        this.clearTimers();
        return this.setStatus({ state: 'no-gpu', message: known.message });
      }
      const why = spawnError ? `could not be started (${spawnError.code ?? spawnError.message})` : signal ? `was killed by ${signal}` : `exited with code ${code}`;
      this.scheduleRestart(`amd-smi metric -w ${why}`);
    });
    if (child.pid !== undefined) this.setStatus({ state: 'running', pid: child.pid, gpuCount, droppedFields: [] });
    const silenceMs = this.options.watchdogMs ?? Math.max(5000, 5 * seconds * 1000, 3 * probeMs + seconds * 1000);
    const tick = Math.max(50, Math.min(1000, Math.floor(silenceMs / 4)));
    const check = () => {
      if (Date.now() - lastGood <= silenceMs) {
        this.timer = setTimeout(check, tick);
        return;
      }
      if (documents === 0) {
        // ROCm 7.1.1's watch prints nothing at all; one-shot queries still answer.
        this.pollOnly = true;
        this.timer = null;
        void this.stopChild();
        const reason = `amd-smi metric -w printed nothing for ${(silenceMs / 1000).toFixed(1)} s (a known ROCm 7.1.1 bug); polling amd-smi metric --json instead`;
        this.emit({ type: 'notice', message: reason });
        this.startPolling(gen, gpuCount, reason);
        return;
      }
      this.scheduleRestart(`amd-smi sent no sample for ${(silenceMs / 1000).toFixed(1)} s`);
    };
    this.timer = setTimeout(check, tick);
  }

  /** One one-shot query at a time, each started an interval after the last one started (or at once if it overran). */
  private startPolling(gen: number, gpuCount: number, reason: string): void {
    this.setStatus({ state: 'polling', gpuCount, reason });
    const poll = async () => {
      if (this.disposed || gen !== this.generation) return;
      const began = Date.now();
      const r = await this.probe(true);
      if (this.disposed || gen !== this.generation) return;
      if (r.kind === 'no-gpu') {
        this.clearTimers();
        return this.setStatus({ state: 'no-gpu', message: r.message });
      }
      if (r.kind === 'error') return this.scheduleRestart(r.message);
      this.backoff.reset();
      this.emit({ type: 'snapshot', snapshot: r.snapshot });
      this.timer = setTimeout(() => void poll(), Math.max(0, this.options.intervalMs - (Date.now() - began)));
    };
    this.timer = setTimeout(() => void poll(), this.options.intervalMs);
  }

  private scheduleRestart(reason: string): void {
    if (this.disposed) return;
    this.clearTimers();
    void this.stopChild();
    const delayMs = this.backoff.next();
    this.restarts++;
    this.setStatus({ state: 'retrying', reason, delayMs, attempt: this.backoff.attempt });
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.cycle();
    }, delayMs);
  }

  private async stopChild(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child) await child.stop(this.options.killGraceMs ?? 1000);
  }

  private scheduleComputeApps(gen: number): void {
    const every = this.options.computeAppsIntervalMs ?? Math.max(5000, 5 * this.options.intervalMs);
    if (every <= 0) return;
    const run = async () => {
      if (this.disposed || gen !== this.generation) return;
      const timeoutMs = this.options.probeTimeoutMs ?? 10_000;
      const r = await this.track(
        runCaptured(this.options.executable, ['process', '--json'], { timeoutMs, signal: this.aborter.signal, ...(this.options.env ? { env: this.options.env } : {}) }),
      );
      if (this.disposed || gen !== this.generation) return;
      if (!amdRunFailure('amd-smi', this.options.executable, r, timeoutMs, this.aborter.signal)) {
        const apps = parseAmdProcesses(r.stdout, this.facts ?? new Map());
        if (apps.ok) this.emit({ type: 'computeApps', apps: apps.value, timeMs: Date.now() });
      }
      this.appsTimer = setTimeout(() => void run(), every);
    };
    void run();
  }
}
