import { Backoff } from '../../core/gpu/backoff';
import type { ComputeApp, GpuSnapshot } from '../../core/gpu/types';
import { spawnSupervised, type CaptureOptions, type ChildExit, type SupervisedChild } from '../childProcess';
import type { GpuSelection } from './probe';

/** What to sample, whatever the tool; every duration in milliseconds. */
export interface GpuSamplingOptions {
  /** Sampling interval; at least 100 ms. */
  readonly intervalMs: number;
  readonly gpuIndex?: GpuSelection;
  readonly env?: NodeJS.ProcessEnv;
  /** How often to query per-process memory; 0 turns it off. Default max(5 s, 5 intervals). */
  readonly computeAppsIntervalMs?: number;
}

/** How a supervised sampler watches, restarts and stops its tool; every duration in milliseconds. */
export interface SupervisedSamplerOptions extends GpuSamplingOptions {
  /** Silence (no valid sample) after which the long-lived child is given up. Default max(5 s, 5 intervals, 3 probe times + 1 interval), in amd-smi's whole-second intervals. */
  readonly watchdogMs?: number;
  /** How long a one-off run may take. Default 5 s for nvidia-smi, 10 s for the AMD tools (amd-smi starts a Python interpreter). */
  readonly probeTimeoutMs?: number;
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
  /** Time between SIGTERM and SIGKILL when stopping the long-lived child. Default 1 s. */
  readonly killGraceMs?: number;
}

/** The states the lifecycle itself enters; each sampler's status type includes them. */
export type LifecycleStatus =
  | { readonly state: 'retrying'; readonly reason: string; readonly delayMs: number; readonly attempt: number }
  | { readonly state: 'no-gpu'; readonly message: string }
  | { readonly state: 'stopped' };

/** The events every sampler sends, in order; `S` is its status type. */
export type SamplerEvent<S> =
  | { readonly type: 'snapshot'; readonly snapshot: GpuSnapshot }
  | { readonly type: 'computeApps'; readonly apps: readonly ComputeApp[]; readonly timeMs: number }
  | { readonly type: 'status'; readonly status: S }
  /** Something worth one line in a log: a dropped field, ignored garbage, a stderr line. */
  | { readonly type: 'notice'; readonly message: string };

