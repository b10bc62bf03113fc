import type { GoldenVerdict } from './golden';
import { latencySummary } from './percentiles';
import type { EndpointSlo, FailureClass, LatencySummary, ProbeResult } from './types';

/** Availability objective when none is configured: a lone failed probe is a breach. */
export const DEFAULT_AVAILABILITY_SLO = 0.99;

/** What `modelmon probe --json` prints; also the check's and the dashboard's summary of a run of probes. */
export interface ProbeReport {
  readonly target: string;
  readonly protocol: string;
  readonly requests: number;
  readonly ok: number;
  readonly availability: number;
  readonly latency_ms: LatencySummary;
  readonly errors: Partial<Record<FailureClass, number>>;
  readonly golden: { readonly checked: number; readonly mismatched: readonly { line: number; path: string; message: string }[]; readonly integrity_alert?: string; readonly version_changed?: { from: string; to: string } } | null;
  readonly model_version: string | null;
  readonly cert_days_left: number | null;
  /** Why the verdict is a breach, one line each. */
  readonly breaches: readonly string[];
  readonly verdict: 'ok' | 'breach';
}

export interface ProbeReportInput {
  readonly target: string;
  readonly protocol: string;
  readonly results: readonly ProbeResult[];
  readonly golden?: GoldenVerdict;
  readonly modelVersion: string | null;
  readonly slo: EndpointSlo;
}

/** Summarises a run of probes against the SLOs: availability, latency of the successful ones, error classes, golden answers. */
export function probeReport(input: ProbeReportInput): ProbeReport {
  const { results, slo } = input;
  const ok = results.filter((r) => r.ok);
  const errors: Partial<Record<FailureClass, number>> = {};
  for (const r of results) if (r.failure) errors[r.failure] = (errors[r.failure] ?? 0) + 1;
  const availability = results.length ? ok.length / results.length : 0;
  const latency = latencySummary(ok.map((r) => r.timing.totalMs));
  const breaches: string[] = [];
  const availabilitySlo = slo.availability ?? DEFAULT_AVAILABILITY_SLO;
  if (availability < availabilitySlo) {
    const firstFailure = results.find((r) => !r.ok)?.message;
    breaches.push(`availability ${(availability * 100).toFixed(1)}% is below ${(availabilitySlo * 100).toFixed(1)}%${firstFailure ? ` (${firstFailure})` : ''}`);
  }
  if (slo.p99Ms !== undefined && latency.p99 !== null && latency.p99 > slo.p99Ms) breaches.push(`p99 latency ${latency.p99.toFixed(1)} ms is over ${slo.p99Ms} ms`);
  const errorRate = results.length ? 1 - availability : 0;
  if (slo.errorRate !== undefined && errorRate > slo.errorRate) breaches.push(`error rate ${(errorRate * 100).toFixed(1)}% is over ${(slo.errorRate * 100).toFixed(1)}%`);
  if (input.golden?.integrityAlert) breaches.push(input.golden.integrityAlert);
  const cert = results.map((r) => r.certDaysLeft).filter((d): d is number => d !== undefined);
  const golden = input.golden
    ? {
        checked: input.golden.checked,
        mismatched: input.golden.mismatched,
        ...(input.golden.integrityAlert ? { integrity_alert: input.golden.integrityAlert } : {}),
        ...(input.golden.versionChanged ? { version_changed: input.golden.versionChanged } : {}),
      }
    : null;
  return {
    target: input.target,
    protocol: input.protocol,
    requests: results.length,
    ok: ok.length,
    availability: Math.round(availability * 1e6) / 1e6,
    latency_ms: latency,
    errors,
    golden,
    model_version: input.modelVersion,
    cert_days_left: cert.length ? Math.min(...cert) : null,
    breaches,
    verdict: breaches.length ? 'breach' : 'ok',
  };
}
