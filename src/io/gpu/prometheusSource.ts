import { Backoff } from '../../core/gpu/backoff';
import { formatLabelMatchers, type LabelMatcher } from '../../core/gpu/dcgmLabels';
import type { GpuSourceEvent } from './gpuSource';
import { queryClusterGpus, type PrometheusRequestOptions } from './prometheus';

export interface PrometheusGpuSourceOptions {
  readonly url: URL;
  readonly matchers: readonly LabelMatcher[];
  /** Between the end of one query and the start of the next (default 5000 ms). */
  readonly intervalMs: number;
  readonly request?: Omit<PrometheusRequestOptions, 'signal'>;
  /** First and longest delay after a failed query (default 1 s doubling to 60 s). */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
}

/**
 * Polls Prometheus for the cluster's GPUs, one query at a time, with the events a local sampler
 * sends: a snapshot per answer, `retrying` with a growing delay while Prometheus is down, slow or
 * answering errors, and `no-gpu` (no more queries) when the query itself is refused as invalid.
 * `dispose()` aborts the query in flight.
 *
 * @example
 * const source = new PrometheusGpuSource({ url, matchers, intervalMs: 5000 });
 * source.on((e) => e.type === 'snapshot' && show(e.snapshot));
 * source.start();
 */
export class PrometheusGpuSource {
  readonly pid = undefined;
  private readonly listeners = new Set<(event: GpuSourceEvent) => void>();
  private readonly backoff: Backoff;
  private readonly abort = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: Promise<void> | null = null;
  private healthy = false;

  constructor(private readonly options: PrometheusGpuSourceOptions) {
    if (!Number.isInteger(options.intervalMs) || options.intervalMs < 100) throw new RangeError(`PrometheusGpuSource: intervalMs must be an integer >= 100, got ${options.intervalMs}`);
    this.backoff = new Backoff(options.backoff?.initialMs ?? 1000, options.backoff?.maxMs ?? 60_000);
  }

  /** `Prometheus at http://host:9090 {Hostname="node-a"}` for logs and tooltips. */
  get description(): string {
    const m = formatLabelMatchers(this.options.matchers);
    return `Prometheus at ${this.options.url.origin}${this.options.url.pathname.replace(/\/$/, '')}${m ? ` {${m}}` : ''}`;
  }

  on(listener: (event: GpuSourceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (!this.abort.signal.aborted && !this.inFlight && this.timer === undefined) this.poll();
  }

  async dispose(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await this.inFlight;
    this.listeners.clear();
  }

  private emit(event: GpuSourceEvent): void {
    for (const l of [...this.listeners]) l(event);
  }

  private schedule(delayMs: number): void {
    if (this.abort.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.poll();
    }, delayMs);
  }

  private poll(): void {
    this.inFlight = this.once().finally(() => (this.inFlight = null));
  }

  private async once(): Promise<void> {
    const r = await queryClusterGpus(this.options.url, this.options.matchers, { ...this.options.request, signal: this.abort.signal });
    if (this.abort.signal.aborted) return;
    if (r.kind === 'error' && !r.retry) {
      this.emit({ type: 'status', status: { state: 'no-gpu', message: r.message } });
      return;
    }
    const reason = r.kind === 'error' ? r.message : r.value.gpus.length === 0 ? `no DCGM series at ${this.description}` : null;
    if (reason !== null) {
      this.healthy = false;
      const delayMs = this.backoff.next();
      this.emit({ type: 'status', status: { state: 'retrying', reason, delayMs, attempt: this.backoff.attempt } });
      return this.schedule(delayMs);
    }
    if (r.kind !== 'ok') return;
    this.backoff.reset();
    for (const w of r.warnings) this.emit({ type: 'notice', message: `Prometheus warning: ${w}` });
    if (!this.healthy) {
      this.healthy = true;
      this.emit({ type: 'status', status: { state: 'polling', gpuCount: r.value.gpus.length, reason: `reading the cluster's GPUs from ${this.description}` } });
    }
    this.emit({ type: 'snapshot', snapshot: r.value });
    this.schedule(this.options.intervalMs);
  }
}
