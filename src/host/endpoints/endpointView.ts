import type { EndpointSnapshot } from '../../core/endpoints/monitor';
import type { GoldenVerdict } from '../../core/endpoints/golden';
import type { TrafficReport } from '../../core/endpoints/traffic';
import type { EndpointView } from '../../protocol/endpoints';

/** The dashboard's and tree's view of one endpoint from its monitor's snapshot. */
export function endpointView(o: {
  name: string;
  url: string;
  protocol: string;
  trusted: boolean;
  snapshot: EndpointSnapshot;
  modelVersion: string | null;
  certDaysLeft: number | null;
  golden: (GoldenVerdict & { at: number }) | null;
  traffic: TrafficReport | null;
}): EndpointView {
  const s = o.snapshot;
  const t = o.traffic;
  return {
    name: o.name,
    url: o.url,
    protocol: o.protocol,
    state: o.trusted ? s.state : 'off',
    lastMs: s.last?.totalMs ?? null,
    lastMessage: o.trusted ? s.lastMessage : 'probes are off in an untrusted workspace',
    availability: s.availability,
    latency: s.latency,
    errors: s.errors,
    burnRate: s.burnRate,
    modelVersion: o.modelVersion,
    certDaysLeft: o.certDaysLeft,
    golden: o.golden ? { at: o.golden.at, checked: o.golden.checked, mismatched: o.golden.mismatched, ...(o.golden.integrityAlert ? { integrityAlert: o.golden.integrityAlert } : {}) } : null,
    traffic: t
      ? {
          requests: t.requests,
          errors: t.errors,
          errorRate: t.error_rate,
          ratePerS: t.rate_per_s,
          p50: t.latency_ms?.p50 ?? null,
          p99: t.latency_ms?.p99 ?? null,
          bytesSent: t.bytes_sent,
          routes: t.routes.slice(0, 20).map((r) => ({ route: r.route, requests: r.requests, errors: r.errors, p99: r.latency_ms?.p99 ?? null })),
        }
      : null,
    history: s.history.map((p) => ({ at: p.at, ok: p.ok, ms: p.totalMs, failure: p.failure })),
    alerts: s.active.map((a) => ({ kind: a.kind, severity: a.severity, message: a.message, at: a.at })),
  };
}
