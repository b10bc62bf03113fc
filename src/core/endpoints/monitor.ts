import { ADWIN } from '../drift/adwin';
import { PageHinkley } from '../drift/page-hinkley';
import { latencySummary } from './percentiles';
import type { EndpointSlo, FailureClass, LatencySummary, ProbeResult } from './types';
import { DEFAULT_AVAILABILITY_SLO } from './report';

export type EndpointState = 'unknown' | 'up' | 'degraded' | 'down';
export type EndpointAlertKind = 'endpoint-down' | 'latency-shift' | 'error-rate' | 'slo-burn' | 'golden-changed';

export interface EndpointAlert {
  readonly kind: EndpointAlertKind;
  readonly severity: 'warning' | 'error';
  readonly message: string;
  readonly at: number;
}

export type EndpointEvent = { readonly type: 'raised'; readonly alert: EndpointAlert } | { readonly type: 'cleared'; readonly kind: EndpointAlertKind; readonly at: number };

/** One point of the dashboard's history. */
export interface EndpointPoint {
  readonly at: number;
  readonly ok: boolean;
  readonly totalMs: number | null;
  readonly failure: FailureClass | null;
}

export interface EndpointSnapshot {
  readonly state: EndpointState;
  readonly last: EndpointPoint | null;
  readonly lastMessage: string | null;
  readonly availability: number | null;
  readonly latency: LatencySummary;
  readonly errors: Partial<Record<FailureClass, number>>;
  /** Error budget burn over the SLO window: 1 = spending the budget exactly as fast as allowed. */
  readonly burnRate: number | null;
  readonly history: readonly EndpointPoint[];
  readonly active: readonly EndpointAlert[];
}

/** Points kept for the dashboard and the SLO window: a day of one-minute probes. */
export const HISTORY_POINTS = 1440;

/**
 * An endpoint's health over time from its probes: up, degraded (slow, failing now and then, or
 * burning its error budget) or down (the last probe failed). Latency goes through Page-Hinkley
 * and the failure stream through ADWIN; every alert is raised once per episode and cleared when
 * the episode ends. Memory is bounded by HISTORY_POINTS.
 */
export class EndpointMonitor {
  private readonly history: EndpointPoint[] = [];
  private readonly active = new Map<EndpointAlertKind, EndpointAlert>();
  private readonly latencyDetector = new PageHinkley({ mode: 'up', threshold: 50, min_instances: 30 });
  private readonly errorDetector = new ADWIN({ delta: 0.002 });
  private lastMessage: string | null = null;
  private errorMean = 0;
  private errorCount = 0;

  constructor(private readonly slo: EndpointSlo = {}) {}

  /** Feeds one probe; returns the alerts raised and cleared by it. */
  update(result: ProbeResult, golden?: { readonly integrityAlert?: string }): EndpointEvent[] {
    const point: EndpointPoint = { at: result.at, ok: result.ok, totalMs: result.ok ? result.timing.totalMs : null, failure: result.failure ?? null };
    this.history.push(point);
    if (this.history.length > HISTORY_POINTS) this.history.shift();
    this.lastMessage = result.message ?? null;
    const events: EndpointEvent[] = [];
    const set = (kind: EndpointAlertKind, on: boolean, severity: 'warning' | 'error', message: () => string) => {
      if (on && !this.active.has(kind)) {
        const alert = { kind, severity, message: message(), at: result.at };
        this.active.set(kind, alert);
        events.push({ type: 'raised', alert });
      } else if (!on && this.active.has(kind)) {
        this.active.delete(kind);
        events.push({ type: 'cleared', kind, at: result.at });
      }
    };
    set('endpoint-down', !result.ok, 'error', () => `down: ${result.message ?? result.failure ?? 'failed'}`);

    const failed = result.ok ? 0 : 1;
    this.errorDetector.update(failed);
    this.errorCount++;
    this.errorMean += (failed - this.errorMean) / this.errorCount;
    // ADWIN flags any change; only a rise in failures is an episode, a recovery ends it.
    if (this.errorDetector.driftDetected) {
      const recent = this.recentErrorRate(30);
      set('error-rate', recent > this.errorMean, 'warning', () => `error rate rose to ${(recent * 100).toFixed(0)}% of recent probes`);
    } else if (this.active.has('error-rate') && this.recentErrorRate(30) === 0) set('error-rate', false, 'warning', () => '');

    if (result.ok) {
      this.latencyDetector.update(result.timing.totalMs);
      if (this.latencyDetector.driftDetected) set('latency-shift', true, 'warning', () => `latency rose to ${result.timing.totalMs.toFixed(0)} ms (Page-Hinkley)`);
      else if (this.slo.p99Ms !== undefined && result.timing.totalMs <= this.slo.p99Ms) set('latency-shift', false, 'warning', () => '');
    }
    const burn = this.burnRate();
    set('slo-burn', burn !== null && burn > 1 && this.history.length >= 10, 'warning', () => `error budget burning ${burn!.toFixed(1)}x faster than the availability SLO allows`);
    if (golden) set('golden-changed', golden.integrityAlert !== undefined, 'error', () => golden.integrityAlert!);
    return events;
  }

  private recentErrorRate(n: number): number {
    const recent = this.history.slice(-n);
    return recent.length ? recent.filter((p) => !p.ok).length / recent.length : 0;
  }

  /** Failure share over the kept window divided by the error budget (1 - availability SLO). */
  burnRate(): number | null {
    if (!this.history.length) return null;
    const budget = 1 - (this.slo.availability ?? DEFAULT_AVAILABILITY_SLO);
    const failures = this.history.filter((p) => !p.ok).length / this.history.length;
    return budget > 0 ? failures / budget : failures > 0 ? Infinity : 0;
  }

  snapshot(): EndpointSnapshot {
    const last = this.history[this.history.length - 1] ?? null;
    const ok = this.history.filter((p) => p.ok);
    const latency = latencySummary(ok.map((p) => p.totalMs!));
    const errors: Partial<Record<FailureClass, number>> = {};
    for (const p of this.history) if (p.failure) errors[p.failure] = (errors[p.failure] ?? 0) + 1;
    const availability = this.history.length ? ok.length / this.history.length : null;
    let state: EndpointState = 'unknown';
    if (last) {
      const slow = this.slo.p99Ms !== undefined && last.totalMs !== null && last.totalMs > this.slo.p99Ms;
      const belowSlo = availability !== null && availability < (this.slo.availability ?? DEFAULT_AVAILABILITY_SLO);
      state = !last.ok ? 'down' : slow || belowSlo || this.active.size > 0 ? 'degraded' : 'up';
    }
    return { state, last, lastMessage: this.lastMessage, availability, latency, errors, burnRate: this.burnRate(), history: [...this.history], active: [...this.active.values()] };
  }
}
