import { parsePromText, type PromFamily } from './promText';

/** Which server wrote a metric family, told by its name. */
export type MetricsSource = 'torchserve' | 'triton' | 'vllm' | 'http';

/** Serving figures read from a `/metrics` page. */
export interface ServerMetrics {
  readonly sources: readonly MetricsSource[];
  /** Requests (success and failure) counted by the server, summed over labels. */
  readonly requests: number | null;
  readonly failures: number | null;
  /** From `http_request_duration_seconds` (or Triton's/vLLM's request durations): count, sum and the histogram's p50/p99 estimate. */
  readonly latency: { readonly count: number; readonly meanMs: number | null; readonly p50Ms: number | null; readonly p99Ms: number | null } | null;
  /** Per route where the histogram is labelled by route (`route`, `handler`, `path`, `endpoint`). */
  readonly routes: readonly { readonly route: string; readonly count: number; readonly meanMs: number | null }[];
  readonly families: number;
}

/** Pages larger than this are refused before parsing (a real server's page is tens of KB). */
export const MAX_METRICS_BYTES = 8 * 1024 * 1024;

const num = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : 0);

/** The p-quantile of a cumulative histogram (`le` -> count) by linear interpolation inside the bucket, as PromQL's histogram_quantile. */
export function histogramQuantile(q: number, buckets: ReadonlyMap<number, number>): number | null {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Infinity) ?? (bounds.length ? buckets.get(bounds[bounds.length - 1]!)! : 0);
  if (!total) return null;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (const bound of bounds) {
    const count = buckets.get(bound)!;
    if (count >= rank) {
      if (bound === Infinity) return prevBound;
      return prevBound + ((bound - prevBound) * (rank - prevCount)) / Math.max(count - prevCount, 1e-12);
    }
    prevBound = bound;
    prevCount = count;
  }
  return prevBound;
}

const ROUTE_LABELS = ['route', 'handler', 'path', 'endpoint'];
const REQUEST_COUNTERS: Record<string, MetricsSource> = {
  ts_inference_requests_total: 'torchserve',
  nv_inference_request_success: 'triton',
  'vllm:request_success_total': 'vllm',
  http_requests_total: 'http',
};
const FAILURE_COUNTERS: Record<string, MetricsSource> = { nv_inference_request_failure: 'triton' };
const LATENCY_HISTOGRAMS: Record<string, MetricsSource> = {
  http_request_duration_seconds: 'http',
  'vllm:e2e_request_latency_seconds': 'vllm',
  nv_inference_request_duration: 'triton',
};

/**
 * Reads the serving figures of a Prometheus text page: TorchServe's `ts_*`, Triton's
 * `nv_inference_*`, vLLM's `vllm:*` and generic `http_requests_total` /
 * `http_request_duration_seconds`. Throws a one-line Error for a page that does not parse.
 */
export function readServerMetrics(text: string): ServerMetrics {
  if (text.length > MAX_METRICS_BYTES) throw new Error(`the metrics page is over ${MAX_METRICS_BYTES / 2 ** 20} MiB`);
  let families: PromFamily[];
  try {
    families = parsePromText(text);
  } catch (error) {
    throw new Error(`not a Prometheus text page: ${(error as Error).message}`);
  }
  const sources = new Set<MetricsSource>();
  let requests: number | null = null;
  let failures: number | null = null;
  let latency: ServerMetrics['latency'] = null;
  const routes: { route: string; count: number; meanMs: number | null }[] = [];
  for (const f of families) {
    if (f.name.startsWith('ts_')) sources.add('torchserve');
    else if (f.name.startsWith('nv_inference_')) sources.add('triton');
    else if (f.name.startsWith('vllm:')) sources.add('vllm');
    const counter = REQUEST_COUNTERS[f.name];
    if (counter) {
      sources.add(counter);
      const sum = f.series.reduce((s, m) => s + num(m.value), 0);
      requests = (requests ?? 0) + sum;
      if (f.name === 'http_requests_total') {
        const failed = f.series.filter((m) => /^5/.test(m.labels.code ?? m.labels.status ?? '')).reduce((s, m) => s + num(m.value), 0);
        failures = (failures ?? 0) + failed;
      }
    }
    if (FAILURE_COUNTERS[f.name]) failures = (failures ?? 0) + f.series.reduce((s, m) => s + num(m.value), 0);
    // Triton's request duration is a counter of microseconds next to a request count.
    if (f.name === 'nv_inference_request_duration_us' && latency === null) {
      const us = f.series.reduce((s, m) => s + num(m.value), 0);
      const count = families.find((g) => g.name === 'nv_inference_count')?.series.reduce((s, m) => s + num(m.value), 0) ?? 0;
      latency = { count, meanMs: count ? us / count / 1000 : null, p50Ms: null, p99Ms: null };
    }
    if (LATENCY_HISTOGRAMS[f.name] && f.type === 'histogram') {
      sources.add(LATENCY_HISTOGRAMS[f.name]!);
      const merged = new Map<number, number>();
      let count = 0;
      let sum = 0;
      for (const m of f.series) {
        count += num(m.count);
        sum += num(m.sum);
        for (const [bound, c] of m.buckets ?? []) merged.set(bound, (merged.get(bound) ?? 0) + num(c));
        const routeLabel = ROUTE_LABELS.map((k) => m.labels[k]).find((v) => v !== undefined);
        if (routeLabel !== undefined) routes.push({ route: routeLabel, count: num(m.count), meanMs: num(m.count) ? (num(m.sum) / num(m.count)) * 1000 : null });
      }
      const p = (q: number) => {
        const v = histogramQuantile(q, merged);
        return v === null ? null : v * 1000;
      };
      latency = { count, meanMs: count ? (sum / count) * 1000 : null, p50Ms: p(0.5), p99Ms: p(0.99) };
    }
  }
  return { sources: [...sources], requests, failures, latency, routes: routes.sort((a, b) => b.count - a.count), families: families.length };
}
