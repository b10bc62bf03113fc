import { readServerMetrics, type ServerMetrics } from '../../core/endpoints/prometheus';
import { httpProbe } from './httpProbe';

/** Reads a server's Prometheus `/metrics` page; throws a one-line Error naming the failure. */
export async function fetchServerMetrics(url: string, options: { timeoutMs: number; headers?: Readonly<Record<string, string>> }): Promise<ServerMetrics> {
  const result = await httpProbe(url, { timeoutMs: options.timeoutMs, json: false, maxBodyBytes: 8 * 1024 * 1024, ...(options.headers ? { headers: options.headers } : {}), keepText: true });
  if (!result.ok || result.text === undefined) throw new Error(result.message ?? 'no metrics page');
  return readServerMetrics(result.text);
}
