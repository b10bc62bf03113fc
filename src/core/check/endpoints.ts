import type { ProbeReport } from '../endpoints/report';
import type { ServerMetrics } from '../endpoints/prometheus';
import type { TrafficReport } from '../endpoints/traffic';
import type { MonitorObservation, RawFinding } from './types';

/** Certificates closer than this to expiry are a warning. */
export const CERT_WARNING_DAYS = 14;

/** A run of probes of one endpoint as check findings: down, SLO breach, changed golden answers, an expiring certificate. */
export function observeEndpoint(report: ProbeReport, extras: { readonly traffic?: TrafficReport; readonly metrics?: ServerMetrics | { readonly error: string } } = {}): MonitorObservation {
  const findings: RawFinding[] = [];
  const subject = report.target;
  if (report.ok === 0) {
    findings.push({ kind: 'endpoint-down', severity: 'error', message: report.breaches[0] ?? 'no probe succeeded', subject });
  } else {
    for (const b of report.breaches) {
      if (b === report.golden?.integrity_alert) continue;
      findings.push({ kind: 'slo-breach', severity: 'error', message: b, subject });
    }
  }
  if (report.golden?.integrity_alert) findings.push({ kind: 'golden-changed', severity: 'error', message: report.golden.integrity_alert, subject });
  if (report.golden?.version_changed) {
    const { from, to } = report.golden.version_changed;
    findings.push({ kind: 'golden-changed', severity: 'info', message: `model version changed from ${from} to ${to}; ${report.golden.mismatched.length} golden answers differ (re-record them)`, subject });
  }
  if (report.cert_days_left !== null && report.cert_days_left < CERT_WARNING_DAYS) {
    findings.push({ kind: 'certificate', severity: report.cert_days_left < 0 ? 'error' : 'warning', message: `TLS certificate ${report.cert_days_left < 0 ? 'expired' : `expires in ${report.cert_days_left} days`}`, subject });
  }
  const l = report.latency_ms;
  const errors = Object.entries(report.errors).map(([k, v]) => `${k} ${v}`).join(', ') || '–';
  const ms = (v: number | null) => (v === null ? '–' : `${v.toFixed(1)} ms`);
  const tables: MonitorObservation['tables'][number][] = [];
  const { traffic, metrics } = extras;
  if (traffic) {
    tables.push({
      caption: `Traffic (${traffic.format} access log: ${traffic.requests} requests, ${(traffic.error_rate * 100).toFixed(2)}% errors)`,
      columns: ['Route', 'Requests', 'Errors', 'p99'],
      rows: traffic.routes.slice(0, 20).map((r) => [r.route, String(r.requests), String(r.errors), ms(r.latency_ms?.p99 ?? null)]),
    });
  }
  if (metrics && 'error' in metrics) findings.push({ kind: 'unreadable', severity: 'warning', message: `metrics page: ${metrics.error}`, subject });
  else if (metrics) {
    tables.push({
      caption: `Server metrics (${metrics.sources.join(', ') || 'no known family'})`,
      columns: ['Requests', 'Failures', 'Mean', 'p50', 'p99'],
      rows: [[metrics.requests === null ? '–' : String(metrics.requests), metrics.failures === null ? '–' : String(metrics.failures), ms(metrics.latency?.meanMs ?? null), ms(metrics.latency?.p50Ms ?? null), ms(metrics.latency?.p99Ms ?? null)]],
    });
  }
  return {
    findings,
    summary: `${report.protocol}: ${report.ok} of ${report.requests} probes ok` + (l.p99 !== null ? `, p99 ${l.p99.toFixed(1)} ms` : '') + (report.golden ? `, golden ${report.golden.checked - new Set(report.golden.mismatched.map((m) => m.line)).size}/${report.golden.checked}` : ''),
    tables: [
      {
        caption: 'Probes',
        columns: ['Target', 'Availability', 'p50', 'p90', 'p99', 'Errors', 'Model version'],
        rows: [[report.target, `${(report.availability * 100).toFixed(1)}%`, ms(l.p50), ms(l.p90), ms(l.p99), errors, report.model_version ?? '–']],
        ...(findings.some((f) => f.severity === 'error') ? { emphasis: [0] } : {}),
      },
      ...tables,
    ],
  };
}
