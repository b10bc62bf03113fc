import type { AccessRecord } from './accessLog';
import { latencySummary } from './percentiles';
import type { LatencySummary } from './types';

/** Routes kept apart; later new routes share one row, so a scan of random URLs stays bounded. */
export const MAX_ROUTES = 500;
export const OTHER_ROUTES = '(other routes)';
/** Latencies kept for percentiles; past this a uniform reservoir keeps memory flat. */
export const MAX_LATENCIES = 1_000_000;
/** Windows kept (the newest); a week of one-minute windows. */
export const MAX_WINDOWS = 10_080;

export interface RouteTraffic {
  readonly route: string;
  readonly requests: number;
  readonly errors: number;
  readonly latency_ms: LatencySummary | null;
  readonly bytes_sent: number;
}

export interface TrafficWindow {
  /** ISO time of the window's start. */
  readonly start: string;
  readonly requests: number;
  readonly errors: number;
  readonly error_rate: number;
  readonly rate_per_s: number;
  readonly latency_ms: LatencySummary | null;
  readonly bytes_sent: number;
}

/** What `modelmon traffic --json` prints. Errors are 5xx answers; 4xx are counted as `client_errors`. */
export interface TrafficReport {
  readonly format: string;
  readonly lines: number;
  readonly unreadable: number;
  readonly requests: number;
  readonly errors: number;
  readonly client_errors: number;
  readonly error_rate: number;
  /** Requests per second between the first and last logged time; null where no time is logged. */
  readonly rate_per_s: number | null;
  readonly latency_ms: LatencySummary | null;
  readonly bytes_sent: number;
  readonly payload_bytes: LatencySummary | null;
  readonly routes: readonly RouteTraffic[];
  readonly windows: readonly TrafficWindow[];
}

/** Latency values with a bounded reservoir (deterministic, so reports repeat). */
class LatencySample {
  private values = new Float64Array(64);
  private length = 0;
  private seen = 0;
  private seed = 0x2545f491;

  add(v: number): void {
    this.seen++;
    if (this.length < MAX_LATENCIES) {
      if (this.length === this.values.length) {
        const grown = new Float64Array(Math.min(this.values.length * 2, MAX_LATENCIES));
        grown.set(this.values);
        this.values = grown;
      }
      this.values[this.length++] = v;
      return;
    }
    this.seed = (Math.imul(this.seed, 1103515245) + 12345) >>> 0;
    const j = this.seed % this.seen;
    if (j < MAX_LATENCIES) this.values[j] = v;
  }

  summary(): LatencySummary | null {
    return this.length ? latencySummary(this.values.subarray(0, this.length)) : null;
  }
}

class Tally {
  requests = 0;
  errors = 0;
  clientErrors = 0;
  bytes = 0;
  readonly latency = new LatencySample();
  add(r: AccessRecord): void {
    this.requests++;
    if (r.status >= 500) this.errors++;
    else if (r.status >= 400) this.clientErrors++;
    if (r.bytes !== null) this.bytes += r.bytes;
    if (r.latencyMs !== null) this.latency.add(r.latencyMs);
  }
}

const ratio = (a: number, b: number) => (b ? Math.round((a / b) * 1e6) / 1e6 : 0);

/** Request rate, errors, latency and sizes over an access log, per route and per time window. */
export class TrafficAggregator {
  private readonly all = new Tally();
  private readonly routes = new Map<string, Tally>();
  private readonly windows = new Map<number, Tally>();
  private readonly sizes = new LatencySample();
  private lines = 0;
  private unreadable = 0;
  private first = Infinity;
  private last = -Infinity;

  constructor(
    private readonly format: string,
    /** Window length in seconds. */
    private readonly windowSeconds = 60,
  ) {
    if (!(windowSeconds > 0)) throw new RangeError('window must be a positive number of seconds');
  }

  /** Counts a line that parsed as `record`, or an unreadable one for null. */
  add(record: AccessRecord | null): void {
    this.lines++;
    if (!record) {
      this.unreadable++;
      return;
    }
    this.all.add(record);
    if (record.bytes !== null) this.sizes.add(record.bytes);
    let route = this.routes.get(record.route);
    if (!route) {
      route = this.routes.size < MAX_ROUTES ? new Tally() : (this.routes.get(OTHER_ROUTES) ?? new Tally());
      this.routes.set(this.routes.size < MAX_ROUTES ? record.route : OTHER_ROUTES, route);
    }
    route.add(record);
    if (record.time !== null) {
      if (record.time < this.first) this.first = record.time;
      if (record.time > this.last) this.last = record.time;
      const key = Math.floor(record.time / (this.windowSeconds * 1000));
      let w = this.windows.get(key);
      if (!w) {
        if (this.windows.size >= MAX_WINDOWS) this.windows.delete(Math.min(...this.windows.keys()));
        w = new Tally();
        this.windows.set(key, w);
      }
      w.add(record);
    }
  }

  report(): TrafficReport {
    const { all } = this;
    const spanS = this.last >= this.first ? Math.max((this.last - this.first) / 1000, 1) : null;
    const routes = [...this.routes.entries()]
      .map(([route, t]) => ({ route, requests: t.requests, errors: t.errors, latency_ms: t.latency.summary(), bytes_sent: t.bytes }))
      .sort((a, b) => b.requests - a.requests || a.route.localeCompare(b.route));
    const windows = [...this.windows.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([key, t]) => ({
        start: new Date(key * this.windowSeconds * 1000).toISOString(),
        requests: t.requests,
        errors: t.errors,
        error_rate: ratio(t.errors, t.requests),
        rate_per_s: Math.round((t.requests / this.windowSeconds) * 1000) / 1000,
        latency_ms: t.latency.summary(),
        bytes_sent: t.bytes,
      }));
    return {
      format: this.format,
      lines: this.lines,
      unreadable: this.unreadable,
      requests: all.requests,
      errors: all.errors,
      client_errors: all.clientErrors,
      error_rate: ratio(all.errors, all.requests),
      rate_per_s: spanS === null ? null : Math.round((all.requests / spanS) * 1000) / 1000,
      latency_ms: all.latency.summary(),
      bytes_sent: all.bytes,
      payload_bytes: this.sizes.summary(),
      routes,
      windows,
    };
  }
}
