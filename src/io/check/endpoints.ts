import { readFile } from 'node:fs/promises';
import { observeEndpoint } from '../../core/check/endpoints';
import { parseGolden } from '../../core/endpoints/golden';
import type { EndpointMonitorConfig } from '../../core/config';
import { probeSeries } from '../endpoints/prober';
import { credentialHeaders } from '../endpoints/credentials';
import { readAccessLog } from '../endpoints/accessLogFile';
import { fetchServerMetrics } from '../endpoints/metricsPage';
import { joinUrl } from '../../core/endpoints/protocols';
import { resolve } from 'node:path';
import type { Probe, ProbeContext } from './engines';
import type { ProbeResult } from '../../core/endpoints/types';

/**
 * One check run of an endpoint: `requests` probes 200 ms apart, then the golden set once.
 * `onProbes` sees each probe's result (modelmon watch's latency histogram).
 */
export async function endpointEngine(monitor: EndpointMonitorConfig, golden: string | undefined, context: ProbeContext, onProbes?: (results: readonly ProbeResult[]) => void): Promise<Probe<never>> {
  let cases;
  if (golden !== undefined) {
    const parsed = parseGolden(await readFile(golden, 'utf8'));
    if (parsed.problems.length) throw new Error(`${monitor.golden}:${parsed.problems[0]!.line}: ${parsed.problems[0]!.message}`);
    cases = parsed.cases;
  }
  const headers = credentialHeaders(monitor.url, context.env);
  const { report, results } = await probeSeries(
    { url: monitor.url, protocol: monitor.protocol, timeoutMs: monitor.timeoutMs, ...(monitor.model !== undefined ? { model: monitor.model } : {}), ...(headers ? { headers } : {}) },
    { requests: monitor.requests, intervalMs: 200, slo: monitor.slo, ...(cases ? { golden: cases } : {}), ...(context.signal ? { signal: context.signal } : {}) },
  );
  onProbes?.(results);
  const traffic = monitor.accessLog !== undefined ? await readAccessLog(resolve(context.dir, monitor.accessLog), { format: 'auto', windowSeconds: 60, ...(context.signal ? { signal: context.signal } : {}) }) : undefined;
  let metrics;
  if (monitor.metricsPath !== undefined && report.ok > 0) {
    try {
      metrics = await fetchServerMetrics(joinUrl(monitor.url, monitor.metricsPath), { timeoutMs: monitor.timeoutMs, ...(headers ? { headers } : {}) });
    } catch (error) {
      metrics = { error: (error as Error).message };
    }
  }
  return { observation: observeEndpoint(report, { ...(traffic ? { traffic } : {}), ...(metrics ? { metrics } : {}) }) };
}
