import type { ProbeReport } from '../endpoints/report';
import type { MonitorObservation, RawFinding } from './types';

/** Certificates closer than this to expiry are a warning. */
export const CERT_WARNING_DAYS = 14;

/** A run of probes of one endpoint as check findings: down, SLO breach, changed golden answers, an expiring certificate. */
export function observeEndpoint(report: ProbeReport): MonitorObservation {
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
    ],
  };
}