/** How a child ended, in the words of a status line: `exited with code 1`, `was killed by SIGKILL`. */
export function describeExit({ code, signal, spawnError }: ChildExit): string {
  return spawnError ? `could not be started (${spawnError.code ?? spawnError.message})` : signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

/**
 * The lifecycle every GPU sampler shares: listeners, status, one-off runs that dispose waits for,
 * the long-lived child, restarts with backoff, the watchdog and the per-process query's timer.
 * A subclass supplies `cycle()` (probe, then stream or poll) and its tool's parsing.
 */
// A base class, not a helper object: both samplers' public surface (on, status, pid, start, dispose) is this one, which a helper would make each forward.
export abstract class SupervisedGpuSampler<O extends SupervisedSamplerOptions, S extends { readonly state: string }, Extra extends { readonly type: string } = never> {
  private readonly listeners = new Set<(event: SamplerEvent<S | LifecycleStatus> | Extra) => void>();
  private readonly backoff: Backoff;
  protected readonly aborter = new AbortController();
  protected child: SupervisedChild | null = null;
  /** The running phase's timer (a stream's watchdog, or the next poll); null once it gave way to a restart or the end. */
  protected liveTimer: NodeJS.Timeout | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private appsTimer: NodeJS.Timeout | null = null;
  /** One-off runs still going; dispose waits for them so no child outlives it. */
  private readonly oneOffs = new Set<Promise<unknown>>();
  private started = false;
  protected disposed = false;
  private disposing: Promise<void> | undefined;
  /** Bumped by each cycle, so that the callbacks of a replaced one do nothing. */
  protected generation = 0;
  private current: S | LifecycleStatus = { state: 'stopped' };
  /** Restarts since construction, for tests and diagnostics. */
  restarts = 0;

  protected constructor(
    readonly options: O,
    private readonly defaults: { readonly name: string; readonly probeTimeoutMs: number },
  ) {
    if (!Number.isInteger(options.intervalMs) || options.intervalMs < 100) {
      throw new RangeError(`${defaults.name}: intervalMs must be an integer >= 100, got ${options.intervalMs}`);
    }
    this.backoff = new Backoff(options.backoffInitialMs ?? 1000, options.backoffMaxMs ?? 30_000);
  }

  /** Subscribes; returns the function that unsubscribes. */
  on(listener: (event: SamplerEvent<S | LifecycleStatus> | Extra) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get status(): S | LifecycleStatus {
    return this.current;
  }

  /** The pid of the long-lived child (nvidia-smi's stream, amd-smi's watch), while one runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts sampling; a second call does nothing. */
  start(): void {
    if (this.started || this.disposed) return;
    this.started = true;
    this.begin();
  }

  /** Stops sampling and kills every child; resolves when they have exited. */
  dispose(): Promise<void> {
    this.disposing ??= this.stopAll();
    return this.disposing;
  }

  /** What `start()` does once: the first cycle, unless the tool is known to be missing. */
  protected begin(): void {
    void this.cycle();
  }

  /** One attempt: probe the GPUs, then stream or poll; failures go to `scheduleRestart`. */
  protected abstract cycle(): Promise<void>;

  private async stopAll(): Promise<void> {
    this.disposed = true;
    this.aborter.abort();
    this.clearTimers();
    await Promise.all([this.stopChild(), ...this.oneOffs]);
    this.setStatus({ state: 'stopped' });
    this.listeners.clear();
  }

  protected track<T>(p: Promise<T>): Promise<T> {
    this.oneOffs.add(p);
    void p.finally(() => this.oneOffs.delete(p));
    return p;
  }

  protected emit(event: SamplerEvent<S | LifecycleStatus> | Extra): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        /* a listener's bug must not stop sampling */
      }
    }
  }

  protected setStatus(status: S | LifecycleStatus): void {
    this.current = status;
    this.emit({ type: 'status', status });
  }

  /** The tool cannot work here (no GPU, driver or permission): said once, never retried. */
  protected giveUp(message: string): void {
    this.clearTimers();
    this.setStatus({ state: 'no-gpu', message });
  }

  protected clearTimers(): void {
    for (const t of [this.restartTimer, this.liveTimer, this.appsTimer]) if (t) clearTimeout(t);
    this.restartTimer = this.liveTimer = this.appsTimer = null;
  }

  /** Limits for each one-off run (probe, poll, per-process query): bounded, and killed by dispose. */
  protected oneOffOptions(): CaptureOptions {
    return { timeoutMs: this.options.probeTimeoutMs ?? this.defaults.probeTimeoutMs, signal: this.aborter.signal, ...(this.options.env ? { env: this.options.env } : {}) };
  }

  /** Starts the long-lived child in a process group of its own; it is the one `pid` and `stopChild` mean. */
  protected spawnChild(executable: string, args: readonly string[]): SupervisedChild {
    this.child = spawnSupervised(executable, args, this.options.env ? { env: this.options.env } : {});
    return this.child;
  }

  /** Terminates the long-lived child and its group (SIGTERM, then SIGKILL after the grace period). */
  protected async stopChild(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child) await child.stop(this.options.killGraceMs ?? 1000);
  }

  /** A fresh sample: the tool is healthy again, so its next failure restarts quickly. */
  protected deliver(snapshot: GpuSnapshot): void {
    this.backoff.reset();
    this.emit({ type: 'snapshot', snapshot });
  }

  /**
   * Calls `onSilence` once `lastSample()` is older than the watchdog's limit. A slow driver (many
   * GPUs, no persistence mode) starts its stream as slowly as it answered the probe, hence `probeMs`.
   */
  protected startWatchdog(tickMs: number, probeMs: number, lastSample: () => number, onSilence: (silenceMs: number) => void): void {
    const silenceMs = this.options.watchdogMs ?? Math.max(5000, 5 * tickMs, 3 * probeMs + tickMs);
    const tick = Math.max(50, Math.min(1000, Math.floor(silenceMs / 4)));
    const check = () => {
      if (Date.now() - lastSample() > silenceMs) return onSilence(silenceMs);
      this.liveTimer = setTimeout(check, tick);
    };
    this.liveTimer = setTimeout(check, tick);
  }

  protected scheduleRestart(reason: string): void {
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

  /** Runs the per-process query now and again each period after it ends, for as long as `query` says to go on. */
  protected repeatComputeApps(query: () => Promise<boolean>): void {
    const every = this.options.computeAppsIntervalMs ?? Math.max(5000, 5 * this.options.intervalMs);
    if (every <= 0 || this.disposed) return;
    const run = async () => {
      if (await query()) this.appsTimer = setTimeout(() => void run(), every);
    };
    void run();
  }
}
